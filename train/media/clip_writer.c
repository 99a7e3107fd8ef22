/* t2v_media_write_clip: one clip to a file, the format chosen by extension. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "media_internal.h"

/* The T frames side by side: (H, T*W, C) with C = 1 for grey clips. */
static t2v_status write_strip_png(const char *path, const t2v_clip_view *clip)
{
    int w = clip->width, h = clip->height, n = clip->frames, c = clip->channels;
    size_t frame = (size_t)w * (size_t)h;
    uint8_t *one = malloc(frame * 3);
    uint8_t *strip = malloc(frame * (size_t)n * (size_t)c);
    if (!one || !strip) {
        free(one);
        free(strip);
        return t2v_media_fail(T2V_ERR_NOMEM, "png: out of memory for %d frames", n);
    }
    size_t row = (size_t)n * (size_t)w * (size_t)c;
    for (int t = 0; t < n; t++) {
        if (c == 1)
            t2v_media_frame_to_grey(clip, t, one);
        else
            t2v_media_frame_to_rgb(clip, t, one);
        for (int y = 0; y < h; y++)
            memcpy(strip + (size_t)y * row + (size_t)t * (size_t)w * (size_t)c,
                   one + (size_t)y * (size_t)w * (size_t)c, (size_t)w * (size_t)c);
    }
    t2v_status s = t2v_media_png_write(path, strip, n * w, h, c);
    free(one);
    free(strip);
    return s;
}

static t2v_status write_gif(const char *path, const t2v_clip_view *clip, double fps)
{
    size_t frame = (size_t)clip->width * (size_t)clip->height * 3;
    uint8_t *rgb = malloc(frame * (size_t)clip->frames);
    if (!rgb)
        return t2v_media_fail(T2V_ERR_NOMEM, "gif: out of memory for %d frames", clip->frames);
    for (int t = 0; t < clip->frames; t++)
        t2v_media_frame_to_rgb(clip, t, rgb + (size_t)t * frame);
    t2v_status s = t2v_media_gif_write(path, rgb, clip->frames, clip->width, clip->height, fps);
    free(rgb);
    return s;
}

t2v_status t2v_media_write_clip(const char *path, const t2v_clip_view *clip, double fps)
{
    t2v_media_clear_error();
    if (!path || !*path)
        return t2v_media_fail(T2V_ERR_INVALID, "write clip: no path");
    t2v_status s = t2v_media_check_clip(clip);
    if (s != T2V_OK)
        return s;
    if (!(fps > 0.0) || !isfinite(fps) || fps > 1000.0)
        return t2v_media_fail(T2V_ERR_INVALID, "write clip: frame rate %g not in (0, 1000]",
                              fps);
    char ext[8];
    t2v_media_extension(path, ext, sizeof ext);
    if (!strcmp(ext, "png"))
        return write_strip_png(path, clip);
    if (!strcmp(ext, "gif"))
        return write_gif(path, clip, fps);
    if (!strcmp(ext, "y4m"))
        return t2v_media_y4m_write(path, clip, fps);
    if (!strcmp(ext, "mp4"))
        return t2v_media_mp4_write(path, clip, fps);
    return t2v_media_fail(T2V_ERR_UNSUPPORTED,
                          "write clip: unknown extension of %s (want .mp4, .gif, .png or .y4m)",
                          path);
}
