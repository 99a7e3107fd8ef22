/* The matching model's weights file: architecture "match", its sizes, the
 * vocabulary, training provenance and every tensor. */
#include <stdio.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/common/captions.h"
#include "train/common/ckpt_meta.h"
#include "train/eval/eval_weights.h"
#include "train/eval/match.h"
#include "txt2vid/weights.h"

#define K_DATASET "txt2vid.match.dataset"
#define K_CHANNELS "txt2vid.match.channels"
#define K_HEIGHT "txt2vid.match.height"
#define K_WIDTH "txt2vid.match.width"
#define K_LAYERS "txt2vid.match.layers"
#define K_WIDTH0 "txt2vid.match.width0"
#define K_EMBED "txt2vid.match.text.embed"
#define K_HIDDEN "txt2vid.match.text.hidden"
#define K_SENT "txt2vid.match.text.sent"
#define K_WORDS "txt2vid.match.text.max_words"
#define K_DIM "txt2vid.match.dim"
#define K_TEMPERATURE "txt2vid.match.temperature"
#define K_LOSS "txt2vid.match.train_loss"

static t2v_status add_config(const void *model, t2v_weights_writer *wr, const char *command)
{
    const t2v_match *m = model;
    const t2v_match_cfg *c = &m->cfg;
    char name[64];
    snprintf(name, sizeof name, "match-%s", c->dataset);
    t2v_status s = t2v_ckpt_write_header(wr, T2V_MATCH_ARCH, name, T2V_MATCH_ARCH, &m->vocab);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, K_DATASET, c->dataset);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_CHANNELS, (uint32_t)c->channels);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_HEIGHT, (uint32_t)c->height);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_WIDTH, (uint32_t)c->width);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_LAYERS, (uint32_t)c->layers);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_WIDTH0, (uint32_t)c->width0);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_EMBED, (uint32_t)c->text.embed);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_HIDDEN, (uint32_t)c->text.hidden);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_SENT, (uint32_t)c->text.sent);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_WORDS, (uint32_t)c->text.max_words);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_DIM, (uint32_t)c->dim);
    if (s == T2V_OK) s = t2v_weights_writer_add_f32(wr, K_TEMPERATURE, c->temperature);
    if (s == T2V_OK)
        s = t2v_eval_write_provenance(wr, c->dataset, m->train_steps, m->train_seed,
                                      m->train_seconds);
    if (s == T2V_OK) s = t2v_weights_writer_add_f64(wr, K_LOSS, m->train_loss);
    if (s == T2V_OK && command && *command)
        s = t2v_weights_writer_add_str(wr, T2V_KEY_TRAIN_COMMAND, command);
    return s;
}

t2v_status t2v_match_save(t2v_match *m, const char *path, const char *command)
{
    return t2v_eval_save(path, m, add_config, command, &m->params, &m->bufs);
}

/* A u32 matching-model key that must lie in [lo, hi]. */
static t2v_status get_int(const t2v_weights *w, const char *key, int lo, int hi, int *out)
{
    return t2v_eval_get_int(w, "matching-model", key, lo, hi, out);
}

static t2v_status read_config(const t2v_weights *w, t2v_match_cfg *c)
{
    const char *path = t2v_weights_path(w), *arch = NULL, *dataset = NULL;
    memset(c, 0, sizeof *c);
    if (t2v_weights_get_str(w, T2V_KEY_ARCHITECTURE, &arch) != T2V_OK ||
        strcmp(arch, T2V_MATCH_ARCH) != 0)
        return t2v_fail(T2V_ERR_FORMAT, "%s: not a matching model (general.architecture is %s)",
                        path, arch ? arch : "missing");
    if (t2v_weights_get_str(w, K_DATASET, &dataset) != T2V_OK ||
        strlen(dataset) >= sizeof c->dataset)
        return t2v_fail(T2V_ERR_FORMAT, "%s: matching-model data set missing or too long", path);
    strcpy(c->dataset, dataset);
    t2v_status s = get_int(w, K_CHANNELS, 1, 4, &c->channels);
    if (s == T2V_OK) s = get_int(w, K_HEIGHT, 16, 4096, &c->height);
    if (s == T2V_OK) s = get_int(w, K_WIDTH, 16, 4096, &c->width);
    if (s == T2V_OK) s = get_int(w, K_LAYERS, 1, T2V_CTRUNK_MAX_LAYERS, &c->layers);
    if (s == T2V_OK) s = get_int(w, K_WIDTH0, 1, 1024, &c->width0);
    if (s == T2V_OK) s = get_int(w, K_EMBED, 1, 4096, &c->text.embed);
    if (s == T2V_OK) s = get_int(w, K_HIDDEN, 1, 4096, &c->text.hidden);
    if (s == T2V_OK) s = get_int(w, K_SENT, 1, 4096, &c->text.sent);
    if (s == T2V_OK) s = get_int(w, K_WORDS, 1, 256, &c->text.max_words);
    if (s == T2V_OK) s = get_int(w, K_DIM, 1, 4096, &c->dim);
    if (s == T2V_OK && (t2v_weights_get_f32(w, K_TEMPERATURE, &c->temperature) != T2V_OK ||
                        !(c->temperature > 0.0f)))
        s = t2v_fail(T2V_ERR_FORMAT, "%s: matching-model temperature missing or not positive",
                     path);
    return s;
}

t2v_status t2v_match_load(const char *path, t2v_backend *be, int threads, t2v_match **out)
{
    *out = NULL;
    t2v_weights *w = NULL;
    t2v_status s = t2v_weights_open(path, &w);
    if (s != T2V_OK)
        return s;
    t2v_match_cfg cfg;
    t2v_vocab vocab;
    memset(&vocab, 0, sizeof vocab);
    t2v_match *m = NULL;
    s = read_config(w, &cfg);
    if (s == T2V_OK)
        s = t2v_vocab_read(w, &vocab);
    if (s == T2V_OK) {
        cfg.text.vocab = vocab.count;
        s = t2v_match_new(&cfg, &vocab, be, threads, 0, 0, &m);
    }
    if (s == T2V_OK)
        s = t2v_eval_load_tensors(w, &m->params, &m->bufs);
    if (s == T2V_OK) {
        double d;
        t2v_eval_read_provenance(w, &m->train_steps, &m->train_seed, &m->train_seconds);
        if (t2v_weights_get_f64(w, K_LOSS, &d) == T2V_OK)
            m->train_loss = d;
    }
    t2v_vocab_free(&vocab);
    t2v_weights_close(w);
    if (s != T2V_OK) {
        t2v_match_free(m);
        return s;
    }
    *out = m;
    return T2V_OK;
}
