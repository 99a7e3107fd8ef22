/* txt2vid: tensors, backends, layers and the optimiser.
 *
 * This is what train/ and the models in engine/models use. Conventions:
 *  - float32 everywhere, NCHW / NCDHW order (numbers compare with PyTorch);
 *    2D convolutions are 3D ones with depth 1 (D = 1, kd = 1).
 *  - every buffer handed to a kernel lives in the backend's memory (host
 *    memory for the CPU backend, device memory for CUDA).
 *  - forward kernels write (=) their outputs; backward kernels assign (=)
 *    activation gradients and accumulate (+=) parameter gradients.
 *  - nothing here allocates during a forward or backward pass: buffers come
 *    from an arena sized when a network is built.
 */
#ifndef TXT2VID_NN_H
#define TXT2VID_NN_H

#include <stddef.h>
#include <stdint.h>

#include "txt2vid/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Backends                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct t2v_backend t2v_backend;
typedef struct t2v_kernels t2v_kernels;

typedef enum t2v_device {
    T2V_DEVICE_AUTO = 0, /* CUDA when a device answers, else the CPU */
    T2V_DEVICE_CPU = 1,
    T2V_DEVICE_CUDA = 2,
} t2v_device;

/* Opens a backend. threads <= 0 means one thread per online core (CPU).
 * gpu_id selects the CUDA device. T2V_DEVICE_CUDA without a usable device
 * fails with T2V_ERR_UNSUPPORTED and a message saying why. */
t2v_status t2v_backend_open(t2v_device device, int threads, int gpu_id,
                            t2v_backend **out);
void t2v_backend_close(t2v_backend *be);
const char *t2v_backend_name(const t2v_backend *be); /* "cpu", "cuda:0" */
const t2v_kernels *t2v_backend_kernels(const t2v_backend *be);
/* Waits for queued work (no-op on the CPU). */
t2v_status t2v_backend_sync(t2v_backend *be);

/* Backend memory. Returns NULL (and sets the error) on failure. */
float *t2v_backend_alloc(t2v_backend *be, size_t bytes);
void t2v_backend_free(t2v_backend *be, void *p);
t2v_status t2v_backend_upload(t2v_backend *be, void *dst, const void *src, size_t bytes);
t2v_status t2v_backend_download(t2v_backend *be, void *dst, const void *src, size_t bytes);

/* ------------------------------------------------------------------------ */
/* Arena: one backend allocation, handed out in aligned slices.              */
/* ------------------------------------------------------------------------ */

typedef struct t2v_arena {
    t2v_backend *be;
    char *base;      /* backend memory, NULL while measuring */
    size_t size;     /* bytes reserved */
    size_t used;     /* bytes handed out */
    int measuring;   /* 1: count sizes only, hand out NULL */
    int failed;      /* a request did not fit */
} t2v_arena;

/* Two-pass use: t2v_arena_measure, build the network (every alloc returns
 * NULL and only counts), t2v_arena_commit, build again for real. */
void t2v_arena_measure(t2v_arena *a, t2v_backend *be);
t2v_status t2v_arena_commit(t2v_arena *a);
float *t2v_arena_floats(t2v_arena *a, size_t count); /* 64-byte aligned */
void *t2v_arena_bytes(t2v_arena *a, size_t bytes);
void t2v_arena_reset(t2v_arena *a); /* keep memory, hand out from 0 again */
void t2v_arena_release(t2v_arena *a);

/* ------------------------------------------------------------------------ */
/* Tensors and parameters                                                    */
/* ------------------------------------------------------------------------ */

#define T2V_MAX_DIMS 5

typedef struct t2v_tensor {
    float *data;              /* backend memory */
    float *grad;              /* same shape, NULL when no gradient is kept */
    int ndim;
    int64_t shape[T2V_MAX_DIMS];
} t2v_tensor;

int64_t t2v_tensor_numel(const t2v_tensor *t);

/* A trainable parameter: a named tensor with its Adam moments. Names are
 * PyTorch-style paths ("gen.up1.conv.weight"). */
typedef struct t2v_param {
    char name[96];
    t2v_tensor t;
    float *adam_m, *adam_v;   /* NULL until an optimiser is attached */
    int no_decay;             /* 1 for biases and norms */
} t2v_param;

/* The parameters of a network, in a fixed order. Parameter tensors and their
 * gradients live in the set's own backend buffer. */
typedef struct t2v_params {
    t2v_param *items;
    int count, cap;
    t2v_backend *be;
    float *storage;           /* data, grads and moments of every param */
    size_t storage_floats;
} t2v_params;

void t2v_params_init(t2v_params *ps, t2v_backend *be);
/* Declares a parameter; returns its index or -1. The tensor gets memory in
 * t2v_params_allocate; the pointer stays valid until t2v_params_free. */
int t2v_params_declare(t2v_params *ps, const char *name, int ndim,
                       const int64_t *shape, int no_decay);
/* Allocates data and gradients (and Adam moments when with_adam). */
t2v_status t2v_params_allocate(t2v_params *ps, int with_adam);
t2v_param *t2v_params_find(t2v_params *ps, const char *name);
t2v_status t2v_params_zero_grad(t2v_params *ps);
int64_t t2v_params_total(const t2v_params *ps);
void t2v_params_free(t2v_params *ps);

/* ------------------------------------------------------------------------ */
/* Counter-based random numbers (Philox 4x32-10)                             */
/* ------------------------------------------------------------------------ */

/* Value i of stream (seed, stream) depends only on (seed, stream, offset+i):
 * every backend produces the same numbers, and any slice can be drawn
 * without drawing what comes before it. */
void t2v_philox4x32(uint32_t out[4], const uint32_t ctr[4], const uint32_t key[2]);
/* Host-side fills, the reference for every backend's fills. */
void t2v_rng_normal_host(float *out, size_t n, uint64_t seed, uint64_t stream, uint64_t offset);
void t2v_rng_uniform_host(float *out, size_t n, uint64_t seed, uint64_t stream, uint64_t offset);
/* Turn one Philox output word pair into floats (shared with CUDA). */
float t2v_u32_to_uniform(uint32_t x);                 /* (0, 1] */

/* ------------------------------------------------------------------------ */
/* Kernels: what every backend implements.                                   */
/* ------------------------------------------------------------------------ */

/* Geometry of a (transposed) convolution, 2D as depth 1. */
typedef struct t2v_conv_geom {
    int n;                    /* batch */
    int c_in, c_out;
    int in[3];                /* D, H, W of the input */
    int k[3];                 /* kd, kh, kw */
    int stride[3];
    int pad[3];
    int out[3];               /* D, H, W of the output (filled by t2v_conv_geom_init) */
    int transposed;           /* 1: ConvTranspose (weight (c_in, c_out, k...)) */
} t2v_conv_geom;

/* Fills out[] from in, k, stride, pad (and transposed); fails on sizes that
 * give an empty or negative output. */
t2v_status t2v_conv_geom_init(t2v_conv_geom *g);
/* Floats of column workspace one sample needs. */
size_t t2v_conv_workspace(const t2v_conv_geom *g);

typedef enum t2v_act {
    T2V_ACT_NONE = 0,
    T2V_ACT_RELU,
    T2V_ACT_LRELU,            /* slope 0.2 unless a slope is given */
    T2V_ACT_TANH,
    T2V_ACT_SIGMOID,
} t2v_act;

struct t2v_kernels {
    /* ---- dense algebra. Row-major: C = alpha * op(A) op(B) + beta * C,
     * op(A) is (M, K), op(B) is (K, N), C is (M, N). */
    void (*gemm)(t2v_backend *be, int trans_a, int trans_b, int M, int N, int K,
                 float alpha, const float *A, int lda, const float *B, int ldb,
                 float beta, float *C, int ldc);
    /* the same over `batch` independent products at fixed strides */
    void (*gemm_batched)(t2v_backend *be, int trans_a, int trans_b, int M, int N, int K,
                         float alpha, const float *A, int lda, int64_t stride_a,
                         const float *B, int ldb, int64_t stride_b, float beta,
                         float *C, int ldc, int64_t stride_c, int batch);

    /* ---- convolution building blocks, one sample: x (C, D, H, W) <->
     * col (C*kd*kh*kw, Do*Ho*Wo). col2vol accumulates into x. */
    void (*vol2col)(t2v_backend *be, const t2v_conv_geom *g, int channels,
                    const int in[3], const int out[3], const float *x, float *col);
    void (*col2vol)(t2v_backend *be, const t2v_conv_geom *g, int channels,
                    const int in[3], const int out[3], const float *col, float *x);

    /* ---- elementwise, n values. y may equal x. */
    void (*fill)(t2v_backend *be, float *y, float v, int64_t n);
    void (*copy)(t2v_backend *be, float *y, const float *x, int64_t n);
    void (*scale)(t2v_backend *be, float *y, const float *x, float a, int64_t n);
    void (*axpy)(t2v_backend *be, float *y, float a, const float *x, int64_t n); /* y += a x */
    void (*add)(t2v_backend *be, float *y, const float *a, const float *b, int64_t n);
    void (*mul)(t2v_backend *be, float *y, const float *a, const float *b, int64_t n);
    /* dA += dy * b, dB += dy * a (either may be NULL) */
    void (*mul_backward)(t2v_backend *be, float *da, float *db, const float *dy,
                         const float *a, const float *b, int64_t n);
    void (*act_forward)(t2v_backend *be, t2v_act act, float slope, float *y,
                        const float *x, int64_t n);
    /* dx = dy * act'(.), from the forward output y (relu, lrelu, tanh,
     * sigmoid all can); dx may equal dy. */
    void (*act_backward)(t2v_backend *be, t2v_act act, float slope, float *dx,
                         const float *dy, const float *y, int64_t n);

    /* ---- per-channel, x (N, C, L) with L = D*H*W */
    void (*bias_add)(t2v_backend *be, float *y, const float *bias, int N, int C, int64_t L);
    void (*bias_backward)(t2v_backend *be, float *dbias, const float *dy, int N, int C, int64_t L);
    /* y = x * gamma[n,c] + beta[n,c] (per-sample modulation; either NULL) */
    void (*modulate)(t2v_backend *be, float *y, const float *x, const float *gamma,
                     const float *beta, int N, int C, int64_t L);
    /* dx = dy * gamma; dgamma[n,c] += sum dy*x; dbeta[n,c] += sum dy */
    void (*modulate_backward)(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                              const float *dy, const float *x, const float *gamma,
                              int N, int C, int64_t L);

    /* ---- batch normalisation over (N, L) per channel. Training: batch
     * statistics (biased variance normalises, unbiased goes to the running
     * variance), running = (1 - momentum) running + momentum batch; saves
     * mean and 1/sqrt(var + eps). Inference: running statistics. gamma and
     * beta may be NULL (no affine). */
    void (*batchnorm_forward)(t2v_backend *be, float *y, const float *x,
                              const float *gamma, const float *beta,
                              float *running_mean, float *running_var,
                              float *save_mean, float *save_invstd, int N, int C,
                              int64_t L, float momentum, float eps, int training);
    /* training-mode backward; dgamma/dbeta accumulate (NULL when no affine) */
    void (*batchnorm_backward)(t2v_backend *be, float *dx, float *dgamma, float *dbeta,
                               const float *dy, const float *x, const float *gamma,
                               const float *save_mean, const float *save_invstd,
                               int N, int C, int64_t L);

    /* ---- layout */
    /* nearest x2 in the last `dims` (2 or 3) axes: x (N*C, [D,] H, W) */
    void (*upsample2_forward)(t2v_backend *be, float *y, const float *x, int NC,
                              int D, int H, int W, int dims);
    void (*upsample2_backward)(t2v_backend *be, float *dx, const float *dy, int NC,
                               int D, int H, int W, int dims);
    /* y (N, Ca+Cb, L) = [a (N, Ca, L), b (N, Cb, L)]; backward splits */
    void (*concat_forward)(t2v_backend *be, float *y, const float *a, const float *b,
                           int N, int Ca, int Cb, int64_t L);
    void (*concat_backward)(t2v_backend *be, float *da, float *db, const float *dy,
                            int N, int Ca, int Cb, int64_t L);
    /* y (N, C, L) = v (N, C) repeated over L; backward: dv += sum over L */
    void (*tile_forward)(t2v_backend *be, float *y, const float *v, int N, int C, int64_t L);
    void (*tile_backward)(t2v_backend *be, float *dv, const float *dy, int N, int C, int64_t L);
    /* y = x.permute(perm) as in PyTorch: x has `shape` (ndim <= 5 axes) and
     * axis i of y is axis perm[i] of x; y is contiguous */
    void (*permute)(t2v_backend *be, float *y, const float *x, int ndim,
                    const int64_t *shape, const int *perm);
    /* x (N, C, T, H, W) -> y (N, C, T-1, H, W) = x[:, :, t+1] - x[:, :, t];
     * backward assigns dx */
    void (*frame_diff_forward)(t2v_backend *be, float *y, const float *x, int N, int C,
                               int T, int64_t HW);
    void (*frame_diff_backward)(t2v_backend *be, float *dx, const float *dy, int N, int C,
                                int T, int64_t HW);
    /* GLU over channels: x (N, 2C, L) -> y (N, C, L) = a * sigmoid(b) */
    void (*glu_forward)(t2v_backend *be, float *y, const float *x, int N, int C, int64_t L);
    void (*glu_backward)(t2v_backend *be, float *dx, const float *dy, const float *x,
                         int N, int C, int64_t L);

    /* ---- reductions: out[r] = sum / mean of x[r, 0..len) over rows */
    void (*row_sum)(t2v_backend *be, float *out, const float *x, int rows, int64_t len,
                    float scale);
    /* out[n] = scale * sum_c a[n,c] b[n,c] (projection heads) */
    void (*row_dot)(t2v_backend *be, float *out, const float *a, const float *b, int rows,
                    int64_t len, float scale);

    /* ---- text */
    /* y (n, E) = table[ids[i]]; ids on the backend, int32, each in [0, V) */
    void (*embedding_forward)(t2v_backend *be, float *y, const float *table,
                              const int32_t *ids, int n, int E);
    void (*embedding_backward)(t2v_backend *be, float *dtable, const float *dy,
                               const int32_t *ids, int n, int E);
    /* One LSTM step. gates (N, 4H) = x W_ih^T + h W_hh^T + biases, order
     * i, f, g, o (PyTorch). mask (N): 1 where step t is a token, 0 where it
     * is padding (state carried through unchanged). Saves the activated
     * gates in `act` (N, 4H) for the backward step. */
    void (*lstm_cell_forward)(t2v_backend *be, float *h, float *c, float *act,
                              const float *gates, const float *h_prev, const float *c_prev,
                              const float *mask, int N, int H);
    /* In: dh, dc (gradients reaching h_t, c_t). Out: dgates (N, 4H),
     * dh_prev, dc_prev (assign). */
    void (*lstm_cell_backward)(t2v_backend *be, float *dgates, float *dh_prev, float *dc_prev,
                               const float *dh, const float *dc, const float *act,
                               const float *c, const float *c_prev, const float *mask,
                               int N, int H);

    /* ---- losses. Each writes per-element losses (n) and, when grad is not
     * NULL, assigns grad = scale * dloss/dx. */
    /* BCE with logits against target t (0 or 1, or soft) */
    void (*bce_logits)(t2v_backend *be, float *loss, float *grad, const float *x,
                       const float *target, int64_t n, float scale);
    /* hinge: sign=+1 -> max(0, 1 - x), sign=-1 -> max(0, 1 + x), sign=0 -> -x */
    void (*hinge)(t2v_backend *be, float *loss, float *grad, const float *x, float sign,
                  int64_t n, float scale);
    /* KL(N(mu, exp(logvar)) || N(0, 1)) per element:
     * 0.5 (mu^2 + exp(logvar) - 1 - logvar) */
    void (*kl_normal)(t2v_backend *be, float *loss, float *dmu, float *dlogvar,
                      const float *mu, const float *logvar, int64_t n, float scale);

    /* ---- optimiser: Adam (L2-free, decoupled weight decay wd * lr) */
    void (*adam)(t2v_backend *be, float *p, const float *g, float *m, float *v,
                 int64_t n, float lr, float beta1, float beta2, float eps, float wd,
                 int64_t step);

    /* ---- random numbers, same stream as t2v_rng_*_host */
    void (*rng_normal)(t2v_backend *be, float *out, int64_t n, uint64_t seed,
                       uint64_t stream, uint64_t offset);
    void (*rng_uniform)(t2v_backend *be, float *out, int64_t n, uint64_t seed,
                        uint64_t stream, uint64_t offset);

    /* ---- pixels: one frame x (C, H, W), C = 1 or 3, whose channel planes
     * lie cstride floats apart (H*W when contiguous), to the t2v_pixfmt
     * `fmt` of txt2vid.h, with the arithmetic of t2v_pixels_convert (same
     * bytes). planes and strides (bytes per row, at least the format's row
     * size) as t2v_pixels_convert takes them, 3 entries each (those past
     * the format's planes are ignored); the planes are backend memory.
     * Arguments are checked by the caller. */
    void (*to_pixels)(t2v_backend *be, uint8_t *const planes[3], const int strides[3],
                      const float *x, int64_t cstride, int C, int H, int W, int fmt);

    /* ---- a picture moved along a path: x (N, C, h, w), off (N, T, 2) in
     * pixels (down, right); y (N, C, T, H, W) with h <= H, w <= W: frame t
     * of item n is x[n], its corner at ((H - h) / 2, (W - w) / 2) (the
     * frame's middle), moved by off[n, t] and read bilinearly, pixels from
     * outside x reading `fill`. With k = ceil(off), a = k - off (per axis),
     * frame pixel (i, j) mixes x at rows i - k - corner and the row below,
     * and likewise columns. */
    void (*translate_forward)(t2v_backend *be, float *y, const float *x, const float *off,
                              int N, int C, int T, int h, int w, int H, int W, float fill);
    /* dx (N, C, h, w) = every frame's dy moved back and summed; doff
     * (N, T, 2) = the gradient of the offsets; both overwritten. */
    void (*translate_backward)(t2v_backend *be, float *dx, float *doff, const float *dy,
                               const float *x, const float *off, int N, int C, int T, int h,
                               int w, int H, int W, float fill);

    /* ---- a bouncing path: par (rows, 4) raw (phase down, phase right,
     * speed down, speed right) -> off (rows, T, 2) in pixels, on each axis
     * reach x tri(2 tanh(phase) + vmax tanh(speed) t), tri the triangle
     * wave of period 4 through tri(0) = 0, tri(1) = 1 (translate_ops.h):
     * constant speed, turning back at +-reach. gated: par (rows, 5), the
     * fifth an axis logit a that weighs the speeds by 2 sigmoid(a) (down)
     * and 2 - 2 sigmoid(a) (right). */
    void (*bounce_forward)(t2v_backend *be, float *off, const float *par, int gated, int rows,
                           int T, float reach, float vmax);
    /* dpar (rows, 4 or 5) overwritten, from doff (rows, T, 2); gated, the
     * loss also holds sharpen x 4 s (1 - s) per row, s = sigmoid(a) */
    void (*bounce_backward)(t2v_backend *be, float *dpar, const float *doff, const float *par,
                            int gated, int rows, int T, float reach, float vmax,
                            float sharpen);

    /* ---- attention over a caption's words: x (rows, len) scores, mask
     * (rows, len) 1 at words and 0 at padding; y = the softmax over each
     * row's words, 0 at padding (a row without words is all 0). */
    void (*softmax_forward)(t2v_backend *be, float *y, const float *x, const float *mask,
                            int rows, int len);
    /* dx (overwritten) = the scores' gradient of L(y) + ent H(y), H = -sum y
     * log y (the entropy of each row), from dy = dL/dy: ent > 0 sharpens
     * the attention towards one word. */
    void (*softmax_backward)(t2v_backend *be, float *dx, const float *y, const float *dy,
                             int rows, int len, float ent);
};

/* ------------------------------------------------------------------------ */
/* Layers: compositions of kernels.                                          */
/* ------------------------------------------------------------------------ */

/* Linear: x (N, in) -> y (N, out) = x W^T + b; W (out, in). */
void t2v_linear_forward(t2v_backend *be, float *y, const float *x, const float *w,
                        const float *b, int N, int in, int out);
/* dx (assign, may be NULL), dw and db (accumulate, db may be NULL) */
void t2v_linear_backward(t2v_backend *be, float *dx, float *dw, float *db,
                         const float *dy, const float *x, const float *w,
                         int N, int in, int out);

/* Convolution and transposed convolution, 2D (D = 1) or 3D. Weight layouts
 * as PyTorch: conv (c_out, c_in, kd, kh, kw), transposed (c_in, c_out, ...).
 * ws: t2v_conv_workspace(g) floats per worker (see t2v_conv_ws_floats). */
size_t t2v_conv_ws_floats(t2v_backend *be, const t2v_conv_geom *g);
void t2v_conv_forward(t2v_backend *be, const t2v_conv_geom *g, float *y, const float *x,
                      const float *w, const float *b, float *ws);
/* dx assign (may be NULL), dw/db accumulate (db may be NULL) */
void t2v_conv_backward(t2v_backend *be, const t2v_conv_geom *g, float *dx, float *dw,
                       float *db, const float *dy, const float *x, const float *w, float *ws);

/* LSTM over a padded batch, time-major inside: x (N, T, E), mask (N, T).
 * Weights as PyTorch: w_ih (4H, E), w_hh (4H, H), b_ih, b_hh (4H).
 * reverse = 1 walks t = T-1 .. 0 (the backward half of a bi-LSTM).
 * Output h_all (N, T, H); state buffers come from the caller:
 * t2v_lstm_state_floats(N, T, H) floats. */
size_t t2v_lstm_state_floats(int N, int T, int H);
void t2v_lstm_forward(t2v_backend *be, float *h_all, float *state, const float *x,
                      const float *mask, const float *w_ih, const float *w_hh,
                      const float *b_ih, const float *b_hh, int N, int T, int E, int H,
                      int reverse);
/* dh_all (N, T, H) in; dx (assign, may be NULL); weight grads accumulate.
 * scratch: t2v_lstm_scratch_floats(N, T, H) floats. */
size_t t2v_lstm_scratch_floats(int N, int T, int H);
void t2v_lstm_backward(t2v_backend *be, float *dx, float *dw_ih, float *dw_hh,
                       float *db_ih, float *db_hh, const float *dh_all, const float *state,
                       float *scratch, const float *x, const float *mask,
                       const float *w_ih, const float *w_hh, int N, int T, int E, int H,
                       int reverse);

/* Adam step over every parameter of a set (moments must be attached). */
typedef struct t2v_adam {
    float lr, beta1, beta2, eps, weight_decay;
    int64_t step;            /* number of steps taken so far */
} t2v_adam;
t2v_status t2v_adam_step(t2v_adam *opt, t2v_params *ps);

/* Initialisations (the papers' code): N(0, std) and N(mean, std) from the
 * Philox stream, constants. Host-generated then uploaded, so every backend
 * starts from the same numbers. */
t2v_status t2v_init_normal(t2v_backend *be, float *p, int64_t n, float mean, float std,
                           uint64_t seed, uint64_t stream);
t2v_status t2v_init_const(t2v_backend *be, float *p, int64_t n, float v);

#ifdef __cplusplus
}
#endif
#endif
