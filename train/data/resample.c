/* Separable area resampling (see resample.h). */
#include <stdlib.h>

#include "resample.h"

/* Resamples one line of n_in values into n_out means over equal footprints. */
static void resample_line(const float *in, int n_in, long in_step, float *out, int n_out,
                          long out_step)
{
    double scale = (double)n_in / n_out;
    for (int o = 0; o < n_out; o++) {
        double a = o * scale, b = (o + 1) * scale, sum = 0.0;
        for (int i = (int)a; i < n_in && i < b; i++) {
            double lo = i > a ? i : a, hi = i + 1 < b ? i + 1 : b;
            sum += (hi - lo) * in[i * in_step];
        }
        out[o * out_step] = (float)(sum / scale);
    }
}

int t2v_data_resample_area(const float *src, int sh, int sw, int src_stride, float *dst,
                            int dh, int dw)
{
    if (sh == dh && sw == dw) {
        for (int y = 0; y < dh; y++)
            for (int x = 0; x < dw; x++)
                dst[y * dw + x] = src[(long)y * src_stride + x];
        return 0;
    }
    float *tmp = malloc((size_t)sh * dw * sizeof *tmp); // tmp: (sh, dw)
    if (!tmp)
        return -1;
    for (int y = 0; y < sh; y++)
        resample_line(src + (long)y * src_stride, sw, 1, tmp + (long)y * dw, dw, 1);
    for (int x = 0; x < dw; x++)
        resample_line(tmp + x, sh, dw, dst + x, dh, dw);
    free(tmp);
    return 0;
}
