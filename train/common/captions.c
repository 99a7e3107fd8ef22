/* A data set's captions as a vocabulary and an encoded table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/common/captions.h"
#include "txt2vid/nn.h"

typedef struct vocab_ctx { t2v_vocab *v; t2v_status s; } vocab_ctx;

static int add_word(void *p, const char *word, size_t len)
{
    (void)len;
    vocab_ctx *c = p;
    int id;
    c->s = t2v_vocab_add(c->v, word, &id);
    return c->s != T2V_OK;
}

t2v_status t2v_vocab_from_captions(t2v_vocab *v, t2v_dataset *ds, long n_captions)
{
    t2v_status s = t2v_vocab_init(v);
    for (long k = 0; k < n_captions && s == T2V_OK; k++) {
        vocab_ctx c = {v, T2V_OK};
        s = t2v_tokenize(t2v_data_caption_at(ds, k), add_word, &c);
        if (s == T2V_OK)
            s = c.s;
    }
    return s;
}

t2v_status t2v_encoded_captions_build(t2v_encoded_captions *t, t2v_vocab *v, int build_vocab,
                                   t2v_dataset *ds, long n_captions, int max_words,
                                   const char *data_name)
{
    int T = max_words;
    t->n = n_captions;
    t->max_words = T;
    if (t->n < 1)
        return t2v_fail(T2V_ERR_INVALID, "data set %s has no captions", data_name);
    if (build_vocab) {
        t2v_status s = t2v_vocab_from_captions(v, ds, t->n);
        if (s != T2V_OK)
            return s;
    }
    t->ids = calloc((size_t)t->n * T, sizeof *t->ids);
    t->len = calloc((size_t)t->n, sizeof *t->len);
    if (!t->ids || !t->len)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory encoding captions");
    for (long k = 0; k < t->n; k++) {
        t2v_encoded_caption enc;
        t2v_status s = t2v_caption_encode(v, t2v_data_caption_at(ds, k), T, &enc, NULL, 0);
        if (s != T2V_OK)
            return s;
        memcpy(t->ids + (size_t)k * T, enc.ids, (size_t)enc.length * sizeof(int32_t));
        t->len[k] = enc.length;
    }
    return T2V_OK;
}

void t2v_encoded_captions_free(t2v_encoded_captions *t)
{
    free(t->ids);
    free(t->len);
    t->ids = NULL;
    t->len = NULL;
}

void t2v_encoded_captions_copy(const t2v_encoded_captions *t, long k, int32_t *ids, int *len, int row)
{
    int T = t->max_words;
    memcpy(ids + (size_t)row * T, t->ids + (size_t)k * T, T * sizeof(int32_t));
    len[row] = t->len[k];
}

t2v_status t2v_encoded_captions_pair(const t2v_encoded_captions *t, t2v_dataset *ds, long i,
                                  uint64_t epoch, uint64_t draw, float near_miss,
                                  float swap_miss, int32_t *ids, int *len, int row, int N,
                                  long *matching)
{
    long km = t2v_data_caption_index(ds, i, epoch);
    long kx = t2v_data_training_mismatch(ds, i, epoch, draw, near_miss, swap_miss);
    if (km < 0 || km >= t->n)
        return t2v_fail(T2V_ERR_INVALID, "data set gave no caption for item %ld", i);
    if (kx < 0 || kx >= t->n)
        kx = (km + 1) % t->n;
    t2v_encoded_captions_copy(t, km, ids, len, row);
    t2v_encoded_captions_copy(t, kx, ids, len, N + row);
    if (matching)
        *matching = km;
    return T2V_OK;
}

t2v_status t2v_encode_caption_batch(const t2v_vocab *v, const char *const *captions, int n,
                                    int base, int N, int max_words, int32_t *ids, int *len)
{
    int T = max_words;
    memset(ids, 0, (size_t)N * T * sizeof(int32_t));
    for (int j = 0; j < N; j++) {
        int c = base + j < n ? base + j : n - 1;
        t2v_encoded_caption enc;
        t2v_status s = t2v_caption_encode(v, captions[c], T, &enc, NULL, 0);
        if (s != T2V_OK)
            return s;
        memcpy(ids + (size_t)j * T, enc.ids, (size_t)enc.length * sizeof(int32_t));
        len[j] = enc.length;
    }
    return T2V_OK;
}

int t2v_sheet_captions(const t2v_data_options *base, const char **out, char store[][160],
                       int max)
{
    int n = 0;
    for (int split = 1; split >= 0 && n < max; split--) {
        t2v_data_options o = *base;
        o.split = split ? T2V_SPLIT_TEST : T2V_SPLIT_TRAIN;
        t2v_dataset *ds;
        if (t2v_data_open(&o, &ds) != T2V_OK)
            continue;
        t2v_data_info di;
        t2v_data_get_info(ds, &di);
        /* Spread over the split's list, whose neighbours share most words
         * (TBMG's first 40 training captions all start "digit 0"): item i
         * of per at i n / per, moved on by i so that a list of a regular
         * layout is not read at one phase of it. */
        long per = max / 2, nc = di.n_captions;
        for (long i = 0; i < per && i < nc && n < max; i++) {
            long k = nc > per ? (i * nc / per + i) % nc : i;
            snprintf(store[n], 160, "%s", t2v_data_caption_at(ds, k));
            out[n] = store[n];
            n++;
        }
        t2v_data_close(ds);
    }
    return n;
}

t2v_status t2v_vocab_read(const t2v_weights *w, t2v_vocab *v)
{
    const char *const *words;
    size_t n;
    if (t2v_weights_get_str_array(w, T2V_KEY_VOCAB, &words, &n) != T2V_OK || n < 2)
        return t2v_fail(T2V_ERR_FORMAT, "%s: no vocabulary", t2v_weights_path(w));
    t2v_status s = t2v_vocab_init(v);
    for (size_t i = 2; i < n && s == T2V_OK; i++) {
        int id;
        s = t2v_vocab_add(v, words[i], &id);
    }
    return s;
}

t2v_status t2v_encoded_captions_idf(const t2v_encoded_captions *t, int V, float scale,
                                    float *score)
{
    long *df = calloc((size_t)(V > 0 ? V : 1), sizeof *df);
    if (!df)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory");
    for (long k = 0; k < t->n; k++)
        for (int i = 0; i < t->len[k]; i++) {
            int32_t id = t->ids[k * t->max_words + i];
            int first = 1; /* count a caption once per word */
            for (int u = 0; u < i; u++)
                first &= t->ids[k * t->max_words + u] != id;
            if (id >= 0 && id < V && first)
                df[id]++;
        }
    for (int v = 0; v < V; v++)
        score[v] = df[v] > 0 ? scale * (float)log((double)t->n / (double)df[v]) : 0.0f;
    free(df);
    return T2V_OK;
}
