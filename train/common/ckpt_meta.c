/* Header, provenance, moments and recipe keys of the trainers' files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "io/params_io.h"
#include "train/common/ckpt_meta.h"

t2v_status t2v_ckpt_write_header(t2v_weights_writer *wr, const char *architecture,
                                 const char *name, const char *kind, const t2v_vocab *vocab)
{
    const char *const *words = (const char *const *)vocab->words;
    t2v_status s = t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, architecture);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, T2V_KEY_NAME, name);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, T2V_KEY_FORMAT_VERSION,
                                                    T2V_WEIGHTS_FORMAT_VERSION);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, T2V_KEY_KIND, kind);
    if (s == T2V_OK) s = t2v_weights_writer_add_str_array(wr, T2V_KEY_VOCAB, words,
                                                          (size_t)vocab->count);
    return s;
}

t2v_status t2v_ckpt_write_provenance(t2v_weights_writer *wr, const char *dataset,
                                     const char *preset, uint64_t steps, uint64_t seed,
                                     double seconds, const char *command, t2v_gan_loss loss)
{
    t2v_status s = t2v_weights_writer_add_str(wr, T2V_KEY_TRAIN_DATASET, dataset);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, T2V_KEY_TRAIN_PRESET, preset);
    if (s == T2V_OK) s = t2v_weights_writer_add_u64(wr, T2V_KEY_TRAIN_STEPS, steps);
    if (s == T2V_OK) s = t2v_weights_writer_add_u64(wr, T2V_KEY_TRAIN_SEED, seed);
    if (s == T2V_OK) s = t2v_weights_writer_add_f64(wr, T2V_KEY_TRAIN_SECONDS, seconds);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, T2V_KEY_TRAIN_COMMAND,
                                                    command ? command : "");
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, "txt2vid.train.loss",
                                                    t2v_loss_name(loss));
    return s;
}

t2v_status t2v_ckpt_write_moments(t2v_backend *be, const t2v_params *ps, t2v_weights_writer *wr)
{
    t2v_status s = T2V_OK;
    for (int i = 0; i < ps->count && s == T2V_OK; i++) {
        const t2v_param *p = &ps->items[i];
        size_t n = (size_t)t2v_tensor_numel(&p->t);
        float *tmp = malloc(n * sizeof(float));
        if (!tmp)
            return t2v_fail(T2V_ERR_NOMEM, "out of memory");
        char name[128];
        for (int mv = 0; mv < 2 && s == T2V_OK; mv++) {
            snprintf(name, sizeof name, "%s@%c", p->name, mv ? 'v' : 'm');
            s = t2v_backend_download(be, tmp, mv ? p->adam_v : p->adam_m, n * sizeof(float));
            if (s == T2V_OK)
                s = t2v_weights_writer_add_tensor(wr, name, p->t.ndim, p->t.shape, tmp);
        }
        free(tmp);
    }
    return s;
}

/* ---- recipe table --------------------------------------------------------- */

static int64_t get_int(const char *field, size_t size)
{
    if (size == sizeof(int)) {
        int v;
        memcpy(&v, field, sizeof v);
        return v;
    }
    if (size == sizeof(int64_t)) {
        int64_t v;
        memcpy(&v, field, sizeof v);
        return v;
    }
    long v;
    memcpy(&v, field, sizeof v);
    return v;
}

static void set_int(char *field, size_t size, int64_t value)
{
    if (size == sizeof(int)) {
        int v = (int)value;
        memcpy(field, &v, sizeof v);
    } else if (size == sizeof(int64_t)) {
        memcpy(field, &value, sizeof value);
    } else {
        long v = (long)value;
        memcpy(field, &v, sizeof v);
    }
}

t2v_status t2v_recipe_write(const void *recipe, const t2v_recipe_key *keys, int n,
                            t2v_weights_writer *wr)
{
    t2v_status s = T2V_OK;
    for (int i = 0; i < n && s == T2V_OK; i++) {
        const t2v_recipe_key *k = &keys[i];
        const char *f = (const char *)recipe + k->offset;
        switch (k->type) {
        case T2V_RECIPE_STR: s = t2v_weights_writer_add_str(wr, k->key, f); break;
        case T2V_RECIPE_U32:
            s = t2v_weights_writer_add_u32(wr, k->key, (uint32_t)get_int(f, k->size));
            break;
        case T2V_RECIPE_BOOL:
            s = t2v_weights_writer_add_bool(wr, k->key, (int)get_int(f, k->size));
            break;
        case T2V_RECIPE_F32: {
            float v;
            memcpy(&v, f, sizeof v);
            s = t2v_weights_writer_add_f32(wr, k->key, v);
            break;
        }
        case T2V_RECIPE_U64: {
            uint64_t v;
            memcpy(&v, f, sizeof v);
            s = t2v_weights_writer_add_u64(wr, k->key, v);
            break;
        }
        case T2V_RECIPE_I64: s = t2v_weights_writer_add_i64(wr, k->key, get_int(f, k->size)); break;
        }
    }
    return s;
}

t2v_status t2v_recipe_read(const t2v_weights *w, const t2v_recipe_key *keys, int n,
                           void *recipe, size_t size)
{
    memset(recipe, 0, size);
    t2v_status s = T2V_OK;
    for (int i = 0; i < n && s == T2V_OK; i++) {
        const t2v_recipe_key *k = &keys[i];
        char *f = (char *)recipe + k->offset;
        if (k->optional && !t2v_weights_has_key(w, k->key))
            continue;
        switch (k->type) {
        case T2V_RECIPE_STR: {
            const char *v;
            if ((s = t2v_weights_get_str(w, k->key, &v)) == T2V_OK)
                snprintf(f, k->size, "%s", v);
            break;
        }
        case T2V_RECIPE_U32: {
            uint32_t v;
            if ((s = t2v_weights_get_u32(w, k->key, &v)) == T2V_OK)
                set_int(f, k->size, (int)v);
            break;
        }
        case T2V_RECIPE_BOOL: {
            int v;
            if ((s = t2v_weights_get_bool(w, k->key, &v)) == T2V_OK)
                set_int(f, k->size, v);
            break;
        }
        case T2V_RECIPE_F32: s = t2v_weights_get_f32(w, k->key, (float *)(void *)f); break;
        case T2V_RECIPE_U64: {
            uint64_t v;
            if ((s = t2v_weights_get_u64(w, k->key, &v)) == T2V_OK)
                memcpy(f, &v, sizeof v);
            break;
        }
        case T2V_RECIPE_I64: {
            int64_t v;
            if ((s = t2v_weights_get_i64(w, k->key, &v)) == T2V_OK)
                set_int(f, k->size, v);
            break;
        }
        }
    }
    return s != T2V_OK ? T2V_ERR_FORMAT : T2V_OK; /* the reader named the missing key */
}

t2v_status t2v_recipe_check(const t2v_weights *w, const t2v_recipe_key *keys, int n,
                            const void *recipe)
{
    for (int i = 0; i < n; i++) {
        const t2v_recipe_key *k = &keys[i];
        if (k->lo > k->hi || (k->type != T2V_RECIPE_U32 && k->type != T2V_RECIPE_I64))
            continue;
        int64_t v = get_int((const char *)recipe + k->offset, k->size);
        if (v < k->lo || v > k->hi)
            return t2v_fail(T2V_ERR_FORMAT, "%s: training recipe values out of range",
                            t2v_weights_path(w));
    }
    return T2V_OK;
}
