/* StackGAN training and sampling, end to end on the tiny preset (16 -> 64
 * px): each stage's D loss on a fixed batch falls as D trains, a resumed
 * run takes exactly the steps of an uninterrupted one, an exported model
 * holds both stages and samples deterministically through the engine's
 * entry point (the same images as the trainer), and a folder of the user's
 * captioned PNGs trains both stages. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/backend.h"
#include "io/params_io.h"
#include "models/stackgan_io.h"
#include "t2v_test.h"
#include "txt2vid/txt2vid.h"
#include "text/tokenizer.h"
#include "train/media/media.h"
#include "train/stackgan/sg_trainer.h"

static char dir[256];
static float aux_words; /* the recipe's word-head weight for tiny_text */
static float reader;    /* the recipe's reader weight for tiny_text */
static int layered;     /* the recipe's Stage-I layout for tiny_text */
static float object_d;  /* the recipe's object discriminator weight for tiny_text */
static float swap_miss; /* the recipe's share of role swaps for tiny_text */

static int data_available(void)
{
    char buf[1024], path[1100];
    const char *d = t2v_data_cache_dir(NULL, buf, sizeof buf);
    snprintf(path, sizeof path, "%s/mnist.t2vg", d ? d : "");
    int ok = d && access(path, R_OK) == 0;
    snprintf(path, sizeof path, "%s/fashion-mnist.t2vg", d ? d : "");
    return ok && access(path, R_OK) == 0;
}

static t2v_sg_trainer *tiny_text(const char *data, const char *resume, int shared_text)
{
    t2v_sg_recipe rc;
    t2v_sg_preset("tiny", &rc);
    if (shared_text >= 0)
        rc.shared_text = shared_text;
    rc.aux_words = aux_words;
    rc.reader = reader;
    rc.gen.layered = layered;
    rc.object_d = object_d;
    rc.swap_miss = swap_miss;
    rc.gen.layer_side = layered ? 12 : 0; /* a picture smaller than the 16x16 frame */
    if (data)
        snprintf(rc.data, sizeof rc.data, "%s", data);
    t2v_sg_trainer *tr = NULL;
    if (t2v_sg_trainer_new(&rc, resume, 1, T2V_DEVICE_AUTO, 0, NULL, NULL, &tr) != T2V_OK)
        printf("# trainer: %s\n", t2v_last_error());
    return tr;
}

static t2v_sg_trainer *tiny(const char *data, const char *resume)
{
    return tiny_text(data, resume, -1);
}

static int run_steps(t2v_sg_trainer *tr, int stage, int n, float (*losses)[2])
{
    t2v_sg_stats st;
    for (int i = 0; i < n; i++) {
        if (t2v_sg_train_step(tr, stage, &st) != T2V_OK) {
            printf("# step: %s\n", t2v_last_error());
            return 0;
        }
        if (losses) {
            losses[i][0] = st.d_loss;
            losses[i][1] = st.g_loss;
        }
    }
    return 1;
}

static void check_d_learns(void)
{
    t2v_sg_trainer *tr = tiny(NULL, NULL);
    if (!T2V_CHECK(tr != NULL, "tiny StackGAN trainer builds on scenes (16 and 64 px)"))
        return;
    for (int stage = 1; stage <= 2; stage++) {
        float before, after;
        t2v_sg_d_loss_on(tr, stage, 1000, &before);
        int ok = run_steps(tr, stage, 15, NULL);
        t2v_sg_d_loss_on(tr, stage, 1000, &after);
        T2V_CHECK(ok && after < before - 0.05f,
                  "Stage-%s D loss on a fixed batch falls with 15 steps: %.4f -> %.4f",
                  stage == 1 ? "I" : "II", before, after);
    }
    t2v_sg_trainer_free(tr);
}

static void check_resume(void)
{
    float a[10][2], b[10][2];
    t2v_sg_trainer *tr = tiny(NULL, NULL);
    if (!tr)
        return;
    /* as the CLI: Stage I's standing statistics before Stage II, and the
     * stage's own before every checkpoint the CLI writes at a stop */
    run_steps(tr, 1, 4, a);
    t2v_sg_standing_stats(tr, 1, 3);
    run_steps(tr, 2, 3, a + 4);
    t2v_sg_trainer_free(tr);

    char ckpt[300];
    snprintf(ckpt, sizeof ckpt, "%s/ckpt.gguf", dir);
    tr = tiny(NULL, NULL);
    run_steps(tr, 1, 4, b);
    t2v_sg_standing_stats(tr, 1, 3);
    run_steps(tr, 2, 1, b + 4);
    t2v_status s = t2v_sg_standing_stats(tr, 2, 3);
    if (s == T2V_OK)
        s = t2v_sg_save_checkpoint(tr, ckpt, "test");
    t2v_sg_trainer_free(tr);
    T2V_CHECK(s == T2V_OK, "checkpoint written (%s)", s ? t2v_last_error() : "ok");
    tr = tiny(NULL, ckpt);
    if (!T2V_CHECK(tr != NULL, "trainer resumes from the checkpoint"))
        return;
    T2V_CHECK(t2v_sg_trainer_step_count(tr, 1) == 4 && t2v_sg_trainer_step_count(tr, 2) == 1,
              "resumed at Stage-I step %lld, Stage-II step %lld",
              (long long)t2v_sg_trainer_step_count(tr, 1),
              (long long)t2v_sg_trainer_step_count(tr, 2));
    run_steps(tr, 2, 2, b + 5);
    t2v_sg_trainer_free(tr);
    int same = 1;
    for (int i = 0; i < 7; i++)
        same &= a[i][0] == b[i][0] && a[i][1] == b[i][1];
    T2V_CHECK(same, "resume equals uninterrupted%s: last Stage-II losses D %.6f/%.6f G %.6f/%.6f",
              aux_words > 0.0f ? " (word heads on)" : reader > 0.0f ? " (readers on)"
              : object_d > 0.0f ? " (glyph Stage I with the object discriminator)"
              : layered == 2 ? " (glyph Stage I, 12x12 alpha picture)"
              : layered ? " (layered Stage I, 12x12 object picture)" : "",
              a[6][0], b[6][0], a[6][1], b[6][1]);
}

static t2v_sg_trainer *new_stage2(const char *ckpt, int residual)
{
    t2v_sg_trainer *tr = NULL;
    if (t2v_sg_trainer_new_stage2(ckpt, residual, 0, 1, T2V_DEVICE_AUTO, 0, NULL, NULL, &tr) !=
        T2V_OK)
        printf("# new Stage II: %s\n", t2v_last_error());
    return tr;
}

/* Two captions and the sizes of their images at both stages (tiny preset). */
static const char *caps[2] = {"a small red digit 0 in the upper left on a green background",
                              "a large white bag at the top on a blue background"};
enum { N1 = 2 * 3 * 16 * 16, N2 = 2 * 3 * 64 * 64 };

/* A new Stage II on a trained Stage I (t2v_sg_trainer_new_stage2): the
 * checkpoint's Stage I exactly, Stage II at step 0; residual, it starts at
 * Stage I's images upsampled, then learns a correction; it resumes
 * exactly. */
static void check_new_stage2(void)
{
    char ckpt[300], ckpt2[300];
    snprintf(ckpt, sizeof ckpt, "%s/stage1.gguf", dir);
    snprintf(ckpt2, sizeof ckpt2, "%s/stage2.gguf", dir);
    t2v_sg_trainer *tr = tiny(NULL, NULL);
    if (!tr)
        return;
    run_steps(tr, 1, 4, NULL);
    t2v_sg_standing_stats(tr, 1, 3);
    run_steps(tr, 2, 2, NULL); /* a Stage II the new one replaces */
    t2v_status s = t2v_sg_save_checkpoint(tr, ckpt, "test");
    static float a1[N1], a2[N2], b1[N1], b2[N2];
    if (s == T2V_OK)
        s = t2v_sg_trainer_sample(tr, caps, 2, 3, a1, a2);
    t2v_sg_trainer_free(tr);
    if (!T2V_CHECK(s == T2V_OK, "a trained Stage I and Stage II saved (%s)",
                   s ? t2v_last_error() : "ok"))
        return;
    tr = new_stage2(ckpt, 1);
    if (!T2V_CHECK(tr != NULL, "a new residual Stage II opens on the checkpoint's Stage I"))
        return;
    T2V_CHECK(t2v_sg_trainer_step_count(tr, 1) == 4 && t2v_sg_trainer_step_count(tr, 2) == 0 &&
              t2v_sg_trainer_recipe(tr)->gen.s2_residual == 1,
              "new Stage II: Stage I at step %lld, Stage II at step %lld, residual %d",
              (long long)t2v_sg_trainer_step_count(tr, 1),
              (long long)t2v_sg_trainer_step_count(tr, 2),
              t2v_sg_trainer_recipe(tr)->gen.s2_residual);
    s = t2v_sg_trainer_sample(tr, caps, 2, 3, b1, b2);
    double up_err = 0.0, moved = 0.0;
    for (int i = 0; i < N2; i++) { /* (n c, y, x) at 64 from (n c, y / 4, x / 4) at 16 */
        int nc = i / 4096, y = i / 64 % 64, x = i % 64;
        double want = b1[(nc * 16 + y / 4) * 16 + x / 4];
        up_err = fmax(up_err, fabs(want - b2[i]));
        moved = fmax(moved, fabs(a2[i] - b2[i]));
    }
    T2V_CHECK(s == T2V_OK && memcmp(a1, b1, sizeof a1) == 0 && up_err < 1e-6 && moved > 0.05,
              "new residual Stage II: Stage I's images unchanged, Stage II's are Stage I's "
              "upsampled 4x (max error %.2g), not the replaced Stage II's (differ by up to "
              "%.2f)", up_err, moved);
    float x[4][2], y[4][2];
    int ok = run_steps(tr, 2, 3, x);
    if (ok)
        ok = t2v_sg_trainer_sample(tr, caps, 2, 3, b1, b2) == T2V_OK;
    double learned = 0.0;
    for (int i = 0; ok && i < N2; i++) {
        int nc = i / 4096, yy = i / 64 % 64, xx = i % 64;
        learned = fmax(learned, fabs(b1[(nc * 16 + yy / 4) * 16 + xx / 4] - b2[i]));
    }
    T2V_CHECK(ok && learned > 1e-4, "3 residual Stage-II steps: a correction of up to %.4f "
              "(Adam moves each zero weight of the output layer by about the rate, 1e-4)",
              learned);
    t2v_sg_trainer_free(tr);
    /* exact resume: 1 step, checkpoint, 2 more equals 3 in one go */
    tr = new_stage2(ckpt, 1);
    ok = tr && run_steps(tr, 2, 1, y);
    s = ok ? t2v_sg_save_checkpoint(tr, ckpt2, "test") : T2V_ERR_INVALID;
    t2v_sg_trainer_free(tr);
    tr = s == T2V_OK ? tiny(NULL, ckpt2) : NULL;
    ok = tr && run_steps(tr, 2, 2, y + 1);
    int same = ok;
    for (int i = 0; ok && i < 3; i++)
        same &= x[i][0] == y[i][0] && x[i][1] == y[i][1];
    T2V_CHECK(same, "residual Stage II resumed at step 1 equals 3 steps in one go (D %.6f/%.6f)",
              x[2][0], y[2][0]);
    t2v_sg_trainer_free(tr);
    T2V_CHECK(new_stage2(ckpt, 3) == NULL && strstr(t2v_last_error(), "Stage-II form"),
              "a Stage-II form of 3 is refused: %s", t2v_last_error());
}

/* The object discriminator (layered 2, object_d set): its loss on a fixed
 * batch falls as it trains, and it is refused without the glyph or on a
 * set that does not know its objects. */
static void check_object_d(void)
{
    t2v_sg_trainer *tr = tiny(NULL, NULL);
    if (!T2V_CHECK(tr != NULL, "tiny trainer with the object discriminator builds"))
        return;
    float before, after, plain;
    t2v_status s = t2v_sg_object_d_loss_on(tr, 1000, &before);
    int ok = s == T2V_OK && run_steps(tr, 1, 15, NULL);
    ok = ok && t2v_sg_object_d_loss_on(tr, 1000, &after) == T2V_OK;
    T2V_CHECK(ok && after < before - 0.05f,
              "the object discriminator's loss on a fixed batch falls with 15 steps: %.4f -> "
              "%.4f", before, after);
    t2v_sg_trainer_free(tr);
    /* resumed within Stage I: the object discriminator's weights, moments
     * and power iterations come back (G's next losses read them) */
    float a[6][2], b[6][2];
    char ckpt[300];
    snprintf(ckpt, sizeof ckpt, "%s/objd.gguf", dir);
    tr = tiny(NULL, NULL);
    ok = tr && run_steps(tr, 1, 6, a);
    t2v_sg_trainer_free(tr);
    tr = tiny(NULL, NULL);
    ok = ok && tr && run_steps(tr, 1, 3, b) && t2v_sg_save_checkpoint(tr, ckpt, "test") == T2V_OK;
    t2v_sg_trainer_free(tr);
    tr = ok ? tiny(NULL, ckpt) : NULL;
    ok = tr && run_steps(tr, 1, 3, b + 3);
    t2v_sg_trainer_free(tr);
    int same = ok;
    for (int i = 0; i < 6; i++)
        same &= a[i][0] == b[i][0] && a[i][1] == b[i][1];
    T2V_CHECK(same, "Stage I with the object discriminator resumed at step 3 equals 6 steps "
              "uninterrupted: last losses D %.6f/%.6f G %.6f/%.6f", a[5][0], b[5][0], a[5][1],
              b[5][1]);
    layered = 1;
    tr = tiny(NULL, NULL);
    T2V_CHECK(tr == NULL && strstr(t2v_last_error(), "glyph"),
              "the object discriminator without the glyph layer is refused: %s",
              t2v_last_error());
    t2v_sg_trainer_free(tr);
    layered = 2;
    object_d = 0.0f;
    tr = tiny(NULL, NULL);
    T2V_CHECK(tr && t2v_sg_object_d_loss_on(tr, 0, &plain) == T2V_ERR_INVALID,
              "a recipe without it has no object loss to measure: %s", t2v_last_error());
    t2v_sg_trainer_free(tr);
    object_d = 1.0f;
}

/* How many distinct words some but not all of the training captions hold:
 * the words a word head scores. Captions split here at spaces (the scenes
 * captions are lower-case words and digits). */
static int informative_words(t2v_sg_trainer *tr)
{
    long n;
    t2v_dataset *ds = t2v_sg_trainer_dataset(tr, &n);
    enum { MAXW = 256 };
    char words[MAXW][32];
    long count[MAXW];
    int nw = 0;
    for (long i = 0; i < n; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", t2v_data_caption_at(ds, i));
        int seen[MAXW] = {0};
        for (char *save, *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
            int k = 0;
            while (k < nw && strcmp(words[k], w))
                k++;
            if (k == nw && nw < MAXW) {
                snprintf(words[nw], sizeof words[nw], "%s", w);
                count[nw++] = 0;
            }
            if (k < MAXW && !seen[k]) {
                seen[k] = 1;
                count[k]++;
            }
        }
    }
    int K = 0;
    for (int k = 0; k < nw; k++)
        K += count[k] < n;
    return K;
}

/* Word heads (reader 0) or word readers (reader 1), on each stage: the
 * term on real images starts near K ln 2 for the K words some but not all
 * captions hold (the logits start near 0) and falls as it learns; the
 * parts add up to D's and G's losses: the heads' terms are in both, the
 * reader's (a network of its own) only in G's, at its weight. Then resume
 * with them on. */
static void check_word_terms(int use_reader)
{
    const char *what = use_reader ? "reader" : "word heads";
    const char *whose = use_reader ? "reader's" : "word heads'";
    aux_words = use_reader ? 0.0f : 1.0f;
    reader = use_reader ? 0.5f : 0.0f;
    t2v_sg_trainer *tr = tiny(NULL, NULL);
    if (T2V_CHECK(tr != NULL, "tiny StackGAN trainer with %s builds", what)) {
        int K = informative_words(tr);
        double chance = K * log(2.0);
        float kl_w = t2v_sg_trainer_recipe(tr)->kl_weight;
        for (int stage = 1; stage <= 2; stage++) {
            t2v_sg_stats st;
            float first = 0.0f, first_g = 0.0f;
            int ok = 1, sums = 1;
            if (stage == 2)
                t2v_sg_standing_stats(tr, 1, 3);
            for (int i = 0; i < 30 && ok; i++) {
                ok = t2v_sg_train_step(tr, stage, &st) == T2V_OK;
                if (i == 0) {
                    first = use_reader ? st.d_reader : st.d_words;
                    first_g = use_reader ? st.g_reader : st.g_words;
                }
                sums &= fabsf(st.d_loss - (st.d_real + 0.5f * (st.d_wrong + st.d_fake) +
                                           st.d_words)) < 1e-4f * (1.0f + fabsf(st.d_loss)) &&
                        fabsf(st.g_loss - (st.g_adv + kl_w * st.kl + st.g_words + st.g_reader)) <
                            1e-4f * (1.0f + fabsf(st.g_loss));
            }
            const char *name = stage == 1 ? "I" : "II";
            float last = use_reader ? st.d_reader : st.d_words;
            double g_want = use_reader ? 0.5 * chance : chance;
            T2V_CHECK(ok && fabs(first - chance) < 0.03 * chance &&
                          fabs(first_g - g_want) < 0.1 * g_want,
                      "Stage-%s step 1, %s: term on real images %.3f (%d scored words x ln 2 = "
                      "%.3f), G's %.3f (%.3f)", name, what, first, K, chance, first_g, g_want);
            T2V_CHECK(ok && sums, "Stage-%s: D's and G's losses are the sums of their parts, %s "
                      "included", name, what);
            T2V_CHECK(ok && last < first - (use_reader ? 0.5f : 0.05f),
                      "Stage-%s: the %s term falls with training: %.3f -> %.3f", name, whose,
                      first, last);
        }
        t2v_sg_trainer_free(tr);
        check_resume();
    }
    aux_words = reader = 0.0f;
}

/* Standing statistics: a deterministic function of the weights and the
 * seed that replaces the trailing running statistics (so the sampled
 * images change), and a bad stage is refused. */
static void check_standing_stats(void)
{
    static const char *caps[2] = {"a small red digit 0 in the upper left on a green background",
                                  "a large blue digit 7 at the bottom on a white background"};
    t2v_sg_trainer *tr = tiny(NULL, NULL);
    if (!tr)
        return;
    const t2v_stackgan_cfg *g = &t2v_sg_trainer_recipe(tr)->gen;
    size_t n1 = (size_t)2 * g->channels * g->size1 * g->size1;
    float *before = malloc(n1 * sizeof *before), *x = malloc(n1 * sizeof *x),
          *y = malloc(n1 * sizeof *y);
    run_steps(tr, 1, 6, NULL);
    t2v_status s = t2v_sg_trainer_sample(tr, caps, 2, 3, before, NULL);
    if (s == T2V_OK) s = t2v_sg_standing_stats(tr, 1, 4);
    if (s == T2V_OK) s = t2v_sg_trainer_sample(tr, caps, 2, 3, x, NULL);
    if (s == T2V_OK) s = t2v_sg_standing_stats(tr, 1, 4);
    if (s == T2V_OK) s = t2v_sg_trainer_sample(tr, caps, 2, 3, y, NULL);
    T2V_CHECK(s == T2V_OK && memcmp(x, y, n1 * sizeof *x) == 0,
              "standing statistics are deterministic: the same images twice");
    T2V_CHECK(s == T2V_OK && memcmp(x, before, n1 * sizeof *x) != 0,
              "standing statistics replace the trailing running ones (the images change)");
    T2V_CHECK(t2v_sg_standing_stats(tr, 3, 4) == T2V_ERR_INVALID, "stage 3 refused: %s",
              t2v_last_error());
    free(before);
    free(x);
    free(y);
    t2v_sg_trainer_free(tr);
}

/* A generator built from the file alone, as the generation API does. */
typedef struct loaded {
    t2v_weights *w;
    t2v_vocab vocab;
    t2v_stackgan g;
    t2v_params ps, bufs;
    t2v_arena arena;
} loaded;

static t2v_status load_model(const char *path, t2v_backend *be, loaded *m)
{
    memset(m, 0, sizeof *m);
    t2v_status s = t2v_weights_open(path, &m->w);
    const char *arch = "", *kind = "";
    if (s == T2V_OK) {
        t2v_weights_get_str(m->w, T2V_KEY_ARCHITECTURE, &arch);
        t2v_weights_get_str(m->w, T2V_KEY_KIND, &kind);
        if (strcmp(arch, "stackgan") || strcmp(kind, "image"))
            return T2V_ERR_FORMAT;
    }
    const char *const *words;
    size_t n;
    if (s == T2V_OK)
        s = t2v_weights_get_str_array(m->w, T2V_KEY_VOCAB, &words, &n);
    if (s == T2V_OK)
        s = t2v_vocab_init(&m->vocab);
    for (size_t i = 2; s == T2V_OK && i < n; i++) {
        int id;
        s = t2v_vocab_add(&m->vocab, words[i], &id);
    }
    t2v_stackgan_cfg cfg;
    if (s == T2V_OK)
        s = t2v_stackgan_cfg_read(m->w, m->vocab.count, &cfg);
    t2v_params_init(&m->ps, be);
    t2v_params_init(&m->bufs, be);
    if (s == T2V_OK) s = t2v_stackgan_declare(&m->g, &cfg, &m->ps, &m->bufs);
    if (s == T2V_OK) s = t2v_params_allocate(&m->ps, 0);
    if (s == T2V_OK) s = t2v_params_allocate(&m->bufs, 0);
    if (s == T2V_OK) s = t2v_params_load_from(&m->ps, m->w, 0);
    if (s == T2V_OK) s = t2v_params_load_from(&m->bufs, m->w, 0);
    if (s != T2V_OK)
        return s;
    t2v_plan p = {.arena = &m->arena, .N = 1, .training = 0};
    t2v_arena_measure(&m->arena, be);
    t2v_stackgan_plan(&m->g, be, &p);
    if (p.status == T2V_OK)
        p.status = t2v_arena_commit(&m->arena);
    if (p.status == T2V_OK)
        t2v_stackgan_plan(&m->g, be, &p);
    return p.status;
}

static void unload(loaded *m)
{
    t2v_arena_release(&m->arena);
    t2v_params_free(&m->ps);
    t2v_params_free(&m->bufs);
    t2v_vocab_free(&m->vocab);
    t2v_weights_close(m->w);
}

/* Image `index` of a caption through the engine's entry point. */
static t2v_status sample(loaded *m, t2v_backend *be, const char *caption, uint64_t seed,
                         uint64_t index, float *img1, float *img2)
{
    t2v_encoded_caption enc;
    int T = m->g.cfg.text.max_words;
    t2v_status s = t2v_caption_encode(&m->vocab, caption, T, &enc, NULL, 0);
    int32_t ids[256] = {0};
    if (s != T2V_OK)
        return s;
    memcpy(ids, enc.ids, (size_t)enc.length * sizeof ids[0]);
    s = t2v_encoder_forward(&m->g.s1.text, be, &m->ps, ids, &enc.length);
    if (s != T2V_OK)
        return s;
    t2v_stackgan_sample(&m->g, be, &m->ps, &m->bufs, m->g.s1.text.S, seed, index);
    size_t n1 = (size_t)3 * 16 * 16, n2 = (size_t)3 * 64 * 64;
    s = t2v_backend_download(be, img1, m->g.s1.img, n1 * sizeof(float));
    if (s == T2V_OK)
        s = t2v_backend_download(be, img2, m->g.s2.img, n2 * sizeof(float));
    return s;
}

/* The public generation API (what the plugins call) on an image model:
 * image 1 under seed 42 is `img1`; still mode holds it, morph mode walks
 * from image to image and passes through each exactly. */
static void check_public_api(const char *path, const char *caption, const float *img1, size_t n)
{
    t2v_model *m;
    if (!T2V_CHECK(t2v_model_load(path, &m) == T2V_OK, "image model loads through t2v_model_load"))
        return;
    t2v_model_info mi;
    t2v_model_get_info(m, &mi);
    T2V_CHECK(mi.kind == T2V_MODEL_IMAGE && mi.frames == 1 && mi.width == 64 && mi.channels == 3,
              "model info: image, 64x64 RGB (%d frames, %dx%d, %d channels)", mi.frames, mi.width,
              mi.height, mi.channels);
    t2v_generator_opts o;
    t2v_generator_opts_init(&o);
    o.device = T2V_DEVICE_CPU;
    o.hold = 3;
    o.mode = T2V_MODE_STILL;
    t2v_generator *g;
    t2v_generator_new(m, &o, &g);
    t2v_generator_set_caption(g, caption, NULL);
    t2v_generator_set_seed(g, 42);
    const float *f;
    int still = 1;
    for (uint64_t i = 3; i < 6; i++)
        still &= t2v_generator_frame(g, i, &f) == T2V_OK && memcmp(f, img1, n * sizeof(float)) == 0;
    T2V_CHECK(still, "still mode: frames 3, 4, 5 are image 1, byte for byte");
    T2V_CHECK(t2v_generator_next_boundary(g, 4) == 6, "still mode: the next image starts at 6");
    t2v_generator_free(g);
    o.mode = T2V_MODE_MORPH;
    o.hold = 4;
    t2v_generator_new(m, &o, &g);
    t2v_generator_set_caption(g, caption, NULL);
    t2v_generator_set_seed(g, 42);
    float *at4 = malloc(n * sizeof(float)), *at5 = malloc(n * sizeof(float));
    t2v_generator_frame(g, 4, &f);
    memcpy(at4, f, n * sizeof(float));
    t2v_generator_frame(g, 5, &f);
    memcpy(at5, f, n * sizeof(float));
    t2v_generator_frame(g, 8, &f);
    double step45 = 0.0, step48 = 0.0;
    for (size_t i = 0; i < n; i++) {
        step45 += fabs(at5[i] - at4[i]);
        step48 += fabs(f[i] - at4[i]);
    }
    T2V_CHECK(memcmp(at4, img1, n * sizeof(float)) == 0,
              "morph mode: frame 4 is image 1 exactly");
    T2V_CHECK(step45 > 0.0 && step45 < step48,
              "morph mode: frame 5 is between image 1 and image 2 (mean change %.3g vs %.3g)",
              step45 / n, step48 / n);
    free(at4);
    free(at5);
    t2v_generator_free(g);
    t2v_model_unref(m);
}

static void check_sampling(void)
{
    t2v_sg_trainer *tr = tiny(NULL, NULL);
    if (!tr)
        return;
    run_steps(tr, 1, 3, NULL);
    run_steps(tr, 2, 2, NULL);
    char model[300];
    snprintf(model, sizeof model, "%s/model.gguf", dir);
    T2V_CHECK(t2v_sg_export(tr, model, "test") == T2V_OK, "model exported");
    const char *caps[2] = {"a small red digit 3 on a blue background",
                           "a large green trouser in the middle on a white background"};
    size_t n1 = (size_t)3 * 16 * 16, n2 = (size_t)3 * 64 * 64;
    float *t1 = malloc(2 * n1 * sizeof(float)), *t2 = malloc(2 * n2 * sizeof(float));
    t2v_status s = t2v_sg_trainer_sample(tr, caps, 2, 42, t1, t2);
    t2v_sg_trainer_free(tr);
    T2V_CHECK(s == T2V_OK, "trainer samples both stages");

    t2v_backend *be;
    t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be);
    loaded m;
    s = load_model(model, be, &m);
    if (!T2V_CHECK(s == T2V_OK, "exported file loads as one StackGAN (both stages, encoder, "
                                "vocabulary): %s", s ? t2v_last_error() : "ok")) {
        t2v_backend_close(be);
        free(t1);
        free(t2);
        return;
    }
    uint64_t steps1 = 0, steps2 = 0;
    t2v_weights_get_u64(m.w, "stackgan.steps1", &steps1);
    t2v_weights_get_u64(m.w, "stackgan.steps2", &steps2);
    T2V_CHECK(steps1 == 3 && steps2 == 2, "the file records 3 Stage-I and 2 Stage-II steps");
    float *a1 = malloc(n1 * sizeof(float)), *a2 = malloc(n2 * sizeof(float));
    float *b1 = malloc(n1 * sizeof(float)), *b2 = malloc(n2 * sizeof(float));
    sample(&m, be, caps[1], 42, 1, a1, a2);
    double d1 = 0.0, d2 = 0.0, lo = 1.0, hi = -1.0;
    for (size_t i = 0; i < n1; i++)
        d1 = fmax(d1, fabs(a1[i] - t1[n1 + i]));
    for (size_t i = 0; i < n2; i++) {
        d2 = fmax(d2, fabs(a2[i] - t2[n2 + i]));
        lo = fmin(lo, a2[i]);
        hi = fmax(hi, a2[i]);
    }
    T2V_CHECK(d1 < 1e-5 && d2 < 1e-5,
              "the entry point's image 1 equals the trainer's for the same seed%s (Stage I max "
              "diff %.2g, Stage II %.2g)", layered == 2 ? ", glyph Stage I"
              : layered ? ", layered Stage I" : "", d1, d2);
    T2V_CHECK(lo >= -1.0 && hi <= 1.0 && hi > lo, "Stage-II pixels lie in [-1, 1] (%.3f .. %.3f)",
              lo, hi);
    sample(&m, be, caps[1], 42, 1, b1, b2);
    T2V_CHECK(memcmp(a2, b2, n2 * sizeof(float)) == 0 && memcmp(a1, b1, n1 * sizeof(float)) == 0,
              "same caption, seed and index give the same images, byte for byte%s",
              layered == 2 ? " (glyph Stage I)" : layered ? " (layered Stage I)" : "");
    sample(&m, be, caps[1], 43, 1, b1, b2);
    T2V_CHECK(memcmp(a1, b1, n1 * sizeof(float)) != 0 && memcmp(a2, b2, n2 * sizeof(float)) != 0,
              "another seed gives other images at both stages");
    sample(&m, be, caps[1], 42, 2, b1, b2);
    T2V_CHECK(memcmp(a1, b1, n1 * sizeof(float)) != 0 && memcmp(a2, b2, n2 * sizeof(float)) != 0,
              "another index gives other images at both stages");
    unload(&m);
    t2v_backend_close(be);
    check_public_api(model, caps[1], a2, n2);
    free(a1);
    free(a2);
    free(b1);
    free(b2);
    free(t1);
    free(t2);
}

/* Six 40x40 PNGs with caption files: stripes of two colours. */
static int write_folder(const char *path)
{
    static const char *names[3] = {"red", "green", "blue"};
    mkdir(path, 0755);
    float *img = malloc((size_t)3 * 40 * 40 * sizeof(float));
    int ok = img != NULL;
    for (int k = 0; k < 6 && ok; k++) {
        int a = k % 3, b = (k + 1 + k / 3) % 3;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 40; y++)
                for (int x = 0; x < 40; x++)
                    img[(c * 40 + y) * 40 + x] = ((y / 8) % 2 ? b : a) == c ? 0.9f : -0.9f;
        char file[400];
        snprintf(file, sizeof file, "%s/img%d.png", path, k);
        t2v_clip_view v = {img, 3, 1, 40, 40};
        ok = t2v_media_write_clip(file, &v, 8.0) == T2V_OK;
        snprintf(file, sizeof file, "%s/img%d.txt", path, k);
        FILE *f = fopen(file, "w");
        ok = ok && f && fprintf(f, "%s and %s stripes\n", names[a], names[b]) > 0;
        if (f)
            fclose(f);
    }
    free(img);
    return ok;
}

static void check_folder(void)
{
    char folder[300], data[320], model[320];
    snprintf(folder, sizeof folder, "%s/images", dir);
    if (!T2V_CHECK(write_folder(folder), "wrote 6 captioned PNGs"))
        return;
    snprintf(data, sizeof data, "images:%s", folder);
    t2v_sg_trainer *tr = tiny(data, NULL);
    if (!T2V_CHECK(tr != NULL, "trainer opens the folder at 16 and 64 px"))
        return;
    float l1[3][2] = {{0}}, l2[3][2] = {{0}};
    int ok = run_steps(tr, 1, 3, l1) && run_steps(tr, 2, 3, l2);
    T2V_CHECK(ok && isfinite(l1[2][0]) && isfinite(l2[2][1]),
              "3 Stage-I and 3 Stage-II steps on the folder (D %.3f, %.3f)", l1[2][0], l2[2][0]);
    snprintf(model, sizeof model, "%s/folder.gguf", dir);
    T2V_CHECK(t2v_sg_export(tr, model, "test") == T2V_OK, "folder model exported");
    t2v_sg_trainer_free(tr);
    t2v_backend *be;
    t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be);
    loaded m;
    t2v_status s = load_model(model, be, &m);
    float a1[3 * 16 * 16], *a2 = malloc((size_t)3 * 64 * 64 * sizeof(float));
    if (s == T2V_OK)
        s = sample(&m, be, "green and blue stripes", 5, 0, a1, a2);
    T2V_CHECK(s == T2V_OK && t2v_vocab_find(&m.vocab, "stripes") >= 2,
              "the folder model loads, knows its captions' words and samples");
    if (m.w)
        unload(&m);
    free(a2);
    t2v_backend_close(be);
    layered = 2;
    object_d = 1.0f;
    tr = tiny(data, NULL);
    T2V_CHECK(tr == NULL && strstr(t2v_last_error(), "object"),
              "the object discriminator on a folder (no known objects) is refused: %s",
              t2v_last_error());
    t2v_sg_trainer_free(tr);
    layered = 0;
    object_d = 0.0f;
    swap_miss = 0.5f;
    tr = tiny(data, NULL);
    T2V_CHECK(tr == NULL && strstr(t2v_last_error(), "role swaps"),
              "role swaps on a folder (no roles in its captions) are refused: %s",
              t2v_last_error());
    t2v_sg_trainer_free(tr);
    swap_miss = 0.0f;
}
/* shared_text: after Stage-I steps the generator's sentence vectors are
 * Stage-I D's, bit for bit; with its own encoder they differ. */
static void check_shared_text(void)
{
    for (int shared = 1; shared >= 0; shared--) {
        t2v_sg_trainer *tr = tiny_text(NULL, NULL, shared);
        if (!T2V_CHECK(tr != NULL, "tiny trainer builds (shared text %d)", shared))
            return;
        int D = t2v_sg_trainer_recipe(tr)->gen.text.sent;
        const char *caps[2] = {"a small red digit 3 on a blue background",
                               "a large green trouser in the middle on a white background"};
        float g[2 * 64], d[2 * 64], d0[2 * 64];
        t2v_status s = t2v_sg_trainer_sentences(tr, 1, caps, 2, d0);
        int ok = s == T2V_OK && run_steps(tr, 1, 3, NULL);
        if (ok) ok = t2v_sg_trainer_sentences(tr, 0, caps, 2, g) == T2V_OK;
        if (ok) ok = t2v_sg_trainer_sentences(tr, 1, caps, 2, d) == T2V_OK;
        T2V_CHECK(ok, "sentence vectors of both encoders after 3 Stage-I steps (%s)",
                  ok ? "ok" : t2v_last_error());
        size_t bytes = (size_t)2 * D * sizeof(float);
        T2V_CHECK(memcmp(d, d0, bytes) != 0, "Stage-I D's encoder trained (shared text %d)",
                  shared);
        if (shared)
            T2V_CHECK(memcmp(g, d, bytes) == 0, "shared text: G's sentence vectors equal D's");
        else
            T2V_CHECK(memcmp(g, d, bytes) != 0, "own text: G's sentence vectors differ from D's");
        t2v_sg_trainer_free(tr);
    }
}

/* Stage II judged at Stage I's size too (recipe d2_low): Stage-I D trains
 * on Stage II's box-filtered fakes (its loss on a fixed Stage-I batch moves;
 * without the term it does not), G's term through it is logged and changes
 * Stage II's images, the run resumes exactly, and the weight is set only
 * before Stage II's first step. On check_new_stage2's checkpoint. */
static void check_d2_low(void)
{
    char ckpt[300], ckpt2[300]; /* the Stage I of check_new_stage2 */
    snprintf(ckpt, sizeof ckpt, "%s/stage1.gguf", dir);
    snprintf(ckpt2, sizeof ckpt2, "%s/low2.gguf", dir);
    t2v_sg_trainer *tr;
    int ok;
    static float img[2][N2], one[N1];
    float d1[2][2], x[3][2], y[3][2];
    t2v_sg_stats st[2];
    for (int w = 0; w < 2; w++) { /* without, then with the term */
        tr = new_stage2(ckpt, 1);
        ok = tr && t2v_sg_trainer_set_d2_low(tr, w ? 1.0f : 0.0f) == T2V_OK &&
             t2v_sg_d_loss_on(tr, 1, 1000, &d1[w][0]) == T2V_OK && run_steps(tr, 2, 2, NULL) &&
             t2v_sg_train_step(tr, 2, &st[w]) == T2V_OK &&
             t2v_sg_d_loss_on(tr, 1, 1000, &d1[w][1]) == T2V_OK &&
             t2v_sg_trainer_sample(tr, caps, 2, 3, one, img[w]) == T2V_OK;
        if (!T2V_CHECK(ok, "3 residual Stage-II steps with d2_low %d", w))
            return;
        if (w)
            T2V_CHECK(t2v_sg_trainer_set_d2_low(tr, 2.0f) == T2V_ERR_INVALID,
                      "d2_low is refused after Stage II's first step: %s", t2v_last_error());
        t2v_sg_trainer_free(tr);
    }
    double moved = 0.0;
    for (int i = 0; i < N2; i++)
        moved = fmax(moved, fabs(img[0][i] - img[1][i]));
    T2V_CHECK(d1[0][0] == d1[0][1] && st[0].d_low == 0.0f && st[0].g_low == 0.0f,
              "without the term Stage-I D stays as trained (loss %.6f, %.6f) and nothing is "
              "logged", d1[0][0], d1[0][1]);
    T2V_CHECK(d1[1][0] != d1[1][1] && isfinite(st[1].d_low) && st[1].d_low > 0.0f &&
                  isfinite(st[1].g_low) && st[1].g_low != 0.0f && moved > 1e-6,
              "with it Stage-I D trains on Stage II's box-filtered fakes (loss %.4f -> %.4f; its "
              "step-3 loss %.4f, G's term %.4f), and Stage II's images change (up to %.2g)",
              d1[1][0], d1[1][1], st[1].d_low, st[1].g_low, moved);
    /* exact resume: 1 step, checkpoint, 2 more equals 3 in one go */
    tr = new_stage2(ckpt, 1);
    ok = tr && t2v_sg_trainer_set_d2_low(tr, 1.0f) == T2V_OK && run_steps(tr, 2, 3, x);
    t2v_sg_trainer_free(tr);
    tr = new_stage2(ckpt, 1);
    ok = ok && tr && t2v_sg_trainer_set_d2_low(tr, 1.0f) == T2V_OK && run_steps(tr, 2, 1, y) &&
         t2v_sg_save_checkpoint(tr, ckpt2, "test") == T2V_OK;
    t2v_sg_trainer_free(tr);
    tr = ok ? tiny(NULL, ckpt2) : NULL;
    ok = tr && t2v_sg_trainer_recipe(tr)->d2_low == 1.0f && run_steps(tr, 2, 2, y + 1);
    int same = ok;
    for (int i = 0; ok && i < 3; i++)
        same &= x[i][0] == y[i][0] && x[i][1] == y[i][1];
    T2V_CHECK(same, "with d2_low, Stage II resumed at step 1 equals 3 steps in one go (G %.6f/%.6f)",
              x[2][1], y[2][1]);
    t2v_sg_trainer_free(tr);
    tr = new_stage2(ckpt, 1);
    T2V_CHECK(tr && t2v_sg_trainer_set_d2_low(tr, -1.0f) == T2V_ERR_INVALID,
              "a negative d2_low is refused: %s", t2v_last_error());
    t2v_sg_trainer_free(tr);
}

/* A tiny glyph Stage I of `steps` steps with standing statistics, saved as
 * a checkpoint at ckpt and / or exported to model (either may be NULL). */
static int glyph_stage1(int steps, const char *ckpt, const char *model)
{
    int keep = layered;
    layered = 2;
    t2v_sg_trainer *tr = tiny(NULL, NULL);
    layered = keep;
    int ok = tr && run_steps(tr, 1, steps, NULL) && t2v_sg_standing_stats(tr, 1, 3) == T2V_OK &&
             (!ckpt || t2v_sg_save_checkpoint(tr, ckpt, "test") == T2V_OK) &&
             (!model || t2v_sg_export(tr, model, "test") == T2V_OK);
    t2v_sg_trainer_free(tr);
    return ok;
}

/* A repainting Stage II (form 2) on a glyph Stage I (on check_new_stage2's
 * plain one it is refused: no alpha to repaint around): it
 * starts at Stage I's images under a faint matte (every pixel within
 * 2 g0 of the upsampled Stage-I pixel, g0 the gate's start), trains,
 * exports a file whose entry point draws what the trainer draws, and
 * resumes exactly. */
static void check_repaint(void)
{
    char ckpt[300], ckpt2[300], model[300];
    snprintf(ckpt, sizeof ckpt, "%s/stage1.gguf", dir);
    snprintf(ckpt2, sizeof ckpt2, "%s/repaint2.gguf", dir);
    snprintf(model, sizeof model, "%s/repaint.gguf", dir);
    static float b1[N1], b2[N2];
    T2V_CHECK(new_stage2(ckpt, 2) == NULL && strstr(t2v_last_error(), "layered"),
              "a repainting Stage II on a plain Stage I is refused: %s", t2v_last_error());
    snprintf(ckpt, sizeof ckpt, "%s/glyph1.gguf", dir);
    if (!T2V_CHECK(glyph_stage1(4, ckpt, NULL), "a glyph Stage I of 4 steps saved"))
        return;
    t2v_sg_trainer *tr = new_stage2(ckpt, 2);
    const t2v_sg_recipe *r = tr ? t2v_sg_trainer_recipe(tr) : NULL;
    if (!T2V_CHECK(r && r->gen.s2_residual == 1 && r->gen.s2_bg == 1 &&
                   t2v_sg_trainer_step_count(tr, 2) == 0,
                   "a new repainting Stage II opens on the checkpoint's Stage I"))
        return;
    t2v_status s = t2v_sg_trainer_sample(tr, caps, 2, 3, b1, b2);
    double m0 = 1.0 / (1.0 + exp(-(double)T2V_SG_GATE_BIAS)), off = 0.0;
    for (int i = 0; i < N2; i++) {
        int nc = i / 4096, y = i / 64 % 64, x = i % 64;
        off = fmax(off, fabs(b1[(nc * 16 + y / 4) * 16 + x / 4] - b2[i]));
    }
    T2V_CHECK(s == T2V_OK && off > 1e-4 && off <= 2.0 * m0 + 1e-6,
              "new repainting Stage II: Stage II's images are Stage I's upsampled under a "
              "gate of %.3f (off by up to %.4f, at most %.4f)", m0, off, 2.0 * m0);
    /* the penalty weighs the correction alone, zero before G's first update */
    t2v_sg_stats st;
    s = t2v_sg_trainer_set_s2_reg(tr, 100.0f);
    if (s == T2V_OK)
        s = t2v_sg_train_step(tr, 2, &st);
    T2V_CHECK(s == T2V_OK && st.g_reg == 0.0f,
              "repainting Stage II's first step: the correction's mean square is %g (the "
              "repainting not in it)", s == T2V_OK ? (double)st.g_reg : -1.0);
    t2v_sg_trainer_free(tr);
    tr = new_stage2(ckpt, 2);
    float x[3][2], y[3][2];
    int ok = tr && run_steps(tr, 2, 3, x) && t2v_sg_export(tr, model, "test") == T2V_OK &&
             t2v_sg_trainer_sample(tr, caps + 1, 1, 42, b1, b2) == T2V_OK;
    t2v_sg_trainer_free(tr);
    t2v_backend *be;
    t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be);
    loaded m;
    static float a1[N1 / 2], a2[N2 / 2];
    ok = ok && load_model(model, be, &m) == T2V_OK;
    if (ok) {
        ok = m.g.cfg.s2_bg == 1 && sample(&m, be, caps[1], 42, 0, a1, a2) == T2V_OK;
        unload(&m);
    }
    t2v_backend_close(be);
    double d2 = 0.0;
    for (int i = 0; ok && i < N2 / 2; i++)
        d2 = fmax(d2, fabs(a2[i] - b2[i]));
    T2V_CHECK(ok && d2 < 1e-5, "a repainting Stage II trained 3 steps exports: the file says "
              "so, and its entry point draws the trainer's image (max diff %.2g)", d2);
    tr = new_stage2(ckpt, 2);
    ok = tr && run_steps(tr, 2, 1, y) && t2v_sg_save_checkpoint(tr, ckpt2, "test") == T2V_OK;
    t2v_sg_trainer_free(tr);
    tr = ok ? tiny(NULL, ckpt2) : NULL;
    ok = tr && t2v_sg_trainer_recipe(tr)->gen.s2_bg == 1 && run_steps(tr, 2, 2, y + 1);
    int same = ok;
    for (int i = 0; ok && i < 3; i++)
        same &= x[i][0] == y[i][0] && x[i][1] == y[i][1];
    T2V_CHECK(same, "repainting Stage II resumed at step 1 equals 3 steps in one go (G "
              "%.6f/%.6f)", x[2][1], y[2][1]);
    t2v_sg_trainer_free(tr);
}

/* A model's Stage I under a checkpoint's Stage II (t2v_sg_trainer_load_stage1):
 * on check_repaint's glyph checkpoint, the Stage I of another glyph run's
 * exported model; its images are that model's, byte for byte. A model of
 * another shape is refused, and so is any after Stage II's first step;
 * Stage II's matching loss and learning rates are set likewise. */
static void check_load_stage1(void)
{
    char ckpt[300], other[300], plain[300];
    snprintf(ckpt, sizeof ckpt, "%s/glyph1.gguf", dir);
    snprintf(other, sizeof other, "%s/glyph-other.gguf", dir);
    snprintf(plain, sizeof plain, "%s/model.gguf", dir); /* check_sampling's, plain */
    if (!T2V_CHECK(glyph_stage1(7, NULL, other), "another glyph Stage I of 7 steps exported"))
        return;
    int ok;
    t2v_sg_trainer *tr;
    static float t1[N1 / 2], t2[N2 / 2], m1[N1 / 2], m2[N2 / 2], a1[N1 / 2], a2[N2 / 2];
    tr = new_stage2(ckpt, 2);
    ok = tr && t2v_sg_trainer_sample(tr, caps + 1, 1, 42, a1, a2) == T2V_OK &&
         t2v_sg_trainer_load_stage1(tr, other) == T2V_OK &&
         t2v_sg_trainer_sample(tr, caps + 1, 1, 42, t1, t2) == T2V_OK;
    t2v_backend *be;
    t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be);
    loaded m;
    if (ok && load_model(other, be, &m) == T2V_OK) {
        ok = sample(&m, be, caps[1], 42, 0, m1, m2) == T2V_OK;
        unload(&m);
    } else {
        ok = 0;
    }
    t2v_backend_close(be);
    T2V_CHECK(ok && memcmp(t1, m1, sizeof t1) == 0 && memcmp(a1, t1, sizeof t1) != 0,
              "a model's Stage I under the checkpoint's: Stage I draws the model's image byte "
              "for byte, not the checkpoint's");
    T2V_CHECK(tr && t2v_sg_trainer_load_stage1(tr, plain) == T2V_ERR_INVALID &&
                  strstr(t2v_last_error(), "not shaped"),
              "a model of another Stage-I layout is refused: %s", t2v_last_error());
    const char *match = "/nonexistent/match.gguf";
    ok = tr && t2v_sg_trainer_set_match(tr, match, 0.5f) == T2V_OK &&
         t2v_sg_trainer_recipe(tr)->lambda_match == 0.5f &&
         strcmp(t2v_sg_trainer_recipe(tr)->match_model, match) == 0 &&
         t2v_sg_trainer_set_match(tr, match, 0.0f) == T2V_OK;
    T2V_CHECK(ok, "Stage II's matching loss is set (and unset) before its first step");
    float lr_d = tr ? t2v_sg_trainer_recipe(tr)->lr_d : 0.0f;
    ok = tr && t2v_sg_trainer_set_rates(tr, 3e-4f, -1.0f) == T2V_OK &&
         t2v_sg_trainer_recipe(tr)->lr_g == 3e-4f && t2v_sg_trainer_recipe(tr)->lr_d == lr_d &&
         t2v_sg_trainer_set_rates(tr, 0.0f, -1.0f) == T2V_ERR_INVALID &&
         t2v_sg_trainer_set_rates(tr, -1.0f, 2.0f) == T2V_ERR_INVALID;
    T2V_CHECK(ok, "Stage II's learning rates are set before its first step (G 3e-4, D kept), "
              "and 0 or 2 are refused");
    ok = tr && run_steps(tr, 2, 1, NULL);
    T2V_CHECK(ok && t2v_sg_trainer_load_stage1(tr, other) == T2V_ERR_INVALID &&
                  t2v_sg_trainer_set_rates(tr, 1e-4f, -1.0f) == T2V_ERR_INVALID &&
                  t2v_sg_trainer_set_match(tr, match, 0.5f) == T2V_ERR_INVALID,
              "after Stage II's first step neither is taken: %s", t2v_last_error());
    t2v_sg_trainer_free(tr);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/t2v-stackgan-test-%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0)
        return 1;
    if (data_available()) {
        check_d_learns();
        check_shared_text();
        check_resume();
        check_word_terms(0);
        check_word_terms(1);
        check_standing_stats();
        check_sampling();
        check_new_stage2();
        check_repaint();
        check_load_stage1();
        check_d2_low();
        for (layered = 1; layered <= 2; layered++) { /* the object layer, the glyph: exact */
            check_resume();                           /* resume, export and sampling */
            check_sampling();
        }
        layered = 2;
        object_d = 1.0f;
        check_resume();
        check_object_d();
        object_d = 0.0f;
        layered = 0;
    } else {
        printf("# scenes tests skipped: no MNIST / Fashion-MNIST caches "
               "(run scripts/fetch-data.sh)\n");
    }
    check_folder();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return t2v_test_finish();
}
