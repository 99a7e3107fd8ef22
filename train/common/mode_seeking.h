/* A mode-seeking term for conditional generators (Mao et al., CVPR 2019):
 * two samples drawn for the same condition with different noise should
 * differ in proportion to their noise,
 *
 *   r(i, j) = mean |x_i - x_j| / mean |z_i - z_j|,
 *   loss    = lambda * mean over pairs of 1 / (r + 1e-5),
 *
 * so a generator that ignores its noise for a caption pays for it. Pairs
 * are items of one batch that share a condition (`group`): each item
 * pairs with the next unpaired item of its group, so the pairs are
 * disjoint and an item without a partner contributes nothing. */
#ifndef T2V_TRAIN_MODE_SEEKING_H
#define T2V_TRAIN_MODE_SEEKING_H

#include <stddef.h>

/* x (N, M) samples, z (N, Z) their noise, group (N) condition ids.
 * Returns the loss (0 without pairs) and assigns its gradient w.r.t. x to
 * grad (N, M); *pairs (may be NULL) gets the number of pairs and *ratio
 * (may be NULL) the mean r. */
double t2v_mode_seeking(const float *x, int N, size_t M, const float *z, int Z, const int *group,
                        float lambda, float *grad, int *pairs, double *ratio);

#endif
