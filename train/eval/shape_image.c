/* The colour-invariant shape picture of shape_image.h. */
#include <math.h>
#include <stdlib.h>

#include "train/eval/shape_image.h"

size_t t2v_shape_scratch_floats(int H, int W) { return 2 * (size_t)(H + W); }

static int float_cmp(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Median of one channel's border pixels, plane (H, W). */
static float border_median(const float *plane, int H, int W, float *scratch)
{
    int n = 0;
    for (int x = 0; x < W; x++) {
        scratch[n++] = plane[x];
        scratch[n++] = plane[(size_t)(H - 1) * W + x];
    }
    for (int y = 1; y < H - 1; y++) {
        scratch[n++] = plane[(size_t)y * W];
        scratch[n++] = plane[(size_t)y * W + W - 1];
    }
    qsort(scratch, (size_t)n, sizeof *scratch, float_cmp);
    return n % 2 ? scratch[n / 2] : 0.5f * (scratch[n / 2 - 1] + scratch[n / 2]);
}

void t2v_shape_image(const float *clips, int n, int C, int T, int H, int W, float *shape,
                     float *scratch)
{
    size_t hw = (size_t)H * W;
    for (int i = 0; i < n; i++)
        for (int t = 0; t < T; t++) {
            // frame t of clip i: channel c at clip + (c T + t) hw
            const float *clip = clips + (size_t)i * C * T * hw;
            float *out = shape + ((size_t)i * T + t) * hw;
            for (size_t p = 0; p < hw; p++)
                out[p] = 0.0f;
            for (int c = 0; c < C; c++) {
                const float *plane = clip + ((size_t)c * T + t) * hw;
                float bg = border_median(plane, H, W, scratch);
                for (size_t p = 0; p < hw; p++) {
                    float d = fabsf(plane[p] - bg);
                    out[p] = d > out[p] ? d : out[p];
                }
            }
            float top = T2V_SHAPE_MIN_CONTRAST;
            for (size_t p = 0; p < hw; p++)
                top = out[p] > top ? out[p] : top;
            for (size_t p = 0; p < hw; p++)
                out[p] = 2.0f * out[p] / top - 1.0f;
        }
}

/* Bilinear alpha of frame (H, W) at continuous coordinates (pixel centres
 * at +0.5); alpha 0 beyond the frame. */
static float alpha_at(const float *frame, int H, int W, float fx, float fy)
{
    float u = fx - 0.5f, v = fy - 0.5f;
    int x0 = (int)floorf(u), y0 = (int)floorf(v);
    float ax = u - (float)x0, ay = v - (float)y0, out = 0.0f;
    for (int dy = 0; dy < 2; dy++)
        for (int dx = 0; dx < 2; dx++) {
            int x = x0 + dx, y = y0 + dy;
            if (x < 0 || x >= W || y < 0 || y >= H)
                continue;
            float w = (dx ? ax : 1.0f - ax) * (dy ? ay : 1.0f - ay);
            out += w * 0.5f * (frame[(size_t)y * W + x] + 1.0f);
        }
    return out;
}

void t2v_shape_crop(const float *shape, int n, int T, int H, int W, int S, float *crop)
{
    size_t hw = (size_t)H * W;
    for (int f = 0; f < n * T; f++) {
        const float *frame = shape + (size_t)f * hw;
        float *out = crop + (size_t)f * S * S;
        // ink box [x0, x1) x [y0, y1)
        int x0 = W, x1 = 0, y0 = H, y1 = 0;
        for (int y = 0; y < H; y++)
            for (int x = 0; x < W; x++)
                if (0.5f * (frame[(size_t)y * W + x] + 1.0f) >= T2V_SHAPE_INK) {
                    x0 = x < x0 ? x : x0;
                    x1 = x + 1 > x1 ? x + 1 : x1;
                    y0 = y < y0 ? y : y0;
                    y1 = y + 1 > y1 ? y + 1 : y1;
                }
        if (x1 <= x0) {
            x0 = y0 = 0;
            x1 = W;
            y1 = H;
        }
        float cx = 0.5f * (float)(x0 + x1), cy = 0.5f * (float)(y0 + y1);
        float side = (float)(x1 - x0 > y1 - y0 ? x1 - x0 : y1 - y0) / T2V_SHAPE_CROP_FILL;
        float step = side / (float)S; /* frame pixels per crop pixel */
        for (int i = 0; i < S; i++)
            for (int k = 0; k < S; k++) {
                float a = 0.0f;
                for (int sy = 0; sy < 2; sy++)
                    for (int sx = 0; sx < 2; sx++)
                        a += alpha_at(frame, H, W,
                                      cx + ((float)k + 0.25f + 0.5f * sx - 0.5f * S) * step,
                                      cy + ((float)i + 0.25f + 0.5f * sy - 0.5f * S) * step);
                out[(size_t)i * S + k] = 2.0f * (0.25f * a) - 1.0f;
            }
    }
}
