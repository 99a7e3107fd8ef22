/* Adam with decoupled weight decay (PyTorch AdamW): the kernel over several
 * steps with fresh gradients, and t2v_adam_step over a parameter set (decay
 * skipped for no_decay parameters, step counter advanced), against a
 * double-precision reference. */
#include <math.h>

#include "op_check.h"

typedef struct adam_cfg {
    float lr, beta1, beta2, eps, wd;
} adam_cfg;

static void adam_kernel_case(oc_ctx *oc, long n, const adam_cfg *a)
{
    char name[128];
    snprintf(name, sizeof name, "adam n=%ld lr=%g betas=(%g, %g) eps=%g wd=%g", n, a->lr,
             a->beta1, a->beta2, a->eps, a->wd);
    float *p0 = oc_hostf(oc, n), *g = oc_hostf(oc, n);
    oc_uniform(oc, p0, n, -1.0f, 1.0f);
    double *p = oc_hostd(oc, n), *m = oc_hostd(oc, n), *v = oc_hostd(oc, n);
    for (long i = 0; i < n; i++)
        p[i] = p0[i];
    float *dp = oc_dev(oc, p0, n), *dg = oc_alloc(oc, n), *dm = oc_alloc(oc, n),
          *dv = oc_alloc(oc, n);
    oc->k->fill(oc->be, dm, 0.0f, n);
    oc->k->fill(oc->be, dv, 0.0f, n);
    const int steps = 5;
    int ok = 1;
    for (int t = 1; t <= steps; t++) {
        oc_uniform(oc, g, n, -1.0f, 1.0f);
        if (t == 3)
            for (long i = 0; i < n; i += 2)
                g[i] *= 1e-3f; /* small gradients: eps and bias correction matter */
        oc_up(oc, dg, g, n);
        ref_adam(p, g, m, v, n, a->lr, a->beta1, a->beta2, a->eps, a->wd, t);
        oc->k->adam(oc->be, dp, dg, dm, dv, n, a->lr, a->beta1, a->beta2, a->eps, a->wd, t);
        ok &= oc_report(oc_compare(oc_fetch(oc, dp, n), p, n, 1e-6, 1e-5),
                        "%s step %d parameters", name, t);
        ok &= oc_report(oc_compare(oc_fetch(oc, dm, n), m, n, 1e-7, 1e-5),
                        "%s step %d first moment", name, t);
        ok &= oc_report(oc_compare(oc_fetch(oc, dv, n), v, n, 1e-9, 1e-5),
                        "%s step %d second moment", name, t);
        if (!ok)
            break;
    }
    oc_finish_case(oc, name);
}

static void adam_step_case(oc_ctx *oc)
{
    t2v_params ps;
    t2v_params_init(&ps, oc->be);
    const int64_t wshape[2] = {3, 5}, bshape[1] = {3};
    int iw = t2v_params_declare(&ps, "net.fc.weight", 2, wshape, 0);
    int ib = t2v_params_declare(&ps, "net.fc.bias", 1, bshape, 1);
    T2V_CHECK(iw == 0 && ib == 1, "parameters declared in order (%d, %d)", iw, ib);
    if (t2v_params_allocate(&ps, 1) != T2V_OK) {
        T2V_CHECK(0, "t2v_params_allocate with Adam moments: %s", t2v_last_error());
        return;
    }
    t2v_adam opt = {.lr = 0.05f, .beta1 = 0.5f, .beta2 = 0.999f, .eps = 1e-8f,
                    .weight_decay = 0.2f, .step = 0};
    double ref_p[2][15] = {{0}}, ref_m[2][15] = {{0}}, ref_v[2][15] = {{0}};
    float host[15], grad[15];
    for (int k = 0; k < 2; k++) {
        t2v_param *p = &ps.items[k];
        int64_t n = t2v_tensor_numel(&p->t);
        oc_uniform(oc, host, (size_t)n, -1.0f, 1.0f);
        t2v_backend_upload(oc->be, p->t.data, host, (size_t)n * sizeof(float));
        for (int64_t i = 0; i < n; i++)
            ref_p[k][i] = host[i];
    }
    int ok = 1;
    for (int step = 1; step <= 4; step++) {
        t2v_params_zero_grad(&ps);
        for (int k = 0; k < 2; k++) {
            t2v_param *p = &ps.items[k];
            int64_t n = t2v_tensor_numel(&p->t);
            oc_uniform(oc, grad, (size_t)n, -1.0f, 1.0f);
            t2v_backend_upload(oc->be, p->t.grad, grad, (size_t)n * sizeof(float));
            ref_adam(ref_p[k], grad, ref_m[k], ref_v[k], n, opt.lr, opt.beta1, opt.beta2,
                     opt.eps, p->no_decay ? 0.0 : opt.weight_decay, step);
        }
        t2v_status st = t2v_adam_step(&opt, &ps);
        ok &= T2V_CHECK(st == T2V_OK && opt.step == step,
                        "t2v_adam_step %d returns OK and counts steps (step = %lld)", step,
                        (long long)opt.step);
        for (int k = 0; k < 2; k++) {
            t2v_param *p = &ps.items[k];
            int64_t n = t2v_tensor_numel(&p->t);
            t2v_backend_download(oc->be, host, p->t.data, (size_t)n * sizeof(float));
            ok &= oc_report(oc_compare(host, ref_p[k], n, 1e-6, 1e-5),
                            "t2v_adam_step %d %s (%s)", step, p->name,
                            p->no_decay ? "no decay" : "decay 0.2");
        }
        if (!ok)
            break;
    }
    t2v_params_free(&ps);
}

static void run_checks(oc_ctx *oc)
{
    const adam_cfg cfgs[] = {
        {1e-2f, 0.9f, 0.999f, 1e-8f, 0.0f},
        {2e-4f, 0.5f, 0.999f, 1e-8f, 0.0f},  /* the GAN papers' setting */
        {4e-4f, 0.0f, 0.9f, 1e-8f, 0.0f},    /* TTUR discriminator */
        {1e-2f, 0.9f, 0.999f, 1e-6f, 0.1f},  /* decoupled weight decay */
    };
    const long ns[] = {1, 7, 1000, 100003};
    for (int c = 0; c < 4; c++)
        for (int i = 0; i < 4; i++)
            adam_kernel_case(oc, ns[i], &cfgs[c]);
    adam_step_case(oc);
}

OC_TEST_MAIN(run_checks)
