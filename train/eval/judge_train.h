/* Training the judge on the train split of real data: random items,
 * Adam, a short warm-up then a cosine decay of the learning rate. */
#ifndef T2V_EVAL_JUDGE_TRAIN_H
#define T2V_EVAL_JUDGE_TRAIN_H

#include "train/eval/fit_loop.h"
#include "train/eval/judge.h"

typedef t2v_fit_progress_fn t2v_judge_progress_fn;

typedef struct t2v_judge_train_opts {
    int64_t steps;       /* default 600 */
    int batch;           /* default 32 */
    float lr;            /* peak learning rate, default 2e-3 */
    uint64_t seed;       /* initial weights and item draws, default 1 */
    int threads;         /* CPU threads; <= 0: every core */
    int width0;          /* first layer's channels; 0: 16 */
    int shape_width0;    /* the shape trunk's first layer's channels (when the
                            judge has one); 0: as width0 */
    int shape_crop;      /* the shape trunk reads the picture cut to the ink at
                            (S, S) (t2v_shape_crop); 0: T2V_JUDGE_SHAPE_CROP;
                            -1: the whole frame */
    int shift;           /* each training clip moved by a random whole number of
                            pixels in [-shift, shift] along H and W (edge pixels
                            repeated); 0: none, default */
    int progress_every;  /* default 50 */
    t2v_judge_progress_fn progress;
    void *user;
} t2v_judge_train_opts;

void t2v_judge_train_opts_default(t2v_judge_train_opts *o);

/* The training shift: every frame of clip (C, T, H, W) moved by dy rows and
 * dx columns, out(y, x) = in(clamp(y - dy), clamp(x - dx)) (the edge rows
 * and columns repeat into the space uncovered). tmp: H W floats. */
void t2v_judge_shift_clip(float *clip, int C, int T, int H, int W, int dy, int dx, float *tmp);

/* Trains a new judge on `train` (the train split of a set with attributes);
 * the judge reads clips of the set's layout. */
t2v_status t2v_judge_train(const t2v_judge_train_opts *o, const t2v_dataset *train,
                           t2v_judge **out);

#endif
