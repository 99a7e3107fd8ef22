/* The judge network: parameters, activations, forward and backward. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/eval_math.h"
#include "train/eval/eval_net.h"
#include "train/eval/judge.h"
#include "train/eval/shape_image.h"

static int is_motion_attr(const char *name) { return strncmp(name, "motion", 6) == 0; }
static int is_shape_attr(const char *name) { return strncmp(name, "object", 6) == 0; }

void t2v_judge_cfg_assign_trunks(t2v_judge_cfg *cfg)
{
    for (int a = 0; a < cfg->n_attrs; a++) {
        const char *name = cfg->attr_name[a];
        cfg->head_trunk[a] = is_motion_attr(name) && cfg->motion_width0 > 0 ? T2V_JUDGE_MOTION
                             : is_shape_attr(name) && cfg->shape_width0 > 0 ? T2V_JUDGE_SHAPE
                                                                            : T2V_JUDGE_APPEARANCE;
    }
}

t2v_status t2v_judge_cfg_for(t2v_judge_cfg *cfg, const char *dataset, int C, int T, int H,
                             int W, const t2v_data_attrs *schema)
{
    memset(cfg, 0, sizeof *cfg);
    if (!dataset || strlen(dataset) >= sizeof cfg->dataset)
        return t2v_fail(T2V_ERR_INVALID, "judge: data set name missing or too long");
    if (C < 1 || T < 1 || H < 4 || W < 4)
        return t2v_fail(T2V_ERR_INVALID, "judge: clip size (%d, %d, %d, %d) too small", C, T,
                        H, W);
    if (!schema || schema->n < 1 || schema->n > T2V_DATA_MAX_ATTRS)
        return t2v_fail(T2V_ERR_INVALID, "judge: data set %s has no classifiable attributes",
                        dataset);
    strcpy(cfg->dataset, dataset);
    cfg->channels = C;
    cfg->frames = T;
    cfg->height = H;
    cfg->width = W;
    cfg->layers = 4;
    cfg->width0 = 16;
    int objects = schema->n_objects;
    cfg->n_objects = objects >= 1 && schema->n % objects == 0 ? objects : 1;
    cfg->n_attrs = schema->n;
    int motion = 0, shape = 0;
    for (int a = 0; a < schema->n; a++) {
        const char *name = schema->attr[a].name ? schema->attr[a].name : "attr";
        if (strlen(name) >= sizeof cfg->attr_name[a] || schema->attr[a].n_classes < 2)
            return t2v_fail(T2V_ERR_INVALID, "judge: attribute %d (%s) unusable", a, name);
        strcpy(cfg->attr_name[a], name);
        cfg->n_classes[a] = schema->attr[a].n_classes;
        motion |= is_motion_attr(name);
        shape |= is_shape_attr(name);
    }
    cfg->motion_width0 = motion && T > 1 ? 16 : 0;
    cfg->shape_width0 = shape ? 16 : 0;
    cfg->shape_crop = shape ? T2V_JUDGE_SHAPE_CROP : 0;
    t2v_judge_cfg_assign_trunks(cfg);
    return T2V_OK;
}

/* Declares one trunk's parameters ("judge.app.*", "judge.motion.*" or
 * "judge.shape.*"); the shape trunk reads one channel, of (shape_crop,
 * shape_crop) pixels when it reads the crop. */
static t2v_status trunk_declare(t2v_judge *j, int kind, int width0)
{
    static const char *const prefix[T2V_JUDGE_TRUNKS] = {"judge.app", "judge.motion",
                                                         "judge.shape"};
    const t2v_judge_cfg *c = &j->cfg;
    int crop = kind == T2V_JUDGE_SHAPE && c->shape_crop > 0;
    return t2v_ctrunk_declare(&j->trunk[kind], &j->params, &j->bufs, prefix[kind],
                             kind == T2V_JUDGE_MOTION ? T2V_CTRUNK_SPACETIME : T2V_CTRUNK_PER_FRAME,
                             kind == T2V_JUDGE_SHAPE ? 1 : c->channels, c->frames,
                             crop ? c->shape_crop : c->height, crop ? c->shape_crop : c->width,
                             c->layers, width0);
}

/* Whether every head reads a trunk that exists. */
static int heads_valid(const t2v_judge_cfg *c)
{
    for (int a = 0; a < c->n_attrs; a++) {
        int t = c->head_trunk[a];
        if (t < 0 || t >= T2V_JUDGE_TRUNKS || (t == T2V_JUDGE_MOTION && !c->motion_width0) ||
            (t == T2V_JUDGE_SHAPE && !c->shape_width0))
            return 0;
    }
    return 1;
}

/* Declares every parameter; fills the layer geometry for batch 1. */
static t2v_status judge_declare(void *model)
{
    t2v_judge *j = model;
    const t2v_judge_cfg *c = &j->cfg;
    if (c->layers < 1 || c->layers > T2V_JUDGE_MAX_LAYERS || c->width0 < 1 ||
        c->width0 > 1024 || c->motion_width0 < 0 || c->motion_width0 > 1024 ||
        c->shape_width0 < 0 || c->shape_width0 > 1024 || c->shape_crop < 0 ||
        c->shape_crop > 1024 || (c->shape_crop > 0 && c->shape_crop < 4))
        return t2v_fail(T2V_ERR_INVALID, "judge: %d layers of base widths %d / %d / %d "
                        "(shape crop %d) unsupported", c->layers, c->width0, c->motion_width0,
                        c->shape_width0, c->shape_crop);
    if (!heads_valid(c))
        return t2v_fail(T2V_ERR_INVALID, "judge: a head reads a trunk the judge lacks");
    t2v_status st = trunk_declare(j, T2V_JUDGE_APPEARANCE, c->width0);
    if (st == T2V_OK && c->motion_width0 > 0)
        st = trunk_declare(j, T2V_JUDGE_MOTION, c->motion_width0);
    if (st == T2V_OK && c->shape_width0 > 0)
        st = trunk_declare(j, T2V_JUDGE_SHAPE, c->shape_width0);
    if (st != T2V_OK)
        return st;
    j->feat_dim = 0;
    for (int t = 0; t < T2V_JUDGE_TRUNKS; t++)
        j->feat_dim += j->trunk[t].used ? j->trunk[t].feat_dim : 0;
    j->n_logits = 0;
    for (int a = 0; a < c->n_attrs; a++) {
        j->attr_offset[a] = j->n_logits;
        j->n_logits += c->n_classes[a];
        int kind = c->head_trunk[a];
        char pre[64];
        snprintf(pre, sizeof pre, "judge.head.%s", c->attr_name[a]);
        int64_t hw[2] = {c->n_classes[a], j->trunk[kind].feat_dim}, hb[1] = {c->n_classes[a]};
        j->head_w[a] = t2v_declare(&j->params, &st, pre, "weight", 2, hw, 0);
        j->head_b[a] = t2v_declare(&j->params, &st, pre, "bias", 1, hb, 1);
    }
    return st;
}

/* Kaiming-normal convolutions (ReLU gain), unit batchnorm, small heads. */
static t2v_status judge_init(void *model, uint64_t seed)
{
    t2v_judge *j = model;
    t2v_status s = T2V_OK;
    t2v_backend *be = j->be;
    for (int t = 0; t < T2V_JUDGE_TRUNKS && s == T2V_OK; t++)
        if (j->trunk[t].used)
            s = t2v_ctrunk_init(&j->trunk[t], be, &j->params, &j->bufs, seed,
                               100 + 10 * (uint64_t)t);
    for (int a = 0; a < j->cfg.n_attrs && s == T2V_OK; a++) {
        int F = j->trunk[j->cfg.head_trunk[a]].feat_dim;
        s = t2v_init_normal(be, t2v_pdata(&j->params, j->head_w[a]),
                            (int64_t)j->cfg.n_classes[a] * F, 0.0f, 1.0f / sqrtf((float)F), seed,
                            200 + (uint64_t)a);
        if (s == T2V_OK)
            s = t2v_init_const(be, t2v_pdata(&j->params, j->head_b[a]), j->cfg.n_classes[a],
                               0.0f);
    }
    return s;
}

t2v_status t2v_judge_new(const t2v_judge_cfg *cfg, t2v_backend *be, int threads, uint64_t seed,
                         int with_adam, t2v_judge **out)
{
    *out = NULL;
    t2v_judge *j = calloc(1, sizeof *j);
    if (!j)
        return t2v_fail(T2V_ERR_NOMEM, "judge: out of memory");
    j->cfg = *cfg;
    for (int a = 0; a < T2V_DATA_MAX_ATTRS; a++)
        j->test_accuracy[a] = -1.0;
    t2v_status s = t2v_eval_backend(&be, threads, &j->own_backend);
    if (s != T2V_OK) {
        free(j);
        return s;
    }
    j->be = be;
    s = t2v_eval_params_build(j, be, &j->params, &j->bufs, judge_declare, judge_init, seed,
                              with_adam);
    if (s != T2V_OK) {
        t2v_judge_free(j);
        return s;
    }
    *out = j;
    return T2V_OK;
}

void t2v_judge_free(t2v_judge *j)
{
    if (!j)
        return;
    t2v_eval_params_release(&j->params, &j->bufs, j->be, j->own_backend);
    free(j);
}

static int64_t clip_floats(const t2v_judge_cfg *c)
{
    return (int64_t)c->channels * c->frames * c->height * c->width;
}

static int max_int(int a, int b) { return a > b ? a : b; }

/* Hands out every buffer of a run from its arena (measuring or for real). */
static t2v_status run_plan(void *model, void *run)
{
    t2v_judge *j = model;
    t2v_judge_run *r = run;
    t2v_plan p = {.arena = &r->arena, .N = r->N, .training = r->training, .status = T2V_OK};
    size_t N = (size_t)r->N, ws = 0;
    int fmax = 0;
    r->x = t2v_plan_floats(&p, N * (size_t)clip_floats(&j->cfg));
    if (j->trunk[T2V_JUDGE_SHAPE].used)
        r->x_shape = t2v_plan_floats(&p, N * (size_t)j->trunk[T2V_JUDGE_SHAPE].in_numel);
    for (int t = 0; t < T2V_JUDGE_TRUNKS; t++) {
        if (!j->trunk[t].used)
            continue;
        t2v_ctrunk_plan(&j->trunk[t], j->be, &p, &r->trunk[t], &ws);
        fmax = max_int(fmax, j->trunk[t].feat_dim);
    }
    for (int a = 0; a < j->cfg.n_attrs; a++) {
        r->head_logits[a] = t2v_plan_floats(&p, N * (size_t)j->cfg.n_classes[a]);
        r->head_dlogits[a] = t2v_plan_grad(&p, N * (size_t)j->cfg.n_classes[a]);
    }
    r->dfeat_tmp = t2v_plan_grad(&p, N * (size_t)fmax);
    r->ws = t2v_plan_floats(&p, ws ? ws : 1);
    return p.status;
}

t2v_status t2v_judge_run_init(t2v_judge *j, t2v_judge_run *r, int N, int training)
{
    memset(r, 0, sizeof *r);
    if (N < 1)
        return t2v_fail(T2V_ERR_INVALID, "judge: batch %d must be >= 1", N);
    if (training && N < 2)
        return t2v_fail(T2V_ERR_INVALID, "judge: training batches need 2 clips or more");
    r->N = N;
    r->training = training;
    t2v_status s = t2v_eval_arena_build(&r->arena, j->be, run_plan, j, r);
    size_t K = (size_t)N * (size_t)j->n_logits;
    int cmax = 0;
    for (int a = 0; a < j->cfg.n_attrs; a++)
        cmax = max_int(cmax, j->cfg.n_classes[a]);
    int fmax = 0;
    for (int t = 0; t < T2V_JUDGE_TRUNKS; t++)
        fmax = max_int(fmax, j->trunk[t].feat_dim);
    if (s == T2V_OK) {
        r->host_logits = malloc(K * sizeof(float));
        r->host_dlogits = malloc(K * sizeof(float));
        r->host_head = malloc((size_t)N * cmax * sizeof(float));
        r->host_feat = malloc((size_t)N * fmax * sizeof(float));
        if (!r->host_logits || !r->host_dlogits || !r->host_head || !r->host_feat)
            s = t2v_fail(T2V_ERR_NOMEM, "judge: out of memory");
    }
    if (s == T2V_OK && j->trunk[T2V_JUDGE_SHAPE].used) {
        size_t full = (size_t)N * j->cfg.frames * j->cfg.height * j->cfg.width;
        r->host_shape = malloc((size_t)N * j->trunk[T2V_JUDGE_SHAPE].in_numel * sizeof(float));
        r->host_shape_full = j->cfg.shape_crop > 0 ? malloc(full * sizeof(float)) : NULL;
        r->shape_scratch = malloc(t2v_shape_scratch_floats(j->cfg.height, j->cfg.width) *
                                  sizeof(float));
        if (!r->host_shape || !r->shape_scratch || (j->cfg.shape_crop > 0 && !r->host_shape_full))
            s = t2v_fail(T2V_ERR_NOMEM, "judge: out of memory");
    }
    if (s != T2V_OK)
        t2v_judge_run_release(r);
    return s;
}

void t2v_judge_run_release(t2v_judge_run *r)
{
    t2v_arena_release(&r->arena);
    free(r->host_logits);
    free(r->host_dlogits);
    free(r->host_head);
    free(r->host_feat);
    free(r->host_shape);
    free(r->host_shape_full);
    free(r->shape_scratch);
    memset(r, 0, sizeof *r);
}

/* What trunk t reads: the shape picture or the clips themselves. */
static const float *trunk_input(const t2v_judge_run *r, int t)
{
    return t == T2V_JUDGE_SHAPE ? r->x_shape : r->x;
}

t2v_status t2v_judge_forward(t2v_judge *j, t2v_judge_run *r, const float *clips, int n,
                             float *logits, float *feats)
{
    if (n < 1 || n > r->N || (r->training && n < 2))
        return t2v_fail(T2V_ERR_INVALID, "judge: batch of %d clips for a run of %d", n, r->N);
    t2v_backend *be = j->be;
    const t2v_judge_cfg *c = &j->cfg;
    t2v_status s = t2v_backend_upload(be, r->x, clips,
                                      (size_t)n * (size_t)clip_floats(c) * sizeof(float));
    if (s == T2V_OK && j->trunk[T2V_JUDGE_SHAPE].used) {
        // shape picture (n, 1, T, H, W) made on the host, cut to
        // (n, 1, T, S, S) around the ink with shape_crop S
        if (c->shape_crop > 0) {
            t2v_shape_image(clips, n, c->channels, c->frames, c->height, c->width,
                            r->host_shape_full, r->shape_scratch);
            t2v_shape_crop(r->host_shape_full, n, c->frames, c->height, c->width, c->shape_crop,
                           r->host_shape);
        } else {
            t2v_shape_image(clips, n, c->channels, c->frames, c->height, c->width,
                            r->host_shape, r->shape_scratch);
        }
        s = t2v_backend_upload(be, r->x_shape, r->host_shape, (size_t)n *
                               (size_t)j->trunk[T2V_JUDGE_SHAPE].in_numel * sizeof(float));
    }
    if (s != T2V_OK)
        return s;
    for (int t = 0; t < T2V_JUDGE_TRUNKS; t++)
        if (j->trunk[t].used)
            t2v_ctrunk_forward(&j->trunk[t], be, &j->params, &j->bufs, &r->trunk[t],
                              trunk_input(r, t), n, r->ws, r->training);
    int K = j->n_logits;
    for (int a = 0; a < c->n_attrs && s == T2V_OK; a++) {
        const t2v_ctrunk *tr = &j->trunk[c->head_trunk[a]];
        int nc = c->n_classes[a];
        t2v_linear_forward(be, r->head_logits[a], r->trunk[c->head_trunk[a]].feat,
                           t2v_pdata(&j->params, j->head_w[a]), t2v_pdata(&j->params, j->head_b[a]),
                           n, tr->feat_dim, nc);
        s = t2v_backend_download(be, r->host_head, r->head_logits[a],
                                 (size_t)n * nc * sizeof(float));
        for (int i = 0; i < n && s == T2V_OK; i++)
            memcpy(r->host_logits + (size_t)i * K + j->attr_offset[a],
                   r->host_head + (size_t)i * nc, (size_t)nc * sizeof(float));
    }
    if (s == T2V_OK && logits)
        memcpy(logits, r->host_logits, (size_t)n * K * sizeof(float));
    // features (n, F) = [appearance | motion | shape], the trunks present
    for (int t = 0, col = 0; t < T2V_JUDGE_TRUNKS && feats && s == T2V_OK; t++) {
        const t2v_ctrunk *tr = &j->trunk[t];
        if (!tr->used)
            continue;
        s = t2v_backend_download(be, r->host_feat, r->trunk[t].feat,
                                 (size_t)n * tr->feat_dim * sizeof(float));
        for (int i = 0; i < n && s == T2V_OK; i++)
            memcpy(feats + (size_t)i * j->feat_dim + col, r->host_feat + (size_t)i * tr->feat_dim,
                   (size_t)tr->feat_dim * sizeof(float));
        col += tr->feat_dim;
    }
    return s;
}

t2v_status t2v_judge_backward(t2v_judge *j, t2v_judge_run *r, int n, const int *labels,
                              double *loss)
{
    if (!r->training)
        return t2v_fail(T2V_ERR_INVALID, "judge: backward needs a training run");
    t2v_backend *be = j->be;
    const t2v_kernels *k = t2v_backend_kernels(be);
    const t2v_judge_cfg *c = &j->cfg;
    int K = j->n_logits;
    int *col = malloc((size_t)n * sizeof *col);
    if (!col)
        return t2v_fail(T2V_ERR_NOMEM, "judge: out of memory");
    for (int t = 0; t < T2V_JUDGE_TRUNKS; t++)
        if (j->trunk[t].used)
            k->fill(be, r->trunk[t].dfeat, 0.0f, (int64_t)n * j->trunk[t].feat_dim);
    // softmax cross-entropy of every head on the host, then its backward:
    // dlogits (n, n_classes) -> head weights, and dfeat of its trunk (+=)
    double total = 0.0;
    t2v_status s = T2V_OK;
    for (int a = 0; a < c->n_attrs && s == T2V_OK; a++) {
        int nc = c->n_classes[a], t = c->head_trunk[a], F = j->trunk[t].feat_dim;
        for (int i = 0; i < n; i++)
            col[i] = labels[(size_t)i * c->n_attrs + a];
        total += t2v_softmax_ce(r->host_logits + j->attr_offset[a], n, nc, K, col,
                                r->host_dlogits + j->attr_offset[a], 1.0f);
        for (int i = 0; i < n; i++)
            memcpy(r->host_head + (size_t)i * nc,
                   r->host_dlogits + (size_t)i * K + j->attr_offset[a], (size_t)nc * sizeof(float));
        s = t2v_backend_upload(be, r->head_dlogits[a], r->host_head, (size_t)n * nc * sizeof(float));
        if (s != T2V_OK)
            break;
        t2v_linear_backward(be, r->dfeat_tmp, t2v_pgrad(&j->params, j->head_w[a]),
                            t2v_pgrad(&j->params, j->head_b[a]), r->head_dlogits[a],
                            r->trunk[t].feat, t2v_pdata(&j->params, j->head_w[a]), n, F, nc);
        k->axpy(be, r->trunk[t].dfeat, 1.0f, r->dfeat_tmp, (int64_t)n * F);
    }
    free(col);
    *loss = total;
    if (s != T2V_OK)
        return s;
    for (int t = 0; t < T2V_JUDGE_TRUNKS; t++)
        if (j->trunk[t].used)
            t2v_ctrunk_backward(&j->trunk[t], be, &j->params, &r->trunk[t], trunk_input(r, t), n,
                               r->ws);
    return T2V_OK;
}

/* Lexicographic comparison of two objects' attribute tuples. */
static int object_cmp(const int *a, const int *b, int per)
{
    for (int k = 0; k < per; k++)
        if (a[k] != b[k])
            return a[k] < b[k] ? -1 : 1;
    return 0;
}

void t2v_judge_canonical_labels(const t2v_judge_cfg *cfg, const t2v_data_attrs *attrs,
                                int *labels)
{
    int n = cfg->n_attrs, objects = cfg->n_objects, per = n / objects;
    for (int a = 0; a < n; a++)
        labels[a] = attrs->attr[a].value;
    // insertion sort of the objects (at most a handful)
    for (int i = 1; i < objects; i++)
        for (int k = i; k > 0 && object_cmp(labels + (k - 1) * per, labels + k * per, per) > 0;
             k--) {
            int tmp[T2V_DATA_MAX_ATTRS];
            memcpy(tmp, labels + (k - 1) * per, (size_t)per * sizeof *tmp);
            memcpy(labels + (k - 1) * per, labels + k * per, (size_t)per * sizeof *tmp);
            memcpy(labels + k * per, tmp, (size_t)per * sizeof *tmp);
        }
}

void t2v_judge_predict(const t2v_judge *j, const float *logits, int *pred)
{
    for (int a = 0; a < j->cfg.n_attrs; a++) {
        const float *z = logits + j->attr_offset[a];
        int best = 0;
        for (int c = 1; c < j->cfg.n_classes[a]; c++)
            if (z[c] > z[best])
                best = c;
        pred[a] = best;
    }
}

/* Next permutation of perm (n) in lexicographic order; 0 after the last. */
static int next_permutation(int *perm, int n)
{
    int i = n - 2;
    while (i >= 0 && perm[i] >= perm[i + 1])
        i--;
    if (i < 0)
        return 0;
    int k = n - 1;
    while (perm[k] <= perm[i])
        k--;
    int t = perm[i]; perm[i] = perm[k]; perm[k] = t;
    for (int a = i + 1, b = n - 1; a < b; a++, b--) {
        t = perm[a]; perm[a] = perm[b]; perm[b] = t;
    }
    return 1;
}

void t2v_judge_matched_pred(const t2v_judge_cfg *cfg, const int *pred, const int *truth,
                            int *matched)
{
    int n = cfg->n_attrs, objects = cfg->n_objects, per = n / objects;
    int perm[T2V_DATA_MAX_ATTRS], best_perm[T2V_DATA_MAX_ATTRS];
    for (int o = 0; o < objects; o++)
        perm[o] = best_perm[o] = o;
    int best = -1;
    do {
        // true object o is matched with predicted object perm[o]
        int hits = 0;
        for (int o = 0; o < objects; o++)
            for (int k = 0; k < per; k++)
                hits += pred[perm[o] * per + k] == truth[o * per + k];
        if (hits > best) {
            best = hits;
            memcpy(best_perm, perm, sizeof perm);
        }
    } while (objects > 1 && next_permutation(perm, objects));
    for (int o = 0; o < objects; o++)
        for (int k = 0; k < per; k++)
            matched[o * per + k] = pred[best_perm[o] * per + k];
}

void t2v_judge_match(const t2v_judge_cfg *cfg, const int *pred, const int *truth, int *correct)
{
    int matched[T2V_DATA_MAX_ATTRS];
    t2v_judge_matched_pred(cfg, pred, truth, matched);
    for (int a = 0; a < cfg->n_attrs; a++)
        correct[a] = matched[a] == truth[a];
}
