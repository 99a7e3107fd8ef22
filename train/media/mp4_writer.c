/* H.264 in MP4 through libavcodec (libx264) and libavformat.
 * Frames are converted RGB24 -> yuv420p (BT.601, limited range) by
 * libswscale; frame i has pts i in a time base of 1/fps. Odd sizes are
 * padded to even by repeating the last column or row, since 4:2:0 H.264
 * needs even dimensions. */
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "media_internal.h"

typedef struct mp4_state {
    AVFormatContext *fmt;
    AVCodecContext *enc;
    AVStream *stream;
    struct SwsContext *sws;
    AVFrame *frame;
    AVPacket *packet;
    uint8_t *rgb;    /* (H, W, 3) one clip frame */
    uint8_t *padded; /* (H2, W2, 3) the frame padded to even size */
    int file_open;
} mp4_state;

static t2v_status av_fail(int err, const char *what, const char *path)
{
    char buf[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(err, buf, sizeof buf);
    return t2v_media_fail(err == AVERROR(ENOMEM) ? T2V_ERR_NOMEM : T2V_ERR_IO,
                          "mp4: %s %s: %s", what, path, buf);
}

static void mp4_free(mp4_state *s)
{
    if (s->file_open)
        avio_closep(&s->fmt->pb);
    avformat_free_context(s->fmt);
    avcodec_free_context(&s->enc);
    sws_freeContext(s->sws);
    av_frame_free(&s->frame);
    av_packet_free(&s->packet);
    free(s->rgb);
    free(s->padded);
}

/* Sends one frame (NULL flushes) and writes every packet the encoder returns. */
static int encode_and_write(mp4_state *s, const AVFrame *frame)
{
    int err = avcodec_send_frame(s->enc, frame);
    if (err < 0)
        return err;
    for (;;) {
        err = avcodec_receive_packet(s->enc, s->packet);
        if (err == AVERROR(EAGAIN) || err == AVERROR_EOF)
            return 0;
        if (err < 0)
            return err;
        av_packet_rescale_ts(s->packet, s->enc->time_base, s->stream->time_base);
        s->packet->stream_index = s->stream->index;
        err = av_interleaved_write_frame(s->fmt, s->packet);
        if (err < 0)
            return err;
    }
}

static t2v_status open_encoder(mp4_state *s, const char *path, int w2, int h2, double fps)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    if (!codec)
        codec = avcodec_find_encoder(AV_CODEC_ID_H264);
    if (!codec)
        return t2v_media_fail(T2V_ERR_UNSUPPORTED, "mp4: libavcodec has no H.264 encoder");
    s->enc = avcodec_alloc_context3(codec);
    if (!s->enc)
        return t2v_media_fail(T2V_ERR_NOMEM, "mp4: out of memory");
    /* the encoder's informational lines are below any printed level */
    s->enc->log_level_offset = 64;
    AVRational rate = av_d2q(fps, 100000);
    s->enc->width = w2;
    s->enc->height = h2;
    s->enc->pix_fmt = AV_PIX_FMT_YUV420P;
    s->enc->framerate = rate;
    s->enc->time_base = av_inv_q(rate);
    s->enc->sample_aspect_ratio = (AVRational){1, 1};
    s->enc->color_range = AVCOL_RANGE_MPEG;
    s->enc->colorspace = AVCOL_SPC_SMPTE170M;
    s->enc->color_primaries = AVCOL_PRI_SMPTE170M;
    s->enc->color_trc = AVCOL_TRC_SMPTE170M;
    if (s->fmt->oformat->flags & AVFMT_GLOBALHEADER)
        s->enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    av_opt_set(s->enc->priv_data, "preset", "medium", 0);
    av_opt_set(s->enc->priv_data, "crf", "18", 0);
    int err = avcodec_open2(s->enc, codec, NULL);
    if (err < 0)
        return av_fail(err, "cannot open the H.264 encoder for", path);
    s->stream = avformat_new_stream(s->fmt, NULL);
    if (!s->stream)
        return t2v_media_fail(T2V_ERR_NOMEM, "mp4: out of memory");
    err = avcodec_parameters_from_context(s->stream->codecpar, s->enc);
    if (err < 0)
        return av_fail(err, "cannot set the stream of", path);
    s->stream->time_base = s->enc->time_base;
    s->stream->avg_frame_rate = rate;
    s->stream->r_frame_rate = rate;
    return T2V_OK;
}

static t2v_status open_frames(mp4_state *s, int w, int h, int w2, int h2)
{
    s->frame = av_frame_alloc();
    s->packet = av_packet_alloc();
    s->rgb = malloc((size_t)w * (size_t)h * 3);
    s->padded = malloc((size_t)w2 * (size_t)h2 * 3);
    if (!s->frame || !s->packet || !s->rgb || !s->padded)
        return t2v_media_fail(T2V_ERR_NOMEM, "mp4: out of memory");
    s->frame->format = AV_PIX_FMT_YUV420P;
    s->frame->width = w2;
    s->frame->height = h2;
    s->frame->color_range = AVCOL_RANGE_MPEG;
    s->frame->colorspace = AVCOL_SPC_SMPTE170M;
    if (av_frame_get_buffer(s->frame, 0) < 0)
        return t2v_media_fail(T2V_ERR_NOMEM, "mp4: out of memory for a frame");
    s->sws = sws_getContext(w2, h2, AV_PIX_FMT_RGB24, w2, h2, AV_PIX_FMT_YUV420P,
                            SWS_BILINEAR | SWS_ACCURATE_RND, NULL, NULL, NULL);
    if (!s->sws)
        return t2v_media_fail(T2V_ERR_UNSUPPORTED, "mp4: libswscale cannot convert to yuv420p");
    return T2V_OK;
}

/* rgb (h, w, 3) into padded (h2, w2, 3), repeating the last column and row. */
static void pad_even(const uint8_t *rgb, int w, int h, uint8_t *padded, int w2, int h2)
{
    for (int y = 0; y < h2; y++) {
        const uint8_t *src = rgb + (size_t)(y < h ? y : h - 1) * (size_t)w * 3;
        uint8_t *dst = padded + (size_t)y * (size_t)w2 * 3;
        memcpy(dst, src, (size_t)w * 3);
        if (w2 > w)
            memcpy(dst + (size_t)w * 3, src + (size_t)(w - 1) * 3, 3);
    }
}

t2v_status t2v_media_mp4_write(const char *path, const t2v_clip_view *clip, double fps)
{
    int w = clip->width, h = clip->height;
    int w2 = w + (w & 1), h2 = h + (h & 1);
    mp4_state s;
    memset(&s, 0, sizeof s);
    t2v_status status = T2V_OK;
    int err = avformat_alloc_output_context2(&s.fmt, NULL, "mp4", path);
    if (err < 0 || !s.fmt) {
        status = av_fail(err, "cannot create the muxer for", path);
        goto done;
    }
    status = open_encoder(&s, path, w2, h2, fps);
    if (status == T2V_OK)
        status = open_frames(&s, w, h, w2, h2);
    if (status != T2V_OK)
        goto done;
    err = avio_open(&s.fmt->pb, path, AVIO_FLAG_WRITE);
    if (err < 0) {
        status = av_fail(err, "cannot open", path);
        goto done;
    }
    s.file_open = 1;
    err = avformat_write_header(s.fmt, NULL);
    if (err < 0) {
        status = av_fail(err, "cannot write the header of", path);
        goto done;
    }
    for (int t = 0; t < clip->frames; t++) {
        t2v_media_frame_to_rgb(clip, t, s.rgb);
        pad_even(s.rgb, w, h, s.padded, w2, h2);
        err = av_frame_make_writable(s.frame);
        if (err < 0)
            break;
        const uint8_t *src[1] = {s.padded};
        const int src_stride[1] = {w2 * 3};
        sws_scale(s.sws, src, src_stride, 0, h2, s.frame->data, s.frame->linesize);
        s.frame->pts = t;
        err = encode_and_write(&s, s.frame);
        if (err < 0)
            break;
    }
    if (err >= 0)
        err = encode_and_write(&s, NULL);
    if (err >= 0)
        err = av_write_trailer(s.fmt);
    if (err < 0)
        status = av_fail(err, "cannot encode", path);
done:
    mp4_free(&s);
    if (status != T2V_OK && s.file_open)
        remove(path);
    return status;
}
