/* Image / video decoding with libavformat + libavcodec, conversion and
 * scaling with libswscale (see av_decode.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "av_decode.h"
#include "data_internal.h"

typedef struct av_decoder {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVFrame *frame;
    AVPacket *pkt;
    struct SwsContext *sws;
    int stream;
    int channels, out_h, out_w;
    uint8_t *scaled; /* (sh, sw, C) before the middle is cut out */
    size_t scaled_bytes;
    uint8_t *out;    /* (out_h, out_w, C) */
    t2v_av_frame_fn fn;
    void *user;
    long n_frames;
    int stop;
} av_decoder;

static t2v_status av_fail(const char *path, const char *what, int err)
{
    char text[AV_ERROR_MAX_STRING_SIZE] = "";
    av_strerror(err, text, sizeof text);
    return t2v_data_fail(T2V_ERR_FORMAT, "%s: %s: %s", path, what, text);
}

/* Converts one decoded frame and hands it on. */
static t2v_status av_emit(av_decoder *d, const char *path)
{
    AVFrame *f = d->frame;
    if (f->width < 1 || f->height < 1)
        return t2v_data_fail(T2V_ERR_FORMAT, "%s: a frame without size", path);
    double scale = fmax((double)d->out_w / f->width, (double)d->out_h / f->height);
    int sw = (int)ceil(f->width * scale - 1e-9), sh = (int)ceil(f->height * scale - 1e-9);
    sw = sw < d->out_w ? d->out_w : sw;
    sh = sh < d->out_h ? d->out_h : sh;
    enum AVPixelFormat dst_fmt = d->channels == 1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24;
    int flags = scale < 1.0 ? SWS_AREA : SWS_BILINEAR;
    d->sws = sws_getCachedContext(d->sws, f->width, f->height, (enum AVPixelFormat)f->format,
                                  sw, sh, dst_fmt, flags | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!d->sws)
        return t2v_data_fail(T2V_ERR_FORMAT, "%s: cannot convert pixel format %s", path,
                             av_get_pix_fmt_name((enum AVPixelFormat)f->format));
    size_t need = (size_t)sw * sh * d->channels;
    if (need > d->scaled_bytes) {
        free(d->scaled);
        d->scaled = malloc(need);
        d->scaled_bytes = d->scaled ? need : 0;
        if (!d->scaled)
            return t2v_data_fail(T2V_ERR_NOMEM, "%s: out of memory", path);
    }
    uint8_t *dst[4] = {d->scaled, NULL, NULL, NULL};
    int dst_stride[4] = {sw * d->channels, 0, 0, 0};
    if (sws_scale(d->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, dst,
                  dst_stride) != sh)
        return t2v_data_fail(T2V_ERR_FORMAT, "%s: scaling failed", path);
    int x0 = (sw - d->out_w) / 2, y0 = (sh - d->out_h) / 2;
    size_t row = (size_t)d->out_w * d->channels;
    for (int y = 0; y < d->out_h; y++)
        memcpy(d->out + y * row, d->scaled + ((size_t)(y0 + y) * sw + x0) * d->channels, row);
    d->n_frames++;
    if (d->fn(d->user, d->out))
        d->stop = 1;
    return T2V_OK;
}

/* Sends one packet (NULL: flush) and emits every frame it yields. */
static t2v_status av_decode_packet(av_decoder *d, const char *path, const AVPacket *pkt)
{
    int err = avcodec_send_packet(d->dec, pkt);
    if (err == AVERROR_INVALIDDATA && pkt)
        return T2V_OK; /* one damaged packet: the file fails only if no frame decodes */
    if (err < 0 && err != AVERROR_EOF)
        return av_fail(path, "decoding failed", err);
    for (;;) {
        err = avcodec_receive_frame(d->dec, d->frame);
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
            return T2V_OK;
        if (err < 0)
            return av_fail(path, "decoding failed", err);
        t2v_status st = av_emit(d, path);
        av_frame_unref(d->frame);
        if (st != T2V_OK || d->stop)
            return st;
    }
}

t2v_status t2v_av_decode(const char *path, int channels, int out_h, int out_w,
                         t2v_av_frame_fn fn, void *user, long *n_frames)
{
    av_decoder d = {.channels = channels, .out_h = out_h, .out_w = out_w, .fn = fn,
                    .user = user, .stream = -1};
    *n_frames = 0;
    t2v_status st = T2V_OK;
    int err = avformat_open_input(&d.fmt, path, NULL, NULL);
    if (err < 0)
        return av_fail(path, "cannot open", err);
    if ((err = avformat_find_stream_info(d.fmt, NULL)) < 0) {
        st = av_fail(path, "cannot read stream information", err);
        goto done;
    }
    const AVCodec *codec = NULL;
    d.stream = av_find_best_stream(d.fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
    if (d.stream < 0 || !codec) {
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: no decodable video or image stream", path);
        goto done;
    }
    d.dec = avcodec_alloc_context3(codec);
    d.frame = av_frame_alloc();
    d.pkt = av_packet_alloc();
    d.out = malloc((size_t)out_h * out_w * channels);
    if (!d.dec || !d.frame || !d.pkt || !d.out) {
        st = t2v_data_fail(T2V_ERR_NOMEM, "%s: out of memory", path);
        goto done;
    }
    if ((err = avcodec_parameters_to_context(d.dec, d.fmt->streams[d.stream]->codecpar)) < 0 ||
        (err = avcodec_open2(d.dec, codec, NULL)) < 0) {
        st = av_fail(path, "cannot open the decoder", err);
        goto done;
    }
    while (st == T2V_OK && !d.stop && (err = av_read_frame(d.fmt, d.pkt)) >= 0) {
        if (d.pkt->stream_index == d.stream)
            st = av_decode_packet(&d, path, d.pkt);
        av_packet_unref(d.pkt);
    }
    if (st == T2V_OK && !d.stop)
        st = av_decode_packet(&d, path, NULL);
    if (st == T2V_OK && d.n_frames == 0)
        st = t2v_data_fail(T2V_ERR_FORMAT, "%s: no frame could be decoded", path);
done:
    *n_frames = d.n_frames;
    sws_freeContext(d.sws);
    av_packet_free(&d.pkt);
    av_frame_free(&d.frame);
    avcodec_free_context(&d.dec);
    avformat_close_input(&d.fmt);
    free(d.scaled);
    free(d.out);
    return st;
}
