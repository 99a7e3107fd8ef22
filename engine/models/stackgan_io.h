/* StackGAN hyperparameters in the weights file ("stackgan.*"). */
#ifndef T2V_STACKGAN_IO_H
#define T2V_STACKGAN_IO_H

#include "models/stackgan.h"
#include "txt2vid/weights.h"

t2v_status t2v_stackgan_cfg_write(const t2v_stackgan_cfg *c, t2v_weights_writer *wr);
/* Reads and validates every size; text.vocab comes from the vocabulary. */
t2v_status t2v_stackgan_cfg_read(const t2v_weights *w, int vocab_size, t2v_stackgan_cfg *c);

#endif
