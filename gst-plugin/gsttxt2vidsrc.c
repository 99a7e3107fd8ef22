/* txt2vidsrc: video generated from a caption by a txt2vid model.
 *
 *   gst-launch-1.0 txt2vidsrc caption="digit 3 is moving up and down" ! \
 *       x264enc ! mp4mux ! filesink location=out.mp4
 *
 * Frame n of a stream is frame n of the generator for (model, caption, seed):
 * timestamps come from the frame count, seeking sets the frame index, and a
 * caption change lands at the next clip boundary. In live mode a worker
 * renders ahead into a ring of frames (txt2vid-ahead.c) and the element only
 * copies and stamps them.
 */
#include "gsttxt2vidsrc.h"

#include <string.h>

#include "txt2vid-model-cache.h"

GST_DEBUG_CATEGORY_STATIC (txt2vid_src_debug);
#define GST_CAT_DEFAULT txt2vid_src_debug

#define DEFAULT_CAPTION "digit 3 is moving up and down"
#define DEFAULT_SEED 0
#define DEFAULT_DEVICE GST_TXT2VID_DEVICE_AUTO
#define DEFAULT_GPU_ID 0
#define DEFAULT_THREADS 0
#define DEFAULT_IS_LIVE FALSE
#define DEFAULT_TIMESTAMP_OFFSET 0
#define DEFAULT_MODE GST_TXT2VID_MODE_AUTO
#define DEFAULT_HOLD 16
#define DEFAULT_CLIPS 1
#define DEFAULT_CROSSFADE 0
/* Used only to fixate caps when no model is loaded. */
#define FALLBACK_SIZE 64
#define FALLBACK_FPS 8

enum
{
  PROP_0,
  PROP_CAPTION,
  PROP_MODEL,
  PROP_SEED,
  PROP_DEVICE,
  PROP_GPU_ID,
  PROP_THREADS,
  PROP_IS_LIVE,
  PROP_TIMESTAMP_OFFSET,
  PROP_MODE,
  PROP_HOLD,
  PROP_CLIPS,
  PROP_CROSSFADE,
  PROP_MODEL_USERS,
};

#define TXT2VID_SRC_CAPS \
  "video/x-raw, " \
  "format = (string) { I420, NV12, RGB, RGBA, BGRx, GRAY8 }, " \
  "width = (int) [ 1, 16384 ], height = (int) [ 1, 16384 ], " \
  "framerate = (fraction) [ 1/2147483647, 2147483647/1 ], " \
  "pixel-aspect-ratio = (fraction) 1/1"

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (TXT2VID_SRC_CAPS));

#define gst_txt2vid_src_parent_class parent_class
G_DEFINE_TYPE (GstTxt2VidSrc, gst_txt2vid_src, GST_TYPE_PUSH_SRC);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (txt2vidsrc, "txt2vidsrc",
    GST_RANK_NONE, GST_TYPE_TXT2VID_SRC,
    GST_DEBUG_CATEGORY_INIT (txt2vid_src_debug, "txt2vidsrc", 0,
        "txt2vid caption to video source"));

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

/* Stream time of frame `index` (without timestamp-offset). */
static GstClockTime
frame_time (GstTxt2VidSrc * self, guint64 index)
{
  return self->base_time + gst_util_uint64_scale (index - self->base_frame,
      (guint64) GST_VIDEO_INFO_FPS_D (&self->info) * GST_SECOND,
      GST_VIDEO_INFO_FPS_N (&self->info));
}

/* The frame shown at stream time t (base at zero). */
static guint64
time_to_frame (GstTxt2VidSrc * self, GstClockTime t)
{
  guint64 k = gst_util_uint64_scale (t, GST_VIDEO_INFO_FPS_N (&self->info),
      (guint64) GST_VIDEO_INFO_FPS_D (&self->info) * GST_SECOND);
  /* timestamps round down, so t can sit at the start of frame k + 1 */
  while (frame_time (self, k + 1) <= t)
    k++;
  return k;
}

static GstClockTime
frame_period (const GstVideoInfo * info)
{
  if (GST_VIDEO_INFO_FPS_N (info) <= 0)
    return 0;
  return gst_util_uint64_scale_ceil (GST_SECOND, GST_VIDEO_INFO_FPS_D (info),
      GST_VIDEO_INFO_FPS_N (info));
}

/* Frames the stream will have: the smaller of num-buffers and `clips`;
 * G_MAXUINT64 when endless. */
static guint64
total_frames (GstTxt2VidSrc * self)
{
  guint64 n = self->have_render ? self->end_frame : G_MAXUINT64;
  gint num_buffers = GST_BASE_SRC (self)->num_buffers;
  if (num_buffers >= 0)
    n = MIN (n, (guint64) num_buffers);
  return n;
}

/* ------------------------------------------------------------------------ */
/* Messages                                                                  */
/* ------------------------------------------------------------------------ */

static void
post_caption_report (GstTxt2VidSrc * self, Txt2VidRender * r)
{
  if (!r->report_ready)
    return;
  r->report_ready = FALSE;
  const t2v_caption_report *rep = &r->report;
  if (rep->unknown > 0)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Caption has %d word(s) the model does not know: %s", rep->unknown,
            rep->unknown_list),
        ("caption '%s'; unknown words are generated as <unk>",
            r->report_caption));
  if (rep->truncated > 0)
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Caption truncated: %d word(s) past the model's limit of %d dropped",
            rep->truncated, r->info.max_words),
        ("caption '%s'", r->report_caption));
}

/* Live mode: when generation got slower than the latency last answered,
 * ask the pipeline to query the latency again. */
static void
note_gen_time (GstTxt2VidSrc * self, GstClockTime gen_time)
{
  gboolean post = FALSE;
  GST_OBJECT_LOCK (self);
  if (self->latency > 0 && gen_time > self->latency) {
    self->latency = gen_time;
    post = TRUE;
  }
  GST_OBJECT_UNLOCK (self);
  if (post) {
    GST_INFO_OBJECT (self, "generation time grew to %" GST_TIME_FORMAT,
        GST_TIME_ARGS (gen_time));
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  }
}

/* From the look-ahead worker after each frame. */
static void
ahead_notify (gpointer user_data, Txt2VidRender * r)
{
  GstTxt2VidSrc *self = user_data;
  post_caption_report (self, r);
  note_gen_time (self, r->gen_time_max);
}

static const char *
engine_message (t2v_status st)
{
  const char *msg = t2v_last_error ();
  return msg && msg[0] ? msg : t2v_status_name (st);
}

/* ------------------------------------------------------------------------ */
/* Start / stop                                                              */
/* ------------------------------------------------------------------------ */

static void
release_running (GstTxt2VidSrc * self)
{
  GST_OBJECT_LOCK (self);
  Txt2VidAhead *ahead = self->ahead;
  gboolean have_render = self->have_render;
  t2v_model *model = self->model;
  self->ahead = NULL;
  self->have_render = FALSE;
  self->model = NULL;
  GST_OBJECT_UNLOCK (self);
  if (ahead)
    txt2vid_ahead_stop (ahead);
  if (have_render)
    txt2vid_render_clear (&self->render);
  if (model)
    txt2vid_model_cache_release (model);
  self->have_info = FALSE;
}

static const char *
mode_nick (GstTxt2VidMode mode)
{
  GEnumClass *klass = g_type_class_ref (GST_TYPE_TXT2VID_MODE);
  GEnumValue *v = g_enum_get_value (klass, mode);
  const char *nick = v ? v->value_nick : "?";
  g_type_class_unref (klass);
  return nick;
}

static gboolean
gst_txt2vid_src_start (GstBaseSrc * bsrc)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (bsrc);

  GST_OBJECT_LOCK (self);
  char *caption = g_strdup (self->caption);
  char *path = g_strdup (self->model_path);
  guint64 seed = self->seed;
  t2v_generator_opts opts;
  t2v_generator_opts_init (&opts);
  opts.device = (t2v_device) self->device;
  opts.gpu_id = self->gpu_id;
  opts.threads = self->threads;
  opts.hold = (int) self->hold;
  GstTxt2VidMode mode = self->mode;
  guint clips = self->clips;
  guint crossfade = self->crossfade;
  self->caption_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  gboolean ok = FALSE;
  self->n_frames = 0;
  self->base_frame = 0;
  self->base_time = 0;
  self->have_info = FALSE;
  self->latency = 0;

  if (!caption || !caption[0]) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("The caption is empty: set the 'caption' property."), (NULL));
    goto done;
  }
  if (!path || !path[0]) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No model file: set the 'model' property."), (NULL));
    goto done;
  }

  t2v_status st;
  char *why = NULL;
  t2v_model *model = txt2vid_model_cache_acquire (path, &st, &why);
  if (!model) {
    if (st == T2V_ERR_IO && !g_file_test (path, G_FILE_TEST_EXISTS))
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
          ("Model file '%s' not found: %s", path, why), (NULL));
    else if (st == T2V_ERR_IO)
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Model file '%s' could not be read: %s", path, why), (NULL));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
          ("Model file '%s' is not a usable txt2vid model: %s", path, why),
          ("%s", t2v_status_name (st)));
    g_free (why);
    goto done;
  }
  GST_OBJECT_LOCK (self);
  self->model = model;
  GST_OBJECT_UNLOCK (self);
  t2v_model_get_info (model, &self->model_info);
  const t2v_model_info *mi = &self->model_info;
  GST_INFO_OBJECT (self, "model %s: %s %s, %dx%d, %d frame(s) per clip, "
      "%d/%d fps", path, mi->arch, mi->name, mi->width, mi->height,
      mi->frames, mi->fps_num, mi->fps_den);

  if (mode != GST_TXT2VID_MODE_AUTO && mi->kind != T2V_MODEL_IMAGE) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("mode=%s needs a text-to-image model, but '%s' is a text-to-video "
            "model (%s); use mode=auto", mode_nick (mode), path, mi->arch),
        (NULL));
    goto done;
  }
  opts.mode = mode == GST_TXT2VID_MODE_MORPH ? T2V_MODE_MORPH : T2V_MODE_STILL;

  st = txt2vid_render_init (&self->render, model, &opts, seed, caption,
      crossfade);
  GST_OBJECT_LOCK (self);
  self->have_render = TRUE;
  GST_OBJECT_UNLOCK (self);
  if (st != T2V_OK) {
    if (!self->render.gen && st == T2V_ERR_UNSUPPORTED)
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Device not available: %s", engine_message (st)), (NULL));
    else if (!self->render.gen)
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
          ("Cannot run model '%s': %s", path, engine_message (st)), (NULL));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Caption '%s' cannot be used: %s", caption, engine_message (st)),
          (NULL));
    goto done;
  }
  post_caption_report (self, &self->render);

  guint64 clip = txt2vid_render_clip_frames (&self->render);
  self->end_frame = clips == 0 ? G_MAXUINT64 : (guint64) clips * clip;

  if (gst_base_src_is_live (bsrc)) {
    guint capacity = (guint) CLAMP (clip + 2, 4, 64);
    Txt2VidAhead *ahead = txt2vid_ahead_start (&self->render, capacity, 0,
        ahead_notify, self);
    GST_OBJECT_LOCK (self);
    self->ahead = ahead;
    GST_OBJECT_UNLOCK (self);
  }
  ok = TRUE;

done:
  if (!ok)
    release_running (self);
  g_free (caption);
  g_free (path);
  return ok;
}

static gboolean
gst_txt2vid_src_stop (GstBaseSrc * bsrc)
{
  release_running (GST_TXT2VID_SRC (bsrc));
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Caps and allocation                                                       */
/* ------------------------------------------------------------------------ */

static GstCaps *
gst_txt2vid_src_fixate (GstBaseSrc * bsrc, GstCaps * caps)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (bsrc);
  int w = FALLBACK_SIZE, h = FALLBACK_SIZE, fn = FALLBACK_FPS, fd = 1;
  if (self->have_render) {
    w = self->model_info.width;
    h = self->model_info.height;
    if (self->model_info.fps_num > 0 && self->model_info.fps_den > 0) {
      fn = self->model_info.fps_num;
      fd = self->model_info.fps_den;
    }
  }
  caps = gst_caps_make_writable (caps);
  GstStructure *s = gst_caps_get_structure (caps, 0);
  gst_structure_fixate_field_nearest_int (s, "width", w);
  gst_structure_fixate_field_nearest_int (s, "height", h);
  gst_structure_fixate_field_nearest_fraction (s, "framerate", fn, fd);
  if (gst_structure_has_field (s, "pixel-aspect-ratio"))
    gst_structure_fixate_field_nearest_fraction (s, "pixel-aspect-ratio", 1, 1);
  else
    gst_structure_set (s, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  caps = GST_BASE_SRC_CLASS (parent_class)->fixate (bsrc, caps);

  /* the pixels are BT.601 limited range: say so unless downstream chose */
  s = gst_caps_get_structure (caps, 0);
  const char *format = gst_structure_get_string (s, "format");
  if (format && !gst_structure_has_field (s, "colorimetry")) {
    const GstVideoFormatInfo *fi =
        gst_video_format_get_info (gst_video_format_from_string (format));
    if (fi && GST_VIDEO_FORMAT_INFO_IS_YUV (fi))
      gst_structure_set (s, "colorimetry", G_TYPE_STRING, "bt601", NULL);
  }
  GST_DEBUG_OBJECT (self, "fixated to %" GST_PTR_FORMAT, caps);
  return caps;
}

static gboolean
gst_txt2vid_src_set_caps (GstBaseSrc * bsrc, GstCaps * caps)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (bsrc);
  GstVideoInfo info;
  if (!gst_video_info_from_caps (&info, caps)
      || GST_VIDEO_INFO_FPS_N (&info) <= 0) {
    GST_ERROR_OBJECT (self, "unusable caps %" GST_PTR_FORMAT, caps);
    return FALSE;
  }
  if (!self->have_render) {
    GST_ERROR_OBJECT (self, "caps set before the model was loaded");
    return FALSE;
  }

  /* a new framerate takes over from the current frame, without a jump */
  if (self->have_info && self->n_frames > 0
      && (GST_VIDEO_INFO_FPS_N (&info) != GST_VIDEO_INFO_FPS_N (&self->info)
          || GST_VIDEO_INFO_FPS_D (&info) !=
          GST_VIDEO_INFO_FPS_D (&self->info))) {
    self->base_time = frame_time (self, self->n_frames);
    self->base_frame = self->n_frames;
  }

  gboolean ok = self->ahead ? txt2vid_ahead_set_output (self->ahead, &info)
      : txt2vid_render_set_output (&self->render, &info);
  if (!ok) {
    GST_ERROR_OBJECT (self, "cannot produce %" GST_PTR_FORMAT, caps);
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  self->info = info;
  self->have_info = TRUE;
  GST_OBJECT_UNLOCK (self);
  gst_base_src_set_blocksize (bsrc, GST_VIDEO_INFO_SIZE (&info));
  GST_INFO_OBJECT (self, "output %" GST_PTR_FORMAT " (model %dx%d%s)", caps,
      self->model_info.width, self->model_info.height,
      self->render.needs_convert ? ", converted" : "");
  return TRUE;
}

static gboolean
gst_txt2vid_src_decide_allocation (GstBaseSrc * bsrc, GstQuery * query)
{
  GstCaps *caps = NULL;
  GstVideoInfo info;
  gst_query_parse_allocation (query, &caps, NULL);
  if (!caps || !gst_video_info_from_caps (&info, caps))
    return FALSE;

  GstBufferPool *pool = NULL;
  guint size = GST_VIDEO_INFO_SIZE (&info), min = 0, max = 0;
  gboolean update = gst_query_get_n_allocation_pools (query) > 0;
  if (update) {
    gst_query_parse_nth_allocation_pool (query, 0, &pool, &size, &min, &max);
    size = MAX (size, GST_VIDEO_INFO_SIZE (&info));
  }
  if (!pool)
    pool = gst_video_buffer_pool_new ();

  GstStructure *config = gst_buffer_pool_get_config (pool);
  gst_buffer_pool_config_set_params (config, caps, size, min, max);
  if (gst_query_find_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL))
    gst_buffer_pool_config_add_option (config,
        GST_BUFFER_POOL_OPTION_VIDEO_META);
  gst_buffer_pool_set_config (pool, config);

  if (update)
    gst_query_set_nth_allocation_pool (query, 0, pool, size, min, max);
  else
    gst_query_add_allocation_pool (query, pool, size, min, max);
  gst_object_unref (pool);

  return GST_BASE_SRC_CLASS (parent_class)->decide_allocation (bsrc, query);
}

/* ------------------------------------------------------------------------ */
/* Queries, seeking, clock sync                                              */
/* ------------------------------------------------------------------------ */

static gboolean
gst_txt2vid_src_query (GstBaseSrc * bsrc, GstQuery * query)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (bsrc);

  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_LATENCY:{
      if (!gst_base_src_is_live (bsrc))
        break;
      GST_OBJECT_LOCK (self);
      gboolean have_info = self->have_info;
      GstVideoInfo info = self->info;
      GST_OBJECT_UNLOCK (self);
      if (!have_info)
        return FALSE;
      GstClockTime gen = self->ahead ? txt2vid_ahead_gen_time (self->ahead)
          : self->render.gen_time_max;
      GstClockTime min = MAX (frame_period (&info), gen);
      GST_OBJECT_LOCK (self);
      self->latency = min;
      GST_OBJECT_UNLOCK (self);
      GST_DEBUG_OBJECT (self, "latency %" GST_TIME_FORMAT " (generation %"
          GST_TIME_FORMAT ")", GST_TIME_ARGS (min), GST_TIME_ARGS (gen));
      gst_query_set_latency (query, TRUE, min, GST_CLOCK_TIME_NONE);
      return TRUE;
    }
    case GST_QUERY_DURATION:{
      GstFormat format;
      gst_query_parse_duration (query, &format, NULL);
      guint64 frames = total_frames (self);
      if (frames == G_MAXUINT64)
        break;
      if (format == GST_FORMAT_DEFAULT) {
        gst_query_set_duration (query, format, (gint64) frames);
        return TRUE;
      }
      if (format == GST_FORMAT_TIME && self->have_info) {
        gst_query_set_duration (query, format, (gint64)
            gst_util_uint64_scale (frames,
                (guint64) GST_VIDEO_INFO_FPS_D (&self->info) * GST_SECOND,
                GST_VIDEO_INFO_FPS_N (&self->info)));
        return TRUE;
      }
      break;
    }
    case GST_QUERY_CONVERT:{
      if (!self->have_info)
        break;
      GstFormat src_fmt, dest_fmt;
      gint64 src_val, dest_val;
      gst_query_parse_convert (query, &src_fmt, &src_val, &dest_fmt, NULL);
      if (!gst_video_info_convert (&self->info, src_fmt, src_val, dest_fmt,
              &dest_val))
        return FALSE;
      gst_query_set_convert (query, src_fmt, src_val, dest_fmt, dest_val);
      return TRUE;
    }
    default:
      break;
  }
  return GST_BASE_SRC_CLASS (parent_class)->query (bsrc, query);
}

static gboolean
gst_txt2vid_src_is_seekable (GstBaseSrc * bsrc)
{
  return !gst_base_src_is_live (bsrc);
}

static gboolean
gst_txt2vid_src_do_seek (GstBaseSrc * bsrc, GstSegment * segment)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (bsrc);
  if (segment->rate < 0) {
    GST_WARNING_OBJECT (self, "reverse playback is not supported");
    return FALSE;
  }
  segment->time = segment->start;
  self->base_frame = 0;
  self->base_time = 0;
  self->n_frames = self->have_info ?
      time_to_frame (self, segment->position) : 0;
  GST_DEBUG_OBJECT (self, "seek to %" GST_TIME_FORMAT ": frame %"
      G_GUINT64_FORMAT, GST_TIME_ARGS (segment->position), self->n_frames);
  return TRUE;
}

static void
gst_txt2vid_src_get_times (GstBaseSrc * bsrc, GstBuffer * buffer,
    GstClockTime * start, GstClockTime * end)
{
  *start = *end = GST_CLOCK_TIME_NONE;
  /* only a live source waits for the clock */
  if (!gst_base_src_is_live (bsrc))
    return;
  GstClockTime ts = GST_BUFFER_PTS (buffer);
  if (!GST_CLOCK_TIME_IS_VALID (ts))
    return;
  *start = ts;
  if (GST_BUFFER_DURATION_IS_VALID (buffer))
    *end = ts + GST_BUFFER_DURATION (buffer);
}

static gboolean
gst_txt2vid_src_unlock (GstBaseSrc * bsrc)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (bsrc);
  if (self->ahead)
    txt2vid_ahead_unlock (self->ahead);
  return TRUE;
}

static gboolean
gst_txt2vid_src_unlock_stop (GstBaseSrc * bsrc)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (bsrc);
  if (self->ahead)
    txt2vid_ahead_unlock_stop (self->ahead);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Frames                                                                    */
/* ------------------------------------------------------------------------ */

static GstFlowReturn
gst_txt2vid_src_fill (GstPushSrc * psrc, GstBuffer * buffer)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (psrc);
  if (!self->have_info)
    return GST_FLOW_NOT_NEGOTIATED;

  guint64 index = self->n_frames;
  if (index >= self->end_frame) {
    GST_DEBUG_OBJECT (self, "last clip done at frame %" G_GUINT64_FORMAT,
        index);
    return GST_FLOW_EOS;
  }
  GstClockTime t = frame_time (self, index);
  GstSegment *segment = &GST_BASE_SRC (self)->segment;
  if (GST_CLOCK_TIME_IS_VALID (segment->stop) && t >= segment->stop)
    return GST_FLOW_EOS;

  GstVideoFrame frame;
  if (!gst_video_frame_map (&frame, &self->info, buffer, GST_MAP_WRITE)) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Cannot map an output buffer"),
        (NULL));
    return GST_FLOW_ERROR;
  }

  t2v_status st = T2V_OK;
  char *why = NULL;
  if (self->ahead) {
    GstFlowReturn ret = txt2vid_ahead_pop (self->ahead, index, &frame, &st,
        &why);
    if (ret == GST_FLOW_FLUSHING) {
      gst_video_frame_unmap (&frame);
      return ret;
    }
  } else {
    GST_OBJECT_LOCK (self);
    char *caption = self->caption_changed ? g_strdup (self->caption) : NULL;
    self->caption_changed = FALSE;
    GST_OBJECT_UNLOCK (self);
    if (caption) {
      guint64 at = txt2vid_render_schedule_caption (&self->render, caption,
          index);
      GST_DEBUG_OBJECT (self, "caption '%s' from frame %" G_GUINT64_FORMAT,
          caption, at);
      g_free (caption);
    }
    st = txt2vid_render_frame (&self->render, index, &frame);
    if (st != T2V_OK)
      why = g_strdup (engine_message (st));
    post_caption_report (self, &self->render);
  }
  gst_video_frame_unmap (&frame);
  if (st != T2V_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Generating frame %" G_GUINT64_FORMAT " failed: %s", index,
            why ? why : t2v_status_name (st)), ("%s", t2v_status_name (st)));
    g_free (why);
    return GST_FLOW_ERROR;
  }
  g_free (why);

  GstClockTime next = frame_time (self, index + 1);
  GST_OBJECT_LOCK (self);
  GstClockTime offset = (GstClockTime) self->timestamp_offset;
  GST_OBJECT_UNLOCK (self);
  GST_BUFFER_PTS (buffer) = offset + t;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buffer) = next - t;
  GST_BUFFER_OFFSET (buffer) = index;
  GST_BUFFER_OFFSET_END (buffer) = index + 1;
  self->n_frames = index + 1;
  return GST_FLOW_OK;
}

/* ------------------------------------------------------------------------ */
/* Properties                                                                */
/* ------------------------------------------------------------------------ */

static void
gst_txt2vid_src_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (object);

  switch (prop_id) {
    case PROP_CAPTION:
      GST_OBJECT_LOCK (self);
      g_free (self->caption);
      self->caption = g_value_dup_string (value);
      if (self->ahead)
        txt2vid_ahead_set_caption (self->ahead,
            self->caption ? self->caption : "");
      else if (self->have_render)
        self->caption_changed = TRUE;
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MODEL:
      GST_OBJECT_LOCK (self);
      g_free (self->model_path);
      self->model_path = g_value_dup_string (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_SEED:
      GST_OBJECT_LOCK (self);
      self->seed = g_value_get_uint64 (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_DEVICE:
      GST_OBJECT_LOCK (self);
      self->device = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_GPU_ID:
      GST_OBJECT_LOCK (self);
      self->gpu_id = g_value_get_int (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_THREADS:
      GST_OBJECT_LOCK (self);
      self->threads = g_value_get_int (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_IS_LIVE:
      gst_base_src_set_live (GST_BASE_SRC (self), g_value_get_boolean (value));
      break;
    case PROP_TIMESTAMP_OFFSET:
      GST_OBJECT_LOCK (self);
      self->timestamp_offset = g_value_get_int64 (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_MODE:
      GST_OBJECT_LOCK (self);
      self->mode = g_value_get_enum (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_HOLD:
      GST_OBJECT_LOCK (self);
      self->hold = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_CLIPS:
      GST_OBJECT_LOCK (self);
      self->clips = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    case PROP_CROSSFADE:
      GST_OBJECT_LOCK (self);
      self->crossfade = g_value_get_uint (value);
      GST_OBJECT_UNLOCK (self);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
}

static void
gst_txt2vid_src_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (object);

  switch (prop_id) {
    case PROP_IS_LIVE:
      g_value_set_boolean (value, gst_base_src_is_live (GST_BASE_SRC (self)));
      return;
    default:
      break;
  }
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CAPTION:
      g_value_set_string (value, self->caption);
      break;
    case PROP_MODEL:
      g_value_set_string (value, self->model_path);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_DEVICE:
      g_value_set_enum (value, self->device);
      break;
    case PROP_GPU_ID:
      g_value_set_int (value, self->gpu_id);
      break;
    case PROP_THREADS:
      g_value_set_int (value, self->threads);
      break;
    case PROP_TIMESTAMP_OFFSET:
      g_value_set_int64 (value, self->timestamp_offset);
      break;
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    case PROP_HOLD:
      g_value_set_uint (value, self->hold);
      break;
    case PROP_CLIPS:
      g_value_set_uint (value, self->clips);
      break;
    case PROP_CROSSFADE:
      g_value_set_uint (value, self->crossfade);
      break;
    case PROP_MODEL_USERS:
      g_value_set_uint (value,
          self->model ? txt2vid_model_cache_users (self->model) : 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_txt2vid_src_finalize (GObject * object)
{
  GstTxt2VidSrc *self = GST_TXT2VID_SRC (object);
  release_running (self);
  g_free (self->caption);
  g_free (self->model_path);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_txt2vid_src_init (GstTxt2VidSrc * self)
{
  self->caption = g_strdup (DEFAULT_CAPTION);
  self->model_path = g_strdup (t2v_default_model_path ());
  self->seed = DEFAULT_SEED;
  self->device = DEFAULT_DEVICE;
  self->gpu_id = DEFAULT_GPU_ID;
  self->threads = DEFAULT_THREADS;
  self->timestamp_offset = DEFAULT_TIMESTAMP_OFFSET;
  self->mode = DEFAULT_MODE;
  self->hold = DEFAULT_HOLD;
  self->clips = DEFAULT_CLIPS;
  self->crossfade = DEFAULT_CROSSFADE;
  self->end_frame = G_MAXUINT64;
  gst_video_info_init (&self->info);
  gst_base_src_set_live (GST_BASE_SRC (self), DEFAULT_IS_LIVE);
  gst_base_src_set_format (GST_BASE_SRC (self), GST_FORMAT_TIME);
}

static void
gst_txt2vid_src_class_init (GstTxt2VidSrcClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSrcClass *bsrc_class = GST_BASE_SRC_CLASS (klass);
  GstPushSrcClass *psrc_class = GST_PUSH_SRC_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;
  const GParamFlags ready = rw | GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = gst_txt2vid_src_set_property;
  gobject_class->get_property = gst_txt2vid_src_get_property;
  gobject_class->finalize = gst_txt2vid_src_finalize;

  g_object_class_install_property (gobject_class, PROP_CAPTION,
      g_param_spec_string ("caption", "Caption",
          "What the video shows. May change while playing: the new caption "
          "starts at the next clip (or image) boundary", DEFAULT_CAPTION,
          rw | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Path of the txt2vid weights file (.gguf); elements using the same "
          "file share one loaded copy", t2v_default_model_path (), ready));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed",
          "Noise seed: the same caption and seed give the same frames, byte "
          "for byte", 0, G_MAXUINT64, DEFAULT_SEED, ready));
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_enum ("device", "Device",
          "Where the generator network runs", GST_TYPE_TXT2VID_DEVICE,
          DEFAULT_DEVICE, ready));
  g_object_class_install_property (gobject_class, PROP_GPU_ID,
      g_param_spec_int ("gpu-id", "GPU id",
          "CUDA device number used when device is cuda or auto", 0, 255,
          DEFAULT_GPU_ID, ready));
  g_object_class_install_property (gobject_class, PROP_THREADS,
      g_param_spec_int ("threads", "Threads",
          "CPU threads for the network (0: one per core)", 0, 1024,
          DEFAULT_THREADS, ready));
  g_object_class_install_property (gobject_class, PROP_IS_LIVE,
      g_param_spec_boolean ("is-live", "Is live",
          "Act as a live source: paced by the clock, frames rendered ahead "
          "on a worker thread", DEFAULT_IS_LIVE, ready));
  g_object_class_install_property (gobject_class, PROP_TIMESTAMP_OFFSET,
      g_param_spec_int64 ("timestamp-offset", "Timestamp offset",
          "Added to every buffer timestamp (ns)", 0, G_MAXINT64,
          DEFAULT_TIMESTAMP_OFFSET, rw));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode",
          "Image models: one still per 'hold' frames, or a smooth walk "
          "between samples; still and morph need a text-to-image model",
          GST_TYPE_TXT2VID_MODE, DEFAULT_MODE, ready));
  g_object_class_install_property (gobject_class, PROP_HOLD,
      g_param_spec_uint ("hold", "Hold",
          "Image models: frames each image is held (still) or each step of "
          "the walk lasts (morph)", 1, 100000, DEFAULT_HOLD, ready));
  g_object_class_install_property (gobject_class, PROP_CLIPS,
      g_param_spec_uint ("clips", "Clips",
          "Clips (video models) or images (image models) before end of "
          "stream; 0: endless", 0, G_MAXUINT, DEFAULT_CLIPS, ready));
  g_object_class_install_property (gobject_class, PROP_CROSSFADE,
      g_param_spec_uint ("crossfade", "Cross-fade",
          "Frames over which a caption change fades from the old caption "
          "(0: cut)", 0, 64, DEFAULT_CROSSFADE, ready));
  g_object_class_install_property (gobject_class, PROP_MODEL_USERS,
      g_param_spec_uint ("model-users", "Model users",
          "How many elements in this process share the loaded model "
          "(0 before start)", 0, G_MAXUINT, 0,
          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata (element_class,
      "Text to video source", "Source/Video",
      "Generates video from a caption with a GAN: TGANs-C text-to-video or "
      "StackGAN text-to-image models", "txt2vid");
  gst_element_class_add_static_pad_template (element_class, &src_template);

  bsrc_class->start = gst_txt2vid_src_start;
  bsrc_class->stop = gst_txt2vid_src_stop;
  bsrc_class->fixate = gst_txt2vid_src_fixate;
  bsrc_class->set_caps = gst_txt2vid_src_set_caps;
  bsrc_class->decide_allocation = gst_txt2vid_src_decide_allocation;
  bsrc_class->query = gst_txt2vid_src_query;
  bsrc_class->is_seekable = gst_txt2vid_src_is_seekable;
  bsrc_class->do_seek = gst_txt2vid_src_do_seek;
  bsrc_class->get_times = gst_txt2vid_src_get_times;
  bsrc_class->unlock = gst_txt2vid_src_unlock;
  bsrc_class->unlock_stop = gst_txt2vid_src_unlock_stop;
  psrc_class->fill = gst_txt2vid_src_fill;

  gst_type_mark_as_plugin_api (GST_TYPE_TXT2VID_DEVICE, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_TXT2VID_MODE, 0);
}
