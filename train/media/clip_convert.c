/* Float clips in [-1, 1] to 8-bit pixels, and small shared utilities. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "media_internal.h"

uint8_t t2v_media_to_u8(float v)
{
    if (!(v > -1.0f)) /* also NaN */
        return 0;
    if (v >= 1.0f)
        return 255;
    double x = ((double)v + 1.0) * 127.5 + 0.5; /* double: exact halves round up */
    int i = (int)x;
    return (uint8_t)(i > 255 ? 255 : i);
}

size_t t2v_media_bytes(long a, long b, long c, long d)
{
    if (a <= 0 || b <= 0 || c <= 0 || d <= 0) {
        t2v_media_fail(T2V_ERR_INVALID, "image size %ld x %ld x %ld x %ld is empty", a, b, c, d);
        return 0;
    }
    size_t limit = (size_t)1 << 40, n = 1;
    long f[4] = {a, b, c, d};
    for (int i = 0; i < 4; i++) {
        if ((size_t)f[i] > limit / n) {
            t2v_media_fail(T2V_ERR_NOMEM, "image size %ld x %ld x %ld x %ld is too large", a, b,
                           c, d);
            return 0;
        }
        n *= (size_t)f[i];
    }
    return n;
}

t2v_status t2v_media_check_clip(const t2v_clip_view *clip)
{
    if (!clip || !clip->data)
        return t2v_media_fail(T2V_ERR_INVALID, "clip: no data");
    if (clip->channels != 1 && clip->channels != 3)
        return t2v_media_fail(T2V_ERR_INVALID, "clip: %d channels (want 1 or 3)",
                              clip->channels);
    if (clip->frames < 1 || clip->height < 1 || clip->width < 1)
        return t2v_media_fail(T2V_ERR_INVALID, "clip: empty shape T=%d H=%d W=%d",
                              clip->frames, clip->height, clip->width);
    /* frames side by side must also fit in an int-sized image row */
    if ((long)clip->frames * clip->width > 1L << 24 || clip->height > 1 << 24)
        return t2v_media_fail(T2V_ERR_INVALID, "clip: shape T=%d H=%d W=%d is too large",
                              clip->frames, clip->height, clip->width);
    if (!t2v_media_bytes(clip->channels, clip->frames, clip->height, clip->width))
        return T2V_ERR_NOMEM;
    return T2V_OK;
}

t2v_status t2v_media_frame_to_rgb(const t2v_clip_view *clip, int t, uint8_t *rgb)
{
    t2v_status s = t2v_media_check_clip(clip);
    if (s != T2V_OK)
        return s;
    if (t < 0 || t >= clip->frames || !rgb)
        return t2v_media_fail(T2V_ERR_INVALID, "frame %d of %d (or no output)", t, clip->frames);
    size_t plane = (size_t)clip->height * (size_t)clip->width;
    size_t stride_c = plane * (size_t)clip->frames; /* (C, T, H, W) */
    const float *f = clip->data + (size_t)t * plane;
    for (size_t i = 0; i < plane; i++) {
        if (clip->channels == 1) {
            uint8_t g = t2v_media_to_u8(f[i]);
            rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = g;
        } else {
            for (int c = 0; c < 3; c++)
                rgb[3 * i + c] = t2v_media_to_u8(f[(size_t)c * stride_c + i]);
        }
    }
    return T2V_OK;
}

t2v_status t2v_media_frame_to_grey(const t2v_clip_view *clip, int t, uint8_t *grey)
{
    t2v_status s = t2v_media_check_clip(clip);
    if (s != T2V_OK)
        return s;
    if (t < 0 || t >= clip->frames || !grey)
        return t2v_media_fail(T2V_ERR_INVALID, "frame %d of %d (or no output)", t, clip->frames);
    size_t plane = (size_t)clip->height * (size_t)clip->width;
    size_t stride_c = plane * (size_t)clip->frames;
    const float *f = clip->data + (size_t)t * plane;
    for (size_t i = 0; i < plane; i++) {
        if (clip->channels == 1) {
            grey[i] = t2v_media_to_u8(f[i]);
        } else {
            double y = 0.299 * t2v_media_to_u8(f[i]) + 0.587 * t2v_media_to_u8(f[stride_c + i]) +
                       0.114 * t2v_media_to_u8(f[2 * stride_c + i]);
            grey[i] = (uint8_t)lround(y);
        }
    }
    return T2V_OK;
}

int t2v_media_rgb_is_grey(const uint8_t *rgb, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (rgb[3 * i] != rgb[3 * i + 1] || rgb[3 * i] != rgb[3 * i + 2])
            return 0;
    return 1;
}

void t2v_media_extension(const char *path, char *ext, size_t cap)
{
    ext[0] = '\0';
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    if (!dot || cap == 0)
        return;
    size_t i = 0;
    for (const char *p = dot + 1; *p && i + 1 < cap; p++)
        ext[i++] = (char)tolower((unsigned char)*p);
    ext[i] = '\0';
}
