/* What every data set shares inside train/data: the dataset object, the
 * per-kind operations, the distinct-caption table, errors and hashing. */
#ifndef TXT2VID_TRAIN_DATA_INTERNAL_H
#define TXT2VID_TRAIN_DATA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "dataset.h"

#if defined(__GNUC__)
#define T2V_DATA_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define T2V_DATA_PRINTF(a, b)
#endif

/* Records the message for t2v_data_last_error() and returns s. */
t2v_status t2v_data_fail(t2v_status s, const char *fmt, ...) T2V_DATA_PRINTF(2, 3);

/* Formats a warning and hands it to opts->warn (nothing when it is NULL). */
void t2v_data_warn(const t2v_data_options *opts, const char *fmt, ...) T2V_DATA_PRINTF(2, 3);

/* ---- deterministic random numbers ------------------------------------- */

/* splitmix64: a counter-free generator; mixing (seed, split, index, stream)
 * into its state gives every item its own independent stream. */
typedef struct t2v_data_rng {
    uint64_t state;
} t2v_data_rng;

static inline uint64_t t2v_data_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static inline uint64_t t2v_data_rng_next(t2v_data_rng *r)
{
    r->state += 0x9e3779b97f4a7c15ULL;
    return t2v_data_mix64(r->state);
}

/* A generator for one item: a, b, c, d are e.g. seed, split, index, stream. */
static inline t2v_data_rng t2v_data_rng_for(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t h = t2v_data_mix64(a + 0x243f6a8885a308d3ULL);
    h = t2v_data_mix64(h ^ (b + 0x13198a2e03707344ULL));
    h = t2v_data_mix64(h ^ (c + 0xa4093822299f31d0ULL));
    h = t2v_data_mix64(h ^ (d + 0x082efa98ec4e6c89ULL));
    t2v_data_rng r = {h};
    return r;
}

/* Uniform double in [0, 1). */
static inline double t2v_data_rng_uniform(t2v_data_rng *r)
{
    return (double)(t2v_data_rng_next(r) >> 11) * 0x1p-53;
}

/* Uniform integer in [0, n), n >= 1. */
static inline long t2v_data_rng_below(t2v_data_rng *r, long n)
{
    long v = (long)(t2v_data_rng_uniform(r) * (double)n);
    return v < n ? v : n - 1;
}

/* Streams, so draws for different purposes never share numbers. */
enum {
    T2V_STREAM_ITEM = 1,
    T2V_STREAM_CAPTION = 2,
    T2V_STREAM_MISMATCH = 3,
    T2V_STREAM_AUGMENT = 4,
    T2V_STREAM_NEAR_MISS = 5,
    T2V_STREAM_PARTIAL = 6,
    T2V_STREAM_NEAR_COIN = 7,
    T2V_STREAM_SWAP_COIN = 8,
};

/* ---- distinct captions ------------------------------------------------ */

typedef struct t2v_caption_table {
    char *text;       /* every caption, NUL-terminated, back to back */
    size_t text_len, text_cap;
    size_t *offset;   /* offset[k]: start of caption k in text */
    long n, cap;
    long *slots;      /* open addressing on the text: caption index + 1, 0 = empty */
    long n_slots;
} t2v_caption_table;

/* Adds a caption (or finds it). Returns its index, or -1 when out of memory. */
long t2v_caption_table_add(t2v_caption_table *t, const char *caption);
const char *t2v_caption_table_get(const t2v_caption_table *t, long k);
void t2v_caption_table_free(t2v_caption_table *t);

/* ---- the dataset object ----------------------------------------------- */

typedef struct t2v_data_ops {
    t2v_status (*get)(const t2v_dataset *ds, long i, uint64_t epoch, float *x, float *x_hi);
    long (*caption_index)(const t2v_dataset *ds, long i, uint64_t epoch);
    /* Sets with attributes: how many attributes caption k states
     * differently from item i (0: it describes it). */
    int (*caption_differences)(const t2v_dataset *ds, long i, long k);
    /* Sets without attributes (caption_differences NULL): whether distinct
     * caption k describes item i. */
    int (*caption_matches)(const t2v_dataset *ds, long i, long k);
    /* Optional: t2v_data_swapped_caption. */
    long (*swapped_caption)(const t2v_dataset *ds, long i, uint64_t epoch);
    t2v_status (*attributes)(const t2v_dataset *ds, long i, t2v_data_attrs *attrs);
    const char *(*value_name)(const t2v_dataset *ds, int a, int v);
    /* Optional: t2v_data_object_picture (arguments checked). */
    t2v_status (*object_picture)(const t2v_dataset *ds, long i, int canvas, int side,
                                 float *out);
    void (*destroy)(void *impl);
} t2v_data_ops;

struct t2v_dataset {
    t2v_data_info info;
    t2v_data_options opts; /* a copy; name and data_dir are not kept */
    const t2v_data_ops *ops;
    void *impl;
    t2v_caption_table captions;
};

/* Each kind fills ds->info, ds->ops, ds->impl and ds->captions. */
t2v_status t2v_bouncing_open(t2v_dataset *ds, int n_digits);
t2v_status t2v_scenes_open(t2v_dataset *ds);
t2v_status t2v_folder_open(t2v_dataset *ds, const char *folder, int videos);

/* Float conversion shared by the kinds: v in 0..255 -> v / 127.5 - 1. */
static inline float t2v_data_u8_to_float(uint8_t v)
{
    return (float)v * (1.0f / 127.5f) - 1.0f;
}

#endif
