/* The weights file internals shared by its reader (gguf.c), its queries
 * (gguf_query.c) and its writer (gguf_write.c): GGUF version 3 on-disk
 * constants, the loaded-file state and small helpers.
 * docs/weights-format.md describes the layout. */
#ifndef T2V_IO_GGUF_H
#define T2V_IO_GGUF_H

#include <stddef.h>
#include <stdint.h>

#include "core/status_internal.h"
#include "txt2vid/weights.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the weights file code assumes a little-endian host"
#endif

#define GGUF_MAGIC               "GGUF" /* bytes 0..3 of every file */
#define GGUF_HEADER_SIZE         24     /* magic, u32 version, u64 tensor_count, u64 kv_count */
#define GGUF_VERSION_BYTESWAPPED 0x03000000u /* version 3 written big-endian */
#define GGML_TYPE_F32            0u          /* the only tensor type txt2vid stores */

#define GGUF_MIN_ALIGNMENT 8
#define GGUF_MAX_ALIGNMENT 65536

/* Fewest bytes one entry can take, used to bound hostile counts:
 * a metadata entry is key length (8) + 1-byte key + type (4) + 1-byte value;
 * a tensor info is name length (8) + 1-byte name + rank (4) + one dimension
 * (8) + type (4) + offset (8). */
#define GGUF_MIN_KV_SIZE          14u
#define GGUF_MIN_TENSOR_INFO_SIZE 33u

/* ---- the loaded file ---------------------------------------------------- */

typedef struct gguf_kv {
    const char *key; /* in the string pool */
    t2v_value_type type;
    t2v_value_type elem_type; /* == type for scalars */
    uint64_t count;           /* array length; 1 for scalars */
    uint64_t u;               /* unsigned integers and bool */
    int64_t i;                /* signed integers */
    double f;                 /* f32 and f64 */
    const char *str;          /* string */
    void *array;              /* numeric elements, or const char *[count] */
} gguf_kv;

typedef struct gguf_tensor {
    const char *name;
    int ndim;
    int64_t shape[T2V_WEIGHTS_MAX_DIMS]; /* outermost first */
    int64_t numel;
    uint64_t offset; /* relative to the data section */
    uint64_t nbytes;
} gguf_tensor;

struct t2v_weights {
    char *label;          /* path or caller's label, for messages */
    unsigned char *bytes; /* the whole file, 64-byte aligned */
    size_t size;
    char *pool; /* NUL-terminated copies of every string */
    size_t pool_used, pool_cap;
    gguf_kv *kvs;
    size_t nkv;
    size_t *kv_order; /* kv indices sorted by key */
    gguf_tensor *tensors;
    size_t ntensors;
    size_t *tensor_order; /* tensor indices sorted by name */
    uint32_t alignment;
    uint64_t data_start; /* file offset of the data section */
};

/* t2v_fail with "weights file '<label>': " in front. */
t2v_status gguf_fail(const t2v_weights *w, t2v_status s, const char *fmt, ...) T2V_PRINTF(3, 4);

/* Binary search in the sorted indexes; NULL when absent. */
const gguf_kv *gguf_lookup_kv(const t2v_weights *w, const char *key);
const gguf_tensor *gguf_lookup_tensor(const t2v_weights *w, const char *name);

/* ---- helpers ------------------------------------------------------------ */

/* Bytes one element of a fixed-size type takes; 0 for string and array. */
static inline size_t gguf_value_size(uint32_t type)
{
    switch (type) {
    case T2V_VALUE_U8:
    case T2V_VALUE_I8:
    case T2V_VALUE_BOOL: return 1;
    case T2V_VALUE_U16:
    case T2V_VALUE_I16: return 2;
    case T2V_VALUE_U32:
    case T2V_VALUE_I32:
    case T2V_VALUE_F32: return 4;
    case T2V_VALUE_U64:
    case T2V_VALUE_I64:
    case T2V_VALUE_F64: return 8;
    default: return 0;
    }
}

static inline int gguf_is_signed_int(t2v_value_type t)
{
    return t == T2V_VALUE_I8 || t == T2V_VALUE_I16 || t == T2V_VALUE_I32 || t == T2V_VALUE_I64;
}

static inline int gguf_is_unsigned_int(t2v_value_type t)
{
    return t == T2V_VALUE_U8 || t == T2V_VALUE_U16 || t == T2V_VALUE_U32 || t == T2V_VALUE_U64;
}

/* Keys and tensor names: printable ASCII without spaces. */
static inline int gguf_is_name_byte(unsigned char c) { return c > 0x20 && c < 0x7f; }

/* alignment: a power of two */
static inline uint64_t gguf_align_up(uint64_t x, uint64_t alignment)
{
    return (x + alignment - 1) & ~(alignment - 1);
}

static inline int gguf_valid_alignment(uint64_t a)
{
    return a >= GGUF_MIN_ALIGNMENT && a <= GGUF_MAX_ALIGNMENT && (a & (a - 1)) == 0;
}

/* n little-endian bytes (n <= 8) as a number. */
static inline uint64_t gguf_load_le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++)
        v |= (uint64_t)p[k] << (8 * k);
    return v;
}

#endif
