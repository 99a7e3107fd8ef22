/* The weights file (GGUF v3): the bounds-checked reader.
 *
 * Layout (docs/weights-format.md): header (magic "GGUF", u32 version 3,
 * u64 tensor_count, u64 kv_count) -> kv_count metadata entries -> tensor_count
 * tensor infos -> zero padding to the alignment -> data section, every tensor
 * at an aligned offset and padded to the alignment. All numbers little-endian.
 *
 * The reader copies the whole file into one 64-byte aligned buffer (no mmap:
 * a file truncated under a mapping would fault), checks every field against
 * the bytes left before using it, and only then hands out pointers into it.
 * Lookups and getters are in gguf_query.c, the writer in gguf_write.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/gguf.h"

const char *t2v_value_type_name(t2v_value_type type)
{
    switch (type) {
    case T2V_VALUE_U8: return "u8";
    case T2V_VALUE_I8: return "i8";
    case T2V_VALUE_U16: return "u16";
    case T2V_VALUE_I16: return "i16";
    case T2V_VALUE_U32: return "u32";
    case T2V_VALUE_I32: return "i32";
    case T2V_VALUE_F32: return "f32";
    case T2V_VALUE_BOOL: return "bool";
    case T2V_VALUE_STRING: return "string";
    case T2V_VALUE_ARRAY: return "array";
    case T2V_VALUE_U64: return "u64";
    case T2V_VALUE_I64: return "i64";
    case T2V_VALUE_F64: return "f64";
    }
    return "unknown";
}

t2v_status gguf_fail(const t2v_weights *w, t2v_status s, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return t2v_fail(s, "weights file '%s': %s", w->label, msg);
}

/* ======================================================================== */
/* Reader: parsing                                                          */
/* ======================================================================== */

typedef struct cursor {
    t2v_weights *w;
    const unsigned char *p;
    size_t size, pos;
} cursor;

static size_t left(const cursor *c) { return c->size - c->pos; }

static t2v_status truncated(cursor *c, const char *what, uint64_t need)
{
    return gguf_fail(c->w, T2V_ERR_FORMAT,
                     "truncated: %s needs %llu bytes at offset %zu but only %zu are left", what,
                     (unsigned long long)need, c->pos, left(c));
}

static t2v_status read_uint(cursor *c, size_t n, const char *what, uint64_t *out)
{
    if (left(c) < n)
        return truncated(c, what, n);
    *out = gguf_load_le(c->p + c->pos, n);
    c->pos += n;
    return T2V_OK;
}

static t2v_status read_u32(cursor *c, const char *what, uint32_t *out)
{
    uint64_t v = 0;
    t2v_status s = read_uint(c, 4, what, &v);
    *out = (uint32_t)v;
    return s;
}

static t2v_status read_u64(cursor *c, const char *what, uint64_t *out)
{
    return read_uint(c, 8, what, out);
}

/* A GGUF string: u64 length + bytes. Copied NUL-terminated into the pool.
 * `limit` bounds the length; `name_rules` asks for printable ASCII. */
static t2v_status read_string(cursor *c, const char *what, uint64_t limit, int name_rules,
                              const char **out)
{
    size_t at = c->pos;
    uint64_t len = 0;
    t2v_status s = read_u64(c, what, &len);
    if (s != T2V_OK)
        return s;
    if (len > limit)
        return gguf_fail(c->w, T2V_ERR_FORMAT,
                         "%s at offset %zu has length %llu, over the limit %llu", what, at,
                         (unsigned long long)len, (unsigned long long)limit);
    if (len > left(c))
        return truncated(c, what, len);
    const unsigned char *src = c->p + c->pos;
    if (name_rules && len == 0)
        return gguf_fail(c->w, T2V_ERR_FORMAT, "%s at offset %zu is empty", what, at);
    for (uint64_t k = 0; k < len; k++) {
        if (src[k] == 0)
            return gguf_fail(c->w, T2V_ERR_FORMAT, "%s at offset %zu contains a NUL byte", what,
                             at);
        if (name_rules && !gguf_is_name_byte(src[k]))
            return gguf_fail(c->w, T2V_ERR_FORMAT,
                             "%s at offset %zu has byte 0x%02x, not printable ASCII", what, at,
                             src[k]);
    }
    /* Every string costs 8 + len file bytes and len + 1 pool bytes, so a pool
     * as large as the file always suffices; the check is a second guard. */
    if (len + 1 > c->w->pool_cap - c->w->pool_used)
        return gguf_fail(c->w, T2V_ERR_FORMAT, "%s at offset %zu overflows the string pool", what,
                         at);
    char *dst = c->w->pool + c->w->pool_used;
    memcpy(dst, src, (size_t)len);
    dst[len] = '\0';
    c->w->pool_used += (size_t)len + 1;
    c->pos += (size_t)len;
    *out = dst;
    return T2V_OK;
}

/* The smallest encoding of one element, used to bound counts by the bytes
 * left before anything is allocated. */
static size_t min_encoded_size(uint32_t type)
{
    return type == T2V_VALUE_STRING ? 8 : gguf_value_size(type);
}

/* Stores a fixed-size scalar read from the file into kv. */
static t2v_status decode_scalar(cursor *c, gguf_kv *kv)
{
    size_t n = gguf_value_size(kv->type);
    size_t at = c->pos;
    uint64_t raw = 0;
    t2v_status s = read_uint(c, n, "metadata value", &raw);
    if (s != T2V_OK)
        return s;
    switch (kv->type) {
    case T2V_VALUE_U8:
    case T2V_VALUE_U16:
    case T2V_VALUE_U32:
    case T2V_VALUE_U64: kv->u = raw; break;
    case T2V_VALUE_I8: kv->i = (int8_t)raw; break;
    case T2V_VALUE_I16: kv->i = (int16_t)raw; break;
    case T2V_VALUE_I32: kv->i = (int32_t)(uint32_t)raw; break;
    case T2V_VALUE_I64: memcpy(&kv->i, &raw, 8); break;
    case T2V_VALUE_F32: {
        uint32_t bits = (uint32_t)raw;
        float f;
        memcpy(&f, &bits, 4);
        kv->f = f;
        break;
    }
    case T2V_VALUE_F64: memcpy(&kv->f, &raw, 8); break;
    case T2V_VALUE_BOOL:
        if (raw > 1)
            return gguf_fail(c->w, T2V_ERR_FORMAT, "key '%s': bool at offset %zu has value %llu",
                             kv->key, at, (unsigned long long)raw);
        kv->u = raw;
        break;
    default:
        return gguf_fail(c->w, T2V_ERR_FORMAT, "key '%s': type %u is not a scalar", kv->key,
                         (unsigned)kv->type);
    }
    return T2V_OK;
}

static t2v_status read_array(cursor *c, gguf_kv *kv)
{
    uint32_t elem = 0;
    size_t at = c->pos;
    t2v_status s = read_u32(c, "array element type", &elem);
    if (s != T2V_OK)
        return s;
    if (elem == T2V_VALUE_ARRAY)
        return gguf_fail(c->w, T2V_ERR_FORMAT, "key '%s': nested arrays are not supported",
                         kv->key);
    if (elem > T2V_VALUE_F64)
        return gguf_fail(c->w, T2V_ERR_FORMAT,
                         "key '%s': unknown array element type %u at offset %zu", kv->key,
                         (unsigned)elem, at);
    uint64_t count = 0;
    at = c->pos;
    if ((s = read_u64(c, "array length", &count)) != T2V_OK)
        return s;
    size_t min = min_encoded_size(elem);
    if (count > left(c) / min)
        return gguf_fail(c->w, T2V_ERR_FORMAT,
                         "key '%s': array length %llu at offset %zu needs at least %llu bytes but "
                         "only %zu are left",
                         kv->key, (unsigned long long)count, at,
                         count > UINT64_MAX / min ? UINT64_MAX : (unsigned long long)(count * min),
                         left(c));
    kv->elem_type = (t2v_value_type)elem;
    kv->count = count;
    if (count == 0)
        return T2V_OK;
    if (elem == T2V_VALUE_STRING) {
        const char **items = calloc((size_t)count, sizeof *items);
        if (!items)
            return gguf_fail(c->w, T2V_ERR_NOMEM, "key '%s': no memory for %llu strings", kv->key,
                             (unsigned long long)count);
        kv->array = (void *)items;
        for (uint64_t k = 0; k < count; k++)
            if ((s = read_string(c, "array string", UINT64_MAX, 0, &items[k])) != T2V_OK)
                return s;
        return T2V_OK;
    }
    size_t bytes = (size_t)count * min; /* <= left(c): bounded above */
    unsigned char *dst = malloc(bytes);
    if (!dst)
        return gguf_fail(c->w, T2V_ERR_NOMEM, "key '%s': no memory for %zu array bytes", kv->key,
                         bytes);
    kv->array = dst;
    memcpy(dst, c->p + c->pos, bytes); /* little-endian file, little-endian host */
    if (elem == T2V_VALUE_BOOL)
        for (size_t k = 0; k < bytes; k++)
            if (dst[k] > 1)
                return gguf_fail(c->w, T2V_ERR_FORMAT, "key '%s': bool element %zu has value %u",
                                 kv->key, k, dst[k]);
    c->pos += bytes;
    return T2V_OK;
}

static t2v_status read_kv(cursor *c, gguf_kv *kv)
{
    t2v_status s = read_string(c, "key", T2V_WEIGHTS_MAX_KEY, 1, &kv->key);
    if (s != T2V_OK)
        return s;
    uint32_t type = 0;
    size_t at = c->pos;
    if ((s = read_u32(c, "value type", &type)) != T2V_OK)
        return s;
    if (type > T2V_VALUE_F64)
        return gguf_fail(c->w, T2V_ERR_FORMAT, "key '%s': unknown value type %u at offset %zu",
                         kv->key, (unsigned)type, at);
    kv->type = kv->elem_type = (t2v_value_type)type;
    kv->count = 1;
    if (type == T2V_VALUE_STRING)
        return read_string(c, "string value", UINT64_MAX, 0, &kv->str);
    if (type == T2V_VALUE_ARRAY)
        return read_array(c, kv);
    return decode_scalar(c, kv);
}

static const char *ggml_type_name(uint32_t t)
{
    static const char *const names[] = {
        "F32",     "F16",    "Q4_0",    "Q4_1",  NULL,     NULL,    "Q5_0",  "Q5_1",
        "Q8_0",    "Q8_1",   "Q2_K",    "Q3_K",  "Q4_K",   "Q5_K",  "Q6_K",  "Q8_K",
        "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S", "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS",
        "I8",      "I16",    "I32",     "I64",   "F64",    "IQ1_M", "BF16",
    };
    if (t < sizeof names / sizeof names[0] && names[t])
        return names[t];
    return NULL;
}

static t2v_status read_tensor_info(cursor *c, gguf_tensor *t)
{
    t2v_status s = read_string(c, "tensor name", T2V_WEIGHTS_MAX_NAME, 1, &t->name);
    if (s != T2V_OK)
        return s;
    uint32_t ndim = 0;
    if ((s = read_u32(c, "tensor rank", &ndim)) != T2V_OK)
        return s;
    if (ndim < 1 || ndim > T2V_WEIGHTS_MAX_DIMS)
        return gguf_fail(c->w, T2V_ERR_FORMAT, "tensor '%s' has %u dimensions (1 to %d allowed)",
                         t->name, (unsigned)ndim, T2V_WEIGHTS_MAX_DIMS);
    t->ndim = (int)ndim;
    int64_t numel = 1;
    for (uint32_t k = 0; k < ndim; k++) {
        uint64_t d = 0;
        if ((s = read_u64(c, "tensor dimension", &d)) != T2V_OK)
            return s;
        if (d == 0)
            return gguf_fail(c->w, T2V_ERR_FORMAT, "tensor '%s' has a zero dimension", t->name);
        /* numel * 4 bytes must fit an int64 */
        if (d > (uint64_t)(INT64_MAX / 4 / numel))
            return gguf_fail(c->w, T2V_ERR_FORMAT, "tensor '%s': the element count overflows",
                             t->name);
        numel *= (int64_t)d;
        t->shape[ndim - 1 - k] = (int64_t)d; /* file: fastest first */
    }
    t->numel = numel;
    t->nbytes = (uint64_t)numel * sizeof(float);
    uint32_t type = 0;
    if ((s = read_u32(c, "tensor type", &type)) != T2V_OK)
        return s;
    if (type != GGML_TYPE_F32) {
        const char *name = ggml_type_name(type);
        if (name)
            return gguf_fail(c->w, T2V_ERR_FORMAT,
                             "tensor '%s' has type %s (%u); only F32 tensors are supported",
                             t->name, name, (unsigned)type);
        return gguf_fail(c->w, T2V_ERR_FORMAT, "tensor '%s' has unknown tensor type %u", t->name,
                         (unsigned)type);
    }
    return read_u64(c, "tensor offset", &t->offset);
}

typedef struct name_index {
    const char *name;
    size_t index;
} name_index;

static int cmp_name_index(const void *a, const void *b)
{
    return strcmp(((const name_index *)a)->name, ((const name_index *)b)->name);
}

/* Sorts the key (or tensor name) index for lookups and rejects duplicates. */
static t2v_status build_index(t2v_weights *w, int tensors)
{
    size_t n = tensors ? w->ntensors : w->nkv;
    name_index *pairs = malloc((n ? n : 1) * sizeof *pairs);
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!pairs || !order) {
        free(pairs);
        free(order);
        return gguf_fail(w, T2V_ERR_NOMEM, "no memory for the name index");
    }
    for (size_t k = 0; k < n; k++) {
        pairs[k].name = tensors ? w->tensors[k].name : w->kvs[k].key;
        pairs[k].index = k;
    }
    qsort(pairs, n, sizeof *pairs, cmp_name_index);
    for (size_t k = 0; k < n; k++)
        order[k] = pairs[k].index;
    if (tensors)
        w->tensor_order = order;
    else
        w->kv_order = order;
    for (size_t k = 1; k < n; k++)
        if (strcmp(pairs[k - 1].name, pairs[k].name) == 0) {
            t2v_status s = gguf_fail(w, T2V_ERR_FORMAT,
                                     tensors ? "duplicate tensor name '%s'" : "duplicate key '%s'",
                                     pairs[k].name);
            free(pairs);
            return s;
        }
    free(pairs);
    return T2V_OK;
}

const gguf_kv *gguf_lookup_kv(const t2v_weights *w, const char *key)
{
    size_t lo = 0, hi = w->nkv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(w->kvs[w->kv_order[mid]].key, key);
        if (c == 0)
            return &w->kvs[w->kv_order[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const gguf_tensor *gguf_lookup_tensor(const t2v_weights *w, const char *name)
{
    size_t lo = 0, hi = w->ntensors;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(w->tensors[w->tensor_order[mid]].name, name);
        if (c == 0)
            return &w->tensors[w->tensor_order[mid]];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static t2v_status read_alignment(t2v_weights *w)
{
    w->alignment = T2V_WEIGHTS_DEFAULT_ALIGNMENT;
    const gguf_kv *kv = gguf_lookup_kv(w, T2V_KEY_ALIGNMENT);
    if (!kv)
        return T2V_OK;
    if (kv->type != T2V_VALUE_U32)
        return gguf_fail(w, T2V_ERR_FORMAT, "key '%s' is %s, expected u32", T2V_KEY_ALIGNMENT,
                         t2v_value_type_name(kv->type));
    if (!gguf_valid_alignment(kv->u))
        return gguf_fail(w, T2V_ERR_FORMAT, "alignment %llu is not a power of two from %d to %d",
                         (unsigned long long)kv->u, GGUF_MIN_ALIGNMENT, GGUF_MAX_ALIGNMENT);
    w->alignment = (uint32_t)kv->u;
    return T2V_OK;
}

static int cmp_tensor_offset(const void *a, const void *b)
{
    const gguf_tensor *x = *(const gguf_tensor *const *)a;
    const gguf_tensor *y = *(const gguf_tensor *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Every tensor aligned, inside the data section, not overlapping another;
 * the data section ends exactly at the padded end of the last tensor. */
static t2v_status check_data_section(t2v_weights *w)
{
    uint64_t data_size = w->size - w->data_start;
    uint64_t end = 0;
    for (size_t k = 0; k < w->ntensors; k++) {
        const gguf_tensor *t = &w->tensors[k];
        if (t->offset % w->alignment)
            return gguf_fail(w, T2V_ERR_FORMAT,
                             "tensor '%s' offset %llu is not a multiple of the "
                             "alignment %u",
                             t->name, (unsigned long long)t->offset, w->alignment);
        if (t->offset > data_size || t->nbytes > data_size - t->offset)
            return gguf_fail(
                w, T2V_ERR_FORMAT,
                "tensor '%s' data [%llu, +%llu) lies outside the %llu-byte data section", t->name,
                (unsigned long long)t->offset, (unsigned long long)t->nbytes,
                (unsigned long long)data_size);
        uint64_t padded = gguf_align_up(t->offset + t->nbytes, w->alignment);
        if (padded > end)
            end = padded;
    }
    if (w->ntensors > 1) {
        const gguf_tensor **by_offset = malloc(w->ntensors * sizeof *by_offset);
        if (!by_offset)
            return gguf_fail(w, T2V_ERR_NOMEM, "no memory to sort %zu tensors", w->ntensors);
        for (size_t k = 0; k < w->ntensors; k++)
            by_offset[k] = &w->tensors[k];
        qsort(by_offset, w->ntensors, sizeof *by_offset, cmp_tensor_offset);
        for (size_t k = 1; k < w->ntensors; k++) {
            const gguf_tensor *a = by_offset[k - 1], *b = by_offset[k];
            if (a->offset + a->nbytes > b->offset) {
                t2v_status s =
                    gguf_fail(w, T2V_ERR_FORMAT, "tensors '%s' and '%s' overlap", a->name, b->name);
                free(by_offset);
                return s;
            }
        }
        free(by_offset);
    }
    if (data_size < end)
        return gguf_fail(w, T2V_ERR_FORMAT,
                         "truncated: the data section needs %llu bytes, has %llu",
                         (unsigned long long)end, (unsigned long long)data_size);
    if (data_size > end)
        return gguf_fail(w, T2V_ERR_FORMAT, "%llu unexpected bytes after the data section",
                         (unsigned long long)(data_size - end));
    return T2V_OK;
}

static t2v_status parse(t2v_weights *w)
{
    cursor c = {w, w->bytes, w->size, 0};
    if (w->size == 0)
        return gguf_fail(w, T2V_ERR_FORMAT, "the file is empty");
    size_t m = w->size < 4 ? w->size : 4;
    if (memcmp(w->bytes, GGUF_MAGIC, m) != 0) {
        unsigned char b[4] = {0, 0, 0, 0};
        memcpy(b, w->bytes, m);
        return gguf_fail(w, T2V_ERR_FORMAT,
                         "not a GGUF file (magic %02x %02x %02x %02x, expected \"GGUF\")", b[0],
                         b[1], b[2], b[3]);
    }
    if (w->size < GGUF_HEADER_SIZE)
        return gguf_fail(w, T2V_ERR_FORMAT, "truncated: %zu bytes, shorter than the %d-byte header",
                         w->size, GGUF_HEADER_SIZE);
    c.pos = 4;
    uint32_t version = 0;
    uint64_t ntensors = 0, nkv = 0;
    t2v_status s;
    if ((s = read_u32(&c, "version", &version)) != T2V_OK ||
        (s = read_u64(&c, "tensor count", &ntensors)) != T2V_OK ||
        (s = read_u64(&c, "metadata count", &nkv)) != T2V_OK)
        return s;
    if (version == GGUF_VERSION_BYTESWAPPED)
        return gguf_fail(w, T2V_ERR_FORMAT, "big-endian GGUF files are not supported");
    if (version != T2V_GGUF_VERSION)
        return gguf_fail(w, T2V_ERR_FORMAT, "GGUF version %u is not supported (only version %d)",
                         (unsigned)version, T2V_GGUF_VERSION);
    /* Bound the counts by the bytes left before allocating anything. */
    if (nkv > left(&c) / GGUF_MIN_KV_SIZE)
        return gguf_fail(w, T2V_ERR_FORMAT,
                         "metadata count %llu is impossible in a file of %zu bytes",
                         (unsigned long long)nkv, w->size);
    if (ntensors > left(&c) / GGUF_MIN_TENSOR_INFO_SIZE ||
        ntensors * GGUF_MIN_TENSOR_INFO_SIZE > left(&c) - nkv * GGUF_MIN_KV_SIZE)
        return gguf_fail(w, T2V_ERR_FORMAT,
                         "tensor count %llu is impossible in a file of %zu bytes",
                         (unsigned long long)ntensors, w->size);
    w->pool_cap = w->size;
    w->pool = malloc(w->pool_cap);
    w->kvs = calloc(nkv ? (size_t)nkv : 1, sizeof *w->kvs);
    w->tensors = calloc(ntensors ? (size_t)ntensors : 1, sizeof *w->tensors);
    if (!w->pool || !w->kvs || !w->tensors)
        return gguf_fail(w, T2V_ERR_NOMEM, "no memory for %llu entries and %llu tensors",
                         (unsigned long long)nkv, (unsigned long long)ntensors);
    for (uint64_t k = 0; k < nkv; k++) {
        w->nkv = (size_t)k + 1; /* entries read so far are freed on failure */
        if ((s = read_kv(&c, &w->kvs[k])) != T2V_OK)
            return s;
    }
    if ((s = build_index(w, 0)) != T2V_OK || (s = read_alignment(w)) != T2V_OK)
        return s;
    for (uint64_t k = 0; k < ntensors; k++) {
        w->ntensors = (size_t)k + 1;
        if ((s = read_tensor_info(&c, &w->tensors[k])) != T2V_OK)
            return s;
    }
    if ((s = build_index(w, 1)) != T2V_OK)
        return s;
    w->data_start = gguf_align_up(c.pos, w->alignment);
    if (w->data_start > w->size)
        return gguf_fail(w, T2V_ERR_FORMAT,
                         "truncated: the data section starts at %llu but the file has %zu bytes",
                         (unsigned long long)w->data_start, w->size);
    return check_data_section(w);
}

static t2v_weights *new_weights(const char *label)
{
    t2v_weights *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->label = strdup(label ? label : "(memory)");
    if (!w->label) {
        free(w);
        return NULL;
    }
    return w;
}

/* A buffer of at least `size` bytes, 64-byte aligned, never zero-sized. */
static unsigned char *alloc_file_buffer(size_t size)
{
    size_t rounded = (size + 63) & ~(size_t)63;
    if (rounded < size)
        return NULL;
    return aligned_alloc(64, rounded ? rounded : 64);
}

static t2v_status finish_open(t2v_weights *w, t2v_weights **out)
{
    t2v_status s = parse(w);
    if (s != T2V_OK) {
        t2v_weights_close(w);
        return s;
    }
    *out = w;
    return T2V_OK;
}

t2v_status t2v_weights_open_memory(const void *bytes, size_t size, const char *label,
                                   t2v_weights **out)
{
    if (!out || (!bytes && size))
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_open_memory: NULL argument");
    *out = NULL;
    t2v_weights *w = new_weights(label);
    if (!w)
        return t2v_fail(T2V_ERR_NOMEM, "no memory to open weights '%s'", label ? label : "");
    w->bytes = alloc_file_buffer(size);
    if (!w->bytes) {
        t2v_status s = gguf_fail(w, T2V_ERR_NOMEM, "no memory for %zu bytes", size);
        t2v_weights_close(w);
        return s;
    }
    if (size)
        memcpy(w->bytes, bytes, size);
    w->size = size;
    return finish_open(w, out);
}

static t2v_status read_whole_file(t2v_weights *w, int fd)
{
    struct stat st;
    if (fstat(fd, &st) != 0)
        return gguf_fail(w, T2V_ERR_IO, "cannot stat: %s", strerror(errno));
    if (!S_ISREG(st.st_mode))
        return gguf_fail(w, T2V_ERR_IO, "not a regular file");
    if (st.st_size < 0 || (uint64_t)st.st_size > SIZE_MAX - 64)
        return gguf_fail(w, T2V_ERR_IO, "file size %lld is out of range", (long long)st.st_size);
    size_t size = (size_t)st.st_size;
    w->bytes = alloc_file_buffer(size);
    if (!w->bytes)
        return gguf_fail(w, T2V_ERR_NOMEM, "no memory for %zu bytes", size);
    size_t got = 0;
    while (got < size) {
        ssize_t n = read(fd, w->bytes + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return gguf_fail(w, T2V_ERR_IO, "read failed at byte %zu: %s", got, strerror(errno));
        if (n == 0)
            return gguf_fail(w, T2V_ERR_IO, "the file shrank while being read (%zu of %zu bytes)",
                             got, size);
        got += (size_t)n;
    }
    w->size = size;
    return T2V_OK;
}

t2v_status t2v_weights_open(const char *path, t2v_weights **out)
{
    if (!path || !out)
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_open: NULL argument");
    *out = NULL;
    t2v_weights *w = new_weights(path);
    if (!w)
        return t2v_fail(T2V_ERR_NOMEM, "no memory to open weights file '%s'", path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        t2v_status s = gguf_fail(w, T2V_ERR_IO, "cannot open: %s", strerror(errno));
        t2v_weights_close(w);
        return s;
    }
    t2v_status s = read_whole_file(w, fd);
    close(fd);
    if (s != T2V_OK) {
        t2v_weights_close(w);
        return s;
    }
    return finish_open(w, out);
}

void t2v_weights_close(t2v_weights *w)
{
    if (!w)
        return;
    if (w->kvs)
        for (size_t k = 0; k < w->nkv; k++)
            free(w->kvs[k].array);
    free(w->kvs);
    free(w->kv_order);
    free(w->tensors);
    free(w->tensor_order);
    free(w->pool);
    free(w->bytes);
    free(w->label);
    free(w);
}
