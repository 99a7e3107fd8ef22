/* Dense algebra: gemm and gemm_batched against a double-precision
 * reference (transposes, alpha/beta, strided leading dimensions whose
 * padding columns must stay untouched, beta = 0 not reading C, batch
 * strides with gaps), and the linear layer: forward against x W^T + b,
 * backward (dx, dw, db) against central differences. */
#include <math.h>

#include "op_check.h"

static void gemm_case(oc_ctx *oc, const t2v_gemm_shape *s)
{
    int M = s->M, N = s->N, K = s->K;
    int a_rows = s->trans_a ? K : M, a_cols = s->trans_a ? M : K;
    int b_rows = s->trans_b ? N : K, b_cols = s->trans_b ? K : N;
    int lda = a_cols + s->pad, ldb = b_cols + s->pad, ldc = N + s->pad;
    size_t na = (size_t)a_rows * lda, nb = (size_t)b_rows * ldb, nc = (size_t)M * ldc;
    float *A = oc_hostf(oc, na), *B = oc_hostf(oc, nb), *C = oc_hostf(oc, nc);
    oc_uniform(oc, A, na, -1.0f, 1.0f);
    oc_uniform(oc, B, nb, -1.0f, 1.0f);
    oc_uniform(oc, C, nc, -1.0f, 1.0f);
    if (s->beta == 0.0f) /* BLAS convention: C is not read when beta = 0 */
        for (int i = 0; i < M; i++)
            for (int j = 0; j < N; j++)
                C[(size_t)i * ldc + j] = oc_sentinel();
    double *want = oc_hostd(oc, nc);
    ref_gemm(s->trans_a, s->trans_b, M, N, K, s->alpha, A, lda, B, ldb, s->beta, C, ldc, want);

    float *dA = oc_dev(oc, A, na), *dB = oc_dev(oc, B, nb), *dC = oc_dev(oc, C, nc);
    oc->k->gemm(oc->be, s->trans_a, s->trans_b, M, N, K, s->alpha, dA, lda, dB, ldb, s->beta,
                dC, ldc);
    float *got = oc_fetch(oc, dC, nc);
    double atol = 2e-6 * K * fmax(1.0, fabs(s->alpha)) + 1e-6;
    char what[200];
    snprintf(what, sizeof what, "gemm ta=%d tb=%d M=%d N=%d K=%d alpha=%g beta=%g ld+%d",
             s->trans_a, s->trans_b, M, N, K, s->alpha, s->beta, s->pad);
    oc_report(oc_compare(got, want, (long)nc, atol, 1e-5), "%s", what);
    oc_finish_case(oc, what);
}

static void gemm_batched_case(oc_ctx *oc, const t2v_gemm_shape *s)
{
    int M = s->M, N = s->N, K = s->K, batch = s->batch;
    int a_rows = s->trans_a ? K : M, a_cols = s->trans_a ? M : K;
    int b_rows = s->trans_b ? N : K, b_cols = s->trans_b ? K : N;
    int lda = a_cols + s->pad, ldb = b_cols + s->pad, ldc = N + s->pad;
    /* gaps of 3 floats between the matrices of a batch */
    int64_t sa = (int64_t)a_rows * lda + 3, sb = (int64_t)b_rows * ldb + 3,
            sc = (int64_t)M * ldc + 3;
    size_t na = (size_t)(sa * batch), nb = (size_t)(sb * batch), nc = (size_t)(sc * batch);
    float *A = oc_hostf(oc, na), *B = oc_hostf(oc, nb), *C = oc_hostf(oc, nc);
    oc_uniform(oc, A, na, -1.0f, 1.0f);
    oc_uniform(oc, B, nb, -1.0f, 1.0f);
    oc_uniform(oc, C, nc, -1.0f, 1.0f);
    double *want = oc_hostd(oc, nc);
    for (size_t i = 0; i < nc; i++)
        want[i] = C[i];
    for (int b = 0; b < batch; b++)
        ref_gemm(s->trans_a, s->trans_b, M, N, K, s->alpha, A + b * sa, lda, B + b * sb, ldb,
                 s->beta, C + b * sc, ldc, want + b * sc);
    float *dA = oc_dev(oc, A, na), *dB = oc_dev(oc, B, nb), *dC = oc_dev(oc, C, nc);
    oc->k->gemm_batched(oc->be, s->trans_a, s->trans_b, M, N, K, s->alpha, dA, lda, sa, dB,
                        ldb, sb, s->beta, dC, ldc, sc, batch);
    float *got = oc_fetch(oc, dC, nc);
    double atol = 2e-6 * K * fmax(1.0, fabs(s->alpha)) + 1e-6;
    char what[200];
    snprintf(what, sizeof what,
             "gemm_batched batch=%d ta=%d tb=%d M=%d N=%d K=%d alpha=%g beta=%g ld+%d gap 3",
             batch, s->trans_a, s->trans_b, M, N, K, s->alpha, s->beta, s->pad);
    oc_report(oc_compare(got, want, (long)nc, atol, 1e-5), "%s", what);
    oc_finish_case(oc, what);
}

typedef struct lin_ctx {
    oc_ctx *oc;
    const t2v_linear_shape *s;
    float *x, *w, *b, *dx_, *dw_, *db_, *y;
} lin_ctx;

static void lin_fwd(void *p, float *y)
{
    lin_ctx *c = p;
    const t2v_linear_shape *s = c->s;
    oc_up(c->oc, c->dx_, c->x, (size_t)s->N * s->in);
    oc_up(c->oc, c->dw_, c->w, (size_t)s->out * s->in);
    oc_up(c->oc, c->db_, c->b, (size_t)s->out);
    t2v_linear_forward(c->oc->be, c->y, c->dx_, c->dw_, c->db_, s->N, s->in, s->out);
    oc_down(c->oc, y, c->y, (size_t)s->N * s->out);
}

static void linear_case(oc_ctx *oc, const t2v_linear_shape *s)
{
    char name[96];
    snprintf(name, sizeof name, "linear N=%d in=%d out=%d", s->N, s->in, s->out);
    long nx = (long)s->N * s->in, nw = (long)s->out * s->in, ny = (long)s->N * s->out;
    lin_ctx c = {.oc = oc, .s = s};
    c.x = oc_hostf(oc, nx);
    c.w = oc_hostf(oc, nw);
    c.b = oc_hostf(oc, s->out);
    oc_uniform(oc, c.x, nx, -1.0f, 1.0f);
    oc_uniform(oc, c.w, nw, -0.5f, 0.5f);
    oc_uniform(oc, c.b, s->out, -0.5f, 0.5f);
    c.dx_ = oc_dev(oc, c.x, nx);
    c.dw_ = oc_dev(oc, c.w, nw);
    c.db_ = oc_dev(oc, c.b, s->out);
    c.y = oc_alloc(oc, ny);
    double *want = oc_hostd(oc, ny), *want_nb = oc_hostd(oc, ny);
    for (int n = 0; n < s->N; n++)
        for (int o = 0; o < s->out; o++) {
            double acc = 0.0;
            for (int i = 0; i < s->in; i++)
                acc += (double)c.x[(long)n * s->in + i] * c.w[(long)o * s->in + i];
            want[(long)n * s->out + o] = acc + c.b[o];
            want_nb[(long)n * s->out + o] = acc;
        }
    double atol = 1e-6 * s->in + 1e-6;
    t2v_linear_forward(oc->be, c.y, c.dx_, c.dw_, c.db_, s->N, s->in, s->out);
    oc_report(oc_compare(oc_fetch(oc, c.y, ny), want, ny, atol, 1e-5), "%s forward", name);
    float *y2 = oc_alloc(oc, ny);
    t2v_linear_forward(oc->be, y2, c.dx_, c.dw_, NULL, s->N, s->in, s->out);
    oc_report(oc_compare(oc_fetch(oc, y2, ny), want_nb, ny, atol, 1e-5),
              "%s forward without bias", name);

    float *dy = oc_hostf(oc, ny), *gw0 = oc_hostf(oc, nw), *gb0 = oc_hostf(oc, s->out);
    oc_uniform(oc, dy, ny, -1.0f, 1.0f);
    oc_uniform(oc, gw0, nw, -1.0f, 1.0f);
    oc_uniform(oc, gb0, s->out, -1.0f, 1.0f);
    float *ddy = oc_dev(oc, dy, ny), *gdx = oc_alloc(oc, nx), *gdw = oc_dev(oc, gw0, nw),
          *gdb = oc_dev(oc, gb0, s->out);
    t2v_linear_backward(oc->be, gdx, gdw, gdb, ddy, c.dx_, c.dw_, s->N, s->in, s->out);
    float *hdx = oc_fetch(oc, gdx, nx), *hdw = oc_fetch(oc, gdw, nw),
          *hdb = oc_fetch(oc, gdb, s->out);
    oc_report(oc_fd_check(lin_fwd, &c, dy, ny, c.x, nx, hdx, NULL, 0.25, 1e-5, 1e-4, 64),
              "%s backward dx vs finite differences", name);
    oc_report(oc_fd_check(lin_fwd, &c, dy, ny, c.w, nw, hdw, gw0, 0.25, 1e-5, 1e-4, 64),
              "%s backward dw (accumulating) vs finite differences", name);
    oc_report(oc_fd_check(lin_fwd, &c, dy, ny, c.b, s->out, hdb, gb0, 0.25, 1e-5, 1e-4, 64),
              "%s backward db (accumulating) vs finite differences", name);
    float *gdw2 = oc_dev(oc, gw0, nw);
    t2v_linear_backward(oc->be, NULL, gdw2, NULL, ddy, c.dx_, c.dw_, s->N, s->in, s->out);
    double *want_dw = oc_hostd(oc, nw);
    for (long i = 0; i < nw; i++)
        want_dw[i] = hdw[i];
    oc_report(oc_compare(oc_fetch(oc, gdw2, nw), want_dw, nw, 1e-6, 1e-5),
              "%s backward with dx = NULL, db = NULL gives the same dw", name);
    oc_finish_case(oc, name);
}

static void run_checks(oc_ctx *oc)
{
    for (int i = 0; i < t2v_linear_shape_count; i++)
        linear_case(oc, &t2v_linear_shapes[i]);
    for (int i = 0; i < t2v_gemm_shape_count; i++)
        gemm_case(oc, &t2v_gemm_shapes[i]);
    for (int i = 0; i < t2v_gemm_shape_count; i++)
        gemm_batched_case(oc, &t2v_gemm_shapes[i]);
}

OC_TEST_MAIN(run_checks)
