/* Comparing a network built on the CUDA backend with the same network on
 * the CPU backend: the helpers the whole-network equivalence tests share. */
#ifndef T2V_CUDA_COMPARE_H
#define T2V_CUDA_COMPARE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "t2v_test.h"
#include "models/net.h"
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

/* n floats of the CUDA side copied over the CPU side's. Used on the
 * activations a ReLU's backward reads: an input within rounding of zero can
 * be kept on one backend and cut on the other, and one such decision moves
 * a channel's bias gradient by a whole element's share, far beyond
 * rounding. Backward passes that start from the same activations compare
 * the backward kernels alone (compare the activations first). */
static inline void cc_adopt(t2v_backend *gpu, t2v_backend *cpu, const float *gd, float *cd,
                            size_t n)
{
    float *h = cc_fetch(gpu, gd, n);
    t2v_backend_upload(cpu, cd, h, n * sizeof *h);
    free(h);
}

/* Whether a CUDA device answers: 77 (skip, said why) where none does, 1
 * when opening failed otherwise (reported), 0 to go on. */
static inline int cc_probe_device(void)
{
    t2v_backend *probe = NULL;
    t2v_status s = t2v_backend_open(T2V_DEVICE_CUDA, 1, 0, &probe);
    if (s == T2V_ERR_UNSUPPORTED) {
        printf("# skipped: %s\n", t2v_last_error());
        return 77;
    }
    if (!T2V_CHECK(s == T2V_OK, "open the CUDA backend: %s", t2v_last_error()))
        return 1;
    t2v_backend_close(probe);
    return 0;
}

/* reports whether the CUDA backend recorded no error during a case */
static inline void cc_check_clean(t2v_backend *gpu, const char *kind)
{
    t2v_status e = t2v_backend_sync(gpu);
    T2V_CHECK(e == T2V_OK, "%s: the CUDA backend recorded no error (%s)", kind,
              e == T2V_OK ? "none" : t2v_last_error());
}

/* A network's three setup steps, for cc_build. */
typedef struct cc_net_ops {
    t2v_status (*declare)(void *net, const void *cfg, t2v_params *ps, t2v_params *bufs);
    void (*plan)(void *net, t2v_backend *be, t2v_plan *p);
    t2v_status (*init)(void *net, t2v_backend *be, t2v_params *ps, t2v_params *bufs);
} cc_net_ops;

/* Opens the backend and builds the network on it for training batches of
 * N: parameters with gradients, buffers, activations planned. */
static inline t2v_status cc_build(t2v_backend **be, t2v_params *ps, t2v_params *bufs,
                                  t2v_arena *arena, t2v_device dev, int N, void *net,
                                  const void *cfg, const cc_net_ops *ops)
{
    t2v_status st = t2v_backend_open(dev, 2, 0, be);
    if (st != T2V_OK)
        return st;
    t2v_params_init(ps, *be);
    t2v_params_init(bufs, *be);
    st = ops->declare(net, cfg, ps, bufs);
    if (st == T2V_OK)
        st = t2v_params_allocate(ps, 1);
    if (st == T2V_OK)
        st = t2v_params_allocate(bufs, 0);
    if (st != T2V_OK)
        return st;
    t2v_plan p = {.arena = arena, .N = N, .training = 1};
    t2v_arena_measure(arena, *be);
    ops->plan(net, *be, &p);
    st = t2v_arena_commit(arena);
    if (st != T2V_OK)
        return st;
    ops->plan(net, *be, &p);
    if (p.status != T2V_OK)
        return p.status;
    return ops->init(net, *be, ps, bufs);
}

static inline void cc_release(t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                              t2v_arena *arena)
{
    if (!be)
        return;
    t2v_arena_release(arena);
    t2v_params_free(ps);
    t2v_params_free(bufs);
    t2v_backend_close(be);
}

#endif
