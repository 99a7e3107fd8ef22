/* Host-side statistics of the evaluation, all in double precision:
 * softmax cross-entropy and its gradient over small logit tables, the
 * Inception-score analogue, Gaussian feature statistics and the Frechet
 * distance between two Gaussians (the "FID" of the judge's features). */
#ifndef T2V_EVAL_MATH_H
#define T2V_EVAL_MATH_H

#include <stddef.h>

#include <txt2vid/status.h>

/* Softmax cross-entropy over rows of a logit table.
 * logits: (N, stride) of which columns [0, K) are this head's;
 * labels: (N) in [0, K). Returns mean over rows of -log softmax(z)[label]
 * and, when grad is not NULL, ASSIGNS grad[n*stride + k] =
 * scale * (softmax(z)[k] - [k == label]) / N for k < K. */
double t2v_softmax_ce(const float *logits, int N, int K, int stride, const int *labels,
                      float *grad, float scale);

/* probs (N, stride), columns [0, K): softmax of the logits, computed stably. */
void t2v_softmax_rows(const float *logits, int N, int K, int stride, float *probs,
                      int probs_stride);

/* Inception-score analogue exp(E_x KL(p(y|x) || p(y))) with p(y) the mean of
 * p(y|x) over the N rows; rows are probability vectors of K classes at
 * `stride`. 1 when every row is the same, K for confident predictions
 * spread evenly over the K classes. */
double t2v_inception_score(const float *probs, long N, int K, int stride);

/* Mean (F) and unbiased covariance (F, F) of N >= 2 feature rows (N, F). */
t2v_status t2v_gaussian_fit(const float *feats, long N, int F, double *mean, double *cov);

/* Symmetric eigendecomposition by cyclic Jacobi rotations: A (n, n) is
 * symmetric (only read); eigenvalues into w (n), eigenvectors into the
 * columns of V (n, n) (A = V diag(w) V^T). Unsorted. */
t2v_status t2v_sym_eigen(const double *A, int n, double *w, double *V);

/* Frechet distance between N(mu1, S1) and N(mu2, S2):
 * |mu1 - mu2|^2 + tr S1 + tr S2 - 2 tr sqrt(sqrt(S1) S2 sqrt(S1)).
 * Negative eigenvalues from rounding are clamped to zero. */
t2v_status t2v_frechet_distance(const double *mu1, const double *S1, const double *mu2,
                                const double *S2, int n, double *out);

#endif
