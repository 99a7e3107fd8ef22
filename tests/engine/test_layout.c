/* Layout ops: nearest x2 upsampling (2D, 3D, and 2D over a kept depth),
 * channel concat, tile over L, general permutation, frame differences and
 * GLU: forward against direct index arithmetic in double, every backward
 * against central differences of its forward. */
#include <math.h>

#include "op_check.h"

enum { OP_UPSAMPLE, OP_CONCAT, OP_TILE, OP_FRAME_DIFF, OP_GLU };

/* one forward of any layout op over host inputs a (and b for concat) */
typedef struct lay_ctx {
    oc_ctx *oc;
    int op;
    const void *shape;
    float *a, *b;       /* host */
    float *da, *db;     /* backend */
    long na, nb, ny;
    float *y;
} lay_ctx;

static void lay_fwd(void *p, float *y)
{
    lay_ctx *c = p;
    const t2v_kernels *k = c->oc->k;
    t2v_backend *be = c->oc->be;
    oc_up(c->oc, c->da, c->a, c->na);
    if (c->b)
        oc_up(c->oc, c->db, c->b, c->nb);
    switch (c->op) {
    case OP_UPSAMPLE: {
        const t2v_upsample_shape *s = c->shape;
        k->upsample2_forward(be, c->y, c->da, s->NC, s->D, s->H, s->W, s->dims);
        break;
    }
    case OP_CONCAT: {
        const t2v_concat_shape *s = c->shape;
        k->concat_forward(be, c->y, c->da, c->db, s->N, s->Ca, s->Cb, s->L);
        break;
    }
    case OP_TILE: {
        const t2v_ncl_shape *s = c->shape;
        k->tile_forward(be, c->y, c->da, s->N, s->C, s->L);
        break;
    }
    case OP_FRAME_DIFF: {
        const t2v_frame_diff_shape *s = c->shape;
        k->frame_diff_forward(be, c->y, c->da, s->N, s->C, s->T, s->HW);
        break;
    }
    case OP_GLU: {
        const t2v_ncl_shape *s = c->shape;
        k->glu_forward(be, c->y, c->da, s->N, s->C, s->L);
        break;
    }
    }
    oc_down(c->oc, y, c->y, c->ny);
}

static void upsample_case(oc_ctx *oc, const t2v_upsample_shape *s)
{
    char name[112];
    snprintf(name, sizeof name, "upsample2 dims=%d x (%d, %d, %d, %d)%s", s->dims, s->NC, s->D,
             s->H, s->W, s->dims == 2 && s->D > 1 ? " depth kept" : "");
    lay_ctx c = {.oc = oc, .op = OP_UPSAMPLE, .shape = s};
    c.na = (long)s->NC * s->D * s->H * s->W;
    c.ny = c.na * 4 * (s->dims == 3 ? 2 : 1);
    c.a = oc_hostf(oc, c.na);
    oc_uniform(oc, c.a, c.na, -1.0f, 1.0f);
    c.da = oc_dev(oc, c.a, c.na);
    c.y = oc_alloc(oc, c.ny);
    double *want = oc_hostd(oc, c.ny);
    ref_upsample2(s->NC, s->D, s->H, s->W, s->dims, c.a, want);
    oc->k->upsample2_forward(oc->be, c.y, c.da, s->NC, s->D, s->H, s->W, s->dims);
    oc_report(oc_compare(oc_fetch(oc, c.y, c.ny), want, c.ny, 0, 0), "%s forward", name);
    float *dy = oc_hostf(oc, c.ny);
    oc_uniform(oc, dy, c.ny, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, c.ny), *gdx = oc_alloc(oc, c.na);
    oc->k->upsample2_backward(oc->be, gdx, ddy, s->NC, s->D, s->H, s->W, s->dims);
    oc_report(oc_fd_check(lay_fwd, &c, dy, c.ny, c.a, c.na, oc_fetch(oc, gdx, c.na), NULL, 0.5,
                          1e-5, 1e-5, 64),
              "%s backward vs finite differences", name);
    oc_finish_case(oc, name);
}

static void concat_case(oc_ctx *oc, const t2v_concat_shape *s)
{
    char name[96];
    snprintf(name, sizeof name, "concat N=%d Ca=%d Cb=%d L=%lld", s->N, s->Ca, s->Cb,
             (long long)s->L);
    lay_ctx c = {.oc = oc, .op = OP_CONCAT, .shape = s};
    c.na = (long)s->N * s->Ca * s->L;
    c.nb = (long)s->N * s->Cb * s->L;
    c.ny = c.na + c.nb;
    c.a = oc_hostf(oc, c.na);
    c.b = oc_hostf(oc, c.nb);
    oc_uniform(oc, c.a, c.na, -1.0f, 1.0f);
    oc_uniform(oc, c.b, c.nb, -1.0f, 1.0f);
    c.da = oc_dev(oc, c.a, c.na);
    c.db = oc_dev(oc, c.b, c.nb);
    c.y = oc_alloc(oc, c.ny);
    double *want = oc_hostd(oc, c.ny);
    int Cy = s->Ca + s->Cb;
    for (int n = 0; n < s->N; n++)
        for (int ch = 0; ch < Cy; ch++)
            for (int64_t l = 0; l < s->L; l++)
                want[((long)n * Cy + ch) * s->L + l] =
                    ch < s->Ca ? c.a[((long)n * s->Ca + ch) * s->L + l]
                               : c.b[((long)n * s->Cb + ch - s->Ca) * s->L + l];
    oc->k->concat_forward(oc->be, c.y, c.da, c.db, s->N, s->Ca, s->Cb, s->L);
    oc_report(oc_compare(oc_fetch(oc, c.y, c.ny), want, c.ny, 0, 0), "%s forward", name);
    float *dy = oc_hostf(oc, c.ny);
    oc_uniform(oc, dy, c.ny, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, c.ny), *gda = oc_alloc(oc, c.na), *gdb = oc_alloc(oc, c.nb);
    oc->k->concat_backward(oc->be, gda, gdb, ddy, s->N, s->Ca, s->Cb, s->L);
    oc_report(oc_fd_check(lay_fwd, &c, dy, c.ny, c.a, c.na, oc_fetch(oc, gda, c.na), NULL, 0.5,
                          1e-5, 1e-5, 64),
              "%s backward da vs finite differences", name);
    oc_report(oc_fd_check(lay_fwd, &c, dy, c.ny, c.b, c.nb, oc_fetch(oc, gdb, c.nb), NULL, 0.5,
                          1e-5, 1e-5, 64),
              "%s backward db vs finite differences", name);
    oc_finish_case(oc, name);
}

static void tile_case(oc_ctx *oc, const t2v_ncl_shape *s)
{
    char name[96];
    snprintf(name, sizeof name, "tile N=%d C=%d L=%lld", s->N, s->C, (long long)s->L);
    lay_ctx c = {.oc = oc, .op = OP_TILE, .shape = s};
    c.na = (long)s->N * s->C;
    c.ny = c.na * s->L;
    c.a = oc_hostf(oc, c.na);
    oc_uniform(oc, c.a, c.na, -1.0f, 1.0f);
    c.da = oc_dev(oc, c.a, c.na);
    c.y = oc_alloc(oc, c.ny);
    double *want = oc_hostd(oc, c.ny);
    for (long i = 0; i < c.ny; i++)
        want[i] = c.a[i / s->L];
    oc->k->tile_forward(oc->be, c.y, c.da, s->N, s->C, s->L);
    oc_report(oc_compare(oc_fetch(oc, c.y, c.ny), want, c.ny, 0, 0), "%s forward", name);
    float *dy = oc_hostf(oc, c.ny), *dv0 = oc_hostf(oc, c.na);
    oc_uniform(oc, dy, c.ny, -1.0f, 1.0f);
    oc_uniform(oc, dv0, c.na, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, c.ny), *gdv = oc_dev(oc, dv0, c.na);
    oc->k->tile_backward(oc->be, gdv, ddy, s->N, s->C, s->L);
    oc_report(oc_fd_check(lay_fwd, &c, dy, c.ny, c.a, c.na, oc_fetch(oc, gdv, c.na), dv0, 0.5,
                          1e-5, 1e-5, 64),
              "%s backward dv (accumulating) vs finite differences", name);
    oc_finish_case(oc, name);
}

static void frame_diff_case(oc_ctx *oc, const t2v_frame_diff_shape *s)
{
    char name[96];
    snprintf(name, sizeof name, "frame_diff N=%d C=%d T=%d HW=%lld", s->N, s->C, s->T,
             (long long)s->HW);
    lay_ctx c = {.oc = oc, .op = OP_FRAME_DIFF, .shape = s};
    c.na = (long)s->N * s->C * s->T * s->HW;
    c.ny = (long)s->N * s->C * (s->T - 1) * s->HW;
    c.a = oc_hostf(oc, c.na);
    oc_uniform(oc, c.a, c.na, -1.0f, 1.0f);
    c.da = oc_dev(oc, c.a, c.na);
    c.y = oc_alloc(oc, c.ny);
    double *want = oc_hostd(oc, c.ny);
    for (int nc = 0; nc < s->N * s->C; nc++)
        for (int t = 0; t + 1 < s->T; t++)
            for (int64_t p = 0; p < s->HW; p++)
                want[((long)nc * (s->T - 1) + t) * s->HW + p] =
                    (double)c.a[((long)nc * s->T + t + 1) * s->HW + p] -
                    c.a[((long)nc * s->T + t) * s->HW + p];
    oc->k->frame_diff_forward(oc->be, c.y, c.da, s->N, s->C, s->T, s->HW);
    oc_report(oc_compare(oc_fetch(oc, c.y, c.ny), want, c.ny, 1e-7, 1e-7), "%s forward", name);
    float *dy = oc_hostf(oc, c.ny);
    oc_uniform(oc, dy, c.ny, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, c.ny), *gdx = oc_alloc(oc, c.na);
    oc->k->frame_diff_backward(oc->be, gdx, ddy, s->N, s->C, s->T, s->HW);
    oc_report(oc_fd_check(lay_fwd, &c, dy, c.ny, c.a, c.na, oc_fetch(oc, gdx, c.na), NULL, 0.5,
                          1e-5, 1e-5, 64),
              "%s backward vs finite differences", name);
    oc_finish_case(oc, name);
}

static void glu_case(oc_ctx *oc, const t2v_ncl_shape *s)
{
    char name[96];
    snprintf(name, sizeof name, "glu N=%d 2C=%d L=%lld", s->N, 2 * s->C, (long long)s->L);
    lay_ctx c = {.oc = oc, .op = OP_GLU, .shape = s};
    c.ny = (long)s->N * s->C * s->L;
    c.na = 2 * c.ny;
    c.a = oc_hostf(oc, c.na);
    oc_uniform(oc, c.a, c.na, -3.0f, 3.0f);
    c.da = oc_dev(oc, c.a, c.na);
    c.y = oc_alloc(oc, c.ny);
    double *want = oc_hostd(oc, c.ny);
    for (int n = 0; n < s->N; n++)
        for (int ch = 0; ch < s->C; ch++)
            for (int64_t l = 0; l < s->L; l++) {
                double av = c.a[((long)n * 2 * s->C + ch) * s->L + l];
                double bv = c.a[((long)n * 2 * s->C + s->C + ch) * s->L + l];
                want[((long)n * s->C + ch) * s->L + l] = av / (1.0 + exp(-bv));
            }
    oc->k->glu_forward(oc->be, c.y, c.da, s->N, s->C, s->L);
    oc_report(oc_compare(oc_fetch(oc, c.y, c.ny), want, c.ny, 1e-6, 1e-6),
              "%s forward (first half * sigmoid(second half))", name);
    float *dy = oc_hostf(oc, c.ny);
    oc_uniform(oc, dy, c.ny, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, c.ny), *gdx = oc_alloc(oc, c.na);
    oc->k->glu_backward(oc->be, gdx, ddy, c.da, s->N, s->C, s->L);
    oc_report(oc_fd_check(lay_fwd, &c, dy, c.ny, c.a, c.na, oc_fetch(oc, gdx, c.na), NULL, 1e-2,
                          1e-4, 2e-3, 64),
              "%s backward vs finite differences", name);
    oc_finish_case(oc, name);
}

static void permute_case(oc_ctx *oc, const t2v_permute_shape *s)
{
    char name[128];
    int len = snprintf(name, sizeof name, "permute x (");
    for (int i = 0; i < s->ndim; i++)
        len += snprintf(name + len, sizeof name - len, "%s%lld", i ? ", " : "",
                        (long long)s->shape[i]);
    len += snprintf(name + len, sizeof name - len, ") perm (");
    for (int i = 0; i < s->ndim; i++)
        len += snprintf(name + len, sizeof name - len, "%s%d", i ? ", " : "", s->perm[i]);
    snprintf(name + len, sizeof name - len, ")");
    long n = 1;
    for (int i = 0; i < s->ndim; i++)
        n *= s->shape[i];
    float *x = oc_hostf(oc, n);
    oc_uniform(oc, x, n, -1.0f, 1.0f);
    double *want = oc_hostd(oc, n);
    ref_permute(s->ndim, s->shape, s->perm, x, want);
    float *dx = oc_dev(oc, x, n), *y = oc_alloc(oc, n);
    oc->k->permute(oc->be, y, dx, s->ndim, s->shape, s->perm);
    oc_report(oc_compare(oc_fetch(oc, y, n), want, n, 0, 0), "%s", name);
    oc_finish_case(oc, name);
}

static void run_checks(oc_ctx *oc)
{
    for (int i = 0; i < t2v_upsample_shape_count; i++)
        upsample_case(oc, &t2v_upsample_shapes[i]);
    for (int i = 0; i < t2v_concat_shape_count; i++)
        concat_case(oc, &t2v_concat_shapes[i]);
    for (int i = 0; i < t2v_ncl_shape_count; i++)
        tile_case(oc, &t2v_ncl_shapes[i]);
    for (int i = 0; i < t2v_frame_diff_shape_count; i++)
        frame_diff_case(oc, &t2v_frame_diff_shapes[i]);
    for (int i = 0; i < t2v_ncl_shape_count; i++)
        glu_case(oc, &t2v_ncl_shapes[i]);
    for (int i = 0; i < t2v_permute_shape_count; i++)
        permute_case(oc, &t2v_permute_shapes[i]);
}

OC_TEST_MAIN(run_checks)
