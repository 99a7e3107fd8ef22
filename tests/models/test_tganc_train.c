/* TGANs-C training and generation, end to end on the tiny preset:
 * D's loss on a fixed batch falls as D trains, a resumed run takes exactly
 * the steps of an uninterrupted one, exported models generate
 * deterministically through the public API (and the same clips as the
 * trainer), and bad captions and bad files give clear errors. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t2v_test.h"
#include "train/tganc/trainer.h"
#include "txt2vid/txt2vid.h"

static char dir[256];
static float aux_words; /* the recipe's word-head weight for tiny_trainer_opts */
static float reader;    /* the recipe's reader weight for tiny_trainer_opts */
static int sprite;      /* tiny_trainer_opts: the generator's sprite layout */
static int bounce;      /* tiny_trainer_opts: with sprite, the bouncing path (2:
                           with its axis gate) */
static int rest = -1;   /* tiny_trainer_opts: >= 0: with sprite, the picture attends to
                           the words and the path reads the rest (1) or S (0); asked
                           for as a switch on resume */

static int data_available(void)
{
    char buf[1024];
    const char *d = t2v_data_cache_dir(NULL, buf, sizeof buf);
    char path[1100];
    snprintf(path, sizeof path, "%s/mnist.t2vg", d ? d : "");
    return d && access(path, R_OK) == 0;
}

static t2v_tganc_trainer *tiny_trainer_opts(const char *resume, int shared_text, float g_ema)
{
    t2v_tganc_recipe rc;
    t2v_tganc_preset("tiny", &rc);
    if (shared_text >= 0)
        rc.shared_text = shared_text;
    rc.g_ema = g_ema;
    rc.aux_words = aux_words;
    rc.reader = reader;
    if (sprite && t2v_tganc_recipe_sprite(&rc) != T2V_OK)
        printf("# sprite layout: %s\n", t2v_last_error());
    rc.gen.path_bounce = sprite ? bounce : 0;
    if (sprite && rest >= 0 && t2v_tganc_recipe_attend(&rc, 0.1f, 1, rest, 0, 0) != T2V_OK)
        printf("# attention: %s\n", t2v_last_error());
    rc.switch_path = rest >= 0;
    t2v_tganc_trainer *tr = NULL;
    if (t2v_tganc_trainer_new(&rc, resume, 2, T2V_DEVICE_AUTO, 0, NULL, NULL, &tr) != T2V_OK)
        printf("# trainer: %s\n", t2v_last_error());
    return tr;
}

static t2v_tganc_trainer *tiny_trainer_text(const char *resume, int shared_text)
{
    return tiny_trainer_opts(resume, shared_text, 0.0f);
}

static t2v_tganc_trainer *tiny_trainer(const char *resume) { return tiny_trainer_opts(resume, -1, 0.0f); }

/* shared_text: after training, G's sentence vectors are D's, bit for bit;
 * with its own encoder they differ. Either way D's encoder has moved. */
static void check_shared_text(void)
{
    static const char *caps[4] = {"digit 3 is moving up and down", "digit 7 is moving left and right",
                                  "digit 0 is moving up and down", "digit 3 is moving left and right"};
    for (int shared = 1; shared >= 0; shared--) {
        t2v_tganc_trainer *tr = tiny_trainer_text(NULL, shared);
        if (!T2V_CHECK(tr != NULL, "tiny trainer builds (shared text %d)", shared))
            return;
        int D = t2v_tganc_trainer_recipe(tr)->gen.text.sent;
        float g[4 * 64], d[4 * 64], d0[4 * 64];
        t2v_status s = t2v_tganc_trainer_sentences(tr, 1, caps, 4, d0);
        t2v_step_stats st;
        for (int i = 0; i < 3 && s == T2V_OK; i++)
            s = t2v_tganc_train_step(tr, &st);
        if (s == T2V_OK) s = t2v_tganc_trainer_sentences(tr, 0, caps, 4, g);
        if (s == T2V_OK) s = t2v_tganc_trainer_sentences(tr, 1, caps, 4, d);
        T2V_CHECK(s == T2V_OK, "sentence vectors of both encoders (%s)",
                  s ? t2v_last_error() : "ok");
        int same = memcmp(g, d, (size_t)4 * D * sizeof(float)) == 0;
        int moved = memcmp(d, d0, (size_t)4 * D * sizeof(float)) != 0;
        T2V_CHECK(moved, "D's encoder trained (shared text %d)", shared);
        if (shared)
            T2V_CHECK(same, "shared text: G's sentence vectors equal D's after 3 steps");
        else
            T2V_CHECK(!same, "own text: G's sentence vectors differ from D's");
        T2V_CHECK(t2v_tganc_trainer_sentences(tr, 0, caps, 5, g) == T2V_ERR_INVALID,
                  "more captions than the batch: %s", t2v_last_error());
        t2v_tganc_trainer_free(tr);
    }
}

static void check_d_learns(void)
{
    t2v_tganc_trainer *tr = tiny_trainer(NULL);
    if (!T2V_CHECK(tr != NULL, "tiny trainer builds"))
        return;
    float before, after;
    t2v_tganc_d_loss_on(tr, 1000, &before);
    t2v_step_stats st;
    int ok = 1;
    for (int i = 0; i < 15 && ok; i++)
        ok = t2v_tganc_train_step(tr, &st) == T2V_OK;
    t2v_tganc_d_loss_on(tr, 1000, &after);
    T2V_CHECK(ok, "15 training steps run");
    T2V_CHECK(after < before - 0.05f, "D loss on a fixed batch falls with training%s: %.4f -> %.4f",
              sprite ? (bounce ? " (sprite layout, bouncing path)" : " (sprite layout)") : "", before, after);
    t2v_tganc_trainer_free(tr);
}

static void check_resume(void)
{
    float a[6][2], b[6][2];
    t2v_step_stats st;
    t2v_tganc_trainer *tr = tiny_trainer(NULL);
    if (!tr)
        return;
    for (int i = 0; i < 6; i++) {
        t2v_tganc_train_step(tr, &st);
        a[i][0] = st.d_loss;
        a[i][1] = st.g_loss;
    }
    t2v_tganc_trainer_free(tr);

    char ckpt[300];
    snprintf(ckpt, sizeof ckpt, "%s/ckpt.gguf", dir);
    tr = tiny_trainer(NULL);
    for (int i = 0; i < 3; i++) {
        t2v_tganc_train_step(tr, &st);
        b[i][0] = st.d_loss;
        b[i][1] = st.g_loss;
    }
    t2v_status s = t2v_tganc_save_checkpoint(tr, ckpt, "test");
    t2v_tganc_trainer_free(tr);
    T2V_CHECK(s == T2V_OK, "checkpoint written (%s)", s ? t2v_last_error() : "ok");
    tr = tiny_trainer(ckpt);
    if (!T2V_CHECK(tr != NULL, "trainer resumes from the checkpoint"))
        return;
    T2V_CHECK(t2v_tganc_trainer_step_count(tr) == 3, "resumed at step %lld",
              (long long)t2v_tganc_trainer_step_count(tr));
    for (int i = 3; i < 6; i++) {
        t2v_tganc_train_step(tr, &st);
        b[i][0] = st.d_loss;
        b[i][1] = st.g_loss;
    }
    t2v_tganc_trainer_free(tr);
    int same = 1;
    for (int i = 0; i < 6; i++)
        same &= a[i][0] == b[i][0] && a[i][1] == b[i][1];
    T2V_CHECK(same, "resume equals uninterrupted%s%s%s: step 6 losses D %.6f/%.6f G %.6f/%.6f",
              aux_words > 0.0f ? " (word heads on)" : "", reader > 0.0f ? " (reader on)" : "",
              sprite ? (bounce ? " (sprite layout, bouncing path)" : " (sprite layout)") : "",
              a[5][0], b[5][0], a[5][1], b[5][1]);
}

/* A tiny run (with an average of G's weights) of 3 steps, checkpointed at
 * path: the run that a switch of the path head starts from. */
static t2v_status three_steps_saved(const char *path)
{
    t2v_step_stats st;
    t2v_tganc_trainer *tr = tiny_trainer_opts(NULL, -1, 0.9f);
    for (int i = 0; tr && i < 3; i++)
        t2v_tganc_train_step(tr, &st);
    t2v_status s = tr ? t2v_tganc_save_checkpoint(tr, path, "test") : T2V_ERR_INVALID;
    t2v_tganc_trainer_free(tr);
    return s;
}

/* Two checkpoints around a switch of the path head: every tensor of the
 * switched one whose name does not start with `fresh` equals the old
 * one's bit for bit; of the fresh ones, the Adam moments are 0, the
 * averages equal the weights, and the output layer's first dimension is
 * `outputs`. Returns the number of fresh tensors, or -1 on a mismatch. */
static int compare_switch(const char *before, const char *after, const char *fresh, int outputs,
                          size_t *kept_out)
{
    t2v_weights *wa = NULL, *wb = NULL;
    int fresh_n = -1;
    if (t2v_weights_open(before, &wa) == T2V_OK && t2v_weights_open(after, &wb) == T2V_OK) {
        size_t n = t2v_weights_tensor_count(wb), kept = 0, bad = 0;
        const size_t prefix = strlen(fresh);
        fresh_n = 0;
        for (size_t i = 0; i < n; i++) {
            t2v_weights_tensor tb, ta;
            t2v_weights_tensor_at(wb, i, &tb);
            if (strncmp(tb.name, fresh, prefix) == 0) {
                fresh_n++;
                const char *at = strchr(tb.name, '@');
                int moment = at && (!strcmp(at, "@m") || !strcmp(at, "@v"));
                int zero = 1;
                for (int64_t k = 0; k < tb.numel; k++)
                    zero &= tb.data[k] == 0.0f;
                bad += (moment && !zero) ||
                       (strncmp(tb.name, T2V_TGANC_PATH_OUT, strlen(T2V_TGANC_PATH_OUT)) == 0 &&
                        tb.shape[0] != outputs);
                if (at && !strcmp(at, "@ema")) { /* the average starts at the weights */
                    char w[128];
                    snprintf(w, sizeof w, "%.*s", (int)(at - tb.name), tb.name);
                    t2v_weights_tensor tw;
                    bad += t2v_weights_find_tensor(wb, w, &tw) != T2V_OK ||
                           memcmp(tw.data, tb.data, (size_t)tb.numel * sizeof(float)) != 0;
                }
                continue;
            }
            kept++;
            bad += t2v_weights_find_tensor(wa, tb.name, &ta) != T2V_OK || ta.numel != tb.numel ||
                   memcmp(ta.data, tb.data, (size_t)tb.numel * sizeof(float)) != 0;
        }
        *kept_out = kept;
        if (bad)
            fresh_n = -1;
    }
    t2v_weights_close(wa);
    t2v_weights_close(wb);
    return fresh_n;
}

/* From a switched checkpoint: 4 steps on, against 2, a checkpoint, and 2
 * more; G's losses in a and b. Returns the trainer of the second run (NULL
 * where one did not build), for its recipe. */
static t2v_tganc_trainer *four_steps_twice(const char *path, float a[4], float b[4])
{
    t2v_step_stats st;
    t2v_tganc_trainer *tr = tiny_trainer_opts(path, -1, 0.9f);
    for (int i = 0; tr && i < 4; i++) {
        t2v_tganc_train_step(tr, &st);
        a[i] = st.g_loss;
    }
    t2v_tganc_trainer_free(tr);
    tr = tiny_trainer_opts(path, -1, 0.9f);
    for (int i = 0; tr && i < 2; i++) {
        t2v_tganc_train_step(tr, &st);
        b[i] = st.g_loss;
    }
    t2v_status s = tr ? t2v_tganc_save_checkpoint(tr, path, "test") : T2V_ERR_INVALID;
    t2v_tganc_trainer_free(tr);
    tr = s == T2V_OK ? tiny_trainer_opts(path, -1, 0.9f) : NULL;
    for (int i = 2; tr && i < 4; i++) {
        t2v_tganc_train_step(tr, &st);
        b[i] = st.g_loss;
    }
    return tr;
}

/* A sprite-layout run of 3 steps with path shape `from` saved at `before`,
 * resumed with shape `to` (NULL where either fails). */
static t2v_tganc_trainer *switched_path(const char *before, int from, int to)
{
    sprite = 1;
    bounce = from;
    t2v_status s = three_steps_saved(before);
    bounce = to;
    return s == T2V_OK ? tiny_trainer_opts(before, -1, 0.9f) : NULL;
}

/* A free-path checkpoint switched to the bouncing path: the switched
 * trainer's checkpoint, before it trains, holds every tensor of the old one
 * bit for bit (weights, Adam moments, averages, D) except the path head's
 * output layer, which is 4 numbers per picture, with zero moments and its
 * average at its weights; the recipe records the step. A run that goes on
 * from there resumes exactly. */
static void check_bounce_switch(void)
{
    char before[300], after[300];
    snprintf(before, sizeof before, "%s/ckpt-free.gguf", dir);
    snprintf(after, sizeof after, "%s/ckpt-bounce.gguf", dir);
    t2v_tganc_trainer *tr = switched_path(before, 0, 1);
    if (!T2V_CHECK(tr != NULL, "a free-path checkpoint resumes with the bouncing path")) {
        sprite = bounce = 0;
        return;
    }
    const t2v_tganc_recipe *r = t2v_tganc_trainer_recipe(tr);
    T2V_CHECK(r->gen.path_bounce == 1 && r->path_bounce_from == 3 &&
                  t2v_tganc_trainer_step_count(tr) == 3,
              "recipe: bouncing from step %lld, at step %lld", (long long)r->path_bounce_from,
              (long long)t2v_tganc_trainer_step_count(tr));
    t2v_status s = t2v_tganc_save_checkpoint(tr, after, "test");
    t2v_tganc_trainer_free(tr);
    size_t kept = 0;
    int fresh = s == T2V_OK ? compare_switch(before, after, T2V_TGANC_PATH_OUT, 4, &kept) : -1;
    T2V_CHECK(fresh == 8, "the switch keeps %zu tensors bit for bit and starts the output "
              "layer's %d afresh (4 outputs, zero moments, average at the weights)", kept,
              fresh);

    float a[4], b[4];
    tr = four_steps_twice(after, a, b);
    T2V_CHECK(tr && t2v_tganc_trainer_recipe(tr)->path_bounce_from == 3 &&
                  memcmp(a, b, sizeof a) == 0,
              "a bouncing run resumes exactly (G's loss at step 7: %.6f / %.6f)", a[3], b[3]);
    t2v_tganc_trainer_free(tr);
    sprite = bounce = 0;
}

/* A bouncing checkpoint given its axis gate: the switched trainer's
 * checkpoint, before it trains, holds every tensor of the old one bit for
 * bit except the path head's output layer, whose rows are the old ones
 * with a row of zeros after each picture's four (weights, bias, Adam
 * moments and averages alike); the recipe records the step. A run that
 * goes on from there resumes exactly. */
static void check_axis_switch(void)
{
    char before[300], after[300];
    snprintf(before, sizeof before, "%s/ckpt-bounce4.gguf", dir);
    snprintf(after, sizeof after, "%s/ckpt-axis.gguf", dir);
    t2v_tganc_trainer *tr = switched_path(before, 1, 2);
    if (!T2V_CHECK(tr != NULL, "a bouncing checkpoint resumes with the axis gate")) {
        sprite = bounce = 0;
        return;
    }
    const t2v_tganc_recipe *r = t2v_tganc_trainer_recipe(tr);
    T2V_CHECK(r->gen.path_bounce == 2 && r->path_axis_from == 3 && r->path_bounce_from == 0,
              "recipe: the axis gate from step %lld", (long long)r->path_axis_from);
    t2v_status s = t2v_tganc_save_checkpoint(tr, after, "test");
    t2v_tganc_trainer_free(tr);
    t2v_weights *wa = NULL, *wb = NULL;
    size_t kept = 0, widened = 0, bad = 0;
    const size_t prefix = strlen(T2V_TGANC_PATH_OUT);
    if (s == T2V_OK && t2v_weights_open(before, &wa) == T2V_OK &&
        t2v_weights_open(after, &wb) == T2V_OK) {
        for (size_t i = 0; i < t2v_weights_tensor_count(wb); i++) {
            t2v_weights_tensor tb, ta;
            t2v_weights_tensor_at(wb, i, &tb);
            if (t2v_weights_find_tensor(wa, tb.name, &ta) != T2V_OK) {
                bad++;
                continue;
            }
            if (strncmp(tb.name, T2V_TGANC_PATH_OUT, prefix) != 0) {
                kept++;
                bad += ta.numel != tb.numel ||
                       memcmp(ta.data, tb.data, (size_t)tb.numel * sizeof(float)) != 0;
                continue;
            }
            widened++;
            int64_t inner = ta.numel / ta.shape[0], groups = ta.shape[0] / 4;
            bad += tb.shape[0] != groups * 5 || tb.numel != groups * 5 * inner;
            for (int64_t g = 0; !bad && g < groups; g++)
                for (int64_t j = 0; j < 5 * inner; j++)
                    bad += tb.data[g * 5 * inner + j] !=
                           (j < 4 * inner ? ta.data[g * 4 * inner + j] : 0.0f);
        }
    } else {
        bad++;
    }
    t2v_weights_close(wa);
    t2v_weights_close(wb);
    T2V_CHECK(bad == 0 && kept > 0 && widened == 8,
              "the gate keeps %zu tensors bit for bit and widens the output layer's %zu (each "
              "picture's 4 rows kept, a row of zeros added; %zu differ)", kept, widened, bad);

    float a[4], b[4];
    tr = four_steps_twice(after, a, b);
    T2V_CHECK(tr && t2v_tganc_trainer_recipe(tr)->path_axis_from == 3 &&
                  memcmp(a, b, sizeof a) == 0,
              "a gated run resumes exactly (G's loss at step 7: %.6f / %.6f)", a[3], b[3]);
    t2v_tganc_trainer_free(tr);
    sprite = bounce = 0;
}

/* A checkpoint whose path reads the sentence vector switched to reading
 * the rest of the caption: the whole path head starts afresh (its first
 * layer now Z + E wide), everything else is kept; the recipe records the
 * step, and asking for the path it already reads switches nothing. */
static void check_path_switch(void)
{
    char before[300], after[300];
    snprintf(before, sizeof before, "%s/ckpt-sentence.gguf", dir);
    snprintf(after, sizeof after, "%s/ckpt-rest.gguf", dir);
    sprite = 1;
    rest = 0;
    t2v_status s = three_steps_saved(before);
    rest = 1;
    t2v_tganc_trainer *tr = s == T2V_OK ? tiny_trainer_opts(before, -1, 0.9f) : NULL;
    if (T2V_CHECK(tr != NULL, "a checkpoint whose path reads S resumes reading the rest")) {
        const t2v_tganc_recipe rc = *t2v_tganc_trainer_recipe(tr), *r = &rc;
        T2V_CHECK(r->gen.path_rest == 1 && r->path_from == 3 && r->path_bounce_from == 0,
                  "recipe: the path reads the rest from step %lld", (long long)r->path_from);
        s = t2v_tganc_save_checkpoint(tr, after, "test");
        t2v_tganc_trainer_free(tr);
        size_t kept = 0;
        int outputs = 2 * r->gen.sprite_frames;
        int fresh = s == T2V_OK ? compare_switch(before, after, T2V_TGANC_PATH, outputs, &kept)
                                : -1;
        T2V_CHECK(fresh == 16, "the switch keeps %zu tensors bit for bit and starts the path "
                  "head's %d afresh (both layers, zero moments, average at the weights)", kept,
                  fresh);
        t2v_weights *w = NULL;
        t2v_weights_tensor l0 = {0};
        int found = t2v_weights_open(after, &w) == T2V_OK &&
                    t2v_weights_find_tensor(w, "gen.path.l0.weight", &l0) == T2V_OK;
        T2V_CHECK(found && l0.shape[1] == r->gen.z_dim + r->gen.text.embed,
                  "the head's first layer reads [z, rest]: %lld wide (z %d + E %d)",
                  (long long)l0.shape[1], r->gen.z_dim, r->gen.text.embed);
        t2v_weights_close(w);
        tr = tiny_trainer_opts(after, -1, 0.9f); /* already reading the rest */
        T2V_CHECK(tr && t2v_tganc_trainer_recipe(tr)->path_from == 3,
                  "asking again for the path it reads switches nothing");
        t2v_tganc_trainer_free(tr);
    }
    sprite = 0;
    rest = -1;
}

/* Word heads: at initialisation every word's logit is near 0, so each
 * head's term is about K ln 2 per item for the K words it scores: sbmg's
 * captions ("digit 3 is moving up and down") all hold "digit", "is",
 * "moving", "and", which leaves the ten digits and "up", "down", "left",
 * "right". The parts add up to D's and G's losses; D's word term falls as
 * it trains. */
static void check_word_heads(void)
{
    aux_words = 1.0f;
    t2v_tganc_trainer *tr = tiny_trainer(NULL);
    if (!T2V_CHECK(tr != NULL, "tiny trainer with word heads builds")) {
        aux_words = 0.0f;
        return;
    }
    const int K = 14;
    t2v_step_stats st;
    float first = 0.0f;
    int sums = 1, ok = 1;
    for (int i = 0; i < 30 && ok; i++) {
        ok = t2v_tganc_train_step(tr, &st) == T2V_OK;
        if (i == 0)
            first = st.d_words;
        sums &= fabsf(st.d_loss - (st.d_video + st.d_frame + st.d_motion + st.d_words)) <
                    1e-4f * (1.0f + fabsf(st.d_loss)) &&
                fabsf(st.g_loss - (st.g_video + st.g_frame + st.g_motion + st.tc + st.ms +
                                   st.g_words)) < 1e-4f * (1.0f + fabsf(st.g_loss));
    }
    double chance = 2.0 * K * log(2.0);
    T2V_CHECK(ok && fabs(first - chance) < 0.03 * chance,
              "step 1: D's word terms %.3f, two heads x %d scored words x ln 2 = %.3f", first, K,
              chance);
    T2V_CHECK(ok && st.g_words > 0.0f && sums, "D's and G's losses are the sums of their parts, "
              "word terms included (G's %.3f at step 30)", st.g_words);
    T2V_CHECK(ok && st.d_words < first - 0.1f, "D's word terms fall with training: %.3f -> %.3f",
              first, st.d_words);
    t2v_tganc_trainer_free(tr);
    check_resume();
    aux_words = 0.0f;
}

/* The word reader: a network of its own, so D's loss is still the sum of
 * D's parts and the reader's term on real frames starts at K ln 2 (its
 * head's logits start at 0) and falls as it learns; G's loss adds the
 * weighted term on its frames (2 K ln 2 at weight 2 before the reader has
 * learned anything). Resume is exact with it on; added to a checkpoint
 * that has none, it starts fresh at the checkpoint's step, and that step's
 * D update is the one the run without it takes. */
static void check_reader(void)
{
    const int K = 14;
    const double chance = K * log(2.0);
    reader = 2.0f;
    t2v_tganc_trainer *tr = tiny_trainer(NULL);
    if (!T2V_CHECK(tr != NULL, "tiny trainer with a reader builds")) {
        reader = 0.0f;
        return;
    }
    t2v_step_stats st;
    float first = 0.0f, first_g = 0.0f;
    int sums = 1, ok = 1;
    for (int i = 0; i < 40 && ok; i++) {
        ok = t2v_tganc_train_step(tr, &st) == T2V_OK;
        if (i == 0) {
            first = st.d_reader;
            first_g = st.g_reader;
        }
        sums &= fabsf(st.d_loss - (st.d_video + st.d_frame + st.d_motion)) <
                    1e-4f * (1.0f + fabsf(st.d_loss)) &&
                fabsf(st.g_loss - (st.g_video + st.g_frame + st.g_motion + st.tc + st.ms +
                                   st.g_reader)) < 1e-4f * (1.0f + fabsf(st.g_loss));
    }
    T2V_CHECK(ok && fabs(first - chance) < 0.03 * chance,
              "step 1: the reader's term on real frames %.3f, %d scored words x ln 2 = %.3f",
              first, K, chance);
    T2V_CHECK(ok && fabs(first_g - 2.0 * chance) < 0.03 * 2.0 * chance,
              "step 1: G's reader term at weight 2 is %.3f, 2 x %.3f", first_g, chance);
    T2V_CHECK(ok && sums, "D's loss is D's parts alone, G's adds the reader's term");
    T2V_CHECK(ok && st.d_reader < first - 0.5f, "the reader learns: %.3f -> %.3f", first,
              st.d_reader);
    t2v_tganc_trainer_free(tr);
    check_resume();

    /* joining a run at a checkpoint */
    char ckpt[300];
    snprintf(ckpt, sizeof ckpt, "%s/ckpt-reader.gguf", dir);
    reader = 0.0f;
    float plain_d = 0.0f;
    tr = tiny_trainer(NULL);
    for (int i = 0; tr && i < 4; i++)
        t2v_tganc_train_step(tr, &st);
    plain_d = st.d_loss;
    t2v_tganc_trainer_free(tr);
    tr = tiny_trainer(NULL);
    for (int i = 0; tr && i < 3; i++)
        t2v_tganc_train_step(tr, &st);
    t2v_status s = tr ? t2v_tganc_save_checkpoint(tr, ckpt, "test") : T2V_ERR_INVALID;
    t2v_tganc_trainer_free(tr);
    reader = 2.0f;
    tr = tiny_trainer(s == T2V_OK ? ckpt : "/nonexistent");
    if (T2V_CHECK(tr != NULL, "a reader joins a run at its checkpoint")) {
        const t2v_tganc_recipe *r = t2v_tganc_trainer_recipe(tr);
        T2V_CHECK(r->reader == 2.0f && r->reader_from == 3, "recipe: reader %g from step %lld",
                  (double)r->reader, (long long)r->reader_from);
        ok = t2v_tganc_train_step(tr, &st) == T2V_OK;
        T2V_CHECK(ok && st.d_loss == plain_d && fabs(st.d_reader - chance) < 0.03 * chance,
                  "step 4: D's loss %.6f as without a reader (%.6f), the fresh reader's term %.3f",
                  st.d_loss, plain_d, st.d_reader);
        s = t2v_tganc_save_checkpoint(tr, ckpt, "test");
        t2v_tganc_trainer_free(tr);
        reader = 0.0f; /* the checkpoint's recipe keeps it */
        tr = tiny_trainer(s == T2V_OK ? ckpt : "/nonexistent");
        T2V_CHECK(tr && t2v_tganc_trainer_recipe(tr)->reader == 2.0f &&
                      t2v_tganc_trainer_recipe(tr)->reader_from == 3,
                  "a checkpoint with a reader resumes with it, from step 3");
    }
    t2v_tganc_trainer_free(tr);
    reader = 0.0f;
}

/* With an average of G's weights: the checkpoint carries it, so the
 * averaged generator of a resumed run draws what the uninterrupted one
 * draws; and it draws something else than the last weights. */
static void check_resume_ema(void)
{
    static const char *caps[2] = {"digit 3 is moving up and down", "digit 7 is moving left and right"};
    enum { LEN = 2 * 16 * 64 * 64 };
    float *a = malloc(LEN * sizeof *a), *b = malloc(LEN * sizeof *b), *raw = malloc(LEN * sizeof *raw);
    t2v_step_stats st;
    char ckpt[300];
    snprintf(ckpt, sizeof ckpt, "%s/ckpt-ema.gguf", dir);
    t2v_tganc_trainer *tr = tiny_trainer_opts(NULL, -1, 0.9f);
    if (!a || !b || !raw || !tr)
        goto out;
    for (int i = 0; i < 6; i++)
        t2v_tganc_train_step(tr, &st);
    T2V_CHECK(t2v_tganc_trainer_sample(tr, caps, 2, 5, 1, raw) == T2V_OK, "sample, trained weights");
    T2V_CHECK(t2v_tganc_trainer_swap_ema(tr) == 1, "the run keeps an average");
    T2V_CHECK(t2v_tganc_trainer_sample(tr, caps, 2, 5, 1, a) == T2V_OK, "sample, averaged weights");
    T2V_CHECK(memcmp(a, raw, LEN * sizeof *a) != 0, "the average draws other clips");
    t2v_tganc_trainer_free(tr);

    tr = tiny_trainer_opts(NULL, -1, 0.9f);
    for (int i = 0; i < 3; i++)
        t2v_tganc_train_step(tr, &st);
    t2v_status s = t2v_tganc_save_checkpoint(tr, ckpt, "test");
    t2v_tganc_trainer_free(tr);
    tr = tiny_trainer_opts(s == T2V_OK ? ckpt : "/nonexistent", -1, 0.0f);
    if (!T2V_CHECK(tr != NULL, "resumes from a checkpoint with an average"))
        goto out;
    T2V_CHECK(t2v_tganc_trainer_recipe(tr)->g_ema == 0.9f, "the checkpoint's recipe keeps decay 0.9");
    for (int i = 3; i < 6; i++)
        t2v_tganc_train_step(tr, &st);
    t2v_tganc_trainer_swap_ema(tr);
    T2V_CHECK(t2v_tganc_trainer_sample(tr, caps, 2, 5, 1, b) == T2V_OK &&
                  memcmp(a, b, LEN * sizeof *a) == 0,
              "resumed average equals the uninterrupted one, bit for bit");
    T2V_CHECK(t2v_tganc_trainer_set_ema(tr, 0.5f) == T2V_ERR_INVALID,
              "no decay change while the average is in place");
    t2v_tganc_trainer_swap_ema(tr);
    T2V_CHECK(t2v_tganc_trainer_set_ema(tr, 0.0f) == T2V_OK && t2v_tganc_trainer_swap_ema(tr) == 0,
              "decay 0 drops the average");
out:
    t2v_tganc_trainer_free(tr);
    free(a);
    free(b);
    free(raw);
}

/* With the mode-seeking term on, steps whose batch holds two clips of one
 * caption add it to G's loss (positive), and the loss still adds up. */
static void check_mode_seeking(void)
{
    t2v_tganc_recipe rc;
    t2v_tganc_preset("tiny", &rc);
    rc.lambda_ms = 1.0f;
    t2v_tganc_trainer *tr = NULL;
    if (!T2V_CHECK(t2v_tganc_trainer_new(&rc, NULL, 1, T2V_DEVICE_AUTO, 0, NULL, NULL, &tr) ==
                       T2V_OK,
                   "tiny trainer with the mode-seeking term builds"))
        return;
    int with = 0, sums = 1;
    t2v_step_stats st;
    for (int i = 0; i < 12; i++) {
        if (t2v_tganc_train_step(tr, &st) != T2V_OK)
            break;
        with += st.ms > 0.0f;
        sums &= fabsf(st.g_loss - (st.g_video + st.g_frame + st.g_motion + st.tc + st.ms)) <
                1e-4f * (1.0f + fabsf(st.g_loss));
    }
    T2V_CHECK(with > 0 && sums, "mode-seeking term in G's loss on %d of 12 steps; parts add up",
              with);
    t2v_tganc_trainer_free(tr);
}

static int frames_equal(t2v_generator *g1, t2v_generator *g2, uint64_t first, int n, size_t len)
{
    for (int i = 0; i < n; i++) {
        const float *f1, *f2;
        if (t2v_generator_frame(g1, first + i, &f1) != T2V_OK)
            return 0;
        float *copy = malloc(len * sizeof *copy);
        memcpy(copy, f1, len * sizeof *copy);
        int same = t2v_generator_frame(g2, first + i, &f2) == T2V_OK &&
                   memcmp(copy, f2, len * sizeof *copy) == 0;
        free(copy);
        if (!same)
            return 0;
    }
    return 1;
}

static void check_generation(void)
{
    t2v_tganc_trainer *tr = tiny_trainer(NULL);
    if (!tr)
        return;
    t2v_step_stats st;
    for (int i = 0; i < 4; i++)
        t2v_tganc_train_step(tr, &st);
    char model[300];
    snprintf(model, sizeof model, "%s/model.gguf", dir);
    T2V_CHECK(t2v_tganc_export(tr, model, "test", NULL, NULL, 0) == T2V_OK, "model exported");
    const char *cap = "digit 3 is moving up and down";
    float *from_trainer = malloc(16 * 64 * 64 * sizeof(float));
    t2v_tganc_trainer_sample(tr, &cap, 1, 42, 0, from_trainer);
    t2v_tganc_trainer_free(tr);

    t2v_model *m;
    if (!T2V_CHECK(t2v_model_load(model, &m) == T2V_OK, "exported model loads (%s)",
                   t2v_last_error())) {
        free(from_trainer);
        return;
    }
    t2v_model_info mi;
    t2v_model_get_info(m, &mi);
    T2V_CHECK(mi.kind == T2V_MODEL_VIDEO && mi.frames == 16 && mi.width == 64 &&
                  mi.height == 64 && mi.channels == 1,
              "model info: video, 16 frames of 64x64 grey (%d, %dx%d, %d channels)", mi.frames,
              mi.width, mi.height, mi.channels);
    t2v_generator_opts o;
    t2v_generator_opts_init(&o);
    o.device = T2V_DEVICE_CPU;
    t2v_generator *g1, *g2;
    t2v_generator_new(m, &o, &g1);
    o.threads = 1;
    t2v_generator_new(m, &o, &g2);
    t2v_caption_report rep;
    t2v_status s = t2v_generator_set_caption(g1, cap, &rep);
    T2V_CHECK(s == T2V_OK && rep.words == 7 && rep.unknown == 0,
              "caption encodes to %d known words of 7", rep.words - rep.unknown);
    t2v_generator_set_caption(g2, cap, NULL);
    t2v_generator_set_seed(g1, 42);
    t2v_generator_set_seed(g2, 42);
    size_t len = 64 * 64;
    T2V_CHECK(frames_equal(g1, g2, 0, 32, len),
              "same caption and seed give the same frames, byte for byte (2 and 1 threads, "
              "2 clips)");
    const float *f;
    int match = 1;
    for (int t = 0; t < 16 && match; t++) {
        t2v_generator_frame(g1, (uint64_t)t, &f);
        for (size_t i = 0; i < len && match; i++)
            match = fabsf(f[i] - from_trainer[(size_t)t * len + i]) < 1e-5f;
    }
    T2V_CHECK(match, "the API's clip 0 equals the trainer's sample for the same seed");
    /* seeking: a frame depends only on its index */
    const float *late;
    t2v_generator_frame(g1, 37, &late);
    float *copy = malloc(len * sizeof *copy);
    memcpy(copy, late, len * sizeof *copy);
    t2v_generator_frame(g1, 3, &f);
    t2v_generator_frame(g1, 37, &late);
    T2V_CHECK(memcmp(copy, late, len * sizeof *copy) == 0, "frame 37 is the same after a seek");
    t2v_generator_set_seed(g2, 43);
    t2v_generator_frame(g2, 37, &f);
    T2V_CHECK(memcmp(copy, f, len * sizeof *copy) != 0, "another seed gives another frame");
    T2V_CHECK(t2v_generator_next_boundary(g1, 37) == 48 && t2v_generator_next_boundary(g1, 0) == 16,
              "clip boundaries every 16 frames");
    free(copy);

    /* captions */
    T2V_CHECK(t2v_generator_set_caption(g1, "", &rep) == T2V_ERR_INVALID, "empty caption: %s",
              t2v_last_error());
    T2V_CHECK(t2v_generator_set_caption(g1, " ,.! ", &rep) == T2V_ERR_INVALID,
              "caption of punctuation only: %s", t2v_last_error());
    T2V_CHECK(t2v_generator_set_caption(g1, "digit \xff\xfe 3", &rep) == T2V_ERR_INVALID,
              "non-UTF-8 caption: %s", t2v_last_error());
    s = t2v_generator_set_caption(g1, "zebra quantum", &rep);
    T2V_CHECK(s == T2V_OK && rep.unknown == 2 && strcmp(rep.unknown_list, "zebra quantum") == 0,
              "only unknown words: generation goes on, report names them ('%s')",
              rep.unknown_list);
    T2V_CHECK(t2v_generator_frame(g1, 0, &f) == T2V_OK, "frames from an all-unknown caption");
    char *huge = malloc(10001);
    for (int i = 0; i < 10000; i++)
        huge[i] = i % 6 == 5 ? ' ' : 'a' + i % 5;
    huge[10000] = '\0';
    s = t2v_generator_set_caption(g1, huge, &rep);
    T2V_CHECK(s == T2V_OK && rep.words == mi.max_words && rep.truncated == 1667 - mi.max_words,
              "10,000-character caption truncated to %d words (%d dropped)", rep.words,
              rep.truncated);
    free(huge);
    t2v_generator_free(g1);
    t2v_generator_free(g2);
    t2v_model_unref(m);

    /* files */
    T2V_CHECK(t2v_model_load("/nonexistent/model.gguf", &m) == T2V_ERR_IO,
              "missing model: %s", t2v_last_error());
    char bad[300];
    snprintf(bad, sizeof bad, "%s/corrupt.gguf", dir);
    FILE *fp = fopen(bad, "wb");
    fwrite("GGUF\3\0\0\0garbage", 1, 15, fp);
    fclose(fp);
    T2V_CHECK(t2v_model_load(bad, &m) == T2V_ERR_FORMAT, "corrupt model: %s", t2v_last_error());
    t2v_weights_writer *wr;
    t2v_weights_writer_new(&wr);
    t2v_weights_writer_add_str(wr, T2V_KEY_ARCHITECTURE, "llama");
    t2v_weights_writer_write(wr, bad);
    t2v_weights_writer_free(wr);
    T2V_CHECK(t2v_model_load(bad, &m) == T2V_ERR_FORMAT, "model of another kind: %s",
              t2v_last_error());
    free(from_trainer);
}

int main(void)
{
    if (!data_available()) {
        printf("skip - TGANs-C training tests: no MNIST cache (run scripts/fetch-data.sh)\n");
        return 77;
    }
    snprintf(dir, sizeof dir, "/tmp/t2v-train-test-%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0)
        return 1;
    check_d_learns();
    check_shared_text();
    check_resume();
    check_resume_ema();
    check_mode_seeking();
    check_word_heads();
    check_reader();
    check_generation();
    sprite = 1; /* the sprite layout trains and resumes as the clip layout does */
    check_d_learns();
    check_resume();
    bounce = 1; /* and with the bouncing path */
    check_d_learns();
    check_resume();
    sprite = bounce = 0;
    check_bounce_switch();
    check_axis_switch();
    check_path_switch();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return t2v_test_finish();
}
