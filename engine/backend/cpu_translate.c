/* A picture moved along a path (nn.h translate_*; the arithmetic is
 * translate_ops.h): the frames of a sprite generator. Items are
 * independent, so the pool splits them; within an item frames and channels
 * run in order, so the sums into dx and doff have one fixed order. */
#include "backend/cpu.h"
#include "backend/translate_ops.h"

typedef struct tr_job {
    float *y, *dx, *doff;
    const float *x, *dy, *off;
    int C, T, h, w, H, W; /* picture (h, w), frame (H, W) */
    float fill;
} tr_job;

static void forward_items(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const tr_job *j = ctx;
    const int C = j->C, T = j->T, h = j->h, w = j->w, H = j->H, W = j->W;
    for (int64_t n = begin; n < end; n++)
        for (int c = 0; c < C; c++) {
            const float *x = j->x + ((size_t)n * C + c) * h * w;
            for (int t = 0; t < T; t++) {
                t2v_shift s = t2v_shift_of(j->off + ((size_t)n * T + t) * 2, h, w, H, W);
                float *y = j->y + (((size_t)n * C + c) * T + t) * H * W;
                for (int i = 0; i < H; i++)
                    for (int k = 0; k < W; k++)
                        y[(size_t)i * W + k] = t2v_tr_pixel(x, h, w, s, i, k, j->fill);
            }
        }
}

static void backward_items(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const tr_job *j = ctx;
    const int C = j->C, T = j->T, h = j->h, w = j->w, H = j->H, W = j->W;
    for (int64_t n = begin; n < end; n++) {
        float *dx_n = j->dx + (size_t)n * C * h * w;
        for (int64_t e = 0; e < (int64_t)C * h * w; e++)
            dx_n[e] = 0.0f;
        for (int t = 0; t < T; t++) {
            /* frames in order, so each picture pixel sums them as the CUDA
             * kernel's thread does */
            t2v_shift s = t2v_shift_of(j->off + ((size_t)n * T + t) * 2, h, w, H, W);
            for (int c = 0; c < C; c++) {
                float *dx = dx_n + (size_t)c * h * w;
                const float *dy = j->dy + (((size_t)n * C + c) * T + t) * H * W;
                for (int r = 0; r < h; r++)
                    for (int k = 0; k < w; k++)
                        dx[(size_t)r * w + k] += t2v_tr_dpixel(dy, H, W, s, r, k);
            }
            double gy = 0.0, gx = 0.0;
            for (int c = 0; c < C; c++) {
                const float *x = j->x + ((size_t)n * C + c) * h * w;
                const float *dy = j->dy + (((size_t)n * C + c) * T + t) * H * W;
                for (int i = 0; i < H; i++)
                    for (int k = 0; k < W; k++) {
                        float a, b;
                        t2v_tr_doff(x, h, w, s, i, k, j->fill, dy[(size_t)i * W + k], &a, &b);
                        gy += a;
                        gx += b;
                    }
            }
            j->doff[((size_t)n * T + t) * 2] = (float)gy;
            j->doff[((size_t)n * T + t) * 2 + 1] = (float)gx;
        }
    }
}

void cpu_translate_forward(t2v_backend *be, float *y, const float *x, const float *off, int N,
                           int C, int T, int h, int w, int H, int W, float fill)
{
    tr_job j = {.y = y, .x = x, .off = off, .C = C, .T = T, .h = h, .w = w, .H = H, .W = W,
                .fill = fill};
    t2v_pool_for(cpu_pool(be), N, 1, forward_items, &j);
}

void cpu_translate_backward(t2v_backend *be, float *dx, float *doff, const float *dy,
                            const float *x, const float *off, int N, int C, int T, int h, int w,
                            int H, int W, float fill)
{
    tr_job j = {.dx = dx, .doff = doff, .dy = dy, .x = x, .off = off, .C = C, .T = T, .h = h,
                .w = w, .H = H, .W = W, .fill = fill};
    t2v_pool_for(cpu_pool(be), N, 1, backward_items, &j);
}

/* a path per row: a few dozen rows of T frames, one thread */
void cpu_bounce_forward(t2v_backend *be, float *off, const float *par, int gated, int rows,
                        int T, float reach, float vmax)
{
    (void)be;
    size_t np = gated ? 5 : 4;
    for (int r = 0; r < rows; r++)
        t2v_bounce_row(off + (size_t)r * T * 2, par + r * np, gated, T, reach, vmax);
}

void cpu_bounce_backward(t2v_backend *be, float *dpar, const float *doff, const float *par,
                         int gated, int rows, int T, float reach, float vmax, float sharpen)
{
    (void)be;
    size_t np = gated ? 5 : 4;
    for (int r = 0; r < rows; r++)
        t2v_bounce_row_backward(dpar + r * np, doff + (size_t)r * T * 2, par + r * np, gated, T,
                                reach, vmax, sharpen);
}
