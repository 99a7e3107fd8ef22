/* The matching model as a fixed training signal: see match_guide.h. */
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/match_guide.h"
#include "train/eval/match_loss.h"

void t2v_match_guide_close(t2v_match_guide *g)
{
    if (!g)
        return;
    if (g->m) {
        t2v_match_run_release(&g->run);
        if (g->dev)
            t2v_backend_free(g->m->be, g->dev);
        t2v_match_free(g->m);
    }
    t2v_encoded_captions_free(&g->caps);
    free(g->u);
    free(g->v);
    free(g->du);
    free(g->ids);
    free(g->len);
    memset(g, 0, sizeof *g);
}

/* Steps from the generator's side to the model's size: h > 0 halvings
 * (side = size << h), h < 0 doublings (size = side << -h); 99: none fits. */
static int steps_to(int side, int size)
{
    for (int h = 0; h < 8; h++) {
        if ((size << h) == side)
            return h;
        if ((side << h) == size)
            return -h;
    }
    return 99;
}

/* The image side after h of the steps. */
static int side_at(const t2v_match_guide *g, int h)
{
    return g->steps > 0 ? g->side >> h : g->side << h;
}

t2v_status t2v_match_guide_open(t2v_match_guide *g, const char *path, t2v_backend *be,
                                t2v_dataset *ds, long n_captions, int N, int channels, int side)
{
    memset(g, 0, sizeof *g);
    if (N < 2)
        return t2v_fail(T2V_ERR_INVALID, "matching loss: needs batches of 2 or more (got %d)",
                        N);
    t2v_status s = t2v_match_load(path, be, 1, &g->m);
    if (s != T2V_OK)
        return s;
    const t2v_match_cfg *c = &g->m->cfg;
    g->N = N;
    g->channels = channels;
    g->side = side;
    g->steps = c->height == c->width ? steps_to(side, c->height) : 99;
    if (c->channels != channels || g->steps == 99) {
        s = t2v_fail(T2V_ERR_INVALID, "%s: the matching model reads %dx%dx%d images; the "
                     "generator draws %dx%dx%d (same channels, sizes a power of two apart)",
                     path, c->channels, c->height, c->width, channels, side, side);
        goto fail;
    }
    if ((s = t2v_match_run_init(g->m, &g->run, N, 1)) != T2V_OK ||
        (s = t2v_encoded_captions_build(&g->caps, &g->m->vocab, 0, ds, n_captions,
                                        c->text.max_words, c->dataset)) != T2V_OK)
        goto fail;
    /* device: frozen scales of every layer, then the box pyramid and its
     * gradients below the generator's size */
    const t2v_ctrunk *tr = &g->m->trunk;
    size_t total = 0, plane = (size_t)N * channels;
    for (int i = 0; i < tr->layers; i++)
        total += (size_t)N * tr->layer[i].g.c_out;
    int levels = abs(g->steps);
    for (int h = 0; h < levels; h++) /* level[h + 1] and dlevel[h] */
        total += plane * ((size_t)side_at(g, h + 1) * (size_t)side_at(g, h + 1) +
                          (size_t)side_at(g, h) * (size_t)side_at(g, h));
    g->dev = t2v_backend_alloc(be, (total ? total : 1) * sizeof(float));
    int dim = c->dim;
    g->u = malloc((size_t)N * dim * sizeof *g->u);
    g->v = malloc((size_t)N * dim * sizeof *g->v);
    g->du = malloc((size_t)N * dim * sizeof *g->du);
    g->ids = calloc((size_t)N * c->text.max_words, sizeof *g->ids);
    g->len = calloc((size_t)N, sizeof *g->len);
    if (!g->dev || !g->u || !g->v || !g->du || !g->ids || !g->len) {
        s = t2v_fail(T2V_ERR_NOMEM, "matching loss: out of memory");
        goto fail;
    }
    float *p = g->dev;
    for (int i = 0; i < tr->layers; i++) {
        g->scales[i] = p;
        p += (size_t)N * tr->layer[i].g.c_out;
    }
    for (int h = 0; h < levels; h++) {
        g->level[h + 1] = p;
        p += plane * (size_t)side_at(g, h + 1) * (size_t)side_at(g, h + 1);
        g->dlevel[h] = p;
        p += plane * (size_t)side_at(g, h) * (size_t)side_at(g, h);
    }
    if ((s = t2v_ctrunk_frozen_scales(tr, be, &g->m->params, &g->m->bufs, N, g->scales)) ==
        T2V_OK)
        return T2V_OK;
fail:
    t2v_match_guide_close(g);
    return s;
}

t2v_status t2v_match_guide_step(t2v_match_guide *g, const float *images, const long *captions,
                                float weight, float *dimages, double *loss)
{
    t2v_match *m = g->m;
    t2v_backend *be = m->be;
    const t2v_kernels *k = t2v_backend_kernels(be);
    t2v_match_run *r = &g->run;
    int N = g->N, NC = N * g->channels, F = m->trunk.feat_dim, dim = m->cfg.dim;
    for (int b = 0; b < N; b++) {
        if (captions[b] < 0 || captions[b] >= g->caps.n)
            return t2v_fail(T2V_ERR_INVALID, "matching loss: caption %ld of %ld", captions[b],
                            g->caps.n);
        t2v_encoded_captions_copy(&g->caps, captions[b], g->ids, g->len, b);
    }
    // to the model's size: a halving is the box filter (2x2 sums, the nearest
    // upsampling's adjoint, / 4); a doubling is nearest upsampling
    const float *x = images;
    int levels = abs(g->steps);
    for (int h = 1; h <= levels; h++) {
        int from = side_at(g, h - 1), to = side_at(g, h);
        if (g->steps > 0) {
            k->upsample2_backward(be, g->level[h], x, NC, 1, to, to, 2);
            k->scale(be, g->level[h], g->level[h], 0.25f, (int64_t)NC * to * to);
        } else {
            k->upsample2_forward(be, g->level[h], x, NC, 1, from, from, 2);
        }
        x = g->level[h];
    }
    t2v_status s = t2v_match_images_on(m, r, x, 0, g->u);
    if (s == T2V_OK)
        s = t2v_match_captions(m, r, g->ids, g->len, g->v);
    if (s != T2V_OK)
        return s;
    *loss = t2v_match_loss(g->u, g->v, N, dim, m->cfg.temperature, g->du, NULL);
    for (size_t i = 0; i < (size_t)N * dim; i++)
        g->du[i] *= weight;
    if ((s = t2v_backend_upload(be, r->du, g->du, (size_t)N * dim * sizeof(float))) != T2V_OK)
        return s;
    // du -> dfeat -> the trunk's input (model size, into r->x, free here), then
    // back through each step: a halving's adjoint is nearest upsampling / 4, a
    // doubling's the 2x2 sum
    t2v_linear_backward(be, r->trunk.dfeat, NULL, NULL, r->du, r->trunk.feat,
                        t2v_pdata(&m->params, m->img_w), N, F, dim);
    t2v_ctrunk_input_grad(&m->trunk, be, &m->params, &r->trunk, x, N, r->ws, g->scales, r->x);
    float *d = r->x;
    for (int h = levels; h >= 1; h--) {
        int from = side_at(g, h - 1), to = side_at(g, h);
        if (g->steps > 0) {
            k->upsample2_forward(be, g->dlevel[h - 1], d, NC, 1, to, to, 2);
            k->scale(be, g->dlevel[h - 1], g->dlevel[h - 1], 0.25f, (int64_t)NC * from * from);
        } else {
            k->upsample2_backward(be, g->dlevel[h - 1], d, NC, 1, from, from, 2);
        }
        d = g->dlevel[h - 1];
    }
    k->add(be, dimages, dimages, d, (int64_t)NC * g->side * g->side);
    return T2V_OK;
}
