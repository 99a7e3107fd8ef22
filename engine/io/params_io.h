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

#endif
