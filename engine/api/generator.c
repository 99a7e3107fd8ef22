/* A generator: one stream's state over a shared model. The caption is
 * encoded once when set. Video models: each clip is one network run with
 * noise from Philox stream (seed, clip index). Image models: image k uses
 * stream (seed, k); "still" holds it for `hold` frames, "morph" walks from
 * image k's noise to image k+1's over `hold` frames. Either way a frame
 * depends only on (caption, seed, index).
 *
 * Image models show Stage II's output, or with opts.stage = 1 Stage I's
 * image upsampled by nearest neighbour (repeated x2 doublings on the
 * backend) to the model's size; Stage II then does not run.
 *
 * The network's output stays in backend memory: t2v_generator_frame
 * downloads floats, t2v_generator_frame_pixels converts on the backend and
 * (off the CPU) downloads only the bytes. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "api/model_internal.h"
#include "backend/backend.h"
#include "core/status_internal.h"
#include "io/params_io.h"
#include "pixels/pixels.h"

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
    int64_t cached;          /* clip (video) or frame (image) the network's output
                                holds; -1: none */
    int64_t host_cached;     /* the one clip_host holds; -1: none */
    size_t frame_floats;     /* C*H*W */
    float *clip_host;        /* (C, T, H, W); T = 1 for images */
    float *frame_host;       /* (C, H, W) */
    float *noise[2];         /* image morph: noise of images k and k+1 (host) */
    float *mix;              /* their walk at the current frame */
    uint8_t *px_dev;         /* off the CPU: converted pixels, packed planes
                                (backend memory, 4 H W bytes) */
    uint8_t *px_host;        /* their host copy */
    int stage;               /* image models: 1 or 2, the stage shown; 0 video */
    float *up[2];            /* stage 1: Stage I's image after one and two
                                nearest doublings (C, 2 s1, 2 s1), (C, 4 s1, 4 s1) */
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
    if (g->be) {
        t2v_backend_free(g->be, g->px_dev);
        t2v_backend_free(g->be, g->up[0]);
        t2v_backend_free(g->be, g->up[1]);
    }
    free(g->px_host);
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
    int image = m->info.kind == T2V_MODEL_IMAGE;
    if (o->stage < 0 || o->stage > (image ? 2 : 0))
        return t2v_fail(T2V_ERR_INVALID, "stage %d: the %s model %s has %s", o->stage,
                        m->info.arch ? m->info.arch : "?", m->info.name ? m->info.name : "",
                        image ? "stages 1 and 2 (0: the last)" : "one stage (0 only)");
    t2v_generator *g = calloc(1, sizeof *g);
    if (!g)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory creating a generator");
    g->m = t2v_model_ref(m);
    g->opts = *o;
    g->cached = g->host_cached = -1;
    g->stage = image ? (o->stage == 0 ? 2 : o->stage) : 0;
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
    if (g->be->device != T2V_DEVICE_CPU) {
        /* the largest format is 4 bytes a pixel (RGBA, BGRx) */
        size_t bytes = 4 * (size_t)mi->height * (size_t)mi->width;
        g->px_dev = (uint8_t *)t2v_backend_alloc(g->be, bytes);
        g->px_host = malloc(bytes);
        if (!g->px_dev || !g->px_host) {
            s = g->px_dev ? t2v_fail(T2V_ERR_NOMEM, "out of memory creating a generator")
                          : T2V_ERR_NOMEM;
            goto fail;
        }
    }
    if (g->stage == 1) {
        const t2v_stackgan_cfg *c = &m->stackgan;
        size_t side = 2 * (size_t)c->size1;
        for (int u = 0; u < 2; u++, side *= 2) {
            g->up[u] = t2v_backend_alloc(g->be, (size_t)c->channels * side * side * sizeof(float));
            if (!g->up[u]) {
                s = T2V_ERR_NOMEM;
                goto fail;
            }
        }
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
    g->host_cached = -1;
    t2v_status s = t2v_backend_sync(be);
    g->cached = s == T2V_OK ? clip : -1;
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
    if (g->stage == 1) {
        // s1.img (C, s1, s1) -> up[0] (C, 2 s1, 2 s1) -> up[1] (C, 4 s1, 4 s1)
        int C = c->channels, side = c->size1;
        be->k->upsample2_forward(be, g->up[0], sg->s1.img, C, 1, side, side, 2);
        be->k->upsample2_forward(be, g->up[1], g->up[0], C, 1, 2 * side, 2 * side, 2);
    } else {
        t2v_sg_stage2_forward(&sg->s2, be, &g->ps, &g->bufs, sg->s1.img, g->text->S, 0);
    }
    g->host_cached = -1;
    s = t2v_backend_sync(be);
    /* a still image is the same for its whole hold: cache it by its first frame */
    g->cached = s == T2V_OK ? (int64_t)(a > 0.0 ? f : k * hold) : -1;
    return s;
}

/* The image the frames show (C, H, W) in backend memory. */
static const float *image_output(const t2v_generator *g)
{
    return g->stage == 1 ? g->up[1] : g->net.stackgan.s2.img;
}

static t2v_status check_frame_call(const t2v_generator *g, uint64_t index)
{
    if (!g->have_caption)
        return t2v_fail(T2V_ERR_INVALID, "no caption has been set");
    if (index > (uint64_t)INT64_MAX / 2)
        return t2v_fail(T2V_ERR_INVALID, "frame index %llu is too large",
                        (unsigned long long)index);
    return T2V_OK;
}

/* Runs the network when frame `index` is not in its output yet; the frame
 * in backend memory is then x (C, H, W) with channel planes cs floats
 * apart. */
static t2v_status output_frame(t2v_generator *g, uint64_t index, const float **x, int64_t *cs)
{
    const t2v_model_info *mi = &g->m->info;
    const int64_t HW = (int64_t)mi->height * mi->width;
    t2v_status s = T2V_OK;
    if (mi->kind == T2V_MODEL_IMAGE) {
        uint64_t hold = (uint64_t)g->opts.hold;
        int moving = g->opts.mode == T2V_MODE_MORPH && index % hold != 0;
        int64_t key = (int64_t)(moving ? index : index / hold * hold);
        if (key != g->cached && (s = run_image(g, index)) != T2V_OK)
            return s;
        *x = image_output(g);
        *cs = HW;
        return T2V_OK;
    }
    uint64_t T = (uint64_t)mi->frames;
    int64_t clip = (int64_t)(index / T);
    if (clip != g->cached && (s = run_clip(g, clip)) != T2V_OK)
        return s;
    /* net->clip (1, C, T, H, W): frame t starts at t H W, channels T H W apart */
    *x = g->net.tganc.clip + (int64_t)(index % T) * HW;
    *cs = (int64_t)T * HW;
    return T2V_OK;
}

t2v_status t2v_generator_frame(t2v_generator *g, uint64_t index, const float **frame)
{
    if (!g || !frame)
        return t2v_fail(T2V_ERR_INVALID, "t2v_generator_frame: NULL argument");
    t2v_status s = check_frame_call(g, index);
    const float *x;
    int64_t cs;
    if (s != T2V_OK || (s = output_frame(g, index, &x, &cs)) != T2V_OK)
        return s;
    const t2v_model_info *mi = &g->m->info;
    int image = mi->kind == T2V_MODEL_IMAGE;
    if (g->host_cached != g->cached) {
        /* the whole clip (C, T, H, W) or image (C, H, W) */
        const float *out = image ? image_output(g) : g->net.tganc.clip;
        size_t n = g->frame_floats * (size_t)(image ? 1 : mi->frames);
        if ((s = t2v_backend_download(g->be, g->clip_host, out, n * sizeof(float))) != T2V_OK)
            return s;
        g->host_cached = g->cached;
    }
    if (image) {
        *frame = g->clip_host;
        return T2V_OK;
    }
    /* clip_host (C, T, H, W) -> frame (C, H, W) */
    size_t T = (size_t)mi->frames, t = (size_t)(index % T), C = (size_t)mi->channels;
    size_t HW = g->frame_floats / C;
    for (size_t c = 0; c < C; c++)
        memcpy(g->frame_host + c * HW, g->clip_host + (c * T + t) * HW, HW * sizeof(float));
    *frame = g->frame_host;
    return T2V_OK;
}

t2v_status t2v_generator_frame_pixels(t2v_generator *g, uint64_t index, t2v_pixfmt fmt,
                                      uint8_t *const planes[], const int strides[])
{
    if (!g)
        return t2v_fail(T2V_ERR_INVALID, "t2v_generator_frame_pixels: no generator");
    const t2v_model_info *mi = &g->m->info;
    const int C = mi->channels, H = mi->height, W = mi->width;
    t2v_status s = t2v_pixels_check(C, H, W, fmt, planes, strides);
    if (s == T2V_OK)
        s = check_frame_call(g, index);
    const float *x;
    int64_t cs;
    if (s != T2V_OK || (s = output_frame(g, index, &x, &cs)) != T2V_OK)
        return s;
    long min_stride[3] = {0, 0, 0}, rows[3];
    int np = t2v_pixels_layout(fmt, H, W, min_stride, rows);
    t2v_backend *be = g->be;
    uint8_t *dst[3] = {NULL, NULL, NULL};
    int dst_stride[3] = {0, 0, 0};
    if (be->device == T2V_DEVICE_CPU) {
        /* backend memory is host memory: straight into the caller's planes */
        for (int p = 0; p < np; p++) {
            dst[p] = planes[p];
            dst_stride[p] = strides[p];
        }
        be->k->to_pixels(be, dst, dst_stride, x, cs, C, H, W, (int)fmt);
        return T2V_OK;
    }
    /* on the device, into packed planes one after another; then one
     * download of the bytes and a copy of each row to its place */
    size_t off[3], total = 0;
    for (int p = 0; p < np; p++) {
        off[p] = total;
        dst[p] = g->px_dev + total;
        dst_stride[p] = (int)min_stride[p];
        total += (size_t)min_stride[p] * (size_t)rows[p];
    }
    be->k->to_pixels(be, dst, dst_stride, x, cs, C, H, W, (int)fmt);
    if ((s = t2v_backend_download(be, g->px_host, g->px_dev, total)) != T2V_OK)
        return s;
    for (int p = 0; p < np; p++)
        for (long r = 0; r < rows[p]; r++)
            memcpy(planes[p] + (size_t)r * (size_t)strides[p],
                   g->px_host + off[p] + (size_t)r * (size_t)min_stride[p], (size_t)min_stride[p]);
    return T2V_OK;
}
