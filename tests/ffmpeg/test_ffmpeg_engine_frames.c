/* The txt2vid filter hands out the engine's own frames: for one caption and
 * seed, the raw frames txt2vid-ffmpeg writes (natural format and yuv420p)
 * must equal, byte for byte, what t2v_generator_frame + t2v_pixels_convert
 * give when called directly.
 *
 *   test_ffmpeg_engine_frames TXT2VID_FFMPEG
 *
 * Needs a model: $TXT2VID_TEST_MODEL (skips without one). The caption is
 * $TXT2VID_TEST_CAPTION or "digit 3 is moving up and down".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "t2v_test.h"
#include "txt2vid/txt2vid.h"

#define TEST_SEED 7
#define MAX_TEST_FRAMES 48

/* A value for a filter option inside a filtergraph: quoted at the graph
 * level, with ':' and '\' escaped for the option parser. */
static int lavfi_quote(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    if (strchr(in, '\''))
        return -1;
    if (n + 1 >= cap)
        return -1;
    out[n++] = '\'';
    for (const char *p = in; *p; p++) {
        if (*p == ':' || *p == '\\') {
            if (n + 1 >= cap)
                return -1;
            out[n++] = '\\';
        }
        if (n + 1 >= cap)
            return -1;
        out[n++] = *p;
    }
    if (n + 2 >= cap)
        return -1;
    out[n++] = '\'';
    out[n] = '\0';
    return 0;
}

/* Runs argv with stdout into a pipe; reads exactly `want` bytes into buf and
 * reports how many came (more than `want` counts as want + 1). */
static long run_and_read(char *const argv[], uint8_t *buf, size_t want, int *exit_status)
{
    int fds[2];
    pid_t pid;
    size_t got = 0;
    int status = 0;
    uint8_t extra;

    if (pipe(fds) != 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    while (got < want) {
        ssize_t r = read(fds[0], buf + got, want - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got == want) {
        ssize_t r;
        do {
            r = read(fds[0], &extra, 1);
        } while (r < 0 && errno == EINTR);
        if (r > 0) {
            got++;
            while (read(fds[0], buf, want) > 0) {
            }
        }
    }
    close(fds[0]);
    waitpid(pid, &status, 0);
    *exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return (long)got;
}

/* Bytes of one frame as rawvideo packs it (planes back to back, no padding). */
static size_t frame_bytes(t2v_pixfmt fmt, int w, int h)
{
    const size_t cw = (size_t)(w + 1) / 2, ch = (size_t)(h + 1) / 2;
    switch (fmt) {
    case T2V_PIX_GRAY8: return (size_t)w * h;
    case T2V_PIX_RGB24: return (size_t)w * h * 3;
    case T2V_PIX_I420: return (size_t)w * h + 2 * cw * ch;
    default: return 0;
    }
}

/* The engine's frame `index` packed as rawvideo does. */
static t2v_status engine_frame(t2v_generator *g, const t2v_model_info *info, uint64_t index,
                               t2v_pixfmt fmt, uint8_t *out)
{
    const int w = info->width, h = info->height, cw = (w + 1) / 2, ch = (h + 1) / 2;
    const float *frame = NULL;
    uint8_t *planes[3] = { out, NULL, NULL };
    int strides[3] = { w, 0, 0 };
    t2v_status st = t2v_generator_frame(g, index, &frame);
    if (st != T2V_OK)
        return st;
    if (fmt == T2V_PIX_RGB24)
        strides[0] = 3 * w;
    if (fmt == T2V_PIX_I420) {
        planes[1] = out + (size_t)w * h;
        planes[2] = planes[1] + (size_t)cw * ch;
        strides[1] = strides[2] = cw;
    }
    return t2v_pixels_convert(frame, info->channels, h, w, fmt, planes, strides);
}

static void compare_format(const char *ffmpeg, const char *model_path, const char *caption,
                           t2v_generator *g, const t2v_model_info *info, int n_frames,
                           t2v_pixfmt fmt, const char *ff_pix_fmt)
{
    const size_t fb = frame_bytes(fmt, info->width, info->height);
    const size_t total = fb * (size_t)n_frames;
    uint8_t *got = malloc(total + 1), *want = malloc(fb);
    char qmodel[4200], qcaption[1200], graph[6000], frames_arg[32];
    int status = -1, first_bad = -1;
    long n;

    if (!got || !want || lavfi_quote(model_path, qmodel, sizeof(qmodel)) ||
        lavfi_quote(caption, qcaption, sizeof(qcaption))) {
        T2V_CHECK(0, "%s: set up the comparison (allocation or a quote in model path/caption)", ff_pix_fmt);
        free(got);
        free(want);
        return;
    }
    /* The format filter sits inside the lavfi graph, so the source itself
     * negotiates the format (no swscale conversion after it). */
    snprintf(graph, sizeof(graph), "txt2vid=model=%s:caption=%s:seed=%d:device=cpu,format=%s",
             qmodel, qcaption, TEST_SEED, ff_pix_fmt);
    snprintf(frames_arg, sizeof(frames_arg), "%d", n_frames);
    {
        char *const argv[] = { (char *)ffmpeg, "-nostdin", "-hide_banner", "-v", "error",
                               "-f", "lavfi", "-i", graph, "-frames:v", frames_arg,
                               "-f", "rawvideo", "-", NULL };
        n = run_and_read(argv, got, total, &status);
    }
    T2V_CHECK(status == 0, "txt2vid-ffmpeg %s run exits 0 (got %d)", ff_pix_fmt, status);
    T2V_CHECK(n == (long)total, "txt2vid-ffmpeg wrote exactly %d %dx%d %s frames (%ld of %zu bytes)",
              n_frames, info->width, info->height, ff_pix_fmt, n, total);
    if (n == (long)total) {
        for (int i = 0; i < n_frames && first_bad < 0; i++) {
            t2v_status st = engine_frame(g, info, (uint64_t)i, fmt, want);
            if (st != T2V_OK) {
                T2V_CHECK(0, "engine frame %d (%s): %s", i, ff_pix_fmt, t2v_last_error());
                first_bad = i;
                break;
            }
            if (memcmp(got + (size_t)i * fb, want, fb) != 0)
                first_bad = i;
        }
        if (first_bad < 0)
            T2V_CHECK(1, "frames 0..%d of '%s' seed %d in %s equal the engine's byte for byte",
                      n_frames - 1, caption, TEST_SEED, ff_pix_fmt);
        else
            T2V_CHECK(0, "frames of '%s' seed %d in %s equal the engine's: frame %d differs",
                      caption, TEST_SEED, ff_pix_fmt, first_bad);
    }
    free(got);
    free(want);
}

int main(int argc, char **argv)
{
    const char *model_path = getenv("TXT2VID_TEST_MODEL");
    const char *caption = getenv("TXT2VID_TEST_CAPTION");
    t2v_model *model = NULL;
    t2v_generator *g = NULL;
    t2v_generator_opts opts;
    t2v_model_info info;
    t2v_caption_report report;
    int n_frames;

    if (argc < 2) {
        fprintf(stderr, "usage: %s TXT2VID_FFMPEG\n", argv[0]);
        return 2;
    }
    if (!model_path || !*model_path) {
        printf("skip - engine frame equality through txt2vid-ffmpeg: no model (set TXT2VID_TEST_MODEL)\n");
        return 77;
    }
    if (!caption || !*caption)
        caption = "digit 3 is moving up and down";

    if (t2v_model_load(model_path, &model) != T2V_OK) {
        T2V_CHECK(0, "load %s: %s", model_path, t2v_last_error());
        return t2v_test_finish();
    }
    t2v_model_get_info(model, &info);
    t2v_generator_opts_init(&opts);
    opts.device = T2V_DEVICE_CPU;
    if (t2v_generator_new(model, &opts, &g) != T2V_OK) {
        T2V_CHECK(0, "generator on the CPU: %s", t2v_last_error());
        goto done;
    }
    t2v_generator_set_seed(g, TEST_SEED);
    if (t2v_generator_set_caption(g, caption, &report) != T2V_OK) {
        T2V_CHECK(0, "caption '%s': %s", caption, t2v_last_error());
        goto done;
    }

    /* Two clips (video) or two images (image models): the second clip's
     * noise comes from a later clip index, so both must line up. */
    n_frames = (int)t2v_generator_next_boundary(g, 0) * 2;
    if (n_frames > MAX_TEST_FRAMES)
        n_frames = MAX_TEST_FRAMES;
    if (n_frames < 2)
        n_frames = 2;

    compare_format(argv[1], model_path, caption, g, &info, n_frames,
                   info.channels == 1 ? T2V_PIX_GRAY8 : T2V_PIX_RGB24,
                   info.channels == 1 ? "gray" : "rgb24");
    compare_format(argv[1], model_path, caption, g, &info, n_frames, T2V_PIX_I420, "yuv420p");

done:
    t2v_generator_free(g);
    if (model)
        t2v_model_unref(model);
    return t2v_test_finish();
}
