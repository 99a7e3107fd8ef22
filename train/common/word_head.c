/* The word head (word_head.h). */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "train/common/gan_loss.h"
#include "text/tokenizer.h"
#include "train/common/word_head.h"

/* Ids below this (<pad>, <unk>) are never words of a caption's bag. */
#define FIRST_WORD (T2V_TOK_UNK + 1)

t2v_status t2v_word_head_declare(t2v_word_head *h, int C, int64_t L, int V, int flat,
                                 t2v_params *ps, const char *prefix)
{
    memset(h, 0, sizeof *h);
    if (C < 1 || L < 1 || V < 1 || (flat && (int64_t)C * L > (1 << 24)))
        return t2v_fail(T2V_ERR_INVALID, "word head: bad sizes (%d channels, %lld cells, "
                        "%d words)", C, (long long)L, V);
    h->C = C;
    h->L = L;
    h->V = V;
    h->flat = !!flat;
    h->in = flat ? (int)(C * L) : C;
    t2v_status st = T2V_OK;
    int64_t ws[2] = {V, h->in}, bs[1] = {V};
    h->w = t2v_declare(ps, &st, prefix, "weight", 2, ws, 0);
    h->b = t2v_declare(ps, &st, prefix, "bias", 1, bs, 1);
    return st;
}

void t2v_word_head_plan(t2v_word_head *h, t2v_plan *p, int N, int per_clip)
{
    h->per_clip = per_clip;
    h->M = N * per_clip;
    size_t M = (size_t)h->M, V = (size_t)h->V, C = (size_t)h->C, L = (size_t)h->L;
    size_t in = (size_t)h->in;
    h->pooled = h->flat ? NULL : t2v_plan_floats(p, M * C);
    h->logit = t2v_plan_floats(p, M * V);
    h->dlogit = t2v_plan_floats(p, M * V);
    h->loss = t2v_plan_floats(p, M * V);
    h->target = t2v_plan_floats(p, M * V);
    h->dpooled = t2v_plan_floats(p, M * in);
    h->dfeat = h->flat ? NULL : t2v_plan_floats(p, M * C * L);
    h->keep = t2v_plan_floats(p, M * V);
    if (!h->host) {
        h->host = malloc(M * V * sizeof(float));
        h->target_host = calloc(M * V, sizeof(float));
        h->keep_host = calloc(M * V, sizeof(float));
        if ((!h->host || !h->target_host || !h->keep_host) && p->status == T2V_OK)
            p->status = t2v_fail(T2V_ERR_NOMEM, "out of memory");
    }
}

/* keep_host from a per-word flag, tiled over the items, then uploaded. */
static t2v_status keep_upload(t2v_word_head *h, t2v_backend *be, const unsigned char *word)
{
    int V = h->V;
    h->kept = 0;
    for (int v = 0; v < V; v++) {
        h->keep_host[v] = (float)word[v];
        h->kept += h->keep_host[v] > 0.0f;
    }
    for (int m = 1; m < h->M; m++)
        memcpy(h->keep_host + (size_t)m * V, h->keep_host, (size_t)V * sizeof(float));
    return t2v_backend_upload(be, h->keep, h->keep_host, (size_t)h->M * V * sizeof(float));
}

/* row (V) = 1 for every word of one caption (ids, len of them used, at
 * most stride), else 0. */
static void caption_bag(const t2v_word_head *h, const int32_t *ids, int len, int stride,
                        float *row)
{
    memset(row, 0, (size_t)h->V * sizeof(float));
    for (int k = 0; k < len && k < stride; k++)
        if (ids[k] >= FIRST_WORD && ids[k] < h->V)
            row[ids[k]] = 1.0f;
}

t2v_status t2v_word_head_keep_informative(t2v_word_head *h, t2v_backend *be, const int32_t *ids,
                                          const int *lens, long n, int stride)
{
    int V = h->V;
    long *count = calloc((size_t)V, sizeof *count);
    float *row = malloc((size_t)V * sizeof *row);
    unsigned char *word = malloc((size_t)V);
    t2v_status s = T2V_OK;
    if (!count || !row || !word) {
        s = t2v_fail(T2V_ERR_NOMEM, "out of memory");
    } else {
        for (long i = 0; i < n; i++) {
            caption_bag(h, ids + (size_t)i * stride, lens[i], stride, row);
            for (int v = 0; v < V; v++)
                count[v] += row[v] > 0.0f;
        }
        for (int v = 0; v < V; v++)
            word[v] = count[v] > 0 && count[v] < n;
        s = keep_upload(h, be, word);
    }
    free(count);
    free(row);
    free(word);
    return s;
}

t2v_status t2v_word_head_init(t2v_word_head *h, t2v_backend *be, t2v_params *ps, uint64_t seed,
                              uint64_t stream)
{
    t2v_status s = t2v_init_normal(be, t2v_pdata(ps, h->w), (int64_t)h->V * h->in, 0.0f, 0.02f,
                                   seed, stream);
    return s == T2V_OK ? t2v_init_const(be, t2v_pdata(ps, h->b), h->V, 0.0f) : s;
}

void t2v_word_head_free(t2v_word_head *h)
{
    free(h->host);
    free(h->target_host);
    free(h->keep_host);
    h->host = h->target_host = h->keep_host = NULL;
}

t2v_status t2v_word_head_set_targets(t2v_word_head *h, t2v_backend *be, const int32_t *ids,
                                     const int *lens, int N, int stride)
{
    int V = h->V, P = h->per_clip;
    if (N * P != h->M)
        return t2v_fail(T2V_ERR_INVALID, "word head: %d captions for %d items", N, h->M);
    for (int n = 0; n < N; n++) {
        float *row = h->target_host + (size_t)n * P * V;
        caption_bag(h, ids + (size_t)n * stride, lens[n], stride, row);
        for (int q = 1; q < P; q++)
            memcpy(row + (size_t)q * V, row, (size_t)V * sizeof(float));
    }
    return t2v_backend_upload(be, h->target, h->target_host, (size_t)h->M * V * sizeof(float));
}

/* The linear layer's input: the grid means, or the features themselves. */
static const float *head_forward(t2v_word_head *h, t2v_backend *be, t2v_params *ps,
                                 const float *feat)
{
    const float *x = feat;
    if (!h->flat) {
        be->k->row_sum(be, h->pooled, feat, h->M * h->C, h->L, 1.0f / (float)h->L);
        x = h->pooled;
    }
    t2v_linear_forward(be, h->logit, x, t2v_pdata(ps, h->w), t2v_pdata(ps, h->b), h->M, h->in,
                       h->V);
    return x;
}

float t2v_word_head_term(t2v_word_head *h, t2v_backend *be, t2v_params *ps, const float *feat,
                         float *dfeat, float weight, int param_grads)
{
    const t2v_kernels *k = be->k;
    int M = h->M, C = h->C, V = h->V;
    int64_t n = (int64_t)M * V;
    const float *x = head_forward(h, be, ps, feat);
    float scale = weight / (float)M;
    k->bce_logits(be, h->loss, h->dlogit, h->logit, h->target, n, scale);
    k->mul(be, h->loss, h->loss, h->keep, n);
    k->mul(be, h->dlogit, h->dlogit, h->keep, n);
    double sum = t2v_device_sum(be, h->host, h->loss, (int)n);
    t2v_linear_backward(be, h->dpooled, param_grads ? t2v_pgrad(ps, h->w) : NULL,
                        param_grads ? t2v_pgrad(ps, h->b) : NULL, h->dlogit, x,
                        t2v_pdata(ps, h->w), M, h->in, V);
    if (h->flat) {
        k->add(be, dfeat, dfeat, h->dpooled, (int64_t)M * h->in);
        return (float)(sum * scale);
    }
    /* the mean over the grid: every cell gets dpooled / L */
    k->scale(be, h->dpooled, h->dpooled, 1.0f / (float)h->L, (int64_t)M * C);
    k->tile_forward(be, h->dfeat, h->dpooled, M, C, h->L);
    k->add(be, dfeat, dfeat, h->dfeat, (int64_t)M * C * h->L);
    return (float)(sum * scale);
}

float t2v_word_head_accuracy(t2v_word_head *h, t2v_backend *be, t2v_params *ps,
                             const float *feat)
{
    head_forward(h, be, ps, feat);
    size_t n = (size_t)h->M * h->V;
    if (t2v_backend_download(be, h->host, h->logit, n * sizeof(float)) != T2V_OK)
        return 0.0f;
    size_t right = 0, scored = 0;
    for (size_t i = 0; i < n; i++) {
        if (h->keep_host[i] > 0.0f) {
            scored++;
            right += (h->host[i] > 0.0f) == (h->target_host[i] > 0.5f);
        }
    }
    return scored ? (float)right / (float)scored : 0.0f;
}
