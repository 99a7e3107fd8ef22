/* t2v_media_write_clip: PNG strips, GIF, Y4M and MP4, read back by libpng,
 * giflib, a hand parser and libavformat/libavcodec; plus error cases. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>

#include "media.h"
#include "media_readers.h"
#include "t2v_test.h"

/* clip: (C, T, H, W); frame t is about t/T, with a small pattern in x and y
 * (and per channel) so that layout mistakes show. */
static float *make_clip(int C, int T, int H, int W)
{
    float *d = malloc(sizeof(float) * (size_t)C * T * H * W);
    for (int c = 0; c < C; c++)
        for (int t = 0; t < T; t++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    d[(((size_t)c * T + t) * H + y) * W + x] =
                        (float)t / (float)T - 0.04f * (float)x + 0.03f * (float)y - 0.3f * (float)c;
    return d;
}

static float clip_at(const t2v_clip_view *v, int c, int t, int y, int x)
{
    return v->data[(((size_t)c * v->frames + t) * v->height + y) * v->width + x];
}

static void check_png(const char *dir)
{
    char path[512];
    /* grey: T frames side by side, one channel */
    float *g = make_clip(1, 4, 6, 5);
    t2v_clip_view gv = {g, 1, 4, 6, 5};
    snprintf(path, sizeof path, "%s/grey.png", dir);
    T2V_CHECK(t2v_media_write_clip(path, &gv, 10) == T2V_OK, "png grey clip written (%s)",
              t2v_media_last_error());
    T2V_CHECK(test_png_channels(path) == 1, "png of a grey clip is a grey PNG");
    test_image img;
    int ok = test_read_png(path, &img);
    T2V_CHECK(ok && img.w == 4 * 5 && img.h == 6, "png strip is (H, T*W) = 6 x 20");
    int bad = 0;
    for (int t = 0; ok && t < 4; t++)
        for (int y = 0; y < 6; y++)
            for (int x = 0; x < 5; x++)
                bad += test_pixel(&img, t * 5 + x, y)[0] != test_expect_u8(clip_at(&gv, 0, t, y, x));
    T2V_CHECK(ok && bad == 0, "png grey strip: every pixel is round((v+1)*127.5) (%d differ)",
              bad);
    free(img.px);

    /* RGB */
    float *c = make_clip(3, 3, 4, 7);
    t2v_clip_view cv = {c, 3, 3, 4, 7};
    snprintf(path, sizeof path, "%s/colour.PNG", dir);
    T2V_CHECK(t2v_media_write_clip(path, &cv, 10) == T2V_OK, "png RGB clip written, upper-case extension");
    ok = test_read_png(path, &img);
    T2V_CHECK(ok && img.w == 21 && img.h == 4, "png RGB strip is 4 x 21");
    bad = 0;
    for (int t = 0; ok && t < 3; t++)
        for (int y = 0; y < 4; y++)
            for (int x = 0; x < 7; x++)
                for (int k = 0; k < 3; k++)
                    bad += test_pixel(&img, t * 7 + x, y)[k] !=
                           test_expect_u8(clip_at(&cv, k, t, y, x));
    T2V_CHECK(ok && bad == 0, "png RGB strip: every channel of every pixel exact (%d differ)", bad);
    free(img.px);
    free(g);
    free(c);
}

static void check_gif(const char *dir)
{
    char path[512];
    float *g = make_clip(1, 5, 9, 11);
    t2v_clip_view gv = {g, 1, 5, 9, 11};
    snprintf(path, sizeof path, "%s/grey.gif", dir);
    T2V_CHECK(t2v_media_write_clip(path, &gv, 10) == T2V_OK, "gif grey clip written");
    GifFileType *gif = test_read_gif(path);
    T2V_CHECK(gif != NULL, "gif decodes with giflib");
    if (!gif)
        return;
    T2V_CHECK(gif->SWidth == 11 && gif->SHeight == 9, "gif screen is 11 x 9 (got %d x %d)",
              gif->SWidth, gif->SHeight);
    T2V_CHECK(gif->ImageCount == 5, "gif has 5 frames (got %d)", gif->ImageCount);
    T2V_CHECK(test_gif_loops_forever(gif), "gif has a NETSCAPE2.0 loop-forever block");
    int delays_ok = 1;
    for (int i = 0; i < gif->ImageCount; i++) {
        GraphicsControlBlock gcb;
        delays_ok &= DGifSavedExtensionToGCB(gif, i, &gcb) == GIF_OK && gcb.DelayTime == 10;
    }
    T2V_CHECK(delays_ok, "gif every frame delay is 10 cs at 10 fps");
    int bad = 0;
    for (int t = 0; t < gif->ImageCount; t++)
        for (int y = 0; y < 9; y++)
            for (int x = 0; x < 11; x++) {
                uint8_t p[3];
                test_gif_rgb(gif, t, x, y, p);
                int want = test_expect_u8(clip_at(&gv, 0, t, y, x));
                bad += p[0] != want || p[1] != want || p[2] != want;
            }
    T2V_CHECK(bad == 0, "gif grey levels are exact in every frame (%d differ)", bad);
    DGifCloseFile(gif, NULL);

    /* a colour clip with many colours: median-cut palette, close colours */
    int T = 3, H = 32, W = 40;
    float *c = malloc(sizeof(float) * 3 * T * H * W);
    for (int k = 0; k < 3; k++)
        for (int t = 0; t < T; t++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++)
                    c[(((size_t)k * T + t) * H + y) * W + x] =
                        k == 0 ? -1.0f + 2.0f * x / (W - 1)
                               : k == 1 ? -1.0f + 2.0f * y / (H - 1) : -1.0f + 2.0f * t / (T - 1);
    t2v_clip_view cv = {c, 3, T, H, W};
    snprintf(path, sizeof path, "%s/colour.gif", dir);
    T2V_CHECK(t2v_media_write_clip(path, &cv, 25) == T2V_OK, "gif colour clip (3840 colours) written");
    gif = test_read_gif(path);
    T2V_CHECK(gif && gif->ImageCount == T, "colour gif decodes with %d frames", T);
    if (gif) {
        double err = 0, worst = 0;
        for (int t = 0; t < T; t++)
            for (int y = 0; y < H; y++)
                for (int x = 0; x < W; x++) {
                    uint8_t p[3];
                    test_gif_rgb(gif, t, x, y, p);
                    for (int k = 0; k < 3; k++) {
                        double e = fabs((double)p[k] - test_expect_u8(clip_at(&cv, k, t, y, x)));
                        err += e;
                        worst = e > worst ? e : worst;
                    }
                }
        err /= 3.0 * T * H * W;
        T2V_CHECK(err < 6.0 && worst < 40, "colour gif mean error %.2f (< 6), worst %.0f (< 40)",
                  err, worst);
        GraphicsControlBlock gcb;
        T2V_CHECK(DGifSavedExtensionToGCB(gif, 0, &gcb) == GIF_OK && gcb.DelayTime == 4,
                  "gif delay at 25 fps is 4 cs");
        DGifCloseFile(gif, NULL);
    }
    free(g);
    free(c);
}

/* Minimal Y4M reader: header fields, then frames of raw planes. */
static void check_y4m(const char *dir)
{
    char path[512];
    float *c = make_clip(3, 3, 5, 7); /* odd sizes: chroma planes are 4 x 3 */
    t2v_clip_view cv = {c, 3, 3, 5, 7};
    snprintf(path, sizeof path, "%s/colour.y4m", dir);
    T2V_CHECK(t2v_media_write_clip(path, &cv, 12.5) == T2V_OK, "y4m RGB clip written");
    FILE *f = fopen(path, "rb");
    char header[256] = "";
    if (f && !fgets(header, sizeof header, f))
        header[0] = '\0';
    header[strcspn(header, "\n")] = '\0';
    int w = 0, h = 0, fn = 0, fd = 0;
    const char *pw = strstr(header, " W"), *ph = strstr(header, " H"), *pf = strstr(header, " F");
    if (pw)
        w = atoi(pw + 2);
    if (ph)
        h = atoi(ph + 2);
    if (pf)
        sscanf(pf + 2, "%d:%d", &fn, &fd);
    T2V_CHECK(!strncmp(header, "YUV4MPEG2 ", 10) && w == 7 && h == 5,
              "y4m header: YUV4MPEG2 W7 H5 (got \"%.60s\")", header);
    T2V_CHECK(fn * 2 == fd * 25 && fn > 0, "y4m frame rate 12.5 as %d:%d", fn, fd);
    T2V_CHECK(strstr(header, " C420jpeg") != NULL, "y4m colour space C420jpeg");
    int frames = 0, bad_y = 0, bad_c = 0;
    uint8_t plane[35 + 2 * 12];
    char tag[16];
    while (f && fgets(tag, sizeof tag, f)) {
        if (strcmp(tag, "FRAME\n") || fread(plane, 1, sizeof plane, f) != sizeof plane)
            break;
        int t = frames++;
        for (int y = 0; y < 5; y++)
            for (int x = 0; x < 7; x++) {
                double r = test_expect_u8(clip_at(&cv, 0, t, y, x));
                double g = test_expect_u8(clip_at(&cv, 1, t, y, x));
                double b = test_expect_u8(clip_at(&cv, 2, t, y, x));
                bad_y += fabs(plane[y * 7 + x] - (0.299 * r + 0.587 * g + 0.114 * b)) > 1.0;
            }
        for (int cy = 0; cy < 3; cy++)
            for (int cx = 0; cx < 4; cx++) {
                double r = 0, g = 0, b = 0;
                int n = 0;
                for (int y = 2 * cy; y < 2 * cy + 2 && y < 5; y++)
                    for (int x = 2 * cx; x < 2 * cx + 2 && x < 7; x++) {
                        r += test_expect_u8(clip_at(&cv, 0, t, y, x));
                        g += test_expect_u8(clip_at(&cv, 1, t, y, x));
                        b += test_expect_u8(clip_at(&cv, 2, t, y, x));
                        n++;
                    }
                r /= n;
                g /= n;
                b /= n;
                double u = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
                double v = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
                bad_c += fabs(plane[35 + cy * 4 + cx] - u) > 1.0;
                bad_c += fabs(plane[35 + 12 + cy * 4 + cx] - v) > 1.0;
            }
    }
    int tail = f ? fgetc(f) : 0;
    if (f)
        fclose(f);
    T2V_CHECK(frames == 3 && tail == EOF, "y4m holds exactly 3 frames of 7x5 + 2 x 4x3 bytes");
    T2V_CHECK(frames == 3 && bad_y == 0, "y4m luma is full-range BT.601 of the RGB (%d off by > 1)", bad_y);
    T2V_CHECK(frames == 3 && bad_c == 0, "y4m chroma is the 2x2 mean in BT.601 (%d off by > 1)", bad_c);

    float *g = make_clip(1, 2, 4, 6);
    t2v_clip_view gv = {g, 1, 2, 4, 6};
    snprintf(path, sizeof path, "%s/grey.y4m", dir);
    T2V_CHECK(t2v_media_write_clip(path, &gv, 24) == T2V_OK, "y4m grey clip written");
    f = fopen(path, "rb");
    header[0] = '\0';
    if (f && !fgets(header, sizeof header, f))
        header[0] = '\0';
    header[strcspn(header, "\n")] = '\0';
    T2V_CHECK(strstr(header, " Cmono") && strstr(header, " F24:1"), "y4m grey header has Cmono and F24:1 (\"%.60s\")", header);
    int bad = 0;
    frames = 0;
    while (f && fgets(tag, sizeof tag, f) && !strcmp(tag, "FRAME\n")) {
        uint8_t y8[24];
        if (fread(y8, 1, 24, f) != 24)
            break;
        for (int i = 0; i < 24; i++)
            bad += y8[i] != test_expect_u8(clip_at(&gv, 0, frames, i / 6, i % 6));
        frames++;
    }
    if (f)
        fclose(f);
    T2V_CHECK(frames == 2 && bad == 0, "y4m grey: 2 frames, luma exact (%d differ)", bad);
    free(c);
    free(g);
}

/* Probes and decodes an MP4; mean_y[t] gets the mean luma of frame t. */
static int decode_mp4(const char *path, int *w, int *h, AVRational *rate, int *codec_h264,
                      int64_t *nb_frames, double *mean_y, int max_frames)
{
    AVFormatContext *fmt = NULL;
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0)
        return -1;
    avformat_find_stream_info(fmt, NULL);
    int si = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (si < 0) {
        avformat_close_input(&fmt);
        return -1;
    }
    AVStream *st = fmt->streams[si];
    *w = st->codecpar->width;
    *h = st->codecpar->height;
    *rate = st->avg_frame_rate;
    *codec_h264 = st->codecpar->codec_id == AV_CODEC_ID_H264;
    *nb_frames = st->nb_frames;
    const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
    AVCodecContext *ctx = avcodec_alloc_context3(dec);
    avcodec_parameters_to_context(ctx, st->codecpar);
    ctx->thread_count = 1;
    int decoded = 0;
    if (avcodec_open2(ctx, dec, NULL) == 0) {
        AVPacket *pkt = av_packet_alloc();
        AVFrame *fr = av_frame_alloc();
        int eof = 0;
        while (!eof) {
            int r = av_read_frame(fmt, pkt);
            if (r < 0) {
                eof = 1;
                avcodec_send_packet(ctx, NULL);
            } else {
                if (pkt->stream_index == si)
                    avcodec_send_packet(ctx, pkt);
                av_packet_unref(pkt);
            }
            while (avcodec_receive_frame(ctx, fr) == 0) {
                if (decoded < max_frames) {
                    double sum = 0;
                    for (int y = 0; y < fr->height; y++)
                        for (int x = 0; x < fr->width; x++)
                            sum += fr->data[0][(size_t)y * fr->linesize[0] + x];
                    mean_y[decoded] = sum / ((double)fr->width * fr->height);
                }
                decoded++;
            }
        }
        av_frame_free(&fr);
        av_packet_free(&pkt);
    }
    avcodec_free_context(&ctx);
    avformat_close_input(&fmt);
    return decoded;
}

static void check_mp4(const char *dir)
{
    char path[512];
    int T = 16, H = 48, W = 64;
    /* frame t is a uniform grey level, so its decoded luma mean is known */
    float *c = malloc(sizeof(float) * 3 * T * H * W);
    for (int k = 0; k < 3; k++)
        for (int t = 0; t < T; t++)
            for (int i = 0; i < H * W; i++)
                c[((size_t)k * T + t) * H * W + i] = -0.8f + 1.6f * t / (T - 1);
    t2v_clip_view cv = {c, 3, T, H, W};
    snprintf(path, sizeof path, "%s/clip.mp4", dir);
    test_quiet q;
    test_quiet_begin(&q);
    t2v_status s = t2v_media_write_clip(path, &cv, 8);
    long printed = test_quiet_end(&q);
    T2V_CHECK(s == T2V_OK, "mp4 clip written (%s)", t2v_media_last_error());
    T2V_CHECK(s == T2V_OK && printed == 0, "mp4 writer printed nothing on stderr (%ld bytes)", printed);
    int w = 0, h = 0, h264 = 0;
    AVRational rate = {0, 1};
    int64_t nb = 0;
    double mean[32];
    int n = decode_mp4(path, &w, &h, &rate, &h264, &nb, mean, 32);
    T2V_CHECK(h264, "mp4 stream codec is H.264");
    T2V_CHECK(w == W && h == H, "mp4 size %d x %d (want 64 x 48)", w, h);
    T2V_CHECK(rate.num == 8 * rate.den && rate.den > 0, "mp4 average frame rate %d/%d is 8",
              rate.num, rate.den);
    T2V_CHECK(nb == T, "mp4 container says %lld frames (want 16)", (long long)nb);
    T2V_CHECK(n == T, "mp4 decodes to %d frames (want 16)", n);
    int bad = 0;
    double worst = 0;
    for (int t = 0; t < n && t < T; t++) {
        double g = test_expect_u8(-0.8f + 1.6f * t / (T - 1));
        double want = 16.0 + 219.0 * g / 255.0; /* limited-range BT.601 luma */
        double e = fabs(mean[t] - want);
        worst = e > worst ? e : worst;
        bad += e > 2.0;
    }
    T2V_CHECK(n == T && bad == 0, "mp4 frame mean luma within 2 of 16 + 219 g/255 (worst %.2f)",
              worst);

    /* odd size, grey: padded to even */
    float *g = make_clip(1, 5, 21, 33);
    t2v_clip_view gv = {g, 1, 5, 21, 33};
    snprintf(path, sizeof path, "%s/odd.mp4", dir);
    test_quiet_begin(&q);
    s = t2v_media_write_clip(path, &gv, 29.97);
    printed = test_quiet_end(&q);
    T2V_CHECK(s == T2V_OK, "mp4 odd-size grey clip written (%s)", t2v_media_last_error());
    T2V_CHECK(s == T2V_OK && printed == 0, "mp4 odd-size writer printed nothing on stderr (%ld bytes)", printed);
    n = decode_mp4(path, &w, &h, &rate, &h264, &nb, mean, 32);
    T2V_CHECK(n == 5 && w == 34 && h == 22, "odd 33x21 clip encodes as 34x22, %d frames", n);
    T2V_CHECK(fabs(av_q2d(rate) - 29.97) < 1e-3, "mp4 frame rate 29.97 (got %d/%d)", rate.num,
              rate.den);

    /* the smallest clip: one 1x1 frame, padded to 2x2 */
    float one = 0.5f;
    t2v_clip_view ov = {&one, 1, 1, 1, 1};
    snprintf(path, sizeof path, "%s/one.mp4", dir);
    s = t2v_media_write_clip(path, &ov, 8);
    n = decode_mp4(path, &w, &h, &rate, &h264, &nb, mean, 32);
    T2V_CHECK(s == T2V_OK && n == 1 && w == 2 && h == 2, "mp4 of one 1x1 frame: 1 frame of 2x2 (%s)",
              t2v_media_last_error());
    T2V_CHECK(n == 1 && fabs(mean[0] - (16.0 + 219.0 * test_expect_u8(0.5f) / 255.0)) < 3.0,
              "mp4 1x1 frame luma %.1f matches grey %d", mean[0], test_expect_u8(0.5f));
    free(c);
    free(g);
}

static void check_errors(const char *dir)
{
    char path[512];
    float *g = make_clip(1, 2, 4, 4);
    t2v_clip_view gv = {g, 1, 2, 4, 4};
    const char *exts[] = {"png", "gif", "y4m", "mp4"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "/nonexistent-t2v-dir/clip.%s", exts[i]);
        test_quiet q;
        test_quiet_begin(&q);
        t2v_status s = t2v_media_write_clip(path, &gv, 8);
        long printed = test_quiet_end(&q);
        T2V_CHECK(s == T2V_ERR_IO && t2v_media_last_error()[0] && printed == 0,
                  "unwritable .%s path: IO error \"%s\", nothing printed", exts[i],
                  t2v_media_last_error());
    }
    snprintf(path, sizeof path, "%s/clip.avi", dir);
    T2V_CHECK(t2v_media_write_clip(path, &gv, 8) == T2V_ERR_UNSUPPORTED &&
                  strstr(t2v_media_last_error(), "extension") && test_file_size(path) < 0,
              "unknown .avi extension refused, no file left (\"%s\")", t2v_media_last_error());
    snprintf(path, sizeof path, "%s/noext", dir);
    T2V_CHECK(t2v_media_write_clip(path, &gv, 8) == T2V_ERR_UNSUPPORTED,
              "a path without extension is refused");
    snprintf(path, sizeof path, "%s/zero.png", dir);
    t2v_clip_view zero_t = {g, 1, 0, 4, 4}, zero_w = {g, 1, 2, 4, 0}, two_c = {g, 2, 1, 4, 4},
                  no_data = {NULL, 1, 2, 4, 4};
    T2V_CHECK(t2v_media_write_clip(path, &zero_t, 8) == T2V_ERR_INVALID, "zero frames refused");
    T2V_CHECK(t2v_media_write_clip(path, &zero_w, 8) == T2V_ERR_INVALID, "zero width refused");
    T2V_CHECK(t2v_media_write_clip(path, &two_c, 8) == T2V_ERR_INVALID, "2 channels refused");
    T2V_CHECK(t2v_media_write_clip(path, &no_data, 8) == T2V_ERR_INVALID, "NULL data refused");
    T2V_CHECK(t2v_media_write_clip(path, NULL, 8) == T2V_ERR_INVALID, "NULL clip refused");
    T2V_CHECK(t2v_media_write_clip(path, &gv, 0) == T2V_ERR_INVALID &&
                  t2v_media_write_clip(path, &gv, NAN) == T2V_ERR_INVALID,
              "fps 0 and NaN refused");
    T2V_CHECK(t2v_media_write_clip(NULL, &gv, 8) == T2V_ERR_INVALID, "NULL path refused");
    T2V_CHECK(test_file_size(path) < 0, "refused calls leave no file");
    /* conversion edge values */
    T2V_CHECK(t2v_media_to_u8(-1.0f) == 0 && t2v_media_to_u8(1.0f) == 255 &&
                  t2v_media_to_u8(5.0f) == 255 && t2v_media_to_u8(-3.0f) == 0 &&
                  t2v_media_to_u8(NAN) == 0 && t2v_media_to_u8(0.0f) == 128,
              "to_u8: -1->0, 1->255, clamps, NaN->0, 0->128");
    free(g);
}

int main(int argc, char **argv)
{
    char buf[256];
    const char *dir = test_out_dir(argc, argv, buf, sizeof buf);
    if (!dir) {
        printf("FAIL - cannot create a scratch directory\n");
        return 1;
    }
    printf("# files in %s\n", dir);
    check_png(dir);
    check_gif(dir);
    check_y4m(dir);
    check_mp4(dir);
    check_errors(dir);
    if (argc < 2)
        test_remove_dir(dir);
    return t2v_test_finish();
}
