/* StackGAN's generators on the CUDA backend against the CPU backend: both
 * built from the same seed at small sizes, run on the same caption ids and
 * noise. Stage I drawn whole, layered (object picture, position head,
 * alpha over the background) and as the glyph (alpha picture from the
 * attended words, tint head; also with the tint reading the sentence and
 * losses on the glyph through its gradient hooks, a trainer's object
 * discriminator's way; and with the tint reading the words' features over
 * a flat background, before a residual Stage II that repaints the
 * background under its matte), then Stage II on Stage
 * I's images. Compared:
 * the images in training and inference mode, the batch-norm running
 * statistics and every parameter gradient. Skipped (77) without a device.
 *
 * Tolerances as test_cuda_model: images are tanh outputs and agree to
 * 2e-4; a gradient tensor agrees to 2e-3 of its largest CPU magnitude. */
#include <string.h>

#include "cuda_compare.h"
#include "models/stackgan.h"
#include "t2v_test.h"

#define NB 4

typedef struct side {
    t2v_backend *be;
    t2v_stackgan g;
    t2v_params ps, bufs;
    t2v_arena arena;
    float *hook_pic, *hook_tint;    /* case 3: the glyph hooks' gradients */
} side;

/* layered 3: the glyph with tint_sent (and, in run_case, the hooks); 4: as
 * 3 with tint_words and bg_flat, and the residual, repainting Stage II */
static t2v_stackgan_cfg model_cfg(int layered)
{
    return (t2v_stackgan_cfg){.z_dim = 6, .c_dim = 5, .gf = 2, .size1 = 16, .res1 = 1,
                              .unit_norm0 = 1, .layered = layered >= 3 ? 2 : layered,
                              .tint_sent = layered >= 3, .tint_words = layered == 4,
                              .bg_flat = layered == 4, .s2_residual = layered == 4,
                              .s2_bg = layered == 4,
                              .layer_side = layered ? 12 : 0, .gf2 = 4, .n_res2 = 1,
                              .channels = 3, .act = T2V_ACT_RELU, .ca_act = T2V_ACT_LRELU,
                              .text = {.vocab = 20, .embed = 8, .hidden = 8, .sent = 8,
                                       .max_words = 10}};
}

static t2v_status net_declare(void *net, const void *cfg, t2v_params *ps, t2v_params *bufs)
{
    return t2v_stackgan_declare(net, cfg, ps, bufs);
}

static void net_plan(void *net, t2v_backend *be, t2v_plan *p) { t2v_stackgan_plan(net, be, p); }

static t2v_status net_init(void *net, t2v_backend *be, t2v_params *ps, t2v_params *bufs)
{
    return t2v_stackgan_init(net, be, ps, bufs, 5);
}

static t2v_status build(side *s, t2v_device dev, const t2v_stackgan_cfg *cfg)
{
    static const cc_net_ops ops = {net_declare, net_plan, net_init};
    memset(s, 0, sizeof *s);
    return cc_build(&s->be, &s->ps, &s->bufs, &s->arena, dev, NB, &s->g, cfg, &ops);
}

static void release(side *s)
{
    t2v_backend_free(s->be, s->hook_pic);
    t2v_backend_free(s->be, s->hook_tint);
    cc_release(s->be, &s->ps, &s->bufs, &s->arena);
}

/* the caption ids, both stages' noise, then both stages forward */
static void forward(side *s, const int32_t *ids, const int *len, int training)
{
    for (int j = 0; j < NB; j++)
        t2v_stackgan_noise(&s->g, s->be, 9, (uint64_t)j, j);
    t2v_encoder_forward(&s->g.s1.text, s->be, &s->ps, ids, len);
    t2v_sg_stage1_forward(&s->g.s1, s->be, &s->ps, &s->bufs, s->g.s1.text.S, training);
    t2v_sg_stage2_forward(&s->g.s2, s->be, &s->ps, &s->bufs, s->g.s1.img, s->g.s1.text.S,
                          training);
}

/* gradients of sum(w1 * img1) + KL through Stage I and the encoder, or of
 * sum(w2 * img2) + KL through Stage II alone */
static void backward(side *s, int stage, const float *w)
{
    t2v_stackgan *g = &s->g;
    int side1 = g->cfg.size1, side2 = g->cfg.size2;
    t2v_params_zero_grad(&s->ps);
    if (stage == 1) {
        t2v_backend_upload(s->be, g->s1.dimg, w, (size_t)NB * 3 * side1 * side1 * sizeof *w);
        if (s->hook_pic) { /* losses on the glyph itself, weighted by w's next entries */
            size_t np = (size_t)NB * g->s1.layer.side * g->s1.layer.side;
            t2v_backend_upload(s->be, s->hook_pic, w + 1000, np * sizeof *w);
            t2v_backend_upload(s->be, s->hook_tint, w + 3000, (size_t)NB * 3 * sizeof *w);
            g->s1.layer.dpic_add = s->hook_pic;
            g->s1.layer.dtint_add = s->hook_tint;
        }
        t2v_sg_ca_kl(&g->s1.ca, s->be, 1.0f / (NB * g->cfg.c_dim));
        t2v_sg_stage1_backward(&g->s1, s->be, &s->ps, g->s1.text.S, 1);
        t2v_encoder_backward_all(&g->s1.text, s->be, &s->ps, g->s1.ca.dS,
                                 g->s1.layer.glyph ? g->s1.layer.dwords : NULL,
                                 g->cfg.tint_words ? g->s1.layer.dhc : NULL);
    } else {
        t2v_backend_upload(s->be, g->s2.dimg, w, (size_t)NB * 3 * side2 * side2 * sizeof *w);
        t2v_sg_ca_kl(&g->s2.ca, s->be, 1.0f / (NB * g->cfg.c_dim));
        t2v_sg_stage2_backward(&g->s2, s->be, &s->ps, g->s1.text.S, 1);
    }
}

static void run_case(int layered)
{
    const char *kind = layered == 4 ? "glyph Stage I, tint from the words' features and the "
                                      "sentence, flat background, hooks, residual Stage II "
                                      "repainting the background"
                       : layered == 3 ? "glyph Stage I, tint from the sentence too, losses on "
                                      "the glyph through its hooks, Stage II"
                       : layered == 2 ? "glyph Stage I (12x12 alpha picture, attention, tint), "
                                        "Stage II"
                       : layered ? "layered Stage I (12x12 object picture), Stage II"
                                 : "Stage I, Stage II";
    t2v_stackgan_cfg cfg = model_cfg(layered);
    side cpu, gpu;
    t2v_status s = build(&cpu, T2V_DEVICE_CPU, &cfg);
    if (!T2V_CHECK(s == T2V_OK, "%s: CPU generators build (%s)", kind,
                   s == T2V_OK ? "ok" : t2v_last_error())) {
        release(&cpu);
        return;
    }
    s = build(&gpu, T2V_DEVICE_CUDA, &cfg);
    if (!T2V_CHECK(s == T2V_OK, "%s: CUDA generators build (%s)", kind,
                   s == T2V_OK ? "ok" : t2v_last_error())) {
        release(&cpu);
        release(&gpu);
        return;
    }
    if (layered >= 3)
        for (int i = 0; i < 2; i++) {
            side *sd = i ? &gpu : &cpu;
            sd->hook_pic = t2v_backend_alloc(sd->be, (size_t)NB * 12 * 12 * sizeof(float));
            sd->hook_tint = t2v_backend_alloc(sd->be, (size_t)NB * 3 * sizeof(float));
        }
    if (layered >= 2) { /* the same distinct word scores and sharpening on both sides */
        float score[20];
        for (int v = 0; v < 20; v++)
            score[v] = 0.4f * (float)((v * 7) % 11);
        for (int i = 0; i < 2; i++) {
            side *sd = i ? &gpu : &cpu;
            sd->g.s1.layer.sharpen = 0.3f;
            t2v_backend_upload(sd->be, t2v_pdata(&sd->ps, sd->g.s1.layer.att_w), score,
                               sizeof score);
        }
    }
    if (layered == 4) { /* the same distinct word-feature scores and Stage-II corrections,
                           where both start at zero */
        float u[16];
        for (int i = 0; i < 16; i++)
            u[i] = 0.3f * (float)((i * 5) % 7) - 0.9f;
        const t2v_sg_node *out = &cpu.g.s2.net.node[cpu.g.s2.net.n - 1];
        size_t nw = (size_t)t2v_tensor_numel(&cpu.ps.items[out->w].t);
        float *w2 = malloc(nw * sizeof *w2);
        t2v_rng_normal_host(w2, nw, 33, 0, 0);
        for (size_t i = 0; i < nw; i++)
            w2[i] *= 0.05f;
        for (int i = 0; i < 2; i++) {
            side *sd = i ? &gpu : &cpu;
            t2v_backend_upload(sd->be, t2v_pdata(&sd->ps, sd->g.s1.layer.tq_w), u, sizeof u);
            t2v_backend_upload(sd->be, t2v_pdata(&sd->ps, out->w), w2, nw * sizeof *w2);
        }
        free(w2);
    }
    const int T = cfg.text.max_words;
    int32_t ids[NB * 10] = {0};
    int len[NB] = {5, 3, 10, 1};
    for (int n = 0; n < NB; n++)
        for (int t = 0; t < len[n]; t++)
            ids[n * T + t] = 2 + (n * 7 + t * 3) % (cfg.text.vocab - 2);
    size_t n1 = (size_t)NB * 3 * 16 * 16, n2 = (size_t)NB * 3 * 64 * 64;
    char what[200];

    forward(&cpu, ids, len, 1);
    forward(&gpu, ids, len, 1);
    snprintf(what, sizeof what, "%s: training-mode Stage-I images", kind);
    cc_compare(gpu.be, cpu.be, gpu.g.s1.img, cpu.g.s1.img, n1, 2e-4, 0.0, what);
    snprintf(what, sizeof what, "%s: training-mode Stage-II images", kind);
    cc_compare(gpu.be, cpu.be, gpu.g.s2.img, cpu.g.s2.img, n2, 2e-4, 0.0, what);
    if (layered) {
        snprintf(what, sizeof what, "%s: the object's moves", kind);
        cc_compare(gpu.be, cpu.be, gpu.g.s1.layer.off, cpu.g.s1.layer.off, NB * 2, 1e-5, 1e-4,
                   what);
    }
    int bad = cc_count_params(gpu.be, cpu.be, &gpu.bufs, &cpu.bufs, 0, 1e-5, 1e-4);
    T2V_CHECK(bad == 0, "%s: all %d running statistics agree after a training forward (%d "
                        "differ)", kind, cpu.bufs.count, bad);

    float *w = malloc(n2 * sizeof *w);
    t2v_rng_uniform_host(w, n2, 32, 0, 0);
    for (size_t i = 0; i < n2; i++)
        w[i] = 2.0f * w[i] - 1.0f;
    for (int stage = 1; stage <= 2; stage++) {
        backward(&cpu, stage, w);
        backward(&gpu, stage, w);
        bad = cc_count_params(gpu.be, cpu.be, &gpu.ps, &cpu.ps, 1, 1e-7, 2e-3);
        T2V_CHECK(bad == 0, "%s: Stage-%s backward, all %d parameter gradients agree to 2e-3 "
                            "of their scale (%d differ)", kind, stage == 1 ? "I" : "II",
                  cpu.ps.count, bad);
    }

    forward(&cpu, ids, len, 0);
    forward(&gpu, ids, len, 0);
    snprintf(what, sizeof what, "%s: inference-mode Stage-II images", kind);
    cc_compare(gpu.be, cpu.be, gpu.g.s2.img, cpu.g.s2.img, n2, 5e-4, 0.0, what);
    cc_check_clean(gpu.be, kind);
    free(w);
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
    run_case(0);
    run_case(1);
    run_case(2);
    run_case(3);
    run_case(4);
    return t2v_test_finish();
}
