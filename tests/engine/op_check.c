/* Routines shared by the op tests (see op_check.h). */
#include "op_check.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const uint32_t oc_sentinel_bits = 0x7fc0dead;

float oc_sentinel(void)
{
    float f;
    memcpy(&f, &oc_sentinel_bits, sizeof f);
    return f;
}

static void *track(oc_ctx *oc, void *base, size_t n, int is_host)
{
    if (!base || oc->nbufs == OC_MAX_BUFS) {
        oc->alloc_failed = 1;
        if (base && is_host)
            free(base);
        else if (base)
            t2v_backend_free(oc->be, base);
        return NULL;
    }
    oc->bufs[oc->nbufs].base = base;
    oc->bufs[oc->nbufs].n = n;
    oc->bufs[oc->nbufs].is_host = is_host;
    oc->nbufs++;
    return base;
}

float *oc_alloc(oc_ctx *oc, size_t n)
{
    size_t total = n + 2 * OC_GUARD;
    float *base = t2v_backend_alloc(oc->be, total * sizeof(float));
    if (!track(oc, base, n, 0))
        return NULL;
    float *fill = malloc(total * sizeof *fill);
    float s = oc_sentinel();
    for (size_t i = 0; i < total; i++)
        fill[i] = s;
    t2v_backend_upload(oc->be, base, fill, total * sizeof(float));
    free(fill);
    return base + OC_GUARD;
}

float *oc_dev(oc_ctx *oc, const float *host, size_t n)
{
    float *d = oc_alloc(oc, n);
    if (d)
        oc_up(oc, d, host, n);
    return d;
}

float *oc_hostf(oc_ctx *oc, size_t n)
{
    return track(oc, calloc(n ? n : 1, sizeof(float)), n, 1);
}

double *oc_hostd(oc_ctx *oc, size_t n)
{
    return track(oc, calloc(n ? n : 1, sizeof(double)), n, 1);
}

void oc_up(oc_ctx *oc, float *dev, const float *host, size_t n)
{
    t2v_backend_upload(oc->be, dev, host, n * sizeof(float));
}

void oc_down(oc_ctx *oc, float *host, const float *dev, size_t n)
{
    t2v_backend_sync(oc->be);
    t2v_backend_download(oc->be, host, dev, n * sizeof(float));
}

float *oc_fetch(oc_ctx *oc, const float *dev, size_t n)
{
    float *h = oc_hostf(oc, n);
    if (h)
        oc_down(oc, h, dev, n);
    return h;
}

int oc_guards_damaged(oc_ctx *oc, char *why, size_t why_size)
{
    int damaged = 0;
    t2v_backend_sync(oc->be);
    for (int b = 0; b < oc->nbufs; b++) {
        const oc_buf *buf = &oc->bufs[b];
        if (buf->is_host)
            continue;
        uint32_t *g = malloc(OC_GUARD * sizeof *g);
        const float *sides[2] = {buf->base, buf->base + OC_GUARD + buf->n};
        int bad = 0;
        for (int s = 0; s < 2 && !bad; s++) {
            t2v_backend_download(oc->be, g, sides[s], OC_GUARD * sizeof *g);
            for (int i = 0; i < OC_GUARD; i++)
                if (g[i] != oc_sentinel_bits) {
                    if (!damaged)
                        snprintf(why, why_size, "buffer %d (%zu floats): %s guard float %d",
                                 b, buf->n, s ? "after" : "before",
                                 s ? i : i - OC_GUARD);
                    bad = 1;
                    break;
                }
        }
        free(g);
        damaged += bad;
    }
    return damaged;
}

void oc_release(oc_ctx *oc)
{
    for (int b = 0; b < oc->nbufs; b++) {
        if (oc->bufs[b].is_host)
            free(oc->bufs[b].base);
        else
            t2v_backend_free(oc->be, oc->bufs[b].base);
    }
    oc->nbufs = 0;
    oc->alloc_failed = 0;
}

void oc_uniform(oc_ctx *oc, float *host, size_t n, float lo, float hi)
{
    t2v_rng_uniform_host(host, n, 20261125u, oc->stream++, 0);
    for (size_t i = 0; i < n; i++)
        host[i] = lo + (hi - lo) * (1.0f - host[i]); /* (0,1] -> [lo, hi) */
}

void oc_away_from_zero(oc_ctx *oc, float *host, size_t n, float lo, float hi)
{
    float *sign = malloc((n ? n : 1) * sizeof *sign);
    oc_uniform(oc, host, n, lo, hi);
    oc_uniform(oc, sign, n, 0.0f, 1.0f);
    for (size_t i = 0; i < n; i++)
        if (sign[i] < 0.5f)
            host[i] = -host[i];
    free(sign);
}

static void consider(oc_cmp *r, long i, double got, double want, double atol, double rtol)
{
    double err = fabs(got - want);
    double tol = atol + rtol * fabs(want);
    int bad = !isfinite(got) || !isfinite(want) || err > tol;
    if (isfinite(err) && err > r->max_err)
        r->max_err = err;
    if (bad) {
        double excess = isfinite(err) ? err - tol : INFINITY;
        static double worst_excess;
        if (r->ok || excess > worst_excess) {
            worst_excess = excess;
            r->worst = i;
            r->got = got;
            r->want = want;
        }
        r->ok = 0;
    }
}

oc_cmp oc_compare(const float *got, const double *want, long n, double atol, double rtol)
{
    oc_cmp r = {1, n, -1, 0, 0, 0};
    for (long i = 0; i < n; i++)
        consider(&r, i, got[i], want[i], atol, rtol);
    if (!r.ok && !isfinite(r.got))
        r.max_err = INFINITY;
    return r;
}

oc_cmp oc_compare_d(const double *got, const double *want, long n, double atol, double rtol)
{
    oc_cmp r = {1, n, -1, 0, 0, 0};
    for (long i = 0; i < n; i++)
        consider(&r, i, got[i], want[i], atol, rtol);
    if (!r.ok && !isfinite(r.got))
        r.max_err = INFINITY;
    return r;
}

oc_cmp oc_compare_exact(const float *got, const float *want, long n)
{
    oc_cmp r = {1, n, -1, 0, 0, 0};
    for (long i = 0; i < n; i++)
        if (memcmp(&got[i], &want[i], sizeof(float)) != 0) {
            double e = fabs((double)got[i] - want[i]);
            if (r.ok) {
                r.worst = i;
                r.got = got[i];
                r.want = want[i];
            }
            r.ok = 0;
            if (!(e <= r.max_err))
                r.max_err = e;
        }
    return r;
}

static double weighted_sum(const float *w, const float *y, long n, double *mag)
{
    double s = 0.0, m = 0.0;
    for (long i = 0; i < n; i++) {
        s += (double)w[i] * y[i];
        m += fabs((double)w[i] * y[i]);
    }
    if (mag)
        *mag = m;
    return s;
}

oc_cmp oc_fd_check(oc_forward_fn fwd, void *ctx, const float *w, long n_out, float *x_host,
                   long n_x, const float *grad, const float *base, double h, double atol,
                   double rtol, int max_points)
{
    oc_cmp r = {1, n_x, -1, 0, 0, 0};
    float *y = malloc((size_t)(n_out ? n_out : 1) * sizeof *y);
    double mag;
    fwd(ctx, y);
    weighted_sum(w, y, n_out, &mag);
    /* L's rounding in float32, seen through the difference quotient */
    double noise = FLT_EPSILON * mag / (2.0 * h);
    long points = n_x <= max_points ? n_x : max_points;
    for (long p = 0; p < points; p++) {
        long i = points == n_x ? p : (long)(((double)p + 0.5) * (double)n_x / (double)points);
        if (p == points - 1 && points < n_x)
            i = n_x - 1;
        float keep = x_host[i];
        x_host[i] = (float)(keep + h);
        double hp = (double)x_host[i] - keep;
        fwd(ctx, y);
        double lp = weighted_sum(w, y, n_out, NULL);
        x_host[i] = (float)(keep - h);
        double hm = keep - (double)x_host[i];
        fwd(ctx, y);
        double lm = weighted_sum(w, y, n_out, NULL);
        x_host[i] = keep;
        double fd = (lp - lm) / (hp + hm);
        double analytic = (double)grad[i] - (base ? (double)base[i] : 0.0);
        consider(&r, i, analytic, fd, atol + noise, rtol);
    }
    r.n = points;
    fwd(ctx, y); /* leave the backend output at the unperturbed point */
    free(y);
    return r;
}

int oc_open(oc_ctx *oc, int argc, char **argv)
{
    memset(oc, 0, sizeof *oc);
    t2v_device dev = T2V_DEVICE_CPU;
    if (argc > 1 && strcmp(argv[1], "cuda") == 0)
        dev = T2V_DEVICE_CUDA;
    else if (argc > 1 && strcmp(argv[1], "cpu") != 0) {
        fprintf(stderr, "usage: %s [cpu|cuda]\n", argv[0]);
        return 2;
    }
    int threads = 2;
    const char *env = getenv("T2V_TEST_THREADS");
    if (env && atoi(env) > 0)
        threads = atoi(env);
    t2v_status s = t2v_backend_open(dev, threads, 0, &oc->be);
    if (s != T2V_OK) {
        if (dev == T2V_DEVICE_CUDA && s == T2V_ERR_UNSUPPORTED) {
            printf("# skipped: %s\n", t2v_last_error());
            return 77; /* meson: skipped */
        }
        t2v_test_report(0, "open backend %s: %s", argc > 1 ? argv[1] : "cpu",
                        t2v_last_error());
        return 1;
    }
    oc->k = t2v_backend_kernels(oc->be);
    oc->stream = 1;
    printf("# backend %s, %d threads\n", t2v_backend_name(oc->be), threads);
    return 0;
}

void oc_close(oc_ctx *oc)
{
    oc_release(oc);
    t2v_backend_close(oc->be);
}
