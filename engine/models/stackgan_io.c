/* StackGAN hyperparameters <-> weights-file metadata ("stackgan.*"). */
#include <stddef.h>
#include <string.h>

#include "core/status_internal.h"
#include "models/stackgan_io.h"

typedef struct int_key {
    const char *key;
    int lo, hi;
    size_t offset;
    int optional;       /* files written before the key existed read 0 */
} int_key;

#define CFG_INT(name, field, lo, hi) {name, lo, hi, offsetof(t2v_stackgan_cfg, field), 0}
#define CFG_OPT(name, field, lo, hi) {name, lo, hi, offsetof(t2v_stackgan_cfg, field), 1}

static const int_key keys[] = {
    CFG_INT("stackgan.z_dim", z_dim, 1, 4096),
    CFG_INT("stackgan.c_dim", c_dim, 1, 4096),
    CFG_INT("stackgan.gf", gf, 1, 4096),
    CFG_INT("stackgan.size1", size1, 16, 256),
    CFG_INT("stackgan.res1", res1, 0, 1),
    CFG_INT("stackgan.gf2", gf2, 1, 4096),
    CFG_INT("stackgan.n_res2", n_res2, 0, 8),
    CFG_INT("stackgan.channels", channels, 1, 3),
    CFG_INT("stackgan.act", act, T2V_ACT_RELU, T2V_ACT_SIGMOID),
    CFG_INT("stackgan.ca_act", ca_act, T2V_ACT_NONE, T2V_ACT_SIGMOID),
    CFG_INT("stackgan.text.embed", text.embed, 1, 4096),
    CFG_INT("stackgan.text.hidden", text.hidden, 1, 4096),
    CFG_INT("stackgan.text.sent", text.sent, 1, 4096),
    CFG_INT("stackgan.text.max_words", text.max_words, 1, 256),
    CFG_OPT("stackgan.unit_norm0", unit_norm0, 0, 1),
    CFG_OPT("stackgan.layered", layered, 0, 2),
    CFG_OPT("stackgan.layer_side", layer_side, 0, 256),
    CFG_OPT("stackgan.text.pool", text.pool, 0, 2),
    CFG_OPT("stackgan.tint_sent", tint_sent, 0, 1),
    CFG_OPT("stackgan.bg_flat", bg_flat, 0, 1),
    CFG_OPT("stackgan.tint_words", tint_words, 0, 1),
    CFG_OPT("stackgan.s2_residual", s2_residual, 0, 1),
    CFG_OPT("stackgan.s2_bg", s2_bg, 0, 1),
};

static int *field(t2v_stackgan_cfg *c, size_t offset) { return (int *)((char *)c + offset); }

t2v_status t2v_stackgan_cfg_write(const t2v_stackgan_cfg *c, t2v_weights_writer *wr)
{
    t2v_stackgan_cfg copy = *c;
    t2v_status s = T2V_OK;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && s == T2V_OK; i++)
        s = t2v_weights_writer_add_u32(wr, keys[i].key, (uint32_t)*field(&copy, keys[i].offset));
    return s;
}

t2v_status t2v_stackgan_cfg_read(const t2v_weights *w, int vocab_size, t2v_stackgan_cfg *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        uint32_t v;
        if (keys[i].optional && !t2v_weights_has_key(w, keys[i].key))
            continue;
        if (t2v_weights_get_u32(w, keys[i].key, &v) != T2V_OK)
            return T2V_ERR_FORMAT; /* the reader's message names the key and the file */
        if (v < (uint32_t)keys[i].lo || v > (uint32_t)keys[i].hi)
            return t2v_fail(T2V_ERR_FORMAT, "%s: %s = %u is outside %d..%d", t2v_weights_path(w),
                            keys[i].key, v, keys[i].lo, keys[i].hi);
        *field(c, keys[i].offset) = (int)v;
    }
    c->text.vocab = vocab_size;
    if (t2v_stackgan_check(c) != T2V_OK)
        return t2v_fail(T2V_ERR_FORMAT, "%s: the StackGAN sizes do not form a network",
                        t2v_weights_path(w));
    return T2V_OK;
}
