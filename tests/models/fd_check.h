/* Finite-difference checks of analytic gradients shared by the model
 * gradient tests: host <-> device copies, weighted sums of device outputs
 * (a scalar loss with known gradient w), central differences of one
 * parameter entry, and the comparison over every parameter of a set. */
#ifndef T2V_TEST_FD_CHECK_H
#define T2V_TEST_FD_CHECK_H

#include <stddef.h>

#include "backend/backend.h"
#include "models/net.h"

typedef double (*fd_loss_fn)(void *ctx);

void fd_upload(t2v_backend *be, float *dev, const float *host, size_t n);
void fd_download(t2v_backend *be, float *host, const float *dev, size_t n);

/* sum_i w[i] * dev[i] in double; tmp (n floats) or NULL to allocate. */
double fd_weighted(t2v_backend *be, const float *dev, const float *w, size_t n, float *tmp);

/* (loss(x + eps) - loss(x - eps)) / 2 eps for the device entry ptr whose
 * value is orig; the entry is restored. */
double fd_central(t2v_backend *be, float *ptr, float orig, double eps, fd_loss_fn loss,
                  void *ctx);

/* Plans twice: measuring the arena, then committing it and planning for real. */
void fd_plan_twice(t2v_backend *be, t2v_arena *a, void (*fn)(void *, t2v_plan *), void *ctx,
                   int N);

typedef struct fd_result {
    int checked;             /* entries compared */
    int bad;                 /* outside atol + 5% of the numeric value */
    double median, worst;    /* relative errors err / (atol + |numeric|) */
    const char *worst_name;  /* the parameter of the worst one */
} fd_result;

/* Compares the analytic gradients already in ps with central differences
 * (step eps) of loss() at three entries of every parameter, at most
 * max_checked entries in all; prints the first three misses as "#" lines. */
void fd_compare_params(t2v_backend *be, t2v_params *ps, fd_loss_fn loss, void *ctx, double eps,
                       double atol, int max_checked, fd_result *r);

#endif
