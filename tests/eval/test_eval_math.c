/* The evaluation's statistics against closed forms and independent
 * references: Frechet distance (identical Gaussians, diagonal covariances,
 * a random case against a Denman-Beavers matrix square root), the Jacobi
 * eigendecomposition, the Gaussian fit, softmax cross-entropy and its
 * gradient (finite differences), the Inception-score analogue, and the
 * judge's object matching. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "t2v_test.h"
#include "train/eval/eval_math.h"
#include "train/eval/judge.h"

/* Deterministic pseudo-random doubles in [-1, 1) (a 64-bit LCG). */
static uint64_t lcg_state = 0x9e3779b97f4a7c15ull;
static double rnd(void)
{
    lcg_state = lcg_state * 6364136223846793005ull + 1442695040888963407ull;
    return (double)(lcg_state >> 11) / 9007199254740992.0 * 2.0 - 1.0;
}

/* S (n, n) = B B^T / n + ridge I for a random B: symmetric positive definite. */
static void random_spd(double *S, int n, double ridge)
{
    double *B = malloc((size_t)n * n * sizeof *B);
    for (int i = 0; i < n * n; i++)
        B[i] = rnd();
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++)
                s += B[i * n + k] * B[j * n + k];
            S[i * n + j] = s / n + (i == j ? ridge : 0.0);
        }
    free(B);
}

/* Inverse by Gauss-Jordan elimination with partial pivoting. */
static int invert(const double *A, int n, double *out)
{
    double *a = malloc((size_t)n * 2 * n * sizeof *a);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < 2 * n; j++)
            a[i * 2 * n + j] = j < n ? A[i * n + j] : (j - n == i ? 1.0 : 0.0);
    for (int c = 0; c < n; c++) {
        int piv = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(a[r * 2 * n + c]) > fabs(a[piv * 2 * n + c]))
                piv = r;
        if (fabs(a[piv * 2 * n + c]) < 1e-300) {
            free(a);
            return 0;
        }
        for (int j = 0; j < 2 * n; j++) {
            double t = a[c * 2 * n + j];
            a[c * 2 * n + j] = a[piv * 2 * n + j];
            a[piv * 2 * n + j] = t;
        }
        double d = a[c * 2 * n + c];
        for (int j = 0; j < 2 * n; j++)
            a[c * 2 * n + j] /= d;
        for (int r = 0; r < n; r++) {
            if (r == c)
                continue;
            double f = a[r * 2 * n + c];
            for (int j = 0; j < 2 * n; j++)
                a[r * 2 * n + j] -= f * a[c * 2 * n + j];
        }
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            out[i * n + j] = a[i * 2 * n + n + j];
    free(a);
    return 1;
}

/* tr sqrtm(A) of a matrix with positive real eigenvalues (here S1 S2), by
 * the Denman-Beavers iteration Y <- (Y + Z^-1)/2, Z <- (Z + Y^-1)/2. */
static double trace_sqrtm_denman_beavers(const double *A, int n)
{
    size_t nn = (size_t)n * n;
    double *Y = malloc(nn * sizeof *Y), *Z = malloc(nn * sizeof *Z);
    double *Yi = malloc(nn * sizeof *Yi), *Zi = malloc(nn * sizeof *Zi);
    memcpy(Y, A, nn * sizeof *Y);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            Z[i * n + j] = i == j ? 1.0 : 0.0;
    for (int it = 0; it < 100; it++) {
        if (!invert(Y, n, Yi) || !invert(Z, n, Zi))
            break;
        double change = 0.0;
        for (size_t k = 0; k < nn; k++) {
            double y = 0.5 * (Y[k] + Zi[k]);
            change += fabs(y - Y[k]);
            Y[k] = y;
            Z[k] = 0.5 * (Z[k] + Yi[k]);
        }
        if (change < 1e-14 * n)
            break;
    }
    double tr = 0.0;
    for (int i = 0; i < n; i++)
        tr += Y[i * n + i];
    free(Y);
    free(Z);
    free(Yi);
    free(Zi);
    return tr;
}

static void check_frechet_identical(int n)
{
    double *S = malloc((size_t)n * n * sizeof *S), *mu = malloc((size_t)n * sizeof *mu);
    random_spd(S, n, 0.1);
    for (int i = 0; i < n; i++)
        mu[i] = rnd();
    double fd = -1.0;
    t2v_status st = t2v_frechet_distance(mu, S, mu, S, n, &fd);
    double tr = 0.0;
    for (int i = 0; i < n; i++)
        tr += S[i * n + i];
    T2V_CHECK(st == T2V_OK && fabs(fd) <= 1e-9 * tr,
              "Frechet distance of identical %dx%d Gaussians is 0 (got %.3g, trace %.3g)", n, n,
              fd, tr);
    free(S);
    free(mu);
}

static void check_frechet_diagonal(int n)
{
    size_t nn = (size_t)n * n;
    double *S1 = calloc(nn, sizeof *S1), *S2 = calloc(nn, sizeof *S2);
    double *m1 = malloc((size_t)n * sizeof *m1), *m2 = malloc((size_t)n * sizeof *m2);
    double want = 0.0;
    for (int i = 0; i < n; i++) {
        double a = 0.05 + fabs(rnd()) * 3.0, b = 0.05 + fabs(rnd()) * 3.0;
        S1[i * n + i] = a;
        S2[i * n + i] = b;
        m1[i] = rnd();
        m2[i] = rnd();
        want += (sqrt(a) - sqrt(b)) * (sqrt(a) - sqrt(b)) + (m1[i] - m2[i]) * (m1[i] - m2[i]);
    }
    double fd = -1.0;
    t2v_status st = t2v_frechet_distance(m1, S1, m2, S2, n, &fd);
    T2V_CHECK(st == T2V_OK && t2v_close(fd, want, 1e-10, 1e-10),
              "Frechet distance of diagonal %dx%d Gaussians = sum (sqrt a - sqrt b)^2 + "
              "|mu1 - mu2|^2 (got %.12g want %.12g)", n, n, fd, want);
    free(S1);
    free(S2);
    free(m1);
    free(m2);
}

static void check_frechet_random(int n)
{
    size_t nn = (size_t)n * n;
    double *S1 = malloc(nn * sizeof *S1), *S2 = malloc(nn * sizeof *S2), *P = malloc(nn * sizeof *P);
    double *m1 = malloc((size_t)n * sizeof *m1), *m2 = malloc((size_t)n * sizeof *m2);
    random_spd(S1, n, 0.05);
    random_spd(S2, n, 0.2);
    double dmu = 0.0, tr1 = 0.0, tr2 = 0.0;
    for (int i = 0; i < n; i++) {
        m1[i] = rnd();
        m2[i] = rnd();
        dmu += (m1[i] - m2[i]) * (m1[i] - m2[i]);
        tr1 += S1[i * n + i];
        tr2 += S2[i * n + i];
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++)
                s += S1[i * n + k] * S2[k * n + j];
            P[i * n + j] = s;
        }
    double want = dmu + tr1 + tr2 - 2.0 * trace_sqrtm_denman_beavers(P, n);
    double fd = -1.0;
    t2v_status st = t2v_frechet_distance(m1, S1, m2, S2, n, &fd);
    T2V_CHECK(st == T2V_OK && t2v_close(fd, want, 1e-9, 1e-9),
              "Frechet distance of random %dx%d Gaussians matches the Denman-Beavers "
              "reference (got %.12g want %.12g)", n, n, fd, want);
    free(S1);
    free(S2);
    free(P);
    free(m1);
    free(m2);
}

static void check_eigen(int n)
{
    size_t nn = (size_t)n * n;
    double *A = malloc(nn * sizeof *A), *V = malloc(nn * sizeof *V), *w = malloc((size_t)n * sizeof *w);
    for (int i = 0; i < n; i++)
        for (int j = i; j < n; j++)
            A[i * n + j] = A[j * n + i] = rnd();
    t2v_status st = t2v_sym_eigen(A, n, w, V);
    double worst_res = 0.0, worst_orth = 0.0, norm = 0.0;
    for (size_t k = 0; k < nn; k++)
        norm = fmax(norm, fabs(A[k]));
    for (int i = 0; i < n; i++)
        for (int c = 0; c < n; c++) {
            double av = 0.0, vv = 0.0;
            for (int k = 0; k < n; k++) {
                av += A[i * n + k] * V[k * n + c];
                vv += V[k * n + i] * V[k * n + c];
            }
            worst_res = fmax(worst_res, fabs(av - w[c] * V[i * n + c]));
            worst_orth = fmax(worst_orth, fabs(vv - (i == c ? 1.0 : 0.0)));
        }
    T2V_CHECK(st == T2V_OK && worst_res < 1e-12 * n * norm && worst_orth < 1e-12 * n,
              "Jacobi eigendecomposition of a random symmetric %dx%d: A V = V diag(w) "
              "(worst %.2g) and V^T V = I (worst %.2g)", n, n, worst_res, worst_orth);
    free(A);
    free(V);
    free(w);
}

static void check_gaussian_fit(void)
{
    enum { N = 7, F = 3 };
    float x[N * F];
    for (int i = 0; i < N * F; i++)
        x[i] = (float)rnd();
    double mean[F], cov[F * F];
    t2v_status st = t2v_gaussian_fit(x, N, F, mean, cov);
    double worst = 0.0;
    for (int a = 0; a < F; a++) {
        double m = 0.0;
        for (int n = 0; n < N; n++)
            m += x[n * F + a];
        m /= N;
        worst = fmax(worst, fabs(m - mean[a]));
        for (int b = 0; b < F; b++) {
            double mb = 0.0, s = 0.0;
            for (int n = 0; n < N; n++)
                mb += x[n * F + b];
            mb /= N;
            for (int n = 0; n < N; n++)
                s += (x[n * F + a] - m) * (x[n * F + b] - mb);
            worst = fmax(worst, fabs(s / (N - 1) - cov[a * F + b]));
        }
    }
    T2V_CHECK(st == T2V_OK && worst < 1e-12,
              "Gaussian fit: mean and unbiased covariance of 7 rows (worst %.2g)", worst);
    T2V_CHECK(t2v_gaussian_fit(x, 1, F, mean, cov) != T2V_OK,
              "Gaussian fit of a single row is refused");
}

static void check_softmax_ce(void)
{
    // closed form: logits (0, log 3) -> p = (1/4, 3/4)
    float z[2] = {0.0f, (float)log(3.0)};
    int y0 = 0;
    float g[2];
    double loss = t2v_softmax_ce(z, 1, 2, 2, &y0, g, 1.0f);
    T2V_CHECK(t2v_close(loss, log(4.0), 1e-6, 0) && t2v_close(g[0], 0.25 - 1.0, 1e-6, 0) &&
              t2v_close(g[1], 0.75, 1e-6, 0),
              "softmax CE of logits (0, log 3) against class 0 is log 4 with gradient "
              "(-3/4, 3/4) (got %.7f, %.7f, %.7f)", loss, g[0], g[1]);

    // finite differences over a (N, stride) table with a head of K columns
    enum { N = 5, K = 7, STRIDE = 9 };
    float logits[N * STRIDE], grad[N * STRIDE];
    int labels[N];
    for (int i = 0; i < N * STRIDE; i++) {
        logits[i] = (float)(3.0 * rnd());
        grad[i] = 12345.0f; // columns past K must stay untouched
    }
    for (int n = 0; n < N; n++)
        labels[n] = (n * 3) % K;
    const float scale = 0.5f;
    t2v_softmax_ce(logits, N, K, STRIDE, labels, grad, scale);
    double worst = 0.0;
    int untouched = 1;
    for (int n = 0; n < N; n++) {
        for (int k = 0; k < K; k++) {
            float *p = &logits[n * STRIDE + k], keep = *p;
            const float h = 1.0f / 256.0f;
            *p = keep + h;
            double up = t2v_softmax_ce(logits, N, K, STRIDE, labels, NULL, 0.0f);
            *p = keep - h;
            double down = t2v_softmax_ce(logits, N, K, STRIDE, labels, NULL, 0.0f);
            *p = keep;
            double fd = scale * (up - down) / (2.0 * h);
            worst = fmax(worst, fabs(fd - grad[n * STRIDE + k]));
        }
        for (int k = K; k < STRIDE; k++)
            untouched &= grad[n * STRIDE + k] == 12345.0f;
    }
    T2V_CHECK(worst < 2e-5, "softmax CE gradient of a 5x7 head matches central differences "
              "(worst %.2g)", worst);
    T2V_CHECK(untouched, "softmax CE writes only its head's columns");

    float big[3] = {1000.0f, -1000.0f, 999.0f};
    int y2 = 2;
    double lb = t2v_softmax_ce(big, 1, 3, 3, &y2, NULL, 0.0f);
    T2V_CHECK(t2v_close(lb, log1p(exp(-1.0)) + 1.0, 1e-9, 1e-9),
              "softmax CE is stable for logits of 1000 (got %.9f)", lb);
}

static void check_inception(void)
{
    enum { K = 5, N = 40 };
    float p[N * K];
    memset(p, 0, sizeof p);
    for (int n = 0; n < N; n++)
        p[n * K + n % K] = 1.0f;
    double is = t2v_inception_score(p, N, K, K);
    T2V_CHECK(t2v_close(is, K, 1e-9, 1e-9),
              "IS analogue of confident predictions spread evenly over 5 classes is 5 (got %.9f)",
              is);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            p[n * K + k] = (float)(k + 1) / 15.0f;
    is = t2v_inception_score(p, N, K, K);
    T2V_CHECK(t2v_close(is, 1.0, 1e-6, 0), "IS analogue of identical rows is 1 (got %.9f)", is);
    // rows (1, 0) and (1/2, 1/2): p(y) = (3/4, 1/4)
    float q[4] = {1.0f, 0.0f, 0.5f, 0.5f};
    double want = exp(0.5 * (log(1.0 / 0.75) + 0.5 * log(0.5 / 0.75) + 0.5 * log(0.5 / 0.25)));
    is = t2v_inception_score(q, 2, 2, 2);
    T2V_CHECK(t2v_close(is, want, 1e-7, 1e-7),
              "IS analogue of rows (1, 0), (1/2, 1/2) is exp(mean KL to (3/4, 1/4)) "
              "(got %.9f want %.9f)", is, want);
}

static void check_matching(void)
{
    t2v_judge_cfg cfg;
    t2v_data_attrs schema = {.n_objects = 2, .n = 4};
    const char *names[4] = {"digit1", "motion1", "digit2", "motion2"};
    for (int a = 0; a < 4; a++)
        schema.attr[a] = (t2v_data_attr){names[a], a % 2 ? 2 : 10, -1};
    t2v_judge_cfg_for(&cfg, "tbmg", 1, 16, 64, 64, &schema);
    int truth[4] = {7, 1, 3, 0}, pred[4] = {3, 0, 7, 1}, correct[4];
    t2v_judge_match(&cfg, pred, truth, correct);
    T2V_CHECK(correct[0] && correct[1] && correct[2] && correct[3],
              "matching: predicted objects in swapped order count as right");
    int pred2[4] = {3, 1, 7, 0};
    t2v_judge_match(&cfg, pred2, truth, correct);
    int hits = correct[0] + correct[1] + correct[2] + correct[3];
    T2V_CHECK(hits == 2, "matching: digits with swapped motions score 2 of 4 in either object "
              "order (got %d)", hits);
    int pred3[4] = {7, 1, 5, 1};
    t2v_judge_match(&cfg, pred3, truth, correct);
    T2V_CHECK(correct[0] && correct[1] && !correct[2] && !correct[3],
              "matching: one right object and one wrong one score 2 of 4");

    t2v_data_attrs item = schema;
    int vals[4] = {7, 1, 3, 0};
    for (int a = 0; a < 4; a++)
        item.attr[a].value = vals[a];
    int labels[4];
    t2v_judge_canonical_labels(&cfg, &item, labels);
    T2V_CHECK(labels[0] == 3 && labels[1] == 0 && labels[2] == 7 && labels[3] == 1,
              "canonical labels sort objects by (digit, motion): (3,0) before (7,1)");
}

int main(void)
{
    check_frechet_identical(16);
    check_frechet_identical(128);
    check_frechet_diagonal(8);
    check_frechet_diagonal(128);
    check_frechet_random(12);
    check_frechet_random(128);
    check_eigen(40);
    check_gaussian_fit();
    check_softmax_ce();
    check_inception();
    check_matching();
    return t2v_test_finish();
}
