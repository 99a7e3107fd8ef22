/* The CUDA kernels' per-element arithmetic (kernels/t2v_cuda_ops.cuh),
 * compiled here as host C, against the CPU backend's kernels and the
 * host random fills: activations, GLU, the LSTM step, the losses, Adam and
 * Philox must agree bit for bit on the host. The pixel conversion's
 * per-pixel functions (engine/pixels/pixel_ops.h, which the CUDA to_pixels
 * kernel runs one thread per pixel and per chroma block) are driven here in
 * the kernel's index order and must give t2v_pixels_convert's bytes. Runs without a GPU; on a GPU
 * the device build of the same functions differs only where the device's
 * expf/logf/tanhf/sinf round differently (the engine-cuda op tests bound
 * that).
 *
 * Inputs mix a wide range, exact zeros and both signs, so every branch of
 * every formula is taken. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pixels/pixel_ops.h"
#include "t2v_cuda_ops.cuh"
#include "t2v_test.h"
#include "txt2vid/nn.h"

#define N 4099

static t2v_backend *be;
static const t2v_kernels *k;

/* values in [-span, span) with a few exact zeros and tiny magnitudes */
static void inputs(float *x, long n, float span, uint64_t stream)
{
    t2v_rng_uniform_host(x, (size_t)n, 777, stream, 0);
    for (long i = 0; i < n; i++) {
        x[i] = span * (2.0f * x[i] - 1.0f);
        if (i % 97 == 0)
            x[i] = 0.0f;
        if (i % 89 == 1)
            x[i] *= 1e-6f;
    }
}

/* index of the first bitwise difference, or -1 */
static long first_diff(const float *a, const float *b, long n)
{
    for (long i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof(float)) != 0)
            return i;
    return -1;
}

static int same(const float *got, const float *want, long n, const char *what)
{
    long d = first_diff(got, want, n);
    if (d < 0)
        return t2v_test_report(1, "%s: %ld values bitwise equal", what, n);
    return t2v_test_report(0, "%s: element %ld differs: %.9g vs CPU %.9g", what, d, got[d],
                           want[d]);
}

static void activations(float *x, float *y, float *cpu, float *dy)
{
    static const struct { t2v_act act; float slope; const char *name; } cases[] = {
        {T2V_ACT_NONE, 0.0f, "none"},     {T2V_ACT_RELU, 0.0f, "relu"},
        {T2V_ACT_LRELU, 0.0f, "lrelu (default slope)"}, {T2V_ACT_LRELU, 0.01f, "lrelu 0.01"},
        {T2V_ACT_TANH, 0.0f, "tanh"},     {T2V_ACT_SIGMOID, 0.0f, "sigmoid"},
    };
    inputs(x, N, 12.0f, 1);
    inputs(dy, N, 3.0f, 2);
    for (int c = 0; c < 6; c++) {
        float slope = t2v_op_slope(cases[c].act, cases[c].slope);
        char what[96];
        k->act_forward(be, cases[c].act, cases[c].slope, cpu, x, N);
        for (long i = 0; i < N; i++)
            y[i] = t2v_op_act_forward(cases[c].act, slope, x[i]);
        snprintf(what, sizeof what, "act_forward %s", cases[c].name);
        same(y, cpu, N, what);
        /* backward from the forward output */
        float *out = malloc(N * sizeof *out);
        k->act_backward(be, cases[c].act, cases[c].slope, out, dy, cpu, N);
        for (long i = 0; i < N; i++)
            y[i] = t2v_op_act_backward(cases[c].act, slope, dy[i], cpu[i]);
        snprintf(what, sizeof what, "act_backward %s", cases[c].name);
        same(y, out, N, what);
        free(out);
    }
}

static void glu(void)
{
    const int n = 3, C = 5;
    const long L = 37, half = C * L;
    float *x = malloc(n * 2 * half * sizeof *x), *y = malloc(n * half * sizeof *y);
    float *cpu = malloc(n * 2 * half * sizeof *cpu), *dy = malloc(n * half * sizeof *dy);
    float *dx = malloc(n * 2 * half * sizeof *dx);
    inputs(x, n * 2 * half, 9.0f, 3);
    inputs(dy, n * half, 2.0f, 4);
    k->glu_forward(be, cpu, x, n, C, L);
    for (long s = 0; s < n; s++)
        for (long q = 0; q < half; q++)
            y[s * half + q] = t2v_op_glu_forward(x[s * 2 * half + q], x[s * 2 * half + half + q]);
    same(y, cpu, n * half, "glu_forward (N 3, C 5, L 37)");
    k->glu_backward(be, cpu, dy, x, n, C, L);
    for (long s = 0; s < n; s++)
        for (long q = 0; q < half; q++)
            t2v_op_glu_backward(dy[s * half + q], x[s * 2 * half + q], x[s * 2 * half + half + q],
                                &dx[s * 2 * half + q], &dx[s * 2 * half + half + q]);
    same(dx, cpu, n * 2 * half, "glu_backward");
    free(x);
    free(y);
    free(cpu);
    free(dy);
    free(dx);
}

static void lstm(void)
{
    const int n = 6, H = 29;
    const long NH = (long)n * H, G = 4 * NH;
    float *gates = malloc(G * sizeof(float)), *act = malloc(G * sizeof(float));
    float *hp = malloc(NH * sizeof(float)), *cp = malloc(NH * sizeof(float));
    float *h = malloc(NH * sizeof(float)), *c = malloc(NH * sizeof(float));
    float *h2 = malloc(NH * sizeof(float)), *c2 = malloc(NH * sizeof(float));
    float *act2 = malloc(G * sizeof(float)), *dh = malloc(NH * sizeof(float));
    float *dc = malloc(NH * sizeof(float)), *dg = malloc(G * sizeof(float));
    float *dg2 = malloc(G * sizeof(float)), *dhp = malloc(NH * sizeof(float));
    float *dcp = malloc(NH * sizeof(float)), *dhp2 = malloc(NH * sizeof(float));
    float *dcp2 = malloc(NH * sizeof(float));
    float mask[6] = {1, 1, 0, 1, 0, 1};
    inputs(gates, G, 6.0f, 5);
    inputs(hp, NH, 1.0f, 6);
    inputs(cp, NH, 2.0f, 7);
    inputs(dh, NH, 1.5f, 8);
    inputs(dc, NH, 1.5f, 9);
    k->lstm_cell_forward(be, h, c, act, gates, hp, cp, mask, n, H);
    for (int s = 0; s < n; s++)
        for (int q = 0; q < H; q++) {
            const float *g = gates + (long)s * 4 * H;
            float gv[4] = {g[q], g[H + q], g[2 * H + q], g[3 * H + q]}, av[4];
            t2v_op_lstm_gates(gv, av);
            for (int j = 0; j < 4; j++)
                act2[(long)s * 4 * H + j * H + q] = av[j];
            long i = (long)s * H + q;
            if (mask[s] == 0.0f) {
                h2[i] = hp[i];
                c2[i] = cp[i];
            } else {
                t2v_op_lstm_state(av, cp[i], &c2[i], &h2[i]);
            }
        }
    same(act2, act, G, "lstm_cell_forward gates (padding rows included)");
    same(c2, c, NH, "lstm_cell_forward c");
    same(h2, h, NH, "lstm_cell_forward h");
    k->lstm_cell_backward(be, dg, dhp, dcp, dh, dc, act, c, cp, mask, n, H);
    for (int s = 0; s < n; s++)
        for (int q = 0; q < H; q++) {
            long i = (long)s * H + q;
            float *d = dg2 + (long)s * 4 * H;
            if (mask[s] == 0.0f) {
                for (int j = 0; j < 4; j++)
                    d[j * H + q] = 0.0f;
                dhp2[i] = dh[i];
                dcp2[i] = dc[i];
                continue;
            }
            const float *a = act + (long)s * 4 * H;
            float av[4] = {a[q], a[H + q], a[2 * H + q], a[3 * H + q]}, dv[4];
            t2v_op_lstm_backward(av, c[i], cp[i], dh[i], dc[i], dv, &dcp2[i]);
            for (int j = 0; j < 4; j++)
                d[j * H + q] = dv[j];
            dhp2[i] = 0.0f;
        }
    same(dg2, dg, G, "lstm_cell_backward dgates");
    same(dcp2, dcp, NH, "lstm_cell_backward dc_prev");
    same(dhp2, dhp, NH, "lstm_cell_backward dh_prev");
    float *bufs[] = {gates, act, hp, cp, h, c, h2, c2, act2, dh, dc, dg, dg2, dhp, dcp, dhp2, dcp2};
    for (size_t i = 0; i < sizeof bufs / sizeof bufs[0]; i++)
        free(bufs[i]);
}

static void losses(float *x, float *t, float *loss, float *grad, float *l2, float *g2)
{
    const float scale = 0.37f;
    inputs(x, N, 40.0f, 10);
    t2v_rng_uniform_host(t, N, 777, 11, 0);
    for (long i = 0; i < N; i++)
        t[i] = i % 3 == 0 ? 1.0f : i % 3 == 1 ? 0.0f : t[i]; /* hard and soft targets */
    k->bce_logits(be, loss, grad, x, t, N, scale);
    for (long i = 0; i < N; i++) {
        float d;
        l2[i] = t2v_op_bce(x[i], t[i], &d);
        g2[i] = scale * d;
    }
    same(l2, loss, N, "bce_logits loss (|x| up to 40, hard and soft targets)");
    same(g2, grad, N, "bce_logits gradient");
    static const float signs[3] = {1.0f, -1.0f, 0.0f};
    for (int s = 0; s < 3; s++) {
        char what[64];
        k->hinge(be, loss, grad, x, signs[s], N, scale);
        for (long i = 0; i < N; i++) {
            float d;
            l2[i] = t2v_op_hinge(x[i], signs[s], &d);
            g2[i] = scale * d;
        }
        snprintf(what, sizeof what, "hinge sign %+.0f loss", signs[s]);
        same(l2, loss, N, what);
        snprintf(what, sizeof what, "hinge sign %+.0f gradient", signs[s]);
        same(g2, grad, N, what);
    }
    /* KL: mu in [-5, 5), logvar in [-8, 8) */
    inputs(x, N, 5.0f, 12);
    inputs(t, N, 8.0f, 13);
    float *dlv = malloc(N * sizeof *dlv), *dlv2 = malloc(N * sizeof *dlv2);
    k->kl_normal(be, loss, grad, dlv, x, t, N, scale);
    for (long i = 0; i < N; i++) {
        float ev;
        l2[i] = t2v_op_kl(x[i], t[i], &ev);
        g2[i] = scale * x[i];
        dlv2[i] = scale * 0.5f * (ev - 1.0f);
    }
    same(l2, loss, N, "kl_normal loss");
    same(g2, grad, N, "kl_normal dmu");
    same(dlv2, dlv, N, "kl_normal dlogvar");
    free(dlv);
    free(dlv2);
}

static void adam(void)
{
    float *p = malloc(N * sizeof(float)), *g = malloc(N * sizeof(float));
    float *m = calloc(N, sizeof(float)), *v = calloc(N, sizeof(float));
    float *p2 = malloc(N * sizeof(float)), *m2 = calloc(N, sizeof(float));
    float *v2 = calloc(N, sizeof(float));
    inputs(p, N, 1.0f, 14);
    memcpy(p2, p, N * sizeof(float));
    static const struct { float lr, b1, b2, eps, wd; } cfg[2] = {
        {2e-4f, 0.5f, 0.999f, 1e-8f, 0.0f}, {1e-3f, 0.0f, 0.9f, 1e-6f, 0.01f}};
    for (int c = 0; c < 2; c++)
        for (int64_t step = 1; step <= 4; step++) {
            inputs(g, N, 0.1f * (float)step, 15 + (uint64_t)step);
            k->adam(be, p, g, m, v, N, cfg[c].lr, cfg[c].b1, cfg[c].b2, cfg[c].eps, cfg[c].wd,
                    step);
            t2v_adam_consts kc = t2v_op_adam_consts(cfg[c].lr, cfg[c].b1, cfg[c].b2, cfg[c].eps,
                                                    cfg[c].wd, step);
            for (long i = 0; i < N; i++)
                t2v_op_adam(kc, g[i], &p2[i], &m2[i], &v2[i]);
        }
    same(p2, p, N, "adam parameters after 8 steps (two settings, weight decay on and off)");
    same(m2, m, N, "adam first moments");
    same(v2, v, N, "adam second moments");
    free(p);
    free(g);
    free(m);
    free(v);
    free(p2);
    free(m2);
    free(v2);
}

static void philox(void)
{
    /* the block function against the engine's, over assorted counters */
    int bad = 0;
    for (uint64_t i = 0; i < 2000; i++) {
        uint64_t seed = i * 0x9E3779B97F4A7C15ull, stream = i ^ (i << 37);
        uint64_t blk = i * 1000003ull + (i << 33);
        uint32_t w[4], ref[4];
        uint32_t ctr[4] = {(uint32_t)blk, (uint32_t)(blk >> 32), (uint32_t)stream,
                           (uint32_t)(stream >> 32)};
        uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
        t2v_op_philox_block(w, seed, stream, blk);
        t2v_philox4x32(ref, ctr, key);
        bad += memcmp(w, ref, sizeof w) != 0;
    }
    T2V_CHECK(bad == 0, "philox block equals t2v_philox4x32 for 2000 (seed, stream, block) "
                        "triples (%d differ)", bad);
    static const uint32_t words[] = {0u, 1u, 255u, 256u, 0x80000000u, 0xfffffeffu, 0xffffffffu};
    bad = 0;
    for (int i = 0; i < 7; i++)
        bad += t2v_op_u32_to_uniform(words[i]) != t2v_u32_to_uniform(words[i]);
    T2V_CHECK(bad == 0, "u32 -> uniform mapping equals t2v_u32_to_uniform at its edges");

    /* the fills, at offsets that start inside a block */
    static const uint64_t offsets[] = {0, 1, 2, 3, 5, 1ull << 34};
    const long n = 1027;
    float *ref = malloc(n * sizeof *ref), *got = malloc(n * sizeof *got);
    for (int o = 0; o < 6; o++) {
        uint64_t off = offsets[o], seed = 0x1234567890abcdefull, stream = 42 + (uint64_t)o;
        char what[96];
        for (int normal = 0; normal < 2; normal++) {
            if (normal)
                t2v_rng_normal_host(ref, n, seed, stream, off);
            else
                t2v_rng_uniform_host(ref, n, seed, stream, off);
            for (long i = 0; i < n; i++) {
                uint64_t j = off + (uint64_t)i;
                uint32_t w[4];
                t2v_op_philox_block(w, seed, stream, j >> 2);
                got[i] = normal ? t2v_op_normal_from_block(w, j) : t2v_op_uniform_from_block(w, j);
            }
            snprintf(what, sizeof what, "%s stream at offset %llu",
                     normal ? "normal" : "uniform", (unsigned long long)off);
            same(got, ref, n, what);
        }
    }
    free(ref);
    free(got);
}

/* The kernel's walk: thread i of the pixel pass writes pixel (i / W, i % W),
 * thread i of the chroma pass block (i / CW, i % CW). x (C, H, W) with
 * channel planes cs floats apart. */
static void pixel_walk(t2v_px_dst d, int fmt, const float *x, int64_t cs, int C, int H, int W)
{
    for (int64_t i = 0; i < (int64_t)H * W; i++)
        t2v_px_write_pixel(d, fmt, x, cs, C, W, (int)(i / W), (int)(i % W));
    if (!t2v_px_has_chroma(fmt))
        return;
    const int CW = (W + 1) / 2;
    for (int64_t i = 0; i < (int64_t)((H + 1) / 2) * CW; i++)
        t2v_px_write_chroma(d, fmt, x, cs, C, H, W, (int)(i / CW), (int)(i % CW));
}

/* bytes per row of each plane of fmt */
static int plane_widths(int fmt, int W, int w[3])
{
    const int cw = (W + 1) / 2;
    w[1] = w[2] = 0;
    switch (fmt) {
    case T2V_PIX_GRAY8: w[0] = W; return 1;
    case T2V_PIX_RGB24: w[0] = 3 * W; return 1;
    case T2V_PIX_RGBA:
    case T2V_PIX_BGRX: w[0] = 4 * W; return 1;
    case T2V_PIX_I420: w[0] = W; w[1] = w[2] = cw; return 3;
    default: w[0] = W; w[1] = 2 * cw; return 2;
    }
}

/* One frame through the shared functions and through t2v_pixels_convert;
 * 1 when every byte of the padded planes agrees. */
static int pixel_frame_same(const float *clip, int T, int t, int C, int H, int W, int fmt)
{
    const int64_t HW = (int64_t)H * W;
    float *frame = malloc((size_t)(C * HW) * sizeof *frame);
    for (int c = 0; c < C; c++)
        memcpy(frame + c * HW, clip + ((int64_t)c * T + t) * HW, (size_t)HW * sizeof(float));
    int w[3];
    int np = plane_widths(fmt, W, w);
    size_t size = 0, off[3];
    int strides[3] = {0, 0, 0};
    for (int p = 0; p < np; p++) {
        strides[p] = w[p] + 3;
        off[p] = size;
        size += (size_t)strides[p] * (size_t)(p ? (H + 1) / 2 : H);
    }
    uint8_t *a = malloc(size), *b = malloc(size);
    memset(a, 0x3C, size);
    memset(b, 0x3C, size);
    t2v_px_dst d = {{NULL, NULL, NULL}, {0, 0, 0}};
    uint8_t *pb[3] = {NULL, NULL, NULL};
    for (int p = 0; p < np; p++) {
        d.plane[p] = a + off[p];
        d.stride[p] = strides[p];
        pb[p] = b + off[p];
    }
    pixel_walk(d, fmt, clip + (int64_t)t * HW, (int64_t)T * HW, C, H, W);
    int same = t2v_pixels_convert(frame, C, H, W, (t2v_pixfmt)fmt, pb, strides) == T2V_OK &&
               memcmp(a, b, size) == 0;
    free(a);
    free(b);
    free(frame);
    return same;
}

static void pixels(void)
{
    static const char *names[] = {"GRAY8", "RGB24", "RGBA", "BGRx", "I420", "NV12"};
    /* every value of a dense sweep over [-1.5, 1.5] plus the specials, as
     * one row of a grey frame */
    const int n = 1 << 18;
    float *row = malloc((size_t)(n + 6) * sizeof *row);
    for (int i = 0; i < n; i++)
        row[i] = -1.5f + 3.0f * (float)i / (float)n;
    const float specials[6] = {NAN, INFINITY, -INFINITY, -1.0f, 1.0f, -0.0f};
    memcpy(row + n, specials, sizeof specials);
    for (int fmt = T2V_PIX_GRAY8; fmt <= T2V_PIX_NV12; fmt++)
        T2V_CHECK(pixel_frame_same(row, 1, 0, 1, 1, n + 6, fmt),
                  "pixels %s: shared functions equal t2v_pixels_convert on %d values of a "
                  "sweep over [-1.5, 1.5], NaN and infinities", names[fmt], n);
    free(row);

    /* RGB and grey frames inside a 3-frame clip, odd and even sizes */
    static const int sizes[][2] = {{1, 1}, {3, 5}, {8, 6}, {17, 33}};
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
        for (int C = 1; C <= 3; C += 2) {
            const int H = sizes[si][0], W = sizes[si][1], T = 3;
            long total = (long)C * T * H * W;
            float *clip = malloc((size_t)total * sizeof *clip);
            inputs(clip, total, 1.3f, 40 + si);
            for (long i = 0; i < total; i += 23)
                clip[i] = i % 2 ? NAN : INFINITY;
            int all = 1;
            for (int fmt = T2V_PIX_GRAY8; fmt <= T2V_PIX_NV12; fmt++)
                all &= pixel_frame_same(clip, T, 2, C, H, W, fmt);
            T2V_CHECK(all,
                      "pixels, all formats, C=%d %dx%d frame 2 of a clip: shared functions "
                      "equal t2v_pixels_convert byte for byte", C, W, H);
            free(clip);
        }
}

int main(void)
{
    if (t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) != T2V_OK) {
        t2v_test_report(0, "open the CPU backend: %s", t2v_last_error());
        return 1;
    }
    k = t2v_backend_kernels(be);
    float *a = malloc(N * sizeof(float)), *b = malloc(N * sizeof(float));
    float *c = malloc(N * sizeof(float)), *d = malloc(N * sizeof(float));
    float *e = malloc(N * sizeof(float)), *f = malloc(N * sizeof(float));
    activations(a, b, c, d);
    glu();
    lstm();
    losses(a, b, c, d, e, f);
    adam();
    philox();
    pixels();
    free(a);
    free(b);
    free(c);
    free(d);
    free(e);
    free(f);
    t2v_backend_close(be);
    return t2v_test_finish();
}
