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
