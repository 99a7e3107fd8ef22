/* The word head (train/common/word_head.h) against a double-precision
 * reference written here, grid-averaged and flat: the targets (bag of
 * words, <pad> and <unk> left out, one row per item of a clip), the loss,
 * and the gradients of features and parameters against central
 * differences of the reference. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "t2v_test.h"
#include "train/common/word_head.h"

enum { N = 3, P = 2, M = N * P, C = 5, L = 4, V = 7, W = 6, FIRST = 2 };

static const int32_t ids[N * W] = {2, 3, 4, 5, 0, 0,   /* four words */
                                   6, 1, 6, 3, 2, 0,   /* a repeat and an <unk> */
                                   3, 4, 0, 0, 0, 6};  /* past the length: ignored */
static const int lens[N] = {4, 5, 2};
/* scored: words some but not all captions hold; 3 is in all three, 0 and
 * 1 are never targets */
static const int keep[V] = {0, 0, 1, 0, 1, 1, 1};

/* targets[m][v] of the reference */
static void ref_targets(double t[M][V])
{
    memset(t, 0, sizeof(double) * M * V);
    for (int n = 0; n < N; n++)
        for (int k = 0; k < lens[n]; k++)
            if (ids[n * W + k] >= FIRST)
                for (int p = 0; p < P; p++)
                    t[n * P + p][ids[n * W + k]] = 1.0;
}

static int flat; /* the mode under test */

/* item m's input to the linear layer: grid means (C) or all features (C*L) */
static int ref_input(const double *feat, int m, double *x)
{
    if (flat) {
        for (int i = 0; i < C * L; i++)
            x[i] = feat[m * C * L + i];
        return C * L;
    }
    for (int c = 0; c < C; c++) {
        x[c] = 0.0;
        for (int l = 0; l < L; l++)
            x[c] += feat[(m * C + c) * L + l] / L;
    }
    return C;
}

/* item m, word v: its logit */
static double ref_logit(const double *feat, const double *w, const double *b, int m, int v)
{
    double in[C * L];
    int n = ref_input(feat, m, in);
    double x = b[v];
    for (int i = 0; i < n; i++)
        x += w[v * n + i] * in[i];
    return x;
}

/* weight / M * sum over items and words of BCE(logit, t) */
static double ref_loss(const double *feat, const double *w, const double *b, double t[M][V],
                       double weight)
{
    double sum = 0.0;
    for (int m = 0; m < M; m++) {
        for (int v = 0; v < V; v++) {
            double x = ref_logit(feat, w, b, m, v);
            /* log(1 + e^x) - t x, computed stably */
            if (keep[v])
                sum += fmax(x, 0.0) + log1p(exp(-fabs(x))) - t[m][v] * x;
        }
    }
    return weight / M * sum;
}

/* out[i] = 2 x the central difference of the loss in x[i] (x is one of
 * feat, w, b) */
static void fd_twice(double *x, int n, const double *feat, const double *w, const double *b,
                     double t[M][V], double weight, double *out)
{
    const double eps = 1e-4;
    for (int i = 0; i < n; i++) {
        double keep = x[i];
        x[i] = keep + eps;
        double up = ref_loss(feat, w, b, t, weight);
        x[i] = keep - eps;
        double down = ref_loss(feat, w, b, t, weight);
        x[i] = keep;
        out[i] = 2.0 * (up - down) / (2 * eps);
    }
}

static int get(t2v_backend *be, float *host, const float *dev, size_t n)
{
    return t2v_backend_download(be, host, dev, n * sizeof(float)) == T2V_OK;
}

static void run_mode(t2v_backend *be)
{
    const char *mode = flat ? "flat" : "grid mean";
    const int IN = flat ? C * L : C;
    printf("# %s\n", mode);
    t2v_params ps;
    t2v_params_init(&ps, be);
    t2v_word_head h;
    T2V_CHECK(t2v_word_head_declare(&h, 0, L, V, flat, &ps, "x") == T2V_ERR_INVALID,
              "zero channels refused: %s", t2v_last_error());
    T2V_CHECK(t2v_word_head_declare(&h, C, L, V, flat, &ps, "disc.words") == T2V_OK, "declared");
    T2V_CHECK(ps.count == 2 && !strcmp(ps.items[0].name, "disc.words.weight") &&
                  ps.items[0].t.shape[0] == V && ps.items[0].t.shape[1] == IN &&
                  !strcmp(ps.items[1].name, "disc.words.bias"),
              "parameters: weight (%d, %d) and bias (%d)", V, IN, V);
    T2V_CHECK(t2v_params_allocate(&ps, 0) == T2V_OK, "parameters allocated");
    t2v_arena arena;
    t2v_plan p = {.arena = &arena, .N = N, .training = 1, .status = T2V_OK};
    t2v_arena_measure(&arena, be);
    t2v_word_head_plan(&h, &p, N, P);
    T2V_CHECK(t2v_arena_commit(&arena) == T2V_OK, "arena committed");
    t2v_word_head_plan(&h, &p, N, P);
    T2V_CHECK(p.status == T2V_OK && h.M == M, "planned for %d items", h.M);
    T2V_CHECK(t2v_word_head_init(&h, be, &ps, 7, 1) == T2V_OK, "initialised");

    /* weights and features drawn here, large enough that logits spread */
    double w[V * C * L], b[V], feat[M * C * L], t[M][V];
    float wf[V * C * L], bf[V], ff[M * C * L];
    for (int i = 0; i < V * IN; i++) wf[i] = (float)(w[i] = 0.3 * sin(1.3 * i + 0.2));
    for (int i = 0; i < V; i++) bf[i] = (float)(b[i] = 0.2 * cos(0.9 * i));
    for (int i = 0; i < M * C * L; i++) ff[i] = (float)(feat[i] = 1.5 * sin(0.37 * i * i + 0.1));
    t2v_backend_upload(be, t2v_pdata(&ps, h.w), wf, (size_t)V * IN * sizeof(float));
    t2v_backend_upload(be, t2v_pdata(&ps, h.b), bf, sizeof bf);
    float *feat_dev = t2v_backend_alloc(be, sizeof ff);
    float *dfeat_dev = t2v_backend_alloc(be, sizeof ff);
    t2v_backend_upload(be, feat_dev, ff, sizeof ff);

    T2V_CHECK(t2v_word_head_set_targets(&h, be, ids, lens, N + 1, W) == T2V_ERR_INVALID,
              "captions that do not fill the items refused: %s", t2v_last_error());
    T2V_CHECK(t2v_word_head_set_targets(&h, be, ids, lens, N, W) == T2V_OK, "targets set");
    T2V_CHECK(t2v_word_head_keep_informative(&h, be, ids, lens, N, W) == T2V_OK &&
                  h.kept == 4,
              "4 words scored: the one every caption holds and the ones none holds left out "
              "(%d)", h.kept);
    ref_targets(t);
    float tg[M * V];
    get(be, tg, h.target, M * V);
    int same = 1;
    for (int m = 0; m < M; m++)
        for (int v = 0; v < V; v++)
            same &= tg[m * V + v] == (float)t[m][v];
    T2V_CHECK(same, "targets: bag of words, <pad>/<unk> out, repeats once, past length ignored, "
                    "one row per item");

    /* loss and gradients, twice accumulated into dfeat and the parameter gradients */
    const double weight = 0.7;
    float zeros[M * C * L] = {0};
    t2v_backend_upload(be, dfeat_dev, zeros, sizeof zeros);
    t2v_params_zero_grad(&ps);
    float loss = t2v_word_head_term(&h, be, &ps, feat_dev, dfeat_dev, (float)weight, 1);
    double want = ref_loss(feat, w, b, t, weight);
    T2V_CHECK(t2v_close(loss, want, 1e-5, 1e-5), "loss %.6f equals the reference %.6f", loss, want);
    float loss2 = t2v_word_head_term(&h, be, &ps, feat_dev, dfeat_dev, (float)weight, 1);
    T2V_CHECK(loss2 == loss, "the same loss again");

    float gf[M * C * L], gw[V * C * L], gb[V];
    get(be, gf, dfeat_dev, M * C * L);
    get(be, gw, t2v_pgrad(&ps, h.w), (size_t)V * IN);
    get(be, gb, t2v_pgrad(&ps, h.b), V);
    double fd_f[M * C * L], fd_w[V * C * L], fd_b[V];
    /* twice the central difference: the head ran twice, accumulating */
    fd_twice(feat, M * C * L, feat, w, b, t, weight, fd_f);
    fd_twice(w, V * IN, feat, w, b, t, weight, fd_w);
    fd_twice(b, V, feat, w, b, t, weight, fd_b);
    t2v_check_arrays(gf, fd_f, M * C * L, 1e-5, 1e-3, "feature gradient (accumulated twice) "
                                                      "against central differences");
    t2v_check_arrays(gw, fd_w, V * IN, 1e-5, 1e-3, "weight gradient against central differences");
    t2v_check_arrays(gb, fd_b, V, 1e-5, 1e-3, "bias gradient against central differences");

    /* the generator's use: no parameter gradients */
    t2v_params_zero_grad(&ps);
    t2v_word_head_term(&h, be, &ps, feat_dev, dfeat_dev, (float)weight, 0);
    get(be, gw, t2v_pgrad(&ps, h.w), (size_t)V * IN);
    double norm = 0.0;
    for (int i = 0; i < V * IN; i++) norm += fabs(gw[i]);
    T2V_CHECK(norm == 0.0, "param_grads 0 leaves the parameter gradients alone");

    /* accuracy: the share of (item, word) decisions at logit 0 */
    float acc = t2v_word_head_accuracy(&h, be, &ps, feat_dev);
    int right = 0;
    for (int m = 0; m < M; m++)
        for (int v = 0; v < V; v++)
            right += keep[v] && (ref_logit(feat, w, b, m, v) > 0.0) == (t[m][v] > 0.5);
    T2V_CHECK(fabsf(acc - (float)right / (M * 4)) < 1e-6f,
              "accuracy %.4f = %d of %d decisions on scored words", acc, right, M * 4);

    t2v_backend_free(be, feat_dev);
    t2v_backend_free(be, dfeat_dev);
    t2v_word_head_free(&h);
    t2v_arena_release(&arena);
    t2v_params_free(&ps);
}

int main(void)
{
    t2v_backend *be;
    if (!T2V_CHECK(t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) == T2V_OK, "CPU backend"))
        return t2v_test_finish();
    for (flat = 0; flat < 2; flat++)
        run_mode(be);
    t2v_backend_close(be);
    return t2v_test_finish();
}
