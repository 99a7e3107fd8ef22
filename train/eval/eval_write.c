/* Storing evaluation metrics in a model's weights file: the file is
 * rewritten with every existing key and tensor plus txt2vid.eval.* keys
 * (txt2vid.eval.stageS.* for a report of StackGAN's stage S). */
#include <stdio.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/eval.h"
#include "txt2vid/weights.h"

#define EVAL_PREFIX "txt2vid.eval."

/* Copies metadata entry `kv` of w into wr, keeping its type where the
 * writer has it (see eval.h for the widened ones). */
static t2v_status copy_kv(const t2v_weights *w, const t2v_weights_kv *kv, t2v_weights_writer *wr)
{
    const char *key = kv->key;
    switch (kv->type) {
    case T2V_VALUE_STRING: {
        const char *v;
        t2v_status s = t2v_weights_get_str(w, key, &v);
        return s == T2V_OK ? t2v_weights_writer_add_str(wr, key, v) : s;
    }
    case T2V_VALUE_U8:
    case T2V_VALUE_U16:
    case T2V_VALUE_U32: {
        uint32_t v;
        t2v_status s = t2v_weights_get_u32(w, key, &v);
        return s == T2V_OK ? t2v_weights_writer_add_u32(wr, key, v) : s;
    }
    case T2V_VALUE_I8:
    case T2V_VALUE_I16:
    case T2V_VALUE_I32: {
        int32_t v;
        t2v_status s = t2v_weights_get_i32(w, key, &v);
        return s == T2V_OK ? t2v_weights_writer_add_i32(wr, key, v) : s;
    }
    case T2V_VALUE_U64: {
        uint64_t v;
        t2v_status s = t2v_weights_get_u64(w, key, &v);
        return s == T2V_OK ? t2v_weights_writer_add_u64(wr, key, v) : s;
    }
    case T2V_VALUE_I64: {
        int64_t v;
        t2v_status s = t2v_weights_get_i64(w, key, &v);
        return s == T2V_OK ? t2v_weights_writer_add_i64(wr, key, v) : s;
    }
    case T2V_VALUE_F32: {
        float v;
        t2v_status s = t2v_weights_get_f32(w, key, &v);
        return s == T2V_OK ? t2v_weights_writer_add_f32(wr, key, v) : s;
    }
    case T2V_VALUE_F64: {
        double v;
        t2v_status s = t2v_weights_get_f64(w, key, &v);
        return s == T2V_OK ? t2v_weights_writer_add_f64(wr, key, v) : s;
    }
    case T2V_VALUE_BOOL: {
        int v;
        t2v_status s = t2v_weights_get_bool(w, key, &v);
        return s == T2V_OK ? t2v_weights_writer_add_bool(wr, key, v) : s;
    }
    case T2V_VALUE_ARRAY:
        if (kv->elem_type == T2V_VALUE_STRING) {
            const char *const *items;
            size_t n;
            t2v_status s = t2v_weights_get_str_array(w, key, &items, &n);
            return s == T2V_OK ? t2v_weights_writer_add_str_array(wr, key, items, n) : s;
        }
        if (kv->elem_type == T2V_VALUE_F32) {
            const float *v;
            size_t n;
            t2v_status s = t2v_weights_get_f32_array(w, key, &v, &n);
            return s == T2V_OK ? t2v_weights_writer_add_f32_array(wr, key, v, n) : s;
        }
        if (kv->elem_type == T2V_VALUE_I32) {
            const int32_t *v;
            size_t n;
            t2v_status s = t2v_weights_get_i32_array(w, key, &v, &n);
            return s == T2V_OK ? t2v_weights_writer_add_i32_array(wr, key, v, n) : s;
        }
        return t2v_fail(T2V_ERR_UNSUPPORTED, "%s: key %s is an array of %s, which cannot be "
                        "rewritten", t2v_weights_path(w), key,
                        t2v_value_type_name(kv->elem_type));
    }
    return t2v_fail(T2V_ERR_UNSUPPORTED, "%s: key %s has unknown type %d", t2v_weights_path(w),
                    key, (int)kv->type);
}

/* The key prefix of a report: txt2vid.eval. or txt2vid.eval.stageS. */
static void stage_prefix(int stage, char *out, size_t n)
{
    if (stage > 0)
        snprintf(out, n, EVAL_PREFIX "stage%d.", stage);
    else
        snprintf(out, n, EVAL_PREFIX);
}

/* Whether an existing key is replaced by a report of `stage`. */
static int replaced(const char *key, int stage)
{
    char prefix[64];
    stage_prefix(stage, prefix, sizeof prefix);
    if (strncmp(key, prefix, strlen(prefix)) != 0)
        return 0;
    return stage > 0 || strncmp(key, EVAL_PREFIX "stage", strlen(EVAL_PREFIX "stage")) != 0;
}

static t2v_status add_f64(t2v_weights_writer *wr, t2v_status s, const char *prefix,
                          const char *suffix, double v)
{
    char key[160];
    snprintf(key, sizeof key, "%s%s", prefix, suffix);
    return s == T2V_OK ? t2v_weights_writer_add_f64(wr, key, v) : s;
}

static t2v_status add_str(t2v_weights_writer *wr, t2v_status s, const char *prefix,
                          const char *suffix, const char *v)
{
    char key[160];
    snprintf(key, sizeof key, "%s%s", prefix, suffix);
    return s == T2V_OK ? t2v_weights_writer_add_str(wr, key, v) : s;
}

static t2v_status add_u64(t2v_weights_writer *wr, t2v_status s, const char *prefix,
                          const char *suffix, uint64_t v)
{
    char key[160];
    snprintf(key, sizeof key, "%s%s", prefix, suffix);
    return s == T2V_OK ? t2v_weights_writer_add_u64(wr, key, v) : s;
}

static t2v_status add_metrics(t2v_weights_writer *wr, const t2v_eval_report *rep, uint64_t seed,
                              const char *judge_name)
{
    char P[64];
    stage_prefix(rep->stage, P, sizeof P);
    t2v_status s = add_str(wr, T2V_OK, P, "dataset", rep->dataset);
    s = add_str(wr, s, P, "judge", judge_name ? judge_name : "");
    s = add_u64(wr, s, P, "count", (uint64_t)rep->count);
    s = add_u64(wr, s, P, "seed", seed);
    for (int a = 0; a < rep->n_attrs; a++) {
        char name[96];
        snprintf(name, sizeof name, "%s.accuracy", rep->attr_name[a]);
        s = add_f64(wr, s, P, name, rep->acc_gen[a]);
        snprintf(name, sizeof name, "%s.ceiling", rep->attr_name[a]);
        s = add_f64(wr, s, P, name, rep->acc_real[a]);
        snprintf(name, sizeof name, "%s.inception", rep->attr_name[a]);
        s = add_f64(wr, s, P, name, rep->is_gen[a]);
        snprintf(name, sizeof name, "%s.inception_real", rep->attr_name[a]);
        s = add_f64(wr, s, P, name, rep->is_real[a]);
    }
    s = add_f64(wr, s, P, "all_right", rep->all_gen);
    s = add_f64(wr, s, P, "all_right_ceiling", rep->all_real);
    s = add_f64(wr, s, P, "fid", rep->fid_gen);
    s = add_f64(wr, s, P, "fid_floor", rep->fid_floor);
    s = add_f64(wr, s, P, "frame_diff", rep->frame_diff_gen);
    s = add_f64(wr, s, P, "frame_diff_real", rep->frame_diff_real);
    if (rep->in_view_gen >= 0.0) {
        s = add_f64(wr, s, P, "in_view", rep->in_view_gen);
        s = add_f64(wr, s, P, "in_view_real", rep->in_view_real);
    }
    if (rep->has_rprec) {
        s = add_str(wr, s, P, "match", rep->match);
        s = add_f64(wr, s, P, "r_precision", rep->rprec_gen);
        s = add_f64(wr, s, P, "r_precision_real", rep->rprec_real);
    }
    return s;
}

t2v_status t2v_eval_write_metrics(const char *path, const t2v_eval_report *rep, uint64_t seed,
                                  const char *judge_name)
{
    t2v_weights *w = NULL;
    t2v_status s = t2v_weights_open(path, &w);
    if (s != T2V_OK)
        return s;
    t2v_weights_writer *wr = NULL;
    s = t2v_weights_writer_new(&wr);
    if (s == T2V_OK)
        s = t2v_weights_writer_set_alignment(wr, t2v_weights_alignment(w));
    size_t nkv = t2v_weights_kv_count(w);
    for (size_t i = 0; i < nkv && s == T2V_OK; i++) {
        t2v_weights_kv kv;
        s = t2v_weights_kv_at(w, i, &kv);
        if (s != T2V_OK)
            break;
        // the writer sets the alignment itself; old metrics are replaced
        if (!strcmp(kv.key, T2V_KEY_ALIGNMENT) || replaced(kv.key, rep->stage))
            continue;
        s = copy_kv(w, &kv, wr);
    }
    if (s == T2V_OK)
        s = add_metrics(wr, rep, seed, judge_name);
    size_t nt = t2v_weights_tensor_count(w);
    for (size_t i = 0; i < nt && s == T2V_OK; i++) {
        t2v_weights_tensor t;
        s = t2v_weights_tensor_at(w, i, &t);
        if (s == T2V_OK)
            s = t2v_weights_writer_add_tensor_ref(wr, t.name, t.ndim, t.shape, t.data);
    }
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    t2v_weights_close(w);
    return s;
}
