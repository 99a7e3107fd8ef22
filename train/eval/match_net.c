/* The matching model's networks: parameters, activations, the two
 * encoders' forward passes and their backward. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/eval_net.h"
#include "train/eval/match.h"

t2v_status t2v_match_cfg_for(t2v_match_cfg *cfg, const char *dataset, int C, int H, int W,
                             int vocab_size)
{
    memset(cfg, 0, sizeof *cfg);
    if (!dataset || strlen(dataset) >= sizeof cfg->dataset)
        return t2v_fail(T2V_ERR_INVALID, "match: data set name missing or too long");
    if (C < 1 || C > 4 || H < 16 || W < 16)
        return t2v_fail(T2V_ERR_INVALID, "match: image size (%d, %d, %d) unsupported", C, H, W);
    strcpy(cfg->dataset, dataset);
    cfg->channels = C;
    cfg->height = H;
    cfg->width = W;
    cfg->layers = 4;
    cfg->width0 = 16;
    cfg->text = (t2v_encoder_cfg){.vocab = vocab_size, .embed = 32, .hidden = 32, .sent = 64,
                                  .max_words = 24};
    cfg->dim = 64;
    cfg->temperature = 0.1f;
    return T2V_OK;
}

static t2v_status match_declare(void *model)
{
    t2v_match *m = model;
    const t2v_match_cfg *c = &m->cfg;
    if (c->dim < 1 || c->dim > 4096 || !(c->temperature > 0.0f) || c->text.vocab != m->vocab.count)
        return t2v_fail(T2V_ERR_INVALID, "match: dim %d, temperature %g, vocabulary %d / %d",
                        c->dim, (double)c->temperature, c->text.vocab, m->vocab.count);
    t2v_status st = t2v_ctrunk_declare(&m->trunk, &m->params, &m->bufs, "match.image",
                                       T2V_CTRUNK_PER_FRAME, c->channels, 1, c->height,
                                       c->width, c->layers, c->width0);
    if (st != T2V_OK)
        return st;
    int F = m->trunk.feat_dim, D = c->text.sent;
    int64_t iw[2] = {c->dim, F}, tw[2] = {c->dim, D}, b[1] = {c->dim};
    m->img_w = t2v_declare(&m->params, &st, "match.image.proj", "weight", 2, iw, 0);
    m->img_b = t2v_declare(&m->params, &st, "match.image.proj", "bias", 1, b, 1);
    if (st == T2V_OK)
        st = t2v_encoder_declare(&m->text, &c->text, &m->params, "match.text");
    m->txt_w = t2v_declare(&m->params, &st, "match.text.proj", "weight", 2, tw, 0);
    m->txt_b = t2v_declare(&m->params, &st, "match.text.proj", "bias", 1, b, 1);
    return st;
}

static t2v_status match_init(void *model, uint64_t seed)
{
    t2v_match *m = model;
    t2v_backend *be = m->be;
    const t2v_match_cfg *c = &m->cfg;
    int F = m->trunk.feat_dim, D = c->text.sent;
    t2v_status s = t2v_ctrunk_init(&m->trunk, be, &m->params, &m->bufs, seed, 300);
    if (s == T2V_OK)
        s = t2v_encoder_init(&m->text, be, &m->params, seed, 400);
    if (s == T2V_OK)
        s = t2v_init_normal(be, t2v_pdata(&m->params, m->img_w), (int64_t)c->dim * F, 0.0f,
                            1.0f / sqrtf((float)F), seed, 500);
    if (s == T2V_OK)
        s = t2v_init_normal(be, t2v_pdata(&m->params, m->txt_w), (int64_t)c->dim * D, 0.0f,
                            1.0f / sqrtf((float)D), seed, 501);
    if (s == T2V_OK)
        s = t2v_init_const(be, t2v_pdata(&m->params, m->img_b), c->dim, 0.0f);
    if (s == T2V_OK)
        s = t2v_init_const(be, t2v_pdata(&m->params, m->txt_b), c->dim, 0.0f);
    return s;
}

t2v_status t2v_match_new(const t2v_match_cfg *cfg, t2v_vocab *vocab, t2v_backend *be,
                         int threads, uint64_t seed, int with_adam, t2v_match **out)
{
    *out = NULL;
    t2v_match *m = calloc(1, sizeof *m);
    if (!m)
        return t2v_fail(T2V_ERR_NOMEM, "match: out of memory");
    m->cfg = *cfg;
    m->vocab = *vocab;
    memset(vocab, 0, sizeof *vocab);
    t2v_status s = t2v_eval_backend(&be, threads, &m->own_backend);
    if (s != T2V_OK) {
        t2v_vocab_free(&m->vocab);
        free(m);
        return s;
    }
    m->be = be;
    s = t2v_eval_params_build(m, be, &m->params, &m->bufs, match_declare, match_init, seed,
                              with_adam);
    if (s != T2V_OK) {
        t2v_match_free(m);
        return s;
    }
    *out = m;
    return T2V_OK;
}

void t2v_match_free(t2v_match *m)
{
    if (!m)
        return;
    t2v_vocab_free(&m->vocab);
    t2v_eval_params_release(&m->params, &m->bufs, m->be, m->own_backend);
    free(m);
}

static t2v_status run_plan(void *model, void *run)
{
    t2v_match *m = model;
    t2v_match_run *r = run;
    t2v_plan p = {.arena = &r->arena, .N = r->N, .training = r->training, .status = T2V_OK};
    size_t N = (size_t)r->N, ws = 0, dim = (size_t)m->cfg.dim;
    r->x = t2v_plan_floats(&p, N * (size_t)m->trunk.in_numel);
    t2v_ctrunk_plan(&m->trunk, m->be, &p, &r->trunk, &ws);
    t2v_encoder_plan(&m->text, &p);
    r->u = t2v_plan_floats(&p, N * dim);
    r->v = t2v_plan_floats(&p, N * dim);
    r->du = t2v_plan_grad(&p, N * dim);
    r->dv = t2v_plan_grad(&p, N * dim);
    r->dS = t2v_plan_grad(&p, N * (size_t)m->cfg.text.sent);
    r->ws = t2v_plan_floats(&p, ws ? ws : 1);
    return p.status;
}

t2v_status t2v_match_run_init(t2v_match *m, t2v_match_run *r, int N, int training)
{
    memset(r, 0, sizeof *r);
    if (N < 1 || (training && N < 2))
        return t2v_fail(T2V_ERR_INVALID, "match: batch %d too small", N);
    r->N = N;
    r->training = training;
    t2v_status s = t2v_eval_arena_build(&r->arena, m->be, run_plan, m, r);
    if (s != T2V_OK)
        t2v_match_run_release(r);
    return s;
}

void t2v_match_run_release(t2v_match_run *r)
{
    t2v_arena_release(&r->arena);
    memset(r, 0, sizeof *r);
}

t2v_status t2v_match_images_on(t2v_match *m, t2v_match_run *r, const float *x, int training,
                               float *u_host)
{
    t2v_backend *be = m->be;
    int N = r->N, F = m->trunk.feat_dim, dim = m->cfg.dim;
    // x -> trunk features (N, F) -> u (N, dim)
    t2v_ctrunk_forward(&m->trunk, be, &m->params, &m->bufs, &r->trunk, x, N, r->ws, training);
    t2v_linear_forward(be, r->u, r->trunk.feat, t2v_pdata(&m->params, m->img_w),
                       t2v_pdata(&m->params, m->img_b), N, F, dim);
    return u_host ? t2v_backend_download(be, u_host, r->u, (size_t)N * dim * sizeof(float))
                  : T2V_OK;
}

t2v_status t2v_match_images(t2v_match *m, t2v_match_run *r, const float *images, float *u_host)
{
    t2v_status s = t2v_backend_upload(m->be, r->x, images,
                                      (size_t)r->N * (size_t)m->trunk.in_numel * sizeof(float));
    return s == T2V_OK ? t2v_match_images_on(m, r, r->x, r->training, u_host) : s;
}

t2v_status t2v_match_captions(t2v_match *m, t2v_match_run *r, const int32_t *ids,
                              const int *lengths, float *v_host)
{
    t2v_backend *be = m->be;
    int N = r->N, D = m->cfg.text.sent, dim = m->cfg.dim;
    // ids (N, T) -> S (N, D) -> v (N, dim)
    t2v_status s = t2v_encoder_forward(&m->text, be, &m->params, ids, lengths);
    if (s != T2V_OK)
        return s;
    t2v_linear_forward(be, r->v, m->text.S, t2v_pdata(&m->params, m->txt_w),
                       t2v_pdata(&m->params, m->txt_b), N, D, dim);
    return v_host ? t2v_backend_download(be, v_host, r->v, (size_t)N * dim * sizeof(float))
                  : T2V_OK;
}

void t2v_match_backward(t2v_match *m, t2v_match_run *r)
{
    t2v_backend *be = m->be;
    int N = r->N, F = m->trunk.feat_dim, D = m->cfg.text.sent, dim = m->cfg.dim;
    // du (N, dim) -> projection, dfeat (N, F) -> trunk
    t2v_linear_backward(be, r->trunk.dfeat, t2v_pgrad(&m->params, m->img_w),
                        t2v_pgrad(&m->params, m->img_b), r->du, r->trunk.feat,
                        t2v_pdata(&m->params, m->img_w), N, F, dim);
    t2v_ctrunk_backward(&m->trunk, be, &m->params, &r->trunk, r->x, N, r->ws);
    // dv (N, dim) -> projection, dS (N, D) -> sentence encoder
    t2v_linear_backward(be, r->dS, t2v_pgrad(&m->params, m->txt_w),
                        t2v_pgrad(&m->params, m->txt_b), r->dv, m->text.S,
                        t2v_pdata(&m->params, m->txt_w), N, D, dim);
    t2v_encoder_backward(&m->text, be, &m->params, r->dS);
}
