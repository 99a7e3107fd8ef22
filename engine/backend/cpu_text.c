/* Text kernels: embedding lookup, one LSTM step (gate order i, f, g, o as
 * PyTorch; padding steps, mask 0, carry h and c through unchanged) and the
 * masked softmax of attention over a caption's words. */
#include <math.h>
#include <string.h>

#include "backend/cpu.h"
#include "backend/softmax_ops.h"

/* Fewer elements than this run on the calling thread. */
#define TEXT_PARALLEL_MIN 32768

static inline float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

/* ---- embedding: y (n, E) = table[ids[i]] --------------------------------- */

typedef struct emb_job {
    float *out;
    const float *in;
    const int32_t *ids;
    int n, E;
} emb_job;

static void emb_forward_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const emb_job *j = ctx;
    for (int64_t i = begin; i < end; i++)
        memcpy(j->out + i * j->E, j->in + (int64_t)j->ids[i] * j->E, (size_t)j->E * sizeof(float));
}

/* columns [begin, end) of every looked-up row: workers never share a value */
static void emb_backward_cols(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const emb_job *j = ctx;
    for (int i = 0; i < j->n; i++) {
        float *dst = j->out + (int64_t)j->ids[i] * j->E;
        const float *src = j->in + (int64_t)i * j->E;
        for (int64_t e = begin; e < end; e++)
            dst[e] += src[e];
    }
}

void cpu_embedding_forward(t2v_backend *be, float *y, const float *table, const int32_t *ids,
                           int n, int E)
{
    emb_job j = {y, table, ids, n, E};
    int64_t total = (int64_t)n * E;
    t2v_pool_for(cpu_pool(be), n, total < TEXT_PARALLEL_MIN ? n : 1, emb_forward_rows, &j);
}

void cpu_embedding_backward(t2v_backend *be, float *dtable, const float *dy, const int32_t *ids,
                            int n, int E)
{
    emb_job j = {dtable, dy, ids, n, E};
    int64_t total = (int64_t)n * E;
    t2v_pool_for(cpu_pool(be), E, total < TEXT_PARALLEL_MIN ? E : 16, emb_backward_cols, &j);
}

/* ---- LSTM step ----------------------------------------------------------
 * gates, act: (N, 4H) as [i | f | g | o]; h, c, h_prev, c_prev: (N, H).
 *   i = sig(gi), f = sig(gf), g = tanh(gg), o = sig(go)
 *   c = f c_prev + i g,  h = o tanh(c) */

typedef struct lstm_job {
    float *h, *c, *act;
    float *dgates, *dh_prev, *dc_prev;
    const float *gates, *h_prev, *c_prev, *mask;
    const float *dh, *dc, *cact, *cc;
    int H;
} lstm_job;

static void lstm_forward_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const lstm_job *j = ctx;
    const int H = j->H;
    for (int64_t n = begin; n < end; n++) {
        const float *g = j->gates + n * 4 * H;
        float *a = j->act + n * 4 * H;
        const float *hp = j->h_prev + n * H, *cp = j->c_prev + n * H;
        float *h = j->h + n * H, *c = j->c + n * H;
        for (int k = 0; k < H; k++) {
            float ig = sigmoidf(g[k]);
            float fg = sigmoidf(g[H + k]);
            float gg = tanhf(g[2 * H + k]);
            float og = sigmoidf(g[3 * H + k]);
            a[k] = ig;
            a[H + k] = fg;
            a[2 * H + k] = gg;
            a[3 * H + k] = og;
        }
        if (j->mask && j->mask[n] == 0.0f) {
            memmove(h, hp, (size_t)H * sizeof(float));
            memmove(c, cp, (size_t)H * sizeof(float));
            continue;
        }
        for (int k = 0; k < H; k++) {
            float cn = a[H + k] * cp[k] + a[k] * a[2 * H + k];
            c[k] = cn;
            h[k] = a[3 * H + k] * tanhf(cn);
        }
    }
}

void cpu_lstm_cell_forward(t2v_backend *be, float *h, float *c, float *act, const float *gates,
                           const float *h_prev, const float *c_prev, const float *mask, int N,
                           int H)
{
    lstm_job j = {.h = h, .c = c, .act = act, .gates = gates, .h_prev = h_prev,
                  .c_prev = c_prev, .mask = mask, .H = H};
    int64_t total = (int64_t)N * 4 * H;
    t2v_pool_for(cpu_pool(be), N, total < TEXT_PARALLEL_MIN ? N : 1, lstm_forward_rows, &j);
}

/* With dct = dc + dh o (1 - tanh(c)^2):
 *   do = dh tanh(c), di = dct g, dg = dct i, df = dct c_prev, dc_prev = dct f
 * then through the activations to the gate pre-activations. h_prev enters
 * only through the gates, so dh_prev is 0 here; the layer adds
 * dgates W_hh. A padding step passes dh and dc straight through. */
static void lstm_backward_rows(void *ctx, int64_t begin, int64_t end, int worker)
{
    (void)worker;
    const lstm_job *j = ctx;
    const int H = j->H;
    for (int64_t n = begin; n < end; n++) {
        float *dg = j->dgates + n * 4 * H;
        float *dhp = j->dh_prev + n * H, *dcp = j->dc_prev + n * H;
        const float *dh = j->dh + n * H, *dc = j->dc + n * H;
        if (j->mask && j->mask[n] == 0.0f) {
            memset(dg, 0, (size_t)4 * H * sizeof(float));
            memmove(dhp, dh, (size_t)H * sizeof(float));
            memmove(dcp, dc, (size_t)H * sizeof(float));
            continue;
        }
        const float *a = j->cact + n * 4 * H;
        const float *c = j->cc + n * H, *cp = j->c_prev + n * H;
        for (int k = 0; k < H; k++) {
            float ig = a[k], fg = a[H + k], gg = a[2 * H + k], og = a[3 * H + k];
            float tc = tanhf(c[k]);
            float dct = dc[k] + dh[k] * og * (1.0f - tc * tc);
            float d_o = dh[k] * tc;
            dg[k] = dct * gg * ig * (1.0f - ig);
            dg[H + k] = dct * cp[k] * fg * (1.0f - fg);
            dg[2 * H + k] = dct * ig * (1.0f - gg * gg);
            dg[3 * H + k] = d_o * og * (1.0f - og);
            dcp[k] = dct * fg;
            dhp[k] = 0.0f;
        }
    }
}

void cpu_lstm_cell_backward(t2v_backend *be, float *dgates, float *dh_prev, float *dc_prev,
                            const float *dh, const float *dc, const float *act, const float *c,
                            const float *c_prev, const float *mask, int N, int H)
{
    lstm_job j = {.dgates = dgates, .dh_prev = dh_prev, .dc_prev = dc_prev, .c_prev = c_prev,
                  .mask = mask, .dh = dh, .dc = dc, .cact = act, .cc = c, .H = H};
    int64_t total = (int64_t)N * 4 * H;
    t2v_pool_for(cpu_pool(be), N, total < TEXT_PARALLEL_MIN ? N : 1, lstm_backward_rows, &j);
}

/* ---- attention softmax: a row per caption, a handful of rows, one thread */

void cpu_softmax_forward(t2v_backend *be, float *y, const float *x, const float *mask, int rows,
                         int len)
{
    (void)be;
    for (int r = 0; r < rows; r++)
        t2v_softmax_row(y + (int64_t)r * len, x + (int64_t)r * len, mask + (int64_t)r * len, len);
}

void cpu_softmax_backward(t2v_backend *be, float *dx, const float *y, const float *dy, int rows,
                          int len, float ent)
{
    (void)be;
    for (int r = 0; r < rows; r++) {
        int64_t o = (int64_t)r * len;
        t2v_softmax_row_backward(dx + o, y + o, dy + o, len, ent);
    }
}
