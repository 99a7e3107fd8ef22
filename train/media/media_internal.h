/* Functions shared by the media writers; not part of the public API. */
#ifndef TXT2VID_MEDIA_INTERNAL_H
#define TXT2VID_MEDIA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"

#if defined(__GNUC__)
#define T2V_MEDIA_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define T2V_MEDIA_PRINTF(a, b)
#endif

/* Records the failure message for t2v_media_last_error() and returns s. */
t2v_status t2v_media_fail(t2v_status s, const char *fmt, ...) T2V_MEDIA_PRINTF(2, 3);
void t2v_media_clear_error(void);

/* a * b * c * d bytes, or 0 (with a NOMEM message) when it overflows or any
 * factor is not positive. */
size_t t2v_media_bytes(long a, long b, long c, long d);

/* True when every pixel of packed RGB (n pixels) has R == G == B. */
int t2v_media_rgb_is_grey(const uint8_t *rgb, size_t n);

/* The extension of path without the dot, lower-cased into ext (size cap);
 * "" when there is none. */
void t2v_media_extension(const char *path, char *ext, size_t cap);

/* PNG from packed 8-bit pixels. px: (h, w, channels), channels 1 (grey) or 3. */
t2v_status t2v_media_png_write(const char *path, const uint8_t *px, int w, int h, int channels);

/* Animated, looping GIF from packed RGB frames. frames: (n, h, w, 3).
 * All-grey input keeps exact grey levels; otherwise a median-cut palette. */
t2v_status t2v_media_gif_write(const char *path, const uint8_t *frames, int n, int w, int h,
                               double fps);

/* YUV4MPEG2 and H.264/MP4 writers for a checked clip. */
t2v_status t2v_media_y4m_write(const char *path, const t2v_clip_view *clip, double fps);
t2v_status t2v_media_mp4_write(const char *path, const t2v_clip_view *clip, double fps);

#endif
