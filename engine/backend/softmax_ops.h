/* The arithmetic of a masked softmax over one row (nn.h softmax_*), shared
 * by the CPU backend and the CUDA backend so that both sum in the same
 * order. Under nvcc every function is __host__ __device__.
 *
 * A row of `len` scores x with mask m (1: a word, 0: padding):
 *   y_i = m_i exp(x_i - max) / sum_j m_j exp(x_j - max), max over m_j = 1;
 * a row without words is all zero. Backward, for a loss L(y) + ent H(y)
 * with H = -sum y log y and dy = dL/dy:
 *   g_i = dy_i - ent (log y_i + 1) where y_i > 0,
 *   dx_i = y_i (g_i - sum_j y_j g_j). */
#ifndef T2V_SOFTMAX_OPS_H
#define T2V_SOFTMAX_OPS_H

#ifdef __CUDACC__
#define T2V_SM_FN __host__ __device__ __forceinline__ static
#else
#define T2V_SM_FN static inline
#endif

#include <math.h>

T2V_SM_FN void t2v_softmax_row(float *y, const float *x, const float *mask, int len)
{
    float mx = -INFINITY;
    for (int i = 0; i < len; i++)
        if (mask[i] != 0.0f && x[i] > mx)
            mx = x[i];
    float sum = 0.0f;
    for (int i = 0; i < len; i++) {
        y[i] = mask[i] != 0.0f ? expf(x[i] - mx) : 0.0f;
        sum += y[i];
    }
    float inv = sum > 0.0f ? 1.0f / sum : 0.0f;
    for (int i = 0; i < len; i++)
        y[i] *= inv;
}

T2V_SM_FN float t2v_softmax_grad_of(float y, float dy, float ent)
{
    return y > 0.0f ? dy - ent * (logf(y) + 1.0f) : 0.0f;
}

T2V_SM_FN void t2v_softmax_row_backward(float *dx, const float *y, const float *dy, int len,
                                        float ent)
{
    float dot = 0.0f;
    for (int i = 0; i < len; i++)
        dot += y[i] * t2v_softmax_grad_of(y[i], dy[i], ent);
    for (int i = 0; i < len; i++)
        dx[i] = y[i] * (t2v_softmax_grad_of(y[i], dy[i], ent) - dot);
}

#endif
