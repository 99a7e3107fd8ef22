/* The matching model's training loss and the R-precision of a scorer.
 *
 * Loss, for N images u (N, dim) and their N captions v (N, dim), caption i
 * describing image i: a = u / |u|, b = v / |v| row-wise, s = a b^T (N, N)
 * cosine similarities, logits s / tau;
 *   loss = 1/2 [ mean_i CE(softmax over captions of row i, i)
 *              + mean_j CE(softmax over images of column j, j) ]
 * (each image must pick its caption among the batch's, and each caption
 * its image). Computed on the host in double precision. */
#ifndef T2V_EVAL_MATCH_LOSS_H
#define T2V_EVAL_MATCH_LOSS_H

/* Returns the loss; du, dv (N, dim) receive its gradients with respect to
 * u and v (assigned; either may be NULL). N >= 1, rows must be non-zero. */
double t2v_match_loss(const float *u, const float *v, int N, int dim, double tau, float *du,
                      float *dv);

/* Cosine similarity of two vectors (0 when either is zero). */
double t2v_cosine(const float *a, const float *b, int dim);

/* R-precision credit of one item: its true caption scored `truth`, the
 * mismatching ones others (n). 1 / (1 + ties) when no other scores higher,
 * else 0: a constant scorer earns 1 / (n + 1), the chance level. */
double t2v_rprec_credit(double truth, const double *others, int n);

#endif
