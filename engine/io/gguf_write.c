/* The weights file writer: collects metadata and float32 tensors, then
 * writes a GGUF v3 file atomically (<path>.tmp, fsync, rename). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/gguf.h"

typedef struct writer_kv {
    char *key;
    t2v_value_type type, elem_type;
    uint64_t count;
    uint64_t bits; /* scalar payload, little-endian bit pattern */
    char *str;     /* string value */
    char **strs;   /* string array */
    void *array;   /* numeric array */
} writer_kv;

typedef struct writer_tensor {
    char *name;
    int ndim;
    int64_t shape[T2V_WEIGHTS_MAX_DIMS];
    int64_t numel;
    const float *data;
    float *owned; /* the copy made by add_tensor; NULL for references */
} writer_tensor;

struct t2v_weights_writer {
    writer_kv *kvs;
    size_t nkv, kv_cap;
    writer_tensor *tensors;
    size_t ntensors, tensor_cap;
    uint32_t alignment;
};

t2v_status t2v_weights_writer_new(t2v_weights_writer **out)
{
    if (!out)
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_writer_new: NULL argument");
    *out = calloc(1, sizeof **out);
    if (!*out)
        return t2v_fail(T2V_ERR_NOMEM, "no memory for a weights writer");
    (*out)->alignment = T2V_WEIGHTS_DEFAULT_ALIGNMENT;
    return T2V_OK;
}

static void free_writer_kv(writer_kv *kv)
{
    free(kv->key);
    free(kv->str);
    if (kv->strs)
        for (uint64_t k = 0; k < kv->count; k++)
            free(kv->strs[k]);
    free(kv->strs);
    free(kv->array);
}

void t2v_weights_writer_free(t2v_weights_writer *wr)
{
    if (!wr)
        return;
    for (size_t k = 0; k < wr->nkv; k++)
        free_writer_kv(&wr->kvs[k]);
    for (size_t k = 0; k < wr->ntensors; k++) {
        free(wr->tensors[k].name);
        free(wr->tensors[k].owned);
    }
    free(wr->kvs);
    free(wr->tensors);
    free(wr);
}

t2v_status t2v_weights_writer_set_alignment(t2v_weights_writer *wr, uint32_t alignment)
{
    if (!wr)
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_writer_set_alignment: NULL writer");
    if (!gguf_valid_alignment(alignment))
        return t2v_fail(T2V_ERR_INVALID, "weights alignment %u is not a power of two from %d to %d",
                        (unsigned)alignment, GGUF_MIN_ALIGNMENT, GGUF_MAX_ALIGNMENT);
    wr->alignment = alignment;
    return T2V_OK;
}

static t2v_status check_name(const char *name, size_t limit, const char *what)
{
    if (!name)
        return t2v_fail(T2V_ERR_INVALID, "%s is NULL", what);
    size_t len = strlen(name);
    if (len == 0 || len > limit)
        return t2v_fail(T2V_ERR_INVALID, "%s '%.80s' has length %zu (1 to %zu allowed)", what, name,
                        len, limit);
    for (size_t k = 0; k < len; k++)
        if (!gguf_is_name_byte((unsigned char)name[k]))
            return t2v_fail(T2V_ERR_INVALID, "%s '%.80s' has byte 0x%02x, not printable ASCII",
                            what, name, (unsigned char)name[k]);
    return T2V_OK;
}

/* A new, zeroed entry with the key copied, after the key checks. */
static t2v_status new_kv(t2v_weights_writer *wr, const char *key, t2v_value_type type,
                         writer_kv **out)
{
    if (!wr)
        return t2v_fail(T2V_ERR_INVALID, "weights writer is NULL");
    t2v_status s = check_name(key, T2V_WEIGHTS_MAX_KEY, "metadata key");
    if (s != T2V_OK)
        return s;
    if (strcmp(key, T2V_KEY_ALIGNMENT) == 0)
        return t2v_fail(T2V_ERR_INVALID,
                        "key '%s' is written by the writer itself; use "
                        "t2v_weights_writer_set_alignment",
                        key);
    for (size_t k = 0; k < wr->nkv; k++)
        if (strcmp(wr->kvs[k].key, key) == 0)
            return t2v_fail(T2V_ERR_INVALID, "metadata key '%.200s' added twice", key);
    if (wr->nkv == wr->kv_cap) {
        size_t cap = wr->kv_cap ? wr->kv_cap * 2 : 16;
        writer_kv *kvs = realloc(wr->kvs, cap * sizeof *kvs);
        if (!kvs)
            return t2v_fail(T2V_ERR_NOMEM, "no memory for metadata");
        wr->kvs = kvs;
        wr->kv_cap = cap;
    }
    writer_kv *kv = &wr->kvs[wr->nkv];
    memset(kv, 0, sizeof *kv);
    kv->key = strdup(key);
    if (!kv->key)
        return t2v_fail(T2V_ERR_NOMEM, "no memory for metadata key");
    kv->type = kv->elem_type = type;
    kv->count = 1;
    *out = kv;
    return T2V_OK;
}

/* The entry made by new_kv becomes part of the writer. */
static t2v_status commit_kv(t2v_weights_writer *wr)
{
    wr->nkv++;
    return T2V_OK;
}

static t2v_status add_scalar(t2v_weights_writer *wr, const char *key, t2v_value_type type,
                             uint64_t bits)
{
    writer_kv *kv;
    t2v_status s = new_kv(wr, key, type, &kv);
    if (s != T2V_OK)
        return s;
    kv->bits = bits;
    return commit_kv(wr);
}

t2v_status t2v_weights_writer_add_str(t2v_weights_writer *wr, const char *key, const char *value)
{
    if (!value)
        return t2v_fail(T2V_ERR_INVALID, "metadata '%s': NULL string", key ? key : "");
    writer_kv *kv;
    t2v_status s = new_kv(wr, key, T2V_VALUE_STRING, &kv);
    if (s != T2V_OK)
        return s;
    kv->str = strdup(value);
    if (!kv->str) {
        free_writer_kv(kv);
        return t2v_fail(T2V_ERR_NOMEM, "no memory for metadata '%s'", key);
    }
    return commit_kv(wr);
}

t2v_status t2v_weights_writer_add_u32(t2v_weights_writer *wr, const char *key, uint32_t value)
{
    return add_scalar(wr, key, T2V_VALUE_U32, value);
}

t2v_status t2v_weights_writer_add_i32(t2v_weights_writer *wr, const char *key, int32_t value)
{
    return add_scalar(wr, key, T2V_VALUE_I32, (uint32_t)value);
}

t2v_status t2v_weights_writer_add_u64(t2v_weights_writer *wr, const char *key, uint64_t value)
{
    return add_scalar(wr, key, T2V_VALUE_U64, value);
}

t2v_status t2v_weights_writer_add_i64(t2v_weights_writer *wr, const char *key, int64_t value)
{
    uint64_t bits;
    memcpy(&bits, &value, 8);
    return add_scalar(wr, key, T2V_VALUE_I64, bits);
}

t2v_status t2v_weights_writer_add_f32(t2v_weights_writer *wr, const char *key, float value)
{
    uint32_t bits;
    memcpy(&bits, &value, 4);
    return add_scalar(wr, key, T2V_VALUE_F32, bits);
}

t2v_status t2v_weights_writer_add_f64(t2v_weights_writer *wr, const char *key, double value)
{
    uint64_t bits;
    memcpy(&bits, &value, 8);
    return add_scalar(wr, key, T2V_VALUE_F64, bits);
}

t2v_status t2v_weights_writer_add_bool(t2v_weights_writer *wr, const char *key, int value)
{
    return add_scalar(wr, key, T2V_VALUE_BOOL, value ? 1 : 0);
}

t2v_status t2v_weights_writer_add_str_array(t2v_weights_writer *wr, const char *key,
                                            const char *const *items, size_t count)
{
    if (!items && count)
        return t2v_fail(T2V_ERR_INVALID, "metadata '%s': NULL string array", key ? key : "");
    for (size_t k = 0; k < count; k++)
        if (!items[k])
            return t2v_fail(T2V_ERR_INVALID, "metadata '%s': string %zu is NULL", key ? key : "",
                            k);
    writer_kv *kv;
    t2v_status s = new_kv(wr, key, T2V_VALUE_ARRAY, &kv);
    if (s != T2V_OK)
        return s;
    kv->elem_type = T2V_VALUE_STRING;
    kv->count = 0;
    kv->strs = calloc(count ? count : 1, sizeof *kv->strs);
    if (!kv->strs) {
        free_writer_kv(kv);
        return t2v_fail(T2V_ERR_NOMEM, "no memory for metadata '%s'", key);
    }
    for (size_t k = 0; k < count; k++) {
        kv->strs[k] = strdup(items[k]);
        kv->count = k + 1; /* so free_writer_kv frees what was copied */
        if (!kv->strs[k]) {
            free_writer_kv(kv);
            return t2v_fail(T2V_ERR_NOMEM, "no memory for metadata '%s'", key);
        }
    }
    kv->count = count;
    return commit_kv(wr);
}

static t2v_status add_numeric_array(t2v_weights_writer *wr, const char *key, t2v_value_type elem,
                                    const void *values, size_t count)
{
    if (!values && count)
        return t2v_fail(T2V_ERR_INVALID, "metadata '%s': NULL array", key ? key : "");
    size_t esize = gguf_value_size(elem);
    if (count > SIZE_MAX / esize)
        return t2v_fail(T2V_ERR_NOMEM, "metadata '%s': array of %zu items is too large",
                        key ? key : "", count);
    writer_kv *kv;
    t2v_status s = new_kv(wr, key, T2V_VALUE_ARRAY, &kv);
    if (s != T2V_OK)
        return s;
    kv->elem_type = elem;
    kv->count = count;
    kv->array = malloc(count ? count * esize : 1);
    if (!kv->array) {
        free_writer_kv(kv);
        return t2v_fail(T2V_ERR_NOMEM, "no memory for metadata '%s'", key);
    }
    if (count)
        memcpy(kv->array, values, count * esize);
    return commit_kv(wr);
}

t2v_status t2v_weights_writer_add_f32_array(t2v_weights_writer *wr, const char *key,
                                            const float *values, size_t count)
{
    return add_numeric_array(wr, key, T2V_VALUE_F32, values, count);
}

t2v_status t2v_weights_writer_add_i32_array(t2v_weights_writer *wr, const char *key,
                                            const int32_t *values, size_t count)
{
    return add_numeric_array(wr, key, T2V_VALUE_I32, values, count);
}

static t2v_status add_tensor(t2v_weights_writer *wr, const char *name, int ndim,
                             const int64_t *shape, const float *data, int copy)
{
    if (!wr || !shape || !data)
        return t2v_fail(T2V_ERR_INVALID, "tensor '%s': NULL argument", name ? name : "");
    t2v_status s = check_name(name, T2V_WEIGHTS_MAX_NAME, "tensor name");
    if (s != T2V_OK)
        return s;
    if (ndim < 1 || ndim > T2V_WEIGHTS_MAX_DIMS)
        return t2v_fail(T2V_ERR_INVALID, "tensor '%s': rank %d (1 to %d allowed)", name, ndim,
                        T2V_WEIGHTS_MAX_DIMS);
    int64_t numel = 1;
    for (int k = 0; k < ndim; k++) {
        if (shape[k] <= 0)
            return t2v_fail(T2V_ERR_INVALID, "tensor '%s': dimension %d is %lld", name, k,
                            (long long)shape[k]);
        if (shape[k] > INT64_MAX / 4 / numel)
            return t2v_fail(T2V_ERR_INVALID, "tensor '%s': the element count overflows", name);
        numel *= shape[k];
    }
    if ((uint64_t)numel > SIZE_MAX / sizeof(float))
        return t2v_fail(T2V_ERR_NOMEM, "tensor '%s' is too large", name);
    for (size_t k = 0; k < wr->ntensors; k++)
        if (strcmp(wr->tensors[k].name, name) == 0)
            return t2v_fail(T2V_ERR_INVALID, "tensor '%s' added twice", name);
    if (wr->ntensors == wr->tensor_cap) {
        size_t cap = wr->tensor_cap ? wr->tensor_cap * 2 : 16;
        writer_tensor *ts = realloc(wr->tensors, cap * sizeof *ts);
        if (!ts)
            return t2v_fail(T2V_ERR_NOMEM, "no memory for tensor '%s'", name);
        wr->tensors = ts;
        wr->tensor_cap = cap;
    }
    writer_tensor *t = &wr->tensors[wr->ntensors];
    memset(t, 0, sizeof *t);
    t->name = strdup(name);
    if (copy && t->name)
        t->owned = malloc((size_t)numel * sizeof(float));
    if (!t->name || (copy && !t->owned)) {
        free(t->name);
        return t2v_fail(T2V_ERR_NOMEM, "no memory for tensor '%s'", name);
    }
    if (copy)
        memcpy(t->owned, data, (size_t)numel * sizeof(float));
    t->data = copy ? t->owned : data;
    t->ndim = ndim;
    for (int k = 0; k < ndim; k++)
        t->shape[k] = shape[k];
    t->numel = numel;
    wr->ntensors++;
    return T2V_OK;
}

t2v_status t2v_weights_writer_add_tensor(t2v_weights_writer *wr, const char *name, int ndim,
                                         const int64_t *shape, const float *data)
{
    return add_tensor(wr, name, ndim, shape, data, 1);
}

t2v_status t2v_weights_writer_add_tensor_ref(t2v_weights_writer *wr, const char *name, int ndim,
                                             const int64_t *shape, const float *data)
{
    return add_tensor(wr, name, ndim, shape, data, 0);
}

/* ------------------------------------------------------------------------ */
/* Writer: output                                                           */
/* ------------------------------------------------------------------------ */

/* Buffered output to a file descriptor; the first error sticks. */
typedef struct sink {
    int fd;
    unsigned char *buf;
    size_t used, cap;
    uint64_t written; /* bytes accepted so far, for messages */
    int err;          /* errno of the first failure, 0 when none */
} sink;

static void sink_flush(sink *o)
{
    size_t done = 0;
    while (!o->err && done < o->used) {
        ssize_t n = write(o->fd, o->buf + done, o->used - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            o->err = n < 0 ? errno : EIO;
        else
            done += (size_t)n;
    }
    o->used = 0;
}

static void put_bytes(sink *o, const void *data, size_t n)
{
    const unsigned char *p = data;
    while (n && !o->err) {
        if (o->used == o->cap)
            sink_flush(o);
        size_t chunk = o->cap - o->used < n ? o->cap - o->used : n;
        memcpy(o->buf + o->used, p, chunk);
        o->used += chunk;
        o->written += chunk;
        p += chunk;
        n -= chunk;
    }
}

static void put_le(sink *o, uint64_t v, size_t n)
{
    unsigned char b[8];
    for (size_t k = 0; k < n; k++)
        b[k] = (unsigned char)(v >> (8 * k));
    put_bytes(o, b, n);
}

static void put_string(sink *o, const char *s)
{
    size_t len = strlen(s);
    put_le(o, len, 8);
    put_bytes(o, s, len);
}

static void put_zeros(sink *o, uint64_t n)
{
    static const unsigned char zeros[64];
    while (n) {
        size_t chunk = n < sizeof zeros ? (size_t)n : sizeof zeros;
        put_bytes(o, zeros, chunk);
        n -= chunk;
    }
}

static void put_kv(sink *o, const writer_kv *kv)
{
    put_string(o, kv->key);
    put_le(o, kv->type, 4);
    if (kv->type == T2V_VALUE_STRING) {
        put_string(o, kv->str);
    } else if (kv->type == T2V_VALUE_ARRAY) {
        put_le(o, kv->elem_type, 4);
        put_le(o, kv->count, 8);
        if (kv->elem_type == T2V_VALUE_STRING)
            for (uint64_t k = 0; k < kv->count; k++)
                put_string(o, kv->strs[k]);
        else
            put_bytes(o, kv->array, (size_t)kv->count * gguf_value_size(kv->elem_type));
    } else {
        put_le(o, kv->bits, gguf_value_size(kv->type));
    }
}

/* Header, metadata, tensor infos, padding, data: the whole file. */
static void put_file(sink *o, const t2v_weights_writer *wr)
{
    put_bytes(o, GGUF_MAGIC, 4);
    put_le(o, T2V_GGUF_VERSION, 4);
    put_le(o, wr->ntensors, 8);
    put_le(o, wr->nkv + 1, 8);
    writer_kv align_kv = {.key = (char *)T2V_KEY_ALIGNMENT,
                          .type = T2V_VALUE_U32,
                          .elem_type = T2V_VALUE_U32,
                          .count = 1,
                          .bits = wr->alignment};
    put_kv(o, &align_kv);
    for (size_t k = 0; k < wr->nkv; k++)
        put_kv(o, &wr->kvs[k]);
    uint64_t offset = 0;
    for (size_t k = 0; k < wr->ntensors; k++) {
        const writer_tensor *t = &wr->tensors[k];
        put_string(o, t->name);
        put_le(o, (uint64_t)t->ndim, 4);
        for (int d = t->ndim - 1; d >= 0; d--) /* file: fastest first */
            put_le(o, (uint64_t)t->shape[d], 8);
        put_le(o, GGML_TYPE_F32, 4);
        put_le(o, offset, 8);
        offset = gguf_align_up(offset + (uint64_t)t->numel * sizeof(float), wr->alignment);
    }
    put_zeros(o, gguf_align_up(o->written, wr->alignment) - o->written);
    for (size_t k = 0; k < wr->ntensors; k++) {
        const writer_tensor *t = &wr->tensors[k];
        uint64_t nbytes = (uint64_t)t->numel * sizeof(float);
        put_bytes(o, t->data, (size_t)nbytes); /* little-endian host */
        put_zeros(o, gguf_align_up(nbytes, wr->alignment) - nbytes);
    }
    sink_flush(o);
}

/* Makes the rename durable; a failure here cannot undo it, so it is ignored. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

t2v_status t2v_weights_writer_write(const t2v_weights_writer *wr, const char *path)
{
    if (!wr || !path || !*path)
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_writer_write: NULL argument");
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    sink o = {-1, NULL, 0, 1 << 16, 0, 0};
    o.buf = malloc(o.cap);
    if (!tmp || !o.buf) {
        free(tmp);
        free(o.buf);
        return t2v_fail(T2V_ERR_NOMEM, "no memory to write '%s'", path);
    }
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);

    const char *step = "create";
    o.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (o.fd < 0) {
        o.err = errno;
    } else {
        step = "write";
        put_file(&o, wr);
        if (!o.err) {
            step = "sync";
            if (fsync(o.fd) != 0)
                o.err = errno;
        }
        int fd = o.fd;
        o.fd = -1;
        if (close(fd) != 0 && !o.err) {
            step = "close";
            o.err = errno;
        }
        if (!o.err) {
            step = "rename";
            if (rename(tmp, path) != 0)
                o.err = errno;
        }
        if (o.err)
            unlink(tmp);
    }
    t2v_status s = T2V_OK;
    if (o.err && strcmp(step, "write") == 0)
        s = t2v_fail(T2V_ERR_IO,
                     "cannot write weights file '%s' (writing '%s' failed near byte "
                     "%llu): %s",
                     path, tmp, (unsigned long long)o.written, strerror(o.err));
    else if (o.err)
        s = t2v_fail(T2V_ERR_IO, "cannot write weights file '%s' (%s of '%s' failed): %s", path,
                     step, tmp, strerror(o.err));
    else
        sync_parent_dir(path);
    free(o.buf);
    free(tmp);
    return s;
}
