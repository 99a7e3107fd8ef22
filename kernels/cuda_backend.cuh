/* The CUDA backend's internals, shared by the kernels/ sources: the state
 * behind t2v_backend::impl, error recording and launch helpers.
 *
 * Kernel entry points return nothing (struct t2v_kernels), so a failing
 * CUDA or cuBLAS call is recorded in the backend (the first failure wins)
 * and reported by the next sync, upload or download, which return
 * T2V_ERR_BACKEND with the call, the file and line, and CUDA's message. */
#ifndef T2V_CUDA_BACKEND_CUH
#define T2V_CUDA_BACKEND_CUH

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <stddef.h>
#include <stdint.h>

extern "C" {
#include "backend/backend.h"
}

#include "t2v_cuda_ops.cuh"

typedef struct t2v_cuda {
    int device;
    cudaStream_t stream;
    cublasHandle_t blas;
    int sm_count;
    /* scratch for reductions: grown (never shrunk) on demand */
    void *scratch;
    size_t scratch_bytes;
    /* the first failure since the last report */
    t2v_status err_status;
    char err[384];
} t2v_cuda;

static inline t2v_cuda *cuda_of(t2v_backend *be) { return (t2v_cuda *)be->impl; }

/* Records a failure (kept until reported) and sets the engine's message. */
void t2v_cuda_record(t2v_backend *be, t2v_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Returns the recorded failure, if any, and clears it. */
t2v_status t2v_cuda_take_error(t2v_backend *be);

const char *t2v_cublas_status_name(cublasStatus_t s);

/* true when the call succeeded; otherwise records where it failed */
static inline bool cuda_ok(t2v_backend *be, cudaError_t e, const char *what, const char *file,
                           int line)
{
    if (e == cudaSuccess)
        return true;
    t2v_cuda_record(be, T2V_ERR_BACKEND, "%s failed at %s:%d: %s (%s)", what, file, line,
                    cudaGetErrorString(e), cudaGetErrorName(e));
    return false;
}

static inline bool cublas_ok(t2v_backend *be, cublasStatus_t s, const char *what,
                             const char *file, int line)
{
    if (s == CUBLAS_STATUS_SUCCESS)
        return true;
    t2v_cuda_record(be, T2V_ERR_BACKEND, "%s failed at %s:%d: %s", what, file, line,
                    t2v_cublas_status_name(s));
    return false;
}

#define CUDA_OK(be, call) cuda_ok((be), (call), #call, __FILE__, __LINE__)
#define CUBLAS_OK(be, call) cublas_ok((be), (call), #call, __FILE__, __LINE__)
/* after every kernel launch */
#define LAUNCH_OK(be, name) cuda_ok((be), cudaGetLastError(), "launch of " name, __FILE__, __LINE__)

/* Makes the backend's device current on the calling thread and returns its
 * stream; every kernel wrapper starts with it. */
static inline cudaStream_t cuda_enter(t2v_backend *be)
{
    t2v_cuda *c = cuda_of(be);
    int cur = -1;
    if (cudaGetDevice(&cur) != cudaSuccess || cur != c->device)
        CUDA_OK(be, cudaSetDevice(c->device));
    return c->stream;
}

/* Threads per block of the map kernels, and a grid covering n items
 * (grid-stride loops take the rest). */
#define T2V_CUDA_THREADS 256
static inline unsigned cuda_blocks(t2v_backend *be, int64_t n)
{
    int64_t cap = (int64_t)cuda_of(be)->sm_count * 32;
    int64_t b = (n + T2V_CUDA_THREADS - 1) / T2V_CUDA_THREADS;
    if (b > cap)
        b = cap;
    return (unsigned)(b < 1 ? 1 : b);
}

/* grid-stride loop over [0, n) in int64 */
#define CUDA_FOR(i, n)                                                                       \
    for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n);              \
         i += (int64_t)blockDim.x * gridDim.x)

/* Device scratch of at least `bytes`, valid until the next call; NULL (and
 * the failure recorded) when it cannot be had. */
void *t2v_cuda_scratch(t2v_backend *be, size_t bytes);

/* ---- the kernel families (one .cu each) ---- */
extern "C" {
void cuda_gemm(t2v_backend *be, int ta, int tb, int M, int N, int K, float alpha,
               const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
void cuda_gemm_batched(t2v_backend *be, int ta, int tb, int M, int N, int K, float alpha,
                       const float *A, int lda, int64_t sa, const float *B, int ldb,
                       int64_t sb, float beta, float *C, int ldc, int64_t sc, int batch);
void cuda_vol2col(t2v_backend *be, const t2v_conv_geom *g, int channels, const int in[3],
                  const int out[3], const float *x, float *col);
void cuda_col2vol(t2v_backend *be, const t2v_conv_geom *g, int channels, const int in[3],
                  const int out[3], const float *col, float *x);

void cuda_fill(t2v_backend *be, float *y, float v, int64_t n);
void cuda_copy(t2v_backend *be, float *y, const float *x, int64_t n);
void cuda_scale(t2v_backend *be, float *y, const float *x, float a, int64_t n);
void cuda_axpy(t2v_backend *be, float *y, float a, const float *x, int64_t n);
void cuda_add(t2v_backend *be, float *y, const float *a, const float *b, int64_t n);
void cuda_mul(t2v_backend *be, float *y, const float *a, const float *b, int64_t n);
void cuda_mul_backward(t2v_backend *be, float *da, float *db, const float *dy, const float *a,
                       const float *b, int64_t n);
void cuda_act_forward(t2v_backend *be, t2v_act act, float slope, float *y, const float *x,
                      int64_t n);
void cuda_act_backward(t2v_backend *be, t2v_act act, float slope, float *dx, const float *dy,
                       const float *y, int64_t n);

void cuda_bias_add(t2v_backend *be, float *y, const float *bias, int N, int C, int64_t L);
void cuda_bias_backward(t2v_backend *be, float *dbias, const float *dy, int N, int C,
                        int64_t L);
void cuda_modulate(t2v_backend *be, float *y, const float *x, const float *gamma,
                   const float *beta, int N, int C, int64_t L);
void cuda_modulate_backward(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                            const float *dy, const float *x, const float *gamma, int N, int C,
                            int64_t L);
void cuda_batchnorm_forward(t2v_backend *be, float *y, const float *x, const float *gamma,
                            const float *beta, float *running_mean, float *running_var,
                            float *save_mean, float *save_invstd, int N, int C, int64_t L,
                            float momentum, float eps, int training);
void cuda_batchnorm_backward(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                             const float *dy, const float *x, const float *gamma,
                             const float *save_mean, const float *save_invstd, int N, int C,
                             int64_t L);
void cuda_tile_backward(t2v_backend *be, float *dv, const float *dy, int N, int C, int64_t L);
void cuda_row_sum(t2v_backend *be, float *out, const float *x, int rows, int64_t len,
                  float scale);
void cuda_row_dot(t2v_backend *be, float *out, const float *a, const float *b, int rows,
                  int64_t len, float scale);

void cuda_upsample2_forward(t2v_backend *be, float *y, const float *x, int NC, int D, int H,
                            int W, int dims);
void cuda_upsample2_backward(t2v_backend *be, float *dx, const float *dy, int NC, int D, int H,
                             int W, int dims);
void cuda_concat_forward(t2v_backend *be, float *y, const float *a, const float *b, int N,
                         int Ca, int Cb, int64_t L);
void cuda_concat_backward(t2v_backend *be, float *da, float *db, const float *dy, int N,
                          int Ca, int Cb, int64_t L);
void cuda_tile_forward(t2v_backend *be, float *y, const float *v, int N, int C, int64_t L);
void cuda_permute(t2v_backend *be, float *y, const float *x, int ndim, const int64_t *shape,
                  const int *perm);
void cuda_frame_diff_forward(t2v_backend *be, float *y, const float *x, int N, int C, int T,
                             int64_t HW);
void cuda_frame_diff_backward(t2v_backend *be, float *dx, const float *dy, int N, int C, int T,
                              int64_t HW);
void cuda_glu_forward(t2v_backend *be, float *y, const float *x, int N, int C, int64_t L);
void cuda_glu_backward(t2v_backend *be, float *dx, const float *dy, const float *x, int N,
                       int C, int64_t L);

void cuda_embedding_forward(t2v_backend *be, float *y, const float *table, const int32_t *ids,
                            int n, int E);
void cuda_embedding_backward(t2v_backend *be, float *dtable, const float *dy,
                             const int32_t *ids, int n, int E);
void cuda_lstm_cell_forward(t2v_backend *be, float *h, float *c, float *act,
                            const float *gates, const float *h_prev, const float *c_prev,
                            const float *mask, int N, int H);
void cuda_lstm_cell_backward(t2v_backend *be, float *dgates, float *dh_prev, float *dc_prev,
                             const float *dh, const float *dc, const float *act,
                             const float *c, const float *c_prev, const float *mask, int N,
                             int H);

void cuda_bce_logits(t2v_backend *be, float *loss, float *grad, const float *x,
                     const float *target, int64_t n, float scale);
void cuda_hinge(t2v_backend *be, float *loss, float *grad, const float *x, float sign,
                int64_t n, float scale);
void cuda_kl_normal(t2v_backend *be, float *loss, float *dmu, float *dlogvar, const float *mu,
                    const float *logvar, int64_t n, float scale);
void cuda_adam(t2v_backend *be, float *p, const float *g, float *m, float *v, int64_t n,
               float lr, float beta1, float beta2, float eps, float wd, int64_t step);
void cuda_rng_normal(t2v_backend *be, float *out, int64_t n, uint64_t seed, uint64_t stream,
                     uint64_t offset);
void cuda_rng_uniform(t2v_backend *be, float *out, int64_t n, uint64_t seed, uint64_t stream,
                      uint64_t offset);
void cuda_to_pixels(t2v_backend *be, uint8_t *const planes[3], const int strides[3],
                    const float *x, int64_t cstride, int C, int H, int W, int fmt);
void cuda_softmax_forward(t2v_backend *be, float *y, const float *x, const float *mask,
                          int rows, int len);
void cuda_softmax_backward(t2v_backend *be, float *dx, const float *y, const float *dy, int rows,
                           int len, float ent);
void cuda_translate_forward(t2v_backend *be, float *y, const float *x, const float *off,
                            int N, int C, int T, int h, int w, int H, int W, float fill);
void cuda_translate_backward(t2v_backend *be, float *dx, float *doff, const float *dy,
                             const float *x, const float *off, int N, int C, int T, int h,
                             int w, int H, int W, float fill);
void cuda_bounce_forward(t2v_backend *be, float *off, const float *par, int gated, int rows,
                         int T, float reach, float vmax);
void cuda_bounce_backward(t2v_backend *be, float *dpar, const float *doff, const float *par,
                          int gated, int rows, int T, float reach, float vmax, float sharpen);
}

#endif
