/* The CPU backend's kernels, one file per family (cpu_*.c). Each function
 * matches the t2v_kernels entry of the same name; see nn.h for contracts. */
#ifndef T2V_CPU_H
#define T2V_CPU_H

#include "backend/backend.h"
#include "core/threadpool.h"

typedef struct t2v_cpu {
    t2v_pool *pool;
    int threads;
} t2v_cpu;

static inline t2v_pool *cpu_pool(t2v_backend *be) { return ((t2v_cpu *)be->impl)->pool; }

/* cpu_gemm.c: OpenBLAS (single-threaded inside pool tasks) or the built-in
 * blocked kernel when built without BLAS. */
void cpu_gemm(t2v_backend *be, int ta, int tb, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta, float *C, int ldc);
void cpu_gemm_batched(t2v_backend *be, int ta, int tb, int M, int N, int K, float alpha,
                      const float *A, int lda, int64_t sa, const float *B, int ldb, int64_t sb,
                      float beta, float *C, int ldc, int64_t sc, int batch);
/* one single-threaded product, for use inside a pool task */
void cpu_gemm_serial(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                     int lda, const float *B, int ldb, float beta, float *C, int ldc);

/* cpu_conv.c */
void cpu_vol2col(t2v_backend *be, const t2v_conv_geom *g, int channels, const int in[3],
                 const int out[3], const float *x, float *col);
void cpu_col2vol(t2v_backend *be, const t2v_conv_geom *g, int channels, const int in[3],
                 const int out[3], const float *col, float *x);

/* cpu_elementwise.c */
void cpu_fill(t2v_backend *be, float *y, float v, int64_t n);
void cpu_copy(t2v_backend *be, float *y, const float *x, int64_t n);
void cpu_scale(t2v_backend *be, float *y, const float *x, float a, int64_t n);
void cpu_axpy(t2v_backend *be, float *y, float a, const float *x, int64_t n);
void cpu_add(t2v_backend *be, float *y, const float *a, const float *b, int64_t n);
void cpu_mul(t2v_backend *be, float *y, const float *a, const float *b, int64_t n);
void cpu_mul_backward(t2v_backend *be, float *da, float *db, const float *dy, const float *a,
                      const float *b, int64_t n);
void cpu_act_forward(t2v_backend *be, t2v_act act, float slope, float *y, const float *x,
                     int64_t n);
void cpu_act_backward(t2v_backend *be, t2v_act act, float slope, float *dx, const float *dy,
                      const float *y, int64_t n);

/* cpu_norm.c */
void cpu_bias_add(t2v_backend *be, float *y, const float *bias, int N, int C, int64_t L);
void cpu_bias_backward(t2v_backend *be, float *dbias, const float *dy, int N, int C, int64_t L);
void cpu_modulate(t2v_backend *be, float *y, const float *x, const float *gamma,
                  const float *beta, int N, int C, int64_t L);
void cpu_modulate_backward(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                           const float *dy, const float *x, const float *gamma, int N, int C,
                           int64_t L);
void cpu_batchnorm_forward(t2v_backend *be, float *y, const float *x, const float *gamma,
                           const float *beta, float *running_mean, float *running_var,
                           float *save_mean, float *save_invstd, int N, int C, int64_t L,
                           float momentum, float eps, int training);
void cpu_batchnorm_backward(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                            const float *dy, const float *x, const float *gamma,
                            const float *save_mean, const float *save_invstd, int N, int C,
                            int64_t L);

/* cpu_layout.c */
void cpu_upsample2_forward(t2v_backend *be, float *y, const float *x, int NC, int D, int H,
                           int W, int dims);
void cpu_upsample2_backward(t2v_backend *be, float *dx, const float *dy, int NC, int D, int H,
                            int W, int dims);
void cpu_concat_forward(t2v_backend *be, float *y, const float *a, const float *b, int N,
                        int Ca, int Cb, int64_t L);
void cpu_concat_backward(t2v_backend *be, float *da, float *db, const float *dy, int N, int Ca,
                         int Cb, int64_t L);
void cpu_tile_forward(t2v_backend *be, float *y, const float *v, int N, int C, int64_t L);
void cpu_tile_backward(t2v_backend *be, float *dv, const float *dy, int N, int C, int64_t L);
void cpu_permute(t2v_backend *be, float *y, const float *x, int ndim, const int64_t *shape,
                 const int *perm);
void cpu_frame_diff_forward(t2v_backend *be, float *y, const float *x, int N, int C, int T,
                            int64_t HW);
void cpu_frame_diff_backward(t2v_backend *be, float *dx, const float *dy, int N, int C, int T,
                             int64_t HW);
void cpu_glu_forward(t2v_backend *be, float *y, const float *x, int N, int C, int64_t L);
void cpu_glu_backward(t2v_backend *be, float *dx, const float *dy, const float *x, int N, int C,
                      int64_t L);
void cpu_row_sum(t2v_backend *be, float *out, const float *x, int rows, int64_t len,
                 float scale);
void cpu_row_dot(t2v_backend *be, float *out, const float *a, const float *b, int rows,
                 int64_t len, float scale);

/* cpu_text.c */
void cpu_embedding_forward(t2v_backend *be, float *y, const float *table, const int32_t *ids,
                           int n, int E);
void cpu_embedding_backward(t2v_backend *be, float *dtable, const float *dy, const int32_t *ids,
                            int n, int E);
void cpu_lstm_cell_forward(t2v_backend *be, float *h, float *c, float *act, const float *gates,
                           const float *h_prev, const float *c_prev, const float *mask, int N,
                           int H);
void cpu_lstm_cell_backward(t2v_backend *be, float *dgates, float *dh_prev, float *dc_prev,
                            const float *dh, const float *dc, const float *act, const float *c,
                            const float *c_prev, const float *mask, int N, int H);

/* cpu_loss.c: losses, Adam, random fills */
void cpu_bce_logits(t2v_backend *be, float *loss, float *grad, const float *x,
                    const float *target, int64_t n, float scale);
void cpu_hinge(t2v_backend *be, float *loss, float *grad, const float *x, float sign, int64_t n,
               float scale);
void cpu_kl_normal(t2v_backend *be, float *loss, float *dmu, float *dlogvar, const float *mu,
                   const float *logvar, int64_t n, float scale);
void cpu_adam(t2v_backend *be, float *p, const float *g, float *m, float *v, int64_t n,
              float lr, float beta1, float beta2, float eps, float wd, int64_t step);
void cpu_rng_normal(t2v_backend *be, float *out, int64_t n, uint64_t seed, uint64_t stream,
                    uint64_t offset);
void cpu_rng_uniform(t2v_backend *be, float *out, int64_t n, uint64_t seed, uint64_t stream,
                     uint64_t offset);

/* cpu_text.c: attention over a caption's words (nn.h softmax_*) */
void cpu_softmax_forward(t2v_backend *be, float *y, const float *x, const float *mask, int rows,
                         int len);
void cpu_softmax_backward(t2v_backend *be, float *dx, const float *y, const float *dy, int rows,
                          int len, float ent);

/* cpu_translate.c: a picture moved along a path (nn.h) */
void cpu_translate_forward(t2v_backend *be, float *y, const float *x, const float *off, int N,
                           int C, int T, int h, int w, int H, int W, float fill);
void cpu_translate_backward(t2v_backend *be, float *dx, float *doff, const float *dy,
                            const float *x, const float *off, int N, int C, int T, int h, int w,
                            int H, int W, float fill);
void cpu_bounce_forward(t2v_backend *be, float *off, const float *par, int gated, int rows,
                        int T, float reach, float vmax);
void cpu_bounce_backward(t2v_backend *be, float *dpar, const float *doff, const float *par,
                         int gated, int rows, int T, float reach, float vmax, float sharpen);

/* cpu_pixels.c: the pixel loop of engine/pixels (one thread; a frame is
 * small next to the network that made it) */
void cpu_to_pixels(t2v_backend *be, uint8_t *const planes[3], const int strides[3],
                   const float *x, int64_t cstride, int C, int H, int W, int fmt);

#endif
