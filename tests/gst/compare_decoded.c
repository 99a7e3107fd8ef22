/* Decodes a video file with GStreamer and compares every frame with the
 * engine's own frame of the same index (t2v_generator_frame +
 * t2v_pixels_convert, I420 at the model's size): prints the frame count and
 * the lowest PSNR, and fails below the given threshold.
 *
 *   compare_decoded FILE MODEL CAPTION SEED MIN_PSNR_DB [FIRST_INDEX]
 *   compare_decoded --info MODEL   prints "frames width height fps_n fps_d"
 */
#include "t2v_test.h"

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <stdlib.h>
#include <string.h>

#include "txt2vid/txt2vid.h"

static double
plane_mse (const guint8 * a, int sa, const guint8 * b, int sb, int w, int h)
{
  double acc = 0.0;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double d = (double) a[y * sa + x] - (double) b[y * sb + x];
      acc += d * d;
    }
  return acc / ((double) w * h);
}

static int
print_info (const char *path)
{
  t2v_model *m = NULL;
  if (t2v_model_load (path, &m) != T2V_OK) {
    fprintf (stderr, "%s\n", t2v_last_error ());
    return 1;
  }
  t2v_model_info mi;
  t2v_model_get_info (m, &mi);
  printf ("%d %d %d %d %d\n", mi.frames, mi.width, mi.height, mi.fps_num,
      mi.fps_den);
  t2v_model_unref (m);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "--info") == 0)
    return print_info (argv[2]);
  if (argc < 6) {
    fprintf (stderr, "usage: %s FILE MODEL CAPTION SEED MIN_PSNR [FIRST]\n",
        argv[0]);
    return 2;
  }
  gst_init (&argc, &argv);
  const char *file = argv[1], *model_path = argv[2], *caption = argv[3];
  guint64 seed = g_ascii_strtoull (argv[4], NULL, 10);
  double min_psnr = g_ascii_strtod (argv[5], NULL);
  guint64 first = argc > 6 ? g_ascii_strtoull (argv[6], NULL, 10) : 0;

  t2v_model *model = NULL;
  t2v_generator *gen = NULL;
  t2v_generator_opts o;
  t2v_generator_opts_init (&o);
  o.threads = 1;
  t2v_caption_report rep;
  if (t2v_model_load (model_path, &model) != T2V_OK
      || t2v_generator_new (model, &o, &gen) != T2V_OK
      || t2v_generator_set_caption (gen, caption, &rep) != T2V_OK) {
    T2V_CHECK (0, "engine reference opens: %s", t2v_last_error ());
    return t2v_test_finish ();
  }
  t2v_generator_set_seed (gen, seed);
  t2v_model_info mi;
  t2v_model_get_info (model, &mi);
  GstVideoInfo ref_info;
  gst_video_info_set_format (&ref_info, GST_VIDEO_FORMAT_I420, mi.width,
      mi.height);
  guint8 *ref = g_malloc (GST_VIDEO_INFO_SIZE (&ref_info));

  char *launch = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "videoconvert ! video/x-raw,format=I420 ! appsink name=out sync=false",
      file);
  GstElement *p = gst_parse_launch (launch, NULL);
  g_free (launch);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "out");
  gst_element_set_state (p, GST_STATE_PLAYING);

  int frames = 0, size_ok = 1, convert_ok = 1;
  double worst = 1e9;
  GstSample *s;
  while ((s = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
    GstVideoInfo info;
    GstVideoFrame vf;
    gst_video_info_from_caps (&info, gst_sample_get_caps (s));
    size_ok &= info.width == mi.width && info.height == mi.height;
    if (size_ok && gst_video_frame_map (&vf, &info, gst_sample_get_buffer (s),
            GST_MAP_READ)) {
      const float *f = NULL;
      uint8_t *planes[3];
      int strides[3];
      for (int i = 0; i < 3; i++) {
        planes[i] = ref + GST_VIDEO_INFO_PLANE_OFFSET (&ref_info, i);
        strides[i] = GST_VIDEO_INFO_PLANE_STRIDE (&ref_info, i);
      }
      convert_ok &= t2v_generator_frame (gen, first + frames, &f) == T2V_OK
          && t2v_pixels_convert (f, mi.channels, mi.height, mi.width,
          T2V_PIX_I420, planes, strides) == T2V_OK;
      double mse = 0.0, n = 0.0;
      for (int i = 0; i < 3; i++) {
        int w = GST_VIDEO_FRAME_COMP_WIDTH (&vf, i);
        int h = GST_VIDEO_FRAME_COMP_HEIGHT (&vf, i);
        mse += plane_mse (GST_VIDEO_FRAME_PLANE_DATA (&vf, i),
            GST_VIDEO_FRAME_PLANE_STRIDE (&vf, i), planes[i], strides[i], w,
            h) * w * h;
        n += (double) w *h;
      }
      mse /= n;
      double psnr = mse > 0 ? 10.0 * log10 (255.0 * 255.0 / mse) : 99.0;
      if (psnr < worst)
        worst = psnr;
      gst_video_frame_unmap (&vf);
    }
    gst_sample_unref (s);
    frames++;
  }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (p);

  printf ("# decoded %d frames, lowest PSNR %.2f dB\n", frames, worst);
  T2V_CHECK (frames > 0 && size_ok, "%s decodes to %d frames of %dx%d",
      file, frames, mi.width, mi.height);
  T2V_CHECK (convert_ok && frames > 0 && worst >= min_psnr,
      "every decoded frame matches the engine's frame (lowest PSNR %.2f dB "
      ">= %.1f)", worst, min_psnr);
  g_free (ref);
  t2v_generator_free (gen);
  t2v_model_unref (model);
  gst_deinit ();
  return t2v_test_finish ();
}
