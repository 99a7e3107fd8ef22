/* txt2vid-rtsp-server: serves txt2vidsrc as H.264 over RTSP.
 *
 *   txt2vid-rtsp-server [--port 8554] [--caption TEXT] [--model FILE]
 *                       [--seed N] [--width W --height H]
 *   -> rtsp://HOST:8554/txt2vid
 *
 * One live source is shared by every client; the caption, model and seed are
 * set on the element by name (no quoting in the launch line). */
#include <gst/gst.h>
#include <gst/rtsp-server/rtsp-server.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>

static char *caption, *model, *seed;

static void
media_configure (GstRTSPMediaFactory * factory, GstRTSPMedia * media,
    gpointer data)
{
  (void) factory;
  (void) data;
  GstElement *bin = gst_rtsp_media_get_element (media);
  GstElement *src = gst_bin_get_by_name_recurse_up (GST_BIN (bin), "src");
  if (caption)
    g_object_set (src, "caption", caption, NULL);
  if (model)
    g_object_set (src, "model", model, NULL);
  if (seed)
    gst_util_set_object_arg (G_OBJECT (src), "seed", seed);
  gst_object_unref (src);
  gst_object_unref (bin);
}

static gboolean
quit (gpointer loop)
{
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  char *port = NULL;
  int width = 0, height = 0;
  GOptionEntry entries[] = {
    {"port", 'p', 0, G_OPTION_ARG_STRING, &port, "TCP port (8554)", "PORT"},
    {"caption", 'c', 0, G_OPTION_ARG_STRING, &caption, "Caption", "TEXT"},
    {"model", 'm', 0, G_OPTION_ARG_FILENAME, &model, "Model file", "FILE"},
    {"seed", 's', 0, G_OPTION_ARG_STRING, &seed, "Noise seed", "N"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Output width (model's)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Output height", "H"},
    {NULL, 0, 0, 0, NULL, NULL, NULL},
  };
  GOptionContext *ctx = g_option_context_new ("- serve txt2vidsrc over RTSP");
  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_add_group (ctx, gst_init_get_option_group ());
  GError *err = NULL;
  if (!g_option_context_parse (ctx, &argc, &argv, &err)) {
    fprintf (stderr, "%s\n", err->message);
    return 2;
  }
  g_option_context_free (ctx);

  char *size = width > 0 && height > 0 ?
      g_strdup_printf (" ! videoscale ! video/x-raw,width=%d,height=%d", width,
      height) : g_strdup ("");
  char *launch = g_strdup_printf ("( txt2vidsrc name=src is-live=true "
      "clips=0%s ! x264enc tune=zerolatency speed-preset=ultrafast "
      "key-int-max=16 ! rtph264pay name=pay0 pt=96 config-interval=1 )", size);

  GMainLoop *loop = g_main_loop_new (NULL, FALSE);
  GstRTSPServer *server = gst_rtsp_server_new ();
  gst_rtsp_server_set_service (server, port ? port : "8554");
  GstRTSPMountPoints *mounts = gst_rtsp_server_get_mount_points (server);
  GstRTSPMediaFactory *factory = gst_rtsp_media_factory_new ();
  gst_rtsp_media_factory_set_launch (factory, launch);
  gst_rtsp_media_factory_set_shared (factory, TRUE);
  g_signal_connect (factory, "media-configure", G_CALLBACK (media_configure),
      NULL);
  gst_rtsp_mount_points_add_factory (mounts, "/txt2vid", factory);
  g_object_unref (mounts);

  guint id = gst_rtsp_server_attach (server, NULL);
  if (id == 0) {
    fprintf (stderr, "cannot listen on port %s\n", port ? port : "8554");
    return 1;
  }
  g_unix_signal_add (SIGINT, quit, loop);
  g_unix_signal_add (SIGTERM, quit, loop);
  printf ("serving rtsp://127.0.0.1:%s/txt2vid\n", port ? port : "8554");
  fflush (stdout);
  g_main_loop_run (loop);

  g_source_remove (id);
  g_object_unref (server);
  g_main_loop_unref (loop);
  g_free (launch);
  g_free (size);
  return 0;
}
