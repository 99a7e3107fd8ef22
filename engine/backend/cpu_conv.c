/* Column transforms behind every (transposed) convolution, one sample:
 *   x (C, D, H, W) <-> col (C*kd*kh*kw, Do*Ho*Wo)
 * Row ((c*kd + a)*kh + b)*kw + e of col holds, for every output position
 * (od, oh, ow), the input value at (od*sd - pd + a, oh*sh - ph + b,
 * ow*sw - pw + e), or 0 where that falls in the padding. vol2col splits
 * rows across the pool; col2vol splits channels (each channel's image is
 * written by one worker only). */
#include <string.h>

#include "backend/cpu.h"

/* Fewer column floats than this run on the calling thread. */
#define CONV_PARALLEL_MIN 32768

typedef struct col_job {
    const t2v_conv_geom *g;
    int channels;
    int in[3], out[3];
    const float *x;
    float *col;   /* vol2col writes it */
    const float *ccol; /* col2vol reads it */
    float *xo;    /* col2vol accumulates into it */
} col_job;

/* Output positions o in [lo, hi) read input i = o*s - p + e inside [0, n). */
static inline void valid_range(int n_in, int n_out, int s, int p, int e, int *lo, int *hi)
{
    int t = p - e;
    int l = t <= 0 ? 0 : (t + s - 1) / s;
    int u = n_in - 1 + p - e;
    int h = u < 0 ? 0 : u / s + 1;
    if (h > n_out)
        h = n_out;
    if (l > h)
        l = h;
    *lo = l;
    *hi = h;
}

/* One output plane of one col row when both strides are 1 and the width is
 * kept (W == oW, "same" padding in width): output (oh, ow) reads input
 * flat index oh*W + ow + delta, so the valid rows are one shifted copy.
 * Columns outside [lo, hi) picked up neighbouring rows' values and are
 * cleared afterwards. dst: (oH, W), src: (H, W). */
static void same_width_plane(float *dst, const float *src, int H, int W, int oH, int ph,
                             int pw, int b, int e, int lo, int hi)
{
    int hlo, hhi;
    valid_range(H, oH, 1, ph, b, &hlo, &hhi);
    const int64_t delta = (int64_t)(b - ph) * W + (e - pw);
    /* q: flat output index; copy where q is a valid row and q + delta is
     * inside the input plane */
    int64_t qlo = (int64_t)hlo * W, qhi = (int64_t)hhi * W;
    int64_t clo = qlo > -delta ? qlo : -delta;
    int64_t chi = qhi < (int64_t)H * W - delta ? qhi : (int64_t)H * W - delta;
    if (chi < clo)
        chi = clo;
    memset(dst, 0, (size_t)clo * sizeof(float));
    memcpy(dst + clo, src + clo + delta, (size_t)(chi - clo) * sizeof(float));
    memset(dst + chi, 0, (size_t)((int64_t)oH * W - chi) * sizeof(float));
    if (lo > 0 || hi < W)
        for (int oh = hlo; oh < hhi; oh++) {
            float *row = dst + (size_t)oh * W;
            for (int ow = 0; ow < lo; ow++)
                row[ow] = 0.0f;
            for (int ow = hi; ow < W; ow++)
                row[ow] = 0.0f;
        }
}

static void vol2col_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const col_job *j = ctx;
    const t2v_conv_geom *g = j->g;
    const int D = j->in[0], H = j->in[1], W = j->in[2];
    const int oD = j->out[0], oH = j->out[1], oW = j->out[2];
    const int kd = g->k[0], kh = g->k[1], kw = g->k[2];
    const int sd = g->stride[0], sh = g->stride[1], sw = g->stride[2];
    const int pd = g->pad[0], ph = g->pad[1], pw = g->pad[2];
    const size_t L = (size_t)oD * oH * oW;
    for (int64_t r = begin; r < end; r++) {
        int e = (int)(r % kw);
        int b = (int)(r / kw % kh);
        int a = (int)(r / ((int64_t)kw * kh) % kd);
        int c = (int)(r / ((int64_t)kw * kh * kd));
        const float *xc = j->x + (size_t)c * D * H * W;
        float *dst = j->col + (size_t)r * L;
        int lo, hi;
        valid_range(W, oW, sw, pw, e, &lo, &hi);
        for (int od = 0; od < oD; od++) {
            int id = od * sd - pd + a;
            if (id < 0 || id >= D) {
                memset(dst, 0, (size_t)oH * oW * sizeof(float));
                dst += (size_t)oH * oW;
                continue;
            }
            if (sh == 1 && sw == 1 && W == oW) {
                same_width_plane(dst, xc + (size_t)id * H * W, H, W, oH, ph, pw, b, e, lo, hi);
                dst += (size_t)oH * oW;
                continue;
            }
            for (int oh = 0; oh < oH; oh++, dst += oW) {
                int ih = oh * sh - ph + b;
                if (ih < 0 || ih >= H) {
                    memset(dst, 0, (size_t)oW * sizeof(float));
                    continue;
                }
                /* input column of ow is ow*sw + shift, >= 0 for ow >= lo */
                const float *src = xc + ((size_t)id * H + ih) * W;
                const int shift = e - pw;
                for (int ow = 0; ow < lo; ow++)
                    dst[ow] = 0.0f;
                if (sw == 1) {
                    if (hi > lo)
                        memcpy(dst + lo, src + lo + shift, (size_t)(hi - lo) * sizeof(float));
                } else {
                    for (int ow = lo; ow < hi; ow++)
                        dst[ow] = src[ow * sw + shift];
                }
                for (int ow = hi; ow < oW; ow++)
                    dst[ow] = 0.0f;
            }
        }
    }
}

void cpu_vol2col(t2v_backend *be, const t2v_conv_geom *g, int channels, const int in[3],
                 const int out[3], const float *x, float *col)
{
    col_job j = {g, channels, {in[0], in[1], in[2]}, {out[0], out[1], out[2]}, x, col, NULL,
                 NULL};
    int64_t rows = (int64_t)channels * g->k[0] * g->k[1] * g->k[2];
    int64_t L = (int64_t)out[0] * out[1] * out[2];
    int64_t grain = rows * L < CONV_PARALLEL_MIN ? rows : 1;
    t2v_pool_for(cpu_pool(be), rows, grain, vol2col_rows, &j);
}

static void col2vol_channels(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const col_job *j = ctx;
    const t2v_conv_geom *g = j->g;
    const int D = j->in[0], H = j->in[1], W = j->in[2];
    const int oD = j->out[0], oH = j->out[1], oW = j->out[2];
    const int kd = g->k[0], kh = g->k[1], kw = g->k[2];
    const int sd = g->stride[0], sh = g->stride[1], sw = g->stride[2];
    const int pd = g->pad[0], ph = g->pad[1], pw = g->pad[2];
    const size_t L = (size_t)oD * oH * oW;
    for (int64_t c = begin; c < end; c++) {
        float *xc = j->xo + (size_t)c * D * H * W;
        for (int a = 0; a < kd; a++)
            for (int b = 0; b < kh; b++)
                for (int e = 0; e < kw; e++) {
                    size_t r = (((size_t)c * kd + a) * kh + b) * kw + e;
                    const float *src = j->ccol + r * L;
                    int lo, hi;
                    valid_range(W, oW, sw, pw, e, &lo, &hi);
                    for (int od = 0; od < oD; od++) {
                        int id = od * sd - pd + a;
                        if (id < 0 || id >= D)
                            continue;
                        for (int oh = 0; oh < oH; oh++) {
                            int ih = oh * sh - ph + b;
                            if (ih < 0 || ih >= H)
                                continue;
                            const float *s = src + ((size_t)od * oH + oh) * oW;
                            float *dst = xc + ((size_t)id * H + ih) * W;
                            const int shift = e - pw;
                            if (sw == 1) {
                                for (int ow = lo; ow < hi; ow++)
                                    dst[ow + shift] += s[ow];
                            } else {
                                for (int ow = lo; ow < hi; ow++)
                                    dst[ow * sw + shift] += s[ow];
                            }
                        }
                    }
                }
    }
}

void cpu_col2vol(t2v_backend *be, const t2v_conv_geom *g, int channels, const int in[3],
                 const int out[3], const float *col, float *x)
{
    col_job j = {g, channels, {in[0], in[1], in[2]}, {out[0], out[1], out[2]}, NULL, NULL, col,
                 x};
    int64_t total = (int64_t)channels * g->k[0] * g->k[1] * g->k[2] * out[0] * out[1] * out[2];
    int64_t grain = total < CONV_PARALLEL_MIN ? channels : 1;
    t2v_pool_for(cpu_pool(be), channels, grain, col2vol_channels, &j);
}
