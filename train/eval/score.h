/* Scoring sets of clips with a judge: what the judge says about each clip
 * (features, class probabilities, predictions), and the metrics computed
 * from that: per-attribute accuracy against true attributes, the
 * Inception-score analogue, the FID between two sets, how much
 * consecutive frames differ, and in how many frames the object is in view. Clips come from a callback, so real clips,
 * generated clips and any test clips are scored by the same code. */
#ifndef T2V_EVAL_SCORE_H
#define T2V_EVAL_SCORE_H

#include "train/eval/judge.h"

/* Writes clip k (C, T, H, W) of the judge's size into `clip`. */
typedef t2v_status (*t2v_clip_fn)(void *user, long k, float *clip);

/* The judge's view of n clips. */
typedef struct t2v_judged {
    long n;
    int F, K, n_attrs, T;
    float *feats;        /* (n, F) penultimate features */
    float *probs;        /* (n, K) class probabilities, heads side by side */
    int *pred;           /* (n, n_attrs) predicted classes, canonical object order */
    double frame_diff;   /* mean over clips of the mean squared difference of
                            consecutive frames; 0 when T = 1 */
    float *ink;          /* (n, T) grey clips (one channel) only, else NULL:
                            each frame's share of pixels brighter than
                            mid-grey (> 0), the object on a dark ground */
} t2v_judged;

/* Runs the judge over clips 0..n-1 of `fn` in batches of the run's size. */
t2v_status t2v_judge_clips(t2v_judge *j, t2v_judge_run *r, t2v_clip_fn fn, void *user, long n,
                           t2v_judged *out);
void t2v_judged_free(t2v_judged *s);

/* Grey clips: the share of s's frames holding at least a tenth of the mean
 * ink of ref's frames: frames that show the object, not an empty or nearly
 * empty frame (the object moved out of view or faded away); a thinner
 * stroke than the real digits' still counts. -1 when either has no ink
 * figures. */
double t2v_judged_in_view(const t2v_judged *s, const t2v_judged *ref);

/* Per-attribute accuracy against truth (n, n_attrs) in the data set's order
 * (objects matched as t2v_judge_match does), and the fraction of clips
 * with every attribute right. acc: (n_attrs). */
void t2v_judged_accuracy(const t2v_judge *j, const t2v_judged *s, const int *truth,
                         double *acc, double *all_right);

/* Confusion counts of attribute `attr`: counts (n_classes, n_classes),
 * row the true class, column the predicted one, over every clip; truth
 * (n, n_attrs) in the data set's order. For several objects the row is
 * the true object and the column the predicted object it was matched with
 * (as t2v_judged_accuracy matches them), so the diagonal sums to the hits
 * t2v_judged_accuracy counts. */
void t2v_judged_confusion(const t2v_judge *j, const t2v_judged *s, const int *truth, int attr,
                          long *counts);

/* Inception-score analogue of every head: is (n_attrs). */
void t2v_judged_inception(const t2v_judge *j, const t2v_judged *s, double *is);

/* FID between the features of two judged sets. */
t2v_status t2v_judged_fid(const t2v_judged *a, const t2v_judged *b, double *fid);

/* ---- real data -------------------------------------------------------- */

/* Clip source over items first.. of a data set laid out as the judge's
 * input (use with t2v_data_clip_fn). */
typedef struct t2v_data_clips {
    const t2v_dataset *ds;
    long first;
} t2v_data_clips;
t2v_status t2v_data_clip_fn(void *user, long k, float *clip);

/* True attributes of items first..first+n-1: truth (n, n_attrs). */
t2v_status t2v_data_truth(const t2v_dataset *ds, long first, long n, int n_attrs, int *truth);

/* Checks that a data set's clips have the judge's layout and schema. */
t2v_status t2v_judge_check_data(const t2v_judge *j, const t2v_dataset *ds);

/* The judge's view of real items 0..n-1 of ds (n clamped to the split's
 * size; *n_out the number judged) and their true attributes, *truth
 * (n, n_attrs) allocated here (free it with free()). */
t2v_status t2v_judge_real(t2v_judge *j, const t2v_dataset *ds, long n, int batch,
                          t2v_judged *out, int **truth, long *n_out);

/* Accuracy of the judge on real items 0..n-1 of ds: acc (n_attrs). */
t2v_status t2v_judge_accuracy(t2v_judge *j, const t2v_dataset *ds, long n, int batch,
                              double *acc, double *all_right);

#endif
