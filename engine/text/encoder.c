/* Sentence encoder: embedding, bi-LSTM, LSTM; S is the last state (and,
 * with pool, the mean word embedding beside it). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "text/encoder.h"
#include "text/tokenizer.h"

static const char *lstm_names[3] = {"bilstm_fwd", "bilstm_bwd", "lstm"};

/* Dl: the sentence LSTM's width */
static int lstm_out(const t2v_encoder_cfg *c) { return c->pool ? c->sent - c->embed : c->sent; }
static const char *lstm_tensors[4] = {"w_ih", "w_hh", "b_ih", "b_hh"};

t2v_status t2v_encoder_declare(t2v_encoder *e, const t2v_encoder_cfg *cfg, t2v_params *ps,
                               const char *prefix)
{
    memset(e, 0, sizeof *e);
    if (cfg->vocab < 2 || cfg->embed < 1 || cfg->hidden < 1 || cfg->sent < 1 ||
        cfg->max_words < 1 || cfg->max_words > 256)
        return t2v_fail(T2V_ERR_INVALID, "bad sentence encoder sizes V=%d E=%d H=%d D=%d T=%d",
                        cfg->vocab, cfg->embed, cfg->hidden, cfg->sent, cfg->max_words);
    if (cfg->pool < 0 || cfg->pool > 2)
        return t2v_fail(T2V_ERR_INVALID, "sentence pooling mode %d (0, 1 or 2)", cfg->pool);
    if (cfg->pool && cfg->sent <= cfg->embed)
        return t2v_fail(T2V_ERR_INVALID,
                        "a pooled sentence vector needs D > E (D=%d, E=%d): D - E is the LSTM's",
                        cfg->sent, cfg->embed);
    e->cfg = *cfg;
    t2v_status st = T2V_OK;
    char pre[80];
    snprintf(pre, sizeof pre, "%s", prefix);
    int64_t es[2] = {cfg->vocab, cfg->embed};
    e->emb = t2v_declare(ps, &st, pre, "embed.weight", 2, es, 0);
    for (int l = 0; l < 3; l++) {
        int in = l < 2 ? cfg->embed : 2 * cfg->hidden;
        int h = l < 2 ? cfg->hidden : lstm_out(cfg);
        int64_t shapes[4][2] = {{4 * h, in}, {4 * h, h}, {4 * h, 0}, {4 * h, 0}};
        for (int k = 0; k < 4; k++) {
            char name[64];
            snprintf(name, sizeof name, "%s.%s", lstm_names[l], lstm_tensors[k]);
            e->lstm[l][k] = t2v_declare(ps, &st, pre, name, k < 2 ? 2 : 1, shapes[k], k >= 2);
        }
    }
    return st;
}

void t2v_encoder_plan(t2v_encoder *e, t2v_plan *p)
{
    const t2v_encoder_cfg *c = &e->cfg;
    size_t N = (size_t)p->N, T = (size_t)c->max_words;
    size_t E = (size_t)c->embed, H = (size_t)c->hidden, D = (size_t)lstm_out(c);
    e->N = p->N;
    e->ids = (int32_t *)t2v_plan_floats(p, N * T); /* int32 and float share a size */
    e->mask = t2v_plan_floats(p, N * T);
    e->x = t2v_plan_floats(p, N * T * E);
    e->hf = t2v_plan_floats(p, N * T * H);
    e->hb = t2v_plan_floats(p, N * T * H);
    e->hc = t2v_plan_floats(p, N * T * 2 * H);
    e->hs = t2v_plan_floats(p, N * T * D);
    e->hs_tm = t2v_plan_floats(p, N * T * D);
    if (c->pool) {
        e->S = t2v_plan_floats(p, N * (size_t)c->sent);
        e->poolw = t2v_plan_floats(p, N * T);
        e->pooled = t2v_plan_floats(p, N * E);
        e->dpooled = t2v_plan_grad(p, N * E);
    } else {
        e->S = e->hs_tm ? e->hs_tm + (T - 1) * N * D : NULL;
    }
    for (int l = 0; l < 3; l++)
        e->state[l] = t2v_plan_floats(
            p, t2v_lstm_state_floats(p->N, (int)T, l < 2 ? (int)H : (int)D));
    e->dx = t2v_plan_grad(p, N * T * E);
    e->dx2 = t2v_plan_grad(p, N * T * E);
    e->dhf = t2v_plan_grad(p, N * T * H);
    e->dhb = t2v_plan_grad(p, N * T * H);
    e->dhc = t2v_plan_grad(p, N * T * 2 * H);
    e->dhs = t2v_plan_grad(p, N * T * D);
    e->dhs_tm = t2v_plan_grad(p, N * T * D);
    size_t sc = t2v_lstm_scratch_floats(p->N, (int)T, (int)(H > D ? H : D));
    e->scratch = t2v_plan_grad(p, sc);
}

t2v_status t2v_encoder_init(t2v_encoder *e, t2v_backend *be, t2v_params *ps, uint64_t seed,
                            uint64_t stream)
{
    t2v_param *emb = &ps->items[e->emb];
    t2v_status s = t2v_init_normal(be, emb->t.data, t2v_tensor_numel(&emb->t), 0.0f, 1.0f,
                                   seed, stream);
    for (int l = 0; l < 3 && s == T2V_OK; l++) {
        int h = l < 2 ? e->cfg.hidden : lstm_out(&e->cfg);
        float bound = 1.0f / sqrtf((float)h);
        for (int k = 0; k < 4 && s == T2V_OK; k++) {
            t2v_param *p = &ps->items[e->lstm[l][k]];
            int64_t n = t2v_tensor_numel(&p->t);
            float *tmp = malloc((size_t)n * sizeof *tmp);
            if (!tmp)
                return t2v_fail(T2V_ERR_NOMEM, "out of memory initialising the encoder");
            t2v_rng_uniform_host(tmp, (size_t)n, seed, stream + 1 + (uint64_t)(l * 4 + k), 0);
            for (int64_t i = 0; i < n; i++)
                tmp[i] = (2.0f * tmp[i] - 1.0f) * bound;
            /* Forget gates start open (each bias +1, so +2 in all): with
             * sigmoid(0) = 0.5 a word six steps back would reach the
             * sentence vector at 0.5^6 of its strength, and the digit in
             * "digit 3 is moving up and down" is six steps from the end. */
            if (k >= 2)
                for (int64_t i = h; i < 2 * h; i++)
                    tmp[i] += 1.0f;
            s = t2v_backend_upload(be, p->t.data, tmp, (size_t)n * sizeof *tmp);
            free(tmp);
        }
    }
    return s;
}

void t2v_encoder_copy_weights(t2v_backend *be, const t2v_encoder *src, const t2v_params *sps,
                              const t2v_encoder *dst, t2v_params *dps)
{
    for (int i = 0; i < 1 + 3 * 4; i++) {
        int a = i == 0 ? src->emb : src->lstm[(i - 1) / 4][(i - 1) % 4];
        int b = i == 0 ? dst->emb : dst->lstm[(i - 1) / 4][(i - 1) % 4];
        const t2v_param *ps = &sps->items[a];
        be->k->copy(be, dps->items[b].t.data, ps->t.data, t2v_tensor_numel(&ps->t));
    }
}

static void lstm_weights(t2v_params *ps, const int idx[4], const float **w)
{
    for (int k = 0; k < 4; k++)
        w[k] = t2v_pdata(ps, idx[k]);
}

/* x -> bi-LSTM -> LSTM -> hs_tm (T, N, D), whose last slice is the state
 * after each caption's last word (padding carries the state). */
static void lstm_stack_forward(t2v_encoder *e, t2v_backend *be, t2v_params *ps)
{
    int N = e->N, T = e->cfg.max_words, E = e->cfg.embed, H = e->cfg.hidden;
    int D = lstm_out(&e->cfg);
    const float *w[4];
    lstm_weights(ps, e->lstm[0], w);
    t2v_lstm_forward(be, e->hf, e->state[0], e->x, e->mask, w[0], w[1], w[2], w[3], N, T, E, H, 0);
    lstm_weights(ps, e->lstm[1], w);
    t2v_lstm_forward(be, e->hb, e->state[1], e->x, e->mask, w[0], w[1], w[2], w[3], N, T, E, H, 1);
    // hc: (N*T, 2H) = [hf, hb]
    be->k->concat_forward(be, e->hc, e->hf, e->hb, N * T, H, H, 1);
    lstm_weights(ps, e->lstm[2], w);
    t2v_lstm_forward(be, e->hs, e->state[2], e->hc, e->mask, w[0], w[1], w[2], w[3], N, T,
                     2 * H, D, 0);
    int64_t shape[3] = {N, T, D};
    int perm[3] = {1, 0, 2};
    be->k->permute(be, e->hs_tm, e->hs, 3, shape, perm);
}

/* dhs_tm (T, N, D) (when `sentence`; else the sentence LSTM passes
 * nothing back) and dhc_add (N, T, 2H) (when not NULL) -> the LSTMs'
 * parameter gradients and dx (N, T, E). */
static void lstm_stack_backward(t2v_encoder *e, t2v_backend *be, t2v_params *ps, int sentence,
                                const float *dhc_add)
{
    const t2v_kernels *k = be->k;
    int N = e->N, T = e->cfg.max_words, E = e->cfg.embed, H = e->cfg.hidden;
    int D = lstm_out(&e->cfg);
    if (sentence) {
        int64_t shape[3] = {T, N, D};
        int perm[3] = {1, 0, 2};
        k->permute(be, e->dhs, e->dhs_tm, 3, shape, perm);
        const int *s = e->lstm[2];
        t2v_lstm_backward(be, e->dhc, t2v_pgrad(ps, s[0]), t2v_pgrad(ps, s[1]),
                          t2v_pgrad(ps, s[2]), t2v_pgrad(ps, s[3]), e->dhs, e->state[2],
                          e->scratch, e->hc, e->mask, t2v_pdata(ps, s[0]), t2v_pdata(ps, s[1]),
                          N, T, 2 * H, D, 0);
    } else {
        k->fill(be, e->dhc, 0.0f, (int64_t)N * T * 2 * H);
    }
    if (dhc_add)
        k->add(be, e->dhc, e->dhc, dhc_add, (int64_t)N * T * 2 * H);
    k->concat_backward(be, e->dhf, e->dhb, e->dhc, N * T, H, H, 1);
    const int *f = e->lstm[0], *b = e->lstm[1];
    t2v_lstm_backward(be, e->dx, t2v_pgrad(ps, f[0]), t2v_pgrad(ps, f[1]), t2v_pgrad(ps, f[2]),
                      t2v_pgrad(ps, f[3]), e->dhf, e->state[0], e->scratch, e->x, e->mask,
                      t2v_pdata(ps, f[0]), t2v_pdata(ps, f[1]), N, T, E, H, 0);
    t2v_lstm_backward(be, e->dx2, t2v_pgrad(ps, b[0]), t2v_pgrad(ps, b[1]), t2v_pgrad(ps, b[2]),
                      t2v_pgrad(ps, b[3]), e->dhb, e->state[1], e->scratch, e->x, e->mask,
                      t2v_pdata(ps, b[0]), t2v_pdata(ps, b[1]), N, T, E, H, 1);
    k->add(be, e->dx, e->dx, e->dx2, (int64_t)N * T * E);
}

t2v_status t2v_encoder_forward(t2v_encoder *e, t2v_backend *be, t2v_params *ps,
                               const int32_t *ids_host, const int *lengths)
{
    const t2v_kernels *k = be->k;
    int N = e->N, T = e->cfg.max_words, E = e->cfg.embed;
    int D = lstm_out(&e->cfg), V = e->cfg.vocab;
    /* host-side checks and the mask, then one upload of each */
    float mask_host[256];
    for (int n = 0; n < N; n++) {
        if (lengths[n] < 1 || lengths[n] > T)
            return t2v_fail(T2V_ERR_INVALID, "caption %d has %d words (1..%d)", n, lengths[n], T);
        for (int t = 0; t < T; t++) {
            int32_t id = ids_host[n * T + t];
            if (id < 0 || id >= V)
                return t2v_fail(T2V_ERR_INVALID, "word id %d outside the vocabulary", (int)id);
        }
    }
    t2v_status s = t2v_backend_upload(be, e->ids, ids_host, (size_t)N * T * sizeof(int32_t));
    for (int n = 0; n < N && s == T2V_OK; n++) {
        for (int t = 0; t < T; t++)
            mask_host[t] = t < lengths[n] ? 1.0f : 0.0f;
        s = t2v_backend_upload(be, e->mask + (size_t)n * T, mask_host, (size_t)T * sizeof(float));
        if (s == T2V_OK && e->cfg.pool) {
            for (int t = 0; t < T; t++)
                mask_host[t] /= (float)lengths[n];
            s = t2v_backend_upload(be, e->poolw + (size_t)n * T, mask_host,
                                   (size_t)T * sizeof(float));
        }
    }
    if (s != T2V_OK)
        return s;
    // x: (N, T, E)
    k->embedding_forward(be, e->x, t2v_pdata(ps, e->emb), e->ids, N * T, E);
    float *last = e->hs_tm + (size_t)(T - 1) * N * D; /* S, or its LSTM part with pool */
    if (e->cfg.pool == 2) /* the words' mean alone: the LSTMs are not run */
        k->fill(be, last, 0.0f, (int64_t)N * D);
    else
        lstm_stack_forward(e, be, ps);
    if (e->cfg.pool) {
        // pooled[n] (1, E) = poolw[n] (1, T) x[n] (T, E); S = [last state, pooled]
        k->gemm_batched(be, 0, 0, 1, E, T, 1.0f, e->poolw, T, T, e->x, E, (int64_t)T * E, 0.0f,
                        e->pooled, E, E, N);
        k->concat_forward(be, e->S, last, e->pooled, N, D, E, 1);
    }
    return T2V_OK;
}

void t2v_encoder_backward(t2v_encoder *e, t2v_backend *be, t2v_params *ps, const float *dS)
{
    t2v_encoder_backward_words(e, be, ps, dS, NULL);
}

void t2v_encoder_backward_words(t2v_encoder *e, t2v_backend *be, t2v_params *ps,
                                const float *dS, const float *dwords)
{
    t2v_encoder_backward_all(e, be, ps, dS, dwords, NULL);
}

void t2v_encoder_backward_all(t2v_encoder *e, t2v_backend *be, t2v_params *ps, const float *dS,
                              const float *dwords, const float *dhc)
{
    const t2v_kernels *k = be->k;
    int N = e->N, T = e->cfg.max_words, E = e->cfg.embed;
    size_t ND = (size_t)N * lstm_out(&e->cfg);
    float *dlast = e->dhs_tm + ND * (size_t)(T - 1);
    if (e->cfg.pool)
        k->concat_backward(be, dlast, e->dpooled, dS, N, (int)(ND / (size_t)N), E, 1);
    else
        k->copy(be, dlast, dS, (int64_t)ND);
    if (e->cfg.pool == 2 && !dhc) { /* the LSTM's part of S was a constant zero */
        k->fill(be, e->dx, 0.0f, (int64_t)N * T * E);
    } else {
        if (e->cfg.pool != 2)
            k->fill(be, e->dhs_tm, 0.0f, (int64_t)(ND * (size_t)(T - 1)));
        lstm_stack_backward(e, be, ps, e->cfg.pool != 2, dhc);
    }
    if (e->cfg.pool) // dx[n] (T, E) += poolw[n]^T (T, 1) dpooled[n] (1, E)
        k->gemm_batched(be, 0, 0, T, E, 1, 1.0f, e->poolw, 1, T, e->dpooled, E, E, 1.0f, e->dx,
                        E, (int64_t)T * E, N);
    if (dwords)
        k->add(be, e->dx, e->dx, dwords, (int64_t)N * T * E);
    k->embedding_backward(be, t2v_pgrad(ps, e->emb), e->dx, e->ids, N * T, E);
}
