/* The average of a parameter set's weights (train/common/ema.h) against
 * a reference computed here in double precision: the ramped decay, the
 * swap that puts the average in place and takes it back bit for bit, and
 * the checkpoint tensors read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "t2v_test.h"
#include "train/common/ema.h"
#include "txt2vid/nn.h"
#include "txt2vid/weights.h"

enum { NA = 6, NB = 35, STEPS = 40 };

static void fill_step(float *a, float *b, int step)
{
    for (int i = 0; i < NA; i++)
        a[i] = (float)sin(0.7 * i + 0.3 * step) * 2.0f;
    for (int i = 0; i < NB; i++)
        b[i] = (float)cos(0.11 * i * step) - 0.25f * (float)i / NB;
}

static int get(t2v_backend *be, float *host, const float *dev, int n)
{
    return t2v_backend_download(be, host, dev, (size_t)n * sizeof(float)) == T2V_OK;
}

int main(void)
{
    t2v_backend *be;
    if (!T2V_CHECK(t2v_backend_open(T2V_DEVICE_CPU, 1, 0, &be) == T2V_OK, "CPU backend"))
        return t2v_test_finish();
    t2v_params ps;
    t2v_params_init(&ps, be);
    int64_t sa[1] = {NA}, sb[2] = {5, 7};
    t2v_params_declare(&ps, "net.a", 1, sa, 1);
    t2v_params_declare(&ps, "net.b", 2, sb, 0);
    T2V_CHECK(t2v_params_allocate(&ps, 1) == T2V_OK, "parameters allocated");
    float *wa = ps.items[0].t.data, *wb = ps.items[1].t.data;
    float ha[NA], hb[NB];
    double ra[NA], rb[NB];
    fill_step(ha, hb, 0);
    t2v_backend_upload(be, wa, ha, sizeof ha);
    t2v_backend_upload(be, wb, hb, sizeof hb);
    for (int i = 0; i < NA; i++) ra[i] = ha[i];
    for (int i = 0; i < NB; i++) rb[i] = hb[i];

    t2v_ema e;
    T2V_CHECK(t2v_ema_init(&e, &ps, 1.0f) == T2V_ERR_INVALID, "decay 1 refused: %s",
              t2v_last_error());
    T2V_CHECK(t2v_ema_init(&e, &ps, 0.95f) == T2V_OK, "average started at the weights");
    for (int step = 0; step < STEPS; step++) {
        fill_step(ha, hb, step + 1); /* what an optimiser step would leave */
        t2v_backend_upload(be, wa, ha, sizeof ha);
        t2v_backend_upload(be, wb, hb, sizeof hb);
        t2v_ema_update(&e, &ps, step);
        double d = (1.0 + step) / (10.0 + step);
        d = d < 0.95 ? d : 0.95;
        for (int i = 0; i < NA; i++) ra[i] = d * ra[i] + (1 - d) * ha[i];
        for (int i = 0; i < NB; i++) rb[i] = d * rb[i] + (1 - d) * hb[i];
    }
    float ga[NA], gb[NB];
    get(be, ga, e.avg[0], NA);
    get(be, gb, e.avg[1], NB);
    double worst = 0.0;
    for (int i = 0; i < NA; i++) worst = fmax(worst, fabs(ga[i] - ra[i]));
    for (int i = 0; i < NB; i++) worst = fmax(worst, fabs(gb[i] - rb[i]));
    T2V_CHECK(worst < 1e-5, "average after %d updates matches the reference (max error %.2g)",
              STEPS, worst);
    /* the weights moved every step: their average lags them */
    T2V_CHECK(fabs(rb[3] - hb[3]) > 1e-3, "the average is not the last weights");

    /* swap: the average in place, the trained weights kept; twice = identity */
    float before_a[NA], before_b[NB];
    memcpy(before_a, ha, sizeof ha);
    memcpy(before_b, hb, sizeof hb);
    t2v_ema_swap(&e, &ps);
    get(be, ga, wa, NA);
    get(be, gb, wb, NB);
    int in_place = 1;
    for (int i = 0; i < NA; i++) in_place &= fabs(ga[i] - ra[i]) < 1e-5;
    for (int i = 0; i < NB; i++) in_place &= fabs(gb[i] - rb[i]) < 1e-5;
    T2V_CHECK(in_place && e.swapped, "swap puts the average into the set");

    /* a checkpoint written while swapped still stores the average under @ema */
    char path[256];
    snprintf(path, sizeof path, "/tmp/t2v-ema-test-%d.gguf", (int)getpid());
    t2v_weights_writer *wr;
    t2v_weights_writer_new(&wr);
    t2v_weights_writer_add_str(wr, "general.architecture", "test");
    t2v_status s = t2v_ema_write(&e, &ps, wr);
    if (s == T2V_OK)
        s = t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    T2V_CHECK(s == T2V_OK, "average written (%s)", s ? t2v_last_error() : "ok");

    t2v_ema_swap(&e, &ps);
    get(be, ga, wa, NA);
    get(be, gb, wb, NB);
    T2V_CHECK(memcmp(ga, before_a, sizeof ga) == 0 && memcmp(gb, before_b, sizeof gb) == 0 &&
                  !e.swapped,
              "a second swap restores the trained weights bit for bit");

    t2v_weights *w = NULL;
    T2V_CHECK(t2v_weights_open(path, &w) == T2V_OK, "average file opens");
    t2v_ema e2;
    t2v_ema_init(&e2, &ps, 0.5f);
    T2V_CHECK(w && t2v_ema_in_file(&ps, w), "the file holds an average");
    T2V_CHECK(w && t2v_ema_load(&e2, &ps, w) == T2V_OK, "average read back");
    float la[NA], lb[NB], ea[NA], eb[NB];
    get(be, la, e2.avg[0], NA);
    get(be, lb, e2.avg[1], NB);
    get(be, ea, e.avg[0], NA);
    get(be, eb, e.avg[1], NB);
    T2V_CHECK(memcmp(la, ea, sizeof la) == 0 && memcmp(lb, eb, sizeof lb) == 0,
              "read back bit for bit");
    t2v_weights_close(w);
    unlink(path);

    /* a file without the average, and one whose tensor has another shape */
    snprintf(path, sizeof path, "/tmp/t2v-ema-test-%d-b.gguf", (int)getpid());
    t2v_weights_writer_new(&wr);
    t2v_weights_writer_add_str(wr, "general.architecture", "test");
    int64_t wrong[1] = {NA + 1};
    float junk[NA + 1] = {0};
    t2v_weights_writer_add_tensor(wr, "net.a@ema", 1, wrong, junk);
    t2v_weights_writer_write(wr, path);
    t2v_weights_writer_free(wr);
    w = NULL;
    t2v_weights_open(path, &w);
    T2V_CHECK(w && t2v_ema_load(&e2, &ps, w) == T2V_ERR_FORMAT, "wrong shape: %s",
              t2v_last_error());
    t2v_weights_close(w);
    unlink(path);

    t2v_ema_free(&e);
    t2v_ema_free(&e2);
    t2v_params_free(&ps);
    t2v_backend_close(be);
    return t2v_test_finish();
}
