/* Accurate, vectorisable sums for the CPU kernels: eight float lanes over
 * blocks of SUM_BLOCK values, each block's total added in double. */
#ifndef T2V_CPU_SUM_H
#define T2V_CPU_SUM_H

#include <stdint.h>

#define SUM_BLOCK 1024

/* sum of x[0..n) */
static inline double cpu_sum(const float *x, int64_t n)
{
    double total = 0.0;
    for (int64_t b = 0; b < n; b += SUM_BLOCK) {
        int64_t m = n - b < SUM_BLOCK ? n - b : SUM_BLOCK;
        const float *p = x + b;
        float lane[8] = {0};
        int64_t i = 0;
        for (; i + 8 <= m; i += 8)
            for (int k = 0; k < 8; k++)
                lane[k] += p[i + k];
        double part = 0.0;
        for (; i < m; i++)
            part += p[i];
        for (int k = 0; k < 8; k++)
            part += lane[k];
        total += part;
    }
    return total;
}

/* sum of x[i] * y[i] */
static inline double cpu_dot(const float *x, const float *y, int64_t n)
{
    double total = 0.0;
    for (int64_t b = 0; b < n; b += SUM_BLOCK) {
        int64_t m = n - b < SUM_BLOCK ? n - b : SUM_BLOCK;
        const float *p = x + b, *q = y + b;
        float lane[8] = {0};
        int64_t i = 0;
        for (; i + 8 <= m; i += 8)
            for (int k = 0; k < 8; k++)
                lane[k] += p[i + k] * q[i + k];
        double part = 0.0;
        for (; i < m; i++)
            part += (double)p[i] * q[i];
        for (int k = 0; k < 8; k++)
            part += lane[k];
        total += part;
    }
    return total;
}

/* sum of (x[i] - mean)^2 */
static inline double cpu_sqdev(const float *x, float mean, int64_t n)
{
    double total = 0.0;
    for (int64_t b = 0; b < n; b += SUM_BLOCK) {
        int64_t m = n - b < SUM_BLOCK ? n - b : SUM_BLOCK;
        const float *p = x + b;
        float lane[8] = {0};
        int64_t i = 0;
        for (; i + 8 <= m; i += 8)
            for (int k = 0; k < 8; k++) {
                float d = p[i + k] - mean;
                lane[k] += d * d;
            }
        double part = 0.0;
        for (; i < m; i++) {
            double d = (double)p[i] - mean;
            part += d * d;
        }
        for (int k = 0; k < 8; k++)
            part += lane[k];
        total += part;
    }
    return total;
}

#endif
