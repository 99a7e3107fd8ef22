/* Convolution throughput of the engine against one plain sgemm.
 *
 * Measures t2v_conv_forward (and t2v_conv_backward) on a 64 -> 64 channel
 * 3x3 convolution, padding 1, 32x32 images, batch 16 and batch 1, and in the
 * same run one sgemm of the product the convolution amounts to:
 * M = 64 (c_out), N = batch*32*32 (output positions), K = 64*3*3. With
 * OpenBLAS the reference is cblas_sgemm on as many OpenBLAS threads as the
 * engine has workers; built without it, the reference is the engine's own
 * gemm kernel. Prints GFLOP/s and engine / reference ratios.
 *
 * Usage: bench_conv [threads] (default: one per online core) */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "txt2vid/nn.h"

#ifdef T2V_HAVE_OPENBLAS
#include <cblas.h>
#endif

#define MIN_SECONDS 0.5
#define MIN_REPEATS 3

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct conv_case {
    t2v_backend *be;
    t2v_conv_geom g;
    float *x, *w, *b, *y, *dx, *dw, *db, *ws;
    int backward;
} conv_case;

typedef struct gemm_case {
    t2v_backend *be;
    int M, N, K, threads;
    float *A, *B, *C;
} gemm_case;

static void run_conv(void *ctx)
{
    conv_case *c = ctx;
    if (c->backward)
        t2v_conv_backward(c->be, &c->g, c->dx, c->dw, c->db, c->y, c->x, c->w, c->ws);
    else
        t2v_conv_forward(c->be, &c->g, c->y, c->x, c->w, c->b, c->ws);
}

static void run_gemm(void *ctx)
{
    gemm_case *c = ctx;
#ifdef T2V_HAVE_OPENBLAS
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c->M, c->N, c->K, 1.0f, c->A, c->K,
                c->B, c->N, 0.0f, c->C, c->N);
#else
    t2v_backend_kernels(c->be)->gemm(c->be, 0, 0, c->M, c->N, c->K, 1.0f, c->A, c->K, c->B,
                                     c->N, 0.0f, c->C, c->N);
#endif
}

/* best seconds per call after one warm-up call */
static double time_best(void (*fn)(void *), void *ctx)
{
    fn(ctx);
    double best = 1e30, start = now_s();
    int reps = 0;
    while (reps < MIN_REPEATS || now_s() - start < MIN_SECONDS) {
        double t0 = now_s();
        fn(ctx);
        double t = now_s() - t0;
        if (t < best)
            best = t;
        reps++;
    }
    return best;
}

static float *alloc_random(t2v_backend *be, size_t n, uint64_t stream)
{
    float *p = t2v_backend_alloc(be, n * sizeof(float));
    if (p && t2v_init_normal(be, p, (int64_t)n, 0.0f, 1.0f, 7, stream) != T2V_OK)
        return NULL;
    return p;
}

static int bench_batch(t2v_backend *be, int threads, int batch)
{
    conv_case c = {.be = be};
    c.g = (t2v_conv_geom){.n = batch, .c_in = 64, .c_out = 64, .in = {1, 32, 32},
                          .k = {1, 3, 3}, .stride = {1, 1, 1}, .pad = {0, 1, 1}};
    if (t2v_conv_geom_init(&c.g) != T2V_OK) {
        fprintf(stderr, "bench_conv: %s\n", t2v_last_error());
        return 1;
    }
    const int M = 64, K = 64 * 9, N = batch * c.g.out[1] * c.g.out[2];
    const size_t xn = (size_t)batch * 64 * 32 * 32, wn = (size_t)64 * 64 * 9;
    c.x = alloc_random(be, xn, 1);
    c.w = alloc_random(be, wn, 2);
    c.b = alloc_random(be, 64, 3);
    c.y = alloc_random(be, xn, 4);
    c.dx = alloc_random(be, xn, 5);
    c.dw = alloc_random(be, wn, 6);
    c.db = alloc_random(be, 64, 7);
    c.ws = alloc_random(be, t2v_conv_ws_floats(be, &c.g), 8);
    gemm_case gc = {be, M, N, K, threads, alloc_random(be, (size_t)M * K, 9),
                    alloc_random(be, (size_t)K * N, 10), alloc_random(be, (size_t)M * N, 11)};
    if (!c.x || !c.w || !c.b || !c.y || !c.dx || !c.dw || !c.db || !c.ws || !gc.A || !gc.B ||
        !gc.C) {
        fprintf(stderr, "bench_conv: out of memory\n");
        return 1;
    }
    const double flops = 2.0 * M * N * K;

    c.backward = 0;
    double t_fwd = time_best(run_conv, &c);
    c.backward = 1;
    double t_bwd = time_best(run_conv, &c);
#ifdef T2V_HAVE_OPENBLAS
    openblas_set_num_threads(threads);
    double t_ref = time_best(run_gemm, &gc);
    openblas_set_num_threads(1);
    const char *ref = "OpenBLAS cblas_sgemm";
#else
    double t_ref = time_best(run_gemm, &gc);
    const char *ref = "engine gemm (built-in kernel)";
#endif
    double g_fwd = flops / t_fwd * 1e-9, g_bwd = 2.0 * flops / t_bwd * 1e-9;
    double g_ref = flops / t_ref * 1e-9;
    printf("conv2d 64->64 3x3 pad 1, 32x32, batch %d, %d threads\n", batch, threads);
    printf("  engine forward   %8.3f ms  %7.1f GFLOP/s\n", t_fwd * 1e3, g_fwd);
    printf("  engine backward  %8.3f ms  %7.1f GFLOP/s (dx + dw + db)\n", t_bwd * 1e3, g_bwd);
    printf("  %s M=%d N=%d K=%d  %8.3f ms  %7.1f GFLOP/s\n", ref, M, N, K, t_ref * 1e3, g_ref);
    printf("  ratio forward / sgemm %.3f, backward / sgemm %.3f\n", g_fwd / g_ref,
           g_bwd / g_ref);
    float *bufs[] = {c.x, c.w, c.b, c.y, c.dx, c.dw, c.db, c.ws, gc.A, gc.B, gc.C};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        t2v_backend_free(be, bufs[i]);
    return 0;
}

int main(int argc, char **argv)
{
    int threads = argc > 1 ? atoi(argv[1]) : 0;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    t2v_backend *be;
    if (t2v_backend_open(T2V_DEVICE_CPU, threads, 0, &be) != T2V_OK) {
        fprintf(stderr, "bench_conv: %s\n", t2v_last_error());
        return 1;
    }
    int rc = bench_batch(be, threads, 16) || bench_batch(be, threads, 1);
    t2v_backend_close(be);
    return rc;
}
