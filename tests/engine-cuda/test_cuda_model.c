/* Whole-model equivalence of the CUDA and CPU backends: the TGANs-C
 * generator with its sentence encoder (the "tiny" preset's sizes, both
 * batch-norm kinds, the sprite layout, its picture attending to the
 * caption's words, a picture smaller than the frame, the bouncing path)
 * built on each
 * backend from the same seed, run on the same caption ids and noise. Compared: clips in training and inference
 * mode, the batch-norm running statistics, each layer's activations,
 * every parameter gradient, and the parameters after three Adam steps.
 * Each backward starts from the CUDA side's activations on both sides
 * (cc_adopt), so that a ReLU input within rounding of zero cannot take
 * opposite decisions. Skipped (77) without a device.
 *
 * Tolerances: clips are tanh outputs in [-1, 1] and agree to 2e-4; a
 * gradient tensor agrees to 2e-3 of its largest CPU magnitude (float
 * products summed in another order, through several batch norms). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cuda_compare.h"
#include "models/tganc.h"
#include "t2v_test.h"
#include "train/tganc/trainer.h"

#define NB 4

typedef struct side {
    t2v_backend *be;
    t2v_tganc g;
    t2v_params ps, bufs;
    t2v_arena arena;
} side;

static t2v_tganc_cfg model_cfg(int cond_bn, int sprite)
{
    t2v_tganc_recipe r;
    t2v_tganc_preset("tiny", &r);
    if (sprite)
        t2v_tganc_recipe_sprite(&r);
    if (sprite >= 2) /* 7, 8: as 4 */
        t2v_tganc_recipe_attend(&r, 0.3f, sprite == 3 || sprite == 5 || sprite == 6 ? 2 : 1,
                                sprite == 3 || sprite == 4 || sprite >= 7,
                                sprite == 5 || sprite == 6 ? 3 : 0, sprite == 6);
    if (sprite >= 4 && sprite != 5 && sprite != 6) {
        /* a picture half the frame's side, moving within it (4; 7 bouncing, 8 with
         * the axis gate) */
        t2v_tganc_check(&r.gen);
        t2v_tganc_recipe_picture(&r, r.gen.height / 2);
    }
    t2v_tganc_cfg cfg = r.gen;
    cfg.cond_bn = cond_bn;
    cfg.unit_norm0 = cond_bn; /* both ways of normalising the FC layer */
    cfg.text.vocab = 20;
    cfg.path_bounce = sprite == 8 ? 2 : sprite == 7;
    return cfg;
}

static t2v_status net_declare(void *net, const void *cfg, t2v_params *ps, t2v_params *bufs)
{
    return t2v_tganc_declare(net, cfg, ps, bufs);
}

static void net_plan(void *net, t2v_backend *be, t2v_plan *p) { t2v_tganc_plan(net, be, p); }

static t2v_status net_init(void *net, t2v_backend *be, t2v_params *ps, t2v_params *bufs)
{
    return t2v_tganc_init(net, be, ps, bufs, 5);
}

static t2v_status build(side *s, t2v_device dev, const t2v_tganc_cfg *cfg)
{
    static const cc_net_ops ops = {net_declare, net_plan, net_init};
    memset(s, 0, sizeof *s);
    return cc_build(&s->be, &s->ps, &s->bufs, &s->arena, dev, NB, &s->g, cfg, &ops);
}

static void release(side *s) { cc_release(s->be, &s->ps, &s->bufs, &s->arena); }

static int compare_tensor(side *gpu, side *cpu, const float *gd, const float *cd, size_t n,
                          double atol, double rel, const char *what)
{
    return cc_compare(gpu->be, cpu->be, gd, cd, n, atol, rel, what);
}


static void forward_both(side *s, const int32_t *ids, const int *len, const float *z,
                         int training)
{
    t2v_backend_upload(s->be, s->g.z, z, (size_t)NB * s->g.cfg.z_dim * sizeof(float));
    t2v_encoder_forward(&s->g.text, s->be, &s->ps, ids, len);
    t2v_tganc_forward(&s->g, s->be, &s->ps, &s->bufs, s->g.text.S, training);
}

static size_t clip_floats(const t2v_tganc_cfg *c)
{
    return (size_t)NB * c->channels * c->frames * c->height * c->width;
}

/* What the ReLUs' backward passes read: each stack layer's activated
 * output, and with K > 1 pictures the composite's K - 1 clips of
 * relu(max so far - picture k). */
static size_t layer_floats(const side *s, int i)
{
    return (size_t)s->g.NS * s->g.layer[i].C * s->g.layer[i].L;
}

static size_t over_floats(const side *s) { return (size_t)(s->g.K - 1) * clip_floats(&s->g.cfg); }

static void compare_relu_inputs(side *gpu, side *cpu, const char *kind)
{
    char what[300];
    for (int i = 0; i <= cpu->g.cfg.n_stages; i++) {
        snprintf(what, sizeof what, "%s: layer %d's activations in training", kind, i);
        compare_tensor(gpu, cpu, gpu->g.layer[i].a, cpu->g.layer[i].a, layer_floats(cpu, i), 1e-5,
                       1e-4, what);
    }
    if (cpu->g.K > 1) {
        snprintf(what, sizeof what, "%s: the composite's rectified differences", kind);
        compare_tensor(gpu, cpu, gpu->g.over, cpu->g.over, over_floats(cpu), 1e-5, 1e-4, what);
    }
}

static void adopt_relu_inputs(side *gpu, side *cpu)
{
    for (int i = 0; i <= cpu->g.cfg.n_stages; i++)
        cc_adopt(gpu->be, cpu->be, gpu->g.layer[i].a, cpu->g.layer[i].a, layer_floats(cpu, i));
    if (cpu->g.K > 1)
        cc_adopt(gpu->be, cpu->be, gpu->g.over, cpu->g.over, over_floats(cpu));
}

static void backward_both(side *s, const float *dclip)
{
    t2v_params_zero_grad(&s->ps);
    t2v_backend_upload(s->be, s->g.dclip, dclip, clip_floats(&s->g.cfg) * sizeof(float));
    t2v_tganc_backward(&s->g, s->be, &s->ps, s->g.text.S);
    t2v_tganc_text_backward(&s->g, s->be, &s->ps);
}

static void run_case(int cond_bn, int sprite)
{
    const char *kind = sprite == 8 ? "sprite layout attending to words, bouncing path with axis "
                                     "gate reading the rest, picture half the frame, "
                                     "sentence-modulated BN"
                       : sprite == 7 ? "sprite layout attending to words, bouncing path reading "
                                     "the rest, picture half the frame, sentence-modulated BN"
                       : sprite == 6 ? "two sprites attending to words, each path from the three "
                                     "words after its own picture's, sentence-modulated BN"
                       : sprite == 5 ? "two sprites attending to words, paths reading the three "
                                     "words after each picture's, sentence-modulated BN"
                       : sprite == 4 ? "sprite layout attending to words, path reading the rest, "
                                     "picture half the frame, sentence-modulated BN"
                       : sprite == 3 ? "two sprites attending to words, paths reading the rest, "
                                     "sentence-modulated BN"
                       : sprite == 2 ? "sprite layout attending to words, sentence-modulated BN"
                       : sprite    ? "sprite layout, sentence-modulated BN"
                       : cond_bn ? "sentence-modulated BN, per-unit FC statistics"
                                 : "affine BN, per-channel FC statistics";
    t2v_tganc_cfg cfg = model_cfg(cond_bn, sprite);
    side cpu, gpu;
    t2v_status s = build(&cpu, T2V_DEVICE_CPU, &cfg);
    if (!T2V_CHECK(s == T2V_OK, "%s: CPU generator builds (%s)", kind,
                   s == T2V_OK ? "ok" : t2v_last_error())) {
        release(&cpu);
        return;
    }
    s = build(&gpu, T2V_DEVICE_CUDA, &cfg);
    if (!T2V_CHECK(s == T2V_OK, "%s: CUDA generator builds (%s)", kind,
                   s == T2V_OK ? "ok" : t2v_last_error())) {
        release(&cpu);
        release(&gpu);
        return;
    }
    cfg = cpu.g.cfg; /* with the derived output size */
    cpu.g.attend_sharpen = gpu.g.attend_sharpen = sprite >= 2 ? 0.3f : 0.0f;
    cpu.g.axis_sharpen = gpu.g.axis_sharpen = sprite == 8 ? 0.5f : 0.0f;
    if (sprite >= 2) { /* the same distinct scores and positional biases on both sides */
        int ns = cfg.text.vocab, np = cpu.g.K * cfg.text.max_words;
        float *v = malloc((size_t)(ns + np) * sizeof *v);
        t2v_rng_normal_host(v, (size_t)(ns + np), 33, 0, 0);
        side *both[2] = {&cpu, &gpu};
        for (int i = 0; i < 2; i++) {
            t2v_backend_upload(both[i]->be, t2v_pdata(&both[i]->ps, both[i]->g.att_w), v,
                               (size_t)ns * sizeof *v);
            if (cpu.g.K > 1)
                t2v_backend_upload(both[i]->be, t2v_pdata(&both[i]->ps, both[i]->g.att_pos),
                                   v + ns, (size_t)np * sizeof *v);
        }
        free(v);
    }
    const int T = cfg.text.max_words;
    int32_t *ids = calloc((size_t)NB * T, sizeof *ids);
    int len[NB] = {5, 3, 8, 1};
    for (int n = 0; n < NB; n++)
        for (int t = 0; t < len[n]; t++)
            ids[n * T + t] = 2 + (n * 7 + t * 3) % (cfg.text.vocab - 2);
    float *z = malloc((size_t)NB * cfg.z_dim * sizeof *z);
    t2v_rng_normal_host(z, (size_t)NB * cfg.z_dim, 31, 0, 0);
    const size_t clip = clip_floats(&cpu.g.cfg); /* frames are derived when declared */
    char what[256];

    /* training-mode forward: clips and running statistics */
    forward_both(&cpu, ids, len, z, 1);
    forward_both(&gpu, ids, len, z, 1);
    snprintf(what, sizeof what, "%s: sentence vectors S", kind);
    compare_tensor(&gpu, &cpu, gpu.g.text.S, cpu.g.text.S, (size_t)NB * cfg.text.sent, 1e-5,
                   1e-4, what);
    snprintf(what, sizeof what, "%s: training-mode clip", kind);
    compare_tensor(&gpu, &cpu, gpu.g.clip, cpu.g.clip, clip, 2e-4, 0.0, what);
    for (int i = 0; i < cpu.bufs.count; i++) {
        snprintf(what, sizeof what, "%s: buffer %s after a training forward", kind,
                 cpu.bufs.items[i].name);
        compare_tensor(&gpu, &cpu, gpu.bufs.items[i].t.data, cpu.bufs.items[i].t.data,
                       (size_t)t2v_tensor_numel(&cpu.bufs.items[i].t), 1e-5, 1e-4, what);
    }

    compare_relu_inputs(&gpu, &cpu, kind);

    /* gradients of sum(w * clip), both from the CUDA side's activations */
    float *w = malloc(clip * sizeof *w);
    t2v_rng_uniform_host(w, clip, 32, 0, 0);
    for (size_t i = 0; i < clip; i++)
        w[i] = 2.0f * w[i] - 1.0f;
    adopt_relu_inputs(&gpu, &cpu);
    backward_both(&cpu, w);
    backward_both(&gpu, w);
    int bad = cc_count_params(gpu.be, cpu.be, &gpu.ps, &cpu.ps, 1, 1e-7, 2e-3);
    T2V_CHECK(bad == 0, "%s: all %d parameter gradients agree to 2e-3 of their scale (%d differ)",
              kind, cpu.ps.count, bad);

    /* three Adam steps on the same loss; eps well above float noise, so a
     * gradient that is zero up to rounding cannot flip an update's sign */
    t2v_adam oc = {.lr = 1e-3f, .beta1 = 0.5f, .beta2 = 0.999f, .eps = 1e-3f};
    t2v_adam og = oc;
    t2v_status sc = T2V_OK, sg = T2V_OK;
    for (int step = 0; step < 3; step++) {
        if (step > 0) {
            forward_both(&cpu, ids, len, z, 1);
            forward_both(&gpu, ids, len, z, 1);
            adopt_relu_inputs(&gpu, &cpu);
            backward_both(&cpu, w);
            backward_both(&gpu, w);
        }
        if (sc == T2V_OK)
            sc = t2v_adam_step(&oc, &cpu.ps);
        if (sg == T2V_OK)
            sg = t2v_adam_step(&og, &gpu.ps);
    }
    T2V_CHECK(sc == T2V_OK && sg == T2V_OK, "%s: three Adam steps run on both backends", kind);
    /* each step moves a weight by about lr; allow a tenth of a step */
    bad = cc_count_params(gpu.be, cpu.be, &gpu.ps, &cpu.ps, 0, 1e-4, 0.0);
    T2V_CHECK(bad == 0, "%s: parameters after three Adam steps agree to 1e-4 (%d differ)", kind,
              bad);

    /* inference mode (running statistics) */
    forward_both(&cpu, ids, len, z, 0);
    forward_both(&gpu, ids, len, z, 0);
    snprintf(what, sizeof what, "%s: inference-mode clip after training", kind);
    compare_tensor(&gpu, &cpu, gpu.g.clip, cpu.g.clip, clip, 5e-4, 0.0, what);
    cc_check_clean(gpu.be, kind);

    free(w);
    free(z);
    free(ids);
    release(&cpu);
    release(&gpu);
}

int main(void)
{
    int probe = cc_probe_device();
    if (probe == 77)
        return 77;
    if (probe)
        return t2v_test_finish();
    run_case(0, 0);
    run_case(1, 0);
    run_case(1, 1);
    run_case(1, 2);
    run_case(1, 3);
    run_case(1, 4);
    run_case(1, 5);
    run_case(1, 6);
    run_case(1, 7);
    run_case(1, 8);
    return t2v_test_finish();
}
