/* The judge's weights file: architecture "judge", its configuration,
 * provenance, the accuracy it reached on real test items, and its tensors
 * (parameters and batchnorm running statistics). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/eval_weights.h"
#include "train/eval/judge.h"
#include "txt2vid/weights.h"

#define K_DATASET "txt2vid.judge.dataset"
#define K_CHANNELS "txt2vid.judge.channels"
#define K_FRAMES "txt2vid.judge.frames"
#define K_HEIGHT "txt2vid.judge.height"
#define K_WIDTH "txt2vid.judge.width"
#define K_LAYERS "txt2vid.judge.layers"
#define K_WIDTH0 "txt2vid.judge.width0"
#define K_MOTION_WIDTH0 "txt2vid.judge.motion_width0"
#define K_SHAPE_WIDTH0 "txt2vid.judge.shape_width0"
#define K_HEAD_TRUNKS "txt2vid.judge.head_trunks"
#define K_SHAPE_CROP "txt2vid.judge.shape_crop"
#define K_OBJECTS "txt2vid.judge.objects"
#define K_ATTRS "txt2vid.judge.attributes"
#define K_CLASSES "txt2vid.judge.classes"
#define K_TEST_ACC "txt2vid.judge.test_accuracy"
#define K_TEST_ITEMS "txt2vid.judge.test_items"

static t2v_status add_config(const void *model, t2v_weights_writer *wr, const char *command)
{
    const t2v_judge *j = model;
    const t2v_judge_cfg *c = &j->cfg;
    char name[64];
    snprintf(name, sizeof name, "judge-%s", c->dataset);
    const char *attrs[T2V_DATA_MAX_ATTRS];
    int32_t classes[T2V_DATA_MAX_ATTRS];
    int32_t trunks[T2V_DATA_MAX_ATTRS];
    float acc[T2V_DATA_MAX_ATTRS];
    for (int a = 0; a < c->n_attrs; a++) {
        attrs[a] = c->attr_name[a];
        classes[a] = c->n_classes[a];
        trunks[a] = c->head_trunk[a];
        acc[a] = (float)j->test_accuracy[a];
    }
    t2v_status s = t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, T2V_JUDGE_ARCH);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, T2V_KEY_NAME, name);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, T2V_KEY_FORMAT_VERSION, T2V_WEIGHTS_FORMAT_VERSION);
    if (s == T2V_OK) s = t2v_weights_writer_add_str(wr, K_DATASET, c->dataset);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_CHANNELS, (uint32_t)c->channels);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_FRAMES, (uint32_t)c->frames);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_HEIGHT, (uint32_t)c->height);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_WIDTH, (uint32_t)c->width);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_LAYERS, (uint32_t)c->layers);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_WIDTH0, (uint32_t)c->width0);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_MOTION_WIDTH0, (uint32_t)c->motion_width0);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, K_OBJECTS, (uint32_t)c->n_objects);
    if (s == T2V_OK) s = t2v_weights_writer_add_str_array(wr, K_ATTRS, attrs, (size_t)c->n_attrs);
    if (s == T2V_OK) s = t2v_weights_writer_add_i32_array(wr, K_CLASSES, classes, (size_t)c->n_attrs);
    // judges without a shape trunk keep the keys they always had
    if (s == T2V_OK && c->shape_width0 > 0) {
        s = t2v_weights_writer_add_u32(wr, K_SHAPE_WIDTH0, (uint32_t)c->shape_width0);
        if (s == T2V_OK)
            s = t2v_weights_writer_add_i32_array(wr, K_HEAD_TRUNKS, trunks, (size_t)c->n_attrs);
        if (s == T2V_OK && c->shape_crop > 0)
            s = t2v_weights_writer_add_u32(wr, K_SHAPE_CROP, (uint32_t)c->shape_crop);
    }
    if (s == T2V_OK)
        s = t2v_eval_write_provenance(wr, c->dataset, j->train_steps, j->train_seed,
                                      j->train_seconds);
    if (s == T2V_OK && command && *command)
        s = t2v_weights_writer_add_str(wr, T2V_KEY_TRAIN_COMMAND, command);
    if (s == T2V_OK && j->test_items > 0) {
        s = t2v_weights_writer_add_f32_array(wr, K_TEST_ACC, acc, (size_t)c->n_attrs);
        if (s == T2V_OK)
            s = t2v_weights_writer_add_u64(wr, K_TEST_ITEMS, (uint64_t)j->test_items);
    }
    return s;
}

t2v_status t2v_judge_save(t2v_judge *j, const char *path, const char *command)
{
    return t2v_eval_save(path, j, add_config, command, &j->params, &j->bufs);
}

/* A u32 judge key that must lie in [lo, hi]. */
static t2v_status get_int(const t2v_weights *w, const char *key, int lo, int hi, int *out)
{
    return t2v_eval_get_int(w, "judge", key, lo, hi, out);
}

/* The shape trunk (its crop size when it reads one) and which trunk each
 * head reads; files without a shape trunk derive the heads' trunks from
 * the attribute names. */
static t2v_status read_trunks(const t2v_weights *w, t2v_judge_cfg *c)
{
    if (!t2v_weights_has_key(w, K_SHAPE_WIDTH0)) {
        t2v_judge_cfg_assign_trunks(c);
        return T2V_OK;
    }
    t2v_status s = get_int(w, K_SHAPE_WIDTH0, 1, 1024, &c->shape_width0);
    if (s == T2V_OK && t2v_weights_has_key(w, K_SHAPE_CROP))
        s = get_int(w, K_SHAPE_CROP, 4, 1024, &c->shape_crop);
    if (s != T2V_OK)
        return s;
    const int32_t *trunks = NULL;
    size_t n = 0;
    if (t2v_weights_get_i32_array(w, K_HEAD_TRUNKS, &trunks, &n) != T2V_OK ||
        n != (size_t)c->n_attrs)
        return t2v_fail(T2V_ERR_FORMAT, "%s: judge key %s missing or not one trunk per "
                        "attribute", t2v_weights_path(w), K_HEAD_TRUNKS);
    for (int a = 0; a < c->n_attrs; a++) {
        if (trunks[a] < 0 || trunks[a] >= T2V_JUDGE_TRUNKS)
            return t2v_fail(T2V_ERR_FORMAT, "%s: judge head %d reads trunk %d",
                            t2v_weights_path(w), a, (int)trunks[a]);
        c->head_trunk[a] = trunks[a];
    }
    return T2V_OK;
}

static t2v_status read_config(const t2v_weights *w, t2v_judge_cfg *c)
{
    const char *path = t2v_weights_path(w), *arch = NULL, *dataset = NULL;
    memset(c, 0, sizeof *c);
    if (t2v_weights_get_str(w, T2V_KEY_ARCHITECTURE, &arch) != T2V_OK ||
        strcmp(arch, T2V_JUDGE_ARCH) != 0)
        return t2v_fail(T2V_ERR_FORMAT, "%s: not a judge (general.architecture is %s)", path,
                        arch ? arch : "missing");
    if (t2v_weights_get_str(w, K_DATASET, &dataset) != T2V_OK ||
        strlen(dataset) >= sizeof c->dataset)
        return t2v_fail(T2V_ERR_FORMAT, "%s: judge data set name missing or too long", path);
    strcpy(c->dataset, dataset);
    t2v_status s = get_int(w, K_CHANNELS, 1, 4, &c->channels);
    if (s == T2V_OK) s = get_int(w, K_FRAMES, 1, 1024, &c->frames);
    if (s == T2V_OK) s = get_int(w, K_HEIGHT, 4, 4096, &c->height);
    if (s == T2V_OK) s = get_int(w, K_WIDTH, 4, 4096, &c->width);
    if (s == T2V_OK) s = get_int(w, K_LAYERS, 1, T2V_JUDGE_MAX_LAYERS, &c->layers);
    if (s == T2V_OK) s = get_int(w, K_WIDTH0, 1, 1024, &c->width0);
    if (s == T2V_OK) s = get_int(w, K_MOTION_WIDTH0, 0, 1024, &c->motion_width0);
    if (s == T2V_OK) s = get_int(w, K_OBJECTS, 1, T2V_DATA_MAX_ATTRS, &c->n_objects);
    if (s != T2V_OK)
        return s;
    const char *const *names = NULL;
    const int32_t *classes = NULL;
    size_t n_names = 0, n_classes = 0;
    if (t2v_weights_get_str_array(w, K_ATTRS, &names, &n_names) != T2V_OK ||
        t2v_weights_get_i32_array(w, K_CLASSES, &classes, &n_classes) != T2V_OK ||
        n_names != n_classes || n_names < 1 || n_names > T2V_DATA_MAX_ATTRS ||
        n_names % (size_t)c->n_objects != 0)
        return t2v_fail(T2V_ERR_FORMAT, "%s: judge attribute names / classes missing or "
                        "inconsistent", path);
    c->n_attrs = (int)n_names;
    for (int a = 0; a < c->n_attrs; a++) {
        if (strlen(names[a]) >= sizeof c->attr_name[a] || classes[a] < 2 || classes[a] > 4096)
            return t2v_fail(T2V_ERR_FORMAT, "%s: judge attribute %d unusable", path, a);
        strcpy(c->attr_name[a], names[a]);
        c->n_classes[a] = classes[a];
    }
    return read_trunks(w, c);
}

static void read_provenance(const t2v_weights *w, t2v_judge *j)
{
    uint64_t u;
    t2v_eval_read_provenance(w, &j->train_steps, &j->train_seed, &j->train_seconds);
    const float *acc = NULL;
    size_t n = 0;
    if (t2v_weights_get_f32_array(w, K_TEST_ACC, &acc, &n) == T2V_OK &&
        n == (size_t)j->cfg.n_attrs && t2v_weights_get_u64(w, K_TEST_ITEMS, &u) == T2V_OK) {
        for (size_t a = 0; a < n; a++)
            j->test_accuracy[a] = acc[a];
        j->test_items = (long)u;
    }
}

t2v_status t2v_judge_load(const char *path, t2v_backend *be, int threads, t2v_judge **out)
{
    *out = NULL;
    t2v_weights *w = NULL;
    t2v_status s = t2v_weights_open(path, &w);
    if (s != T2V_OK)
        return s;
    t2v_judge_cfg cfg;
    t2v_judge *j = NULL;
    s = read_config(w, &cfg);
    if (s == T2V_OK)
        s = t2v_judge_new(&cfg, be, threads, 0, 0, &j);
    if (s == T2V_OK)
        s = t2v_eval_load_tensors(w, &j->params, &j->bufs);
    if (s == T2V_OK)
        read_provenance(w, j);
    t2v_weights_close(w);
    if (s != T2V_OK) {
        t2v_judge_free(j);
        return s;
    }
    *out = j;
    return T2V_OK;
}
