/* Captions to word ids: the tokenizer and the vocabulary stored in every
 * weights file. */
#ifndef T2V_TOKENIZER_H
#define T2V_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "txt2vid/status.h"

#define T2V_TOK_PAD 0   /* "<pad>": fills a batch past a caption's end */
#define T2V_TOK_UNK 1   /* "<unk>": a word the vocabulary lacks */
#define T2V_MAX_WORD 48 /* bytes of one word; longer words are cut */
#define T2V_MAX_CAPTION_BYTES 65536

typedef struct t2v_vocab {
    char **words;      /* words[id], id 0 and 1 are <pad> and <unk> */
    int count, cap;
    int *table;        /* open-addressing hash: word -> id, -1 empty */
    int table_size;    /* a power of two, at least 2 * count */
} t2v_vocab;

/* Splits a caption into lower-case words: letters, digits and other
 * non-space UTF-8 runs form words; each ASCII punctuation mark is a word of
 * its own. Calls fn for every word in order; stops early when fn returns
 * non-zero. Invalid UTF-8 or a caption over T2V_MAX_CAPTION_BYTES is
 * T2V_ERR_INVALID. */
typedef int (*t2v_word_fn)(void *ctx, const char *word, size_t len);
t2v_status t2v_tokenize(const char *caption, t2v_word_fn fn, void *ctx);

t2v_status t2v_vocab_init(t2v_vocab *v);          /* with <pad> and <unk> */
void t2v_vocab_free(t2v_vocab *v);
/* Adds a word if absent; returns its id through id_out. */
t2v_status t2v_vocab_add(t2v_vocab *v, const char *word, int *id_out);
int t2v_vocab_find(const t2v_vocab *v, const char *word); /* -1 if absent */

/* Caption -> ids (at most max_words, the rest reported as truncated).
 * Unknown words become T2V_TOK_UNK; their text is collected (space
 * separated, cut to unknown_size) when unknown_out is not NULL. */
typedef struct t2v_encoded_caption {
    int32_t ids[256];
    int length;        /* ids used */
    int unknown;       /* ids that are <unk> */
    int truncated;     /* words dropped past max_words */
} t2v_encoded_caption;

t2v_status t2v_caption_encode(const t2v_vocab *v, const char *caption, int max_words,
                              t2v_encoded_caption *out, char *unknown_out,
                              size_t unknown_size);

#endif
