/* Central finite differences against analytic parameter gradients. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fd_check.h"

void fd_upload(t2v_backend *be, float *dev, const float *host, size_t n)
{
    t2v_backend_upload(be, dev, host, n * sizeof(float));
}

void fd_download(t2v_backend *be, float *host, const float *dev, size_t n)
{
    t2v_backend_download(be, host, dev, n * sizeof(float));
}

double fd_weighted(t2v_backend *be, const float *dev, const float *w, size_t n, float *tmp)
{
    float *h = tmp ? tmp : malloc(n * sizeof *h);
    fd_download(be, h, dev, n);
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)w[i] * h[i];
    if (!tmp)
        free(h);
    return s;
}

double fd_central(t2v_backend *be, float *ptr, float orig, double eps, fd_loss_fn loss,
                  void *ctx)
{
    float v = orig + (float)eps;
    fd_upload(be, ptr, &v, 1);
    double lp = loss(ctx);
    v = orig - (float)eps;
    fd_upload(be, ptr, &v, 1);
    double lm = loss(ctx);
    fd_upload(be, ptr, &orig, 1);
    return (lp - lm) / (2 * eps);
}

void fd_plan_twice(t2v_backend *be, t2v_arena *a, void (*fn)(void *, t2v_plan *), void *ctx,
                   int N)
{
    t2v_plan p = {.arena = a, .N = N, .training = 1};
    t2v_arena_measure(a, be);
    fn(ctx, &p);
    t2v_arena_commit(a);
    fn(ctx, &p);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

void fd_compare_params(t2v_backend *be, t2v_params *ps, fd_loss_fn loss, void *ctx, double eps,
                       double atol, int max_checked, fd_result *r)
{
    int bad = 0, checked = 0;
    double *rel = malloc((size_t)max_checked * sizeof *rel);
    double worst = 0.0;
    const char *worst_name = "";
    for (int i = 0; i < ps->count && rel; i++) {
        t2v_param *p = &ps->items[i];
        int64_t n = t2v_tensor_numel(&p->t);
        float *g = malloc((size_t)n * sizeof *g);
        fd_download(be, g, p->t.grad, (size_t)n);
        for (int k = 0; k < 3 && checked < max_checked; k++) {
            int64_t j = (int64_t)((uint64_t)(i * 7919 + k * 104729) % (uint64_t)n);
            float orig;
            fd_download(be, &orig, p->t.data + j, 1);
            double num = fd_central(be, p->t.data + j, orig, eps, loss, ctx), ana = g[j];
            double err = fabs(num - ana), e = err / (atol + fabs(num));
            rel[checked++] = e;
            if (err > atol + 0.05 * fabs(num)) {
                bad++;
                if (bad <= 3)
                    printf("#   %s[%lld]: analytic %.6g numeric %.6g\n", p->name, (long long)j,
                           ana, num);
            }
            if (e > worst) {
                worst = e;
                worst_name = p->name;
            }
        }
        free(g);
    }
    if (rel)
        qsort(rel, (size_t)checked, sizeof rel[0], cmp_double);
    r->checked = checked;
    r->bad = bad;
    r->median = checked ? rel[checked / 2] : 1.0;
    r->worst = worst;
    r->worst_name = worst_name;
    free(rel);
}
