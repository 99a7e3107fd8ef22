/* Dense products for the CPU backend. Row-major C = alpha op(A) op(B) +
 * beta C. With OpenBLAS, each pool task calls a single-threaded sgemm on a
 * slice of C (rows or columns), so the engine's pool is the only set of
 * threads. Without it, a packed, cache-blocked kernel written with GCC
 * vector extensions does the work. */
#include <pthread.h>
#include <string.h>

#include "backend/cpu.h"

#ifdef T2V_HAVE_OPENBLAS
#include <cblas.h>
#endif

/* Below this many multiply-adds a product runs on the calling thread (waking
 * the pool costs more than it saves). */
#define GEMM_PARALLEL_MIN_FLOPS (1 << 20)

#ifdef T2V_HAVE_OPENBLAS
static pthread_once_t blas_once = PTHREAD_ONCE_INIT;
static void blas_single_thread(void) { openblas_set_num_threads(1); }
#define GEMM_INIT() pthread_once(&blas_once, blas_single_thread)
#else
#define GEMM_INIT() ((void)0)
#endif

#ifndef T2V_HAVE_OPENBLAS
/* ---- built-in kernel ---------------------------------------------------
 * Blocks: C is walked in NC-column panels; K in KC-deep slices; A in
 * MC-row blocks. op(A) blocks are packed as 4-row strips ([k][4]), op(B)
 * panels as 8-column strips ([k][8]); a 4x8 micro-kernel keeps its
 * accumulators in eight 4-float vectors. Packing pads edges with zeros.
 * The packed blocks live on the calling thread's stack (96 KiB). */
#define GEMM_MR 4
#define GEMM_NR 8
#define GEMM_MC 64
#define GEMM_KC 128
#define GEMM_NC 128

typedef float v4f __attribute__((vector_size(16)));

static inline v4f load4(const float *p)
{
    v4f v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* element (i, k) of op(A) */
static inline float a_at(int ta, const float *A, int lda, int i, int k)
{
    return ta ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
}

/* element (k, j) of op(B) */
static inline float b_at(int tb, const float *B, int ldb, int k, int j)
{
    return tb ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
}

// ap: (ceil(mc/4), kc, 4) from op(A)[i0:i0+mc, k0:k0+kc]
static void pack_a(float *ap, int ta, const float *A, int lda, int i0, int mc, int k0, int kc)
{
    for (int s = 0; s < mc; s += GEMM_MR) {
        float *dst = ap + (size_t)s * kc;
        int rows = mc - s < GEMM_MR ? mc - s : GEMM_MR;
        for (int k = 0; k < kc; k++)
            for (int r = 0; r < GEMM_MR; r++)
                dst[k * GEMM_MR + r] = r < rows ? a_at(ta, A, lda, i0 + s + r, k0 + k) : 0.0f;
    }
}

// bp: (ceil(nc/8), kc, 8) from op(B)[k0:k0+kc, j0:j0+nc]
static void pack_b(float *bp, int tb, const float *B, int ldb, int k0, int kc, int j0, int nc)
{
    for (int s = 0; s < nc; s += GEMM_NR) {
        float *dst = bp + (size_t)s * kc;
        int cols = nc - s < GEMM_NR ? nc - s : GEMM_NR;
        if (!tb && cols == GEMM_NR) {
            for (int k = 0; k < kc; k++)
                memcpy(dst + k * GEMM_NR, B + (size_t)(k0 + k) * ldb + j0 + s,
                       GEMM_NR * sizeof(float));
            continue;
        }
        for (int k = 0; k < kc; k++)
            for (int c = 0; c < GEMM_NR; c++)
                dst[k * GEMM_NR + c] = c < cols ? b_at(tb, B, ldb, k0 + k, j0 + s + c) : 0.0f;
    }
}

// C[0:rows, 0:cols] += alpha * (ap strip) (bp strip), strips of depth kc
static void micro_4x8(int kc, const float *ap, const float *bp, float alpha, float *C, int ldc,
                      int rows, int cols)
{
    v4f c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0};
    v4f c20 = {0}, c21 = {0}, c30 = {0}, c31 = {0};
    for (int k = 0; k < kc; k++) {
        v4f b0 = load4(bp + k * GEMM_NR);
        v4f b1 = load4(bp + k * GEMM_NR + 4);
        const float *a = ap + k * GEMM_MR;
        v4f a0 = {a[0], a[0], a[0], a[0]};
        v4f a1 = {a[1], a[1], a[1], a[1]};
        v4f a2 = {a[2], a[2], a[2], a[2]};
        v4f a3 = {a[3], a[3], a[3], a[3]};
        c00 += a0 * b0; c01 += a0 * b1;
        c10 += a1 * b0; c11 += a1 * b1;
        c20 += a2 * b0; c21 += a2 * b1;
        c30 += a3 * b0; c31 += a3 * b1;
    }
    float acc[GEMM_MR][GEMM_NR];
    memcpy(&acc[0][0], &c00, 16); memcpy(&acc[0][4], &c01, 16);
    memcpy(&acc[1][0], &c10, 16); memcpy(&acc[1][4], &c11, 16);
    memcpy(&acc[2][0], &c20, 16); memcpy(&acc[2][4], &c21, 16);
    memcpy(&acc[3][0], &c30, 16); memcpy(&acc[3][4], &c31, 16);
    for (int r = 0; r < rows; r++)
        for (int c = 0; c < cols; c++)
            C[(size_t)r * ldc + c] += alpha * acc[r][c];
}

static void gemm_blocked(int ta, int tb, int M, int N, int K, float alpha, const float *A,
                         int lda, const float *B, int ldb, float *C, int ldc)
{
    _Alignas(64) float ap[GEMM_MC * GEMM_KC];
    _Alignas(64) float bp[GEMM_KC * GEMM_NC];
    for (int j0 = 0; j0 < N; j0 += GEMM_NC) {
        int nc = N - j0 < GEMM_NC ? N - j0 : GEMM_NC;
        for (int k0 = 0; k0 < K; k0 += GEMM_KC) {
            int kc = K - k0 < GEMM_KC ? K - k0 : GEMM_KC;
            pack_b(bp, tb, B, ldb, k0, kc, j0, nc);
            for (int i0 = 0; i0 < M; i0 += GEMM_MC) {
                int mc = M - i0 < GEMM_MC ? M - i0 : GEMM_MC;
                pack_a(ap, ta, A, lda, i0, mc, k0, kc);
                for (int s = 0; s < mc; s += GEMM_MR) {
                    int rows = mc - s < GEMM_MR ? mc - s : GEMM_MR;
                    for (int t = 0; t < nc; t += GEMM_NR) {
                        int cols = nc - t < GEMM_NR ? nc - t : GEMM_NR;
                        micro_4x8(kc, ap + (size_t)s * kc, bp + (size_t)t * kc, alpha,
                                  C + (size_t)(i0 + s) * ldc + j0 + t, ldc, rows, cols);
                    }
                }
            }
        }
    }
}
#endif /* !T2V_HAVE_OPENBLAS */

void cpu_gemm_serial(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda,
                     const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
#ifdef T2V_HAVE_OPENBLAS
    GEMM_INIT();
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#else
    /* beta first (beta 0 overwrites, so NaNs in C do not survive) */
    for (int i = 0; i < M; i++) {
        float *c = C + (size_t)i * ldc;
        if (beta == 0.0f)
            memset(c, 0, (size_t)N * sizeof(float));
        else if (beta != 1.0f)
            for (int j = 0; j < N; j++)
                c[j] *= beta;
    }
    if (K > 0 && alpha != 0.0f)
        gemm_blocked(ta, tb, M, N, K, alpha, A, lda, B, ldb, C, ldc);
#endif
}

/* Large products are cut into tiles of GEMM_TILE rows or columns of C, and
 * the tiles are shared out over the pool. The cut depends only on the
 * shapes, never on the number of threads, so every element of C is
 * computed by the same sequence of operations whatever the pool size:
 * results are identical on 1 or 16 threads. */
#define GEMM_TILE 128

typedef struct gemm_job {
    int ta, tb, M, N, K;
    float alpha, beta;
    const float *A, *B;
    float *C;
    int lda, ldb, ldc;
    int64_t sa, sb, sc;  /* strides between products (batched) */
    int split_rows;      /* 1: tiles are rows of C, 0: columns */
    int tiles;           /* tiles per product */
} gemm_job;

static int use_tiles(int M, int N, int K)
{
    double flops = (double)M * N * (K > 0 ? K : 1);
    return flops >= GEMM_PARALLEL_MIN_FLOPS && (M > GEMM_TILE || N > GEMM_TILE);
}

static void gemm_plan(gemm_job *j)
{
    j->split_rows = j->M >= j->N;
    int dim = j->split_rows ? j->M : j->N;
    j->tiles = use_tiles(j->M, j->N, j->K) ? (dim + GEMM_TILE - 1) / GEMM_TILE : 1;
}

/* item = product * tiles + tile */
static void gemm_item(const gemm_job *j, int64_t item)
{
    int64_t b = item / j->tiles;
    int t = (int)(item % j->tiles);
    const float *A = j->A + b * j->sa, *B = j->B + b * j->sb;
    float *C = j->C + b * j->sc;
    if (j->tiles == 1) {
        cpu_gemm_serial(j->ta, j->tb, j->M, j->N, j->K, j->alpha, A, j->lda, B, j->ldb, j->beta,
                        C, j->ldc);
        return;
    }
    int lo = t * GEMM_TILE;
    int dim = j->split_rows ? j->M : j->N;
    int n = dim - lo < GEMM_TILE ? dim - lo : GEMM_TILE;
    if (j->split_rows) {
        /* rows lo.. of op(A): A row lo, or A column lo when transposed */
        const float *a = j->ta ? A + lo : A + (size_t)lo * j->lda;
        cpu_gemm_serial(j->ta, j->tb, n, j->N, j->K, j->alpha, a, j->lda, B, j->ldb, j->beta,
                        C + (size_t)lo * j->ldc, j->ldc);
    } else {
        /* columns lo.. of op(B): B column lo, or B row lo when transposed */
        const float *bb = j->tb ? B + (size_t)lo * j->ldb : B + lo;
        cpu_gemm_serial(j->ta, j->tb, j->M, n, j->K, j->alpha, A, j->lda, bb, j->ldb, j->beta,
                        C + lo, j->ldc);
    }
}

static void gemm_task(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    for (int64_t i = begin; i < end; i++)
        gemm_item(ctx, i);
}

void cpu_gemm(t2v_backend *be, int ta, int tb, int M, int N, int K, float alpha, const float *A,
              int lda, const float *B, int ldb, float beta, float *C, int ldc)
{
    if (M <= 0 || N <= 0)
        return;
    GEMM_INIT();
    gemm_job j = {ta, tb, M, N, K, alpha, beta, A, B, C, lda, ldb, ldc, 0, 0, 0, 0, 1};
    gemm_plan(&j);
    t2v_pool_for(cpu_pool(be), j.tiles, 1, gemm_task, &j);
}

/* Products with distinct outputs (stride_c != 0) are independent: all their
 * tiles go to the pool at once. Products accumulating into one C run in
 * order, each tiled. */
void cpu_gemm_batched(t2v_backend *be, int ta, int tb, int M, int N, int K, float alpha,
                      const float *A, int lda, int64_t sa, const float *B, int ldb, int64_t sb,
                      float beta, float *C, int ldc, int64_t sc, int batch)
{
    if (M <= 0 || N <= 0 || batch <= 0)
        return;
    GEMM_INIT();
    gemm_job j = {ta, tb, M, N, K, alpha, beta, A, B, C, lda, ldb, ldc, sa, sb, sc, 0, 1};
    gemm_plan(&j);
    if (sc != 0) {
        int64_t items = (int64_t)batch * j.tiles;
        /* small products: several per task, so waking the pool pays off */
        double flops = (double)M * N * (K > 0 ? K : 1) * batch;
        int64_t grain = flops < GEMM_PARALLEL_MIN_FLOPS ? items : 1;
        t2v_pool_for(cpu_pool(be), items, grain, gemm_task, &j);
        return;
    }
    for (int b = 0; b < batch; b++)
        cpu_gemm(be, ta, tb, M, N, K, alpha, A + b * sa, lda, B + b * sb, ldb, beta, C, ldc);
}
