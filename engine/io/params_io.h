/* Parameter sets to and from weights files, by tensor name. */
#ifndef T2V_PARAMS_IO_H
#define T2V_PARAMS_IO_H

#include "txt2vid/nn.h"
#include "txt2vid/weights.h"

/* Adds every tensor of ps (copied to the host), plus its Adam moments as
 * "<name>@m" and "<name>@v" when with_moments (checkpoints). */
t2v_status t2v_params_add_to_writer(t2v_params *ps, t2v_weights_writer *wr, int with_moments);
/* Fills every tensor of ps from w, checking shapes; with_moments also reads
 * the Adam moments. A missing tensor or a shape mismatch is T2V_ERR_FORMAT
 * naming the tensor. */
t2v_status t2v_params_load_from(t2v_params *ps, const t2v_weights *w, int with_moments);
/* The same, leaving the tensors whose names start with `skip` (NULL: none)
 * as they are: a part of the network that starts afresh. */
t2v_status t2v_params_load_except(t2v_params *ps, const t2v_weights *w, int with_moments,
                                  const char *skip);
/* Only the tensors whose names start with `prefix`, each of which has grown
 * along its first dimension from groups of `from` rows to groups of `to`:
 * row g from + j of the file goes to row g to + j, and the rows j >= from of
 * each group (and their moments) become 0. */
t2v_status t2v_params_load_widened(t2v_params *ps, const t2v_weights *w, int with_moments,
                                   const char *prefix, int from, int to);

/* One tensor of t's shape, held in backend memory at src / dst, to or from
 * a weights file under `name` (a missing tensor or another shape is
 * T2V_ERR_FORMAT naming it). */
t2v_status t2v_tensor_add_named(t2v_backend *be, t2v_weights_writer *wr, const char *name,
                                const t2v_tensor *t, const float *src);
t2v_status t2v_tensor_load_named(t2v_backend *be, const t2v_weights *w, const char *name,
                                 const t2v_tensor *t, float *dst);
/* ... widened from groups of `from` rows to groups of `to` along the first
 * dimension, as t2v_params_load_widened */
t2v_status t2v_tensor_load_widened(t2v_backend *be, const t2v_weights *w, const char *name,
                                   const t2v_tensor *t, float *dst, int from, int to);

#endif
