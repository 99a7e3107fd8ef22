/* Comparing a tensor computed on the CUDA backend with the same tensor on
 * the CPU backend: the helpers the whole-network equivalence tests share. */
#ifndef T2V_CUDA_COMPARE_H
#define T2V_CUDA_COMPARE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "t2v_test.h"
#include "txt2vid/nn.h"

/* n floats of backend memory into a new host array (NaN where the copy
 * fails, so the comparison fails too) */
static inline float *cc_fetch(t2v_backend *be, const float *dev, size_t n)
{
    float *h = malloc((n ? n : 1) * sizeof *h);
    t2v_backend_sync(be);
    if (t2v_backend_download(be, h, dev, n * sizeof *h) != T2V_OK)
        for (size_t i = 0; i < n; i++)
            h[i] = NAN;
    return h;
}

/* max |gpu - cpu| over n values, and the largest |cpu| */
static inline double cc_max_diff(const float *gpu, const float *cpu, size_t n, double *scale)
{
    double d = 0.0, m = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)gpu[i] - cpu[i]);
        if (!(e <= d))
            d = e; /* NaN sticks */
        if (fabs(cpu[i]) > m)
            m = fabs(cpu[i]);
    }
    if (scale)
        *scale = m;
    return d;
}

/* reports whether n values agree within atol + rel * the largest |cpu| */
static inline int cc_compare(t2v_backend *gpu, t2v_backend *cpu, const float *gd, const float *cd,
                             size_t n, double atol, double rel, const char *what)
{
    float *a = cc_fetch(gpu, gd, n), *b = cc_fetch(cpu, cd, n);
    double scale;
    double d = cc_max_diff(a, b, n, &scale);
    double tol = atol + rel * scale;
    int ok = d <= tol;
    free(a);
    free(b);
    return t2v_test_report(ok, "%s: %zu values, max |cuda - cpu| %.3g (tolerance %.3g)", what, n,
                           d, tol);
}

/* every parameter's gradient (or value, grads = 0) of two parameter sets
 * declared alike: how many differ by more than atol + rel * scale, the
 * first three printed */
static inline int cc_count_params(t2v_backend *gpu, t2v_backend *cpu, const t2v_params *pg,
                                  const t2v_params *pc, int grads, double atol, double rel)
{
    int bad = 0;
    for (int i = 0; i < pc->count; i++) {
        size_t n = (size_t)t2v_tensor_numel(&pc->items[i].t);
        const t2v_tensor *tg = &pg->items[i].t, *tc = &pc->items[i].t;
        float *a = cc_fetch(gpu, grads ? tg->grad : tg->data, n);
        float *b = cc_fetch(cpu, grads ? tc->grad : tc->data, n);
        double scale, d = cc_max_diff(a, b, n, &scale);
        if (!(d <= atol + rel * scale)) {
            if (bad < 3)
                printf("#   %s%s: max |cuda - cpu| %.3g, largest |cpu| %.3g\n",
                       pc->items[i].name, grads ? " gradient" : "", d, scale);
            bad++;
        }
        free(a);
        free(b);
    }
    return bad;
}

#endif
