/* A generator: one stream's state over a shared model. The caption is
 * encoded once when set. Video models: each clip is one network run with
 * noise from Philox stream (seed, clip index). Image models: image k uses
 * stream (seed, k); "still" holds it for `hold` frames, "morph" walks from
 * image k's noise to image k+1's over `hold` frames. Either way a frame
 * depends only on (caption, seed, index). */
#include <math.h>
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
    t2v_model_net net;
    t2v_encoder *text;       /* the network's sentence encoder */
    t2v_arena arena;
    uint64_t seed;
    int have_caption;
    int64_t cached;          /* clip (video) or frame (image) in clip_host; -1: none */
    size_t frame_floats;     /* C*H*W */
    float *clip_host;        /* (C, T, H, W); T = 1 for images */
    float *frame_host;       /* (C, H, W) */
    float *noise[2];         /* image morph: noise of images k and k+1 (host) */
    float *mix;              /* their walk at the current frame */
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
    int image = g->m->info.kind == T2V_MODEL_IMAGE;
    t2v_plan p = {.arena = &g->arena, .N = 1, .training = 0};
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 0) {
            t2v_arena_measure(&g->arena, g->be);
        } else {
            t2v_status s = t2v_arena_commit(&g->arena);
            if (s != T2V_OK)
                return s;
        }
        if (image)
            t2v_stackgan_plan(&g->net.stackgan, g->be, &p);
        else
            t2v_tganc_plan(&g->net.tganc, g->be, &p);
        if (p.status != T2V_OK)
            return p.status;
    }
    return T2V_OK;
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
    free(g->noise[0]);
    free(g->noise[1]);
    free(g->mix);
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
    g->cached = -1;
    t2v_status s = t2v_backend_open(o->device, o->threads, o->gpu_id, &g->be);
    if (s != T2V_OK)
        goto fail;
    t2v_params_init(&g->ps, g->be);
    t2v_params_init(&g->bufs, g->be);
    g->text = m->info.kind == T2V_MODEL_IMAGE ? &g->net.stackgan.s1.text : &g->net.tganc.text;
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
    if (mi->kind == T2V_MODEL_IMAGE) {
        const t2v_stackgan_cfg *c = &m->stackgan;
        size_t n = (size_t)c->z_dim + 2 * (size_t)c->c_dim;
        g->noise[0] = malloc(n * sizeof(float));
        g->noise[1] = malloc(n * sizeof(float));
        g->mix = malloc(n * sizeof(float));
        if (!g->noise[0] || !g->noise[1] || !g->mix) {
            s = t2v_fail(T2V_ERR_NOMEM, "out of memory creating a generator");
            goto fail;
        }
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
    s = t2v_encoder_forward(g->text, g->be, &g->ps, ids, &enc.length);
    if (s != T2V_OK)
        return s;
    g->have_caption = 1;
    g->cached = -1;
    if (report)
        *report = rep;
    return T2V_OK;
}

void t2v_generator_set_seed(t2v_generator *g, uint64_t seed)
{
    if (g && g->seed != seed) {
        g->seed = seed;
        g->cached = -1;
    }
}

/* Frames per clip (video) or per image (image models). */
static uint64_t frames_per_unit(const t2v_generator *g)
{
    return g->m->info.kind == T2V_MODEL_IMAGE ? (uint64_t)g->opts.hold
                                              : (uint64_t)g->m->info.frames;
}

uint64_t t2v_generator_next_boundary(const t2v_generator *g, uint64_t index)
{
    uint64_t T = frames_per_unit(g);
    return (index / T + 1) * T;
}

static t2v_status run_clip(t2v_generator *g, int64_t clip)
{
    t2v_tganc *net = &g->net.tganc;
    t2v_backend *be = g->be;
    be->k->rng_normal(be, net->z, net->cfg.z_dim, g->seed, (uint64_t)clip, 0);
    t2v_tganc_forward(net, be, &g->ps, &g->bufs, net->text.S, 0);
    size_t n = g->frame_floats * (size_t)g->m->info.frames;
    t2v_status s = t2v_backend_download(be, g->clip_host, net->clip, n * sizeof(float));
    if (s == T2V_OK)
        g->cached = clip;
    return s;
}

/* Image k's noise, as t2v_stackgan_noise draws it: z, Stage-I eps,
 * Stage-II eps, all from Philox stream (seed, k). */
static void image_noise(const t2v_generator *g, uint64_t k, float *out)
{
    const t2v_stackgan_cfg *c = &g->m->stackgan;
    t2v_rng_normal_host(out, (size_t)c->z_dim + 2 * (size_t)c->c_dim, g->seed, k, 0);
}

/* Frame f of an image model: still, image f / hold; morph, the walk
 * cos(a pi/2) n_k + sin(a pi/2) n_k+1 with a = (f mod hold) / hold, which
 * keeps the noise's variance all along and starts each step exactly at
 * image k. */
static t2v_status run_image(t2v_generator *g, uint64_t f)
{
    t2v_stackgan *sg = &g->net.stackgan;
    t2v_backend *be = g->be;
    const t2v_stackgan_cfg *c = &g->m->stackgan;
    uint64_t hold = (uint64_t)g->opts.hold, k = f / hold;
    size_t Z = (size_t)c->z_dim, Cd = (size_t)c->c_dim;
    double a = g->opts.mode == T2V_MODE_MORPH ? (double)(f % hold) / (double)hold : 0.0;
    image_noise(g, k, g->noise[0]);
    if (a > 0.0) {
        image_noise(g, k + 1, g->noise[1]);
        float wa = (float)cos(a * 1.5707963267948966), wb = (float)sin(a * 1.5707963267948966);
        for (size_t i = 0; i < Z + 2 * Cd; i++)
            g->mix[i] = wa * g->noise[0][i] + wb * g->noise[1][i];
    } else {
        memcpy(g->mix, g->noise[0], (Z + 2 * Cd) * sizeof(float));
    }
    t2v_status s = t2v_backend_upload(be, sg->s1.z, g->mix, Z * sizeof(float));
    if (s == T2V_OK)
        s = t2v_backend_upload(be, sg->s1.ca.eps, g->mix + Z, Cd * sizeof(float));
    if (s == T2V_OK)
        s = t2v_backend_upload(be, sg->s2.ca.eps, g->mix + Z + Cd, Cd * sizeof(float));
    if (s != T2V_OK)
        return s;
    t2v_sg_stage1_forward(&sg->s1, be, &g->ps, &g->bufs, g->text->S, 0);
    t2v_sg_stage2_forward(&sg->s2, be, &g->ps, &g->bufs, sg->s1.img, g->text->S, 0);
    s = t2v_backend_download(be, g->clip_host, sg->s2.img, g->frame_floats * sizeof(float));
    /* a still image is the same for its whole hold: cache it by its first frame */
    if (s == T2V_OK)
        g->cached = (int64_t)(a > 0.0 ? f : k * hold);
    return s;
}

t2v_status t2v_generator_frame(t2v_generator *g, uint64_t index, const float **frame)
{
    if (!g || !frame)
        return t2v_fail(T2V_ERR_INVALID, "t2v_generator_frame: NULL argument");
    if (!g->have_caption)
        return t2v_fail(T2V_ERR_INVALID, "no caption has been set");
    if (index > (uint64_t)INT64_MAX / 2)
        return t2v_fail(T2V_ERR_INVALID, "frame index %llu is too large",
                        (unsigned long long)index);
    t2v_status s = T2V_OK;
    if (g->m->info.kind == T2V_MODEL_IMAGE) {
        uint64_t hold = (uint64_t)g->opts.hold;
        int moving = g->opts.mode == T2V_MODE_MORPH && index % hold != 0;
        int64_t key = (int64_t)(moving ? index : index / hold * hold);
        if (key != g->cached)
            s = run_image(g, index);
        *frame = g->clip_host;
        return s;
    }
    uint64_t T = (uint64_t)g->m->info.frames;
    int64_t clip = (int64_t)(index / T);
    if (clip != g->cached && (s = run_clip(g, clip)) != T2V_OK)
        return s;
    /* clip_host (C, T, H, W) -> frame (C, H, W) */
    size_t t = (size_t)(index % T), C = (size_t)g->m->info.channels;
    size_t HW = g->frame_floats / C;
    for (size_t c = 0; c < C; c++)
        memcpy(g->frame_host + c * HW, g->clip_host + (c * T + t) * HW, HW * sizeof(float));
    *frame = g->frame_host;
    return T2V_OK;
}
