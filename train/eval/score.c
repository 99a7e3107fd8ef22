/* Running the judge over sets of clips and the metrics on its outputs. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/eval_math.h"
#include "train/eval/score.h"

void t2v_judged_free(t2v_judged *s)
{
    free(s->feats);
    free(s->probs);
    free(s->pred);
    free(s->ink);
    memset(s, 0, sizeof *s);
}

/* The share of pixels above mid-grey of each frame of a grey clip (T, HW). */
static void clip_ink(const float *clip, int T, size_t hw, float *ink)
{
    for (int t = 0; t < T; t++) {
        size_t lit = 0;
        for (size_t p = 0; p < hw; p++)
            lit += clip[(size_t)t * hw + p] > 0.0f;
        ink[t] = (float)((double)lit / (double)hw);
    }
}

double t2v_judged_in_view(const t2v_judged *s, const t2v_judged *ref)
{
    if (!s->ink || !ref->ink || s->T < 1 || ref->T < 1)
        return -1.0;
    long nr = ref->n * ref->T, ns = s->n * s->T, shown = 0;
    double mean = 0.0;
    for (long i = 0; i < nr; i++)
        mean += ref->ink[i];
    double need = 0.1 * mean / (double)nr;
    for (long i = 0; i < ns; i++)
        shown += s->ink[i] >= need;
    return (double)shown / (double)ns;
}

/* Mean squared difference of consecutive frames of one clip (C, T, HW). */
static double clip_frame_diff(const float *clip, int C, int T, size_t hw)
{
    if (T < 2)
        return 0.0;
    double sum = 0.0;
    for (int c = 0; c < C; c++)
        for (int t = 1; t < T; t++) {
            const float *a = clip + ((size_t)c * T + t - 1) * hw, *b = a + hw;
            for (size_t p = 0; p < hw; p++) {
                double d = (double)b[p] - a[p];
                sum += d * d;
            }
        }
    return sum / ((double)C * (T - 1) * hw);
}

t2v_status t2v_judge_clips(t2v_judge *j, t2v_judge_run *r, t2v_clip_fn fn, void *user, long n,
                           t2v_judged *out)
{
    memset(out, 0, sizeof *out);
    if (n < 1)
        return t2v_fail(T2V_ERR_INVALID, "scoring: no clips");
    const t2v_judge_cfg *c = &j->cfg;
    size_t hw = (size_t)c->height * c->width;
    size_t clip_n = (size_t)c->channels * c->frames * hw;
    out->n = n;
    out->F = j->feat_dim;
    out->K = j->n_logits;
    out->n_attrs = c->n_attrs;
    out->feats = malloc((size_t)n * out->F * sizeof(float));
    out->probs = malloc((size_t)n * out->K * sizeof(float));
    out->pred = malloc((size_t)n * out->n_attrs * sizeof(int));
    out->T = c->frames;
    out->ink = c->channels == 1 ? malloc((size_t)n * c->frames * sizeof(float)) : NULL;
    float *clips = malloc((size_t)r->N * clip_n * sizeof(float));
    float *logits = malloc((size_t)r->N * out->K * sizeof(float));
    t2v_status s = T2V_OK;
    if (!out->feats || !out->probs || !out->pred || !clips || !logits ||
        (c->channels == 1 && !out->ink))
        s = t2v_fail(T2V_ERR_NOMEM, "scoring: out of memory for %ld clips", n);
    double diff_sum = 0.0;
    for (long first = 0; first < n && s == T2V_OK; first += r->N) {
        int b = n - first < r->N ? (int)(n - first) : r->N;
        for (int i = 0; i < b && s == T2V_OK; i++) {
            s = fn(user, first + i, clips + (size_t)i * clip_n);
            if (s == T2V_OK)
                diff_sum += clip_frame_diff(clips + (size_t)i * clip_n, c->channels, c->frames,
                                            hw);
            if (s == T2V_OK && out->ink)
                clip_ink(clips + (size_t)i * clip_n, c->frames, hw,
                         out->ink + (size_t)(first + i) * c->frames);
        }
        if (s == T2V_OK)
            s = t2v_judge_forward(j, r, clips, b, logits, out->feats + (size_t)first * out->F);
        for (int i = 0; i < b && s == T2V_OK; i++) {
            const float *z = logits + (size_t)i * out->K;
            float *p = out->probs + (size_t)(first + i) * out->K;
            for (int a = 0; a < c->n_attrs; a++)
                t2v_softmax_rows(z + j->attr_offset[a], 1, c->n_classes[a], out->K,
                                 p + j->attr_offset[a], out->K);
            t2v_judge_predict(j, z, out->pred + (size_t)(first + i) * out->n_attrs);
        }
    }
    out->frame_diff = diff_sum / (double)n;
    free(clips);
    free(logits);
    if (s != T2V_OK)
        t2v_judged_free(out);
    return s;
}

void t2v_judged_accuracy(const t2v_judge *j, const t2v_judged *s, const int *truth,
                         double *acc, double *all_right)
{
    int A = j->cfg.n_attrs;
    long hits[T2V_DATA_MAX_ATTRS] = {0}, all = 0;
    for (long i = 0; i < s->n; i++) {
        int correct[T2V_DATA_MAX_ATTRS];
        t2v_judge_match(&j->cfg, s->pred + (size_t)i * A, truth + (size_t)i * A, correct);
        int every = 1;
        for (int a = 0; a < A; a++) {
            hits[a] += correct[a];
            every &= correct[a];
        }
        all += every;
    }
    for (int a = 0; a < A; a++)
        acc[a] = s->n ? (double)hits[a] / (double)s->n : 0.0;
    if (all_right)
        *all_right = s->n ? (double)all / (double)s->n : 0.0;
}

void t2v_judged_confusion(const t2v_judge *j, const t2v_judged *s, const int *truth, int attr,
                          long *counts)
{
    int A = j->cfg.n_attrs, nc = j->cfg.n_classes[attr];
    for (int k = 0; k < nc * nc; k++)
        counts[k] = 0;
    for (long i = 0; i < s->n; i++) {
        int matched[T2V_DATA_MAX_ATTRS];
        const int *t = truth + (size_t)i * A;
        t2v_judge_matched_pred(&j->cfg, s->pred + (size_t)i * A, t, matched);
        counts[(size_t)t[attr] * nc + matched[attr]]++;
    }
}

void t2v_judged_inception(const t2v_judge *j, const t2v_judged *s, double *is)
{
    for (int a = 0; a < j->cfg.n_attrs; a++)
        is[a] = t2v_inception_score(s->probs + j->attr_offset[a], s->n, j->cfg.n_classes[a],
                                    s->K);
}

t2v_status t2v_judged_fid(const t2v_judged *a, const t2v_judged *b, double *fid)
{
    if (a->F != b->F)
        return t2v_fail(T2V_ERR_INVALID, "FID: feature sizes %d and %d differ", a->F, b->F);
    int F = a->F;
    double *mu1 = malloc((size_t)F * sizeof(double)), *mu2 = malloc((size_t)F * sizeof(double));
    double *S1 = malloc((size_t)F * F * sizeof(double)), *S2 = malloc((size_t)F * F * sizeof(double));
    t2v_status s = T2V_OK;
    if (!mu1 || !mu2 || !S1 || !S2)
        s = t2v_fail(T2V_ERR_NOMEM, "FID: out of memory");
    if (s == T2V_OK)
        s = t2v_gaussian_fit(a->feats, a->n, F, mu1, S1);
    if (s == T2V_OK)
        s = t2v_gaussian_fit(b->feats, b->n, F, mu2, S2);
    if (s == T2V_OK)
        s = t2v_frechet_distance(mu1, S1, mu2, S2, F, fid);
    free(mu1);
    free(mu2);
    free(S1);
    free(S2);
    return s;
}

t2v_status t2v_data_clip_fn(void *user, long k, float *clip)
{
    const t2v_data_clips *d = user;
    t2v_status s = t2v_data_get(d->ds, d->first + k, 0, clip, NULL);
    if (s != T2V_OK)
        return t2v_fail(s, "data item %ld: %s", d->first + k, t2v_data_last_error());
    return T2V_OK;
}

t2v_status t2v_data_truth(const t2v_dataset *ds, long first, long n, int n_attrs, int *truth)
{
    for (long i = 0; i < n; i++) {
        t2v_data_attrs attrs;
        t2v_status s = t2v_data_attributes(ds, first + i, &attrs);
        if (s != T2V_OK)
            return t2v_fail(s, "attributes of item %ld: %s", first + i, t2v_data_last_error());
        if (attrs.n != n_attrs)
            return t2v_fail(T2V_ERR_INVALID, "item %ld has %d attributes, the judge %d",
                            first + i, attrs.n, n_attrs);
        for (int a = 0; a < n_attrs; a++)
            truth[(size_t)i * n_attrs + a] = attrs.attr[a].value;
    }
    return T2V_OK;
}

t2v_status t2v_judge_check_data(const t2v_judge *j, const t2v_dataset *ds)
{
    const t2v_judge_cfg *c = &j->cfg;
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    if (info.channels != c->channels || info.frames != c->frames || info.height != c->height ||
        info.width != c->width)
        return t2v_fail(T2V_ERR_INVALID,
                        "data set %s gives clips (%d, %d, %d, %d), the judge reads (%d, %d, %d, %d)",
                        info.name, info.channels, info.frames, info.height, info.width,
                        c->channels, c->frames, c->height, c->width);
    if (info.schema.n != c->n_attrs)
        return t2v_fail(T2V_ERR_INVALID, "data set %s has %d attributes, the judge %d",
                        info.name, info.schema.n, c->n_attrs);
    for (int a = 0; a < c->n_attrs; a++)
        if (info.schema.attr[a].n_classes != c->n_classes[a] ||
            strcmp(info.schema.attr[a].name, c->attr_name[a]) != 0)
            return t2v_fail(T2V_ERR_INVALID, "data set %s attribute %d is %s (%d classes), "
                            "the judge's %s (%d classes)", info.name, a,
                            info.schema.attr[a].name, info.schema.attr[a].n_classes,
                            c->attr_name[a], c->n_classes[a]);
    return T2V_OK;
}

t2v_status t2v_judge_real(t2v_judge *j, const t2v_dataset *ds, long n, int batch,
                          t2v_judged *out, int **truth, long *n_out)
{
    *truth = NULL;
    *n_out = 0;
    memset(out, 0, sizeof *out);
    t2v_status s = t2v_judge_check_data(j, ds);
    if (s != T2V_OK)
        return s;
    if (n > t2v_data_count(ds))
        n = t2v_data_count(ds);
    int *t = malloc((size_t)(n > 0 ? n : 1) * j->cfg.n_attrs * sizeof *t);
    if (!t)
        return t2v_fail(T2V_ERR_NOMEM, "judge accuracy: out of memory");
    t2v_judge_run r;
    t2v_data_clips src = {.ds = ds, .first = 0};
    s = t2v_data_truth(ds, 0, n, j->cfg.n_attrs, t);
    if (s == T2V_OK)
        s = t2v_judge_run_init(j, &r, batch, 0);
    if (s == T2V_OK) {
        s = t2v_judge_clips(j, &r, t2v_data_clip_fn, &src, n, out);
        t2v_judge_run_release(&r);
    }
    if (s != T2V_OK) {
        free(t);
        return s;
    }
    *truth = t;
    *n_out = n;
    return T2V_OK;
}

t2v_status t2v_judge_accuracy(t2v_judge *j, const t2v_dataset *ds, long n, int batch,
                              double *acc, double *all_right)
{
    t2v_judged judged;
    int *truth = NULL;
    long got = 0;
    t2v_status s = t2v_judge_real(j, ds, n, batch, &judged, &truth, &got);
    if (s != T2V_OK)
        return s;
    t2v_judged_accuracy(j, &judged, truth, acc, all_right);
    t2v_judged_free(&judged);
    free(truth);
    return T2V_OK;
}
