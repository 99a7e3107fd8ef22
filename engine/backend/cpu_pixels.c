/* The CPU backend's to_pixels kernel: backend memory is host memory, so it
 * is the host conversion of engine/pixels writing straight into the
 * planes. */
#include "backend/cpu.h"
#include "pixels/pixels.h"

void cpu_to_pixels(t2v_backend *be, uint8_t *const planes[3], const int strides[3],
                   const float *x, int64_t cstride, int C, int H, int W, int fmt)
{
    (void)be;
    t2v_px_dst d = {{planes[0], planes[1], planes[2]}, {strides[0], strides[1], strides[2]}};
    t2v_pixels_write(d, (t2v_pixfmt)fmt, x, cstride, C, H, W);
}
