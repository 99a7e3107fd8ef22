/* What the judge's and the matching model's weights files share: integer
 * keys read back within a range, the training provenance keys, and the
 * writing of a file (configuration keys, then the parameters and the
 * batchnorm running statistics) in one atomic step. */
#ifndef T2V_EVAL_EVAL_WEIGHTS_H
#define T2V_EVAL_EVAL_WEIGHTS_H

#include <stdint.h>

#include "txt2vid/nn.h"
#include "txt2vid/weights.h"

/* A u32 key that must lie in [lo, hi]; `what` names the kind of file in
 * the message ("judge" -> "PATH: judge key K missing or not an integer"). */
t2v_status t2v_eval_get_int(const t2v_weights *w, const char *what, const char *key, int lo,
                            int hi, int *out);

/* txt2vid.train.{dataset, steps, seed, seconds}, in that order. */
t2v_status t2v_eval_write_provenance(t2v_weights_writer *wr, const char *dataset, int64_t steps,
                                     uint64_t seed, double seconds);
/* Reads back the steps, seed and seconds present (the others are left). */
void t2v_eval_read_provenance(const t2v_weights *w, int64_t *steps, uint64_t *seed,
                              double *seconds);

/* Adds the configuration keys of `model`. */
typedef t2v_status (*t2v_eval_config_fn)(const void *model, t2v_weights_writer *wr,
                                         const char *command);

/* Writes path atomically: add_config's keys, every tensor of params, then
 * of bufs. */
t2v_status t2v_eval_save(const char *path, const void *model, t2v_eval_config_fn add_config,
                         const char *command, t2v_params *params, t2v_params *bufs);

/* Fills every tensor of params, then of bufs, from w. */
t2v_status t2v_eval_load_tensors(const t2v_weights *w, t2v_params *params, t2v_params *bufs);

#endif
