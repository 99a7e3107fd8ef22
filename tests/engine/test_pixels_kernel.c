/* The backend's to_pixels kernel against t2v_pixels_convert on the host,
 * byte for byte: every pixel format, grey and RGB frames, odd and even
 * sizes, contiguous frames and frame t of a (C, T, H, W) clip (channel
 * planes T H W apart), inputs past [-1, 1], infinities and NaN. Plane rows
 * are padded: the whole plane buffer, padding included, must equal the
 * host's (padding keeps its sentinel), and sentinels guard every backend
 * buffer. The bytes are also checked against the documented formulas in
 * double precision (nearest byte; within 1e-3 of a .5 tie either neighbour
 * is accepted, since both sides compute in float). */
#include <math.h>
#include <stdlib.h>

#include "op_check.h"
#include "txt2vid/txt2vid.h"

static const char *fmt_name(int f)
{
    static const char *names[] = {"GRAY8", "RGB24", "RGBA", "BGRx", "I420", "NV12"};
    return names[f];
}

/* planes of a format: bytes per row written and rows, per plane */
static int layout(int fmt, int H, int W, int width[3], int rows[3])
{
    const int cw = (W + 1) / 2, ch = (H + 1) / 2;
    rows[0] = H;
    rows[1] = rows[2] = ch;
    switch (fmt) {
    case T2V_PIX_GRAY8: width[0] = W; return 1;
    case T2V_PIX_RGB24: width[0] = 3 * W; return 1;
    case T2V_PIX_RGBA:
    case T2V_PIX_BGRX: width[0] = 4 * W; return 1;
    case T2V_PIX_I420: width[0] = W; width[1] = width[2] = cw; return 3;
    default: width[0] = W; width[1] = 2 * cw; return 2;
    }
}

/* ---- double-precision reference of the formulas in pixels.c ---- */

static double ref_unit(float v)
{
    double u = ((double)v + 1.0) / 2.0;
    if (!(u > 0.0))
        return 0.0;
    return u < 1.0 ? u : 1.0;
}

static void ref_rgb(const float *f, int C, int H, int W, int y, int x, double c[3])
{
    long at = (long)y * W + x, plane = (long)H * W;
    for (int k = 0; k < 3; k++)
        c[k] = ref_unit(f[(C == 3 ? k : 0) * plane + at]);
}

static int byte_ok(uint8_t got, double want)
{
    want = want < 0.0 ? 0.0 : (want > 255.0 ? 255.0 : want);
    double lo = floor(want);
    if (fabs(want - lo - 0.5) < 1e-3)
        return got == (int)lo || got == (int)lo + 1;
    return got == (int)floor(want + 0.5);
}

static double ref_y(const double c[3]) { return 16.0 + 65.481 * c[0] + 128.553 * c[1] + 24.966 * c[2]; }
static double ref_cb(const double c[3]) { return 128.0 - 37.797 * c[0] - 74.203 * c[1] + 112.0 * c[2]; }
static double ref_cr(const double c[3]) { return 128.0 + 112.0 * c[0] - 93.786 * c[1] - 18.214 * c[2]; }

/* bytes of the converted planes that miss the reference */
static long ref_misses(const float *f, int C, int H, int W, int fmt, uint8_t *const pl[3],
                       const int st[3])
{
    long bad = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double c[3];
            ref_rgb(f, C, H, W, y, x, c);
            const uint8_t *row = pl[0] + (long)y * st[0];
            switch (fmt) {
            case T2V_PIX_GRAY8:
                bad += !byte_ok(row[x], 255.0 * (C == 3 ? 0.299 * c[0] + 0.587 * c[1] +
                                                              0.114 * c[2]
                                                        : c[0]));
                break;
            case T2V_PIX_RGB24:
                for (int k = 0; k < 3; k++)
                    bad += !byte_ok(row[3 * x + k], 255.0 * c[k]);
                break;
            case T2V_PIX_RGBA:
            case T2V_PIX_BGRX:
                for (int k = 0; k < 3; k++)
                    bad += !byte_ok(row[4 * x + (fmt == T2V_PIX_RGBA ? k : 2 - k)], 255.0 * c[k]);
                bad += row[4 * x + 3] != 255;
                break;
            default:
                bad += !byte_ok(row[x], ref_y(c));
                break;
            }
        }
    if (fmt != T2V_PIX_I420 && fmt != T2V_PIX_NV12)
        return bad;
    for (int cy = 0; cy < (H + 1) / 2; cy++)
        for (int cx = 0; cx < (W + 1) / 2; cx++) {
            double m[3] = {0, 0, 0};
            int n = 0;
            for (int y = 2 * cy; y < 2 * cy + 2 && y < H; y++)
                for (int x = 2 * cx; x < 2 * cx + 2 && x < W; x++, n++) {
                    double c[3];
                    ref_rgb(f, C, H, W, y, x, c);
                    for (int k = 0; k < 3; k++)
                        m[k] += c[k];
                }
            for (int k = 0; k < 3; k++)
                m[k] /= n;
            uint8_t cb, cr;
            if (fmt == T2V_PIX_I420) {
                cb = pl[1][(long)cy * st[1] + cx];
                cr = pl[2][(long)cy * st[2] + cx];
            } else {
                cb = pl[1][(long)cy * st[1] + 2 * cx];
                cr = pl[1][(long)cy * st[1] + 2 * cx + 1];
            }
            bad += !byte_ok(cb, ref_cb(m)) + !byte_ok(cr, ref_cr(m));
        }
    return bad;
}

/* ---- inputs ---- */

/* values in [-1.25, 1.25) with exact ends, byte boundaries, infinities
 * and NaN mixed in */
static void frame_values(oc_ctx *oc, float *f, long n)
{
    oc_uniform(oc, f, (size_t)n, -1.25f, 1.25f);
    for (long i = 0; i < n; i++) {
        if (i % 13 == 5)
            f[i] = NAN;
        else if (i % 17 == 3)
            f[i] = INFINITY;
        else if (i % 19 == 7)
            f[i] = -INFINITY;
        else if (i % 11 == 2)
            f[i] = (i % 22 == 2) ? 1.0f : -1.0f;
        else if (i % 7 == 1)
            f[i] = (float)(i % 256) / 127.5f - 1.0f; /* exact byte levels */
    }
}

/* One case: the kernel on x (in backend memory, channels cs apart) vs
 * t2v_pixels_convert on the contiguous host copy `frame`. */
static void run_case(oc_ctx *oc, const float *frame, const float *x, int64_t cs, int C, int H,
                     int W, int fmt, int pad, const char *where)
{
    int width[3] = {0, 0, 0}, rows[3] = {0, 0, 0};
    int np = layout(fmt, H, W, width, rows);
    uint8_t *dev[3] = {NULL, NULL, NULL}, *want[3] = {NULL, NULL, NULL};
    uint8_t *got[3] = {NULL, NULL, NULL};
    int strides[3] = {0, 0, 0};
    size_t floats[3] = {0, 0, 0};
    const float s = oc_sentinel();
    for (int p = 0; p < np; p++) {
        strides[p] = width[p] + (pad ? 2 * p + 3 : 0);
        floats[p] = ((size_t)strides[p] * rows[p] + 3) / 4;
        dev[p] = (uint8_t *)oc_alloc(oc, floats[p]);
        float *w = oc_hostf(oc, floats[p]);
        for (size_t i = 0; i < floats[p]; i++)
            w[i] = s;
        want[p] = (uint8_t *)w;
        got[p] = (uint8_t *)oc_hostf(oc, floats[p]);
    }
    char what[160];
    snprintf(what, sizeof what, "to_pixels %s C=%d %dx%d %s%s", fmt_name(fmt), C, W, H, where,
             pad ? ", padded rows" : "");
    if (oc->alloc_failed) {
        oc_finish_case(oc, what);
        return;
    }
    t2v_status st = t2v_pixels_convert(frame, C, H, W, (t2v_pixfmt)fmt, want, strides);
    oc->k->to_pixels(oc->be, dev, strides, x, cs, C, H, W, fmt);
    for (int p = 0; p < np; p++)
        oc_down(oc, (float *)got[p], (const float *)dev[p], floats[p]);
    long first = -1, plane = -1;
    for (int p = 0; p < np && first < 0; p++)
        for (size_t i = 0; i < 4 * floats[p]; i++)
            if (got[p][i] != want[p][i]) {
                first = (long)i;
                plane = p;
                break;
            }
    if (first < 0)
        t2v_test_report(st == T2V_OK, "%s: every byte of %d plane(s) equals t2v_pixels_convert",
                        what, np);
    else
        t2v_test_report(0, "%s: plane %ld byte %ld (row %ld, column %ld) is %d, host %d", what,
                        plane, first, first / strides[plane], first % strides[plane],
                        got[plane][first], want[plane][first]);
    long misses = ref_misses(frame, C, H, W, fmt, got, strides);
    T2V_CHECK(misses == 0, "%s: bytes match the double-precision formulas (%ld misses)", what,
              misses);
    oc_finish_case(oc, what);
}

static void run_checks(oc_ctx *oc)
{
    static const int sizes[][2] = {{1, 1}, {1, 2}, {2, 1}, {2, 2}, {3, 3}, {5, 4},
                                   {4, 7}, {16, 16}, {17, 9}, {33, 65}, {64, 64}};
    const int T = 3, t = 1;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        const int H = sizes[si][0], W = sizes[si][1];
        const long HW = (long)H * W;
        for (int C = 1; C <= 3; C += 2) {
            for (int fmt = T2V_PIX_GRAY8; fmt <= T2V_PIX_NV12; fmt++) {
                /* a contiguous frame, rows padded */
                float *frame = oc_hostf(oc, (size_t)C * HW);
                frame_values(oc, frame, C * HW);
                const float *x = oc_dev(oc, frame, (size_t)C * HW);
                run_case(oc, frame, x, HW, C, H, W, fmt, 1, "contiguous");

                /* frame t of a (C, T, H, W) clip, tight rows */
                float *clip = oc_hostf(oc, (size_t)C * T * HW);
                frame_values(oc, clip, C * T * HW);
                frame = oc_hostf(oc, (size_t)C * HW);
                for (int c = 0; c < C; c++)
                    memcpy(frame + c * HW, clip + ((long)c * T + t) * HW, HW * sizeof(float));
                const float *dclip = oc_dev(oc, clip, (size_t)C * T * HW);
                if (dclip)
                    run_case(oc, frame, dclip + t * HW, (int64_t)T * HW, C, H, W, fmt, 0,
                             "frame 1 of a 3-frame clip");
                else
                    oc_finish_case(oc, "clip upload");
            }
        }
    }
}

OC_TEST_MAIN(run_checks)
