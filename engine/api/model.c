/* Loading a model: the weights file, its sizes, its vocabulary, and a check
 * that every tensor the network needs is there with the right shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/model_internal.h"
#include "core/status_internal.h"

#ifndef T2V_DEFAULT_MODEL
#define T2V_DEFAULT_MODEL "models/sbmg.gguf"
#endif

const char *t2v_default_model_path(void)
{
    const char *env = getenv("TXT2VID_MODEL");
    return env && *env ? env : T2V_DEFAULT_MODEL;
}

t2v_status t2v_model_declare(const t2v_model *m, t2v_model_net *net, t2v_params *ps,
                             t2v_params *bufs)
{
    if (m->info.kind == T2V_MODEL_IMAGE)
        return t2v_stackgan_declare(&net->stackgan, &m->stackgan, ps, bufs);
    return t2v_tganc_declare(&net->tganc, &m->tganc, ps, bufs);
}

static t2v_status check_tensors(const t2v_weights *w, t2v_params *ps)
{
    for (int i = 0; i < ps->count; i++) {
        const t2v_param *p = &ps->items[i];
        t2v_weights_tensor t;
        if (t2v_weights_find_tensor(w, p->name, &t) != T2V_OK)
            return t2v_fail(T2V_ERR_FORMAT, "%s: tensor %s is missing", t2v_weights_path(w),
                            p->name);
        int same = t.ndim == p->t.ndim;
        for (int d = 0; same && d < t.ndim; d++)
            same = t.shape[d] == p->t.shape[d];
        if (!same)
            return t2v_fail(T2V_ERR_FORMAT, "%s: tensor %s has the wrong shape",
                            t2v_weights_path(w), p->name);
    }
    return T2V_OK;
}

static t2v_status read_vocab(t2v_model *m)
{
    const char *const *words;
    size_t n;
    const char *path = t2v_weights_path(m->w);
    if (t2v_weights_get_str_array(m->w, T2V_KEY_VOCAB, &words, &n) != T2V_OK)
        return t2v_fail(T2V_ERR_FORMAT, "%s: no vocabulary (%s)", path, T2V_KEY_VOCAB);
    if (n < 3 || n > (1u << 20) || strcmp(words[0], "<pad>") != 0 || strcmp(words[1], "<unk>") != 0)
        return t2v_fail(T2V_ERR_FORMAT, "%s: the vocabulary must start with <pad>, <unk>", path);
    t2v_status s = t2v_vocab_init(&m->vocab);
    for (size_t i = 2; i < n && s == T2V_OK; i++) {
        int id;
        s = t2v_vocab_add(&m->vocab, words[i], &id);
        if (s == T2V_OK && id != (int)i)
            return t2v_fail(T2V_ERR_FORMAT, "%s: word '%s' appears twice in the vocabulary",
                            path, words[i]);
    }
    return s;
}

static t2v_status build_description(t2v_model *m)
{
    size_t n = t2v_weights_kv_count(m->w), cap = 4096, used = 0;
    char *buf = malloc(cap);
    if (!buf)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory describing the model");
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        t2v_weights_kv kv;
        char value[512];
        if (t2v_weights_kv_at(m->w, i, &kv) != T2V_OK ||
            t2v_weights_format_value(m->w, i, value, sizeof value) != T2V_OK)
            continue;
        size_t need = strlen(kv.key) + strlen(value) + 5;
        if (used + need >= cap) {
            cap = (used + need) * 2;
            char *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                return t2v_fail(T2V_ERR_NOMEM, "out of memory describing the model");
            }
            buf = nb;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s = %s\n", kv.key, value);
    }
    m->describe = buf;
    return T2V_OK;
}

static void model_free(t2v_model *m)
{
    t2v_vocab_free(&m->vocab);
    t2v_weights_close(m->w);
    free(m->describe);
    free(m);
}

t2v_status t2v_model_load(const char *path, t2v_model **out)
{
    if (!out)
        return t2v_fail(T2V_ERR_INVALID, "t2v_model_load: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return t2v_fail(T2V_ERR_INVALID, "no model path given");
    t2v_model *m = calloc(1, sizeof *m);
    if (!m)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory loading %s", path);
    atomic_init(&m->refs, 1);
    t2v_status s = t2v_weights_open(path, &m->w);
    if (s != T2V_OK) {
        free(m);
        return s;
    }
    const char *arch = "", *name = "", *dataset = "";
    if (t2v_weights_get_str(m->w, T2V_KEY_ARCHITECTURE, &arch) != T2V_OK) {
        s = t2v_fail(T2V_ERR_FORMAT, "%s: no %s: not a txt2vid model", path, T2V_KEY_ARCHITECTURE);
        goto fail;
    }
    int image = strcmp(arch, "stackgan") == 0;
    if (!image && strcmp(arch, "tganc") != 0) {
        s = t2v_fail(T2V_ERR_FORMAT, "%s: architecture '%s' is not one txt2vid can run", path,
                     arch);
        goto fail;
    }
    uint32_t version = 0;
    if (t2v_weights_has_key(m->w, T2V_KEY_FORMAT_VERSION) &&
        (t2v_weights_get_u32(m->w, T2V_KEY_FORMAT_VERSION, &version) != T2V_OK ||
         version > T2V_WEIGHTS_FORMAT_VERSION)) {
        s = t2v_fail(T2V_ERR_FORMAT, "%s: txt2vid format version %u is newer than this txt2vid "
                     "reads (%d)", path, version, T2V_WEIGHTS_FORMAT_VERSION);
        goto fail;
    }
    t2v_weights_get_str(m->w, T2V_KEY_NAME, &name);
    t2v_weights_get_str(m->w, T2V_KEY_TRAIN_DATASET, &dataset);
    t2v_clear_error();
    if ((s = read_vocab(m)) != T2V_OK)
        goto fail;
    m->info.kind = image ? T2V_MODEL_IMAGE : T2V_MODEL_VIDEO;
    if (image)
        s = t2v_stackgan_cfg_read(m->w, m->vocab.count, &m->stackgan);
    else
        s = t2v_tganc_cfg_read(m->w, m->vocab.count, &m->tganc);
    if (s != T2V_OK)
        goto fail;
    uint32_t fps = 8;
    if (t2v_weights_has_key(m->w, "txt2vid.fps") &&
        (t2v_weights_get_u32(m->w, "txt2vid.fps", &fps) != T2V_OK || fps < 1 || fps > 240)) {
        s = t2v_fail(T2V_ERR_FORMAT, "%s: txt2vid.fps must be 1..240", path);
        goto fail;
    }
    /* declare the network once to check every tensor against the file */
    t2v_params ps, bufs;
    t2v_model_net *net = calloc(1, sizeof *net);
    if (!net) {
        s = t2v_fail(T2V_ERR_NOMEM, "out of memory loading %s", path);
        goto fail;
    }
    t2v_params_init(&ps, NULL);
    t2v_params_init(&bufs, NULL);
    s = t2v_model_declare(m, net, &ps, &bufs);
    if (s == T2V_OK)
        s = check_tensors(m->w, &ps);
    if (s == T2V_OK)
        s = check_tensors(m->w, &bufs);
    t2v_params_free(&ps);
    t2v_params_free(&bufs);
    free(net);
    if (s != T2V_OK)
        goto fail;
    if ((s = build_description(m)) != T2V_OK)
        goto fail;
    m->info = (t2v_model_info){
        .kind = image ? T2V_MODEL_IMAGE : T2V_MODEL_VIDEO,
        .arch = arch,
        .name = name,
        .dataset = dataset,
        .frames = image ? 1 : m->tganc.frames,
        .width = image ? m->stackgan.size2 : m->tganc.width,
        .height = image ? m->stackgan.size2 : m->tganc.height,
        .channels = image ? m->stackgan.channels : m->tganc.channels,
        .fps_num = (int)fps,
        .fps_den = 1,
        .max_words = image ? m->stackgan.text.max_words : m->tganc.text.max_words,
        .vocab_size = m->vocab.count,
    };
    *out = m;
    return T2V_OK;
fail:
    model_free(m);
    return s;
}

t2v_model *t2v_model_ref(t2v_model *m)
{
    if (m)
        atomic_fetch_add(&m->refs, 1);
    return m;
}

void t2v_model_unref(t2v_model *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1)
        model_free(m);
}

void t2v_model_get_info(const t2v_model *m, t2v_model_info *info) { *info = m->info; }

const char *t2v_model_describe(const t2v_model *m) { return m ? m->describe : NULL; }
