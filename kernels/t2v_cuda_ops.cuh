/* The per-element arithmetic of the CUDA backend's kernels, written once for
 * the device and the host. Under nvcc every function is __host__ __device__;
 * compiled as plain C11 (the host tests) they are static inline functions,
 * so a CPU loop over them can be compared with the CPU backend bit for bit.
 * Each formula is written exactly as the CPU kernel of the same name in
 * engine/backend/cpu_*.c computes it (same operations in the same order);
 * the device build turns off multiply-add contraction (--fmad=false) so only
 * the transcendental functions (expf, logf, tanhf, sinf, ...) can differ
 * from the host, by an ulp or two. */
#ifndef T2V_CUDA_OPS_CUH
#define T2V_CUDA_OPS_CUH

#include <math.h>
#include <stdint.h>

#include "txt2vid/nn.h"

#ifdef __CUDACC__
#define T2V_HD __host__ __device__ __forceinline__ static
#else
#define T2V_HD static inline
#endif

#define T2V_LRELU_DEFAULT_SLOPE 0.2f

/* ---- activations ------------------------------------------------------- */

/* the slope the kernels use: 0 with T2V_ACT_LRELU means 0.2 */
T2V_HD float t2v_op_slope(t2v_act act, float slope)
{
    return act == T2V_ACT_LRELU && slope == 0.0f ? T2V_LRELU_DEFAULT_SLOPE : slope;
}

T2V_HD float t2v_op_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }

T2V_HD float t2v_op_act_forward(t2v_act act, float slope, float x)
{
    switch (act) {
    case T2V_ACT_RELU:
        return x > 0.0f ? x : 0.0f;
    case T2V_ACT_LRELU:
        return x > 0.0f ? x : slope * x;
    case T2V_ACT_TANH:
        return tanhf(x);
    case T2V_ACT_SIGMOID:
        return 1.0f / (1.0f + expf(-x));
    case T2V_ACT_NONE:
    default:
        return x;
    }
}

/* dx from dy and the forward output y */
T2V_HD float t2v_op_act_backward(t2v_act act, float slope, float dy, float y)
{
    switch (act) {
    case T2V_ACT_RELU:
        return y > 0.0f ? dy : 0.0f;
    case T2V_ACT_LRELU:
        return y > 0.0f ? dy : slope * dy;
    case T2V_ACT_TANH:
        return dy * (1.0f - y * y);
    case T2V_ACT_SIGMOID:
        return dy * y * (1.0f - y);
    case T2V_ACT_NONE:
    default:
        return dy;
    }
}

/* ---- GLU: y = a * sigmoid(b) ------------------------------------------ */

T2V_HD float t2v_op_glu_forward(float a, float b) { return a / (1.0f + expf(-b)); }

T2V_HD void t2v_op_glu_backward(float dy, float a, float b, float *da, float *db)
{
    float s = 1.0f / (1.0f + expf(-b));
    *da = dy * s;
    *db = dy * a * s * (1.0f - s);
}

/* ---- LSTM step (gate order i, f, g, o) ----------------------------------- */

/* activated gates from the pre-activations */
T2V_HD void t2v_op_lstm_gates(const float g[4], float a[4])
{
    a[0] = t2v_op_sigmoid(g[0]);
    a[1] = t2v_op_sigmoid(g[1]);
    a[2] = tanhf(g[2]);
    a[3] = t2v_op_sigmoid(g[3]);
}

/* c = f c_prev + i g, h = o tanh(c) */
T2V_HD void t2v_op_lstm_state(const float a[4], float c_prev, float *c, float *h)
{
    float cn = a[1] * c_prev + a[0] * a[2];
    *c = cn;
    *h = a[3] * tanhf(cn);
}

/* gradients of the gate pre-activations (dg[4]) and of c_prev */
T2V_HD void t2v_op_lstm_backward(const float a[4], float c, float c_prev, float dh, float dc,
                                 float dg[4], float *dc_prev)
{
    float ig = a[0], fg = a[1], gg = a[2], og = a[3];
    float tc = tanhf(c);
    float dct = dc + dh * og * (1.0f - tc * tc);
    float d_o = dh * tc;
    dg[0] = dct * gg * ig * (1.0f - ig);
    dg[1] = dct * c_prev * fg * (1.0f - fg);
    dg[2] = dct * ig * (1.0f - gg * gg);
    dg[3] = d_o * og * (1.0f - og);
    *dc_prev = dct * fg;
}

/* ---- losses ------------------------------------------------------------ */

/* BCE with logits: loss = max(x, 0) - x t + log(1 + exp(-|x|));
 * dloss/dx = sigmoid(x) - t (returned in *d, unscaled) */
T2V_HD float t2v_op_bce(float x, float t, float *d)
{
    float e = expf(-fabsf(x));
    float s = x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
    *d = s - t;
    return (x > 0.0f ? x : 0.0f) - x * t + log1pf(e);
}

/* hinge: sign +1 max(0, 1 - x), -1 max(0, 1 + x), 0: -x */
T2V_HD float t2v_op_hinge(float x, float sign, float *d)
{
    float l, dd;
    if (sign > 0.0f) {
        l = 1.0f - x;
        dd = l > 0.0f ? -1.0f : 0.0f;
    } else if (sign < 0.0f) {
        l = 1.0f + x;
        dd = l > 0.0f ? 1.0f : 0.0f;
    } else {
        l = -x;
        dd = -1.0f;
    }
    *d = dd;
    return (sign != 0.0f && l < 0.0f) ? 0.0f : l;
}

/* KL(N(mu, exp(lv)) || N(0, 1)) = 0.5 (mu^2 + exp(lv) - 1 - lv); exp(lv)
 * goes to *ev_out for the gradients d/dmu = mu, d/dlv = 0.5 (exp(lv) - 1) */
T2V_HD float t2v_op_kl(float mu, float lv, float *ev_out)
{
    float ev = expf(lv);
    *ev_out = ev;
    return 0.5f * (mu * mu + ev - 1.0f - lv);
}

/* ---- Adam (decoupled weight decay) -------------------------------------- */

typedef struct t2v_adam_consts {
    float lr, b1, b2, eps;
    float keep;   /* 1 - lr * wd */
    float c1, c2; /* 1 / (1 - beta^step) */
} t2v_adam_consts;

/* host side: the constants of one update (step is 1-based) */
static inline t2v_adam_consts t2v_op_adam_consts(float lr, float beta1, float beta2, float eps,
                                                 float wd, int64_t step)
{
    if (step < 1)
        step = 1;
    float decay = wd > 0.0f ? lr * wd : 0.0f;
    t2v_adam_consts k;
    k.lr = lr;
    k.b1 = beta1;
    k.b2 = beta2;
    k.eps = eps;
    k.keep = 1.0f - decay;
    k.c1 = (float)(1.0 / (1.0 - pow((double)beta1, (double)step)));
    k.c2 = (float)(1.0 / (1.0 - pow((double)beta2, (double)step)));
    return k;
}

/* one parameter: updates *p, *m, *v from the gradient g */
T2V_HD void t2v_op_adam(t2v_adam_consts k, float g, float *p, float *m, float *v)
{
    float mi = k.b1 * *m + (1.0f - k.b1) * g;
    float vi = k.b2 * *v + (1.0f - k.b2) * g * g;
    *m = mi;
    *v = vi;
    *p = *p * k.keep - k.lr * (mi * k.c1) / (sqrtf(vi * k.c2) + k.eps);
}

/* ---- Philox 4x32-10 and the float mappings (engine/core/rng.c) ---------- */

#define T2V_PHILOX_M0 0xD2511F53u
#define T2V_PHILOX_M1 0xCD9E8D57u
#define T2V_PHILOX_W0 0x9E3779B9u
#define T2V_PHILOX_W1 0xBB67AE85u

/* block blk of stream (seed, stream): counter (blk lo, blk hi, stream lo,
 * stream hi), key (seed lo, seed hi) */
T2V_HD void t2v_op_philox_block(uint32_t w[4], uint64_t seed, uint64_t stream, uint64_t blk)
{
    uint32_t c0 = (uint32_t)blk, c1 = (uint32_t)(blk >> 32);
    uint32_t c2 = (uint32_t)stream, c3 = (uint32_t)(stream >> 32);
    uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    for (int r = 0; r < 10; r++) {
        uint64_t p0 = (uint64_t)T2V_PHILOX_M0 * (uint64_t)c0;
        uint64_t p1 = (uint64_t)T2V_PHILOX_M1 * (uint64_t)c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n1 = (uint32_t)p1;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        uint32_t n3 = (uint32_t)p0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += T2V_PHILOX_W0;
        k1 += T2V_PHILOX_W1;
    }
    w[0] = c0;
    w[1] = c1;
    w[2] = c2;
    w[3] = c3;
}

/* 24 high bits -> (0, 1] */
T2V_HD float t2v_op_u32_to_uniform(uint32_t x)
{
    return ((float)(x >> 8) + 1.0f) * (1.0f / 16777216.0f);
}

/* value j of the uniform stream, from the block words of block j / 4 */
T2V_HD float t2v_op_uniform_from_block(const uint32_t w[4], uint64_t j)
{
    return t2v_op_u32_to_uniform(w[j & 3]);
}

/* value j of the normal stream: Box-Muller on words (2*(j/2), 2*(j/2)+1)
 * of its block; even j takes the cosine half, odd j the sine half */
T2V_HD float t2v_op_normal_from_block(const uint32_t w[4], uint64_t j)
{
    unsigned pair = (unsigned)(j & 2);
    float u1 = t2v_op_u32_to_uniform(w[pair]);
    float u2 = t2v_op_u32_to_uniform(w[pair + 1]);
    float r = sqrtf(-2.0f * logf(u1));
    float th = 6.2831853071795864f * u2;
    return (j & 1) ? r * sinf(th) : r * cosf(th);
}

#endif
