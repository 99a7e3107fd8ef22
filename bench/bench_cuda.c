/* TGANs-C generator throughput on a backend (CUDA by default), the numbers
 * bench/torch_reference.py measures for PyTorch on the same architecture:
 *
 *   first clip   open the backend, build and initialise the generator at
 *                batch 1, run the first caption to a host clip (latency a
 *                user waits for before the first frame)
 *   generation   clips/s at batch 1 and 64: encoder + generator in
 *                inference mode + the clip downloaded to host memory
 *   train step   one generator update at the preset's training batch:
 *                encoder + generator forward (batch statistics), backward
 *                of a fixed linear loss on the clip, Adam on every weight
 *
 * Usage: bench_cuda [small|paper] [cuda|cpu] [seconds per measurement]
 * (defaults: paper cuda 3). TXT2VID_CUDA_TF32=1 lets cuBLAS use TF32. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "models/tganc.h"
#include "train/tganc/trainer.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct gen {
    t2v_tganc g;
    t2v_params ps, bufs;
    t2v_arena arena;
    int N, training;
    int32_t *ids;
    int *len;
    float *z, *host_clip, *dclip;
    size_t clip;
    t2v_adam opt;
} gen;

static int fail(const char *what)
{
    fprintf(stderr, "bench_cuda: %s: %s\n", what, t2v_last_error());
    return 1;
}

static t2v_status gen_build(gen *b, t2v_backend *be, const t2v_tganc_cfg *cfg, int N,
                            int training)
{
    memset(b, 0, sizeof *b);
    b->N = N;
    b->training = training;
    t2v_params_init(&b->ps, be);
    t2v_params_init(&b->bufs, be);
    t2v_status s = t2v_tganc_declare(&b->g, cfg, &b->ps, &b->bufs);
    if (s == T2V_OK)
        s = t2v_params_allocate(&b->ps, training);
    if (s == T2V_OK)
        s = t2v_params_allocate(&b->bufs, 0);
    if (s != T2V_OK)
        return s;
    t2v_plan p = {.arena = &b->arena, .N = N, .training = training};
    t2v_arena_measure(&b->arena, be);
    t2v_tganc_plan(&b->g, be, &p);
    if ((s = t2v_arena_commit(&b->arena)) != T2V_OK)
        return s;
    t2v_tganc_plan(&b->g, be, &p);
    if (p.status != T2V_OK)
        return p.status;
    if ((s = t2v_tganc_init(&b->g, be, &b->ps, &b->bufs, 1)) != T2V_OK)
        return s;
    const t2v_tganc_cfg *c = &b->g.cfg;
    int T = c->text.max_words;
    b->ids = calloc((size_t)N * T, sizeof *b->ids);
    b->len = calloc((size_t)N, sizeof *b->len);
    b->z = malloc((size_t)N * c->z_dim * sizeof *b->z);
    b->clip = (size_t)N * c->channels * c->frames * c->height * c->width;
    b->host_clip = malloc(b->clip * sizeof(float));
    if (!b->ids || !b->len || !b->z || !b->host_clip)
        return T2V_ERR_NOMEM;
    for (int n = 0; n < N; n++) {
        b->len[n] = 6 + n % 8;
        for (int t = 0; t < b->len[n]; t++)
            b->ids[n * T + t] = 2 + (n * 5 + t * 7) % (c->text.vocab - 2);
    }
    t2v_rng_normal_host(b->z, (size_t)N * c->z_dim, 7, 0, 0);
    if (training) {
        b->dclip = malloc(b->clip * sizeof(float));
        if (!b->dclip)
            return T2V_ERR_NOMEM;
        t2v_rng_uniform_host(b->dclip, b->clip, 8, 0, 0);
        for (size_t i = 0; i < b->clip; i++)
            b->dclip[i] = (2.0f * b->dclip[i] - 1.0f) / (float)b->clip;
        b->opt = (t2v_adam){.lr = 2e-4f, .beta1 = 0.5f, .beta2 = 0.999f, .eps = 1e-8f};
    }
    return T2V_OK;
}

static void gen_free(gen *b)
{
    t2v_arena_release(&b->arena);
    t2v_params_free(&b->ps);
    t2v_params_free(&b->bufs);
    free(b->ids);
    free(b->len);
    free(b->z);
    free(b->host_clip);
    free(b->dclip);
}

/* captions and noise in, clips out on the host */
static t2v_status generate(gen *b, t2v_backend *be)
{
    t2v_status s = t2v_backend_upload(be, b->g.z, b->z,
                                      (size_t)b->N * b->g.cfg.z_dim * sizeof(float));
    if (s == T2V_OK)
        s = t2v_encoder_forward(&b->g.text, be, &b->ps, b->ids, b->len);
    if (s != T2V_OK)
        return s;
    t2v_tganc_forward(&b->g, be, &b->ps, &b->bufs, b->g.text.S, 0);
    return t2v_backend_download(be, b->host_clip, b->g.clip, b->clip * sizeof(float));
}

static t2v_status train_step(gen *b, t2v_backend *be)
{
    t2v_status s = t2v_backend_upload(be, b->g.z, b->z,
                                      (size_t)b->N * b->g.cfg.z_dim * sizeof(float));
    if (s == T2V_OK)
        s = t2v_params_zero_grad(&b->ps);
    if (s == T2V_OK)
        s = t2v_encoder_forward(&b->g.text, be, &b->ps, b->ids, b->len);
    if (s != T2V_OK)
        return s;
    t2v_tganc_forward(&b->g, be, &b->ps, &b->bufs, b->g.text.S, 1);
    s = t2v_backend_upload(be, b->g.dclip, b->dclip, b->clip * sizeof(float));
    if (s != T2V_OK)
        return s;
    t2v_tganc_backward(&b->g, be, &b->ps, b->g.text.S);
    t2v_tganc_text_backward(&b->g, be, &b->ps);
    if ((s = t2v_adam_step(&b->opt, &b->ps)) != T2V_OK)
        return s;
    return t2v_backend_sync(be);
}

/* mean seconds per call over at least `seconds` (after two warm-up calls) */
static double time_calls(t2v_status (*fn)(gen *, t2v_backend *), gen *b, t2v_backend *be,
                         double seconds, int *calls, t2v_status *st)
{
    *st = T2V_OK;
    for (int i = 0; i < 2 && *st == T2V_OK; i++)
        *st = fn(b, be);
    int n = 0;
    double t0 = now_s(), t = 0.0;
    while (*st == T2V_OK && (n < 3 || t < seconds)) {
        *st = fn(b, be);
        n++;
        t = now_s() - t0;
    }
    *calls = n;
    return n ? t / n : 0.0;
}

int main(int argc, char **argv)
{
    const char *preset = argc > 1 ? argv[1] : "paper";
    const char *devname = argc > 2 ? argv[2] : "cuda";
    double seconds = argc > 3 ? atof(argv[3]) : 3.0;
    t2v_device dev = strcmp(devname, "cpu") == 0 ? T2V_DEVICE_CPU : T2V_DEVICE_CUDA;
    t2v_tganc_recipe rc;
    if (t2v_tganc_preset(preset, &rc) != T2V_OK)
        return fail("preset");
    t2v_tganc_cfg cfg = rc.gen;
    cfg.text.vocab = 1000; /* a captioned data set's order of size */

    /* first clip: from opening the backend to a host clip */
    double t0 = now_s();
    t2v_backend *be = NULL;
    if (t2v_backend_open(dev, 0, 0, &be) != T2V_OK)
        return fail("open backend");
    gen b;
    if (gen_build(&b, be, &cfg, 1, 0) != T2V_OK)
        return fail("build generator (batch 1)");
    if (generate(&b, be) != T2V_OK)
        return fail("first clip");
    double first = now_s() - t0;
    printf("backend %s, preset %s: clip %dx%dx%dx%d, generator %lld parameters\n",
           t2v_backend_name(be), preset, b.g.cfg.channels, b.g.cfg.frames, b.g.cfg.height,
           b.g.cfg.width, (long long)t2v_params_total(&b.ps));
    printf("first clip (open + build + init + generate): %.1f ms\n", first * 1e3);
    gen_free(&b);

    const int batches[2] = {1, 64};
    for (int i = 0; i < 2; i++) {
        if (gen_build(&b, be, &cfg, batches[i], 0) != T2V_OK)
            return fail("build generator");
        int calls;
        t2v_status st;
        double t = time_calls(generate, &b, be, seconds, &calls, &st);
        if (st != T2V_OK)
            return fail("generate");
        printf("generation batch %2d: %8.2f ms per batch, %9.1f clips/s (%d batches)\n",
               batches[i], t * 1e3, batches[i] / t, calls);
        gen_free(&b);
    }

    if (gen_build(&b, be, &cfg, rc.batch, 1) != T2V_OK)
        return fail("build generator for training");
    int calls;
    t2v_status st;
    double t = time_calls(train_step, &b, be, seconds, &calls, &st);
    if (st != T2V_OK)
        return fail("train step");
    printf("generator train step batch %d: %.2f ms (%d steps)\n", rc.batch, t * 1e3, calls);
    gen_free(&b);
    t2v_backend_close(be);
    return 0;
}
