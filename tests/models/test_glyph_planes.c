/* The glyph as the object discriminator's planes (train/stackgan/
 * glyph_planes.h) against a double-precision reference written here:
 * x = [t_c (p + 1) / 2, p] for every pixel, and the gradients of a
 * weighted sum of x with respect to p and the tint, analytic against
 * central differences of the reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "backend/backend.h"
#include "fd_check.h"
#include "t2v_test.h"
#include "train/stackgan/glyph_planes.h"

enum { N = 3, C = 3, L = 20 };

static t2v_backend *be;
static t2v_glyph_planes gp;
static float *p_dev, *t_dev, *dx_dev;

static void plan(void *ctx, t2v_plan *p)
{
    (void)ctx;
    t2v_glyph_planes_plan(&gp, p, N, C, L);
    p_dev = t2v_plan_floats(p, (size_t)N * L);
    t_dev = t2v_plan_floats(p, (size_t)N * C);
    dx_dev = t2v_plan_floats(p, (size_t)N * (C + 1) * L);
}

/* x[n][c][l] of the reference */
static double ref_x(const double *p, const double *t, int n, int c, int l)
{
    double pv = p[n * L + l];
    return c < C ? t[n * C + c] * (pv + 1.0) / 2.0 : pv;
}

/* sum of w x */
static double ref_loss(const double *p, const double *t, const float *w)
{
    double s = 0.0;
    for (int n = 0; n < N; n++)
        for (int c = 0; c <= C; c++)
            for (int l = 0; l < L; l++)
                s += w[(n * (C + 1) + c) * L + l] * ref_x(p, t, n, c, l);
    return s;
}

/* central differences of ref_loss over the n entries of v (p or t) */
static void central(double *p, double *t, double *v, int n, const float *w, double *out)
{
    const double h = 1e-3;
    for (int i = 0; i < n; i++) {
        double keep = v[i];
        v[i] = keep + h;
        double up = ref_loss(p, t, w);
        v[i] = keep - h;
        out[i] = (up - ref_loss(p, t, w)) / (2 * h);
        v[i] = keep;
    }
}

int main(void)
{
    if (t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) != T2V_OK) {
        printf("FAIL - cannot open the CPU backend: %s\n", t2v_last_error());
        return 1;
    }
    t2v_arena arena = {0};
    fd_plan_twice(be, &arena, plan, NULL, N);
    float pf[N * L], tf[N * C], w[N * (C + 1) * L];
    double p[N * L], t[N * C];
    t2v_rng_uniform_host(pf, N * L, 4, 0, 0);
    t2v_rng_uniform_host(tf, N * C, 4, 1, 0);
    t2v_rng_uniform_host(w, N * (C + 1) * L, 4, 2, 0);
    for (int i = 0; i < N * L; i++)
        p[i] = pf[i] = 2.0f * pf[i] - 1.0f;
    for (int i = 0; i < N * C; i++)
        t[i] = tf[i] = 2.0f * tf[i] - 1.0f;
    for (int i = 0; i < N * (C + 1) * L; i++)
        w[i] = 2.0f * w[i] - 1.0f;
    fd_upload(be, p_dev, pf, N * L);
    fd_upload(be, t_dev, tf, N * C);
    t2v_glyph_planes_forward(&gp, be, p_dev, t_dev);
    float x[N * (C + 1) * L];
    double want[N * (C + 1) * L];
    fd_download(be, x, gp.x, N * (C + 1) * L);
    for (int n = 0; n < N; n++)
        for (int c = 0; c <= C; c++)
            for (int l = 0; l < L; l++)
                want[(n * (C + 1) + c) * L + l] = ref_x(p, t, n, c, l);
    t2v_check_arrays(x, want, N * (C + 1) * L, 1e-6, 1e-6,
                     "glyph planes: the tint times alpha, then the picture, at every pixel");
    /* the gradients of sum w x */
    fd_upload(be, dx_dev, w, N * (C + 1) * L);
    t2v_glyph_planes_backward(&gp, be, dx_dev);
    float dp[N * L], dt[N * C];
    fd_download(be, dp, gp.dpic, N * L);
    fd_download(be, dt, gp.dtint, N * C);
    double wp[N * L], wt[N * C];
    central(p, t, p, N * L, w, wp);
    central(p, t, t, N * C, w, wt);
    t2v_check_arrays(dp, wp, N * L, 1e-5, 1e-4,
                     "glyph planes: the picture's gradient against central differences");
    t2v_check_arrays(dt, wt, N * C, 1e-5, 1e-4,
                     "glyph planes: the tint's gradient (a sum over the pixels) against central "
                     "differences");
    /* backward assigns: a second call gives the same gradients */
    t2v_glyph_planes_backward(&gp, be, dx_dev);
    float dp2[N * L];
    fd_download(be, dp2, gp.dpic, N * L);
    int same = 1;
    for (int i = 0; i < N * L; i++)
        same &= dp2[i] == dp[i];
    T2V_CHECK(same, "glyph planes: backward assigns its gradients (a second call repeats them)");
    t2v_arena_release(&arena);
    t2v_backend_close(be);
    return t2v_test_finish();
}
