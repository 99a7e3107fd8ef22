/* Building GGUF bytes by hand, independently of the engine's writer, so the
 * tests can check the writer's exact output and craft broken files.
 * All numbers little-endian, as the GGUF specification says. */
#ifndef T2V_TEST_GGUF_BYTES_H
#define T2V_TEST_GGUF_BYTES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gbuf {
    unsigned char *p;
    size_t n, cap;
} gbuf;

static inline void gb_bytes(gbuf *b, const void *data, size_t n)
{
    if (b->n + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (!p) {
            fprintf(stderr, "test: out of memory\n");
            exit(2);
        }
        b->p = p;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->n, data, n);
    b->n += n;
}

static inline void gb_le(gbuf *b, uint64_t v, int nbytes)
{
    unsigned char t[8];
    for (int k = 0; k < nbytes; k++)
        t[k] = (unsigned char)(v >> (8 * k));
    gb_bytes(b, t, (size_t)nbytes);
}

static inline void gb_u8(gbuf *b, uint8_t v) { gb_le(b, v, 1); }
static inline void gb_u32(gbuf *b, uint32_t v) { gb_le(b, v, 4); }
static inline void gb_u64(gbuf *b, uint64_t v) { gb_le(b, v, 8); }

static inline void gb_f32(gbuf *b, float f)
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    gb_u32(b, bits);
}

/* A GGUF string: u64 length then the bytes. */
static inline void gb_str(gbuf *b, const char *s)
{
    gb_u64(b, strlen(s));
    gb_bytes(b, s, strlen(s));
}

/* magic, version, tensor_count, kv_count */
static inline void gb_header(gbuf *b, uint32_t version, uint64_t ntensors, uint64_t nkv)
{
    gb_bytes(b, "GGUF", 4);
    gb_u32(b, version);
    gb_u64(b, ntensors);
    gb_u64(b, nkv);
}

enum {
    GB_U8 = 0,
    GB_I8,
    GB_U16,
    GB_I16,
    GB_U32,
    GB_I32,
    GB_F32,
    GB_BOOL,
    GB_STRING,
    GB_ARRAY,
    GB_U64,
    GB_I64,
    GB_F64
};

static inline void gb_kv_u32(gbuf *b, const char *key, uint32_t v)
{
    gb_str(b, key);
    gb_u32(b, GB_U32);
    gb_u32(b, v);
}

static inline void gb_kv_str(gbuf *b, const char *key, const char *v)
{
    gb_str(b, key);
    gb_u32(b, GB_STRING);
    gb_str(b, v);
}

/* name, n_dims, dims (fastest first, as stored), type, offset */
static inline void gb_tensor_info(gbuf *b, const char *name, uint32_t ndim, const uint64_t *dims,
                                  uint32_t type, uint64_t offset)
{
    gb_str(b, name);
    gb_u32(b, ndim);
    for (uint32_t k = 0; k < ndim; k++)
        gb_u64(b, dims[k]);
    gb_u32(b, type);
    gb_u64(b, offset);
}

/* Zero bytes up to the next multiple of `alignment`. */
static inline void gb_pad(gbuf *b, size_t alignment)
{
    while (b->n % alignment)
        gb_u8(b, 0);
}

static inline void gb_floats(gbuf *b, size_t count, float first)
{
    for (size_t k = 0; k < count; k++)
        gb_f32(b, first + (float)k);
}

static inline void gb_free(gbuf *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

#endif
