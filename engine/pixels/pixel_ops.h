/* The per-pixel arithmetic of float frames to pixel formats (the formulas
 * are documented at the top of pixels.c), written once for the CPU and the
 * CUDA backend. Under nvcc every function is __host__ __device__; compiled
 * as C11 they are static inline. pixels.c loops over them on the host and
 * kernels/cuda_pixels.cu runs them one thread per pixel or chroma block;
 * the device build has no multiply-add contraction (--fmad=false) and the
 * arithmetic is only +, *, one division and float-to-int truncation, so
 * both give the same bytes.
 *
 * A frame x is (C, H, W) floats, C = 1 or 3, whose channel planes lie
 * `cs` floats apart (H*W for a contiguous frame, T*H*W for frame t of a
 * (C, T, H, W) clip). */
#ifndef T2V_PIXEL_OPS_H
#define T2V_PIXEL_OPS_H

#include <stdint.h>

#include "txt2vid/txt2vid.h"

#ifdef __CUDACC__
#define T2V_PX_FN __host__ __device__ __forceinline__ static
#else
#define T2V_PX_FN static inline
#endif

/* Where a conversion writes: up to three planes with their row strides in
 * bytes (passed by value, so a device kernel can take it as it is). */
typedef struct t2v_px_dst {
    uint8_t *plane[3];
    int stride[3];
} t2v_px_dst;

/* v in [-1, 1] -> u in [0, 1]; out of range and NaN clamp (NaN to 0). */
T2V_PX_FN float t2v_px_unit(float v)
{
    float u = 0.5f * v + 0.5f;
    return u > 0.0f ? (u < 1.0f ? u : 1.0f) : 0.0f;
}

/* x in [0, 255.x] -> nearest byte */
T2V_PX_FN uint8_t t2v_px_byte(float x)
{
    int i = (int)(x + 0.5f);
    return (uint8_t)(i < 0 ? 0 : (i > 255 ? 255 : i));
}

/* BT.601 limited range from unit RGB */
T2V_PX_FN uint8_t t2v_px_y(float r, float g, float b)
{
    return t2v_px_byte(16.0f + 65.481f * r + 128.553f * g + 24.966f * b);
}

T2V_PX_FN uint8_t t2v_px_cb(float r, float g, float b)
{
    return t2v_px_byte(128.0f - 37.797f * r - 74.203f * g + 112.0f * b);
}

T2V_PX_FN uint8_t t2v_px_cr(float r, float g, float b)
{
    return t2v_px_byte(128.0f + 112.0f * r - 93.786f * g - 18.214f * b);
}

/* GRAY8: full-range BT.601 luma of RGB, the channel itself for grey */
T2V_PX_FN uint8_t t2v_px_gray(int C, float r, float g, float b)
{
    float l = C == 3 ? 0.299f * r + 0.587f * g + 0.114f * b : r;
    return t2v_px_byte(255.0f * l);
}

/* The unit RGB of the pixel at offset `at` (y W + x); grey frames repeat
 * their one channel. */
T2V_PX_FN void t2v_px_rgb(const float *x, int64_t cs, int C, int64_t at, float *r, float *g,
                          float *b)
{
    *r = t2v_px_unit(x[at]);
    if (C == 3) {
        *g = t2v_px_unit(x[cs + at]);
        *b = t2v_px_unit(x[2 * cs + at]);
    } else {
        *g = *r;
        *b = *r;
    }
}

/* Cb and Cr of the 2x2 block whose top-left pixel is (2 cy, 2 cx), on the
 * mean of the block's pixels that exist (odd sizes: edge blocks are
 * smaller). */
T2V_PX_FN void t2v_px_block_chroma(const float *x, int64_t cs, int C, int H, int W, int cy,
                                   int cx, uint8_t *cb, uint8_t *cr)
{
    float sr = 0.0f, sg = 0.0f, sb = 0.0f;
    int n = 0;
    for (int dy = 0; dy < 2; dy++) {
        int py = 2 * cy + dy;
        if (py >= H)
            break;
        for (int dx = 0; dx < 2; dx++) {
            int px = 2 * cx + dx;
            if (px >= W)
                break;
            float r, g, b;
            t2v_px_rgb(x, cs, C, (int64_t)py * W + px, &r, &g, &b);
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
    *cb = t2v_px_cb(sr, sg, sb);
    *cr = t2v_px_cr(sr, sg, sb);
}

/* 1 when the format has chroma planes (I420, NV12) */
T2V_PX_FN int t2v_px_has_chroma(int fmt)
{
    return fmt == T2V_PIX_I420 || fmt == T2V_PIX_NV12;
}


/* Bytes of unit r, g, b at p[ri], p[1], p[bi] (RGB order: 0, 2; BGR: 2, 0). */
T2V_PX_FN void t2v_px_put_rgb(uint8_t *p, int ri, int bi, float r, float g, float b)
{
    p[ri] = t2v_px_byte(255.0f * r);
    p[1] = t2v_px_byte(255.0f * g);
    p[bi] = t2v_px_byte(255.0f * b);
}
/* Writes pixel (py, px) of the full-resolution plane: the grey byte, the
 * packed RGB bytes (pad bytes 255) or the luma. */
T2V_PX_FN void t2v_px_write_pixel(t2v_px_dst d, int fmt, const float *x, int64_t cs, int C,
                                  int W, int py, int px)
{
    float r, g, b;
    t2v_px_rgb(x, cs, C, (int64_t)py * W + px, &r, &g, &b);
    uint8_t *row = d.plane[0] + (int64_t)py * d.stride[0];
    uint8_t *p;
    switch (fmt) {
    case T2V_PIX_GRAY8:
        row[px] = t2v_px_gray(C, r, g, b);
        break;
    case T2V_PIX_RGB24:
        t2v_px_put_rgb(row + 3 * (int64_t)px, 0, 2, r, g, b);
        break;
    case T2V_PIX_RGBA:
        p = row + 4 * (int64_t)px;
        t2v_px_put_rgb(p, 0, 2, r, g, b);
        p[3] = 255;
        break;
    case T2V_PIX_BGRX:
        p = row + 4 * (int64_t)px;
        t2v_px_put_rgb(p, 2, 0, r, g, b);
        p[3] = 255;
        break;
    case T2V_PIX_I420:
    case T2V_PIX_NV12:
        row[px] = t2v_px_y(r, g, b);
        break;
    default:
        break;
    }
}

/* Writes the chroma of block (cy, cx): U and V planes (I420) or the
 * interleaved UV plane (NV12). */
T2V_PX_FN void t2v_px_write_chroma(t2v_px_dst d, int fmt, const float *x, int64_t cs, int C,
                                   int H, int W, int cy, int cx)
{
    uint8_t cb, cr;
    t2v_px_block_chroma(x, cs, C, H, W, cy, cx, &cb, &cr);
    if (fmt == T2V_PIX_I420) {
        d.plane[1][(int64_t)cy * d.stride[1] + cx] = cb;
        d.plane[2][(int64_t)cy * d.stride[2] + cx] = cr;
    } else if (fmt == T2V_PIX_NV12) {
        uint8_t *uv = d.plane[1] + (int64_t)cy * d.stride[1] + 2 * (int64_t)cx;
        uv[0] = cb;
        uv[1] = cr;
    }
}

#endif
