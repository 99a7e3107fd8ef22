/* A picture moved along a path on the device (nn.h translate_*; the
 * arithmetic is engine/backend/translate_ops.h, shared with the CPU
 * backend): one thread per frame pixel forward; backward one thread per
 * picture pixel gathering its frames, and one block per (item, frame)
 * summing the offsets' gradient over channels and pixels in double. */
#include "cuda_backend.cuh"

#include "backend/translate_ops.h"

#define TR_BLOCK 256

/* picture (h, w), frame (H, W) */
struct tr_dims {
    int C, T, h, w, H, W;
};

__global__ void k_translate(float *y, const float *x, const float *off, tr_dims d, float fill,
                            int64_t n)
{
    CUDA_FOR(e, n)
    {
        const int64_t HW = (int64_t)d.H * d.W;
        int64_t plane = e / HW; /* (n, c, t) */
        int p = (int)(e % HW);
        int t = (int)(plane % d.T);
        int64_t nc = plane / d.T;
        int64_t item = nc / d.C;
        t2v_shift s = t2v_shift_of(off + (item * d.T + t) * 2, d.h, d.w, d.H, d.W);
        y[e] = t2v_tr_pixel(x + nc * d.h * d.w, d.h, d.w, s, p / d.W, p % d.W, fill);
    }
}

__global__ void k_translate_dx(float *dx, const float *dy, const float *off, tr_dims d, int64_t n)
{
    CUDA_FOR(e, n)
    {
        const int64_t hw = (int64_t)d.h * d.w, HW = (int64_t)d.H * d.W;
        int64_t nc = e / hw;
        int p = (int)(e % hw);
        int64_t item = nc / d.C;
        float v = 0.0f;
        for (int t = 0; t < d.T; t++) {
            t2v_shift s = t2v_shift_of(off + (item * d.T + t) * 2, d.h, d.w, d.H, d.W);
            v += t2v_tr_dpixel(dy + (nc * d.T + t) * HW, d.H, d.W, s, p / d.w, p % d.w);
        }
        dx[e] = v;
    }
}

__global__ void k_translate_doff(float *doff, const float *dy, const float *x, const float *off,
                                 tr_dims d, float fill)
{
    __shared__ double sy[TR_BLOCK], sx[TR_BLOCK];
    const int64_t item = blockIdx.x / d.T;
    const int t = (int)(blockIdx.x % d.T);
    const int64_t hw = (int64_t)d.h * d.w, HW = (int64_t)d.H * d.W;
    t2v_shift s = t2v_shift_of(off + (item * d.T + t) * 2, d.h, d.w, d.H, d.W);
    double gy = 0.0, gx = 0.0;
    for (int64_t e = threadIdx.x; e < d.C * HW; e += blockDim.x) {
        int64_t c = e / HW;
        int p = (int)(e % HW);
        const float *xc = x + (item * d.C + c) * hw;
        float g = dy[((item * d.C + c) * d.T + t) * HW + p];
        float a, b;
        t2v_tr_doff(xc, d.h, d.w, s, p / d.W, p % d.W, fill, g, &a, &b);
        gy += a;
        gx += b;
    }
    sy[threadIdx.x] = gy;
    sx[threadIdx.x] = gx;
    __syncthreads();
    for (int h = blockDim.x / 2; h > 0; h /= 2) {
        if ((int)threadIdx.x < h) {
            sy[threadIdx.x] += sy[threadIdx.x + h];
            sx[threadIdx.x] += sx[threadIdx.x + h];
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        doff[blockIdx.x * 2] = (float)sy[0];
        doff[blockIdx.x * 2 + 1] = (float)sx[0];
    }
}

extern "C" void cuda_translate_forward(t2v_backend *be, float *y, const float *x,
                                       const float *off, int N, int C, int T, int h, int w,
                                       int H, int W, float fill)
{
    int64_t n = (int64_t)N * C * T * H * W;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    tr_dims d = {C, T, h, w, H, W};
    k_translate<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, off, d, fill, n);
    LAUNCH_OK(be, "k_translate");
}

extern "C" void cuda_translate_backward(t2v_backend *be, float *dx, float *doff, const float *dy,
                                        const float *x, const float *off, int N, int C, int T,
                                        int h, int w, int H, int W, float fill)
{
    int64_t n = (int64_t)N * C * h * w;
    if (n <= 0 || T <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    tr_dims d = {C, T, h, w, H, W};
    k_translate_dx<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(dx, dy, off, d, n);
    if (!LAUNCH_OK(be, "k_translate_dx"))
        return;
    k_translate_doff<<<(unsigned)((int64_t)N * T), TR_BLOCK, 0, st>>>(doff, dy, x, off, d, fill);
    LAUNCH_OK(be, "k_translate_doff");
}

/* a bouncing path: one thread per row (a few dozen rows of T frames) */
__global__ void k_bounce(float *off, const float *par, int gated, int rows, int T, float reach,
                         float vmax)
{
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    size_t np = gated ? 5 : 4;
    if (r < rows)
        t2v_bounce_row(off + (size_t)r * T * 2, par + r * np, gated, T, reach, vmax);
}

__global__ void k_bounce_dpar(float *dpar, const float *doff, const float *par, int gated,
                              int rows, int T, float reach, float vmax, float sharpen)
{
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    size_t np = gated ? 5 : 4;
    if (r < rows)
        t2v_bounce_row_backward(dpar + r * np, doff + (size_t)r * T * 2, par + r * np, gated, T,
                                reach, vmax, sharpen);
}

extern "C" void cuda_bounce_forward(t2v_backend *be, float *off, const float *par, int gated,
                                    int rows, int T, float reach, float vmax)
{
    if (rows <= 0 || T <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_bounce<<<cuda_blocks(be, rows), T2V_CUDA_THREADS, 0, st>>>(off, par, gated, rows, T, reach,
                                                                 vmax);
    LAUNCH_OK(be, "k_bounce");
}

extern "C" void cuda_bounce_backward(t2v_backend *be, float *dpar, const float *doff,
                                     const float *par, int gated, int rows, int T, float reach,
                                     float vmax, float sharpen)
{
    if (rows <= 0 || T <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_bounce_dpar<<<cuda_blocks(be, rows), T2V_CUDA_THREADS, 0, st>>>(dpar, doff, par, gated, rows,
                                                                       T, reach, vmax, sharpen);
    LAUNCH_OK(be, "k_bounce_dpar");
}
