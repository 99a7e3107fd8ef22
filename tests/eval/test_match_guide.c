/* The matching model as a training signal (train/eval/match_guide.h): its
 * loss equals the matching loss of the embeddings the model gives the
 * images (box-filtered down, or upsampled) through its ordinary inference
 * path; its image gradient agrees with central finite differences along
 * random directions (at the model's size, a quarter of it, twice and four
 * times it); the weight scales it and steps
 * accumulate; images of a size or channel count the model cannot read are
 * refused with a message naming the file. The model has random weights
 * and running statistics away from 0 and 1, so that batchnorm's frozen
 * scale is exercised. Needs the glyph caches (scripts/fetch-data.sh). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenes_match.h"
#include "t2v_test.h"
#include "train/eval/match_guide.h"
#include "train/eval/match_loss.h"

enum { SIDE = 16, B = 4 };

static char model_path[512];

/* A random model over the data set's captions, its batchnorm parameters
 * and running statistics drawn too; saved to model_path. */
static int write_model(t2v_dataset *ds)
{
    t2v_match *m = t2v_test_scenes_match(ds, SIDE, 5, 0);
    t2v_status s = m ? T2V_OK : T2V_ERR_INVALID;
    for (int i = 0; s == T2V_OK && i < m->trunk.layers; i++) {
        const t2v_ctrunk_layer *l = &m->trunk.layer[i];
        int C = l->g.c_out;
        float gamma[256], mean[256], var[256];
        t2v_rng_normal_host(gamma, C, 21, (uint64_t)i, 0);
        t2v_rng_normal_host(mean, C, 22, (uint64_t)i, 0);
        t2v_rng_uniform_host(var, C, 23, (uint64_t)i, 0);
        for (int c = 0; c < C; c++) {
            gamma[c] = 1.0f + 0.3f * gamma[c];
            mean[c] *= 0.2f;
            var[c] = 0.3f + 1.5f * var[c];
        }
        memcpy(t2v_pdata(&m->params, l->bn_g), gamma, (size_t)C * sizeof(float));
        memcpy(t2v_pdata(&m->bufs, l->rm), mean, (size_t)C * sizeof(float));
        memcpy(t2v_pdata(&m->bufs, l->rv), var, (size_t)C * sizeof(float));
    }
    const char *dir = getenv("TMPDIR");
    snprintf(model_path, sizeof model_path, "%s/t2v-guide-%ld.gguf", dir && *dir ? dir : "/tmp",
             (long)getpid());
    if (s == T2V_OK)
        s = t2v_match_save(m, model_path, "test");
    t2v_match_free(m);
    return T2V_CHECK(s == T2V_OK, "random matching model written (%s)",
                     s == T2V_OK ? "ok" : t2v_last_error());
}

/* n planes (side, side) to SIDE: the mean of each block when larger, each
 * pixel repeated when smaller. */
static void to_model_size(const float *x, float *y, int n, int side)
{
    if (side < SIDE) {
        int r = SIDE / side;
        for (int p = 0; p < n; p++)
            for (int i = 0; i < SIDE; i++)
                for (int j = 0; j < SIDE; j++)
                    y[((size_t)p * SIDE + i) * SIDE + j] =
                        x[((size_t)p * side + i / r) * side + j / r];
        return;
    }
    int f = side / SIDE;
    for (int p = 0; p < n; p++)
        for (int i = 0; i < SIDE; i++)
            for (int j = 0; j < SIDE; j++) {
                double s = 0.0;
                for (int a = 0; a < f; a++)
                    for (int b = 0; b < f; b++)
                        s += x[((size_t)p * side + i * f + a) * side + j * f + b];
                y[((size_t)p * SIDE + i) * SIDE + j] = (float)(s / (f * f));
            }
}

/* The loss through the model's inference path on host images. */
static double reference_loss(t2v_dataset *ds, const float *images, int side, const long *caps_ix)
{
    t2v_match *m = NULL;
    t2v_match_run r;
    memset(&r, 0, sizeof r);
    t2v_encoded_captions caps;
    memset(&caps, 0, sizeof caps);
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    float small[B * 3 * SIDE * SIDE], u[B * 64], v[B * 64];
    int32_t ids[B * 24] = {0};
    int len[B];
    to_model_size(images, small, B * 3, side);
    double loss = NAN;
    if (t2v_match_load(model_path, NULL, 1, &m) == T2V_OK &&
        t2v_encoded_captions_build(&caps, &m->vocab, 0, ds, info.n_captions,
                                   m->cfg.text.max_words, "scenes") == T2V_OK &&
        t2v_match_run_init(m, &r, B, 0) == T2V_OK) {
        for (int b = 0; b < B; b++)
            t2v_encoded_captions_copy(&caps, caps_ix[b], ids, len, b);
        if (t2v_match_images(m, &r, small, u) == T2V_OK &&
            t2v_match_captions(m, &r, ids, len, v) == T2V_OK)
            loss = t2v_match_loss(u, v, B, m->cfg.dim, m->cfg.temperature, NULL, NULL);
    }
    t2v_match_run_release(&r);
    t2v_encoded_captions_free(&caps);
    t2v_match_free(m);
    return loss;
}

static void check_side(t2v_dataset *ds, int side)
{
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    size_t n = (size_t)B * 3 * side * side;
    t2v_backend *be = NULL;
    t2v_match_guide g;
    memset(&g, 0, sizeof g);
    t2v_status s = t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be);
    if (s == T2V_OK)
        s = t2v_match_guide_open(&g, model_path, be, ds, info.n_captions, B, 3, side);
    if (!T2V_CHECK(s == T2V_OK, "side %d: guide opened (%s)", side,
                   s == T2V_OK ? "ok" : t2v_last_error())) {
        t2v_backend_close(be);
        return;
    }
    float *x = malloc(n * sizeof *x), *xp = malloc(n * sizeof *xp), *d = malloc(n * sizeof *d);
    float *grad = malloc(n * sizeof *grad), *grad3 = malloc(n * sizeof *grad3);
    float *x_dev = t2v_backend_alloc(be, n * sizeof(float));
    float *g_dev = t2v_backend_alloc(be, n * sizeof(float));
    long caps_ix[B] = {0, 5, 9, 13};
    t2v_rng_normal_host(x, (int64_t)n, 31, (uint64_t)side, 0);
    for (size_t i = 0; i < n; i++)
        x[i] *= 0.5f;
    double loss = NAN;
    int ok = x && xp && d && grad && grad3 && x_dev && g_dev;
    t2v_backend_kernels(be)->fill(be, g_dev, 0.0f, (int64_t)n);
    ok = ok && t2v_backend_upload(be, x_dev, x, n * sizeof(float)) == T2V_OK &&
         t2v_match_guide_step(&g, x_dev, caps_ix, 1.0f, g_dev, &loss) == T2V_OK &&
         t2v_backend_download(be, grad, g_dev, n * sizeof(float)) == T2V_OK;
    T2V_CHECK(ok && isfinite(loss), "side %d: a step gives a loss (%.6f)", side, loss);
    if (!ok) {
        t2v_match_guide_close(&g);
        t2v_backend_close(be);
        free(x), free(xp), free(d), free(grad), free(grad3);
        return;
    }
    double want = reference_loss(ds, x, side, caps_ix);
    T2V_CHECK(fabs(loss - want) <= 1e-5 * fabs(want),
              "side %d: loss equals the model's own inference path on resized images "
              "(%.8f vs %.8f)", side, loss, want);

    // directional derivatives against central differences
    const double eps = 1e-4;
    for (int dir = 0; dir < 3; dir++) {
        t2v_rng_normal_host(d, (int64_t)n, 41, (uint64_t)(side * 8 + dir), 0);
        double analytic = 0.0, lp = NAN, lm = NAN;
        for (size_t i = 0; i < n; i++)
            analytic += (double)grad[i] * d[i];
        for (int sign = -1; sign <= 1; sign += 2) {
            for (size_t i = 0; i < n; i++)
                xp[i] = x[i] + (float)(sign * eps) * d[i];
            double l = NAN;
            if (t2v_backend_upload(be, x_dev, xp, n * sizeof(float)) == T2V_OK)
                t2v_match_guide_step(&g, x_dev, caps_ix, 0.0f, g_dev, &l);
            *(sign < 0 ? &lm : &lp) = l;
        }
        double fd = (lp - lm) / (2.0 * eps);
        T2V_CHECK(fabs(fd - analytic) <= 0.03 * fabs(analytic) + 1e-4,
                  "side %d, direction %d: gradient . d = %.6f, central difference %.6f", side,
                  dir, analytic, fd);
    }

    // weight scales, steps accumulate: after weight 0 (twice, above), 1 and now 2 -> 3 g
    double l2 = NAN;
    ok = t2v_backend_upload(be, x_dev, x, n * sizeof(float)) == T2V_OK &&
         t2v_match_guide_step(&g, x_dev, caps_ix, 2.0f, g_dev, &l2) == T2V_OK &&
         t2v_backend_download(be, grad3, g_dev, n * sizeof(float)) == T2V_OK;
    double worst = 0.0, scale = 0.0;
    for (size_t i = 0; ok && i < n; i++) {
        double e = fabs((double)grad3[i] - 3.0 * grad[i]);
        worst = e > worst ? e : worst;
        scale = fabs(grad[i]) > scale ? fabs(grad[i]) : scale;
    }
    T2V_CHECK(ok && scale > 0.0 && worst <= 1e-5 * scale && l2 == loss,
              "side %d: weight 2 after weight 1 accumulates 3 x the gradient (worst %.2e of "
              "%.2e), same loss", side, worst, scale);
    t2v_backend_free(be, x_dev);
    t2v_backend_free(be, g_dev);
    t2v_match_guide_close(&g);
    t2v_backend_close(be);
    free(x), free(xp), free(d), free(grad), free(grad3);
}

static void check_refusals(t2v_dataset *ds)
{
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    t2v_backend *be = NULL;
    if (t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) != T2V_OK)
        return;
    t2v_match_guide g;
    t2v_status s = t2v_match_guide_open(&g, model_path, be, ds, info.n_captions, B, 3, 24);
    T2V_CHECK(s != T2V_OK && strstr(t2v_last_error(), model_path) &&
              strstr(t2v_last_error(), "24x24"),
              "24x24 images (not a power of two from 16) refused (%s)", t2v_last_error());
    s = t2v_match_guide_open(&g, model_path, be, ds, info.n_captions, B, 1, SIDE);
    T2V_CHECK(s != T2V_OK && strstr(t2v_last_error(), model_path),
              "one-channel images refused (%s)", t2v_last_error());
    s = t2v_match_guide_open(&g, "/nonexistent/m.gguf", be, ds, info.n_captions, B, 3, SIDE);
    T2V_CHECK(s == T2V_ERR_IO && strstr(t2v_last_error(), "/nonexistent/m.gguf"),
              "missing file refused (%s)", t2v_last_error());
    s = t2v_match_guide_open(&g, model_path, be, ds, info.n_captions, 1, 3, SIDE);
    T2V_CHECK(s == T2V_ERR_INVALID, "batch of 1 refused (%s)", t2v_last_error());
    t2v_backend_close(be);
}

int main(void)
{
    t2v_dataset *ds = t2v_test_open_scenes(T2V_SPLIT_TRAIN, SIDE);
    if (!ds) {
        printf("# scenes data unavailable (%s): skipped\n", t2v_data_last_error());
        return t2v_test_finish();
    }
    if (write_model(ds)) {
        check_side(ds, SIDE / 4);
        check_side(ds, SIDE);
        check_side(ds, 2 * SIDE);
        check_side(ds, 4 * SIDE);
        check_refusals(ds);
        unlink(model_path);
    }
    t2v_data_close(ds);
    return t2v_test_finish();
}
