/* t2v_pixels_convert against a double-precision reference: every byte of
 * every plane for each format, grey and RGB frames, even and odd sizes, with
 * sentinel bytes before, between rows and after each plane; argument
 * validation; and no allocation during a conversion. */
#include "t2v_test.h"

#include "txt2vid/txt2vid.h"

#include <stdint.h>
#include <string.h>

/* ---- allocation counter: the test binary's malloc family wraps glibc's ---- */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t s);
extern void *__libc_realloc(void *p, size_t n);
static volatile int counting;
static volatile long allocations;

void *malloc(size_t n)
{
    if (counting)
        allocations++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t s)
{
    if (counting)
        allocations++;
    return __libc_calloc(n, s);
}

void *realloc(void *p, size_t n)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, n);
}

/* ---- reference ---- */
#define SENTINEL 0xA5
#define GUARD 16 /* sentinel bytes before and after each plane */
#define ROW_PAD 3 /* sentinel bytes after each row */

static double ref_unit(float v)
{
    double u = ((double)v + 1.0) / 2.0;
    if (!(u > 0.0))
        return 0.0;
    return u < 1.0 ? u : 1.0;
}

/* frame: (C, H, W); rgb out in [0, 1] */
static void ref_rgb(const float *frame, int C, int H, int W, int y, int x, double rgb[3])
{
    long plane = (long)H * W, at = (long)y * W + x;
    for (int c = 0; c < 3; c++)
        rgb[c] = ref_unit(frame[(C == 3 ? c : 0) * plane + at]);
}

/* A byte matches a real-valued reference when it is the nearest integer
 * (after clamping); within 1e-3 of a .5 tie either neighbour is accepted,
 * since the engine computes in float. */
static int byte_matches(uint8_t got, double want)
{
    if (want < 0.0)
        want = 0.0;
    if (want > 255.0)
        want = 255.0;
    double lo = floor(want);
    double frac = want - lo;
    if (fabs(frac - 0.5) < 1e-3)
        return got == (int)lo || got == (int)lo + 1;
    return got == (int)floor(want + 0.5);
}

static double ref_y(const double c[3]) { return 16.0 + 65.481 * c[0] + 128.553 * c[1] + 24.966 * c[2]; }
static double ref_cb(const double c[3]) { return 128.0 - 37.797 * c[0] - 74.203 * c[1] + 112.0 * c[2]; }
static double ref_cr(const double c[3]) { return 128.0 + 112.0 * c[0] - 93.786 * c[1] - 18.214 * c[2]; }

static void ref_block_mean(const float *frame, int C, int H, int W, int cy, int cx, double m[3])
{
    int n = 0;
    m[0] = m[1] = m[2] = 0.0;
    for (int y = 2 * cy; y < 2 * cy + 2 && y < H; y++)
        for (int x = 2 * cx; x < 2 * cx + 2 && x < W; x++) {
            double c[3];
            ref_rgb(frame, C, H, W, y, x, c);
            for (int k = 0; k < 3; k++)
                m[k] += c[k];
            n++;
        }
    for (int k = 0; k < 3; k++)
        m[k] /= n;
}

/* ---- plane buffers with sentinels ---- */
typedef struct plane_buf {
    uint8_t *mem;     /* GUARD + rows * stride + GUARD */
    int rows, width, stride; /* width: bytes written per row */
} plane_buf;

static void plane_alloc(plane_buf *p, int rows, int width)
{
    p->rows = rows;
    p->width = width;
    p->stride = width + ROW_PAD;
    size_t n = (size_t)GUARD * 2 + (size_t)rows * p->stride;
    p->mem = __libc_malloc(n);
    memset(p->mem, SENTINEL, n);
}

static uint8_t *plane_data(const plane_buf *p) { return p->mem + GUARD; }

/* 1 when every byte outside the written area still holds the sentinel */
static int plane_sentinels_ok(const plane_buf *p)
{
    for (int i = 0; i < GUARD; i++)
        if (p->mem[i] != SENTINEL || p->mem[GUARD + (size_t)p->rows * p->stride + i] != SENTINEL)
            return 0;
    for (int r = 0; r < p->rows; r++)
        for (int i = p->width; i < p->stride; i++)
            if (plane_data(p)[(size_t)r * p->stride + i] != SENTINEL)
                return 0;
    return 1;
}

static const char *fmt_name(t2v_pixfmt f)
{
    static const char *names[] = {"GRAY8", "RGB24", "RGBA", "BGRX", "I420", "NV12"};
    return names[f];
}

/* Counts mismatching bytes of one format against the reference. */
static long check_format(const float *frame, int C, int H, int W, t2v_pixfmt fmt, int *sentinels,
                         long *alloc_count, t2v_status *st)
{
    const int CH = (H + 1) / 2, CW = (W + 1) / 2;
    plane_buf p[3];
    int np;
    switch (fmt) {
    case T2V_PIX_GRAY8: plane_alloc(&p[0], H, W); np = 1; break;
    case T2V_PIX_RGB24: plane_alloc(&p[0], H, 3 * W); np = 1; break;
    case T2V_PIX_RGBA:
    case T2V_PIX_BGRX: plane_alloc(&p[0], H, 4 * W); np = 1; break;
    case T2V_PIX_I420:
        plane_alloc(&p[0], H, W);
        plane_alloc(&p[1], CH, CW);
        plane_alloc(&p[2], CH, CW);
        np = 3;
        break;
    default:
        plane_alloc(&p[0], H, W);
        plane_alloc(&p[1], CH, 2 * CW);
        np = 2;
        break;
    }
    uint8_t *planes[3] = {NULL, NULL, NULL};
    int strides[3] = {0, 0, 0};
    for (int i = 0; i < np; i++) {
        planes[i] = plane_data(&p[i]);
        strides[i] = p[i].stride;
    }
    allocations = 0;
    counting = 1;
    *st = t2v_pixels_convert(frame, C, H, W, fmt, planes, strides);
    counting = 0;
    *alloc_count = allocations;

    long bad = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double c[3];
            ref_rgb(frame, C, H, W, y, x, c);
            const uint8_t *row = planes[0] + (size_t)y * strides[0];
            switch (fmt) {
            case T2V_PIX_GRAY8: {
                double l = C == 3 ? 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2] : c[0];
                bad += !byte_matches(row[x], 255.0 * l);
                break;
            }
            case T2V_PIX_RGB24:
                for (int k = 0; k < 3; k++)
                    bad += !byte_matches(row[3 * x + k], 255.0 * c[k]);
                break;
            case T2V_PIX_RGBA:
                for (int k = 0; k < 3; k++)
                    bad += !byte_matches(row[4 * x + k], 255.0 * c[k]);
                bad += row[4 * x + 3] != 255;
                break;
            case T2V_PIX_BGRX:
                for (int k = 0; k < 3; k++)
                    bad += !byte_matches(row[4 * x + 2 - k], 255.0 * c[k]);
                bad += row[4 * x + 3] != 255;
                break;
            case T2V_PIX_I420:
            case T2V_PIX_NV12:
                bad += !byte_matches(row[x], ref_y(c));
                break;
            }
        }
    if (fmt == T2V_PIX_I420 || fmt == T2V_PIX_NV12) {
        for (int cy = 0; cy < CH; cy++)
            for (int cx = 0; cx < CW; cx++) {
                double m[3];
                ref_block_mean(frame, C, H, W, cy, cx, m);
                uint8_t u, v;
                if (fmt == T2V_PIX_I420) {
                    u = planes[1][(size_t)cy * strides[1] + cx];
                    v = planes[2][(size_t)cy * strides[2] + cx];
                } else {
                    u = planes[1][(size_t)cy * strides[1] + 2 * cx];
                    v = planes[1][(size_t)cy * strides[1] + 2 * cx + 1];
                }
                bad += !byte_matches(u, ref_cb(m));
                bad += !byte_matches(v, ref_cr(m));
            }
    }
    *sentinels = 1;
    for (int i = 0; i < np; i++) {
        *sentinels &= plane_sentinels_ok(&p[i]);
        free(p[i].mem);
    }
    return bad;
}

static uint32_t lcg_state = 12345u;
static float next_value(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return ((float)(lcg_state >> 8) / 16777216.0f) * 2.4f - 1.2f; /* [-1.2, 1.2) */
}

static void test_formats(void)
{
    static const int sizes[][2] = {{1, 1}, {2, 2}, {3, 5}, {4, 7}, {9, 16}, {6, 6}};
    static const float extremes[] = {-1.0f, 1.0f, 0.0f, -3.0f, 3.0f, NAN, -0.5f, 0.999f};
    for (int C = 1; C <= 3; C += 2)
        for (unsigned s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            int H = sizes[s][0], W = sizes[s][1];
            long n = (long)C * H * W;
            float *frame = __libc_malloc(sizeof(float) * n);
            for (long i = 0; i < n; i++)
                frame[i] = i < 8 ? extremes[(i + s) % 8] : next_value();
            for (int f = T2V_PIX_GRAY8; f <= T2V_PIX_NV12; f++) {
                int sentinels;
                long allocs;
                t2v_status st;
                long bad = check_format(frame, C, H, W, (t2v_pixfmt)f, &sentinels, &allocs, &st);
                T2V_CHECK(st == T2V_OK && bad == 0,
                          "%s C=%d %dx%d: every byte matches the double reference (%ld differ)",
                          fmt_name((t2v_pixfmt)f), C, W, H, bad);
                T2V_CHECK(sentinels, "%s C=%d %dx%d: nothing written outside the planes",
                          fmt_name((t2v_pixfmt)f), C, W, H);
                T2V_CHECK(allocs == 0, "%s C=%d %dx%d: conversion allocated nothing (%ld)",
                          fmt_name((t2v_pixfmt)f), C, W, H, allocs);
            }
            free(frame);
        }
}

/* All 256 grey levels k come back exactly as k. */
static void test_grey_levels(void)
{
    float frame[256];
    for (int k = 0; k < 256; k++)
        frame[k] = (float)k / 127.5f - 1.0f;
    uint8_t gray[256], rgb[3 * 256];
    uint8_t *pg[1] = {gray}, *pr[1] = {rgb};
    int sg[1] = {256}, sr[1] = {3 * 256};
    t2v_status a = t2v_pixels_convert(frame, 1, 1, 256, T2V_PIX_GRAY8, pg, sg);
    t2v_status b = t2v_pixels_convert(frame, 1, 1, 256, T2V_PIX_RGB24, pr, sr);
    int exact = a == T2V_OK && b == T2V_OK;
    for (int k = 0; k < 256 && exact; k++)
        exact = gray[k] == k && rgb[3 * k] == k && rgb[3 * k + 1] == k && rgb[3 * k + 2] == k;
    T2V_CHECK(exact, "grey levels k/127.5-1 give byte k in GRAY8 and replicated RGB24");

    /* Black and white in BT.601 limited range: Y 16/235, chroma 128. */
    float bw[4] = {-1.0f, -1.0f, 1.0f, 1.0f};
    uint8_t y[4], u[2], v[2];
    uint8_t *pp[3] = {y, u, v};
    int ss[3] = {2, 1, 1};
    t2v_status c = t2v_pixels_convert(bw, 1, 2, 2, T2V_PIX_I420, pp, ss);
    T2V_CHECK(c == T2V_OK && y[0] == 16 && y[1] == 16 && y[2] == 235 && y[3] == 235 && u[0] == 128 &&
                  v[0] == 128,
              "I420 black/white rows: Y 16 and 235, Cb = Cr = 128");
    /* Pure red: Y 81, Cb 90, Cr 240 (BT.601 limited range). */
    float red[3] = {1.0f, -1.0f, -1.0f};
    c = t2v_pixels_convert(red, 3, 1, 1, T2V_PIX_I420, pp, ss);
    T2V_CHECK(c == T2V_OK && y[0] == 81 && u[0] == 90 && v[0] == 240, "I420 pure red is Y 81 Cb 90 Cr 240");
}

static void expect_invalid(t2v_status st, const char *what)
{
    const char *msg = t2v_last_error();
    T2V_CHECK(st == T2V_ERR_INVALID && msg && msg[0], "%s: T2V_ERR_INVALID with message \"%s\"", what,
              msg ? msg : "");
    t2v_clear_error();
}

static void test_validation(void)
{
    float frame[12] = {0};
    uint8_t buf[64];
    uint8_t *p3[3] = {buf, buf + 16, buf + 32};
    int s3[3] = {4, 2, 2};
    uint8_t *pnull[3] = {buf, NULL, buf + 32};
    int small[3] = {3, 2, 2};
    int small_c[3] = {4, 1, 2};
    expect_invalid(t2v_pixels_convert(NULL, 1, 2, 4, T2V_PIX_GRAY8, p3, s3), "NULL frame");
    expect_invalid(t2v_pixels_convert(frame, 2, 2, 4, T2V_PIX_GRAY8, p3, s3), "2 channels");
    expect_invalid(t2v_pixels_convert(frame, 1, 0, 4, T2V_PIX_GRAY8, p3, s3), "zero height");
    expect_invalid(t2v_pixels_convert(frame, 1, 2, -4, T2V_PIX_GRAY8, p3, s3), "negative width");
    expect_invalid(t2v_pixels_convert(frame, 1, 2, 4, (t2v_pixfmt)99, p3, s3), "unknown format");
    expect_invalid(t2v_pixels_convert(frame, 1, 2, 4, T2V_PIX_I420, NULL, s3), "NULL planes");
    expect_invalid(t2v_pixels_convert(frame, 1, 2, 4, T2V_PIX_I420, p3, NULL), "NULL strides");
    expect_invalid(t2v_pixels_convert(frame, 1, 2, 4, T2V_PIX_I420, pnull, s3), "NULL U plane");
    expect_invalid(t2v_pixels_convert(frame, 1, 2, 4, T2V_PIX_GRAY8, p3, small), "luma stride too small");
    expect_invalid(t2v_pixels_convert(frame, 1, 2, 4, T2V_PIX_I420, p3, small_c), "chroma stride too small");
    int nv_small[2] = {4, 3};
    expect_invalid(t2v_pixels_convert(frame, 1, 2, 4, T2V_PIX_NV12, p3, nv_small), "NV12 UV stride too small");
    int rgb_small[1] = {11};
    expect_invalid(t2v_pixels_convert(frame, 3, 1, 4, T2V_PIX_RGB24, p3, rgb_small), "RGB24 stride too small");
    int ok_stride[3] = {4, 2, 2};
    T2V_CHECK(t2v_pixels_convert(frame, 1, 2, 4, T2V_PIX_I420, p3, ok_stride) == T2V_OK,
              "exact minimum strides are accepted");
}

int main(void)
{
    test_formats();
    test_grey_levels();
    test_validation();
    return t2v_test_finish();
}
