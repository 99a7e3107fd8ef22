/* txt2vidsrc under GstHarness and small pipelines.
 *
 * Without a model: property registration and defaults, the caps template,
 * errors for a missing / empty / corrupt model file and an empty caption,
 * 50 NULL -> READY -> NULL cycles.
 * With TXT2VID_TEST_MODEL (a small trained model): negotiation of every
 * format and of a downstream size and framerate, frames equal to the
 * engine's own (t2v_generator_frame + t2v_pixels_convert), timestamps,
 * num-buffers and clips with EOS, duration query, determinism and seed
 * sensitivity, a caption change while playing, seeking, live mode with a
 * test clock and the latency query, shared models, warnings, wrong mode and
 * 50 NULL -> PLAYING -> NULL cycles.
 */
#include "t2v_test.h"

#include <glib/gstdio.h>
#include <gst/base/gstpushsrc.h>
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "txt2vid/txt2vid.h"

static const char *model_path;  /* NULL: model tests are skipped */
static t2v_model_info model_info;
static char tmpdir[256];

static int
need_model (const char *test)
{
  if (model_path)
    return 1;
  printf ("skip - %s: no model (TXT2VID_TEST_MODEL)\n", test);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* Sets the state and waits for it; returns the first ERROR or WARNING
 * message of `type` posted meanwhile (caller unrefs), or NULL. */
static GstMessage *
change_state_collect (GstElement * pipeline, GstState state,
    GstMessageType type, GstStateChangeReturn * ret_out)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstStateChangeReturn ret = gst_element_set_state (pipeline, state);
  if (ret == GST_STATE_CHANGE_ASYNC)
    ret = gst_element_get_state (pipeline, NULL, NULL, 20 * GST_SECOND);
  if (ret_out)
    *ret_out = ret;
  GstMessage *found = NULL, *msg;
  while ((msg = gst_bus_pop_filtered (bus, type))) {
    if (!found)
      found = msg;
    else
      gst_message_unref (msg);
  }
  gst_object_unref (bus);
  return found;
}

/* Runs "txt2vidsrc <props> ! fakesink" to PAUSED and checks that it fails
 * with an error of `domain`/`code` whose text contains `needle`. */
static void
expect_start_error (const char *props, GQuark domain, gint code,
    const char *needle, const char *what)
{
  char *launch = g_strdup_printf ("txt2vidsrc %s ! fakesink", props);
  GError *err = NULL;
  GstElement *pipeline = gst_parse_launch (launch, &err);
  g_free (launch);
  if (!pipeline) {
    T2V_CHECK (0, "%s: pipeline builds (%s)", what, err ? err->message : "?");
    g_clear_error (&err);
    return;
  }
  GstStateChangeReturn ret;
  GstMessage *msg = change_state_collect (pipeline, GST_STATE_PAUSED,
      GST_MESSAGE_ERROR, &ret);
  GError *gerr = NULL;
  if (msg)
    gst_message_parse_error (msg, &gerr, NULL);
  T2V_CHECK (ret == GST_STATE_CHANGE_FAILURE,
      "%s: the pipeline does not preroll", what);
  T2V_CHECK (gerr && gerr->domain == domain && gerr->code == code
      && strstr (gerr->message, needle),
      "%s: error %s/%d naming '%s': \"%s\"", what, g_quark_to_string (domain),
      code, needle, gerr ? gerr->message : "(no error posted)");
  g_clear_error (&gerr);
  if (msg)
    gst_message_unref (msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (pipeline);
}

/* A harness on txt2vidsrc with the test model, `props` applied by
 * gst_util_set_object_arg pairs, and sink caps `caps` (NULL: any). */
static GstHarness *
harness_new (const char *caps, const char *const *props)
{
  GstHarness *h = gst_harness_new ("txt2vidsrc");
  g_object_set (h->element, "model", model_path, "threads", 1, NULL);
  for (int i = 0; props && props[i]; i += 2)
    gst_util_set_object_arg (G_OBJECT (h->element), props[i], props[i + 1]);
  if (caps)
    gst_harness_set_sink_caps_str (h, caps);
  return h;
}

/* The engine's own frame `index` in `format` at the model's size. */
typedef struct
{
  t2v_model *model;
  t2v_generator *gen;
} Reference;

static int
reference_open (Reference * r, const char *caption, guint64 seed)
{
  memset (r, 0, sizeof *r);
  t2v_generator_opts o;
  t2v_generator_opts_init (&o);
  o.threads = 1;
  t2v_caption_report rep;
  if (t2v_model_load (model_path, &r->model) != T2V_OK
      || t2v_generator_new (r->model, &o, &r->gen) != T2V_OK)
    return 0;
  t2v_generator_set_seed (r->gen, seed);
  return t2v_generator_set_caption (r->gen, caption, &rep) == T2V_OK;
}

static void
reference_close (Reference * r)
{
  if (r->gen)
    t2v_generator_free (r->gen);
  if (r->model)
    t2v_model_unref (r->model);
}

static int
pixfmt_of (GstVideoFormat f)
{
  switch (f) {
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

/* 1 when `buf` (laid out as `info`, native size) holds exactly the engine's
 * frame `index` converted with t2v_pixels_convert. */
static int
frame_equals_reference (Reference * r, guint64 index, GstBuffer * buf,
    const GstVideoInfo * info)
{
  const float *f = NULL;
  if (t2v_generator_frame (r->gen, index, &f) != T2V_OK)
    return 0;
  GstBuffer *want = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info),
      NULL);
  GstVideoFrame wf, gf;
  int same = 0;
  if (gst_video_frame_map (&wf, info, want, GST_MAP_WRITE)) {
    uint8_t *planes[4] = { 0 };
    int strides[4] = { 0 };
    for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&wf); p++) {
      planes[p] = GST_VIDEO_FRAME_PLANE_DATA (&wf, p);
      strides[p] = GST_VIDEO_FRAME_PLANE_STRIDE (&wf, p);
    }
    t2v_status st = t2v_pixels_convert (f, model_info.channels,
        model_info.height, model_info.width,
        (t2v_pixfmt) pixfmt_of (GST_VIDEO_INFO_FORMAT (info)), planes, strides);
    if (st == T2V_OK && gst_video_frame_map (&gf, info, buf, GST_MAP_READ)) {
      same = 1;
      for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&wf) && same; p++) {
        guint rows = GST_VIDEO_FRAME_COMP_HEIGHT (&wf, p);
        guint bytes = GST_VIDEO_FRAME_COMP_WIDTH (&wf, p) *
            GST_VIDEO_FRAME_COMP_PSTRIDE (&wf, p);
        if (GST_VIDEO_INFO_FORMAT (info) == GST_VIDEO_FORMAT_NV12 && p == 1)
          bytes = GST_VIDEO_FRAME_COMP_WIDTH (&wf, 1) * 2;
        for (guint y = 0; y < rows && same; y++)
          same = memcmp ((guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&wf, p) +
              y * GST_VIDEO_FRAME_PLANE_STRIDE (&wf, p),
              (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&gf, p) +
              y * GST_VIDEO_FRAME_PLANE_STRIDE (&gf, p), bytes) == 0;
      }
      gst_video_frame_unmap (&gf);
    }
    gst_video_frame_unmap (&wf);
  }
  gst_buffer_unref (want);
  return same;
}

/* Pulls and drops buffers until EOS; returns how many, -1 on a timeout. */
static int
drain_to_eos (GstHarness * h)
{
  int n = 0;
  GstBuffer *b = NULL;
  while (gst_harness_pull_until_eos (h, &b)) {
    if (!b)
      return n;
    gst_buffer_unref (b);
    b = NULL;
    n++;
  }
  return -1;
}

static int
buffers_equal (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  int eq = 0;
  if (gst_buffer_map (a, &ma, GST_MAP_READ)) {
    if (gst_buffer_map (b, &mb, GST_MAP_READ)) {
      eq = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
      gst_buffer_unmap (b, &mb);
    }
    gst_buffer_unmap (a, &ma);
  }
  return eq;
}

static GstClockTime
pts_of (guint64 i, int fn, int fd)
{
  return gst_util_uint64_scale (i, (guint64) fd * GST_SECOND, fn);
}

/* ------------------------------------------------------------------------ */
/* Without a model                                                           */
/* ------------------------------------------------------------------------ */

static void
test_registration (void)
{
  GstElementFactory *f = gst_element_factory_find ("txt2vidsrc");
  T2V_CHECK (f != NULL, "txt2vidsrc is registered by plugin txt2vid");
  if (!f)
    return;
  GstPlugin *plugin = gst_plugin_feature_get_plugin (GST_PLUGIN_FEATURE (f));
  T2V_CHECK (plugin && strcmp (gst_plugin_get_name (plugin), "txt2vid") == 0,
      "the plugin is called txt2vid");
  T2V_CHECK (plugin && g_str_has_suffix (gst_plugin_get_filename (plugin),
          "libgsttxt2vid.so"), "loaded from libgsttxt2vid.so (%s)",
      plugin ? gst_plugin_get_filename (plugin) : "?");
  if (plugin)
    gst_object_unref (plugin);

  GstElement *e = gst_element_factory_create (f, NULL);
  T2V_CHECK (GST_IS_PUSH_SRC (e), "txt2vidsrc is a GstPushSrc");
  GObjectClass *klass = G_OBJECT_GET_CLASS (e);

  struct
  {
    const char *name;
    const char *want;           /* default as a string */
    int playing;                /* GST_PARAM_MUTABLE_PLAYING expected */
  } props[] = {
    {"caption", "digit 3 is moving up and down", 1},
    {"seed", "0", 0},
    {"device", "auto", 0},
    {"gpu-id", "0", 0},
    {"threads", "0", 0},
    {"is-live", "false", 0},
    {"timestamp-offset", "0", 0},
    {"mode", "auto", 0},
    {"hold", "16", 0},
    {"clips", "1", 0},
    {"crossfade", "0", 0},
  };
  for (unsigned i = 0; i < G_N_ELEMENTS (props); i++) {
    GParamSpec *ps = g_object_class_find_property (klass, props[i].name);
    if (!T2V_CHECK (ps != NULL, "property %s exists", props[i].name))
      continue;
    GValue v = G_VALUE_INIT;
    g_value_init (&v, ps->value_type);
    g_object_get_property (G_OBJECT (e), props[i].name, &v);
    char *s;
    if (G_VALUE_HOLDS_ENUM (&v)) {
      GEnumValue *ev = g_enum_get_value (G_ENUM_CLASS (g_type_class_peek
              (ps->value_type)), g_value_get_enum (&v));
      s = g_strdup (ev ? ev->value_nick : "?");
    } else if (G_VALUE_HOLDS_STRING (&v)) {
      s = g_value_dup_string (&v);
    } else {
      s = gst_value_serialize (&v);
    }
    T2V_CHECK (s && strcmp (s, props[i].want) == 0,
        "%s defaults to %s (got %s)", props[i].name, props[i].want, s);
    T2V_CHECK (g_param_spec_get_blurb (ps)
        && strlen (g_param_spec_get_blurb (ps)) > 10,
        "%s has a blurb", props[i].name);
    gboolean mutable_playing = (ps->flags & GST_PARAM_MUTABLE_PLAYING) != 0;
    T2V_CHECK (mutable_playing == props[i].playing,
        "%s is %schangeable while PLAYING", props[i].name,
        props[i].playing ? "" : "not ");
    g_free (s);
    g_value_unset (&v);
  }
  char *model = NULL;
  g_object_get (e, "model", &model, NULL);
  T2V_CHECK (model && strcmp (model, t2v_default_model_path ()) == 0,
      "model defaults to t2v_default_model_path() (%s)", model);
  g_free (model);

  const char *dev[] = { "auto", "cpu", "cuda" };
  const char *mode[] = { "auto", "still", "morph" };
  GParamSpec *pd = g_object_class_find_property (klass, "device");
  GParamSpec *pm = g_object_class_find_property (klass, "mode");
  GEnumClass *ed = pd ? g_type_class_ref (pd->value_type) : NULL;
  GEnumClass *em = pm ? g_type_class_ref (pm->value_type) : NULL;
  int ok = ed && em && ed->n_values == 3 && em->n_values == 3;
  for (int i = 0; ok && i < 3; i++)
    ok = g_enum_get_value_by_nick (ed, dev[i])
        && g_enum_get_value_by_nick (em, mode[i]);
  T2V_CHECK (ok, "device is auto/cpu/cuda and mode is auto/still/morph");
  T2V_CHECK (pd && pm && gst_type_is_plugin_api (pd->value_type, NULL)
      && gst_type_is_plugin_api (pm->value_type, NULL),
      "the enums are marked as plugin API");
  if (ed)
    g_type_class_unref (ed);
  if (em)
    g_type_class_unref (em);

  GParamSpec *pg = g_object_class_find_property (klass, "gpu-id");
  T2V_CHECK (pg && G_PARAM_SPEC_INT (pg)->minimum == 0
      && G_PARAM_SPEC_INT (pg)->maximum >= 7, "gpu-id has a range from 0");
  gst_object_unref (e);
  gst_object_unref (f);
}

static void
test_caps_template (void)
{
  GstElementFactory *f = gst_element_factory_find ("txt2vidsrc");
  GstCaps *tmpl = NULL;
  for (const GList * l = gst_element_factory_get_static_pad_templates (f); l;
      l = l->next) {
    GstStaticPadTemplate *t = l->data;
    if (t->direction == GST_PAD_SRC)
      tmpl = gst_static_caps_get (&t->static_caps);
  }
  T2V_CHECK (tmpl != NULL, "one always src pad template");
  const char *formats[] = { "I420", "NV12", "RGB", "RGBA", "BGRx", "GRAY8" };
  for (unsigned i = 0; tmpl && i < G_N_ELEMENTS (formats); i++) {
    char *s = g_strdup_printf ("video/x-raw, format=%s, width=320, "
        "height=240, framerate=30/1", formats[i]);
    GstCaps *c = gst_caps_from_string (s);
    T2V_CHECK (gst_caps_can_intersect (tmpl, c), "template offers %s at any "
        "size and rate (%s)", formats[i], s);
    gst_caps_unref (c);
    g_free (s);
  }
  if (tmpl) {
    GstCaps *c = gst_caps_from_string ("video/x-raw, format=YUY2");
    T2V_CHECK (!gst_caps_can_intersect (tmpl, c), "template refuses YUY2");
    gst_caps_unref (c);
    /* x264enc links with no videoconvert: the first format is I420 */
    GstCaps *fixed = gst_caps_fixate (gst_caps_copy (tmpl));
    const char *first = gst_structure_get_string (gst_caps_get_structure
        (fixed, 0), "format");
    T2V_CHECK (first && strcmp (first, "I420") == 0,
        "I420 is the preferred format (got %s)", first);
    gst_caps_unref (fixed);
    gst_caps_unref (tmpl);
  }
  gst_object_unref (f);
}

static void
test_errors_without_model (void)
{
  char *missing = g_build_filename (tmpdir, "no-such-model.gguf", NULL);
  char *props = g_strdup_printf ("model=\"%s\"", missing);
  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
      "no-such-model.gguf", "missing model file");
  g_free (props);

  char *corrupt = g_build_filename (tmpdir, "corrupt.gguf", NULL);
  const char junk[] = "GGUF\x03\x00\x00\x00this is not a txt2vid model at all";
  g_file_set_contents (corrupt, junk, sizeof junk - 1, NULL);
  props = g_strdup_printf ("model=\"%s\"", corrupt);
  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
      "corrupt.gguf", "corrupt model file");
  g_free (props);

  char *empty = g_build_filename (tmpdir, "empty.gguf", NULL);
  g_file_set_contents (empty, "", 0, NULL);
  props = g_strdup_printf ("model=\"%s\"", empty);
  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED,
      "empty.gguf", "empty model file");
  g_free (props);

  props = g_strdup_printf ("caption=\"\" model=\"%s\"", missing);
  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "caption", "empty caption");
  g_free (props);

  expect_start_error ("model=\"\"", GST_RESOURCE_ERROR,
      GST_RESOURCE_ERROR_NOT_FOUND, "model", "no model path");
  g_unlink (corrupt);
  g_unlink (empty);
  g_free (missing);
  g_free (corrupt);
  g_free (empty);
}

static void
test_null_ready_cycles (void)
{
  GstElement *e = gst_element_factory_make ("txt2vidsrc", NULL);
  int ok = 1;
  for (int i = 0; i < 50 && ok; i++) {
    ok = gst_element_set_state (e, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS
        && gst_element_set_state (e, GST_STATE_NULL) ==
        GST_STATE_CHANGE_SUCCESS;
  }
  T2V_CHECK (ok, "50 NULL -> READY -> NULL cycles");
  gst_object_unref (e);
}

/* ------------------------------------------------------------------------ */
/* With a model                                                              */
/* ------------------------------------------------------------------------ */

static void
test_formats (void)
{
  if (!need_model ("negotiation of each format"))
    return;
  const char *formats[] = { "I420", "NV12", "RGB", "RGBA", "BGRx", "GRAY8" };
  Reference ref;
  if (!T2V_CHECK (reference_open (&ref, "digit 3 is moving up and down", 0),
          "engine reference generator opens"))
    return;
  for (unsigned i = 0; i < G_N_ELEMENTS (formats); i++) {
    char *caps = g_strdup_printf ("video/x-raw, format=%s", formats[i]);
    GstHarness *h = harness_new (caps,
        (const char *[]) { "num-buffers", "2", NULL });
    gst_harness_play (h);
    GstBuffer *b0 = gst_harness_pull (h);
    GstBuffer *b1 = gst_harness_pull (h);
    GstCaps *got = gst_pad_get_current_caps (h->sinkpad);
    GstVideoInfo info;
    int have = got && gst_video_info_from_caps (&info, got);
    T2V_CHECK (have && GST_VIDEO_INFO_FORMAT (&info) ==
        gst_video_format_from_string (formats[i])
        && GST_VIDEO_INFO_WIDTH (&info) == model_info.width
        && GST_VIDEO_INFO_HEIGHT (&info) == model_info.height
        && GST_VIDEO_INFO_FPS_N (&info) * model_info.fps_den ==
        GST_VIDEO_INFO_FPS_D (&info) * model_info.fps_num,
        "%s negotiates at the model's %dx%d and %d/%d fps", formats[i],
        model_info.width, model_info.height, model_info.fps_num,
        model_info.fps_den);
    T2V_CHECK (b0 && b1 && have
        && gst_buffer_get_size (b0) >= GST_VIDEO_INFO_SIZE (&info)
        && frame_equals_reference (&ref, 0, b0, &info)
        && frame_equals_reference (&ref, 1, b1, &info),
        "%s frames 0 and 1 equal the engine's frames converted by "
        "t2v_pixels_convert", formats[i]);
    if (got)
      gst_caps_unref (got);
    gst_clear_buffer (&b0);
    gst_clear_buffer (&b1);
    gst_harness_teardown (h);
    g_free (caps);
  }
  reference_close (&ref);
}

/* Luma mean and variance of the engine's frame `index` at the native size
 * (I420 Y, as the element converts it); 0 on failure. */
static int
native_luma (Reference * r, guint64 index, double *mean, double *var)
{
  const float *f = NULL;
  int W = model_info.width, H = model_info.height;
  guint8 *y = g_malloc ((gsize) W * H * 2);
  uint8_t *planes[3] = { y, y + W * H, y + W * H + (W / 2 + 1) * (H / 2 + 1) };
  int strides[3] = { W, (W + 1) / 2, (W + 1) / 2 };
  int ok = t2v_generator_frame (r->gen, index, &f) == T2V_OK
      && t2v_pixels_convert (f, model_info.channels, H, W, T2V_PIX_I420, planes,
      strides) == T2V_OK;
  double m = 0, v = 0;
  for (int i = 0; ok && i < W * H; i++)
    m += y[i];
  m /= (double) W *H;
  for (int i = 0; ok && i < W * H; i++)
    v += (y[i] - m) * (y[i] - m);
  *mean = m;
  *var = v / ((double) W * H);
  g_free (y);
  return ok;
}

#define SCALED_FRAMES 16        /* output frame n shows model frame n */

static void
test_downstream_size_rate (void)
{
  if (!need_model ("downstream size and framerate"))
    return;
  GstHarness *h = harness_new ("video/x-raw, format=I420, width=320, "
      "height=240, framerate=30/1", (const char *[]) { "num-buffers", "16",
        NULL });
  gst_harness_play (h);
  GstBuffer *b[SCALED_FRAMES];
  for (int i = 0; i < SCALED_FRAMES; i++)
    b[i] = gst_harness_pull (h);
  GstCaps *got = gst_pad_get_current_caps (h->sinkpad);
  GstVideoInfo info;
  int have = got && gst_video_info_from_caps (&info, got);
  T2V_CHECK (have && info.width == 320 && info.height == 240
      && info.fps_n == 30 && info.fps_d == 1
      && gst_buffer_get_size (b[0]) >= GST_VIDEO_INFO_SIZE (&info),
      "downstream 320x240 at 30/1 negotiates and fills whole frames");
  T2V_CHECK (GST_BUFFER_PTS (b[2]) == pts_of (2, 30, 1)
      && GST_BUFFER_DURATION (b[1]) == pts_of (2, 30, 1) - pts_of (1, 30, 1),
      "timestamps follow the downstream framerate");
  /* the picture survived the scaling: for the frame with the most detail
   * among the first SCALED_FRAMES, the scaled luma keeps the mean and a
   * good part of the variance of the engine's own frame at the native size
   * (interpolation smooths: pixel noise upscaled 5x keeps about 40%) */
  Reference ref;
  int native = reference_open (&ref, "digit 3 is moving up and down", 0);
  guint64 best = 0;
  double nmean = 0, nvar = -1;
  for (guint64 k = 0; native && k < SCALED_FRAMES && k < (guint64) model_info.frames; k++) {
    double m, v;
    native = native_luma (&ref, k, &m, &v);
    if (native && v > nvar) {
      best = k;
      nmean = m;
      nvar = v;
    }
  }
  if (native)
    reference_close (&ref);
  guint64 j = best;
  double mean = 0, var = 0;
  GstMapInfo m;
  if (native && j < SCALED_FRAMES && gst_buffer_map (b[j], &m, GST_MAP_READ)) {
    for (int i = 0; i < 320 * 240; i++)
      mean += m.data[i];
    mean /= 320 * 240;
    for (int i = 0; i < 320 * 240; i++)
      var += (m.data[i] - mean) * (m.data[i] - mean);
    var /= 320 * 240;
    gst_buffer_unmap (b[j], &m);
  }
  T2V_CHECK (native && nvar > 1.0 && fabs (mean - nmean) < 2.0
      && var > 0.3 * nvar && var < 1.2 * nvar + 1.0,
      "the scaled luma keeps the picture of frame %" G_GUINT64_FORMAT
      ": mean %.2f (native %.2f), variance %.1f (native %.1f)", j, mean, nmean, var,
      nvar);
  for (int i = 0; i < SCALED_FRAMES; i++)
    gst_buffer_unref (b[i]);
  gst_caps_unref (got);
  gst_harness_teardown (h);
}

static void
test_timestamps (void)
{
  if (!need_model ("PTS/duration/offset sequence"))
    return;
  const char *props[] = { "clips", "2", "timestamp-offset", "1000", NULL };
  GstHarness *h = harness_new ("video/x-raw, format=I420", props);
  gst_harness_play (h);
  int fn = model_info.fps_num, fd = model_info.fps_den;
  int n = 2 * model_info.frames, ok = 1;
  for (int i = 0; i < n; i++) {
    GstBuffer *b = gst_harness_pull (h);
    ok = ok && b && GST_BUFFER_PTS (b) == 1000 + pts_of (i, fn, fd)
        && GST_BUFFER_DURATION (b) == pts_of (i + 1, fn, fd) - pts_of (i, fn,
        fd)
        && GST_BUFFER_OFFSET (b) == (guint64) i
        && GST_BUFFER_OFFSET_END (b) == (guint64) i + 1;
    gst_clear_buffer (&b);
  }
  T2V_CHECK (ok, "%d buffers: PTS = offset + i*%d/%d s, durations, offsets",
      n, fd, fn);
  GstEvent *ev;
  gboolean eos = FALSE;
  while ((ev = gst_harness_try_pull_event (h))) {
    eos |= GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  if (!eos) {
    ev = gst_harness_pull_event (h);
    eos = ev && GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    if (ev)
      gst_event_unref (ev);
  }
  T2V_CHECK (eos && gst_harness_buffers_in_queue (h) == 0,
      "clips=2 ends with EOS after exactly two clips");
  gst_harness_teardown (h);
}

static void
test_num_buffers_duration (void)
{
  if (!need_model ("num-buffers, EOS and duration query"))
    return;
  const char *props[] = { "clips", "0", "num-buffers", "5", NULL };
  GstHarness *h = harness_new ("video/x-raw, format=I420", props);
  gst_harness_play (h);
  GstBuffer *first = gst_harness_pull (h);
  gst_clear_buffer (&first);
  gint64 dur = -1, frames = -1;
  gboolean qt = gst_element_query_duration (h->element, GST_FORMAT_TIME, &dur);
  gboolean qf = gst_element_query_duration (h->element, GST_FORMAT_DEFAULT,
      &frames);
  T2V_CHECK (qt && dur == (gint64) pts_of (5, model_info.fps_num,
          model_info.fps_den) && qf && frames == 5,
      "duration query: 5 frames = %" GST_TIME_FORMAT,
      GST_TIME_ARGS ((GstClockTime) dur));
  int rest = drain_to_eos (h);
  T2V_CHECK (rest == 4 && gst_harness_buffers_received (h) == 5,
      "num-buffers=5 gives 5 buffers then EOS (%d)", 1 + rest);
  gst_harness_teardown (h);

  const char *props2[] = { "clips", "3", NULL };
  h = harness_new ("video/x-raw, format=I420", props2);
  gst_harness_play (h);
  first = gst_harness_pull (h);
  gst_clear_buffer (&first);
  frames = -1;
  qf = gst_element_query_duration (h->element, GST_FORMAT_DEFAULT, &frames);
  T2V_CHECK (qf && frames == 3 * model_info.frames,
      "duration of clips=3 is %d frames (%" G_GINT64_FORMAT ")",
      3 * model_info.frames, frames);
  gst_harness_teardown (h);
}

/* Collects `n` frames of a stream into one buffer. */
static GstBuffer *
run_frames (const char *caption, const char *seed, int n)
{
  char count[16];
  g_snprintf (count, sizeof count, "%d", n);
  const char *props[] = { "caption", caption, "seed", seed, "clips", "0",
    "num-buffers", count, NULL
  };
  GstHarness *h = harness_new ("video/x-raw, format=I420", props);
  gst_harness_play (h);
  GstBuffer *all = gst_buffer_new ();
  for (int i = 0; i < n; i++)
    all = gst_buffer_append (all, gst_harness_pull (h));
  gst_harness_teardown (h);
  return all;
}

static void
test_determinism (void)
{
  if (!need_model ("determinism and seed sensitivity"))
    return;
  int n = model_info.frames + 2;
  GstBuffer *a = run_frames ("digit 3 is moving up and down", "7", n);
  GstBuffer *b = run_frames ("digit 3 is moving up and down", "7", n);
  GstBuffer *c = run_frames ("digit 3 is moving up and down", "8", n);
  T2V_CHECK (buffers_equal (a, b), "same caption and seed: %d frames equal "
      "byte for byte", n);
  T2V_CHECK (!buffers_equal (a, c), "another seed gives other frames");
  gst_buffer_unref (a);
  gst_buffer_unref (b);
  gst_buffer_unref (c);
}

static void
test_caption_change (void)
{
  if (!need_model ("caption change while PLAYING"))
    return;
  const char *cap_a = "digit 3 is moving up and down";
  const char *cap_b = "digit 7 is moving left and right";
  int T = model_info.frames;
  char count[16];
  g_snprintf (count, sizeof count, "%d", 2 * T);
  GstHarness *h = harness_new ("video/x-raw, format=I420",
      (const char *[]) { "caption", cap_a, "clips", "0", "num-buffers", count,
        NULL });
  /* each push waits for its pull: the source is one frame ahead at most */
  gst_harness_set_blocking_push_mode (h);
  gst_harness_play (h);
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, model_info.width,
      model_info.height);
  Reference ra, rb;
  int refs = reference_open (&ra, cap_a, 0) && reference_open (&rb, cap_b, 0);
  T2V_CHECK (refs, "reference generators for both captions");
  int ok_before = 1, ok_after = 1;
  for (int i = 0; i < 2 * T; i++) {
    if (i == 2)
      g_object_set (h->element, "caption", cap_b, NULL);
    GstBuffer *b = gst_harness_pull (h);
    if (refs) {
      if (i < T)
        ok_before &= frame_equals_reference (&ra, i, b, &info);
      else
        ok_after &= frame_equals_reference (&rb, i, b, &info);
    }
    gst_buffer_unref (b);
  }
  T2V_CHECK (refs && ok_before, "frames 0..%d (first clip) keep the old "
      "caption after a change at frame 2", T - 1);
  T2V_CHECK (refs && ok_after, "frames %d..%d (next clip) show the new "
      "caption", T, 2 * T - 1);
  reference_close (&ra);
  reference_close (&rb);
  gst_harness_teardown (h);
}

/* The expected cross-faded frame: (1 - a) old + a new, a = (k+1)/(n+1). */
static int
fade_equals (Reference * ra, Reference * rb, guint64 index, guint64 start,
    guint n, GstBuffer * buf, const GstVideoInfo * info)
{
  const float *fa = NULL, *fb = NULL;
  gsize count = (gsize) model_info.channels * model_info.height *
      model_info.width;
  float *mix = g_new (float, count);
  if (t2v_generator_frame (ra->gen, index, &fa) != T2V_OK) {
    g_free (mix);
    return 0;
  }
  memcpy (mix, fa, count * sizeof (float));
  if (t2v_generator_frame (rb->gen, index, &fb) != T2V_OK) {
    g_free (mix);
    return 0;
  }
  float a = (float) (index - start + 1) / (float) (n + 1);
  for (gsize i = 0; i < count; i++)
    mix[i] = (1.0f - a) * mix[i] + a * fb[i];
  GstBuffer *want = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info),
      NULL);
  GstMapInfo mw, mg;
  int same = 0;
  gst_buffer_map (want, &mw, GST_MAP_WRITE);
  uint8_t *planes[3];
  int strides[3];
  for (int p = 0; p < 3; p++) {
    planes[p] = mw.data + GST_VIDEO_INFO_PLANE_OFFSET (info, p);
    strides[p] = GST_VIDEO_INFO_PLANE_STRIDE (info, p);
  }
  if (t2v_pixels_convert (mix, model_info.channels, model_info.height,
          model_info.width, T2V_PIX_I420, planes, strides) == T2V_OK
      && gst_buffer_map (buf, &mg, GST_MAP_READ)) {
    same = mg.size >= mw.size && memcmp (mg.data, mw.data, mw.size) == 0;
    gst_buffer_unmap (buf, &mg);
  }
  gst_buffer_unmap (want, &mw);
  gst_buffer_unref (want);
  g_free (mix);
  return same;
}

static void
test_crossfade (void)
{
  if (!need_model ("caption change with a cross-fade"))
    return;
  const char *cap_a = "digit 3 is moving up and down";
  const char *cap_b = "digit 7 is moving left and right";
  int T = model_info.frames;
  guint n = 4;
  char count[16];
  g_snprintf (count, sizeof count, "%d", T + (int) n + 1);
  GstHarness *h = harness_new ("video/x-raw, format=I420",
      (const char *[]) { "caption", cap_a, "clips", "0", "crossfade", "4",
        "num-buffers", count, NULL });
  gst_harness_set_blocking_push_mode (h);
  gst_harness_play (h);
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, model_info.width,
      model_info.height);
  Reference ra, rb;
  int refs = reference_open (&ra, cap_a, 0) && reference_open (&rb, cap_b, 0);
  int fades = 1, after = 0;
  for (int i = 0; i < T + (int) n + 1; i++) {
    if (i == 1)
      g_object_set (h->element, "caption", cap_b, NULL);
    GstBuffer *b = gst_harness_pull (h);
    if (refs && i >= T && i < T + (int) n)
      fades &= fade_equals (&ra, &rb, i, T, n, b, &info);
    if (refs && i == T + (int) n)
      after = frame_equals_reference (&rb, i, b, &info);
    gst_buffer_unref (b);
  }
  T2V_CHECK (refs && fades, "crossfade=4: frames %d..%d blend the old and new "
      "captions with weights 1/5..4/5", T, T + 3);
  T2V_CHECK (refs && after, "crossfade=4: frame %d is the new caption's",
      T + 4);
  reference_close (&ra);
  reference_close (&rb);
  drain_to_eos (h);
  gst_harness_teardown (h);
}

static void
test_seek (void)
{
  if (!need_model ("seeking"))
    return;
  int fn = model_info.fps_num, fd = model_info.fps_den;
  guint64 k = (guint64) model_info.frames + 3;
  GstHarness *h = harness_new ("video/x-raw, format=I420",
      (const char *[]) { "clips", "2", NULL });
  gst_harness_play (h);
  /* run to the end first, so no frame from before the seek is queued */
  drain_to_eos (h);
  GstEvent *seek = gst_event_new_seek (1.0, GST_FORMAT_TIME,
      GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, GST_SEEK_TYPE_SET,
      (gint64) pts_of (k, fn, fd), GST_SEEK_TYPE_NONE, -1);
  gboolean sent = gst_harness_push_upstream_event (h, seek);
  GstBuffer *b = gst_harness_pull (h);
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, model_info.width,
      model_info.height);
  Reference r;
  int refs = reference_open (&r, "digit 3 is moving up and down", 0);
  T2V_CHECK (sent && b && GST_BUFFER_PTS (b) == pts_of (k, fn, fd)
      && GST_BUFFER_OFFSET (b) == k,
      "seek to frame %" G_GUINT64_FORMAT " gives that frame's timestamp and "
      "offset", k);
  T2V_CHECK (refs && b && frame_equals_reference (&r, k, b, &info),
      "the frame after the seek is the engine's frame %" G_GUINT64_FORMAT, k);
  gst_clear_buffer (&b);
  drain_to_eos (h);
  /* seeking into the middle of a frame's interval gives that frame */
  seek = gst_event_new_seek (1.0, GST_FORMAT_TIME, GST_SEEK_FLAG_FLUSH,
      GST_SEEK_TYPE_SET, (gint64) pts_of (5, fn, fd) + 1, GST_SEEK_TYPE_NONE,
      -1);
  gst_harness_push_upstream_event (h, seek);
  b = gst_harness_pull (h);
  T2V_CHECK (b && GST_BUFFER_OFFSET (b) == 5
      && frame_equals_reference (&r, 5, b, &info),
      "a seek inside frame 5 shows frame 5");
  gst_clear_buffer (&b);
  reference_close (&r);
  gst_harness_teardown (h);
}

static void
test_live (void)
{
  if (!need_model ("live mode with a test clock"))
    return;
  GstHarness *h = harness_new ("video/x-raw, format=I420",
      (const char *[]) { "is-live", "true", "clips", "0", NULL });
  gst_harness_use_testclock (h);
  gst_harness_play (h);
  int fn = model_info.fps_num, fd = model_info.fps_den;
  int ok = 1;
  for (int i = 0; i < 4; i++) {
    gst_harness_crank_single_clock_wait (h);
    GstBuffer *b = gst_harness_pull (h);
    ok = ok && b && GST_BUFFER_PTS (b) == pts_of (i, fn, fd)
        && GST_BUFFER_OFFSET (b) == (guint64) i;
    gst_clear_buffer (&b);
  }
  T2V_CHECK (ok, "live: each buffer waits for the clock, PTS from the frame "
      "count");
  GstQuery *q = gst_query_new_latency ();
  gboolean answered = gst_element_query (h->element, q);
  gboolean live = FALSE;
  GstClockTime min = 0, max = 0;
  gst_query_parse_latency (q, &live, &min, &max);
  gst_query_unref (q);
  T2V_CHECK (answered && live && min >= pts_of (1, fn, fd)
      && max == GST_CLOCK_TIME_NONE,
      "latency query: live, min %" GST_TIME_FORMAT " >= one frame, max NONE",
      GST_TIME_ARGS (min));
  printf ("# live latency reported: %" GST_TIME_FORMAT "\n",
      GST_TIME_ARGS (min));
  gint64 t0 = g_get_monotonic_time ();
  GstStateChangeReturn r = gst_element_set_state (h->element,
      GST_STATE_NULL);
  double ms = (g_get_monotonic_time () - t0) / 1000.0;
  printf ("# live stop took %.1f ms\n", ms);
  T2V_CHECK (r == GST_STATE_CHANGE_SUCCESS, "live source stops (worker "
      "joined)");
  gst_harness_teardown (h);
}

static void
test_live_caption_change (void)
{
  if (!need_model ("live caption change with frames rendered ahead"))
    return;
  const char *cap_a = "digit 3 is moving up and down";
  const char *cap_b = "digit 7 is moving left and right";
  int T = model_info.frames;
  GstHarness *h = harness_new ("video/x-raw, format=I420",
      (const char *[]) { "is-live", "true", "clips", "0", "caption", cap_a,
        NULL });
  gst_harness_use_testclock (h);
  gst_harness_play (h);
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_I420, model_info.width,
      model_info.height);
  Reference ra, rb;
  int refs = reference_open (&ra, cap_a, 0) && reference_open (&rb, cap_b, 0);
  int before = 1, after = 1;
  for (int i = 0; i < 2 * T; i++) {
    if (i == 3) {
      /* let the worker fill its ring past the clip boundary first */
      g_usleep (200 * 1000);
      g_object_set (h->element, "caption", cap_b, NULL);
    }
    gst_harness_crank_single_clock_wait (h);
    GstBuffer *b = gst_harness_pull (h);
    if (refs && i < T)
      before &= frame_equals_reference (&ra, i, b, &info);
    else if (refs)
      after &= frame_equals_reference (&rb, i, b, &info);
    gst_buffer_unref (b);
  }
  T2V_CHECK (refs && before && after, "live: a caption change at frame 3 "
      "lands at frame %d although frames past it were rendered ahead", T);
  reference_close (&ra);
  reference_close (&rb);
  gst_harness_teardown (h);
}

static void
test_shared_model (void)
{
  if (!need_model ("several elements share one model"))
    return;
  char *launch = g_strdup_printf ("txt2vidsrc name=a threads=1 model=\"%s\" "
      "! fakesink txt2vidsrc name=b threads=1 model=\"%s\" ! fakesink",
      model_path, model_path);
  GstElement *p = gst_parse_launch (launch, NULL);
  g_free (launch);
  GstElement *a = gst_bin_get_by_name (GST_BIN (p), "a");
  GstElement *b = gst_bin_get_by_name (GST_BIN (p), "b");
  GstMessage *err = change_state_collect (p, GST_STATE_PAUSED,
      GST_MESSAGE_ERROR, NULL);
  guint ua = 0, ub = 0;
  g_object_get (a, "model-users", &ua, NULL);
  g_object_get (b, "model-users", &ub, NULL);
  T2V_CHECK (!err && ua == 2 && ub == 2, "two elements on one file share one "
      "loaded model (users %u, %u)", ua, ub);
  if (err)
    gst_message_unref (err);
  gst_element_set_state (p, GST_STATE_NULL);
  g_object_get (b, "model-users", &ub, NULL);
  T2V_CHECK (ub == 0, "after stop no element holds the model (%u)", ub);
  gst_object_unref (a);
  gst_object_unref (b);
  gst_object_unref (p);
}

static void
expect_warning (const char *caption, const char *needle, const char *what)
{
  char *launch = g_strdup_printf ("txt2vidsrc threads=1 model=\"%s\" "
      "caption=\"%s\" ! fakesink", model_path, caption);
  GstElement *p = gst_parse_launch (launch, NULL);
  GstStateChangeReturn ret;
  GstMessage *m = change_state_collect (p, GST_STATE_PAUSED,
      GST_MESSAGE_WARNING, &ret);
  GError *err = NULL;
  if (m)
    gst_message_parse_warning (m, &err, NULL);
  T2V_CHECK (ret == GST_STATE_CHANGE_SUCCESS && err
      && strstr (err->message, needle), "%s: warning \"%s\", generation goes "
      "on", what, err ? err->message : "(none)");
  g_clear_error (&err);
  if (m)
    gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  g_free (launch);
}

static void
test_model_errors (void)
{
  if (!need_model ("warnings and wrong-mode error"))
    return;
  expect_warning ("digit 3 is qwzzxv up and down", "qwzzxv",
      "an unknown word");
  GString *longcap = g_string_new ("digit 3 is moving up and down");
  for (int i = 0; i < model_info.max_words + 4; i++)
    g_string_append (longcap, " and down");
  expect_warning (longcap->str, "truncated", "a caption over the limit");
  g_string_free (longcap, TRUE);

  char *props = g_strdup_printf ("model=\"%s\" mode=still", model_path);
  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "text-to-image", "mode=still with a text-to-video model");
  g_free (props);
  props = g_strdup_printf ("model=\"%s\" caption=\"  ...  \"", model_path);
  expect_start_error (props, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
      "aption", "a caption of only punctuation");
  g_free (props);
}

static void
test_play_cycles (void)
{
  if (!need_model ("50 NULL -> PLAYING -> NULL cycles"))
    return;
  char *launch = g_strdup_printf ("txt2vidsrc name=src threads=1 clips=0 "
      "model=\"%s\" ! fakesink", model_path);
  GstElement *p = gst_parse_launch (launch, NULL);
  int ok = 1;
  for (int i = 0; i < 50 && ok; i++) {
    if (i == 25) {
      GstElement *src = gst_bin_get_by_name (GST_BIN (p), "src");
      g_object_set (src, "is-live", TRUE, NULL);
      gst_object_unref (src);
    }
    GstStateChangeReturn r = gst_element_set_state (p, GST_STATE_PLAYING);
    if (r == GST_STATE_CHANGE_ASYNC)
      r = gst_element_get_state (p, NULL, NULL, 20 * GST_SECOND);
    ok = r != GST_STATE_CHANGE_FAILURE
        && gst_element_set_state (p, GST_STATE_NULL) ==
        GST_STATE_CHANGE_SUCCESS;
  }
  T2V_CHECK (ok, "50 NULL -> PLAYING -> NULL cycles (25 live)");
  gst_object_unref (p);
  g_free (launch);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_snprintf (tmpdir, sizeof tmpdir, "%s/txt2vid-gst-XXXXXX", g_get_tmp_dir ());
  if (!g_mkdtemp (tmpdir)) {
    printf ("FAIL - cannot make a temporary directory\n");
    return 1;
  }
  const char *m = g_getenv ("TXT2VID_TEST_MODEL");
  if (m && g_file_test (m, G_FILE_TEST_IS_REGULAR)) {
    t2v_model *model = NULL;
    if (t2v_model_load (m, &model) == T2V_OK) {
      t2v_model_get_info (model, &model_info);
      t2v_model_unref (model);
      model_path = m;
    } else {
      printf ("FAIL - TXT2VID_TEST_MODEL %s does not load: %s\n", m,
          t2v_last_error ());
      return 1;
    }
  }

  test_registration ();
  test_caps_template ();
  test_errors_without_model ();
  test_null_ready_cycles ();

  test_formats ();
  test_downstream_size_rate ();
  test_timestamps ();
  test_num_buffers_duration ();
  test_determinism ();
  test_caption_change ();
  test_crossfade ();
  test_seek ();
  test_live ();
  test_live_caption_change ();
  test_shared_model ();
  test_model_errors ();
  test_play_cycles ();

  g_rmdir (tmpdir);
  int rc = t2v_test_finish ();
  gst_deinit ();
  return rc;
}
