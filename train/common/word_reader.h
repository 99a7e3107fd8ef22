/* The word reader: a classifier of its own, trained beside a GAN, that reads
 * from a real picture which caption words it shows, and pulls the
 * generator's pictures toward being read as their captions.
 *
 *   picture (N, C, T, H, W) -> per-frame convolution trunk (conv_trunk.h:
 *   batch norm, ReLU, pooled over frames and grid) -> word head
 *   (word_head.h: one logit per word, binary cross-entropy against the
 *   caption's bag of words, only the words some but not all captions hold)
 *
 * It learns from real pictures only, with batch statistics and an Adam of
 * its own (learning rate 1e-3, betas 0.9 and 0.999); the generator's
 * pictures are read at the trunk's running statistics, so the reader stays
 * a reader of real data whatever a batch of fakes looks like. A frame
 * shows what a clip holds, not where it moves: what the reader knows about
 * "2" is not tied to the direction 2s moved in training.
 *
 * Its tensors ("<prefix>.l<i>...", "<prefix>.words...") live in parameter
 * sets of its own, so a reader can join a run at any step. */
#ifndef T2V_TRAIN_WORD_READER_H
#define T2V_TRAIN_WORD_READER_H

#include <stdint.h>

#include "txt2vid/weights.h"
#include "train/common/conv_trunk.h"
#include "train/common/word_head.h"

#define T2V_WORD_READER_LR 1e-3f

typedef struct t2v_word_reader {
    t2v_params ps, bufs;     /* parameters (with Adam moments), running statistics */
    t2v_ctrunk trunk;
    t2v_ctrunk_run run;
    t2v_word_head words;
    t2v_adam opt;
    int N;                   /* pictures per batch */
    float *ws;               /* the trunk's convolution workspace */
    float *scales[T2V_CTRUNK_MAX_LAYERS]; /* batch norm at running statistics */
    float *dx;               /* (N, C, T, H, W) the pull's gradient */
} t2v_word_reader;

/* Declares and allocates a reader of pictures (C, T, H, W) with `layers`
 * convolutions from width0 channels, for a vocabulary of V words. */
t2v_status t2v_word_reader_new(t2v_word_reader *r, t2v_backend *be, const char *prefix, int C,
                               int T, int H, int W, int layers, int width0, int V);
/* Buffers for batches of N pictures from a trainer's plan. */
void t2v_word_reader_plan(t2v_word_reader *r, t2v_backend *be, t2v_plan *p, int N);
/* Fresh weights (Kaiming convolutions, unit batch norm, a zero-ish head). */
t2v_status t2v_word_reader_init(t2v_word_reader *r, uint64_t seed, uint64_t stream);
/* Weights, moments and statistics from a checkpoint; `steps` is how many
 * steps it has taken (its optimiser's bias correction). */
t2v_status t2v_word_reader_load(t2v_word_reader *r, const t2v_weights *w, int64_t steps);
t2v_status t2v_word_reader_write(t2v_word_reader *r, t2v_weights_writer *wr);
void t2v_word_reader_free(t2v_word_reader *r);

/* Which words it scores, from every training caption (word_head.h). */
t2v_status t2v_word_reader_keep_informative(t2v_word_reader *r, const int32_t *ids,
                                            const int *lens, long n, int stride);
/* The batch's captions: N rows of `stride` ids. */
t2v_status t2v_word_reader_set_targets(t2v_word_reader *r, const int32_t *ids, const int *lens,
                                       int stride);

/* One step of its optimiser on N real pictures; returns its loss. */
float t2v_word_reader_learn(t2v_word_reader *r, const float *real);

/* Reads N generated pictures against the targets: *loss = weight x the
 * term, and weight x its gradient is added into dfake. */
t2v_status t2v_word_reader_pull(t2v_word_reader *r, const float *fake, float weight,
                                float *dfake, float *loss);

#endif
