/* Engine-internal pieces of the pixel conversion, shared by
 * t2v_pixels_convert, the CPU backend's to_pixels kernel and the
 * generator's t2v_generator_frame_pixels. */
#ifndef T2V_PIXELS_INTERNAL_H
#define T2V_PIXELS_INTERNAL_H

#include "pixels/pixel_ops.h"

/* Planes of `fmt` at width W and height H: the least stride (bytes) and the
 * rows of each plane. Returns the number of planes, 0 for an unknown
 * format. */
int t2v_pixels_layout(t2v_pixfmt fmt, int H, int W, long min_stride[3], long rows[3]);

/* Checks a conversion's arguments (channels, size, format, planes and
 * strides); T2V_OK or T2V_ERR_INVALID with the message set. */
t2v_status t2v_pixels_check(int C, int H, int W, t2v_pixfmt fmt, uint8_t *const planes[],
                            const int strides[]);

/* The conversion on the host, arguments already checked. x (C, H, W) with
 * channel planes cs floats apart. */
void t2v_pixels_write(t2v_px_dst d, t2v_pixfmt fmt, const float *x, int64_t cs, int C, int H,
                      int W);

#endif
