/*
 * txt2vid video source: a caption in, generated video out.
 *
 * The frames come from libtxt2vid (TGANs-C for text-to-video, StackGAN for
 * text-to-image). A frame's content depends only on (model, caption, seed,
 * frame index), so the filter only converts pixels, stamps time and pushes;
 * everything that runs a network lives in the engine.
 *
 * Usage:
 *   ffmpeg -f lavfi -i "txt2vid=caption='digit 3 is moving up and down'" -t 4 out.mp4
 *
 * This file is part of txt2vid (MIT licence) and is compiled into FFmpeg
 * 5.1 by ffmpeg-filter/build-ffmpeg.sh together with
 * ffmpeg-filter/txt2vid-registration.patch.
 */

#include <string.h>

#include <txt2vid/txt2vid.h>

#include "libavutil/avstring.h"
#include "libavutil/imgutils.h"
#include "libavutil/internal.h"
#include "libavutil/opt.h"
#include "libavutil/pixdesc.h"
#include "libswscale/swscale.h"
#include "avfilter.h"
#include "filters.h"
#include "formats.h"
#include "internal.h"
#include "video.h"

/* Largest output side the filter agrees to scale to. */
#define TXT2VID_MAX_SIDE 8192

typedef struct Txt2VidContext {
    const AVClass *class;

    /* options */
    char *caption;
    char *model_path;
    int64_t seed;
    int device;               /* t2v_device */
    int gpu_id;
    int cpu_threads;          /* <= 0: every core */
    int w, h;                 /* 0x0: the model's native size */
    AVRational frame_rate;    /* 0: the model's suggested rate */
    int64_t duration;         /* microseconds, -1: unlimited */
    AVRational sar;
    int mode;                 /* t2v_image_mode */
    int hold;                 /* 0: the engine's default */

    /* state */
    t2v_model *model;
    t2v_model_info info;
    t2v_generator *gen;
    AVRational time_base;
    int64_t pts;              /* = index of the next frame */

    char *pending_caption;    /* set by a command, applied at pending_at */
    int64_t pending_at;

    t2v_pixfmt engine_fmt;    /* what t2v_pixels_convert writes */
    struct SwsContext *sws;   /* native size -> output size, same format */
    AVFrame *native;          /* a native-size frame, only when scaling */
} Txt2VidContext;

#define OFFSET(x) offsetof(Txt2VidContext, x)
#define FLAGS  (AV_OPT_FLAG_VIDEO_PARAM | AV_OPT_FLAG_FILTERING_PARAM)
#define FLAGSR (FLAGS | AV_OPT_FLAG_RUNTIME_PARAM)

static const AVOption txt2vid_options[] = {
    { "caption",  "set the caption to generate from (runtime: applies at the next clip)",
      OFFSET(caption), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, FLAGSR },
    { "model",    "set the weights file (default: the shipped text-to-video model)",
      OFFSET(model_path), AV_OPT_TYPE_STRING, { .str = NULL }, 0, 0, FLAGS },
    { "seed",     "set the noise seed",
      OFFSET(seed), AV_OPT_TYPE_INT64, { .i64 = 0 }, 0, INT64_MAX, FLAGS },
    { "device",   "set the compute device",
      OFFSET(device), AV_OPT_TYPE_INT, { .i64 = T2V_DEVICE_AUTO },
      T2V_DEVICE_AUTO, T2V_DEVICE_CUDA, FLAGS, "device" },
        { "auto", "CUDA when a device answers, else the CPU", 0, AV_OPT_TYPE_CONST,
          { .i64 = T2V_DEVICE_AUTO }, 0, 0, FLAGS, "device" },
        { "cpu",  "the CPU backend", 0, AV_OPT_TYPE_CONST,
          { .i64 = T2V_DEVICE_CPU }, 0, 0, FLAGS, "device" },
        { "cuda", "the CUDA backend", 0, AV_OPT_TYPE_CONST,
          { .i64 = T2V_DEVICE_CUDA }, 0, 0, FLAGS, "device" },
    { "gpu_id",   "set the CUDA device index",
      OFFSET(gpu_id), AV_OPT_TYPE_INT, { .i64 = 0 }, 0, INT_MAX, FLAGS },
    { "cpu_threads", "set the CPU backend's threads (0: every core)",
      OFFSET(cpu_threads), AV_OPT_TYPE_INT, { .i64 = 0 }, 0, 1024, FLAGS },
    { "size",     "set the video size (default: the model's own)",
      OFFSET(w), AV_OPT_TYPE_IMAGE_SIZE, { .str = NULL }, 0, 0, FLAGS },
    { "s",        "set the video size (default: the model's own)",
      OFFSET(w), AV_OPT_TYPE_IMAGE_SIZE, { .str = NULL }, 0, 0, FLAGS },
    { "rate",     "set the video rate (0: the model's own)",
      OFFSET(frame_rate), AV_OPT_TYPE_RATIONAL, { .dbl = 0 }, 0, INT_MAX, FLAGS },
    { "r",        "set the video rate (0: the model's own)",
      OFFSET(frame_rate), AV_OPT_TYPE_RATIONAL, { .dbl = 0 }, 0, INT_MAX, FLAGS },
    { "duration", "set the video duration (-1: unlimited)",
      OFFSET(duration), AV_OPT_TYPE_DURATION, { .i64 = -1 }, -1, INT64_MAX, FLAGS },
    { "d",        "set the video duration (-1: unlimited)",
      OFFSET(duration), AV_OPT_TYPE_DURATION, { .i64 = -1 }, -1, INT64_MAX, FLAGS },
    { "sar",      "set the sample aspect ratio",
      OFFSET(sar), AV_OPT_TYPE_RATIONAL, { .dbl = 1 }, 0, INT_MAX, FLAGS },
    { "mode",     "set how image models make video",
      OFFSET(mode), AV_OPT_TYPE_INT, { .i64 = T2V_MODE_STILL },
      T2V_MODE_STILL, T2V_MODE_MORPH, FLAGS, "mode" },
        { "still", "one image held for `hold` frames, then the next", 0, AV_OPT_TYPE_CONST,
          { .i64 = T2V_MODE_STILL }, 0, 0, FLAGS, "mode" },
        { "morph", "a smooth walk between images, `hold` frames per step", 0, AV_OPT_TYPE_CONST,
          { .i64 = T2V_MODE_MORPH }, 0, 0, FLAGS, "mode" },
    { "hold",     "set frames per image or per morph step, image models (0: engine default)",
      OFFSET(hold), AV_OPT_TYPE_INT, { .i64 = 0 }, 0, INT_MAX, FLAGS },
    { NULL }
};

AVFILTER_DEFINE_CLASS(txt2vid);

/* A caption made only of spaces and punctuation says nothing. */
static int caption_is_blank(const char *caption)
{
    for (const char *p = caption; *p; p++)
        if (!av_isspace(*p) && !strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", *p))
            return 0;
    return 1;
}

/* Hands `caption` to the generator and tells the user what it found. */
static int apply_caption(AVFilterContext *ctx, const char *caption)
{
    Txt2VidContext *s = ctx->priv;
    t2v_caption_report report;
    t2v_status st;

    memset(&report, 0, sizeof(report));
    st = t2v_generator_set_caption(s->gen, caption, &report);
    if (st != T2V_OK) {
        av_log(ctx, AV_LOG_ERROR, "invalid caption '%s': %s\n", caption, t2v_last_error());
        return AVERROR(EINVAL);
    }
    if (report.unknown > 0)
        av_log(ctx, AV_LOG_WARNING,
               "%d word(s) of the caption are not in the model's vocabulary: %s\n",
               report.unknown, report.unknown_list);
    if (report.truncated > 0)
        av_log(ctx, AV_LOG_WARNING,
               "caption cut to the model's %d words (%d dropped)\n",
               s->info.max_words, report.truncated);
    av_log(ctx, AV_LOG_VERBOSE, "caption '%s' (%d words)\n", caption, report.words);
    return 0;
}

static av_cold int init(AVFilterContext *ctx)
{
    Txt2VidContext *s = ctx->priv;
    t2v_generator_opts gopts;
    const char *path = s->model_path;
    t2v_status st;
    int ret;

    if (!s->caption || !*s->caption) {
        av_log(ctx, AV_LOG_ERROR, "no caption: set one, e.g. txt2vid=caption='digit 3 is moving up and down'\n");
        return AVERROR(EINVAL);
    }
    if (caption_is_blank(s->caption)) {
        av_log(ctx, AV_LOG_ERROR, "the caption '%s' has no words\n", s->caption);
        return AVERROR(EINVAL);
    }
    if (!path || !*path)
        path = t2v_default_model_path();
    if (!path || !*path) {
        av_log(ctx, AV_LOG_ERROR, "no model: set model=FILE or the TXT2VID_MODEL environment variable\n");
        return AVERROR(EINVAL);
    }

    st = t2v_model_load(path, &s->model);
    if (st != T2V_OK) {
        s->model = NULL;
        av_log(ctx, AV_LOG_ERROR, "cannot load the model '%s' (%s): %s\n",
               path, t2v_status_name(st), t2v_last_error());
        return AVERROR(EINVAL);
    }
    t2v_model_get_info(s->model, &s->info);
    if (s->info.channels != 1 && s->info.channels != 3) {
        av_log(ctx, AV_LOG_ERROR, "the model '%s' makes %d-channel frames; only 1 or 3 are supported\n",
               path, s->info.channels);
        return AVERROR(EINVAL);
    }
    if (s->info.kind != T2V_MODEL_IMAGE && s->mode != T2V_MODE_STILL)
        av_log(ctx, AV_LOG_WARNING, "mode applies to image models; '%s' is a video model, mode ignored\n",
               s->info.name ? s->info.name : path);

    t2v_generator_opts_init(&gopts);
    gopts.device  = (t2v_device)s->device;
    gopts.gpu_id  = s->gpu_id;
    gopts.threads = s->cpu_threads;
    gopts.mode    = (t2v_image_mode)s->mode;
    if (s->hold > 0)
        gopts.hold = s->hold;
    st = t2v_generator_new(s->model, &gopts, &s->gen);
    if (st != T2V_OK) {
        s->gen = NULL;
        av_log(ctx, AV_LOG_ERROR, "cannot start the generator (%s): %s\n",
               t2v_status_name(st), t2v_last_error());
        return AVERROR(EINVAL);
    }
    t2v_generator_set_seed(s->gen, (uint64_t)s->seed);
    if ((ret = apply_caption(ctx, s->caption)) < 0)
        return ret;

    if (!s->frame_rate.num || !s->frame_rate.den) {
        if (s->info.fps_num <= 0 || s->info.fps_den <= 0) {
            av_log(ctx, AV_LOG_ERROR, "the model gives no frame rate: set rate=N\n");
            return AVERROR(EINVAL);
        }
        s->frame_rate = av_make_q(s->info.fps_num, s->info.fps_den);
    }
    av_reduce(&s->frame_rate.num, &s->frame_rate.den,
              s->frame_rate.num, s->frame_rate.den, INT_MAX);
    s->time_base = av_inv_q(s->frame_rate);
    s->pts = 0;
    s->pending_at = -1;

    av_log(ctx, AV_LOG_VERBOSE,
           "model %s (%s, %s): %dx%d, %d channel(s), clips of %"PRIu64" frame(s); seed %"PRId64"\n",
           s->info.name ? s->info.name : "?", s->info.arch ? s->info.arch : "?", path,
           s->info.width, s->info.height, s->info.channels,
           t2v_generator_next_boundary(s->gen, 0), s->seed);
    return 0;
}

static av_cold void uninit(AVFilterContext *ctx)
{
    Txt2VidContext *s = ctx->priv;

    sws_freeContext(s->sws);
    s->sws = NULL;
    av_frame_free(&s->native);
    av_freep(&s->pending_caption);
    if (s->gen)
        t2v_generator_free(s->gen);
    s->gen = NULL;
    if (s->model)
        t2v_model_unref(s->model);
    s->model = NULL;
}

/* The model's natural format first (gray or RGB), then yuv420p. */
static int query_formats(AVFilterContext *ctx)
{
    Txt2VidContext *s = ctx->priv;
    const int natural = s->info.channels == 1 ? AV_PIX_FMT_GRAY8 : AV_PIX_FMT_RGB24;
    const int fmts[] = { natural, AV_PIX_FMT_YUV420P, AV_PIX_FMT_NONE };

    return ff_set_common_formats_from_list(ctx, fmts);
}

static int config_props(AVFilterLink *outlink)
{
    AVFilterContext *ctx = outlink->src;
    Txt2VidContext *s = ctx->priv;
    const int nw = s->info.width, nh = s->info.height;
    int ret;

    if (!s->w || !s->h) {
        s->w = nw;
        s->h = nh;
    }
    if (s->w <= 0 || s->h <= 0 || s->w > TXT2VID_MAX_SIDE || s->h > TXT2VID_MAX_SIDE ||
        av_image_check_size(s->w, s->h, 0, ctx) < 0) {
        av_log(ctx, AV_LOG_ERROR, "cannot produce size %dx%d: each side must be 1..%d\n",
               s->w, s->h, TXT2VID_MAX_SIDE);
        return AVERROR(EINVAL);
    }

    switch (outlink->format) {
    case AV_PIX_FMT_GRAY8:   s->engine_fmt = T2V_PIX_GRAY8; break;
    case AV_PIX_FMT_RGB24:   s->engine_fmt = T2V_PIX_RGB24; break;
    case AV_PIX_FMT_YUV420P: s->engine_fmt = T2V_PIX_I420;  break;
    default:
        av_log(ctx, AV_LOG_ERROR, "unexpected output format %s\n",
               av_get_pix_fmt_name(outlink->format));
        return AVERROR(EINVAL);
    }

    sws_freeContext(s->sws);
    s->sws = NULL;
    av_frame_free(&s->native);
    if (s->w != nw || s->h != nh) {
        s->native = av_frame_alloc();
        if (!s->native)
            return AVERROR(ENOMEM);
        s->native->format = outlink->format;
        s->native->width  = nw;
        s->native->height = nh;
        if ((ret = av_frame_get_buffer(s->native, 0)) < 0)
            return ret;
        s->sws = sws_getContext(nw, nh, outlink->format, s->w, s->h, outlink->format,
                                SWS_BICUBIC, NULL, NULL, NULL);
        if (!s->sws) {
            av_log(ctx, AV_LOG_ERROR, "cannot scale %dx%d to %dx%d in %s\n",
                   nw, nh, s->w, s->h, av_get_pix_fmt_name(outlink->format));
            return AVERROR(EINVAL);
        }
        av_log(ctx, AV_LOG_VERBOSE, "scaling the model's %dx%d to %dx%d\n", nw, nh, s->w, s->h);
    }

    outlink->w = s->w;
    outlink->h = s->h;
    outlink->sample_aspect_ratio = s->sar;
    outlink->frame_rate = s->frame_rate;
    outlink->time_base  = s->time_base;
    return 0;
}

/* A caption sent by a command waits for the first frame of the next clip. */
static int apply_pending_caption(AVFilterContext *ctx)
{
    Txt2VidContext *s = ctx->priv;
    char *caption;
    int ret;

    if (!s->pending_caption || s->pts < s->pending_at)
        return 0;
    caption = s->pending_caption;
    s->pending_caption = NULL;
    s->pending_at = -1;
    ret = apply_caption(ctx, caption);
    if (ret < 0) {
        /* Keep generating from the caption that was running. */
        av_log(ctx, AV_LOG_ERROR, "keeping the caption '%s'\n", s->caption);
        av_free(caption);
        return apply_caption(ctx, s->caption);
    }
    av_log(ctx, AV_LOG_INFO, "caption '%s' from frame %"PRId64"\n", caption, s->pts);
    av_free(s->caption);
    s->caption = caption;
    return 0;
}

static int fill_frame(AVFilterContext *ctx, AVFrame *frame)
{
    Txt2VidContext *s = ctx->priv;
    const float *pixels = NULL;
    AVFrame *dst = s->native ? s->native : frame;
    t2v_status st;
    int ret;

    st = t2v_generator_frame(s->gen, (uint64_t)s->pts, &pixels);
    if (st != T2V_OK) {
        av_log(ctx, AV_LOG_ERROR, "generating frame %"PRId64" failed (%s): %s\n",
               s->pts, t2v_status_name(st), t2v_last_error());
        return AVERROR_EXTERNAL;
    }
    if (s->native && (ret = av_frame_make_writable(s->native)) < 0)
        return ret;
    st = t2v_pixels_convert(pixels, s->info.channels, s->info.height, s->info.width,
                            s->engine_fmt, dst->data, dst->linesize);
    if (st != T2V_OK) {
        av_log(ctx, AV_LOG_ERROR, "pixel conversion of frame %"PRId64" failed: %s\n",
               s->pts, t2v_last_error());
        return AVERROR_EXTERNAL;
    }
    if (s->sws)
        sws_scale(s->sws, (const uint8_t *const *)s->native->data, s->native->linesize,
                  0, s->info.height, frame->data, frame->linesize);
    return 0;
}

static int activate(AVFilterContext *ctx)
{
    AVFilterLink *outlink = ctx->outputs[0];
    Txt2VidContext *s = ctx->priv;
    AVFrame *frame;
    int ret;

    if (!ff_outlink_frame_wanted(outlink))
        return FFERROR_NOT_READY;
    if (s->duration >= 0 &&
        av_rescale_q(s->pts, s->time_base, AV_TIME_BASE_Q) >= s->duration) {
        ff_outlink_set_status(outlink, AVERROR_EOF, s->pts);
        return 0;
    }
    if ((ret = apply_pending_caption(ctx)) < 0)
        return ret;

    frame = ff_get_video_buffer(outlink, s->w, s->h);
    if (!frame)
        return AVERROR(ENOMEM);
    if ((ret = fill_frame(ctx, frame)) < 0) {
        av_frame_free(&frame);
        return ret;
    }
    frame->pts                 = s->pts;
    frame->pkt_duration        = 1;
    frame->key_frame           = 1;
    frame->interlaced_frame    = 0;
    frame->pict_type           = AV_PICTURE_TYPE_I;
    frame->sample_aspect_ratio = s->sar;
    s->pts++;
    return ff_filter_frame(outlink, frame);
}

static int process_command(AVFilterContext *ctx, const char *cmd, const char *arg,
                           char *res, int res_len, int flags)
{
    Txt2VidContext *s = ctx->priv;
    char *caption;

    if (strcmp(cmd, "caption"))
        return AVERROR(ENOSYS);
    if (!arg || !*arg || caption_is_blank(arg)) {
        av_log(ctx, AV_LOG_ERROR, "caption command: the caption '%s' has no words\n", arg ? arg : "");
        return AVERROR(EINVAL);
    }
    caption = av_strdup(arg);
    if (!caption)
        return AVERROR(ENOMEM);
    av_free(s->pending_caption);
    s->pending_caption = caption;
    /* Frames 0 .. pts-1 are out; the clip of frame pts-1 runs to its end. */
    s->pending_at = s->pts == 0 ? 0
                  : (int64_t)t2v_generator_next_boundary(s->gen, (uint64_t)(s->pts - 1));
    av_log(ctx, AV_LOG_VERBOSE, "caption '%s' queued for frame %"PRId64"\n", caption, s->pending_at);
    if (res && res_len > 0)
        snprintf(res, res_len, "%"PRId64, s->pending_at);
    return 0;
}

static const AVFilterPad txt2vid_outputs[] = {
    {
        .name          = "default",
        .type          = AVMEDIA_TYPE_VIDEO,
        .config_props  = config_props,
    },
};

const AVFilter ff_vsrc_txt2vid = {
    .name            = "txt2vid",
    .description     = NULL_IF_CONFIG_SMALL("Generate video from a caption with a txt2vid GAN model."),
    .priv_size       = sizeof(Txt2VidContext),
    .priv_class      = &txt2vid_class,
    .init            = init,
    .uninit          = uninit,
    .activate        = activate,
    .inputs          = NULL,
    FILTER_OUTPUTS(txt2vid_outputs),
    FILTER_QUERY_FUNC(query_formats),
    .process_command = process_command,
};
