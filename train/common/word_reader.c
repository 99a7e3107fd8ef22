/* The word reader (word_reader.h). */
#include <stdio.h>
#include <string.h>

#include "backend/backend.h"
#include "io/params_io.h"
#include "train/common/word_reader.h"

t2v_status t2v_word_reader_new(t2v_word_reader *r, t2v_backend *be, const char *prefix, int C,
                               int T, int H, int W, int layers, int width0, int V)
{
    memset(r, 0, sizeof *r);
    t2v_params_init(&r->ps, be);
    t2v_params_init(&r->bufs, be);
    char words[96];
    snprintf(words, sizeof words, "%s.words", prefix);
    t2v_status s = t2v_ctrunk_declare(&r->trunk, &r->ps, &r->bufs, prefix, T2V_CTRUNK_PER_FRAME,
                                      C, T, H, W, layers, width0);
    if (s == T2V_OK)
        s = t2v_word_head_declare(&r->words, r->trunk.feat_dim, 1, V, 0, &r->ps, words);
    if (s == T2V_OK)
        s = t2v_params_allocate(&r->ps, 1);
    if (s == T2V_OK)
        s = t2v_params_allocate(&r->bufs, 0);
    r->opt = (t2v_adam){.lr = T2V_WORD_READER_LR, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};
    return s;
}

void t2v_word_reader_plan(t2v_word_reader *r, t2v_backend *be, t2v_plan *p, int N)
{
    size_t ws = 0;
    r->N = N;
    t2v_ctrunk_plan(&r->trunk, be, p, &r->run, &ws);
    r->ws = t2v_plan_floats(p, ws);
    for (int i = 0; i < r->trunk.layers; i++)
        r->scales[i] = t2v_plan_floats(p, (size_t)N * r->trunk.layer[i].g.c_out);
    r->dx = t2v_plan_floats(p, (size_t)N * r->trunk.in_numel);
    t2v_word_head_plan(&r->words, p, N, 1);
}

t2v_status t2v_word_reader_init(t2v_word_reader *r, uint64_t seed, uint64_t stream)
{
    t2v_status s = t2v_ctrunk_init(&r->trunk, r->ps.be, &r->ps, &r->bufs, seed, stream);
    if (s == T2V_OK)
        s = t2v_word_head_init(&r->words, r->ps.be, &r->ps, seed, stream + 200);
    r->opt.step = 0;
    return s;
}

t2v_status t2v_word_reader_load(t2v_word_reader *r, const t2v_weights *w, int64_t steps)
{
    t2v_status s = t2v_params_load_from(&r->ps, w, 1);
    if (s == T2V_OK)
        s = t2v_params_load_from(&r->bufs, w, 0);
    r->opt.step = steps;
    return s;
}

t2v_status t2v_word_reader_write(t2v_word_reader *r, t2v_weights_writer *wr)
{
    t2v_status s = t2v_params_add_to_writer(&r->ps, wr, 1);
    return s == T2V_OK ? t2v_params_add_to_writer(&r->bufs, wr, 0) : s;
}

void t2v_word_reader_free(t2v_word_reader *r)
{
    t2v_word_head_free(&r->words);
    t2v_params_free(&r->ps);
    t2v_params_free(&r->bufs);
}

t2v_status t2v_word_reader_keep_informative(t2v_word_reader *r, const int32_t *ids,
                                            const int *lens, long n, int stride)
{
    return t2v_word_head_keep_informative(&r->words, r->ps.be, ids, lens, n, stride);
}

t2v_status t2v_word_reader_set_targets(t2v_word_reader *r, const int32_t *ids, const int *lens,
                                       int stride)
{
    return t2v_word_head_set_targets(&r->words, r->ps.be, ids, lens, r->N, stride);
}

float t2v_word_reader_learn(t2v_word_reader *r, const float *real)
{
    t2v_backend *be = r->ps.be;
    int N = r->N;
    t2v_params_zero_grad(&r->ps);
    t2v_ctrunk_forward(&r->trunk, be, &r->ps, &r->bufs, &r->run, real, N, r->ws, 1);
    be->k->fill(be, r->run.dfeat, 0.0f, (int64_t)N * r->trunk.feat_dim);
    float loss = t2v_word_head_term(&r->words, be, &r->ps, r->run.feat, r->run.dfeat, 1.0f, 1);
    t2v_ctrunk_backward(&r->trunk, be, &r->ps, &r->run, real, N, r->ws);
    t2v_adam_step(&r->opt, &r->ps);
    return loss;
}

t2v_status t2v_word_reader_pull(t2v_word_reader *r, const float *fake, float weight,
                                float *dfake, float *loss)
{
    t2v_backend *be = r->ps.be;
    int N = r->N;
    t2v_status s = t2v_ctrunk_frozen_scales(&r->trunk, be, &r->ps, &r->bufs, N, r->scales);
    if (s != T2V_OK)
        return s;
    t2v_ctrunk_forward(&r->trunk, be, &r->ps, &r->bufs, &r->run, fake, N, r->ws, 0);
    be->k->fill(be, r->run.dfeat, 0.0f, (int64_t)N * r->trunk.feat_dim);
    *loss = t2v_word_head_term(&r->words, be, &r->ps, r->run.feat, r->run.dfeat, weight, 0);
    t2v_ctrunk_input_grad(&r->trunk, be, &r->ps, &r->run, fake, N, r->ws, r->scales, r->dx);
    be->k->add(be, dfake, dfake, r->dx, (int64_t)N * r->trunk.in_numel);
    return T2V_OK;
}
