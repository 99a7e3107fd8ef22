/* An exponential moving average of a parameter set's weights (the
 * generator's, in the GAN trainers): after every optimiser step
 *   avg <- d * avg + (1 - d) * w,  d = min(decay, (1 + step) / (10 + step)),
 * the ramp keeping the first steps from being dominated by the
 * initialisation. GAN weights swing from step to step; their average draws
 * steadier pictures, and the exported model carries it.
 *
 * The average lives in the set's backend, one buffer in the set's
 * parameter order; checkpoints carry it as "<name>@ema" tensors. */
#ifndef T2V_TRAIN_EMA_H
#define T2V_TRAIN_EMA_H

#include "txt2vid/nn.h"
#include "txt2vid/weights.h"

typedef struct t2v_ema {
    float decay;          /* 0: off */
    t2v_backend *be;
    float *buf;           /* every parameter's average, then one scratch tensor */
    float **avg;          /* per parameter, into buf */
    float *scratch;       /* the largest parameter's size */
    int count;
    int swapped;          /* 1 while the average sits in the set */
} t2v_ema;

/* Starts the average at the set's current weights. decay in (0, 1). */
t2v_status t2v_ema_init(t2v_ema *e, t2v_params *ps, float decay);
/* One update after an optimiser step; `step` counts the updates before
 * this one (the trainer's step). */
void t2v_ema_update(t2v_ema *e, t2v_params *ps, int64_t step);
/* Exchanges the averaged and the trained weights in the set; calling it
 * twice restores the set bit for bit. */
void t2v_ema_swap(t2v_ema *e, t2v_params *ps);
/* The "<name>@ema" tensors, to a checkpoint and back. t2v_ema_load fails
 * with T2V_ERR_FORMAT naming a missing tensor; t2v_ema_in_file tells
 * whether the file holds an average at all. */
t2v_status t2v_ema_write(const t2v_ema *e, const t2v_params *ps, t2v_weights_writer *wr);
t2v_status t2v_ema_load(t2v_ema *e, const t2v_params *ps, const t2v_weights *w);
/* The same, leaving the averages of the tensors whose names start with
 * `skip` (NULL: none) where t2v_ema_init put them. */
t2v_status t2v_ema_load_except(t2v_ema *e, const t2v_params *ps, const t2v_weights *w,
                               const char *skip);
/* Only the averages of the tensors whose names start with `prefix`, grown
 * from groups of `from` rows to `to` as t2v_params_load_widened. */
t2v_status t2v_ema_load_widened(t2v_ema *e, const t2v_params *ps, const t2v_weights *w,
                                const char *prefix, int from, int to);
int t2v_ema_in_file(const t2v_params *ps, const t2v_weights *w);
void t2v_ema_free(t2v_ema *e);

#endif
