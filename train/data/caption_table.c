/* The distinct captions of a split: one text block, offsets, and a hash
 * index so adding a caption twice returns the first index. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"

static uint64_t caption_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ULL;
    return h;
}

static int caption_rehash(t2v_caption_table *t, long n_slots)
{
    long *slots = calloc((size_t)n_slots, sizeof *slots);
    if (!slots)
        return -1;
    for (long k = 0; k < t->n; k++) {
        uint64_t h = caption_hash(t->text + t->offset[k]);
        long s = (long)(h % (uint64_t)n_slots);
        while (slots[s])
            s = (s + 1) % n_slots;
        slots[s] = k + 1;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    return 0;
}

long t2v_caption_table_add(t2v_caption_table *t, const char *caption)
{
    if (t->n_slots == 0 || (t->n + 1) * 2 > t->n_slots)
        if (caption_rehash(t, t->n_slots ? t->n_slots * 2 : 1024) != 0)
            return -1;
    uint64_t h = caption_hash(caption);
    long s = (long)(h % (uint64_t)t->n_slots);
    while (t->slots[s]) {
        long k = t->slots[s] - 1;
        if (strcmp(t->text + t->offset[k], caption) == 0)
            return k;
        s = (s + 1) % t->n_slots;
    }
    size_t len = strlen(caption) + 1;
    if (t->text_len + len > t->text_cap) {
        size_t cap = t->text_cap ? t->text_cap * 2 : 4096;
        while (cap < t->text_len + len)
            cap *= 2;
        char *text = realloc(t->text, cap);
        if (!text)
            return -1;
        t->text = text;
        t->text_cap = cap;
    }
    if (t->n == t->cap) {
        long cap = t->cap ? t->cap * 2 : 256;
        size_t *offset = realloc(t->offset, (size_t)cap * sizeof *offset);
        if (!offset)
            return -1;
        t->offset = offset;
        t->cap = cap;
    }
    memcpy(t->text + t->text_len, caption, len);
    t->offset[t->n] = t->text_len;
    t->text_len += len;
    t->slots[s] = t->n + 1;
    return t->n++;
}

const char *t2v_caption_table_get(const t2v_caption_table *t, long k)
{
    if (k < 0 || k >= t->n)
        return NULL;
    return t->text + t->offset[k];
}

void t2v_caption_table_free(t2v_caption_table *t)
{
    free(t->text);
    free(t->offset);
    free(t->slots);
    memset(t, 0, sizeof *t);
}
