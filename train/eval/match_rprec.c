/* R-precision of images against the test split's captions. */
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/common/captions.h"
#include "train/eval/match_loss.h"
#include "train/eval/match_rprec.h"

#define BATCH 32
#define MAX_DRAWS 10000

/* Every test caption through the text encoder: V (n_captions, dim). */
static t2v_status embed_captions(t2v_match *m, t2v_match_run *r, const t2v_encoded_captions *caps,
                                 float *V)
{
    int T = caps->max_words, dim = m->cfg.dim;
    int32_t *ids = calloc((size_t)BATCH * T, sizeof *ids);
    int len[BATCH];
    float *vb = malloc((size_t)BATCH * dim * sizeof *vb);
    t2v_status s = ids && vb ? T2V_OK : t2v_fail(T2V_ERR_NOMEM, "R-precision: out of memory");
    for (long k0 = 0; k0 < caps->n && s == T2V_OK; k0 += BATCH) {
        // ids (BATCH, T): captions k0.., the last one repeated past the end
        for (int b = 0; b < BATCH; b++)
            t2v_encoded_captions_copy(caps, k0 + b < caps->n ? k0 + b : caps->n - 1, ids, len, b);
        s = t2v_match_captions(m, r, ids, len, vb);
        for (int b = 0; b < BATCH && k0 + b < caps->n && s == T2V_OK; b++)
            memcpy(V + (size_t)(k0 + b) * dim, vb + (size_t)b * dim, (size_t)dim * sizeof *V);
    }
    free(ids);
    free(vb);
    return s;
}

/* The true caption of item k and T2V_RPREC_MISMATCHED distinct mismatching
 * ones: cand[0] true, cand[1..]. */
static t2v_status candidates(const t2v_dataset *test, long k, long *cand)
{
    cand[0] = t2v_data_caption_index(test, k, 0);
    int have = 1;
    for (uint64_t d = 0; d < MAX_DRAWS && have <= T2V_RPREC_MISMATCHED; d++) {
        long c = t2v_data_mismatched_caption(test, k, 0, d);
        if (c < 0)
            break;
        int dup = 0;
        for (int i = 0; i < have && !dup; i++)
            dup = cand[i] == c;
        if (!dup)
            cand[have++] = c;
    }
    if (cand[0] < 0 || have <= T2V_RPREC_MISMATCHED)
        return t2v_fail(T2V_ERR_INVALID, "R-precision: test item %ld has only %d distinct "
                        "mismatching captions (%d needed)", k, have - 1,
                        T2V_RPREC_MISMATCHED);
    return T2V_OK;
}

t2v_status t2v_match_rprecision(t2v_match *m, t2v_dataset *test, long n, t2v_clip_fn fn,
                                void *user, double *rprec)
{
    *rprec = 0.0;
    t2v_data_info info;
    t2v_data_get_info(test, &info);
    const t2v_match_cfg *c = &m->cfg;
    if (info.channels != c->channels || info.frames != 1 || info.height != c->height ||
        info.width != c->width)
        return t2v_fail(T2V_ERR_INVALID, "R-precision: data set %s gives (%d, %d, %d, %d), the "
                        "matching model reads (%d, 1, %d, %d)", info.name, info.channels,
                        info.frames, info.height, info.width, c->channels, c->height, c->width);
    if (n > info.count)
        n = info.count;
    if (n < 1)
        return t2v_fail(T2V_ERR_INVALID, "R-precision: no test items");
    t2v_encoded_captions caps;
    memset(&caps, 0, sizeof caps);
    t2v_match_run r;
    memset(&r, 0, sizeof r);
    int dim = c->dim;
    size_t img_n = (size_t)c->channels * c->height * c->width;
    float *V = malloc((size_t)info.n_captions * dim * sizeof *V);
    float *images = malloc(BATCH * img_n * sizeof *images);
    float *U = malloc((size_t)BATCH * dim * sizeof *U);
    t2v_status s = V && images && U ? T2V_OK
                                    : t2v_fail(T2V_ERR_NOMEM, "R-precision: out of memory");
    if (s == T2V_OK)
        s = t2v_encoded_captions_build(&caps, &m->vocab, 0, test, info.n_captions,
                                       c->text.max_words, info.name);
    if (s == T2V_OK)
        s = t2v_match_run_init(m, &r, BATCH, 0);
    if (s == T2V_OK)
        s = embed_captions(m, &r, &caps, V);
    double total = 0.0;
    long cand[T2V_RPREC_MISMATCHED + 1];
    double others[T2V_RPREC_MISMATCHED];
    for (long k0 = 0; k0 < n && s == T2V_OK; k0 += BATCH) {
        int nb = n - k0 < BATCH ? (int)(n - k0) : BATCH;
        for (int b = 0; b < BATCH && s == T2V_OK; b++)
            s = b < nb ? fn(user, k0 + b, images + (size_t)b * img_n)
                       : (memcpy(images + (size_t)b * img_n, images, img_n * sizeof *images),
                          T2V_OK);
        if (s == T2V_OK)
            s = t2v_match_images(m, &r, images, U);
        for (int b = 0; b < nb && s == T2V_OK; b++) {
            s = candidates(test, k0 + b, cand);
            if (s != T2V_OK)
                break;
            const float *u = U + (size_t)b * dim;
            double truth = t2v_cosine(u, V + (size_t)cand[0] * dim, dim);
            for (int i = 0; i < T2V_RPREC_MISMATCHED; i++)
                others[i] = t2v_cosine(u, V + (size_t)cand[i + 1] * dim, dim);
            total += t2v_rprec_credit(truth, others, T2V_RPREC_MISMATCHED);
        }
    }
    if (s == T2V_OK)
        *rprec = total / (double)n;
    t2v_match_run_release(&r);
    t2v_encoded_captions_free(&caps);
    free(V);
    free(images);
    free(U);
    return s;
}
