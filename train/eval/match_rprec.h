/* R-precision with the matching model: for each of n test items, its
 * image's true caption (t2v_data_caption(test, k, 0)) is ranked against
 * 99 distinct mismatching captions of the test split (captions whose
 * attributes differ, t2v_data_mismatched_caption) by cosine similarity in
 * the matching model's space; an item earns t2v_rprec_credit (1 when the
 * true caption ranks first, shared among ties). R-precision is the mean
 * credit; chance is 1 / 100. */
#ifndef T2V_EVAL_MATCH_RPREC_H
#define T2V_EVAL_MATCH_RPREC_H

#include "train/eval/match.h"
#include "train/eval/score.h"

#define T2V_RPREC_MISMATCHED 99

/* Images come from fn (item k's image (C, 1, H, W) at the model's input
 * size). test must have the model's image layout. *rprec receives the
 * R-precision of the n items. */
t2v_status t2v_match_rprecision(t2v_match *m, t2v_dataset *test, long n, t2v_clip_fn fn,
                                void *user, double *rprec);

#endif
