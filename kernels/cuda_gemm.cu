/* Dense products through cuBLAS, and the column transforms behind the
 * convolutions.
 *
 * cuBLAS is column-major. A row-major (R, C) matrix with leading dimension
 * ld is, read column-major, its (C, R) transpose with the same ld. So the
 * row-major C = op(A) op(B) is computed as the column-major
 * C^T = op(B)^T op(A)^T: B goes first, A second, with their own op flags,
 * and the sizes become (N, M, K). */
#include "cuda_backend.cuh"

static cublasOperation_t op_of(int trans) { return trans ? CUBLAS_OP_T : CUBLAS_OP_N; }

/* C (M, N) = beta C, for K == 0 (no product to add); beta 0 writes zeros */
__global__ void k_scale_matrix(float *C, int ldc, int M, int N, float beta)
{
    CUDA_FOR(i, (int64_t)M * N)
    {
        int64_t r = i / N, c = i % N;
        float *p = C + r * ldc + c;
        *p = beta == 0.0f ? 0.0f : beta * *p;
    }
}

static void scale_matrix(t2v_backend *be, cudaStream_t st, float *C, int ldc, int M, int N,
                         float beta)
{
    if (beta == 1.0f)
        return;
    int64_t n = (int64_t)M * N;
    k_scale_matrix<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(C, ldc, M, N, beta);
    LAUNCH_OK(be, "k_scale_matrix");
}

extern "C" {

void cuda_gemm(t2v_backend *be, int ta, int tb, int M, int N, int K, float alpha,
               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    if (K <= 0) {
        scale_matrix(be, st, C, ldc, M, N, beta);
        return;
    }
    CUBLAS_OK(be, cublasSgemm(cuda_of(be)->blas, op_of(tb), op_of(ta), N, M, K, &alpha, B, ldb,
                              A, lda, &beta, C, ldc));
}

void cuda_gemm_batched(t2v_backend *be, int ta, int tb, int M, int N, int K, float alpha,
                       const float *A, int lda, int64_t sa, const float *B, int ldb,
                       int64_t sb, float beta, float *C, int ldc, int64_t sc, int batch)
{
    if (M <= 0 || N <= 0 || batch <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    if (sc == 0) {
        /* every product lands in the same C: one after the other, each
         * applying beta, as the CPU backend does */
        for (int b = 0; b < batch; b++)
            cuda_gemm(be, ta, tb, M, N, K, alpha, A + b * sa, lda, B + b * sb, ldb, beta, C,
                      ldc);
        return;
    }
    if (K <= 0) {
        for (int b = 0; b < batch; b++)
            scale_matrix(be, st, C + b * sc, ldc, M, N, beta);
        return;
    }
    CUBLAS_OK(be, cublasSgemmStridedBatched(cuda_of(be)->blas, op_of(tb), op_of(ta), N, M, K,
                                            &alpha, B, ldb, (long long)sb, A, lda,
                                            (long long)sa, &beta, C, ldc, (long long)sc,
                                            batch));
}

} /* extern "C" */

/* ---- column transforms ----------------------------------------------------
 * x (C, D, H, W) <-> col (C*kd*kh*kw, oD*oH*oW). Row ((c*kd + a)*kh + b)*kw
 * + e of col holds, at output position (od, oh, ow), the input value at
 * (od*sd - pd + a, oh*sh - ph + b, ow*sw - pw + e), 0 in the padding. */

typedef struct col_geom {
    int in[3], out[3], k[3], s[3], p[3];
} col_geom;

static col_geom col_geom_of(const t2v_conv_geom *g, const int in[3], const int out[3])
{
    col_geom c;
    for (int i = 0; i < 3; i++) {
        c.in[i] = in[i];
        c.out[i] = out[i];
        c.k[i] = g->k[i];
        c.s[i] = g->stride[i];
        c.p[i] = g->pad[i];
    }
    return c;
}

/* one thread per col element */
__global__ void k_vol2col(col_geom g, const float *x, float *col, int64_t total)
{
    const int64_t L = (int64_t)g.out[0] * g.out[1] * g.out[2];
    CUDA_FOR(i, total)
    {
        int64_t r = i / L, q = i % L;
        int ow = (int)(q % g.out[2]);
        int oh = (int)(q / g.out[2] % g.out[1]);
        int od = (int)(q / ((int64_t)g.out[2] * g.out[1]));
        int e = (int)(r % g.k[2]);
        int b = (int)(r / g.k[2] % g.k[1]);
        int a = (int)(r / ((int64_t)g.k[2] * g.k[1]) % g.k[0]);
        int64_t c = r / ((int64_t)g.k[2] * g.k[1] * g.k[0]);
        int id = od * g.s[0] - g.p[0] + a;
        int ih = oh * g.s[1] - g.p[1] + b;
        int iw = ow * g.s[2] - g.p[2] + e;
        float v = 0.0f;
        if (id >= 0 && id < g.in[0] && ih >= 0 && ih < g.in[1] && iw >= 0 && iw < g.in[2])
            v = x[((c * g.in[0] + id) * g.in[1] + ih) * g.in[2] + iw];
        col[i] = v;
    }
}

/* One thread per x element: x += the col values that read it, gathered in
 * (a, b, e) order, the order in which the CPU backend adds them. */
__global__ void k_col2vol(col_geom g, const float *col, float *x, int64_t total)
{
    const int64_t L = (int64_t)g.out[0] * g.out[1] * g.out[2];
    CUDA_FOR(i, total)
    {
        int iw = (int)(i % g.in[2]);
        int ih = (int)(i / g.in[2] % g.in[1]);
        int id = (int)(i / ((int64_t)g.in[2] * g.in[1]) % g.in[0]);
        int64_t c = i / ((int64_t)g.in[2] * g.in[1] * g.in[0]);
        float acc = x[i];
        for (int a = 0; a < g.k[0]; a++) {
            int td = id + g.p[0] - a; /* = od * sd */
            if (td < 0 || td % g.s[0] != 0 || td / g.s[0] >= g.out[0])
                continue;
            int od = td / g.s[0];
            for (int b = 0; b < g.k[1]; b++) {
                int th = ih + g.p[1] - b;
                if (th < 0 || th % g.s[1] != 0 || th / g.s[1] >= g.out[1])
                    continue;
                int oh = th / g.s[1];
                for (int e = 0; e < g.k[2]; e++) {
                    int tw = iw + g.p[2] - e;
                    if (tw < 0 || tw % g.s[2] != 0 || tw / g.s[2] >= g.out[2])
                        continue;
                    int ow = tw / g.s[2];
                    int64_t r = ((c * g.k[0] + a) * g.k[1] + b) * g.k[2] + e;
                    acc += col[r * L + ((int64_t)od * g.out[1] + oh) * g.out[2] + ow];
                }
            }
        }
        x[i] = acc;
    }
}

extern "C" {

void cuda_vol2col(t2v_backend *be, const t2v_conv_geom *g, int channels, const int in[3],
                  const int out[3], const float *x, float *col)
{
    col_geom cg = col_geom_of(g, in, out);
    int64_t total = (int64_t)channels * cg.k[0] * cg.k[1] * cg.k[2] * out[0] * out[1] * out[2];
    if (total <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_vol2col<<<cuda_blocks(be, total), T2V_CUDA_THREADS, 0, st>>>(cg, x, col, total);
    LAUNCH_OK(be, "k_vol2col");
}

void cuda_col2vol(t2v_backend *be, const t2v_conv_geom *g, int channels, const int in[3],
                  const int out[3], const float *col, float *x)
{
    col_geom cg = col_geom_of(g, in, out);
    int64_t total = (int64_t)channels * in[0] * in[1] * in[2];
    if (total <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_col2vol<<<cuda_blocks(be, total), T2V_CUDA_THREADS, 0, st>>>(cg, col, x, total);
    LAUNCH_OK(be, "k_col2vol");
}

} /* extern "C" */
