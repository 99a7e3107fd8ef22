/* Training the matching model on real train-split images and their
 * captions: random items (Philox draws), the contrastive loss of
 * match_loss.h, Adam with a short warm-up and a cosine decay. */
#ifndef T2V_EVAL_MATCH_TRAIN_H
#define T2V_EVAL_MATCH_TRAIN_H

#include "train/common/captions.h"
#include "train/eval/fit_loop.h"
#include "train/eval/match.h"

typedef t2v_fit_progress_fn t2v_match_progress_fn;

typedef struct t2v_match_train_opts {
    int64_t steps;       /* default 2000 */
    int batch;           /* default 32 */
    float lr;            /* peak learning rate, default 1e-3 */
    uint64_t seed;       /* weights and item draws, default 1 */
    int threads;         /* CPU threads; <= 0: every core */
    int progress_every;  /* default 100 */
    t2v_match_progress_fn progress;
    void *user;
} t2v_match_train_opts;

void t2v_match_train_opts_default(t2v_match_train_opts *o);

/* A batch of items (B) of ds: images (B, C, 1, H, W) at `epoch`, their
 * captions' ids (B, T) and lengths (B) from the encoded table of ds. */
t2v_status t2v_match_batch(const t2v_dataset *ds, const t2v_encoded_captions *caps,
                           const long *items, int B, uint64_t epoch, float *images,
                           int32_t *ids, int *len);

/* One step on a loaded batch: forward both encoders, the loss (returned in
 * *loss), backward into zeroed gradients. No optimiser step. */
t2v_status t2v_match_step_grad(t2v_match *m, t2v_match_run *r, const float *images,
                               const int32_t *ids, const int *len, double *loss,
                               float *host_u, float *host_v, float *host_du, float *host_dv);

/* Builds the vocabulary from the train split's captions and trains a new
 * model on `train` (the images at the data set's size). */
t2v_status t2v_match_train(const t2v_match_train_opts *o, t2v_dataset *train, t2v_match **out);

#endif
