/* What the GAN trainers write into (and read back from) their checkpoints
 * and exported models: the header and provenance keys every model file
 * carries, Adam moments, and a training recipe described as a table of
 * keys. */
#ifndef T2V_TRAIN_CKPT_META_H
#define T2V_TRAIN_CKPT_META_H

#include <stddef.h>

#include "text/tokenizer.h"
#include "train/common/gan_loss.h"
#include "txt2vid/nn.h"
#include "txt2vid/weights.h"

/* general.architecture, general.name, txt2vid.format_version,
 * txt2vid.kind and the vocabulary, in that order. */
t2v_status t2v_ckpt_write_header(t2v_weights_writer *wr, const char *architecture,
                                 const char *name, const char *kind, const t2v_vocab *vocab);

/* txt2vid.train.{dataset, preset, steps, seed, seconds, command, loss}, in
 * that order (command NULL: ""). */
t2v_status t2v_ckpt_write_provenance(t2v_weights_writer *wr, const char *dataset,
                                     const char *preset, uint64_t steps, uint64_t seed,
                                     double seconds, const char *command, t2v_gan_loss loss);

/* The Adam moments NAME@m and NAME@v of every parameter of ps. */
t2v_status t2v_ckpt_write_moments(t2v_backend *be, const t2v_params *ps, t2v_weights_writer *wr);

/* ---- a recipe as a table of keys ------------------------------------------ */

typedef enum t2v_recipe_type {
    T2V_RECIPE_STR,   /* char array */
    T2V_RECIPE_U32,   /* int or enum field, stored as u32 */
    T2V_RECIPE_BOOL,  /* int field */
    T2V_RECIPE_F32,   /* float field */
    T2V_RECIPE_U64,   /* uint64_t field */
    T2V_RECIPE_I64,   /* int64_t or long field */
} t2v_recipe_type;

typedef struct t2v_recipe_key {
    const char *key;
    t2v_recipe_type type;
    size_t offset, size;  /* of the field in the recipe struct */
    int64_t lo, hi;       /* accepted integer range when read back; lo > hi: any */
    int optional;         /* 1: files written before the key existed read as 0 */
} t2v_recipe_key;

#define T2V_RECIPE_KEY(key, type, st, field, lo, hi) \
    {key, type, offsetof(st, field), sizeof(((st *)0)->field), lo, hi, 0}
#define T2V_RECIPE_KEY_OPT(key, type, st, field, lo, hi) \
    {key, type, offsetof(st, field), sizeof(((st *)0)->field), lo, hi, 1}

/* Writes the n fields of recipe in table order. */
t2v_status t2v_recipe_write(const void *recipe, const t2v_recipe_key *keys, int n,
                            t2v_weights_writer *wr);
/* Reads the n fields into recipe (zeroed first, size bytes); returns
 * T2V_ERR_FORMAT when a key that is not optional is missing (the reader
 * named it). */
t2v_status t2v_recipe_read(const t2v_weights *w, const t2v_recipe_key *keys, int n,
                           void *recipe, size_t size);
/* Fails with "PATH: training recipe values out of range" when an integer
 * field read back lies outside its range. */
t2v_status t2v_recipe_check(const t2v_weights *w, const t2v_recipe_key *keys, int n,
                            const void *recipe);

#endif
