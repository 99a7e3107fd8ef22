/* t2v_generator_frame_pixels against t2v_generator_frame followed by
 * t2v_pixels_convert, byte for byte, on the device named by the first
 * argument (cpu or cuda; cuda exits 77 where no device answers) with the
 * model file named by the second: every pixel format, frames inside one
 * clip, across clips and seeking back, the two calls interleaved on one
 * generator (they share its clip cache), padded rows whose padding must
 * stay untouched, and caption and seed changes compared with a fresh
 * generator. Bad arguments are refused with T2V_ERR_INVALID. */
#include <stdlib.h>
#include <string.h>

#include "t2v_test.h"
#include "txt2vid/txt2vid.h"

#define SENTINEL 0x5A

static const char *fmt_name(int f)
{
    static const char *names[] = {"GRAY8", "RGB24", "RGBA", "BGRx", "I420", "NV12"};
    return names[f];
}

/* three planes of one format with padded rows, filled with the sentinel */
typedef struct planes {
    uint8_t *mem, *p[3];
    int stride[3];
    size_t size;
} planes;

static void planes_init(planes *pl, int fmt, int H, int W)
{
    const int cw = (W + 1) / 2, ch = (H + 1) / 2;
    int width[3] = {W, 0, 0};
    switch (fmt) {
    case T2V_PIX_RGB24: width[0] = 3 * W; break;
    case T2V_PIX_RGBA:
    case T2V_PIX_BGRX: width[0] = 4 * W; break;
    case T2V_PIX_I420: width[1] = width[2] = cw; break;
    case T2V_PIX_NV12: width[1] = 2 * cw; break;
    default: break;
    }
    size_t off[3], total = 0;
    for (int p = 0; p < 3; p++) {
        pl->stride[p] = width[p] + 5 + p;
        off[p] = total;
        total += (size_t)pl->stride[p] * (size_t)(p == 0 ? H : ch);
    }
    pl->size = total;
    pl->mem = malloc(total);
    memset(pl->mem, SENTINEL, total);
    for (int p = 0; p < 3; p++)
        pl->p[p] = pl->mem + off[p];
}

/* The frame through both routes; 1 when every byte (padding included)
 * agrees. */
static int both_routes(t2v_generator *g, const t2v_model_info *mi, uint64_t index, int fmt,
                       int pixels_first, t2v_status *st)
{
    planes a, b;
    planes_init(&a, fmt, mi->height, mi->width);
    planes_init(&b, fmt, mi->height, mi->width);
    const float *frame = NULL;
    t2v_status s1 = T2V_OK, s2 = T2V_OK, s3 = T2V_OK;
    if (pixels_first)
        s1 = t2v_generator_frame_pixels(g, index, (t2v_pixfmt)fmt, a.p, a.stride);
    s2 = t2v_generator_frame(g, index, &frame);
    if (s2 == T2V_OK)
        s3 = t2v_pixels_convert(frame, mi->channels, mi->height, mi->width, (t2v_pixfmt)fmt,
                                b.p, b.stride);
    if (!pixels_first)
        s1 = t2v_generator_frame_pixels(g, index, (t2v_pixfmt)fmt, a.p, a.stride);
    *st = s1 != T2V_OK ? s1 : (s2 != T2V_OK ? s2 : s3);
    int same = *st == T2V_OK && memcmp(a.mem, b.mem, a.size) == 0;
    free(a.mem);
    free(b.mem);
    return same;
}

/* frame_pixels of two generators; 1 when equal */
static int same_pixels(t2v_generator *g1, t2v_generator *g2, const t2v_model_info *mi,
                       uint64_t index, int fmt)
{
    planes a, b;
    planes_init(&a, fmt, mi->height, mi->width);
    planes_init(&b, fmt, mi->height, mi->width);
    int same = t2v_generator_frame_pixels(g1, index, (t2v_pixfmt)fmt, a.p, a.stride) == T2V_OK &&
               t2v_generator_frame_pixels(g2, index, (t2v_pixfmt)fmt, b.p, b.stride) == T2V_OK &&
               memcmp(a.mem, b.mem, a.size) == 0;
    free(a.mem);
    free(b.mem);
    return same;
}

static void check_errors(t2v_generator *g, t2v_generator *fresh, const t2v_model_info *mi)
{
    planes a;
    planes_init(&a, T2V_PIX_I420, mi->height, mi->width);
    T2V_CHECK(t2v_generator_frame_pixels(NULL, 0, T2V_PIX_I420, a.p, a.stride) ==
                  T2V_ERR_INVALID,
              "no generator: T2V_ERR_INVALID");
    T2V_CHECK(t2v_generator_frame_pixels(g, 0, (t2v_pixfmt)99, a.p, a.stride) == T2V_ERR_INVALID,
              "unknown format: T2V_ERR_INVALID (%s)", t2v_last_error());
    T2V_CHECK(t2v_generator_frame_pixels(g, 0, T2V_PIX_I420, NULL, a.stride) == T2V_ERR_INVALID,
              "NULL planes: T2V_ERR_INVALID (%s)", t2v_last_error());
    uint8_t *two[3] = {a.p[0], a.p[1], NULL};
    T2V_CHECK(t2v_generator_frame_pixels(g, 0, T2V_PIX_I420, two, a.stride) == T2V_ERR_INVALID,
              "I420 without a V plane: T2V_ERR_INVALID (%s)", t2v_last_error());
    int narrow[3] = {mi->width - 1, a.stride[1], a.stride[2]};
    T2V_CHECK(t2v_generator_frame_pixels(g, 0, T2V_PIX_I420, a.p, narrow) == T2V_ERR_INVALID,
              "stride below the width: T2V_ERR_INVALID (%s)", t2v_last_error());
    T2V_CHECK(t2v_generator_frame_pixels(fresh, 0, T2V_PIX_I420, a.p, a.stride) ==
                  T2V_ERR_INVALID,
              "no caption set: T2V_ERR_INVALID (%s)", t2v_last_error());
    size_t untouched = 0;
    for (size_t i = 0; i < a.size; i++)
        untouched += a.mem[i] == SENTINEL;
    T2V_CHECK(untouched == a.size, "refused calls write nothing (%zu of %zu bytes untouched)",
              untouched, a.size);
    free(a.mem);
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "cpu") && strcmp(argv[1], "cuda"))) {
        fprintf(stderr, "usage: %s cpu|cuda MODEL\n", argv[0]);
        return 2;
    }
    t2v_model *m;
    t2v_status s = t2v_model_load(argv[2], &m);
    if (!T2V_CHECK(s == T2V_OK, "model %s loads%s%s", argv[2], s ? ": " : "",
                   s ? t2v_last_error() : ""))
        return t2v_test_finish();
    t2v_model_info mi;
    t2v_model_get_info(m, &mi);
    t2v_generator_opts o;
    t2v_generator_opts_init(&o);
    o.device = strcmp(argv[1], "cuda") ? T2V_DEVICE_CPU : T2V_DEVICE_CUDA;
    o.threads = 2;
    t2v_generator *g = NULL, *g2 = NULL, *fresh = NULL;
    s = t2v_generator_new(m, &o, &g);
    if (s == T2V_ERR_UNSUPPORTED && o.device == T2V_DEVICE_CUDA) {
        printf("# skipped: %s\n", t2v_last_error());
        t2v_model_unref(m);
        return 77;
    }
    if (!T2V_CHECK(s == T2V_OK, "generator on %s%s%s", argv[1], s ? ": " : "",
                   s ? t2v_last_error() : ""))
        return t2v_test_finish();
    t2v_generator_new(m, &o, &g2);
    t2v_generator_new(m, &o, &fresh);
    printf("# %s model, %d frames of %dx%d, %d channel(s), on %s\n", mi.arch, mi.frames,
           mi.width, mi.height, mi.channels, argv[1]);

    const char *cap_a = "digit 3 is moving up and down", *cap_b = "digit 7 is moving left and right";
    t2v_generator_set_caption(g, cap_a, NULL);
    t2v_generator_set_seed(g, 7);
    const uint64_t T = (uint64_t)mi.frames;
    /* in a clip, the next clip's edges, back to clip 0, far ahead */
    const uint64_t walk[] = {0, 1, T - 1, T, T + 1, 2, 5 * T + 3};
    for (size_t w = 0; w < sizeof walk / sizeof walk[0]; w++)
        for (int fmt = T2V_PIX_GRAY8; fmt <= T2V_PIX_NV12; fmt++) {
            int pixels_first = (int)((w + (size_t)fmt) % 2);
            T2V_CHECK(both_routes(g, &mi, walk[w], fmt, pixels_first, &s),
                      "frame %llu %s: frame_pixels equals frame + pixels_convert, padding "
                      "untouched (%s first)%s%s",
                      (unsigned long long)walk[w], fmt_name(fmt),
                      pixels_first ? "pixels" : "floats", s ? ": " : "",
                      s ? t2v_last_error() : "");
        }

    /* a new caption and a new seed take effect: a fresh generator agrees */
    t2v_generator_set_caption(g, cap_b, NULL);
    t2v_generator_set_caption(g2, cap_b, NULL);
    t2v_generator_set_seed(g2, 7);
    T2V_CHECK(same_pixels(g, g2, &mi, 1, T2V_PIX_I420),
              "after a caption change frame 1 equals a fresh generator's (I420)");
    t2v_generator_set_seed(g, 8);
    t2v_generator_set_seed(g2, 8);
    T2V_CHECK(same_pixels(g, g2, &mi, 2, T2V_PIX_RGBA),
              "after a seed change frame 2 equals a fresh generator's (RGBA)");
    t2v_generator_set_seed(g2, 7);
    T2V_CHECK(!same_pixels(g, g2, &mi, 2, T2V_PIX_RGBA),
              "seeds 8 and 7 give different frames");
    T2V_CHECK(both_routes(g, &mi, 2, T2V_PIX_NV12, 1, &s),
              "after the changes frame_pixels still equals frame + pixels_convert (NV12)");

    check_errors(g, fresh, &mi);

    t2v_generator_free(g);
    t2v_generator_free(g2);
    t2v_generator_free(fresh);
    t2v_model_unref(m);
    return t2v_test_finish();
}
