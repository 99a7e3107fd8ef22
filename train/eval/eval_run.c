/* Scoring a set of generated clips against the test split. */
#include <stdlib.h>
#include <string.h>

#include "core/status_internal.h"
#include "train/eval/eval.h"

t2v_status t2v_eval_clips(t2v_judge *j, const t2v_dataset *test, const t2v_dataset *train,
                          long count, int batch, t2v_clip_fn gen, void *user,
                          t2v_eval_report *rep)
{
    memset(rep, 0, sizeof *rep);
    rep->in_view_gen = rep->in_view_real = -1.0;
    t2v_status s = t2v_judge_check_data(j, test);
    if (s == T2V_OK)
        s = t2v_judge_check_data(j, train);
    if (s != T2V_OK)
        return s;
    const t2v_judge_cfg *c = &j->cfg;
    long n = count < t2v_data_count(test) ? count : t2v_data_count(test);
    long nf = n < t2v_data_count(train) ? n : t2v_data_count(train);
    if (n < 2 || nf < 2)
        return t2v_fail(T2V_ERR_INVALID, "evaluation needs at least 2 items (got %ld, %ld)", n,
                        nf);
    strcpy(rep->dataset, c->dataset);
    rep->count = n;
    rep->floor_count = nf;
    rep->n_attrs = c->n_attrs;
    for (int a = 0; a < c->n_attrs; a++) {
        strcpy(rep->attr_name[a], c->attr_name[a]);
        rep->n_classes[a] = c->n_classes[a];
    }
    int *truth = malloc((size_t)n * c->n_attrs * sizeof *truth);
    if (!truth)
        return t2v_fail(T2V_ERR_NOMEM, "evaluation: out of memory");
    t2v_judge_run r;
    t2v_judged real = {0}, fake = {0}, floor = {0};
    t2v_data_clips test_src = {.ds = test, .first = 0}, train_src = {.ds = train, .first = 0};
    s = t2v_data_truth(test, 0, n, c->n_attrs, truth);
    if (s == T2V_OK)
        s = t2v_judge_run_init(j, &r, batch > 0 ? batch : 32, 0);
    if (s != T2V_OK) {
        free(truth);
        return s;
    }
    s = t2v_judge_clips(j, &r, gen, user, n, &fake);
    if (s == T2V_OK)
        s = t2v_judge_clips(j, &r, t2v_data_clip_fn, &test_src, n, &real);
    if (s == T2V_OK)
        s = t2v_judge_clips(j, &r, t2v_data_clip_fn, &train_src, nf, &floor);
    if (s == T2V_OK) {
        t2v_judged_accuracy(j, &fake, truth, rep->acc_gen, &rep->all_gen);
        t2v_judged_accuracy(j, &real, truth, rep->acc_real, &rep->all_real);
        t2v_judged_inception(j, &fake, rep->is_gen);
        t2v_judged_inception(j, &real, rep->is_real);
        rep->frame_diff_gen = fake.frame_diff;
        rep->frame_diff_real = real.frame_diff;
        rep->in_view_gen = t2v_judged_in_view(&fake, &real);
        rep->in_view_real = t2v_judged_in_view(&real, &real);
        s = t2v_judged_fid(&real, &fake, &rep->fid_gen);
    }
    if (s == T2V_OK)
        s = t2v_judged_fid(&floor, &real, &rep->fid_floor);
    t2v_judged_free(&real);
    t2v_judged_free(&fake);
    t2v_judged_free(&floor);
    t2v_judge_run_release(&r);
    free(truth);
    return s;
}
