/* The vocabulary: ids for words, with a small open-addressing hash. */
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "text/tokenizer.h"

static uint32_t hash_word(const char *w)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *w; w++) {
        h ^= (unsigned char)*w;
        h *= 16777619u;
    }
    return h;
}

static t2v_status rehash(t2v_vocab *v, int size)
{
    int *t = malloc((size_t)size * sizeof *t);
    if (!t)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory growing the vocabulary");
    for (int i = 0; i < size; i++)
        t[i] = -1;
    for (int id = 0; id < v->count; id++) {
        uint32_t h = hash_word(v->words[id]) & (uint32_t)(size - 1);
        while (t[h] >= 0)
            h = (h + 1) & (uint32_t)(size - 1);
        t[h] = id;
    }
    free(v->table);
    v->table = t;
    v->table_size = size;
    return T2V_OK;
}

t2v_status t2v_vocab_init(t2v_vocab *v)
{
    memset(v, 0, sizeof *v);
    int id;
    t2v_status s = t2v_vocab_add(v, "<pad>", &id);
    if (s == T2V_OK)
        s = t2v_vocab_add(v, "<unk>", &id);
    if (s != T2V_OK)
        t2v_vocab_free(v);
    return s;
}

void t2v_vocab_free(t2v_vocab *v)
{
    for (int i = 0; i < v->count; i++)
        free(v->words[i]);
    free(v->words);
    free(v->table);
    memset(v, 0, sizeof *v);
}

int t2v_vocab_find(const t2v_vocab *v, const char *word)
{
    if (!v->table)
        return -1;
    uint32_t mask = (uint32_t)(v->table_size - 1);
    for (uint32_t h = hash_word(word) & mask;; h = (h + 1) & mask) {
        int id = v->table[h];
        if (id < 0)
            return -1;
        if (strcmp(v->words[id], word) == 0)
            return id;
    }
}

t2v_status t2v_vocab_add(t2v_vocab *v, const char *word, int *id_out)
{
    int found = t2v_vocab_find(v, word);
    if (found >= 0) {
        *id_out = found;
        return T2V_OK;
    }
    if (v->count >= 1 << 20)
        return t2v_fail(T2V_ERR_INVALID, "vocabulary is larger than %d words", 1 << 20);
    if (v->count == v->cap) {
        int cap = v->cap ? v->cap * 2 : 64;
        char **w = realloc(v->words, (size_t)cap * sizeof *w);
        if (!w)
            return t2v_fail(T2V_ERR_NOMEM, "out of memory growing the vocabulary");
        v->words = w;
        v->cap = cap;
    }
    char *copy = strdup(word);
    if (!copy)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory growing the vocabulary");
    v->words[v->count++] = copy;
    if (2 * v->count > v->table_size) {
        t2v_status s = rehash(v, v->table_size ? v->table_size * 2 : 128);
        if (s != T2V_OK) {
            free(v->words[--v->count]);
            return s;
        }
    } else {
        uint32_t mask = (uint32_t)(v->table_size - 1);
        uint32_t h = hash_word(copy) & mask;
        while (v->table[h] >= 0)
            h = (h + 1) & mask;
        v->table[h] = v->count - 1;
    }
    *id_out = v->count - 1;
    return T2V_OK;
}

typedef struct encode_ctx {
    const t2v_vocab *v;
    t2v_encoded_caption *out;
    int max_words;
    char *unknown;
    size_t unknown_size, unknown_used;
    int words; /* words that are not a lone punctuation mark */
} encode_ctx;

static int encode_word(void *p, const char *word, size_t len)
{
    encode_ctx *c = p;
    unsigned char first = (unsigned char)word[0];
    if (!(len == 1 && first < 0x80 && !((first >= '0' && first <= '9') ||
                                        ((first | 32) >= 'a' && (first | 32) <= 'z'))))
        c->words++;
    if (c->out->length >= c->max_words) {
        c->out->truncated++;
        return 0;
    }
    int id = t2v_vocab_find(c->v, word);
    if (id < 0 || id == T2V_TOK_PAD) {
        id = T2V_TOK_UNK;
        c->out->unknown++;
        if (c->unknown && c->unknown_used + len + 2 <= c->unknown_size) {
            if (c->unknown_used)
                c->unknown[c->unknown_used++] = ' ';
            memcpy(c->unknown + c->unknown_used, word, len);
            c->unknown_used += len;
            c->unknown[c->unknown_used] = '\0';
        }
    }
    c->out->ids[c->out->length++] = id;
    return 0;
}

t2v_status t2v_caption_encode(const t2v_vocab *v, const char *caption, int max_words,
                              t2v_encoded_caption *out, char *unknown_out,
                              size_t unknown_size)
{
    memset(out, 0, sizeof *out);
    if (unknown_out && unknown_size)
        unknown_out[0] = '\0';
    int cap = (int)(sizeof out->ids / sizeof out->ids[0]);
    if (max_words < 1 || max_words > cap)
        return t2v_fail(T2V_ERR_INVALID, "max_words %d outside 1..%d", max_words, cap);
    encode_ctx c = {v, out, max_words, unknown_out, unknown_out ? unknown_size : 0, 0, 0};
    t2v_status s = t2v_tokenize(caption, encode_word, &c);
    if (s != T2V_OK)
        return s;
    if (c.words == 0)
        return t2v_fail(T2V_ERR_INVALID, "caption has no words");
    return T2V_OK;
}
