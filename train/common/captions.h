/* Captions for training: the vocabulary of a data set's captions, the
 * table of every caption encoded once, and the vocabulary stored in a
 * weights file. */
#ifndef T2V_TRAIN_CAPTIONS_H
#define T2V_TRAIN_CAPTIONS_H

#include "text/tokenizer.h"
#include "train/data/dataset.h"
#include "txt2vid/weights.h"

/* Every caption of a data set as word ids. */
typedef struct t2v_encoded_captions {
    int32_t *ids;   /* (n, max_words), zero padded */
    int *len;       /* (n) words of each caption */
    long n;
    int max_words;
} t2v_encoded_captions;

/* Adds every word of the data set's n_captions captions to v (initialised
 * here). */
t2v_status t2v_vocab_from_captions(t2v_vocab *v, t2v_dataset *ds, long n_captions);

/* Encodes the data set's n_captions captions with v into t; data_name
 * names the data set in the error when it has none. When build_vocab, v is
 * first built from those captions. */
t2v_status t2v_encoded_captions_build(t2v_encoded_captions *t, t2v_vocab *v, int build_vocab,
                                   t2v_dataset *ds, long n_captions, int max_words,
                                   const char *data_name);
void t2v_encoded_captions_free(t2v_encoded_captions *t);

/* A starting score per vocabulary word for attention over a caption's
 * words: scale times the word's inverse document frequency over the
 * table's captions, ln(captions / captions holding it); words no caption
 * holds score 0. A word every caption has tells pictures apart no more
 * than silence does, and a rarer one names what differs. score (V). */
t2v_status t2v_encoded_captions_idf(const t2v_encoded_captions *t, int V, float scale,
                                    float *score);

/* Copies caption k of the table into row `row` of ids (rows of max_words)
 * and its length into len[row]. */
void t2v_encoded_captions_copy(const t2v_encoded_captions *t, long k, int32_t *ids, int *len, int row);

/* The matching caption of data set item i at `epoch` into row `row` of
 * ids/len and a mismatching one (drawn with `draw`) into row N + row: with
 * probability swap_miss a role swap (the same words, two roles exchanged),
 * else with probability near_miss a near miss, which states exactly one
 * attribute differently (t2v_data_training_mismatch; sets without them
 * fall back to any mismatch). *matching (when not NULL) receives the
 * matching caption's index. */
t2v_status t2v_encoded_captions_pair(const t2v_encoded_captions *t, t2v_dataset *ds, long i,
                                  uint64_t epoch, uint64_t draw, float near_miss,
                                  float swap_miss, int32_t *ids, int *len, int row, int N,
                                  long *matching);

/* An index in [0, count) from a uniform draw u in [0, 1). */
static inline long t2v_index_of_uniform(float u, long count)
{
    long i = (long)((double)u * count);
    return i >= count ? count - 1 : i;
}

/* Rows 0..N-1 of ids (zeroed first, rows of max_words) and len: captions
 * base .. base+N-1 of the n given, the last one repeated past the end. */
t2v_status t2v_encode_caption_batch(const t2v_vocab *v, const char *const *captions, int n,
                                    int base, int N, int max_words, int32_t *ids, int *len);

/* Fixed captions for sample sheets: up to max/2 of the test split's
 * captions (combinations never seen in training), then of the training
 * split's, evenly spaced over each split's list, each data set opened with
 * `base` (its split set here). Returns
 * how many; out[i] points into store[i]. */
int t2v_sheet_captions(const t2v_data_options *base, const char **out, char store[][160],
                       int max);

/* The vocabulary stored under T2V_KEY_VOCAB (v initialised here). */
t2v_status t2v_vocab_read(const t2v_weights *w, t2v_vocab *v);

#endif
