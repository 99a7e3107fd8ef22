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
 */
#include "txt2vid/txt2vid.h"

#include "core/status_internal.h"

#include <stdint.h>

/* v in [-1, 1] -> u in [0, 1]; out of range and NaN clamp. */
static inline float unit(float v)
{
    float u = 0.5f * v + 0.5f;
    return u > 0.0f ? (u < 1.0f ? u : 1.0f) : 0.0f;
}

/* x in [0, 255.x] already clamped by construction -> nearest byte. */
static inline uint8_t byte_round(float x)
{
    int i = (int)(x + 0.5f);
    return (uint8_t)(i < 0 ? 0 : (i > 255 ? 255 : i));
}

static inline uint8_t to_y(float r, float g, float b)
{
    return byte_round(16.0f + 65.481f * r + 128.553f * g + 24.966f * b);
}

static inline uint8_t to_cb(float r, float g, float b)
{
    return byte_round(128.0f - 37.797f * r - 74.203f * g + 112.0f * b);
}

static inline uint8_t to_cr(float r, float g, float b)
{
    return byte_round(128.0f + 112.0f * r - 93.786f * g - 18.214f * b);
}

/* The unit RGB of pixel (y, x); grey frames replicate their one channel.
 * frame: (C, H, W) */
static inline void pixel_rgb(const float *frame, int C, int H, int W, int y, int x,
                             float *r, float *g, float *b)
{
    const long plane = (long)H * W;
    const long at = (long)y * W + x;
    *r = unit(frame[at]);
    if (C == 3) {
        *g = unit(frame[plane + at]);
        *b = unit(frame[2 * plane + at]);
    } else {
        *g = *r;
        *b = *r;
    }
}

static void convert_gray8(const float *frame, int C, int H, int W, uint8_t *dst, int stride)
{
    for (int y = 0; y < H; y++) {
        uint8_t *row = dst + (long)y * stride;
        for (int x = 0; x < W; x++) {
            float r, g, b;
            pixel_rgb(frame, C, H, W, y, x, &r, &g, &b);
            float l = C == 3 ? 0.299f * r + 0.587f * g + 0.114f * b : r;
            row[x] = byte_round(255.0f * l);
        }
    }
}

/* Packed 3 or 4 byte pixels; order gives the byte offsets of r, g, b and
 * pad < 0 means no fourth byte. */
static void convert_packed(const float *frame, int C, int H, int W, uint8_t *dst, int stride,
                           int bpp, int ro, int go, int bo, int pad)
{
    for (int y = 0; y < H; y++) {
        uint8_t *p = dst + (long)y * stride;
        for (int x = 0; x < W; x++, p += bpp) {
            float r, g, b;
            pixel_rgb(frame, C, H, W, y, x, &r, &g, &b);
            p[ro] = byte_round(255.0f * r);
            p[go] = byte_round(255.0f * g);
            p[bo] = byte_round(255.0f * b);
            if (pad >= 0)
                p[pad] = 255;
        }
    }
}

static void convert_luma(const float *frame, int C, int H, int W, uint8_t *dst, int stride)
{
    for (int y = 0; y < H; y++) {
        uint8_t *row = dst + (long)y * stride;
        for (int x = 0; x < W; x++) {
            float r, g, b;
            pixel_rgb(frame, C, H, W, y, x, &r, &g, &b);
            row[x] = to_y(r, g, b);
        }
    }
}

/* Chroma of the 2x2 block whose top-left pixel is (2 cy, 2 cx). */
static void block_chroma(const float *frame, int C, int H, int W, int cy, int cx,
                         uint8_t *cb, uint8_t *cr)
{
    float sr = 0.0f, sg = 0.0f, sb = 0.0f;
    int n = 0;
    for (int dy = 0; dy < 2; dy++) {
        int y = 2 * cy + dy;
        if (y >= H)
            break;
        for (int dx = 0; dx < 2; dx++) {
            int x = 2 * cx + dx;
            if (x >= W)
                break;
            float r, g, b;
            pixel_rgb(frame, C, H, W, y, x, &r, &g, &b);
            sr += r;
            sg += g;
            sb += b;
            n++;
        }
    }
    float inv = 1.0f / (float)n;
    sr *= inv;
    sg *= inv;
    sb *= inv;
    *cb = to_cb(sr, sg, sb);
    *cr = to_cr(sr, sg, sb);
}

static void convert_i420(const float *frame, int C, int H, int W, uint8_t *const planes[],
                         const int strides[])
{
    convert_luma(frame, C, H, W, planes[0], strides[0]);
    const int CH = (H + 1) / 2, CW = (W + 1) / 2;
    for (int cy = 0; cy < CH; cy++) {
        uint8_t *u = planes[1] + (long)cy * strides[1];
        uint8_t *v = planes[2] + (long)cy * strides[2];
        for (int cx = 0; cx < CW; cx++)
            block_chroma(frame, C, H, W, cy, cx, &u[cx], &v[cx]);
    }
}

static void convert_nv12(const float *frame, int C, int H, int W, uint8_t *const planes[],
                         const int strides[])
{
    convert_luma(frame, C, H, W, planes[0], strides[0]);
    const int CH = (H + 1) / 2, CW = (W + 1) / 2;
    for (int cy = 0; cy < CH; cy++) {
        uint8_t *uv = planes[1] + (long)cy * strides[1];
        for (int cx = 0; cx < CW; cx++)
            block_chroma(frame, C, H, W, cy, cx, &uv[2 * cx], &uv[2 * cx + 1]);
    }
}

/* Planes a format has, and the least stride each needs for width W. */
static int plane_layout(t2v_pixfmt fmt, int W, long min_stride[3])
{
    const long cw = ((long)W + 1) / 2;
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

t2v_status t2v_pixels_convert(const float *frame, int C, int H, int W, t2v_pixfmt fmt,
                              uint8_t *const planes[], const int strides[])
{
    if (!frame)
        return t2v_fail(T2V_ERR_INVALID, "pixels: frame is NULL");
    if (C != 1 && C != 3)
        return t2v_fail(T2V_ERR_INVALID, "pixels: %d channels (1 or 3 expected)", C);
    if (H <= 0 || W <= 0)
        return t2v_fail(T2V_ERR_INVALID, "pixels: bad frame size %dx%d", W, H);
    if ((long)H * W > (long)INT32_MAX / 4)
        return t2v_fail(T2V_ERR_INVALID, "pixels: frame %dx%d too large", W, H);
    long min_stride[3] = {0, 0, 0};
    int nplanes = plane_layout(fmt, W, min_stride);
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

    switch (fmt) {
    case T2V_PIX_GRAY8: convert_gray8(frame, C, H, W, planes[0], strides[0]); break;
    case T2V_PIX_RGB24: convert_packed(frame, C, H, W, planes[0], strides[0], 3, 0, 1, 2, -1); break;
    case T2V_PIX_RGBA: convert_packed(frame, C, H, W, planes[0], strides[0], 4, 0, 1, 2, 3); break;
    case T2V_PIX_BGRX: convert_packed(frame, C, H, W, planes[0], strides[0], 4, 2, 1, 0, 3); break;
    case T2V_PIX_I420: convert_i420(frame, C, H, W, planes, strides); break;
    case T2V_PIX_NV12: convert_nv12(frame, C, H, W, planes, strides); break;
    }
    return T2V_OK;
}
