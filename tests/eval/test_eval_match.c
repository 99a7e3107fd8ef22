/* The matching model behind R-precision: its contrastive loss against a
 * closed form and central finite differences (double precision); a few
 * Adam steps on a fixed batch of real scenes images lower the loss; the
 * weights file gives back the same embeddings and bad files fail with
 * clear errors; the R-precision credit of perfect, constant, worst and
 * random scorers; and the whole R-precision run of a model whose image
 * embedding is constant lands exactly on chance (1 / 100). Needs the
 * glyph caches for the scenes parts (scripts/fetch-data.sh). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenes_match.h"
#include "t2v_test.h"
#include "train/eval/match_loss.h"
#include "train/eval/match_rprec.h"
#include "train/eval/match_train.h"

static char tmp_path[512];

static const char *temp_file(const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(tmp_path, sizeof tmp_path, "%s/t2v-match-%s-%ld.gguf", dir && *dir ? dir : "/tmp",
             tag, (long)getpid());
    return tmp_path;
}

static void check_loss_closed_form(void)
{
    // u_i = v_i = e_i: s = I / tau, every row and column gives
    // log(1 + (N - 1) exp(-1 / tau)), and so does their mean
    enum { N = 4 };
    float u[N * N] = {0};
    for (int i = 0; i < N; i++)
        u[i * N + i] = 1.0f;
    double tau = 0.5, want = log(1.0 + (N - 1) * exp(-1.0 / tau));
    double got = t2v_match_loss(u, u, N, N, tau, NULL, NULL);
    T2V_CHECK(fabs(got - want) < 1e-12, "loss of aligned one-hot pairs = log(1 + 3 e^-2) "
              "(%.12f vs %.12f)", got, want);
    // every image identical: each caption equally likely per image -> log N for the rows;
    // each column: images all the same -> log N too
    float same[N * N];
    for (int i = 0; i < N * N; i++)
        same[i] = 0.3f + 0.1f * (float)(i % N);
    float v[N * N];
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++)
            v[i * N + k] = same[k];
    got = t2v_match_loss(same, v, N, N, tau, NULL, NULL);
    T2V_CHECK(fabs(got - log((double)N)) < 1e-12, "loss of identical rows = log N (%.12f)", got);
}

static void check_loss_gradient(double tau)
{
    enum { N = 5, DIM = 7 };
    float u[N * DIM], v[N * DIM], du[N * DIM], dv[N * DIM];
    t2v_rng_normal_host(u, N * DIM, 11, 1, 0);
    t2v_rng_normal_host(v, N * DIM, 11, 2, 0);
    t2v_match_loss(u, v, N, DIM, tau, du, dv);
    double worst = 0.0;
    for (int which = 0; which < 2; which++) {
        float *x = which ? v : u, *g = which ? dv : du;
        for (int i = 0; i < N * DIM; i++) {
            float keep = x[i];
            // a step exactly representable next to x[i]
            float h = 1e-3f;
            x[i] = keep + h;
            double lp = t2v_match_loss(u, v, N, DIM, tau, NULL, NULL);
            x[i] = keep - h;
            double lm = t2v_match_loss(u, v, N, DIM, tau, NULL, NULL);
            x[i] = keep;
            double hp = (double)(keep + h) - keep, hm = (double)keep - (double)(keep - h);
            double fd = (lp - lm) / (hp + hm);
            double err = fabs(fd - g[i]) / fmax(1e-3, fabs(fd));
            worst = fmax(worst, err);
        }
    }
    T2V_CHECK(worst < 2e-4, "loss gradient (u and v, N 5, dim 7, tau %.2f) = central "
              "differences (worst relative error %.2e)", tau, worst);
}

static void check_rprec_credit(void)
{
    double others[99];
    for (int i = 0; i < 99; i++)
        others[i] = 0.5 - 0.001 * i;
    T2V_CHECK(t2v_rprec_credit(0.9, others, 99) == 1.0, "perfect scorer: credit 1");
    T2V_CHECK(t2v_rprec_credit(0.1, others, 99) == 0.0, "true caption scored lowest: credit 0");
    T2V_CHECK(t2v_rprec_credit(0.45, others, 99) == 0.0, "one mismatching caption higher: 0");
    for (int i = 0; i < 99; i++)
        others[i] = 0.25;
    T2V_CHECK(t2v_rprec_credit(0.25, others, 99) == 0.01, "constant scorer: credit 1/100");
    // random scores: the mean credit is 1/100 (binomial sd 0.0007 over 20000 items)
    enum { ITEMS = 20000 };
    float r[100];
    double sum = 0.0;
    for (int k = 0; k < ITEMS; k++) {
        t2v_rng_uniform_host(r, 100, 5, 3, (uint64_t)k * 100);
        for (int i = 0; i < 99; i++)
            others[i] = r[i + 1];
        sum += t2v_rprec_credit(r[0], others, 99);
    }
    double mean = sum / ITEMS;
    T2V_CHECK(fabs(mean - 0.01) < 0.0025, "random scorer: mean credit %.4f near 1/100", mean);
}

enum { SIDE = 32, B = 8 };

/* Loss on a fixed batch of 8 real images falls under 20 Adam steps; the
 * trained model survives a save and load; returns the model. */
static t2v_match *check_training(t2v_dataset *train)
{
    t2v_encoded_captions caps;
    memset(&caps, 0, sizeof caps);
    t2v_match *m = t2v_test_scenes_match(train, SIDE, 3, 1);
    t2v_status s = m ? T2V_OK : T2V_ERR_INVALID;
    if (s == T2V_OK) {
        t2v_data_info info;
        t2v_data_get_info(train, &info);
        s = t2v_encoded_captions_build(&caps, &m->vocab, 0, train, info.n_captions,
                                       m->cfg.text.max_words, "scenes");
    }
    if (!T2V_CHECK(s == T2V_OK, "matching model built (%s)", s == T2V_OK ? "ok" : t2v_last_error())) {
        t2v_encoded_captions_free(&caps);
        t2v_match_free(m);
        return NULL;
    }
    t2v_match_run r;
    static float images[B * 3 * SIDE * SIDE];
    int32_t ids[B * 24] = {0};
    int len[B];
    long items[B] = {0, 17, 33, 48, 71, 95, 120, 150};
    float u[B * 64], v[B * 64], du[B * 64], dv[B * 64];
    s = t2v_match_run_init(m, &r, B, 1);
    if (s == T2V_OK)
        s = t2v_match_batch(train, &caps, items, B, 0, images, ids, len);
    t2v_adam adam = {.lr = 2e-3f, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f};
    double first = 0.0, last = 0.0;
    for (int step = 0; step < 20 && s == T2V_OK; step++) {
        s = t2v_match_step_grad(m, &r, images, ids, len, &last, u, v, du, dv);
        if (step == 0)
            first = last;
        if (s == T2V_OK)
            s = t2v_adam_step(&adam, &m->params);
    }
    if (s == T2V_OK)
        s = t2v_match_step_grad(m, &r, images, ids, len, &last, u, v, du, dv);
    T2V_CHECK(s == T2V_OK && last < 0.5 * first,
              "20 Adam steps on a fixed batch of 8 lower the loss (%.4f -> %.4f)", first, last);
    t2v_match_run_release(&r);

    // save and load: the same embeddings of the batch (inference)
    const char *path = temp_file("rt");
    t2v_match *back = NULL;
    float u2[B * 64], v2[B * 64];
    t2v_match_run ra, rb;
    int ok = t2v_match_save(m, path, "test") == T2V_OK &&
             t2v_match_load(path, NULL, 1, &back) == T2V_OK &&
             t2v_match_run_init(m, &ra, B, 0) == T2V_OK &&
             t2v_match_images(m, &ra, images, u) == T2V_OK &&
             t2v_match_captions(m, &ra, ids, len, v) == T2V_OK &&
             t2v_match_run_init(back, &rb, B, 0) == T2V_OK &&
             t2v_match_images(back, &rb, images, u2) == T2V_OK &&
             t2v_match_captions(back, &rb, ids, len, v2) == T2V_OK;
    T2V_CHECK(ok && !memcmp(u, u2, sizeof u) && !memcmp(v, v2, sizeof v),
              "saved and loaded model gives the same image and caption embeddings");
    t2v_match_run_release(&ra);
    t2v_match_run_release(&rb);
    t2v_match_free(back);

    // bad files
    t2v_match *bad = NULL;
    s = t2v_match_load("/nonexistent/match.gguf", NULL, 1, &bad);
    T2V_CHECK(s == T2V_ERR_IO && bad == NULL, "missing file: T2V_ERR_IO (%s)", t2v_last_error());
    FILE *f = fopen(path, "rb");
    long size = 0;
    char *bytes = NULL;
    if (f && fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0) {
        bytes = malloc((size_t)size);
        if (bytes && fread(bytes, 1, (size_t)size, f) != (size_t)size)
            size = 0;
    }
    if (f)
        fclose(f);
    f = bytes && size > 0 ? fopen(path, "wb") : NULL;
    if (f) {
        fwrite(bytes, 1, (size_t)size / 2, f);
        fclose(f);
    }
    s = t2v_match_load(path, NULL, 1, &bad);
    T2V_CHECK(bytes && s != T2V_OK && bad == NULL && strstr(t2v_last_error(), path),
              "truncated file fails naming it (%s)", t2v_last_error());
    free(bytes);
    unlink(path);
    t2v_encoded_captions_free(&caps);
    return m;
}

/* A weights file of another kind is refused. */
static void check_wrong_kind(const char *judge_path)
{
    t2v_match *bad = NULL;
    t2v_status s = t2v_match_load(judge_path, NULL, 1, &bad);
    T2V_CHECK(s == T2V_ERR_FORMAT && strstr(t2v_last_error(), "not a matching model"),
              "a judge file is not a matching model (%s)", t2v_last_error());
}

/* With the image projection zeroed every image embeds to 0: every caption
 * scores the same, and R-precision is exactly 1 / 100. */
static void check_constant_rprec(t2v_match *m)
{
    t2v_dataset *test = t2v_test_open_scenes(T2V_SPLIT_TEST, SIDE);
    if (!T2V_CHECK(test != NULL, "scenes test split opens"))
        return;
    int F = m->trunk.feat_dim, dim = m->cfg.dim;
    t2v_status s = t2v_init_const(m->be, t2v_pdata(&m->params, m->img_w), (int64_t)dim * F, 0.0f);
    if (s == T2V_OK)
        s = t2v_init_const(m->be, t2v_pdata(&m->params, m->img_b), dim, 0.0f);
    t2v_data_clips src = {.ds = test, .first = 0};
    double rp = -1.0;
    if (s == T2V_OK)
        s = t2v_match_rprecision(m, test, 40, t2v_data_clip_fn, &src, &rp);
    T2V_CHECK(s == T2V_OK && fabs(rp - 0.01) < 1e-12,
              "constant image embedding: R-precision over 40 test items = 1/100 (%.6f)", rp);
    t2v_dataset *wrong = t2v_test_open_scenes(T2V_SPLIT_TEST, 64);
    if (wrong) {
        s = t2v_match_rprecision(m, wrong, 4, t2v_data_clip_fn, &src, &rp);
        T2V_CHECK(s == T2V_ERR_INVALID, "test images of another size are refused (%s)",
                  t2v_last_error());
        t2v_data_close(wrong);
    }
    t2v_data_close(test);
}

int main(int argc, char **argv)
{
    check_loss_closed_form();
    check_loss_gradient(0.1);
    check_loss_gradient(1.0);
    check_rprec_credit();
    if (argc > 1)
        check_wrong_kind(argv[1]);
    t2v_dataset *train = t2v_test_open_scenes(T2V_SPLIT_TRAIN, SIDE);
    if (!train) {
        printf("# scenes data unavailable (%s): model checks skipped\n", t2v_data_last_error());
        return t2v_test_finish();
    }
    t2v_match *m = check_training(train);
    if (m)
        check_constant_rprec(m);
    t2v_match_free(m);
    t2v_data_close(train);
    return t2v_test_finish();
}
