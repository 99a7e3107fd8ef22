/* txt2vidsrc throughput and live latency.
 *
 *   bench_gst [MODEL]
 *
 * Throughput: `txt2vidsrc clips=0 num-buffers=N ! CAPS ! fakesink sync=false` for
 * the model's native size in GRAY8 and I420 and for 320x240 I420 (scaled
 * by the element), frames per second of wall time from PLAYING to EOS.
 * Latency: `txt2vidsrc is-live=true ! fakesink sync=true` for 4 seconds,
 * then the pipeline's latency query (what the element reports after
 * measuring its generation time). The plugin is found through the usual
 * registry (GST_PLUGIN_PATH for a build tree). */
#include <gst/gst.h>
#include <stdio.h>

#define CAPTION "digit 3 is moving up and down"

static GstElement *build(const char *model, const char *tail, gboolean live, int buffers)
{
    char desc[1024];
    snprintf(desc, sizeof desc,
             "txt2vidsrc name=src caption=\"" CAPTION "\" %s%s%s is-live=%s clips=0 num-buffers=%d ! %s",
             model ? "model=\"" : "", model ? model : "", model ? "\"" : "",
             live ? "true" : "false", buffers, tail);
    GError *err = NULL;
    GstElement *p = gst_parse_launch(desc, &err);
    if (!p) {
        fprintf(stderr, "bench_gst: %s: %s\n", desc, err ? err->message : "parse failed");
        g_clear_error(&err);
    }
    return p;
}

/* Plays until EOS or error; returns the wall seconds, < 0 on error. */
static double play_to_eos(GstElement *p)
{
    GstBus *bus = gst_element_get_bus(p);
    gint64 t0 = g_get_monotonic_time();
    gst_element_set_state(p, GST_STATE_PLAYING);
    GstMessage *m = gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE,
                                               GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    double secs = (double)(g_get_monotonic_time() - t0) / 1e6;
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR) {
        GError *err = NULL;
        gst_message_parse_error(m, &err, NULL);
        fprintf(stderr, "bench_gst: %s\n", err->message);
        g_clear_error(&err);
        secs = -1.0;
    }
    gst_message_unref(m);
    gst_object_unref(bus);
    gst_element_set_state(p, GST_STATE_NULL);
    return secs;
}

static int throughput(const char *model, const char *label, const char *caps, int frames)
{
    char tail[256];
    snprintf(tail, sizeof tail, "%s ! fakesink sync=false", caps);
    GstElement *p = build(model, tail, FALSE, frames);
    if (!p)
        return 1;
    double secs = play_to_eos(p);
    gst_object_unref(p);
    if (secs <= 0)
        return 1;
    printf("%-28s %6d frames  %7.2f s  %8.1f frames/s\n", label, frames, secs, frames / secs);
    return 0;
}

static int latency(const char *model)
{
    GstElement *p = build(model, "fakesink sync=true", TRUE, -1);
    if (!p)
        return 1;
    gst_element_set_state(p, GST_STATE_PLAYING);
    GstBus *bus = gst_element_get_bus(p);
    GstMessage *m = gst_bus_timed_pop_filtered(bus, 4 * GST_SECOND, GST_MESSAGE_ERROR);
    int rc = 0;
    if (m) {
        GError *err = NULL;
        gst_message_parse_error(m, &err, NULL);
        fprintf(stderr, "bench_gst: %s\n", err->message);
        g_clear_error(&err);
        gst_message_unref(m);
        rc = 1;
    } else {
        GstQuery *q = gst_query_new_latency();
        gboolean live = FALSE;
        GstClockTime lo = 0, hi = 0;
        if (gst_element_query(p, q)) {
            gst_query_parse_latency(q, &live, &lo, &hi);
            printf("live latency (after 4 s)   live=%d  min %.1f ms  max %s\n", live,
                   lo / 1e6, hi == GST_CLOCK_TIME_NONE ? "none" : "set");
        } else {
            fprintf(stderr, "bench_gst: latency query failed\n");
            rc = 1;
        }
        gst_query_unref(q);
    }
    gst_object_unref(bus);
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(p);
    return rc;
}

int main(int argc, char **argv)
{
    gst_init(&argc, &argv);
    const char *model = argc > 1 ? argv[1] : NULL;
    int rc = 0;
    rc |= throughput(model, "native GRAY8", "video/x-raw,format=GRAY8", 1600);
    rc |= throughput(model, "native I420", "video/x-raw,format=I420", 1600);
    rc |= throughput(model, "320x240 I420 (scaled)",
                     "video/x-raw,format=I420,width=320,height=240", 800);
    rc |= latency(model);
    return rc;
}
