/* The arithmetic of a picture moved along a path (nn.h translate_*), shared
 * by the CPU backend and the CUDA backend so that both read the same pixels
 * with the same weights. Under nvcc every function is __host__ __device__.
 *
 * The picture (h, w) may be smaller than the frame (H, W); at offset 0 it
 * sits in the frame's middle, its top-left corner at the whole pixel
 * (oy, ox) = ((H - h) / 2, (W - w) / 2). An offset (down, right) in pixels
 * becomes k = ceil(offset) + oy and a = ceil(offset) - offset in [0, 1)
 * per axis: frame pixel (i, j) is
 *   (1-a)(1-b) x[i-k][j-l] + (1-a) b x[i-k][j-l+1]
 *   + a (1-b) x[i-k+1][j-l] + a b x[i-k+1][j-l+1],
 * x reading `fill` outside the picture. */
#ifndef T2V_TRANSLATE_OPS_H
#define T2V_TRANSLATE_OPS_H

#ifdef __CUDACC__
#define T2V_TR_FN __host__ __device__ __forceinline__ static
#else
#define T2V_TR_FN static inline
#endif

#include <math.h>
#include <stddef.h>

typedef struct t2v_shift {
    int ky, kx;       /* ceil of the offsets, plus the picture's corner */
    float a, b;       /* ky - down, kx - right, in [0, 1) */
} t2v_shift;

/* Picture (h, w), frame (H, W), h <= H and w <= W. An offset beyond the
 * frame moves the picture wholly out; NaN reads as that too. */
T2V_TR_FN t2v_shift t2v_shift_of(const float *off, int h, int w, int H, int W)
{
    float dy = off[0], dx = off[1];
    float ly = (float)H + 1.0f, lx = (float)W + 1.0f;
    dy = dy >= -ly ? (dy <= ly ? dy : ly) : -ly;
    dx = dx >= -lx ? (dx <= lx ? dx : lx) : -lx;
    t2v_shift s;
    s.ky = (int)ceilf(dy);
    s.kx = (int)ceilf(dx);
    s.a = (float)s.ky - dy;
    s.b = (float)s.kx - dx;
    s.ky += (H - h) / 2;
    s.kx += (W - w) / 2;
    return s;
}

/* x (H, W) at (r, c), fill outside (x the picture or a frame) */
T2V_TR_FN float t2v_tr_at(const float *x, int H, int W, int r, int c, float fill)
{
    return r >= 0 && r < H && c >= 0 && c < W ? x[(size_t)r * W + c] : fill;
}

/* frame pixel (i, j) of the picture x (h, w) */
T2V_TR_FN float t2v_tr_pixel(const float *x, int h, int w, t2v_shift s, int i, int j, float fill)
{
    int r = i - s.ky, q = j - s.kx;
    return (1 - s.a) * (1 - s.b) * t2v_tr_at(x, h, w, r, q, fill) +
           (1 - s.a) * s.b * t2v_tr_at(x, h, w, r, q + 1, fill) +
           s.a * (1 - s.b) * t2v_tr_at(x, h, w, r + 1, q, fill) +
           s.a * s.b * t2v_tr_at(x, h, w, r + 1, q + 1, fill);
}

/* g times the frame pixel's derivative by the offsets: out[0] down, out[1]
 * right (d/d(down) = -d/da) */
T2V_TR_FN void t2v_tr_doff(const float *x, int h, int w, t2v_shift s, int i, int j, float fill,
                           float g, float *dy, float *dx)
{
    int r = i - s.ky, q = j - s.kx;
    float x00 = t2v_tr_at(x, h, w, r, q, fill), x01 = t2v_tr_at(x, h, w, r, q + 1, fill);
    float x10 = t2v_tr_at(x, h, w, r + 1, q, fill), x11 = t2v_tr_at(x, h, w, r + 1, q + 1, fill);
    *dy = -g * ((1 - s.b) * (x10 - x00) + s.b * (x11 - x01));
    *dx = -g * ((1 - s.a) * (x01 - x00) + s.a * (x11 - x10));
}

/* the gradient reaching picture pixel (r, c) from one frame's dy (H, W):
 * the four frame pixels that read it, each by its weight */
T2V_TR_FN float t2v_tr_dpixel(const float *dy, int H, int W, t2v_shift s, int r, int c)
{
    int i = r + s.ky, j = c + s.kx;
    return (1 - s.a) * (1 - s.b) * t2v_tr_at(dy, H, W, i, j, 0.0f) +
           (1 - s.a) * s.b * t2v_tr_at(dy, H, W, i, j - 1, 0.0f) +
           s.a * (1 - s.b) * t2v_tr_at(dy, H, W, i - 1, j, 0.0f) +
           s.a * s.b * t2v_tr_at(dy, H, W, i - 1, j - 1, 0.0f);
}

/* ---- a bouncing path (nn.h bounce_*): one path's four raw numbers
 * (phase down, phase right, speed down, speed right) to its offsets. On
 * each axis the picture sits at reach x tri(u(t)), u(t) = 2 tanh(phase) +
 * vmax tanh(speed) t, tri the triangle wave of period 4 with tri(0) = 0,
 * tri(1) = 1, tri(3) = -1: a constant speed that turns back at +-reach,
 * as a digit bouncing off the frame's edges. The phase's 2 tanh spans a
 * whole period, so every start and direction is reachable.
 *
 * Gated paths have a fifth number, the axis logit a: the speeds are
 * multiplied by w_down = 2 sigmoid(a) and w_right = 2 - w_down, so a
 * saturated gate moves the picture along one axis only (up and down, or
 * left and right), and a = 0 (w = 1 on both) is the ungated path. */
T2V_TR_FN float t2v_tri(float u, float *slope)
{
    float m = u - 1.0f;
    m -= 4.0f * floorf(m * 0.25f); /* [0, 4) */
    *slope = m > 2.0f ? 1.0f : -1.0f;
    return fabsf(m - 2.0f) - 1.0f;
}

/* the gate's weight on axis a (0 down, 1 right); 1 without a gate */
T2V_TR_FN float t2v_bounce_gate(const float *par, int gated, int a)
{
    if (!gated)
        return 1.0f;
    float down = 2.0f / (1.0f + expf(-par[4]));
    return a == 0 ? down : 2.0f - down;
}

/* off (T, 2) from par (4, or 5 when gated) */
T2V_TR_FN void t2v_bounce_row(float *off, const float *par, int gated, int T, float reach,
                              float vmax)
{
    for (int a = 0; a < 2; a++) {
        float phase = 2.0f * tanhf(par[a]);
        float speed = vmax * tanhf(par[2 + a]) * t2v_bounce_gate(par, gated, a), slope;
        for (int t = 0; t < T; t++)
            off[t * 2 + a] = reach * t2v_tri(phase + speed * (float)t, &slope);
    }
}

/* dpar (4 or 5, overwritten) from doff (T, 2); the slope at a turning
 * point is the side the wave arrives from below (as t2v_tri gives it).
 * sharpen (gated): the weight of this path's term 4 s (1 - s) in the loss,
 * s = sigmoid(a), 1 with the gate open and 0 once it holds one axis */
T2V_TR_FN void t2v_bounce_row_backward(float *dpar, const float *doff, const float *par,
                                       int gated, int T, float reach, float vmax, float sharpen)
{
    double dgate = 0.0; /* d loss / d w_down (w_right = 2 - w_down) */
    for (int a = 0; a < 2; a++) {
        float tp = tanhf(par[a]), tv = tanhf(par[2 + a]), wa = t2v_bounce_gate(par, gated, a);
        float phase = 2.0f * tp, speed = vmax * tv * wa, slope;
        double gp = 0.0, gv = 0.0;
        for (int t = 0; t < T; t++) {
            t2v_tri(phase + speed * (float)t, &slope);
            double g = (double)doff[t * 2 + a] * reach * slope;
            gp += g;
            gv += g * t;
        }
        dpar[a] = (float)(gp * 2.0 * (1.0 - (double)tp * tp));
        dpar[2 + a] = (float)(gv * vmax * wa * (1.0 - (double)tv * tv));
        dgate += (a == 0 ? 1.0 : -1.0) * gv * vmax * tv;
    }
    if (gated) { /* w_down = 2 s, ds/da = s (1 - s); d 4 s (1 - s) / ds = 4 (1 - 2 s) */
        double sg = 0.5 * t2v_bounce_gate(par, gated, 0);
        dpar[4] = (float)((dgate * 2.0 + sharpen * 4.0 * (1.0 - 2.0 * sg)) * sg * (1.0 - sg));
    }
}

#endif
