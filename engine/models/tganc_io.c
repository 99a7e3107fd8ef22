/* TGANs-C hyperparameters <-> weights-file metadata ("tganc.*"). */
#include <stdio.h>
#include <string.h>

#include "core/status_internal.h"
#include "models/tganc.h"
#include "models/tganc_io.h"

#define STAGE_INTS 10 /* c_out, k[3], s[3], p[3] */

t2v_status t2v_tganc_cfg_write(const t2v_tganc_cfg *c, t2v_weights_writer *wr)
{
    int32_t stages[T2V_TGANC_MAX_STAGES * STAGE_INTS];
    for (int i = 0; i < c->n_stages; i++) {
        const t2v_tganc_stage *s = &c->stage[i];
        int32_t *o = stages + i * STAGE_INTS;
        o[0] = s->c_out;
        for (int d = 0; d < 3; d++) {
            o[1 + d] = s->k[d];
            o[4 + d] = s->s[d];
            o[7 + d] = s->p[d];
        }
    }
    int32_t base[3] = {c->base[0], c->base[1], c->base[2]};
    t2v_status s = t2v_weights_writer_add_u32(wr, "tganc.z_dim", (uint32_t)c->z_dim);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, "tganc.c0", (uint32_t)c->c0);
    if (s == T2V_OK) s = t2v_weights_writer_add_i32_array(wr, "tganc.base", base, 3);
    if (s == T2V_OK && c->n_stages > 0)
        s = t2v_weights_writer_add_i32_array(wr, "tganc.stages", stages,
                                             (size_t)c->n_stages * STAGE_INTS);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, "tganc.channels", (uint32_t)c->channels);
    if (s == T2V_OK) s = t2v_weights_writer_add_bool(wr, "tganc.cond_bn", c->cond_bn);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, "tganc.act", (uint32_t)c->act);
    if (s == T2V_OK) s = t2v_weights_writer_add_bool(wr, "tganc.unit_norm0", c->unit_norm0);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, "tganc.out_kernel", (uint32_t)c->out_k);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, "tganc.text.embed", (uint32_t)c->text.embed);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, "tganc.text.hidden", (uint32_t)c->text.hidden);
    if (s == T2V_OK) s = t2v_weights_writer_add_u32(wr, "tganc.text.sent", (uint32_t)c->text.sent);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_u32(wr, "tganc.text.max_words", (uint32_t)c->text.max_words);
    if (s == T2V_OK) s = t2v_weights_writer_add_bool(wr, "tganc.text.pool", c->text.pool != 0);
    if (s == T2V_OK && c->text.pool == 2)
        s = t2v_weights_writer_add_bool(wr, "tganc.text.pool_only", 1);
    if (s == T2V_OK && c->sprite_frames > 0)
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.frames", (uint32_t)c->sprite_frames);
    if (s == T2V_OK && c->sprite_frames > 0)
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.path_hidden",
                                       (uint32_t)c->path_hidden);
    if (s == T2V_OK && c->attend)
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.attend", (uint32_t)c->attend);
    if (s == T2V_OK && c->sprites > 1)
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.count", (uint32_t)c->sprites);
    if (s == T2V_OK && c->path_rest)
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.path_rest", (uint32_t)c->path_rest);
    if (s == T2V_OK && c->path_follow)
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.path_follow", (uint32_t)c->path_follow);
    if (s == T2V_OK && c->path_each)
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.path_each", (uint32_t)c->path_each);
    if (s == T2V_OK && c->path_bounce)
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.path_bounce", (uint32_t)c->path_bounce);
    if (s == T2V_OK && c->frame[0])
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.frame_height", (uint32_t)c->frame[0]);
    if (s == T2V_OK && c->frame[0])
        s = t2v_weights_writer_add_u32(wr, "tganc.sprite.frame_width", (uint32_t)c->frame[1]);
    return s;
}

static t2v_status get_int(const t2v_weights *w, const char *key, int lo, int hi, int *out)
{
    uint32_t v;
    t2v_status s = t2v_weights_get_u32(w, key, &v);
    if (s != T2V_OK)
        return T2V_ERR_FORMAT; /* the reader's message names the key and the file */
    if (v < (uint32_t)lo || v > (uint32_t)hi)
        return t2v_fail(T2V_ERR_FORMAT, "%s: %s = %u is outside %d..%d", t2v_weights_path(w), key,
                        v, lo, hi);
    *out = (int)v;
    return T2V_OK;
}

t2v_status t2v_tganc_cfg_read(const t2v_weights *w, int vocab_size, t2v_tganc_cfg *c)
{
    memset(c, 0, sizeof *c);
    const char *path = t2v_weights_path(w);
    t2v_status s = get_int(w, "tganc.z_dim", 1, 4096, &c->z_dim);
    if (s == T2V_OK) s = get_int(w, "tganc.c0", 1, 8192, &c->c0);
    if (s == T2V_OK) s = get_int(w, "tganc.channels", 1, 3, &c->channels);
    if (s == T2V_OK) s = get_int(w, "tganc.text.embed", 1, 4096, &c->text.embed);
    if (s == T2V_OK) s = get_int(w, "tganc.text.hidden", 1, 4096, &c->text.hidden);
    if (s == T2V_OK) s = get_int(w, "tganc.text.sent", 1, 4096, &c->text.sent);
    if (s == T2V_OK) s = get_int(w, "tganc.text.max_words", 1, 256, &c->text.max_words);
    if (s != T2V_OK)
        return s;
    int cond = 0;
    if (t2v_weights_get_bool(w, "tganc.cond_bn", &cond) != T2V_OK)
        return T2V_ERR_FORMAT;
    c->cond_bn = cond;
    int unit = 0; /* files without the key normalise the FC layer per channel */
    if (t2v_weights_has_key(w, "tganc.unit_norm0") &&
        t2v_weights_get_bool(w, "tganc.unit_norm0", &unit) != T2V_OK)
        return T2V_ERR_FORMAT;
    c->unit_norm0 = unit;
    int pool = 0; /* files without the key: S is the LSTM's state alone */
    if (t2v_weights_has_key(w, "tganc.text.pool") &&
        t2v_weights_get_bool(w, "tganc.text.pool", &pool) != T2V_OK)
        return T2V_ERR_FORMAT;
    c->text.pool = pool;
    int only = 0; /* the generator reads the mean of the words alone */
    if (t2v_weights_has_key(w, "tganc.text.pool_only") &&
        t2v_weights_get_bool(w, "tganc.text.pool_only", &only) != T2V_OK)
        return T2V_ERR_FORMAT;
    if (only && !pool)
        return t2v_fail(T2V_ERR_FORMAT, "%s: tganc.text.pool_only without tganc.text.pool", path);
    if (only)
        c->text.pool = 2;
    c->out_k = 3; /* files without the key have the 3x3x3 output convolution */
    if (t2v_weights_has_key(w, "tganc.out_kernel") &&
        (s = get_int(w, "tganc.out_kernel", 1, 3, &c->out_k)) != T2V_OK)
        return s;
    if (c->out_k == 2)
        return t2v_fail(T2V_ERR_FORMAT, "%s: tganc.out_kernel must be 1 or 3", path);
    c->act = T2V_ACT_RELU;
    if (t2v_weights_has_key(w, "tganc.act")) {
        int act = T2V_ACT_RELU;
        if ((s = get_int(w, "tganc.act", T2V_ACT_RELU, T2V_ACT_SIGMOID, &act)) != T2V_OK)
            return s;
        c->act = (t2v_act)act;
    }
    const int32_t *base, *st;
    size_t nb, ns = 0;
    if (t2v_weights_get_i32_array(w, "tganc.base", &base, &nb) != T2V_OK || nb != 3)
        return t2v_fail(T2V_ERR_FORMAT, "%s: tganc.base must be 3 integers", path);
    for (int d = 0; d < 3; d++) {
        if (base[d] < 1 || base[d] > 64)
            return t2v_fail(T2V_ERR_FORMAT, "%s: tganc.base[%d] = %d is out of range", path, d,
                            (int)base[d]);
        c->base[d] = base[d];
    }
    if (t2v_weights_has_key(w, "tganc.stages") &&
        (t2v_weights_get_i32_array(w, "tganc.stages", &st, &ns) != T2V_OK ||
         ns % STAGE_INTS != 0 || ns / STAGE_INTS > T2V_TGANC_MAX_STAGES))
        return t2v_fail(T2V_ERR_FORMAT, "%s: tganc.stages must hold up to %d stages of %d integers",
                        path, T2V_TGANC_MAX_STAGES, STAGE_INTS);
    c->n_stages = (int)(ns / STAGE_INTS);
    for (int i = 0; i < c->n_stages; i++) {
        const int32_t *o = st + i * STAGE_INTS;
        for (int j = 0; j < STAGE_INTS; j++)
            if (o[j] < (j >= 7 ? 0 : 1) || o[j] > 8192)
                return t2v_fail(T2V_ERR_FORMAT, "%s: tganc.stages[%d] value %d is out of range",
                                path, i, (int)o[j]);
        c->stage[i].c_out = o[0];
        for (int d = 0; d < 3; d++) {
            c->stage[i].k[d] = o[1 + d];
            c->stage[i].s[d] = o[4 + d];
            c->stage[i].p[d] = o[7 + d];
        }
    }
    /* files without the keys: the stack draws the whole clip */
    if (t2v_weights_has_key(w, "tganc.sprite.frames") &&
        ((s = get_int(w, "tganc.sprite.frames", 1, 1024, &c->sprite_frames)) != T2V_OK ||
         (s = get_int(w, "tganc.sprite.path_hidden", 1, 4096, &c->path_hidden)) != T2V_OK))
        return s;
    /* files without it: the picture reads the sentence vector */
    if (t2v_weights_has_key(w, "tganc.sprite.attend") &&
        (s = get_int(w, "tganc.sprite.attend", 1, 1, &c->attend)) != T2V_OK)
        return s;
    /* files without it: one picture per clip */
    if (t2v_weights_has_key(w, "tganc.sprite.count") &&
        (s = get_int(w, "tganc.sprite.count", 1, T2V_TGANC_MAX_SPRITES, &c->sprites)) != T2V_OK)
        return s;
    /* files without it: the path reads the sentence vector */
    if (t2v_weights_has_key(w, "tganc.sprite.path_rest") &&
        (s = get_int(w, "tganc.sprite.path_rest", 1, 1, &c->path_rest)) != T2V_OK)
        return s;
    /* files without it: the path reads no window of words */
    if (t2v_weights_has_key(w, "tganc.sprite.path_follow") &&
        (s = get_int(w, "tganc.sprite.path_follow", 1, 64, &c->path_follow)) != T2V_OK)
        return s;
    /* files without it: one head reads every picture's window */
    if (t2v_weights_has_key(w, "tganc.sprite.path_each") &&
        (s = get_int(w, "tganc.sprite.path_each", 1, 1, &c->path_each)) != T2V_OK)
        return s;
    /* files without it: the head gives every frame's offset */
    if (t2v_weights_has_key(w, "tganc.sprite.path_bounce") &&
        (s = get_int(w, "tganc.sprite.path_bounce", 1, 2, &c->path_bounce)) != T2V_OK)
        return s;
    /* files without them: the frame is the picture's size */
    if (t2v_weights_has_key(w, "tganc.sprite.frame_height") &&
        ((s = get_int(w, "tganc.sprite.frame_height", 1, 4096, &c->frame[0])) != T2V_OK ||
         (s = get_int(w, "tganc.sprite.frame_width", 1, 4096, &c->frame[1])) != T2V_OK))
        return s;
    c->text.vocab = vocab_size;
    if (t2v_tganc_check(c) != T2V_OK) {
        char why[256];
        snprintf(why, sizeof why, "%s", t2v_last_error());
        return t2v_fail(T2V_ERR_FORMAT, "%s: the TGANs-C sizes do not form a network (%s)", path,
                        why);
    }
    return T2V_OK;
}
