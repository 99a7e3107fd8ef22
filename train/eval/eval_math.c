/* Softmax cross-entropy, the Inception-score analogue and the Frechet
 * distance of Gaussians, on the host in double precision. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/eval_math.h"

/* Largest logit of a row, for a stable softmax. */
static double row_max(const float *z, int K)
{
    double m = z[0];
    for (int k = 1; k < K; k++)
        if (z[k] > m)
            m = z[k];
    return m;
}

double t2v_softmax_ce(const float *logits, int N, int K, int stride, const int *labels,
                      float *grad, float scale)
{
    double total = 0.0;
    for (int n = 0; n < N; n++) {
        const float *z = logits + (size_t)n * stride;
        double m = row_max(z, K), sum = 0.0;
        for (int k = 0; k < K; k++)
            sum += exp((double)z[k] - m);
        double log_sum = m + log(sum);
        total += log_sum - (double)z[labels[n]];
        if (grad) {
            float *g = grad + (size_t)n * stride;
            for (int k = 0; k < K; k++) {
                double p = exp((double)z[k] - log_sum);
                g[k] = (float)(scale * (p - (k == labels[n] ? 1.0 : 0.0)) / N);
            }
        }
    }
    return N > 0 ? total / N : 0.0;
}

void t2v_softmax_rows(const float *logits, int N, int K, int stride, float *probs,
                      int probs_stride)
{
    for (int n = 0; n < N; n++) {
        const float *z = logits + (size_t)n * stride;
        float *p = probs + (size_t)n * probs_stride;
        double m = row_max(z, K), sum = 0.0;
        for (int k = 0; k < K; k++)
            sum += exp((double)z[k] - m);
        for (int k = 0; k < K; k++)
            p[k] = (float)(exp((double)z[k] - m) / sum);
    }
}

double t2v_inception_score(const float *probs, long N, int K, int stride)
{
    if (N <= 0 || K <= 0)
        return 0.0;
    double *marginal = calloc((size_t)K, sizeof *marginal);
    if (!marginal)
        return NAN;
    for (long n = 0; n < N; n++)
        for (int k = 0; k < K; k++)
            marginal[k] += probs[(size_t)n * stride + k];
    for (int k = 0; k < K; k++)
        marginal[k] /= (double)N;
    double kl_sum = 0.0;
    for (long n = 0; n < N; n++) {
        const float *p = probs + (size_t)n * stride;
        for (int k = 0; k < K; k++)
            if (p[k] > 0.0f && marginal[k] > 0.0)
                kl_sum += p[k] * (log((double)p[k]) - log(marginal[k]));
    }
    free(marginal);
    return exp(kl_sum / (double)N);
}

t2v_status t2v_gaussian_fit(const float *feats, long N, int F, double *mean, double *cov)
{
    if (N < 2 || F < 1)
        return t2v_fail(T2V_ERR_INVALID, "Gaussian fit needs at least 2 rows (got %ld)", N);
    double *centred = malloc((size_t)F * sizeof *centred);
    if (!centred)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory fitting a Gaussian");
    memset(mean, 0, (size_t)F * sizeof *mean);
    memset(cov, 0, (size_t)F * F * sizeof *cov);
    for (long n = 0; n < N; n++)
        for (int f = 0; f < F; f++)
            mean[f] += feats[(size_t)n * F + f];
    for (int f = 0; f < F; f++)
        mean[f] /= (double)N;
    for (long n = 0; n < N; n++) {
        for (int f = 0; f < F; f++)
            centred[f] = feats[(size_t)n * F + f] - mean[f];
        for (int i = 0; i < F; i++) {
            double ci = centred[i];
            double *row = cov + (size_t)i * F;
            for (int j = i; j < F; j++)
                row[j] += ci * centred[j];
        }
    }
    for (int i = 0; i < F; i++)
        for (int j = i; j < F; j++) {
            double v = cov[(size_t)i * F + j] / (double)(N - 1);
            cov[(size_t)i * F + j] = v;
            cov[(size_t)j * F + i] = v;
        }
    free(centred);
    return T2V_OK;
}

/* One Jacobi rotation in the (p, q) plane that zeroes a[p][q] of the full
 * symmetric matrix a (n, n), accumulated into the columns of V. */
static void jacobi_rotate(double *a, double *V, int n, int p, int q)
{
    double apq = a[(size_t)p * n + q];
    double app = a[(size_t)p * n + p], aqq = a[(size_t)q * n + q];
    double theta = (aqq - app) / (2.0 * apq);
    double t = (theta >= 0 ? 1.0 : -1.0) / (fabs(theta) + sqrt(theta * theta + 1.0));
    double c = 1.0 / sqrt(t * t + 1.0), s = t * c;
    for (int r = 0; r < n; r++) {
        if (r == p || r == q)
            continue;
        double arp = a[(size_t)r * n + p], arq = a[(size_t)r * n + q];
        double np = c * arp - s * arq, nq = s * arp + c * arq;
        a[(size_t)r * n + p] = a[(size_t)p * n + r] = np;
        a[(size_t)r * n + q] = a[(size_t)q * n + r] = nq;
    }
    a[(size_t)p * n + p] = app - t * apq;
    a[(size_t)q * n + q] = aqq + t * apq;
    a[(size_t)p * n + q] = a[(size_t)q * n + p] = 0.0;
    for (int r = 0; r < n; r++) {
        double vrp = V[(size_t)r * n + p], vrq = V[(size_t)r * n + q];
        V[(size_t)r * n + p] = c * vrp - s * vrq;
        V[(size_t)r * n + q] = s * vrp + c * vrq;
    }
}

t2v_status t2v_sym_eigen(const double *A, int n, double *w, double *V)
{
    if (n < 1)
        return t2v_fail(T2V_ERR_INVALID, "eigendecomposition of an empty matrix");
    double *a = malloc((size_t)n * n * sizeof *a);
    if (!a)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory in the eigendecomposition");
    double total = 0.0;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) {
            // symmetrise: rounding may leave A slightly asymmetric
            double v = 0.5 * (A[(size_t)i * n + j] + A[(size_t)j * n + i]);
            a[(size_t)i * n + j] = v;
            V[(size_t)i * n + j] = i == j ? 1.0 : 0.0;
            total += v * v;
        }
    const int max_sweeps = 100;
    int converged = 0;
    for (int sweep = 0; sweep < max_sweeps && !converged; sweep++) {
        double off = 0.0;
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
                off += 2.0 * a[(size_t)p * n + q] * a[(size_t)p * n + q];
        if (off <= 1e-30 * total || off == 0.0) {
            converged = 1;
            break;
        }
        for (int p = 0; p < n; p++)
            for (int q = p + 1; q < n; q++)
                if (a[(size_t)p * n + q] != 0.0)
                    jacobi_rotate(a, V, n, p, q);
    }
    for (int i = 0; i < n; i++)
        w[i] = a[(size_t)i * n + i];
    free(a);
    if (!converged)
        return t2v_fail(T2V_ERR_INVALID, "Jacobi eigendecomposition did not converge");
    return T2V_OK;
}

/* out (n, n) = V diag(f(w)) V^T */
static void eigen_rebuild(const double *V, const double *d, int n, double *out)
{
    for (int i = 0; i < n; i++)
        for (int j = i; j < n; j++) {
            double s = 0.0;
            for (int k = 0; k < n; k++)
                s += V[(size_t)i * n + k] * d[k] * V[(size_t)j * n + k];
            out[(size_t)i * n + j] = out[(size_t)j * n + i] = s;
        }
}

/* out (n, n) = A B */
static void matmul(const double *A, const double *B, int n, double *out)
{
    memset(out, 0, (size_t)n * n * sizeof *out);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double aik = A[(size_t)i * n + k];
            const double *brow = B + (size_t)k * n;
            double *orow = out + (size_t)i * n;
            for (int j = 0; j < n; j++)
                orow[j] += aik * brow[j];
        }
}

t2v_status t2v_frechet_distance(const double *mu1, const double *S1, const double *mu2,
                                const double *S2, int n, double *out)
{
    if (n < 1)
        return t2v_fail(T2V_ERR_INVALID, "Frechet distance of %d-dimensional Gaussians", n);
    size_t nn = (size_t)n * n;
    double *w = malloc((size_t)n * sizeof *w);
    double *V = malloc(nn * sizeof *V);
    double *root = calloc(nn, sizeof *root);
    double *tmp = malloc(nn * sizeof *tmp);
    double *M = malloc(nn * sizeof *M);
    t2v_status st = T2V_OK;
    if (!w || !V || !root || !tmp || !M) {
        st = t2v_fail(T2V_ERR_NOMEM, "out of memory in the Frechet distance");
        goto done;
    }
    // root = sqrt(S1) from S1 = V diag(w) V^T
    st = t2v_sym_eigen(S1, n, w, V);
    if (st != T2V_OK)
        goto done;
    for (int i = 0; i < n; i++)
        w[i] = w[i] > 0.0 ? sqrt(w[i]) : 0.0;
    eigen_rebuild(V, w, n, root);
    // M = sqrt(S1) S2 sqrt(S1): symmetric positive semi-definite, and
    // tr sqrt(M) = tr sqrt(S1 S2)
    matmul(root, S2, n, tmp);
    matmul(tmp, root, n, M);
    st = t2v_sym_eigen(M, n, w, V);
    if (st != T2V_OK)
        goto done;
    double tr_sqrt = 0.0, tr1 = 0.0, tr2 = 0.0, dmu = 0.0;
    for (int i = 0; i < n; i++) {
        tr_sqrt += w[i] > 0.0 ? sqrt(w[i]) : 0.0;
        tr1 += S1[(size_t)i * n + i];
        tr2 += S2[(size_t)i * n + i];
        double d = mu1[i] - mu2[i];
        dmu += d * d;
    }
    double fd = dmu + tr1 + tr2 - 2.0 * tr_sqrt;
    *out = fd > 0.0 ? fd : 0.0;
done:
    free(w);
    free(V);
    free(root);
    free(tmp);
    free(M);
    return st;
}
