/* Frame production for txt2vidsrc: caption schedule, cross-fade, pixels,
 * scaling. */
#include "txt2vid-render.h"

#include <string.h>

int
txt2vid_pixfmt_from_gst (GstVideoFormat format)
{
  switch (format) {
    case GST_VIDEO_FORMAT_GRAY8:
      return T2V_PIX_GRAY8;
    case GST_VIDEO_FORMAT_RGB:
      return T2V_PIX_RGB24;
    case GST_VIDEO_FORMAT_RGBA:
      return T2V_PIX_RGBA;
    case GST_VIDEO_FORMAT_BGRx:
      return T2V_PIX_BGRX;
    case GST_VIDEO_FORMAT_I420:
      return T2V_PIX_I420;
    case GST_VIDEO_FORMAT_NV12:
      return T2V_PIX_NV12;
    default:
      return -1;
  }
}

static t2v_status
apply_caption (Txt2VidRender * r, t2v_generator * gen, const char *caption)
{
  t2v_caption_report report;
  memset (&report, 0, sizeof report);
  t2v_status st = t2v_generator_set_caption (gen, caption, &report);
  if (st == T2V_OK && gen == r->gen) {
    r->report = report;
    g_free (r->report_caption);
    r->report_caption = g_strdup (caption);
    r->report_ready = TRUE;
  }
  return st;
}

t2v_status
txt2vid_render_init (Txt2VidRender * r, t2v_model * model,
    const t2v_generator_opts * opts, guint64 seed, const char *caption,
    guint crossfade)
{
  memset (r, 0, sizeof *r);
  gst_video_info_init (&r->out_info);
  gst_video_info_init (&r->native_info);
  r->model = t2v_model_ref (model);
  t2v_model_get_info (model, &r->info);
  r->opts = *opts;
  r->seed = seed;
  r->crossfade = crossfade;
  r->caption = g_strdup (caption);
  r->gen_time_max = 0;

  t2v_status st = t2v_generator_new (model, opts, &r->gen);
  if (st != T2V_OK)
    return st;
  t2v_generator_set_seed (r->gen, seed);
  st = apply_caption (r, r->gen, caption);
  if (st != T2V_OK)
    return st;
  if (crossfade > 0)
    r->blend = g_new (float,
        (gsize) r->info.channels * r->info.height * r->info.width);
  return T2V_OK;
}

void
txt2vid_render_clear (Txt2VidRender * r)
{
  if (r->gen)
    t2v_generator_free (r->gen);
  if (r->fade_gen)
    t2v_generator_free (r->fade_gen);
  if (r->convert)
    gst_video_converter_free (r->convert);
  gst_clear_buffer (&r->staging);
  g_free (r->blend);
  g_free (r->caption);
  g_free (r->next_caption);
  g_free (r->report_caption);
  if (r->model)
    t2v_model_unref (r->model);
  memset (r, 0, sizeof *r);
}

guint64
txt2vid_render_clip_frames (const Txt2VidRender * r)
{
  return t2v_generator_next_boundary (r->gen, 0);
}

guint64
txt2vid_render_schedule_caption (Txt2VidRender * r, const char *caption,
    guint64 from_index)
{
  guint64 at = from_index == 0 ? 0 :
      t2v_generator_next_boundary (r->gen, from_index - 1);
  g_free (r->next_caption);
  r->next_caption = g_strdup (caption);
  r->next_at = at;
  return at;
}

/* The float frame `index`: (C, H, W) in [-1, 1]. */
static t2v_status
render_float (Txt2VidRender * r, guint64 index, const float **out)
{
  t2v_status st;
  if (r->next_caption && index >= r->next_at) {
    if (r->crossfade > 0) {
      if (!r->fade_gen) {
        st = t2v_generator_new (r->model, &r->opts, &r->fade_gen);
        if (st != T2V_OK)
          return st;
        t2v_generator_set_seed (r->fade_gen, r->seed);
      }
      st = apply_caption (r, r->fade_gen, r->caption);
      if (st != T2V_OK)
        return st;
      r->fading = TRUE;
      r->fade_start = r->next_at;
    }
    st = apply_caption (r, r->gen, r->next_caption);
    if (st != T2V_OK) {
      r->fading = FALSE;
      return st;
    }
    g_free (r->caption);
    r->caption = r->next_caption;
    r->next_caption = NULL;
  }

  gint64 t0 = g_get_monotonic_time ();
  const float *frame = NULL;
  st = t2v_generator_frame (r->gen, index, &frame);
  if (st != T2V_OK)
    return st;
  if (r->fading && index >= r->fade_start
      && index < r->fade_start + r->crossfade) {
    const float *old = NULL;
    st = t2v_generator_frame (r->fade_gen, index, &old);
    if (st != T2V_OK)
      return st;
    /* weight of the new caption rises 1/(n+1) ... n/(n+1) */
    float a = (float) (index - r->fade_start + 1) / (float) (r->crossfade + 1);
    gsize n = (gsize) r->info.channels * r->info.height * r->info.width;
    for (gsize i = 0; i < n; i++)
      r->blend[i] = (1.0f - a) * old[i] + a * frame[i];
    frame = r->blend;
  } else if (r->fading && index >= r->fade_start + r->crossfade) {
    r->fading = FALSE;
  }
  GstClockTime took = (GstClockTime) (g_get_monotonic_time () - t0) * 1000;
  if (took > r->gen_time_max)
    r->gen_time_max = took;
  *out = frame;
  return T2V_OK;
}

gboolean
txt2vid_render_set_output (Txt2VidRender * r, const GstVideoInfo * out_info)
{
  int pixfmt = txt2vid_pixfmt_from_gst (GST_VIDEO_INFO_FORMAT (out_info));
  if (pixfmt < 0)
    return FALSE;
  if (r->convert) {
    gst_video_converter_free (r->convert);
    r->convert = NULL;
  }
  gst_clear_buffer (&r->staging);

  r->out_info = *out_info;
  r->pixfmt = (t2v_pixfmt) pixfmt;
  gst_video_info_set_format (&r->native_info, GST_VIDEO_INFO_FORMAT (out_info),
      r->info.width, r->info.height);
  GST_VIDEO_INFO_FPS_N (&r->native_info) = GST_VIDEO_INFO_FPS_N (out_info);
  GST_VIDEO_INFO_FPS_D (&r->native_info) = GST_VIDEO_INFO_FPS_D (out_info);
  gboolean yuv = GST_VIDEO_INFO_IS_YUV (out_info);
  if (yuv)
    gst_video_colorimetry_from_string (&r->native_info.colorimetry, "bt601");
  else
    gst_video_colorimetry_from_string (&r->native_info.colorimetry, "sRGB");

  gboolean same_size = GST_VIDEO_INFO_WIDTH (out_info) == r->info.width
      && GST_VIDEO_INFO_HEIGHT (out_info) == r->info.height;
  gboolean same_matrix = !yuv
      || (out_info->colorimetry.matrix == r->native_info.colorimetry.matrix
      && out_info->colorimetry.range == r->native_info.colorimetry.range);
  r->needs_convert = !(same_size && same_matrix);
  if (r->needs_convert) {
    GstStructure *config = gst_structure_new ("GstVideoConverter",
        GST_VIDEO_CONVERTER_OPT_RESAMPLER_METHOD,
        GST_TYPE_VIDEO_RESAMPLER_METHOD, GST_VIDEO_RESAMPLER_METHOD_CUBIC,
        GST_VIDEO_CONVERTER_OPT_CHROMA_RESAMPLER_METHOD,
        GST_TYPE_VIDEO_RESAMPLER_METHOD, GST_VIDEO_RESAMPLER_METHOD_LINEAR,
        GST_VIDEO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_VIDEO_DITHER_METHOD,
        GST_VIDEO_DITHER_NONE, NULL);
    r->convert = gst_video_converter_new (&r->native_info,
        (GstVideoInfo *) out_info, config);
    if (!r->convert)
      return FALSE;
    r->staging = gst_buffer_new_allocate (NULL,
        GST_VIDEO_INFO_SIZE (&r->native_info), NULL);
  }
  r->have_output = TRUE;
  return TRUE;
}

/* Pixels of a mapped frame as t2v_pixels_convert wants them. */
static t2v_status
convert_into (Txt2VidRender * r, const float *frame, GstVideoFrame * dst)
{
  uint8_t *planes[GST_VIDEO_MAX_PLANES] = { NULL };
  int strides[GST_VIDEO_MAX_PLANES] = { 0 };
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (dst); p++) {
    planes[p] = GST_VIDEO_FRAME_PLANE_DATA (dst, p);
    strides[p] = GST_VIDEO_FRAME_PLANE_STRIDE (dst, p);
  }
  return t2v_pixels_convert (frame, r->info.channels, r->info.height,
      r->info.width, r->pixfmt, planes, strides);
}

t2v_status
txt2vid_render_frame (Txt2VidRender * r, guint64 index, GstVideoFrame * dst)
{
  const float *frame = NULL;
  t2v_status st = render_float (r, index, &frame);
  if (st != T2V_OK)
    return st;
  if (!r->needs_convert)
    return convert_into (r, frame, dst);

  GstVideoFrame native;
  if (!gst_video_frame_map (&native, &r->native_info, r->staging,
          GST_MAP_READWRITE))
    return T2V_ERR_NOMEM;
  st = convert_into (r, frame, &native);
  if (st == T2V_OK)
    gst_video_converter_frame (r->convert, &native, dst);
  gst_video_frame_unmap (&native);
  return st;
}
