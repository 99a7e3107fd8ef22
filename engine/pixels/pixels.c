/* Float frames to pixel formats.
 *
 * A generated frame is (C, H, W) floats in [-1, 1], C = 1 (grey) or 3 (RGB).
 * A value v maps to the unit interval as u = (v + 1) / 2, clamped to [0, 1]
 * (NaN counts as 0), then to 8 bits by rounding to nearest:
 *   RGB / grey bytes:  round(255 u)
 *   GRAY8 from RGB:    round(255 (0.299 r + 0.587 g + 0.114 b))  (BT.601 luma, full range)
 *   Y  (BT.601, limited range): round(16 + 65.481 r + 128.553 g + 24.966 b)
 *   Cb: round(128 - 37.797 r - 74.203 g + 112.0 b)   on the mean of each 2x2 block
 *   Cr: round(128 + 112.0 r - 93.786 g - 18.214 b)
 * A grey frame is an RGB frame with r = g = b. Chroma blocks on the right or
 * bottom edge of an odd-sized frame average the pixels that exist. Padding
 * bytes (A of RGBA, X of BGRx) are 255. Nothing here allocates.
 *
 * The per-pixel functions live in pixel_ops.h, which the CUDA backend's
 * to_pixels kernel compiles too; this file loops over them on the host.
 */
#include "pixels/pixels.h"

#include "core/status_internal.h"

void t2v_pixels_write(t2v_px_dst d, t2v_pixfmt fmt, const float *x, int64_t cs, int C, int H,
                      int W)
{
    for (int py = 0; py < H; py++)
        for (int px = 0; px < W; px++)
            t2v_px_write_pixel(d, (int)fmt, x, cs, C, W, py, px);
    if (!t2v_px_has_chroma((int)fmt))
        return;
    const int CH = (H + 1) / 2, CW = (W + 1) / 2;
    for (int cy = 0; cy < CH; cy++)
        for (int cx = 0; cx < CW; cx++)
            t2v_px_write_chroma(d, (int)fmt, x, cs, C, H, W, cy, cx);
}

int t2v_pixels_layout(t2v_pixfmt fmt, int H, int W, long min_stride[3], long rows[3])
{
    const long cw = ((long)W + 1) / 2, ch = ((long)H + 1) / 2;
    rows[0] = H;
    rows[1] = rows[2] = ch;
    switch (fmt) {
    case T2V_PIX_GRAY8: min_stride[0] = W; return 1;
    case T2V_PIX_RGB24: min_stride[0] = 3L * W; return 1;
    case T2V_PIX_RGBA:
    case T2V_PIX_BGRX: min_stride[0] = 4L * W; return 1;
    case T2V_PIX_I420:
        min_stride[0] = W;
        min_stride[1] = cw;
        min_stride[2] = cw;
        return 3;
    case T2V_PIX_NV12:
        min_stride[0] = W;
        min_stride[1] = 2 * cw;
        return 2;
    }
    return 0;
}

t2v_status t2v_pixels_check(int C, int H, int W, t2v_pixfmt fmt, uint8_t *const planes[],
                            const int strides[])
{
    if (C != 1 && C != 3)
        return t2v_fail(T2V_ERR_INVALID, "pixels: %d channels (1 or 3 expected)", C);
    if (H <= 0 || W <= 0)
        return t2v_fail(T2V_ERR_INVALID, "pixels: bad frame size %dx%d", W, H);
    if ((long)H * W > (long)INT32_MAX / 4)
        return t2v_fail(T2V_ERR_INVALID, "pixels: frame %dx%d too large", W, H);
    long min_stride[3] = {0, 0, 0}, rows[3];
    int nplanes = t2v_pixels_layout(fmt, H, W, min_stride, rows);
    if (nplanes == 0)
        return t2v_fail(T2V_ERR_INVALID, "pixels: unknown pixel format %d", (int)fmt);
    if (!planes || !strides)
        return t2v_fail(T2V_ERR_INVALID, "pixels: planes or strides is NULL");
    for (int p = 0; p < nplanes; p++) {
        if (!planes[p])
            return t2v_fail(T2V_ERR_INVALID, "pixels: plane %d is NULL", p);
        if (strides[p] < min_stride[p])
            return t2v_fail(T2V_ERR_INVALID, "pixels: plane %d stride %d < %ld for width %d",
                            p, strides[p], min_stride[p], W);
    }
    return T2V_OK;
}

t2v_status t2v_pixels_convert(const float *frame, int C, int H, int W, t2v_pixfmt fmt,
                              uint8_t *const planes[], const int strides[])
{
    if (!frame)
        return t2v_fail(T2V_ERR_INVALID, "pixels: frame is NULL");
    t2v_status s = t2v_pixels_check(C, H, W, fmt, planes, strides);
    if (s != T2V_OK)
        return s;
    t2v_px_dst d = {{NULL, NULL, NULL}, {0, 0, 0}};
    long min_stride[3], rows[3];
    int nplanes = t2v_pixels_layout(fmt, H, W, min_stride, rows);
    for (int p = 0; p < nplanes; p++) {
        d.plane[p] = planes[p];
        d.stride[p] = strides[p];
    }
    t2v_pixels_write(d, fmt, frame, (int64_t)H * W, C, H, W);
    return T2V_OK;
}
