/* A convolutional trunk: declaration, initialisation, forward, backward. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/common/conv_trunk.h"

#define BN_MOMENTUM 0.1f
#define BN_EPS 1e-5f

t2v_status t2v_ctrunk_declare(t2v_ctrunk *tr, t2v_params *ps, t2v_params *bufs,
                             const char *prefix, int kind, int C, int T, int H, int W,
                             int layers, int width0)
{
    memset(tr, 0, sizeof *tr);
    if (layers < 1 || layers > T2V_CTRUNK_MAX_LAYERS || width0 < 1 || width0 > 1024)
        return t2v_fail(T2V_ERR_INVALID, "%s: %d layers of base width %d unsupported", prefix,
                        layers, width0);
    t2v_status st = T2V_OK;
    tr->used = 1;
    tr->layers = layers;
    tr->in_numel = (int64_t)C * T * H * W;
    int dims[3] = {T, H, W};
    int cin = C;
    for (int i = 0; i < layers; i++) {
        t2v_ctrunk_layer *l = &tr->layer[i];
        char pre[96];
        snprintf(pre, sizeof pre, "%s.l%d", prefix, i);
        int cout = width0 << i;
        l->g = (t2v_conv_geom){.n = 1, .c_in = cin, .c_out = cout};
        for (int a = 0; a < 3; a++) {
            int halve = dims[a] >= 2;
            l->g.in[a] = dims[a];
            if (a == 0 && kind == T2V_CTRUNK_PER_FRAME) {
                // per-frame kernels; the first layer keeps every other frame
                l->g.k[a] = 1;
                l->g.stride[a] = i == 0 && halve ? 2 : 1;
                l->g.pad[a] = 0;
            } else {
                l->g.k[a] = halve ? 4 : 1;
                l->g.stride[a] = halve ? 2 : 1;
                l->g.pad[a] = halve ? 1 : 0;
            }
        }
        if (t2v_conv_geom_init(&l->g) != T2V_OK)
            return t2v_fail(T2V_ERR_INVALID, "%s: layer %d does not fit the input size", prefix,
                            i);
        int64_t ws[5] = {cout, cin, l->g.k[0], l->g.k[1], l->g.k[2]}, cs[1] = {cout};
        l->w = t2v_declare(ps, &st, pre, "conv.weight", 5, ws, 0);
        l->bn_g = t2v_declare(ps, &st, pre, "bn.weight", 1, cs, 1);
        l->bn_b = t2v_declare(ps, &st, pre, "bn.bias", 1, cs, 1);
        l->rm = t2v_declare(bufs, &st, pre, "bn.running_mean", 1, cs, 1);
        l->rv = t2v_declare(bufs, &st, pre, "bn.running_var", 1, cs, 1);
        memcpy(dims, l->g.out, sizeof dims);
        cin = cout;
    }
    tr->feat_dim = cin;
    tr->feat_l = (int64_t)dims[0] * dims[1] * dims[2];
    return st;
}

t2v_status t2v_ctrunk_init(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps,
                          t2v_params *bufs, uint64_t seed, uint64_t stream0)
{
    t2v_status s = T2V_OK;
    for (int i = 0; i < tr->layers && s == T2V_OK; i++) {
        const t2v_ctrunk_layer *l = &tr->layer[i];
        int C = l->g.c_out;
        int64_t fan_in = (int64_t)l->g.c_in * l->g.k[0] * l->g.k[1] * l->g.k[2];
        t2v_param *w = &ps->items[l->w];
        s = t2v_init_normal(be, w->t.data, t2v_tensor_numel(&w->t), 0.0f,
                            sqrtf(2.0f / (float)fan_in), seed, stream0 + (uint64_t)i);
        if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(ps, l->bn_g), C, 1.0f);
        if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(ps, l->bn_b), C, 0.0f);
        if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(bufs, l->rm), C, 0.0f);
        if (s == T2V_OK) s = t2v_init_const(be, t2v_pdata(bufs, l->rv), C, 1.0f);
    }
    return s;
}

static int64_t layer_positions(const t2v_ctrunk_layer *l)
{
    return (int64_t)l->g.out[0] * l->g.out[1] * l->g.out[2];
}

void t2v_ctrunk_plan(const t2v_ctrunk *tr, t2v_backend *be, t2v_plan *p, t2v_ctrunk_run *tn,
                    size_t *ws_floats)
{
    size_t N = (size_t)p->N;
    for (int i = 0; i < tr->layers; i++) {
        const t2v_ctrunk_layer *l = &tr->layer[i];
        t2v_conv_geom g = l->g;
        g.n = p->N;
        size_t w = t2v_conv_ws_floats(be, &g);
        *ws_floats = w > *ws_floats ? w : *ws_floats;
        size_t n = N * (size_t)l->g.c_out * (size_t)layer_positions(l);
        tn->conv[i] = t2v_plan_floats(p, n);
        tn->act[i] = t2v_plan_floats(p, n);
        tn->mean[i] = t2v_plan_floats(p, (size_t)l->g.c_out);
        tn->invstd[i] = t2v_plan_floats(p, (size_t)l->g.c_out);
        tn->dconv[i] = t2v_plan_grad(p, n);
        tn->dact[i] = t2v_plan_grad(p, n);
    }
    tn->feat = t2v_plan_floats(p, N * (size_t)tr->feat_dim);
    tn->dfeat = t2v_plan_grad(p, N * (size_t)tr->feat_dim);
}

void t2v_ctrunk_forward(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps, t2v_params *bufs,
                       t2v_ctrunk_run *tn, const float *x, int n, float *ws, int training)
{
    const t2v_kernels *k = t2v_backend_kernels(be);
    for (int i = 0; i < tr->layers; i++) {
        const t2v_ctrunk_layer *l = &tr->layer[i];
        t2v_conv_geom g = l->g;
        g.n = n;
        int64_t L = layer_positions(l), numel = (int64_t)n * g.c_out * L;
        // conv[i] (n, c_out, L) -> batchnorm -> ReLU -> act[i]
        t2v_conv_forward(be, &g, tn->conv[i], x, t2v_pdata(ps, l->w), NULL, ws);
        k->batchnorm_forward(be, tn->act[i], tn->conv[i], t2v_pdata(ps, l->bn_g),
                             t2v_pdata(ps, l->bn_b), t2v_pdata(bufs, l->rm),
                             t2v_pdata(bufs, l->rv), tn->mean[i], tn->invstd[i], n, g.c_out, L,
                             BN_MOMENTUM, BN_EPS, training);
        k->act_forward(be, T2V_ACT_RELU, 0.0f, tn->act[i], tn->act[i], numel);
        x = tn->act[i];
    }
    // feat (n, F) = mean over the last layer's positions
    k->row_sum(be, tn->feat, x, n * tr->feat_dim, tr->feat_l, 1.0f / (float)tr->feat_l);
}

/* The shared backward: parameter gradients with batch statistics
 * (frozen NULL), or only the input gradient with every batchnorm a fixed
 * per-channel scale frozen[i] (n, C_i). */
static void backward(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps, t2v_ctrunk_run *tn,
                     const float *x, int n, float *ws, float *const *frozen, float *dx)
{
    const t2v_kernels *k = t2v_backend_kernels(be);
    int last = tr->layers - 1;
    // pooling backward: dact[last] (n, F, L) = dfeat / L at every position
    k->tile_forward(be, tn->dact[last], tn->dfeat, n, tr->feat_dim, tr->feat_l);
    k->scale(be, tn->dact[last], tn->dact[last], 1.0f / (float)tr->feat_l,
             (int64_t)n * tr->feat_dim * tr->feat_l);
    for (int i = last; i >= 0; i--) {
        const t2v_ctrunk_layer *l = &tr->layer[i];
        t2v_conv_geom g = l->g;
        g.n = n;
        int64_t L = layer_positions(l), numel = (int64_t)n * g.c_out * L;
        k->act_backward(be, T2V_ACT_RELU, 0.0f, tn->dact[i], tn->dact[i], tn->act[i], numel);
        if (frozen)
            k->modulate_backward(be, tn->dconv[i], NULL, NULL, tn->dact[i], tn->conv[i],
                                 frozen[i], n, g.c_out, L);
        else
            k->batchnorm_backward(be, tn->dconv[i], t2v_pgrad(ps, l->bn_g),
                                  t2v_pgrad(ps, l->bn_b), tn->dact[i], tn->conv[i],
                                  t2v_pdata(ps, l->bn_g), tn->mean[i], tn->invstd[i], n,
                                  g.c_out, L);
        const float *in = i > 0 ? tn->act[i - 1] : x;
        float *din = i > 0 ? tn->dact[i - 1] : dx;
        t2v_conv_backward(be, &g, din, frozen ? NULL : t2v_pgrad(ps, l->w), NULL, tn->dconv[i],
                          in, t2v_pdata(ps, l->w), ws);
    }
}

void t2v_ctrunk_backward(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps,
                        t2v_ctrunk_run *tn, const float *x, int n, float *ws)
{
    backward(tr, be, ps, tn, x, n, ws, NULL, NULL);
}

t2v_status t2v_ctrunk_frozen_scales(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps,
                                   t2v_params *bufs, int n, float **scales)
{
    t2v_status s = T2V_OK;
    for (int i = 0; i < tr->layers && s == T2V_OK; i++) {
        const t2v_ctrunk_layer *l = &tr->layer[i];
        int C = l->g.c_out;
        float *gamma = malloc((size_t)C * sizeof *gamma), *var = malloc((size_t)C * sizeof *var);
        float *tiled = malloc((size_t)n * C * sizeof *tiled);
        s = gamma && var && tiled ? T2V_OK : t2v_fail(T2V_ERR_NOMEM, "trunk: out of memory");
        if (s == T2V_OK)
            s = t2v_backend_download(be, gamma, t2v_pdata(ps, l->bn_g), (size_t)C * sizeof(float));
        if (s == T2V_OK)
            s = t2v_backend_download(be, var, t2v_pdata(bufs, l->rv), (size_t)C * sizeof(float));
        if (s == T2V_OK) {
            for (int c = 0; c < C; c++) {
                float scale = (float)((double)gamma[c] / sqrt((double)var[c] + (double)BN_EPS));
                for (int b = 0; b < n; b++)
                    tiled[(size_t)b * C + c] = scale;
            }
            s = t2v_backend_upload(be, scales[i], tiled, (size_t)n * C * sizeof(float));
        }
        free(gamma);
        free(var);
        free(tiled);
    }
    return s;
}

void t2v_ctrunk_input_grad(const t2v_ctrunk *tr, t2v_backend *be, t2v_params *ps,
                          t2v_ctrunk_run *tn, const float *x, int n, float *ws,
                          float *const *scales, float *dx)
{
    backward(tr, be, ps, tn, x, n, ws, scales, dx);
}
