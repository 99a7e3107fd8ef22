/* Shared pieces of the judge's and the matching model's weights files
 * (eval_weights.h). */
#include "core/status_internal.h"
#include "io/params_io.h"
#include "train/eval/eval_weights.h"

t2v_status t2v_eval_get_int(const t2v_weights *w, const char *what, const char *key, int lo,
                            int hi, int *out)
{
    uint32_t v;
    if (t2v_weights_get_u32(w, key, &v) != T2V_OK)
        return t2v_fail(T2V_ERR_FORMAT, "%s: %s key %s missing or not an integer",
                        t2v_weights_path(w), what, key);
    if (v < (uint32_t)lo || v > (uint32_t)hi)
        return t2v_fail(T2V_ERR_FORMAT, "%s: %s key %s = %u outside [%d, %d]",
                        t2v_weights_path(w), what, key, v, lo, hi);
    *out = (int)v;
    return T2V_OK;
}

t2v_status t2v_eval_write_provenance(t2v_weights_writer *wr, const char *dataset, int64_t steps,
                                     uint64_t seed, double seconds)
{
    t2v_status s = t2v_weights_writer_add_str(wr, T2V_KEY_TRAIN_DATASET, dataset);
    if (s == T2V_OK) s = t2v_weights_writer_add_u64(wr, T2V_KEY_TRAIN_STEPS, (uint64_t)steps);
    if (s == T2V_OK) s = t2v_weights_writer_add_u64(wr, T2V_KEY_TRAIN_SEED, seed);
    if (s == T2V_OK) s = t2v_weights_writer_add_f64(wr, T2V_KEY_TRAIN_SECONDS, seconds);
    return s;
}

void t2v_eval_read_provenance(const t2v_weights *w, int64_t *steps, uint64_t *seed,
                              double *seconds)
{
    uint64_t u;
    double d;
    if (t2v_weights_get_u64(w, T2V_KEY_TRAIN_STEPS, &u) == T2V_OK)
        *steps = (int64_t)u;
    if (t2v_weights_get_u64(w, T2V_KEY_TRAIN_SEED, &u) == T2V_OK)
        *seed = u;
    if (t2v_weights_get_f64(w, T2V_KEY_TRAIN_SECONDS, &d) == T2V_OK)
        *seconds = d;
}

t2v_status t2v_eval_load_tensors(const t2v_weights *w, t2v_params *params, t2v_params *bufs)
{
    t2v_status s = t2v_params_load_from(params, w, 0);
    return s == T2V_OK ? t2v_params_load_from(bufs, w, 0) : s;
}

t2v_status t2v_eval_save(const char *path, const void *model, t2v_eval_config_fn add_config,
                         const char *command, t2v_params *params, t2v_params *bufs)
{
    t2v_weights_writer *wr = NULL;
    t2v_status s = t2v_weights_writer_new(&wr);
    if (s != T2V_OK)
        return s;
    s = add_config(model, wr, command);
    if (s == T2V_OK)
        s = t2v_params_add_to_writer(params, wr, 0);
    if (s == T2V_OK)
        s = t2v_params_add_to_writer(bufs, wr, 0);
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    return s;
}
