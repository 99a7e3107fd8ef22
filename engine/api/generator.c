/* A generator: one stream's state over a shared model. The caption is
 * encoded once when set; each clip is one network run with noise drawn from
 * Philox stream (seed, clip index), so a frame depends only on (caption,
 * seed, index). */
#include <stdlib.h>
#include <string.h>

#include "api/model_internal.h"
#include "backend/backend.h"
#include "core/status_internal.h"
#include "io/params_io.h"

struct t2v_generator {
    t2v_model *m;
    t2v_generator_opts opts;
    t2v_backend *be;
    t2v_params ps, bufs;
    t2v_tganc net;
    t2v_arena arena;
    uint64_t seed;
    int have_caption;
    int64_t cached_clip;     /* clip in clip_host, -1 when none */
    size_t frame_floats;     /* C*H*W */
    float *clip_host;        /* (C, T, H, W) */
    float *frame_host;       /* (C, H, W) */
};

void t2v_generator_opts_init(t2v_generator_opts *o)
{
    memset(o, 0, sizeof *o);
    o->device = T2V_DEVICE_AUTO;
    o->threads = 0;
    o->mode = T2V_MODE_STILL;
    o->hold = 1;
}

static t2v_status plan(t2v_generator *g)
{
    t2v_plan p = {.arena = &g->arena, .N = 1, .training = 0};
    t2v_arena_measure(&g->arena, g->be);
    t2v_tganc_plan(&g->net, g->be, &p);
    if (p.status != T2V_OK)
        return p.status;
    t2v_status s = t2v_arena_commit(&g->arena);
    if (s != T2V_OK)
        return s;
    t2v_tganc_plan(&g->net, g->be, &p);
    return p.status;
}

void t2v_generator_free(t2v_generator *g)
{
    if (!g)
        return;
    t2v_arena_release(&g->arena);
    t2v_params_free(&g->ps);
    t2v_params_free(&g->bufs);
    t2v_backend_close(g->be);
    t2v_model_unref(g->m);
    free(g->clip_host);
    free(g->frame_host);
    free(g);
}

t2v_status t2v_generator_new(t2v_model *m, const t2v_generator_opts *o, t2v_generator **out)
{
    if (!out)
        return t2v_fail(T2V_ERR_INVALID, "t2v_generator_new: out is NULL");
    *out = NULL;
    if (!m)
        return t2v_fail(T2V_ERR_INVALID, "t2v_generator_new: no model");
    t2v_generator_opts defaults;
    if (!o) {
        t2v_generator_opts_init(&defaults);
        o = &defaults;
    }
    if (o->hold < 1 || (o->mode != T2V_MODE_STILL && o->mode != T2V_MODE_MORPH))
        return t2v_fail(T2V_ERR_INVALID, "bad generator options (mode %d, hold %d)", (int)o->mode,
                        o->hold);
    t2v_generator *g = calloc(1, sizeof *g);
    if (!g)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory creating a generator");
    g->m = t2v_model_ref(m);
    g->opts = *o;
    g->cached_clip = -1;
    t2v_status s = t2v_backend_open(o->device, o->threads, o->gpu_id, &g->be);
    if (s != T2V_OK)
        goto fail;
    t2v_params_init(&g->ps, g->be);
    t2v_params_init(&g->bufs, g->be);
    if ((s = t2v_model_declare(m, &g->net, &g->ps, &g->bufs)) != T2V_OK ||
        (s = t2v_params_allocate(&g->ps, 0)) != T2V_OK ||
        (s = t2v_params_allocate(&g->bufs, 0)) != T2V_OK ||
        (s = t2v_params_load_from(&g->ps, m->w, 0)) != T2V_OK ||
        (s = t2v_params_load_from(&g->bufs, m->w, 0)) != T2V_OK || (s = plan(g)) != T2V_OK)
        goto fail;
    const t2v_model_info *mi = &m->info;
    g->frame_floats = (size_t)mi->channels * mi->height * mi->width;
    g->clip_host = malloc(g->frame_floats * (size_t)mi->frames * sizeof(float));
    g->frame_host = malloc(g->frame_floats * sizeof(float));
    if (!g->clip_host || !g->frame_host) {
        s = t2v_fail(T2V_ERR_NOMEM, "out of memory creating a generator");
        goto fail;
    }
    *out = g;
    return T2V_OK;
fail:
    t2v_generator_free(g);
    return s;
}

t2v_status t2v_generator_set_caption(t2v_generator *g, const char *caption,
                                     t2v_caption_report *report)
{
    if (!g)
        return t2v_fail(T2V_ERR_INVALID, "t2v_generator_set_caption: no generator");
    t2v_encoded_caption enc;
    t2v_caption_report rep;
    memset(&rep, 0, sizeof rep);
    t2v_status s = t2v_caption_encode(&g->m->vocab, caption, g->m->info.max_words, &enc,
                                      rep.unknown_list, sizeof rep.unknown_list);
    if (s != T2V_OK)
        return s;
    rep.words = enc.length;
    rep.unknown = enc.unknown;
    rep.truncated = enc.truncated;
    // ids: (1, max_words), <pad> after the caption
    int32_t ids[256] = {0};
    memcpy(ids, enc.ids, (size_t)enc.length * sizeof ids[0]);
    s = t2v_encoder_forward(&g->net.text, g->be, &g->ps, ids, &enc.length);
    if (s != T2V_OK)
        return s;
    g->have_caption = 1;
    g->cached_clip = -1;
    if (report)
        *report = rep;
    return T2V_OK;
}

void t2v_generator_set_seed(t2v_generator *g, uint64_t seed)
{
    if (g && g->seed != seed) {
        g->seed = seed;
        g->cached_clip = -1;
    }
}

uint64_t t2v_generator_next_boundary(const t2v_generator *g, uint64_t index)
{
    uint64_t T = (uint64_t)g->m->info.frames;
    return (index / T + 1) * T;
}

static t2v_status run_clip(t2v_generator *g, int64_t clip)
{
    t2v_tganc *net = &g->net;
    t2v_backend *be = g->be;
    be->k->rng_normal(be, net->z, net->cfg.z_dim, g->seed, (uint64_t)clip, 0);
    t2v_tganc_forward(net, be, &g->ps, &g->bufs, net->text.S, 0);
    size_t n = g->frame_floats * (size_t)g->m->info.frames;
    t2v_status s = t2v_backend_download(be, g->clip_host, net->clip, n * sizeof(float));
    if (s == T2V_OK)
        g->cached_clip = clip;
    return s;
}

t2v_status t2v_generator_frame(t2v_generator *g, uint64_t index, const float **frame)
{
    if (!g || !frame)
        return t2v_fail(T2V_ERR_INVALID, "t2v_generator_frame: NULL argument");
    if (!g->have_caption)
        return t2v_fail(T2V_ERR_INVALID, "no caption has been set");
    uint64_t T = (uint64_t)g->m->info.frames;
    if (index / T > (uint64_t)INT64_MAX)
        return t2v_fail(T2V_ERR_INVALID, "frame index %llu is too large",
                        (unsigned long long)index);
    int64_t clip = (int64_t)(index / T);
    if (clip != g->cached_clip) {
        t2v_status s = run_clip(g, clip);
        if (s != T2V_OK)
            return s;
    }
    /* clip_host (C, T, H, W) -> frame (C, H, W) */
    size_t t = (size_t)(index % T), C = (size_t)g->m->info.channels;
    size_t HW = g->frame_floats / C;
    for (size_t c = 0; c < C; c++)
        memcpy(g->frame_host + c * HW, g->clip_host + (c * T + t) * HW, HW * sizeof(float));
    *frame = g->frame_host;
    return T2V_OK;
}
