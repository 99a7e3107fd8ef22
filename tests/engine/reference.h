/* Naive double-precision references for the engine's ops, written from the
 * contracts in txt2vid/nn.h and PyTorch's definitions. Inputs are the float
 * arrays handed to the backend; outputs are doubles. Slow on purpose: one
 * loop per index of the defining formula. */
#ifndef T2V_TEST_REFERENCE_H
#define T2V_TEST_REFERENCE_H

#include <stdint.h>

#include "shapes.h"
#include "txt2vid/nn.h"

/* C (M, N) with leading dimension ldc: c_out = alpha op(A) op(B) + beta c_in;
 * columns N..ldc-1 of each row are copied from c_in unchanged. beta == 0
 * does not read c_in (BLAS convention). */
void ref_gemm(int ta, int tb, int M, int N, int K, double alpha, const float *A, int lda,
              const float *B, int ldb, double beta, const float *c_in, int ldc, double *c_out);

/* PyTorch output size of one axis; returns < 1 for an empty output */
int ref_conv_out_size(int in, int k, int stride, int pad, int transposed);
/* fills out[3]; returns 0 when any axis is empty */
int ref_conv_out(const t2v_conv_shape *s, int out[3]);

/* vol2col of one sample: x (C, in...) -> col (C*kd*kh*kw, out...) */
void ref_vol2col(int channels, const int in[3], const int out[3], const int k[3],
                 const int stride[3], const int pad[3], const float *x, double *col);
/* adjoint of vol2col, added to x_in: x_out = x_in + col2vol(col) */
void ref_col2vol(int channels, const int in[3], const int out[3], const int k[3],
                 const int stride[3], const int pad[3], const float *col, const float *x_in,
                 double *x_out);

/* y (n, c_out, out...) = conv(x (n, c_in, in...), w) + b (b may be NULL).
 * w: conv (c_out, c_in, k...), transposed (c_in, c_out, k...) */
void ref_conv_forward(const t2v_conv_shape *s, const int out[3], const float *x,
                      const float *w, const float *b, double *y);

double ref_act(t2v_act act, double slope, double x);

/* per-channel batch normalisation over (N, L). training: batch statistics
 * (biased for y, unbiased for the running variance); running_* updated in
 * the out arrays. Inference: running statistics. gamma/beta may be NULL. */
void ref_batchnorm_forward(int N, int C, int64_t L, const float *x, const float *gamma,
                           const float *beta, const float *running_mean_in,
                           const float *running_var_in, double momentum, double eps,
                           int training, double *y, double *running_mean_out,
                           double *running_var_out, double *mean_out, double *invstd_out);

/* nearest x2: x (NC, D, H, W) -> y (NC, D', 2H, 2W), D' = 2D when dims = 3 */
void ref_upsample2(int NC, int D, int H, int W, int dims, const float *x, double *y);

/* y = x.permute(perm), x of shape[ndim] */
void ref_permute(int ndim, const int64_t *shape, const int *perm, const float *x, double *y);

/* one LSTM step with padding mask (see nn.h): gates (N, 4H) pre-activation */
void ref_lstm_cell(int N, int H, const float *gates, const float *h_prev, const float *c_prev,
                   const float *mask, double *h, double *c, double *act);

/* LSTM layer over x (N, T, E) with mask (N, T) from zero state; h_all (N, T, H) */
void ref_lstm_layer(int N, int T, int E, int H, const float *x, const float *mask,
                    const float *w_ih, const float *w_hh, const float *b_ih, const float *b_hh,
                    int reverse, double *h_all);

/* losses: per-element value and d/dx */
double ref_bce_logits(double x, double t, double *grad);
double ref_hinge(double x, double sign, double *grad);
double ref_kl_normal(double mu, double logvar, double *dmu, double *dlogvar);

/* One AdamW step (PyTorch torch.optim.AdamW), step t >= 1, in place on
 * double state. */
void ref_adam(double *p, const float *g, double *m, double *v, int64_t n, double lr,
              double beta1, double beta2, double eps, double wd, int64_t t);

#endif
