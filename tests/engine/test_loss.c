/* Losses: BCE with logits (hard and soft targets, numerically stable for
 * large logits), hinge (sign +1, -1, 0) and the Gaussian KL term, against
 * the closed forms in double; gradients (scale * dloss/dx) against central
 * differences of the per-element losses; grad = NULL computes the loss. */
#include <math.h>

#include "op_check.h"

enum { LOSS_BCE, LOSS_HINGE, LOSS_KL };

typedef struct loss_ctx {
    oc_ctx *oc;
    int kind;
    float sign;
    long n;
    float *x, *t;          /* host: logits (or mu) and target (or logvar) */
    float *dx_, *dt_, *loss;
} loss_ctx;

static void loss_fwd(void *p, float *y)
{
    loss_ctx *c = p;
    oc_up(c->oc, c->dx_, c->x, c->n);
    if (c->t)
        oc_up(c->oc, c->dt_, c->t, c->n);
    switch (c->kind) {
    case LOSS_BCE:
        c->oc->k->bce_logits(c->oc->be, c->loss, NULL, c->dx_, c->dt_, c->n, 1.0f);
        break;
    case LOSS_HINGE:
        c->oc->k->hinge(c->oc->be, c->loss, NULL, c->dx_, c->sign, c->n, 1.0f);
        break;
    case LOSS_KL:
        c->oc->k->kl_normal(c->oc->be, c->loss, NULL, NULL, c->dx_, c->dt_, c->n, 1.0f);
        break;
    }
    oc_down(c->oc, y, c->loss, c->n);
}

/* the analytic gradient of sum w_i loss_i from grad = scale * dloss/dx */
static float *weighted_grad(oc_ctx *oc, const float *grad, const float *w, long n, float scale)
{
    float *g = oc_hostf(oc, n);
    for (long i = 0; i < n; i++)
        g[i] = (float)((double)grad[i] * w[i] / scale);
    return g;
}

static void bce_case(oc_ctx *oc, long n, int soft)
{
    char name[96];
    snprintf(name, sizeof name, "bce_logits n=%ld %s targets", n, soft ? "soft" : "0/1");
    loss_ctx c = {.oc = oc, .kind = LOSS_BCE, .n = n};
    c.x = oc_hostf(oc, n);
    c.t = oc_hostf(oc, n);
    oc_uniform(oc, c.x, n, -6.0f, 6.0f);
    oc_uniform(oc, c.t, n, 0.0f, 1.0f);
    if (!soft)
        for (long i = 0; i < n; i++)
            c.t[i] = c.t[i] < 0.5f ? 0.0f : 1.0f;
    c.dx_ = oc_dev(oc, c.x, n);
    c.dt_ = oc_dev(oc, c.t, n);
    c.loss = oc_alloc(oc, n);
    float *grad = oc_alloc(oc, n);
    const float scale = 0.37f;
    double *wl = oc_hostd(oc, n), *wg = oc_hostd(oc, n);
    for (long i = 0; i < n; i++) {
        double d;
        wl[i] = ref_bce_logits(c.x[i], c.t[i], &d);
        wg[i] = scale * d;
    }
    oc->k->bce_logits(oc->be, c.loss, grad, c.dx_, c.dt_, n, scale);
    oc_report(oc_compare(oc_fetch(oc, c.loss, n), wl, n, 1e-6, 1e-5),
              "%s loss = max(x,0) - x t + log(1 + exp(-|x|))", name);
    float *hg = oc_fetch(oc, grad, n);
    oc_report(oc_compare(hg, wg, n, 1e-6, 1e-5), "%s grad = 0.37 (sigmoid(x) - t)", name);
    float *w = oc_hostf(oc, n);
    oc_uniform(oc, w, n, -1.0f, 1.0f);
    oc_report(oc_fd_check(loss_fwd, &c, w, n, c.x, n, weighted_grad(oc, hg, w, n, scale), NULL,
                          1e-2, 1e-5, 2e-3, 64),
              "%s grad vs finite differences", name);
    float *loss2 = oc_alloc(oc, n);
    oc->k->bce_logits(oc->be, loss2, NULL, c.dx_, c.dt_, n, scale);
    oc_report(oc_compare(oc_fetch(oc, loss2, n), wl, n, 1e-6, 1e-5), "%s with grad = NULL",
              name);
    oc_finish_case(oc, name);
}

static void bce_extremes(oc_ctx *oc)
{
    const float xs[] = {-100.0f, -100.0f, -30.0f, 30.0f, 100.0f, 100.0f, 0.0f, 88.0f, -88.0f};
    const float ts[] = {0.0f, 1.0f, 1.0f, 0.0f, 1.0f, 0.0f, 0.5f, 0.25f, 0.75f};
    long n = 9;
    double wl[9], wg[9];
    for (long i = 0; i < n; i++) {
        double d;
        wl[i] = ref_bce_logits(xs[i], ts[i], &d);
        wg[i] = d;
    }
    float *x = oc_dev(oc, xs, n), *t = oc_dev(oc, ts, n), *loss = oc_alloc(oc, n),
          *grad = oc_alloc(oc, n);
    oc->k->bce_logits(oc->be, loss, grad, x, t, n, 1.0f);
    oc_report(oc_compare(oc_fetch(oc, loss, n), wl, n, 1e-5, 1e-6),
              "bce_logits stable for logits up to |100| (no overflow)");
    oc_report(oc_compare(oc_fetch(oc, grad, n), wg, n, 1e-6, 1e-6),
              "bce_logits grad stable for logits up to |100|");
    oc_finish_case(oc, "bce_logits extremes");
}

static void hinge_case(oc_ctx *oc, long n, float sign)
{
    char name[96];
    snprintf(name, sizeof name, "hinge sign=%+g n=%ld", sign, n);
    loss_ctx c = {.oc = oc, .kind = LOSS_HINGE, .sign = sign, .n = n};
    c.x = oc_hostf(oc, n);
    oc_uniform(oc, c.x, n, -3.0f, 3.0f);
    for (long i = 0; i < n; i++) /* keep away from the kinks at x = +-1 */
        if (fabsf(fabsf(c.x[i]) - 1.0f) < 0.05f)
            c.x[i] *= 1.2f;
    c.dx_ = oc_dev(oc, c.x, n);
    c.loss = oc_alloc(oc, n);
    float *grad = oc_alloc(oc, n);
    const float scale = -0.5f;
    double *wl = oc_hostd(oc, n), *wg = oc_hostd(oc, n);
    for (long i = 0; i < n; i++) {
        double d;
        wl[i] = ref_hinge(c.x[i], sign, &d);
        wg[i] = scale * d;
    }
    oc->k->hinge(oc->be, c.loss, grad, c.dx_, sign, n, scale);
    oc_report(oc_compare(oc_fetch(oc, c.loss, n), wl, n, 1e-6, 1e-6), "%s loss", name);
    float *hg = oc_fetch(oc, grad, n);
    oc_report(oc_compare(hg, wg, n, 0, 1e-6), "%s grad (scale -0.5)", name);
    float *w = oc_hostf(oc, n);
    oc_uniform(oc, w, n, -1.0f, 1.0f);
    oc_report(oc_fd_check(loss_fwd, &c, w, n, c.x, n, weighted_grad(oc, hg, w, n, scale), NULL,
                          1e-2, 1e-5, 1e-3, 64),
              "%s grad vs finite differences", name);
    oc_finish_case(oc, name);
}

static void kl_case(oc_ctx *oc, long n)
{
    char name[64];
    snprintf(name, sizeof name, "kl_normal n=%ld", n);
    loss_ctx c = {.oc = oc, .kind = LOSS_KL, .n = n};
    c.x = oc_hostf(oc, n);
    c.t = oc_hostf(oc, n);
    oc_uniform(oc, c.x, n, -2.0f, 2.0f);
    oc_uniform(oc, c.t, n, -3.0f, 2.0f);
    c.dx_ = oc_dev(oc, c.x, n);
    c.dt_ = oc_dev(oc, c.t, n);
    c.loss = oc_alloc(oc, n);
    float *dmu = oc_alloc(oc, n), *dlv = oc_alloc(oc, n);
    const float scale = 2.0f;
    double *wl = oc_hostd(oc, n), *wmu = oc_hostd(oc, n), *wlv = oc_hostd(oc, n);
    for (long i = 0; i < n; i++) {
        double a, b;
        wl[i] = ref_kl_normal(c.x[i], c.t[i], &a, &b);
        wmu[i] = scale * a;
        wlv[i] = scale * b;
    }
    oc->k->kl_normal(oc->be, c.loss, dmu, dlv, c.dx_, c.dt_, n, scale);
    oc_report(oc_compare(oc_fetch(oc, c.loss, n), wl, n, 1e-6, 1e-5),
              "%s loss = 0.5 (mu^2 + exp(logvar) - 1 - logvar)", name);
    float *hmu = oc_fetch(oc, dmu, n), *hlv = oc_fetch(oc, dlv, n);
    oc_report(oc_compare(hmu, wmu, n, 1e-6, 1e-5), "%s dmu = 2 mu", name);
    oc_report(oc_compare(hlv, wlv, n, 1e-6, 1e-5), "%s dlogvar = 2 * 0.5 (exp(logvar) - 1)",
              name);
    float *w = oc_hostf(oc, n);
    oc_uniform(oc, w, n, -1.0f, 1.0f);
    oc_report(oc_fd_check(loss_fwd, &c, w, n, c.x, n, weighted_grad(oc, hmu, w, n, scale), NULL,
                          1e-2, 1e-5, 2e-3, 64),
              "%s dmu vs finite differences", name);
    oc_report(oc_fd_check(loss_fwd, &c, w, n, c.t, n, weighted_grad(oc, hlv, w, n, scale), NULL,
                          1e-2, 1e-5, 2e-3, 64),
              "%s dlogvar vs finite differences", name);
    oc_finish_case(oc, name);
}

static void kl_closed_form(oc_ctx *oc)
{
    /* N(0,1) -> 0; N(1,1) -> 0.5; N(0,2) -> 0.5 (1 - ln 2); N(-2, e^-1) */
    const float mu[] = {0.0f, 1.0f, 0.0f, -2.0f};
    const float lv[] = {0.0f, 0.0f, (float)M_LN2, -1.0f};
    const double want[] = {0.0, 0.5, 0.5 * (1.0 - M_LN2), 0.5 * (4.0 + exp(-1.0) - 1.0 + 1.0)};
    float *dmu = oc_dev(oc, mu, 4), *dlv = oc_dev(oc, lv, 4), *loss = oc_alloc(oc, 4);
    oc->k->kl_normal(oc->be, loss, NULL, NULL, dmu, dlv, 4, 1.0f);
    oc_report(oc_compare(oc_fetch(oc, loss, 4), want, 4, 1e-6, 1e-6),
              "kl_normal closed-form values (standard normal gives 0), gradients NULL");
    oc_finish_case(oc, "kl_normal closed form");
}

static void run_checks(oc_ctx *oc)
{
    const long ns[] = {1, 7, 1000, 100003};
    for (int i = 0; i < 4; i++) {
        bce_case(oc, ns[i], 0);
        bce_case(oc, ns[i], 1);
        hinge_case(oc, ns[i], 1.0f);
        hinge_case(oc, ns[i], -1.0f);
        hinge_case(oc, ns[i], 0.0f);
        kl_case(oc, ns[i]);
    }
    bce_extremes(oc);
    kl_closed_form(oc);
}

OC_TEST_MAIN(run_checks)
