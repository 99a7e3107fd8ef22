/* A picture moved along a path on the device (nn.h translate_*; the
 * arithmetic is engine/backend/translate_ops.h, shared with the CPU
 * backend): one thread per frame pixel forward; backward one thread per
 * picture pixel gathering its frames, and one block per (item, frame)
 * summing the offsets' gradient over channels and pixels in double. */
#include "cuda_backend.cuh"

#include "backend/translate_ops.h"

#define TR_BLOCK 256

__global__ void k_translate(float *y, const float *x, const float *off, int C, int T, int H,
                            int W, float fill, int64_t n)
{
    CUDA_FOR(e, n)
    {
        const int64_t HW = (int64_t)H * W;
        int64_t plane = e / HW; /* (n, c, t) */
        int p = (int)(e % HW);
        int t = (int)(plane % T);
        int64_t nc = plane / T;
        int64_t item = nc / C;
        t2v_shift s = t2v_shift_of(off + (item * T + t) * 2, H, W);
        y[e] = t2v_tr_pixel(x + nc * HW, H, W, s, p / W, p % W, fill);
    }
}

__global__ void k_translate_dx(float *dx, const float *dy, const float *off, int C, int T, int H,
                               int W, int64_t n)
{
    CUDA_FOR(e, n)
    {
        const int64_t HW = (int64_t)H * W;
        int64_t nc = e / HW;
        int p = (int)(e % HW);
        int64_t item = nc / C;
        float v = 0.0f;
        for (int t = 0; t < T; t++) {
            t2v_shift s = t2v_shift_of(off + (item * T + t) * 2, H, W);
            v += t2v_tr_dpixel(dy + (nc * T + t) * HW, H, W, s, p / W, p % W);
        }
        dx[e] = v;
    }
}

__global__ void k_translate_doff(float *doff, const float *dy, const float *x, const float *off,
                                 int C, int T, int H, int W, float fill)
{
    __shared__ double sy[TR_BLOCK], sx[TR_BLOCK];
    const int64_t item = blockIdx.x / T;
    const int t = (int)(blockIdx.x % T);
    const int64_t HW = (int64_t)H * W;
    t2v_shift s = t2v_shift_of(off + (item * T + t) * 2, H, W);
    double gy = 0.0, gx = 0.0;
    for (int64_t e = threadIdx.x; e < C * HW; e += blockDim.x) {
        int64_t c = e / HW;
        int p = (int)(e % HW);
        const float *xc = x + (item * C + c) * HW;
        float g = dy[((item * C + c) * T + t) * HW + p];
        float a, b;
        t2v_tr_doff(xc, H, W, s, p / W, p % W, fill, g, &a, &b);
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
                                       const float *off, int N, int C, int T, int H, int W,
                                       float fill)
{
    int64_t n = (int64_t)N * C * T * H * W;
    if (n <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_translate<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(y, x, off, C, T, H, W, fill, n);
    LAUNCH_OK(be, "k_translate");
}

extern "C" void cuda_translate_backward(t2v_backend *be, float *dx, float *doff, const float *dy,
                                        const float *x, const float *off, int N, int C, int T,
                                        int H, int W, float fill)
{
    int64_t n = (int64_t)N * C * H * W;
    if (n <= 0 || T <= 0)
        return;
    cudaStream_t st = cuda_enter(be);
    k_translate_dx<<<cuda_blocks(be, n), T2V_CUDA_THREADS, 0, st>>>(dx, dy, off, C, T, H, W, n);
    if (!LAUNCH_OK(be, "k_translate_dx"))
        return;
    k_translate_doff<<<(unsigned)((int64_t)N * T), TR_BLOCK, 0, st>>>(doff, dy, x, off, C, T, H,
                                                                     W, fill);
    LAUNCH_OK(be, "k_translate_doff");
}
