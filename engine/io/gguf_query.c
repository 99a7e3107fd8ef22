/* The weights file: lookups, typed getters, iteration and values as text
 * over a file the reader (gguf.c) has fully validated. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "io/gguf.h"

const char *t2v_weights_path(const t2v_weights *w) { return w ? w->label : ""; }

uint32_t t2v_weights_alignment(const t2v_weights *w) { return w ? w->alignment : 0; }

size_t t2v_weights_kv_count(const t2v_weights *w) { return w ? w->nkv : 0; }

size_t t2v_weights_tensor_count(const t2v_weights *w) { return w ? w->ntensors : 0; }

static void fill_kv(const gguf_kv *kv, t2v_weights_kv *out)
{
    out->key = kv->key;
    out->type = kv->type;
    out->elem_type = kv->elem_type;
    out->count = kv->count;
}

t2v_status t2v_weights_kv_at(const t2v_weights *w, size_t index, t2v_weights_kv *out)
{
    if (!w || !out)
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_kv_at: NULL argument");
    if (index >= w->nkv)
        return gguf_fail(w, T2V_ERR_INVALID, "metadata index %zu out of range (%zu entries)", index,
                         w->nkv);
    fill_kv(&w->kvs[index], out);
    return T2V_OK;
}

int t2v_weights_has_key(const t2v_weights *w, const char *key)
{
    return w && key && gguf_lookup_kv(w, key) != NULL;
}

/* The entry for key, or a failure naming it. */
static t2v_status find_kv(const t2v_weights *w, const char *key, const char *fn,
                          const gguf_kv **out)
{
    if (!w || !key)
        return t2v_fail(T2V_ERR_INVALID, "%s: NULL argument", fn);
    *out = gguf_lookup_kv(w, key);
    if (!*out)
        return gguf_fail(w, T2V_ERR_UNSUPPORTED, "key '%s' is missing", key);
    return T2V_OK;
}

static t2v_status wrong_type(const t2v_weights *w, const gguf_kv *kv, const char *want)
{
    if (kv->type == T2V_VALUE_ARRAY)
        return gguf_fail(w, T2V_ERR_FORMAT, "key '%s' is an array of %s, expected %s", kv->key,
                         t2v_value_type_name(kv->elem_type), want);
    return gguf_fail(w, T2V_ERR_FORMAT, "key '%s' is %s, expected %s", kv->key,
                     t2v_value_type_name(kv->type), want);
}

t2v_status t2v_weights_find_key(const t2v_weights *w, const char *key, t2v_weights_kv *out)
{
    const gguf_kv *kv = NULL;
    t2v_status s = find_kv(w, key, "t2v_weights_find_key", &kv);
    if (s == T2V_OK && out)
        fill_kv(kv, out);
    return s;
}

t2v_status t2v_weights_get_str(const t2v_weights *w, const char *key, const char **out)
{
    const gguf_kv *kv = NULL;
    t2v_status s = find_kv(w, key, "t2v_weights_get_str", &kv);
    if (s != T2V_OK)
        return s;
    if (kv->type != T2V_VALUE_STRING)
        return wrong_type(w, kv, "string");
    *out = kv->str;
    return T2V_OK;
}

/* An integer value as sign + magnitude, so every range check is exact. */
static t2v_status get_integer(const t2v_weights *w, const char *key, const char *want,
                              int *negative, uint64_t *magnitude, const gguf_kv **entry)
{
    const gguf_kv *kv = NULL;
    t2v_status s = find_kv(w, key, "t2v_weights_get_int", &kv);
    if (s != T2V_OK)
        return s;
    *entry = kv;
    if (gguf_is_unsigned_int(kv->type)) {
        *negative = 0;
        *magnitude = kv->u;
    } else if (gguf_is_signed_int(kv->type)) {
        *negative = kv->i < 0;
        *magnitude = kv->i < 0 ? (uint64_t)(-(kv->i + 1)) + 1 : (uint64_t)kv->i;
    } else {
        return wrong_type(w, kv, want);
    }
    return T2V_OK;
}

static t2v_status out_of_range(const t2v_weights *w, const gguf_kv *kv, const char *want)
{
    if (gguf_is_signed_int(kv->type))
        return gguf_fail(w, T2V_ERR_FORMAT, "key '%s' value %lld does not fit %s", kv->key,
                         (long long)kv->i, want);
    return gguf_fail(w, T2V_ERR_FORMAT, "key '%s' value %llu does not fit %s", kv->key,
                     (unsigned long long)kv->u, want);
}

t2v_status t2v_weights_get_u32(const t2v_weights *w, const char *key, uint32_t *out)
{
    int neg = 0;
    uint64_t mag = 0;
    const gguf_kv *kv = NULL;
    t2v_status s = get_integer(w, key, "an integer", &neg, &mag, &kv);
    if (s != T2V_OK)
        return s;
    if (neg || mag > UINT32_MAX)
        return out_of_range(w, kv, "u32");
    *out = (uint32_t)mag;
    return T2V_OK;
}

t2v_status t2v_weights_get_u64(const t2v_weights *w, const char *key, uint64_t *out)
{
    int neg = 0;
    uint64_t mag = 0;
    const gguf_kv *kv = NULL;
    t2v_status s = get_integer(w, key, "an integer", &neg, &mag, &kv);
    if (s != T2V_OK)
        return s;
    if (neg)
        return out_of_range(w, kv, "u64");
    *out = mag;
    return T2V_OK;
}

/* Signed result within [-(2^(bits-1)), 2^(bits-1) - 1]. */
static t2v_status get_signed(const t2v_weights *w, const char *key, int bits, const char *want,
                             int64_t *out)
{
    int neg = 0;
    uint64_t mag = 0;
    const gguf_kv *kv = NULL;
    t2v_status s = get_integer(w, key, "an integer", &neg, &mag, &kv);
    if (s != T2V_OK)
        return s;
    uint64_t limit = (uint64_t)1 << (bits - 1);
    if (neg ? mag > limit : mag > limit - 1)
        return out_of_range(w, kv, want);
    *out = neg ? -(int64_t)(mag - 1) - 1 : (int64_t)mag;
    return T2V_OK;
}

t2v_status t2v_weights_get_i32(const t2v_weights *w, const char *key, int32_t *out)
{
    int64_t v = 0;
    t2v_status s = get_signed(w, key, 32, "i32", &v);
    if (s == T2V_OK)
        *out = (int32_t)v;
    return s;
}

t2v_status t2v_weights_get_i64(const t2v_weights *w, const char *key, int64_t *out)
{
    return get_signed(w, key, 64, "i64", out);
}

t2v_status t2v_weights_get_f32(const t2v_weights *w, const char *key, float *out)
{
    const gguf_kv *kv = NULL;
    t2v_status s = find_kv(w, key, "t2v_weights_get_f32", &kv);
    if (s != T2V_OK)
        return s;
    if (kv->type != T2V_VALUE_F32)
        return wrong_type(w, kv, "f32");
    *out = (float)kv->f;
    return T2V_OK;
}

t2v_status t2v_weights_get_f64(const t2v_weights *w, const char *key, double *out)
{
    const gguf_kv *kv = NULL;
    t2v_status s = find_kv(w, key, "t2v_weights_get_f64", &kv);
    if (s != T2V_OK)
        return s;
    if (kv->type != T2V_VALUE_F64 && kv->type != T2V_VALUE_F32)
        return wrong_type(w, kv, "f64");
    *out = kv->f;
    return T2V_OK;
}

t2v_status t2v_weights_get_bool(const t2v_weights *w, const char *key, int *out)
{
    const gguf_kv *kv = NULL;
    t2v_status s = find_kv(w, key, "t2v_weights_get_bool", &kv);
    if (s != T2V_OK)
        return s;
    if (kv->type != T2V_VALUE_BOOL)
        return wrong_type(w, kv, "bool");
    *out = (int)kv->u;
    return T2V_OK;
}

static t2v_status get_array(const t2v_weights *w, const char *key, t2v_value_type elem,
                            const char *want, const gguf_kv **out)
{
    t2v_status s = find_kv(w, key, "t2v_weights_get_array", out);
    if (s != T2V_OK)
        return s;
    if ((*out)->type != T2V_VALUE_ARRAY || (*out)->elem_type != elem)
        return wrong_type(w, *out, want);
    return T2V_OK;
}

t2v_status t2v_weights_get_str_array(const t2v_weights *w, const char *key,
                                     const char *const **items, size_t *count)
{
    const gguf_kv *kv = NULL;
    t2v_status s = get_array(w, key, T2V_VALUE_STRING, "an array of string", &kv);
    if (s != T2V_OK)
        return s;
    *items = (const char *const *)kv->array;
    *count = (size_t)kv->count;
    return T2V_OK;
}

t2v_status t2v_weights_get_str_array_item(const t2v_weights *w, const char *key, size_t index,
                                          const char **out)
{
    const gguf_kv *kv = NULL;
    t2v_status s = get_array(w, key, T2V_VALUE_STRING, "an array of string", &kv);
    if (s != T2V_OK)
        return s;
    if (index >= kv->count)
        return gguf_fail(w, T2V_ERR_INVALID, "key '%s': index %zu out of range (%llu items)", key,
                         index, (unsigned long long)kv->count);
    *out = ((const char *const *)kv->array)[index];
    return T2V_OK;
}

t2v_status t2v_weights_get_f32_array(const t2v_weights *w, const char *key, const float **values,
                                     size_t *count)
{
    const gguf_kv *kv = NULL;
    t2v_status s = get_array(w, key, T2V_VALUE_F32, "an array of f32", &kv);
    if (s != T2V_OK)
        return s;
    *values = (const float *)kv->array;
    *count = (size_t)kv->count;
    return T2V_OK;
}

t2v_status t2v_weights_get_i32_array(const t2v_weights *w, const char *key, const int32_t **values,
                                     size_t *count)
{
    const gguf_kv *kv = NULL;
    t2v_status s = get_array(w, key, T2V_VALUE_I32, "an array of i32", &kv);
    if (s != T2V_OK)
        return s;
    *values = (const int32_t *)kv->array;
    *count = (size_t)kv->count;
    return T2V_OK;
}

static void fill_tensor(const t2v_weights *w, const gguf_tensor *t, t2v_weights_tensor *out)
{
    memset(out, 0, sizeof *out);
    out->name = t->name;
    out->ndim = t->ndim;
    for (int k = 0; k < t->ndim; k++)
        out->shape[k] = t->shape[k];
    out->numel = t->numel;
    out->file_offset = w->data_start + t->offset;
    out->data = (const float *)(const void *)(w->bytes + w->data_start + t->offset);
}

t2v_status t2v_weights_tensor_at(const t2v_weights *w, size_t index, t2v_weights_tensor *out)
{
    if (!w || !out)
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_tensor_at: NULL argument");
    if (index >= w->ntensors)
        return gguf_fail(w, T2V_ERR_INVALID, "tensor index %zu out of range (%zu tensors)", index,
                         w->ntensors);
    fill_tensor(w, &w->tensors[index], out);
    return T2V_OK;
}

t2v_status t2v_weights_find_tensor(const t2v_weights *w, const char *name, t2v_weights_tensor *out)
{
    if (!w || !name || !out)
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_find_tensor: NULL argument");
    const gguf_tensor *t = gguf_lookup_tensor(w, name);
    if (!t)
        return gguf_fail(w, T2V_ERR_UNSUPPORTED, "tensor '%s' is missing", name);
    fill_tensor(w, t, out);
    return T2V_OK;
}

/* ------------------------------------------------------------------------ */
/* Values as text                                                           */
/* ------------------------------------------------------------------------ */

typedef struct textbuf {
    char *p;
    size_t size, used; /* used < size always; p[used] == '\0' */
} textbuf;

T2V_PRINTF(2, 3)
static void tb_printf(textbuf *tb, const char *fmt, ...)
{
    if (tb->used + 1 >= tb->size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tb->p + tb->used, tb->size - tb->used, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    tb->used += (size_t)n < tb->size - tb->used ? (size_t)n : tb->size - tb->used - 1;
}

static void tb_quoted(textbuf *tb, const char *s)
{
    tb_printf(tb, "\"");
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if (*q == '"' || *q == '\\')
            tb_printf(tb, "\\%c", *q);
        else if (*q < 0x20 || *q == 0x7f)
            tb_printf(tb, "\\x%02x", *q);
        else
            tb_printf(tb, "%c", *q);
    }
    tb_printf(tb, "\"");
}

/* Element k of a numeric array (or the scalar when array == NULL). */
static void tb_number(textbuf *tb, t2v_value_type type, const gguf_kv *kv, const void *array,
                      size_t k)
{
    const unsigned char *p =
        array ? (const unsigned char *)array + k * gguf_value_size(type) : NULL;
    uint64_t u = p ? gguf_load_le(p, gguf_value_size(type)) : kv->u;
    switch (type) {
    case T2V_VALUE_U8:
    case T2V_VALUE_U16:
    case T2V_VALUE_U32:
    case T2V_VALUE_U64: tb_printf(tb, "%llu", (unsigned long long)u); break;
    case T2V_VALUE_I8: tb_printf(tb, "%d", p ? (int)(int8_t)u : (int)kv->i); break;
    case T2V_VALUE_I16: tb_printf(tb, "%d", p ? (int)(int16_t)u : (int)kv->i); break;
    case T2V_VALUE_I32: tb_printf(tb, "%ld", p ? (long)(int32_t)(uint32_t)u : (long)kv->i); break;
    case T2V_VALUE_I64: {
        int64_t v = kv->i;
        if (p)
            memcpy(&v, &u, 8);
        tb_printf(tb, "%lld", (long long)v);
        break;
    }
    case T2V_VALUE_F32: {
        float f = (float)kv->f;
        if (p) {
            uint32_t bits = (uint32_t)u;
            memcpy(&f, &bits, 4);
        }
        tb_printf(tb, "%.9g", (double)f);
        break;
    }
    case T2V_VALUE_F64: {
        double d = kv->f;
        if (p)
            memcpy(&d, &u, 8);
        tb_printf(tb, "%.17g", d);
        break;
    }
    case T2V_VALUE_BOOL: tb_printf(tb, "%s", u ? "true" : "false"); break;
    default: tb_printf(tb, "?"); break;
    }
}

t2v_status t2v_weights_format_value(const t2v_weights *w, size_t index, char *buf, size_t size)
{
    if (!w || !buf || size == 0)
        return t2v_fail(T2V_ERR_INVALID, "t2v_weights_format_value: bad argument");
    buf[0] = '\0';
    if (index >= w->nkv)
        return gguf_fail(w, T2V_ERR_INVALID, "metadata index %zu out of range (%zu entries)", index,
                         w->nkv);
    const gguf_kv *kv = &w->kvs[index];
    textbuf tb = {buf, size, 0};
    if (kv->type == T2V_VALUE_STRING) {
        tb_quoted(&tb, kv->str);
    } else if (kv->type != T2V_VALUE_ARRAY) {
        tb_number(&tb, kv->type, kv, NULL, 0);
    } else {
        enum { SHOWN = 8 };
        tb_printf(&tb, "[");
        for (uint64_t k = 0; k < kv->count && k < SHOWN; k++) {
            if (k)
                tb_printf(&tb, ", ");
            if (kv->elem_type == T2V_VALUE_STRING)
                tb_quoted(&tb, ((const char *const *)kv->array)[k]);
            else
                tb_number(&tb, kv->elem_type, kv, kv->array, (size_t)k);
        }
        if (kv->count > SHOWN)
            tb_printf(&tb, ", ... %llu items", (unsigned long long)kv->count);
        tb_printf(&tb, "]");
    }
    return T2V_OK;
}
