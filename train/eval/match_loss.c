/* The matching model's contrastive loss and the R-precision credit. */
#include <math.h>
#include <stdlib.h>

#include "train/eval/match_loss.h"

double t2v_cosine(const float *a, const float *b, int dim)
{
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (int k = 0; k < dim; k++) {
        ab += (double)a[k] * b[k];
        aa += (double)a[k] * a[k];
        bb += (double)b[k] * b[k];
    }
    return aa > 0.0 && bb > 0.0 ? ab / sqrt(aa * bb) : 0.0;
}

/* x (N, dim) -> unit rows xn (N, dim) and the norms (N). */
static void normalise_rows(const float *x, int N, int dim, double *xn, double *norm)
{
    for (int i = 0; i < N; i++) {
        double ss = 0.0;
        for (int k = 0; k < dim; k++)
            ss += (double)x[(size_t)i * dim + k] * x[(size_t)i * dim + k];
        norm[i] = sqrt(ss);
        double inv = norm[i] > 0.0 ? 1.0 / norm[i] : 0.0;
        for (int k = 0; k < dim; k++)
            xn[(size_t)i * dim + k] = x[(size_t)i * dim + k] * inv;
    }
}

/* Gradient through the normalisation: dx = (da - a (a . da)) / |x|. */
static void normalise_backward(const double *xn, const double *norm, const double *dxn, int N,
                               int dim, float *dx)
{
    for (int i = 0; i < N; i++) {
        const double *a = xn + (size_t)i * dim, *da = dxn + (size_t)i * dim;
        double dot = 0.0;
        for (int k = 0; k < dim; k++)
            dot += a[k] * da[k];
        double inv = norm[i] > 0.0 ? 1.0 / norm[i] : 0.0;
        for (int k = 0; k < dim; k++)
            dx[(size_t)i * dim + k] = (float)((da[k] - a[k] * dot) * inv);
    }
}

double t2v_match_loss(const float *u, const float *v, int N, int dim, double tau, float *du,
                      float *dv)
{
    size_t nd = (size_t)N * dim, nn = (size_t)N * N;
    double *a = malloc(nd * sizeof *a), *b = malloc(nd * sizeof *b);
    double *na = malloc((size_t)N * sizeof *na), *nb = malloc((size_t)N * sizeof *nb);
    double *s = malloc(nn * sizeof *s), *g = calloc(nn, sizeof *g);
    double *da = calloc(nd, sizeof *da), *db = calloc(nd, sizeof *db);
    if (!a || !b || !na || !nb || !s || !g || !da || !db) {
        free(a); free(b); free(na); free(nb); free(s); free(g); free(da); free(db);
        return NAN;
    }
    normalise_rows(u, N, dim, a, na);
    normalise_rows(v, N, dim, b, nb);
    // s (N, N): logits a_i . b_j / tau
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double d = 0.0;
            for (int k = 0; k < dim; k++)
                d += a[(size_t)i * dim + k] * b[(size_t)j * dim + k];
            s[(size_t)i * N + j] = d / tau;
        }
    // g (N, N) = dloss / dlogits; rows (image -> captions) then columns
    double loss = 0.0, w = 0.5 / N;
    for (int dir = 0; dir < 2; dir++)
        for (int i = 0; i < N; i++) {
            // entry t of line i: row i (dir 0) or column i (dir 1)
            size_t step = dir == 0 ? 1 : (size_t)N, first = dir == 0 ? (size_t)i * N : (size_t)i;
            double mx = -INFINITY, sum = 0.0;
            for (int t = 0; t < N; t++)
                mx = fmax(mx, s[first + t * step]);
            for (int t = 0; t < N; t++)
                sum += exp(s[first + t * step] - mx);
            double lse = mx + log(sum);
            loss += w * (lse - s[first + (size_t)i * step]);
            for (int t = 0; t < N; t++)
                g[first + t * step] += w * (exp(s[first + t * step] - lse) - (t == i));
        }
    // through the similarities: da_i = sum_j g_ij b_j / tau, db_j = sum_i g_ij a_i / tau
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double gij = g[(size_t)i * N + j] / tau;
            for (int k = 0; k < dim; k++) {
                da[(size_t)i * dim + k] += gij * b[(size_t)j * dim + k];
                db[(size_t)j * dim + k] += gij * a[(size_t)i * dim + k];
            }
        }
    if (du)
        normalise_backward(a, na, da, N, dim, du);
    if (dv)
        normalise_backward(b, nb, db, N, dim, dv);
    free(a); free(b); free(na); free(nb); free(s); free(g); free(da); free(db);
    return loss;
}

double t2v_rprec_credit(double truth, const double *others, int n)
{
    int ties = 0;
    for (int k = 0; k < n; k++) {
        if (others[k] > truth)
            return 0.0;
        ties += others[k] == truth;
    }
    return 1.0 / (1.0 + ties);
}
