/* A tiny StackGAN model file for the evaluation tests: Stage I 16x16,
 * Stage II 64x64, RGB, randomly initialised weights (Philox stream of the
 * seed) and a vocabulary of the words given. */
#ifndef T2V_TESTS_TINY_STACKGAN_H
#define T2V_TESTS_TINY_STACKGAN_H

#include <stdint.h>

#include "models/stackgan.h"
#include "txt2vid/status.h"

/* The sizes the file gets. */
void tiny_stackgan_cfg(t2v_stackgan_cfg *cfg, int vocab_size);

/* Writes the model to `path`; words (n) become the vocabulary after
 * <pad> and <unk>. */
t2v_status tiny_stackgan_write(const char *path, const char *const *words, int n,
                               uint64_t seed);

#endif
