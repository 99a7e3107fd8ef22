/* Float frames to pixel formats on the device: the per-pixel functions of
 * engine/pixels/pixel_ops.h (shared with the CPU's pixels.c), one thread
 * per pixel of the full-resolution plane and one per 2x2 chroma block, so
 * only bytes need to leave the device. */
#include "cuda_backend.cuh"

#include "pixels/pixel_ops.h"

/* grey, packed RGB or luma: x (C, H, W), channels cs floats apart */
__global__ void k_px_pixels(t2v_px_dst d, int fmt, const float *x, int64_t cs, int C, int W,
                            int64_t n)
{
    CUDA_FOR(i, n) t2v_px_write_pixel(d, fmt, x, cs, C, W, (int)(i / W), (int)(i % W));
}

/* the chroma of each 2x2 block: CH x CW blocks */
__global__ void k_px_chroma(t2v_px_dst d, int fmt, const float *x, int64_t cs, int C, int H,
                            int W, int CW, int64_t n)
{
    CUDA_FOR(i, n) t2v_px_write_chroma(d, fmt, x, cs, C, H, W, (int)(i / CW), (int)(i % CW));
}

extern "C" void cuda_to_pixels(t2v_backend *be, uint8_t *const planes[3], const int strides[3],
                               const float *x, int64_t cstride, int C, int H, int W, int fmt)
{
    if (H <= 0 || W <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    t2v_px_dst d = {{planes[0], planes[1], planes[2]}, {strides[0], strides[1], strides[2]}};
    int64_t n = (int64_t)H * W;
    k_px_pixels<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(d, fmt, x, cstride, C, W, n);
    if (!LAUNCH_OK(be, "k_px_pixels") || !t2v_px_has_chroma(fmt))
        return;
    const int CH = (H + 1) / 2, CW = (W + 1) / 2;
    int64_t nc = (int64_t)CH * CW;
    k_px_chroma<<<cuda_blocks(be, nc), T2V_CUDA_THREADS, 0, st>>>(d, fmt, x, cstride, C, H, W,
                                                                 CW, nc);
    LAUNCH_OK(be, "k_px_chroma");
}
