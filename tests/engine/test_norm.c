/* Per-channel ops over x (N, C, L): bias_add / bias_backward, modulate /
 * modulate_backward (per-sample gamma, beta), and batch normalisation
 * (training with batch statistics and running updates, inference from
 * running statistics, with and without affine) against double references;
 * every backward against central differences of its forward. */
#include <math.h>

#include "op_check.h"

#define NCL(s) ((long)(s)->N * (s)->C * (s)->L)

static void bias_case(oc_ctx *oc, const t2v_ncl_shape *s)
{
    long n = NCL(s);
    float *y0 = oc_hostf(oc, n), *bias = oc_hostf(oc, s->C), *dy = oc_hostf(oc, n),
          *db0 = oc_hostf(oc, s->C);
    oc_uniform(oc, y0, n, -1.0f, 1.0f);
    oc_uniform(oc, bias, s->C, -1.0f, 1.0f);
    oc_uniform(oc, dy, n, -1.0f, 1.0f);
    oc_uniform(oc, db0, s->C, -1.0f, 1.0f);
    double *want = oc_hostd(oc, n), *want_db = oc_hostd(oc, s->C);
    for (int c = 0; c < s->C; c++)
        want_db[c] = db0[c];
    for (int nn = 0; nn < s->N; nn++)
        for (int c = 0; c < s->C; c++)
            for (int64_t l = 0; l < s->L; l++) {
                long i = ((long)nn * s->C + c) * s->L + l;
                want[i] = (double)y0[i] + bias[c];
                want_db[c] += dy[i];
            }
    float *y = oc_dev(oc, y0, n), *b = oc_dev(oc, bias, s->C), *ddy = oc_dev(oc, dy, n),
          *db = oc_dev(oc, db0, s->C);
    oc->k->bias_add(oc->be, y, b, s->N, s->C, s->L);
    oc_report(oc_compare(oc_fetch(oc, y, n), want, n, 1e-6, 1e-7),
              "bias_add (in place) N=%d C=%d L=%lld", s->N, s->C, (long long)s->L);
    oc->k->bias_backward(oc->be, db, ddy, s->N, s->C, s->L);
    oc_report(oc_compare(oc_fetch(oc, db, s->C), want_db, s->C, 1e-5, 1e-6),
              "bias_backward dbias += sum dy N=%d C=%d L=%lld", s->N, s->C, (long long)s->L);
    oc_finish_case(oc, "bias");
}

typedef struct mod_ctx {
    oc_ctx *oc;
    const t2v_ncl_shape *s;
    float *x, *g, *b, *dx_, *dg_, *db_, *y;
} mod_ctx;

static void mod_fwd(void *p, float *y)
{
    mod_ctx *c = p;
    long n = NCL(c->s), nc = (long)c->s->N * c->s->C;
    oc_up(c->oc, c->dx_, c->x, n);
    oc_up(c->oc, c->dg_, c->g, nc);
    oc_up(c->oc, c->db_, c->b, nc);
    c->oc->k->modulate(c->oc->be, c->y, c->dx_, c->dg_, c->db_, c->s->N, c->s->C, c->s->L);
    oc_down(c->oc, y, c->y, n);
}

static void modulate_case(oc_ctx *oc, const t2v_ncl_shape *s)
{
    char name[96];
    snprintf(name, sizeof name, "modulate N=%d C=%d L=%lld", s->N, s->C, (long long)s->L);
    long n = NCL(s), nc = (long)s->N * s->C;
    mod_ctx c = {.oc = oc, .s = s};
    c.x = oc_hostf(oc, n);
    c.g = oc_hostf(oc, nc);
    c.b = oc_hostf(oc, nc);
    oc_uniform(oc, c.x, n, -1.0f, 1.0f);
    oc_uniform(oc, c.g, nc, 0.5f, 1.5f);
    oc_uniform(oc, c.b, nc, -1.0f, 1.0f);
    c.dx_ = oc_dev(oc, c.x, n);
    c.dg_ = oc_dev(oc, c.g, nc);
    c.db_ = oc_dev(oc, c.b, nc);
    c.y = oc_alloc(oc, n);
    double *want = oc_hostd(oc, n);
    for (int variant = 0; variant < 3; variant++) {
        /* 0: gamma and beta, 1: gamma NULL, 2: beta NULL */
        for (long i = 0; i < n; i++) {
            long nci = i / s->L;
            double gm = variant == 1 ? 1.0 : c.g[nci], bt = variant == 2 ? 0.0 : c.b[nci];
            want[i] = c.x[i] * gm + bt;
        }
        oc->k->modulate(oc->be, c.y, c.dx_, variant == 1 ? NULL : c.dg_,
                        variant == 2 ? NULL : c.db_, s->N, s->C, s->L);
        oc_report(oc_compare(oc_fetch(oc, c.y, n), want, n, 1e-6, 1e-6), "%s forward%s", name,
                  variant == 0 ? "" : variant == 1 ? " gamma=NULL" : " beta=NULL");
    }
    float *dy = oc_hostf(oc, n), *g0 = oc_hostf(oc, nc), *b0 = oc_hostf(oc, nc);
    oc_uniform(oc, dy, n, -1.0f, 1.0f);
    oc_uniform(oc, g0, nc, -1.0f, 1.0f);
    oc_uniform(oc, b0, nc, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, n), *gdx = oc_alloc(oc, n), *gdg = oc_dev(oc, g0, nc),
          *gdb = oc_dev(oc, b0, nc);
    oc->k->modulate_backward(oc->be, gdx, gdg, gdb, ddy, c.dx_, c.dg_, s->N, s->C, s->L);
    float *hdx = oc_fetch(oc, gdx, n), *hdg = oc_fetch(oc, gdg, nc), *hdb = oc_fetch(oc, gdb, nc);
    oc_report(oc_fd_check(mod_fwd, &c, dy, n, c.x, n, hdx, NULL, 0.25, 1e-5, 1e-4, 48),
              "%s backward dx vs finite differences", name);
    oc_report(oc_fd_check(mod_fwd, &c, dy, n, c.g, nc, hdg, g0, 0.25, 1e-5, 1e-4, 48),
              "%s backward dgamma (accumulating) vs finite differences", name);
    oc_report(oc_fd_check(mod_fwd, &c, dy, n, c.b, nc, hdb, b0, 0.25, 1e-5, 1e-4, 48),
              "%s backward dbeta (accumulating) vs finite differences", name);
    oc_finish_case(oc, name);
}

typedef struct bn_ctx {
    oc_ctx *oc;
    const t2v_ncl_shape *s;
    int affine;
    float *x, *g, *b;                    /* host */
    float *dx_, *dg_, *db_, *rm, *rv, *sm, *si, *y;
} bn_ctx;

static void bn_fwd(void *p, float *y)
{
    bn_ctx *c = p;
    const t2v_ncl_shape *s = c->s;
    oc_up(c->oc, c->dx_, c->x, NCL(s));
    oc_up(c->oc, c->dg_, c->g, s->C);
    oc_up(c->oc, c->db_, c->b, s->C);
    c->oc->k->batchnorm_forward(c->oc->be, c->y, c->dx_, c->affine ? c->dg_ : NULL,
                                c->affine ? c->db_ : NULL, c->rm, c->rv, c->sm, c->si, s->N,
                                s->C, s->L, 0.1f, 1e-5f, 1);
    oc_down(c->oc, y, c->y, NCL(s));
}

static void batchnorm_case(oc_ctx *oc, const t2v_ncl_shape *s, int affine)
{
    char name[112];
    snprintf(name, sizeof name, "batchnorm%s N=%d C=%d L=%lld", affine ? "" : " (no affine)",
             s->N, s->C, (long long)s->L);
    long n = NCL(s);
    int C = s->C;
    bn_ctx c = {.oc = oc, .s = s, .affine = affine};
    c.x = oc_hostf(oc, n);
    c.g = oc_hostf(oc, C);
    c.b = oc_hostf(oc, C);
    float *rm0 = oc_hostf(oc, C), *rv0 = oc_hostf(oc, C);
    oc_uniform(oc, c.x, n, -1.0f, 1.0f);
    for (long i = 0; i < n; i++) /* a per-channel offset, so means differ */
        c.x[i] += 0.5f * (float)((i / s->L) % C);
    oc_uniform(oc, c.g, C, 0.5f, 1.5f);
    oc_uniform(oc, c.b, C, -1.0f, 1.0f);
    oc_uniform(oc, rm0, C, -0.5f, 0.5f);
    oc_uniform(oc, rv0, C, 0.5f, 2.0f);
    c.dx_ = oc_dev(oc, c.x, n);
    c.dg_ = oc_dev(oc, c.g, C);
    c.db_ = oc_dev(oc, c.b, C);
    c.rm = oc_dev(oc, rm0, C);
    c.rv = oc_dev(oc, rv0, C);
    c.sm = oc_alloc(oc, C);
    c.si = oc_alloc(oc, C);
    c.y = oc_alloc(oc, n);
    const float *gp = affine ? c.g : NULL, *bp = affine ? c.b : NULL;
    double *want = oc_hostd(oc, n), *wrm = oc_hostd(oc, C), *wrv = oc_hostd(oc, C),
           *wsm = oc_hostd(oc, C), *wsi = oc_hostd(oc, C);

    /* inference: running statistics, nothing updated */
    ref_batchnorm_forward(s->N, C, s->L, c.x, gp, bp, rm0, rv0, 0.1, 1e-5, 0, want, wrm, wrv,
                          wsm, wsi);
    oc->k->batchnorm_forward(oc->be, c.y, c.dx_, affine ? c.dg_ : NULL, affine ? c.db_ : NULL,
                             c.rm, c.rv, c.sm, c.si, s->N, C, s->L, 0.1f, 1e-5f, 0);
    oc_report(oc_compare(oc_fetch(oc, c.y, n), want, n, 1e-5, 1e-5), "%s inference forward",
              name);
    oc_report(oc_compare(oc_fetch(oc, c.rm, C), wrm, C, 0, 0),
              "%s inference leaves running_mean unchanged", name);
    oc_report(oc_compare(oc_fetch(oc, c.rv, C), wrv, C, 0, 0),
              "%s inference leaves running_var unchanged", name);

    /* training: batch statistics, running update, saved statistics */
    ref_batchnorm_forward(s->N, C, s->L, c.x, gp, bp, rm0, rv0, 0.1, 1e-5, 1, want, wrm, wrv,
                          wsm, wsi);
    oc->k->batchnorm_forward(oc->be, c.y, c.dx_, affine ? c.dg_ : NULL, affine ? c.db_ : NULL,
                             c.rm, c.rv, c.sm, c.si, s->N, C, s->L, 0.1f, 1e-5f, 1);
    oc_report(oc_compare(oc_fetch(oc, c.y, n), want, n, 2e-5, 2e-5), "%s training forward",
              name);
    oc_report(oc_compare(oc_fetch(oc, c.rm, C), wrm, C, 1e-6, 1e-5),
              "%s running_mean = 0.9 running + 0.1 batch mean", name);
    oc_report(oc_compare(oc_fetch(oc, c.rv, C), wrv, C, 1e-6, 1e-5),
              "%s running_var = 0.9 running + 0.1 unbiased batch variance", name);
    oc_report(oc_compare(oc_fetch(oc, c.sm, C), wsm, C, 1e-6, 1e-5), "%s saved mean", name);
    oc_report(oc_compare(oc_fetch(oc, c.si, C), wsi, C, 1e-6, 2e-5),
              "%s saved 1/sqrt(var + eps) (biased var)", name);

    /* backward against central differences of the training forward (a small
     * step: with 4 values per channel the curvature is strong) */
    float *dy = oc_hostf(oc, n), *g0 = oc_hostf(oc, C), *b0 = oc_hostf(oc, C);
    oc_uniform(oc, dy, n, -1.0f, 1.0f);
    oc_uniform(oc, g0, C, -1.0f, 1.0f);
    oc_uniform(oc, b0, C, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, n), *gdx = oc_alloc(oc, n), *gdg = oc_dev(oc, g0, C),
          *gdb = oc_dev(oc, b0, C);
    oc->k->batchnorm_backward(oc->be, gdx, affine ? gdg : NULL, affine ? gdb : NULL, ddy, c.dx_,
                              affine ? c.dg_ : NULL, c.sm, c.si, s->N, C, s->L);
    float *hdx = oc_fetch(oc, gdx, n);
    oc_report(oc_fd_check(bn_fwd, &c, dy, n, c.x, n, hdx, NULL, 3e-3, 1e-4, 5e-3, 48),
              "%s backward dx vs finite differences", name);
    if (affine) {
        float *hdg = oc_fetch(oc, gdg, C), *hdb = oc_fetch(oc, gdb, C);
        oc_report(oc_fd_check(bn_fwd, &c, dy, n, c.g, C, hdg, g0, 0.25, 1e-4, 1e-3, 48),
                  "%s backward dgamma (accumulating) vs finite differences", name);
        oc_report(oc_fd_check(bn_fwd, &c, dy, n, c.b, C, hdb, b0, 0.25, 1e-4, 1e-3, 48),
                  "%s backward dbeta (accumulating) vs finite differences", name);
    }
    oc_finish_case(oc, name);
}

static void run_checks(oc_ctx *oc)
{
    for (int i = 0; i < t2v_ncl_shape_count; i++) {
        const t2v_ncl_shape *s = &t2v_ncl_shapes[i];
        bias_case(oc, s);
        modulate_case(oc, s);
        batchnorm_case(oc, s, 1);
        batchnorm_case(oc, s, 0);
    }
}

OC_TEST_MAIN(run_checks)
