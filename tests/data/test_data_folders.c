/* images:<folder> and videos:<folder> on media this test encodes itself
 * with libavcodec / libavformat: PNG and JPEG images, MPEG-4 in MP4 and
 * FFV1 in Matroska, plus a corrupt file of each kind that must be skipped
 * with a warning naming it, and an empty folder that must be an error. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>

#include "dataset.h"
#include "t2v_test.h"

#define VW 80
#define VH 60
#define VFRAMES 24

/* Frame k of the test video: flat grey Y = 40 + 7 k (limited range). */
static int video_luma(int k)
{
    return 40 + 7 * k;
}

/* RGB value a decoder gives for limited-range grey Y. */
static double luma_to_rgb(int y)
{
    return (y - 16) * 255.0 / 219.0;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* An image: left half red, right half blue, as PNG (rgb24) or JPEG. */
static int write_image(const char *path, enum AVCodecID id)
{
    const AVCodec *codec = avcodec_find_encoder(id);
    AVCodecContext *c = avcodec_alloc_context3(codec);
    c->width = VW;
    c->height = VH;
    c->time_base = (AVRational){1, 1};
    c->pix_fmt = id == AV_CODEC_ID_PNG ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_YUVJ444P;
    if (id == AV_CODEC_ID_MJPEG) {
        c->flags |= AV_CODEC_FLAG_QSCALE;
        c->global_quality = FF_QP2LAMBDA * 2;
    }
    if (avcodec_open2(c, codec, NULL) < 0)
        return -1;
    AVFrame *f = av_frame_alloc();
    f->width = VW;
    f->height = VH;
    f->format = c->pix_fmt;
    av_frame_get_buffer(f, 0);
    for (int y = 0; y < VH; y++)
        for (int x = 0; x < VW; x++) {
            int left = x < VW / 2;
            if (id == AV_CODEC_ID_PNG) {
                uint8_t *p = f->data[0] + y * f->linesize[0] + 3 * x;
                p[0] = left ? 230 : 20;
                p[1] = 20;
                p[2] = left ? 20 : 230;
            } else { /* full-range BT.601 of the same two colours */
                f->data[0][y * f->linesize[0] + x] = left ? 82 : 43;
                f->data[1][y * f->linesize[1] + x] = left ? 92 : 235;
                f->data[2][y * f->linesize[2] + x] = left ? 235 : 108;
            }
        }
    f->pts = 0;
    AVPacket *pkt = av_packet_alloc();
    int rc = -1;
    if (avcodec_send_frame(c, f) >= 0 && avcodec_send_frame(c, NULL) >= 0 &&
        avcodec_receive_packet(c, pkt) >= 0) {
        FILE *out = fopen(path, "wb");
        fwrite(pkt->data, 1, (size_t)pkt->size, out);
        fclose(out);
        rc = 0;
    }
    av_packet_free(&pkt);
    av_frame_free(&f);
    avcodec_free_context(&c);
    return rc;
}

/* A VFRAMES-frame grey ramp video in a container chosen by the extension. */
static int write_video(const char *path, enum AVCodecID id)
{
    AVFormatContext *oc = NULL;
    if (avformat_alloc_output_context2(&oc, NULL, NULL, path) < 0)
        return -1;
    const AVCodec *codec = avcodec_find_encoder(id);
    AVStream *st = avformat_new_stream(oc, NULL);
    AVCodecContext *c = avcodec_alloc_context3(codec);
    c->width = VW;
    c->height = VH;
    c->time_base = (AVRational){1, 24};
    c->framerate = (AVRational){24, 1};
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->gop_size = 6;
    if (id == AV_CODEC_ID_MPEG4) {
        c->flags |= AV_CODEC_FLAG_QSCALE;
        c->global_quality = FF_QP2LAMBDA * 2;
    }
    if (oc->oformat->flags & AVFMT_GLOBALHEADER)
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (avcodec_open2(c, codec, NULL) < 0)
        return -1;
    avcodec_parameters_from_context(st->codecpar, c);
    st->time_base = c->time_base;
    if (avio_open(&oc->pb, path, AVIO_FLAG_WRITE) < 0 || avformat_write_header(oc, NULL) < 0)
        return -1;
    AVFrame *f = av_frame_alloc();
    f->width = VW;
    f->height = VH;
    f->format = c->pix_fmt;
    av_frame_get_buffer(f, 0);
    AVPacket *pkt = av_packet_alloc();
    for (int k = 0; k <= VFRAMES; k++) {
        if (k < VFRAMES) {
            av_frame_make_writable(f);
            for (int y = 0; y < VH; y++)
                memset(f->data[0] + y * f->linesize[0], video_luma(k), VW);
            for (int y = 0; y < VH / 2; y++) {
                memset(f->data[1] + y * f->linesize[1], 128, VW / 2);
                memset(f->data[2] + y * f->linesize[2], 128, VW / 2);
            }
            f->pts = k;
        }
        avcodec_send_frame(c, k < VFRAMES ? f : NULL);
        while (avcodec_receive_packet(c, pkt) >= 0) {
            av_packet_rescale_ts(pkt, c->time_base, st->time_base);
            pkt->stream_index = st->index;
            av_interleaved_write_frame(oc, pkt);
        }
    }
    av_write_trailer(oc);
    avio_closep(&oc->pb);
    av_packet_free(&pkt);
    av_frame_free(&f);
    avcodec_free_context(&c);
    avformat_free_context(oc);
    return 0;
}

typedef struct warnings {
    char text[8][1024];
    int n;
} warnings;

static void collect(void *user, const char *message)
{
    warnings *w = user;
    if (w->n < 8)
        snprintf(w->text[w->n], sizeof w->text[0], "%s", message);
    w->n++;
}

static int warned_about(const warnings *w, const char *name)
{
    for (int k = 0; k < w->n && k < 8; k++)
        if (strstr(w->text[k], name))
            return 1;
    return 0;
}

static t2v_status open_folder(const char *name, int T, int size, int augment,
                              t2v_frame_sampling sampling, warnings *w, t2v_dataset **ds)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = name;
    o.frames = T;
    o.height = o.width = size;
    o.augment = augment;
    o.sampling = sampling;
    o.max_video_frames = VFRAMES;
    o.warn = collect;
    o.warn_user = w;
    return t2v_data_open(&o, ds);
}

static void check_images(const char *dir)
{
    char path[512], name[600];
    snprintf(path, sizeof path, "%s/img", dir);
    mkdir(path, 0755);
    snprintf(name, sizeof name, "%s/a.png", path);
    int ok = write_image(name, AV_CODEC_ID_PNG) == 0;
    snprintf(name, sizeof name, "%s/a.txt", path);
    write_text(name, "a red and blue flag\n\n  the same flag, twice  \n");
    snprintf(name, sizeof name, "%s/b.jpg", path);
    ok &= write_image(name, AV_CODEC_ID_MJPEG) == 0;
    snprintf(name, sizeof name, "%s/b.txt", path);
    write_text(name, "a jpeg flag\n");
    snprintf(name, sizeof name, "%s/broken.png", path);
    write_text(name, "\x89PNG\r\n\x1a\nthis is not an image at all");
    snprintf(name, sizeof name, "%s/broken.txt", path);
    write_text(name, "never loaded\n");
    snprintf(name, sizeof name, "%s/nocaption.png", path);
    ok &= write_image(name, AV_CODEC_ID_PNG) == 0;
    T2V_CHECK(ok, "encoded a PNG and a JPEG test image with libavcodec");

    warnings w = {0};
    t2v_dataset *ds = NULL;
    snprintf(name, sizeof name, "images:%s", path);
    t2v_status st = open_folder(name, 1, 32, 0, T2V_FRAMES_EVEN, &w, &ds);
    T2V_CHECK(st == T2V_OK && t2v_data_count(ds) == 2, "images: 2 images load (%s)",
              st == T2V_OK ? "ok" : t2v_data_last_error());
    if (st != T2V_OK)
        return;
    T2V_CHECK(w.n == 2 && warned_about(&w, "broken.png") && warned_about(&w, "nocaption.png"),
              "images: the corrupt file and the uncaptioned one are skipped with a warning "
              "naming each (%d warnings: %s)", w.n, w.n ? w.text[0] : "");
    t2v_data_info info;
    t2v_data_get_info(ds, &info);
    T2V_CHECK(info.n_captions == 3 && strcmp(t2v_data_caption_at(ds, 1), "the same flag, twice") == 0,
              "images: 3 distinct captions, blank lines dropped and spaces trimmed");
    float x[3 * 32 * 32];
    double worst = 0;
    for (long i = 0; i < 2; i++) {
        t2v_data_get(ds, i, 0, x, NULL);
        /* centre crop of the middle: columns < 16 red, > 16 blue (away from the edge) */
        for (int y = 0; y < 32; y++)
            for (int xx = 0; xx < 32; xx++) {
                if (xx >= 13 && xx <= 18)
                    continue;
                int left = xx < 16;
                double want[3] = {left ? 230 : 20, 20, left ? 20 : 230};
                for (int c = 0; c < 3; c++)
                    worst = fmax(worst, fabs((x[c * 1024 + y * 32 + xx] + 1) * 127.5 - want[c]));
            }
    }
    T2V_CHECK(worst < 12, "images: decoded PNG and JPEG pixels match the encoded colours "
              "(worst %.1f of 255)", worst);
    t2v_data_close(ds);

    st = open_folder(name, 1, 32, 1, T2V_FRAMES_EVEN, &w, &ds);
    int flipped = 0, plain = 0;
    for (uint64_t e = 0; e < 16 && st == T2V_OK; e++) {
        t2v_data_get(ds, 0, e, x, NULL);
        double left_red = x[0 * 1024 + 16 * 32 + 2], left_blue = x[2 * 1024 + 16 * 32 + 2];
        flipped += left_blue > left_red;
        plain += left_red > left_blue;
    }
    T2V_CHECK(flipped > 0 && plain > 0 && flipped + plain == 16,
              "images: augmentation flips horizontally in some epochs (%d of 16) and not in "
              "others (%d)", flipped, plain);
    t2v_data_close(ds);
}

static void check_videos(const char *dir)
{
    char path[512], name[600];
    snprintf(path, sizeof path, "%s/vid", dir);
    mkdir(path, 0755);
    snprintf(name, sizeof name, "%s/ramp.mp4", path);
    int ok = write_video(name, AV_CODEC_ID_MPEG4) == 0;
    snprintf(name, sizeof name, "%s/ramp.txt", path);
    write_text(name, "a grey ramp in mpeg-4\n");
    snprintf(name, sizeof name, "%s/sub", path);
    mkdir(name, 0755);
    snprintf(name, sizeof name, "%s/sub/lossless.mkv", path);
    ok &= write_video(name, AV_CODEC_ID_FFV1) == 0;
    snprintf(name, sizeof name, "%s/sub/lossless.txt", path);
    write_text(name, "a grey ramp in ffv1\n");
    snprintf(name, sizeof name, "%s/truncated.mp4", path);
    write_text(name, "\x00\x00\x00\x18" "ftypisom" "garbage after the box");
    snprintf(name, sizeof name, "%s/truncated.txt", path);
    write_text(name, "never loaded\n");
    T2V_CHECK(ok, "encoded an MPEG-4 / MP4 and an FFV1 / Matroska test video with libavcodec");

    warnings w = {0};
    t2v_dataset *ds = NULL;
    snprintf(name, sizeof name, "videos:%s", path);
    t2v_status st = open_folder(name, 4, 16, 0, T2V_FRAMES_EVEN, &w, &ds);
    T2V_CHECK(st == T2V_OK && t2v_data_count(ds) == 2, "videos: 2 videos load (%s)",
              st == T2V_OK ? "ok" : t2v_data_last_error());
    if (st != T2V_OK)
        return;
    T2V_CHECK(w.n == 1 && warned_about(&w, "truncated.mp4"),
              "videos: the corrupt file is skipped with a warning naming it (%s)",
              w.n ? w.text[0] : "none");
    float x[3 * 8 * 16 * 16]; // x: (C, T, H, W), T up to 8
    double worst = 0;
    for (long i = 0; i < 2; i++) {
        t2v_data_get(ds, i, 0, x, NULL);
        for (int t = 0; t < 4; t++) {
            int src = (int)((t + 0.5) * VFRAMES / 4); /* frames 3, 9, 15, 21 */
            double want = luma_to_rgb(video_luma(src)), mean = 0;
            for (int p = 0; p < 256; p++)
                mean += (x[(0 * 4 + t) * 256 + p] + 1) * 127.5;
            worst = fmax(worst, fabs(mean / 256 - want));
        }
    }
    T2V_CHECK(worst < 3, "videos: 4 frames sampled evenly from 24 are source frames 3, 9, 15, "
              "21 (worst grey error %.2f of 255)", worst);
    t2v_data_close(ds);

    w.n = 0;
    st = open_folder(name, 5, 16, 1, T2V_FRAMES_CONSECUTIVE, &w, &ds);
    int consecutive = st == T2V_OK, starts_differ = 0;
    double first_prev = -1;
    for (uint64_t e = 0; e < 8 && st == T2V_OK; e++) {
        t2v_data_get(ds, 1, e, x, NULL);
        double m[5];
        for (int t = 0; t < 5; t++) {
            m[t] = 0;
            for (int p = 0; p < 256; p++)
                m[t] += (x[t * 256 + p] + 1) * 127.5 / 256;
            if (t > 0)
                consecutive &= fabs(m[t] - m[t - 1] - 7 * 255.0 / 219.0) < 1.5;
        }
        starts_differ += first_prev >= 0 && fabs(m[0] - first_prev) > 1;
        first_prev = m[0];
    }
    T2V_CHECK(consecutive && starts_differ > 0, "videos: consecutive sampling gives 5 "
              "successive frames, the window moving between epochs (%d changes)", starts_differ);
    t2v_data_close(ds);

    snprintf(name, sizeof name, "%s/empty", dir);
    mkdir(name, 0755);
    char spec[700];
    snprintf(spec, sizeof spec, "videos:%s", name);
    w.n = 0;
    st = open_folder(spec, 4, 16, 0, T2V_FRAMES_EVEN, &w, &ds);
    T2V_CHECK(st != T2V_OK && strstr(t2v_data_last_error(), "no usable"),
              "videos: an empty folder is an error (%s)", t2v_data_last_error());
    snprintf(spec, sizeof spec, "images:%s/does-not-exist", dir);
    st = open_folder(spec, 1, 16, 0, T2V_FRAMES_EVEN, &w, &ds);
    T2V_CHECK(st == T2V_ERR_IO, "images: a missing folder is an I/O error (%s)",
              t2v_data_last_error());
}

int main(void)
{
    av_log_set_level(AV_LOG_FATAL); /* the corrupt files are expected */
    char dir[] = "/tmp/t2v-data-test-XXXXXX";
    if (!mkdtemp(dir)) {
        T2V_CHECK(0, "create a temporary folder");
        return t2v_test_finish();
    }
    check_images(dir);
    check_videos(dir);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return t2v_test_finish();
}
