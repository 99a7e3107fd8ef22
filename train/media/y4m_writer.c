/* YUV4MPEG2 (.y4m) files: a text header, then "FRAME\n" and raw planes.
 * RGB clips become full-range BT.601 4:2:0 (C420jpeg, centred chroma),
 * grey clips a single luma plane (Cmono). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "media_internal.h"

static long gcd_long(long a, long b)
{
    while (b) {
        long t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* fps as a reduced fraction num/den (integers stay n:1). */
static void fps_fraction(double fps, long *num, long *den)
{
    long d = 1;
    while (d < 1000000 && fabs(fps * (double)d - floor(fps * (double)d + 0.5)) > 1e-6)
        d *= 10;
    long n = (long)floor(fps * (double)d + 0.5);
    long g = gcd_long(n, d);
    *num = n / g;
    *den = d / g;
}

static uint8_t clamp_u8(double v)
{
    return (uint8_t)(v < 0.0 ? 0 : v > 255.0 ? 255 : lround(v));
}

/* Packed RGB (h, w, 3) to planes Y (h, w), U and V ((h+1)/2, (w+1)/2). */
static void rgb_to_yuv420_full(const uint8_t *rgb, int w, int h, uint8_t *y, uint8_t *u,
                               uint8_t *v)
{
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        const uint8_t *p = rgb + 3 * i;
        y[i] = clamp_u8(0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]);
    }
    int cw = (w + 1) / 2, ch = (h + 1) / 2;
    for (int cy = 0; cy < ch; cy++)
        for (int cx = 0; cx < cw; cx++) {
            double r = 0, g = 0, b = 0;
            int cnt = 0;
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    int yy = 2 * cy + dy, xx = 2 * cx + dx;
                    if (yy >= h || xx >= w)
                        continue;
                    const uint8_t *p = rgb + 3 * ((size_t)yy * (size_t)w + (size_t)xx);
                    r += p[0];
                    g += p[1];
                    b += p[2];
                    cnt++;
                }
            r /= cnt;
            g /= cnt;
            b /= cnt;
            size_t k = (size_t)cy * (size_t)cw + (size_t)cx;
            u[k] = clamp_u8(128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b);
            v[k] = clamp_u8(128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b);
        }
}

t2v_status t2v_media_y4m_write(const char *path, const t2v_clip_view *clip, double fps)
{
    int w = clip->width, h = clip->height;
    int grey = clip->channels == 1;
    size_t luma = (size_t)w * (size_t)h;
    size_t chroma = (size_t)((w + 1) / 2) * (size_t)((h + 1) / 2);
    size_t frame_bytes = grey ? luma : luma + 2 * chroma;
    uint8_t *rgb = malloc(3 * luma), *planes = malloc(frame_bytes);
    if (!rgb || !planes) {
        free(rgb);
        free(planes);
        return t2v_media_fail(T2V_ERR_NOMEM, "y4m: out of memory");
    }
    t2v_status status = T2V_OK;
    FILE *f = fopen(path, "wb");
    if (!f) {
        status = t2v_media_fail(T2V_ERR_IO, "y4m: cannot open %s: %s", path, strerror(errno));
        goto done;
    }
    long num, den;
    fps_fraction(fps, &num, &den);
    int ok = fprintf(f, "YUV4MPEG2 W%d H%d F%ld:%ld Ip A1:1 %s\n", w, h, num, den,
                     grey ? "Cmono" : "C420jpeg XCOLORRANGE=FULL") > 0;
    for (int t = 0; ok && t < clip->frames; t++) {
        if (grey) {
            t2v_media_frame_to_grey(clip, t, planes);
        } else {
            t2v_media_frame_to_rgb(clip, t, rgb);
            rgb_to_yuv420_full(rgb, w, h, planes, planes + luma, planes + luma + chroma);
        }
        ok = fputs("FRAME\n", f) >= 0 && fwrite(planes, 1, frame_bytes, f) == frame_bytes;
    }
    if (!ok)
        status = t2v_media_fail(T2V_ERR_IO, "y4m: cannot write %s: %s", path, strerror(errno));
    if (fclose(f) != 0 && status == T2V_OK)
        status = t2v_media_fail(T2V_ERR_IO, "y4m: cannot finish %s: %s", path, strerror(errno));
    if (status != T2V_OK)
        remove(path);
done:
    free(rgb);
    free(planes);
    return status;
}
