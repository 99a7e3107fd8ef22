/* Choosing a StackGAN stage through the generation API
 * (t2v_generator_opts.stage) on a tiny random model (Stage I 16x16, Stage
 * II 64x64): stage 1 is Stage I's image with every pixel repeated 4 x 4,
 * checked against Stage I run directly from the weights file and a naive
 * host upsampling; stage 2 and the default are Stage II; both are
 * deterministic; the evaluation's clip source box-filters stage 1 back to
 * Stage I exactly; bad stages and stages of a video model fail with
 * T2V_ERR_INVALID. argv[1]: a video (TGANs-C) model file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "io/params_io.h"
#include "models/stackgan_io.h"
#include "t2v_test.h"
#include "tests/eval/tiny_stackgan.h"
#include "train/common/captions.h"
#include "train/eval/eval.h"
#include "txt2vid/txt2vid.h"
#include "txt2vid/weights.h"

#define CAPTION "a small red digit 3 on the left on a blue background"
#define SEED 7

static const char *const WORDS[] = {"a", "small", "red", "digit", "3", "on", "the",
                                    "left", "blue", "background"};

/* Stage I and Stage II of image 0 under SEED, run directly on the weights
 * of `path`: s1 (3, 16, 16), s2 (3, 64, 64). */
static int reference_images(const char *path, float *s1, float *s2)
{
    t2v_weights *w = NULL;
    t2v_vocab vocab;
    t2v_stackgan_cfg cfg;
    t2v_backend *be = NULL;
    if (t2v_weights_open(path, &w) != T2V_OK || t2v_vocab_read(w, &vocab) != T2V_OK)
        return 0;
    int ok = t2v_stackgan_cfg_read(w, vocab.count, &cfg) == T2V_OK &&
             t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) == T2V_OK;
    t2v_params ps, bufs;
    t2v_params_init(&ps, be);
    t2v_params_init(&bufs, be);
    t2v_stackgan g;
    t2v_arena arena;
    memset(&arena, 0, sizeof arena);
    t2v_plan p = {.arena = &arena, .N = 1, .training = 0, .status = T2V_OK};
    ok = ok && t2v_stackgan_declare(&g, &cfg, &ps, &bufs) == T2V_OK &&
         t2v_params_allocate(&ps, 0) == T2V_OK && t2v_params_allocate(&bufs, 0) == T2V_OK &&
         t2v_params_load_from(&ps, w, 0) == T2V_OK && t2v_params_load_from(&bufs, w, 0) == T2V_OK;
    if (ok) {
        t2v_arena_measure(&arena, be);
        t2v_stackgan_plan(&g, be, &p);
        ok = p.status == T2V_OK && t2v_arena_commit(&arena) == T2V_OK;
    }
    if (ok) {
        t2v_stackgan_plan(&g, be, &p);
        ok = p.status == T2V_OK;
    }
    t2v_encoded_caption enc;
    char unknown[64];
    ok = ok && t2v_caption_encode(&vocab, CAPTION, cfg.text.max_words, &enc, unknown,
                                  sizeof unknown) == T2V_OK;
    if (ok) {
        int32_t ids[256] = {0};
        memcpy(ids, enc.ids, (size_t)enc.length * sizeof ids[0]);
        ok = t2v_encoder_forward(&g.s1.text, be, &ps, ids, &enc.length) == T2V_OK;
    }
    if (ok) {
        t2v_stackgan_sample(&g, be, &ps, &bufs, g.s1.text.S, SEED, 0);
        ok = t2v_backend_download(be, s1, g.s1.img, 3 * 16 * 16 * sizeof(float)) == T2V_OK &&
             t2v_backend_download(be, s2, g.s2.img, 3 * 64 * 64 * sizeof(float)) == T2V_OK;
    }
    t2v_arena_release(&arena);
    t2v_params_free(&ps);
    t2v_params_free(&bufs);
    t2v_backend_close(be);
    t2v_vocab_free(&vocab);
    t2v_weights_close(w);
    return ok;
}

/* Frame 0 of caption CAPTION under SEED at `stage` into out (3, 64, 64). */
static t2v_status generate(t2v_model *m, int stage, float *out)
{
    t2v_generator_opts o;
    t2v_generator_opts_init(&o);
    o.device = T2V_DEVICE_CPU;
    o.threads = 1;
    o.stage = stage;
    t2v_generator *g = NULL;
    t2v_status s = t2v_generator_new(m, &o, &g);
    if (s == T2V_OK)
        s = t2v_generator_set_caption(g, CAPTION, NULL);
    t2v_generator_set_seed(g, SEED);
    const float *f = NULL;
    if (s == T2V_OK)
        s = t2v_generator_frame(g, 0, &f);
    if (s == T2V_OK)
        memcpy(out, f, 3 * 64 * 64 * sizeof(float));
    t2v_generator_free(g);
    return s;
}

static t2v_status open_with_stage(t2v_model *m, int stage)
{
    t2v_generator_opts o;
    t2v_generator_opts_init(&o);
    o.device = T2V_DEVICE_CPU;
    o.stage = stage;
    t2v_generator *g = NULL;
    t2v_status s = t2v_generator_new(m, &o, &g);
    t2v_generator_free(g);
    return s;
}

static double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)a[i] - (double)b[i]));
    return m;
}

/* The evaluation's clip source at stage 1, for a judge of 16x16 scenes:
 * test item 0's caption, box-filtered from 64x64, must be the generator's
 * stage-1 frame sampled every 4 pixels (Stage I itself). */
static void check_model_clips(t2v_model *m)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = "scenes";
    o.split = T2V_SPLIT_TEST;
    o.height = o.width = 16;
    o.count = 4;
    t2v_dataset *ds = NULL;
    if (t2v_data_open(&o, &ds) != T2V_OK) {
        printf("# scenes data unavailable (%s): clip-source check skipped\n",
               t2v_data_last_error());
        return;
    }
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    t2v_judge_cfg cfg;
    t2v_model_clips mc;
    float clip[3 * 16 * 16], direct[3 * 16 * 16], full[3 * 64 * 64];
    int ok = t2v_judge_cfg_for(&cfg, "scenes", 3, 1, 16, 16, &info.schema) == T2V_OK &&
             t2v_model_clips_open_stage(&mc, m, ds, &cfg, SEED, 1, 1) == T2V_OK;
    ok = ok && t2v_model_clip_fn(&mc, 0, clip) == T2V_OK;
    // the same caption through a stage-1 generator, box-filtered here
    t2v_generator_opts go;
    t2v_generator_opts_init(&go);
    go.device = T2V_DEVICE_CPU;
    go.threads = 1;
    go.stage = 1;
    t2v_generator *g = NULL;
    const float *f = NULL;
    ok = ok && t2v_generator_new(m, &go, &g) == T2V_OK &&
         t2v_generator_set_caption(g, t2v_data_caption(ds, 0, 0), NULL) == T2V_OK;
    if (ok) {
        t2v_generator_set_seed(g, SEED);
        ok = t2v_generator_frame(g, 0, &f) == T2V_OK;
    }
    if (ok) {
        memcpy(full, f, sizeof full);
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 16; x++)
                    direct[(c * 16 + y) * 16 + x] = full[(c * 64 + 4 * y) * 64 + 4 * x];
    }
    T2V_CHECK(ok && max_abs_diff(clip, direct, sizeof clip / sizeof clip[0]) == 0.0,
              "eval clip source at stage 1 box-filters 64x64 back to Stage I's 16x16 exactly");
    t2v_generator_free(g);
    t2v_model_clips_close(&mc);
    t2v_data_close(ds);
}

int main(int argc, char **argv)
{
    char path[512];
    const char *tmp = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/t2v-stage-%ld.gguf", tmp && *tmp ? tmp : "/tmp",
             (long)getpid());
    t2v_status st = tiny_stackgan_write(path, WORDS, (int)(sizeof WORDS / sizeof WORDS[0]), 3);
    if (!T2V_CHECK(st == T2V_OK, "tiny StackGAN model written (%s)",
                   st == T2V_OK ? "ok" : t2v_last_error()))
        return t2v_test_finish();
    t2v_model *m = NULL;
    st = t2v_model_load(path, &m);
    if (!T2V_CHECK(st == T2V_OK, "tiny model loads"))
        return t2v_test_finish();

    static float s1[3 * 16 * 16], s2[3 * 64 * 64], up[3 * 64 * 64];
    static float g1[3 * 64 * 64], g1b[3 * 64 * 64], g2[3 * 64 * 64], g0[3 * 64 * 64];
    int ref = reference_images(path, s1, s2);
    T2V_CHECK(ref, "reference Stage I / Stage II run from the weights file");
    // naive nearest upsampling: up[c][y][x] = s1[c][y / 4][x / 4]
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < 64; y++)
            for (int x = 0; x < 64; x++)
                up[(c * 64 + y) * 64 + x] = s1[(c * 16 + y / 4) * 16 + x / 4];

    int ok1 = generate(m, 1, g1) == T2V_OK, ok1b = generate(m, 1, g1b) == T2V_OK;
    int ok2 = generate(m, 2, g2) == T2V_OK, ok0 = generate(m, 0, g0) == T2V_OK;
    size_t n = 3 * 64 * 64;
    T2V_CHECK(ok1 && ok1b && ok2 && ok0, "generators at stages 0, 1, 2 run");
    double d1 = max_abs_diff(g1, up, n), d2 = max_abs_diff(g2, s2, n);
    T2V_CHECK(ref && ok1 && d1 == 0.0,
              "stage 1 frame = Stage I (16x16) upsampled by nearest to 64x64 (max diff %g)", d1);
    T2V_CHECK(ref && ok2 && d2 <= 1e-6, "stage 2 frame = Stage II output (max diff %g)", d2);
    T2V_CHECK(ok0 && ok2 && max_abs_diff(g0, g2, n) == 0.0, "default stage (0) is Stage II");
    T2V_CHECK(ok1 && ok2 && max_abs_diff(g1, g2, n) > 1e-3,
              "Stage I and Stage II frames differ (max diff %g)", max_abs_diff(g1, g2, n));
    T2V_CHECK(ok1 && ok1b && max_abs_diff(g1, g1b, n) == 0.0,
              "stage 1 is deterministic across generators");

    // pixels at stage 1 = conversion of the float frame
    {
        t2v_generator_opts o;
        t2v_generator_opts_init(&o);
        o.device = T2V_DEVICE_CPU;
        o.stage = 1;
        t2v_generator *g = NULL;
        static uint8_t a[64 * 64 * 3], b[64 * 64 * 3];
        uint8_t *pa[1] = {a}, *pb[1] = {b};
        int stride[1] = {64 * 3};
        int ok = t2v_generator_new(m, &o, &g) == T2V_OK &&
                 t2v_generator_set_caption(g, CAPTION, NULL) == T2V_OK;
        t2v_generator_set_seed(g, SEED);
        ok = ok && t2v_generator_frame_pixels(g, 0, T2V_PIX_RGB24, pa, stride) == T2V_OK &&
             t2v_pixels_convert(g1, 3, 64, 64, T2V_PIX_RGB24, pb, stride) == T2V_OK;
        T2V_CHECK(ok && memcmp(a, b, sizeof a) == 0,
                  "stage 1 pixels = conversion of the stage 1 float frame");
        t2v_generator_free(g);
    }

    st = open_with_stage(m, 3);
    T2V_CHECK(st == T2V_ERR_INVALID && strstr(t2v_last_error(), "stage 3"),
              "stage 3 of StackGAN is T2V_ERR_INVALID (%s)", t2v_last_error());
    st = open_with_stage(m, -1);
    T2V_CHECK(st == T2V_ERR_INVALID, "stage -1 is T2V_ERR_INVALID");

    check_model_clips(m);
    t2v_model_unref(m);
    unlink(path);

    if (argc > 1) {
        t2v_model *v = NULL;
        if (T2V_CHECK(t2v_model_load(argv[1], &v) == T2V_OK, "video model %s loads", argv[1])) {
            t2v_status a = open_with_stage(v, 1), b = open_with_stage(v, 2),
                       c = open_with_stage(v, 0);
            T2V_CHECK(a == T2V_ERR_INVALID && b == T2V_ERR_INVALID,
                      "stages 1 and 2 of a video model are T2V_ERR_INVALID");
            T2V_CHECK(c == T2V_OK, "stage 0 of a video model is accepted");
            t2v_model_unref(v);
        }
    }
    return t2v_test_finish();
}
