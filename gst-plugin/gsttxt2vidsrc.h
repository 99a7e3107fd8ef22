/* txt2vidsrc: a video source that generates frames from a caption. */
#ifndef GST_TXT2VID_SRC_H
#define GST_TXT2VID_SRC_H

#include <gst/base/gstpushsrc.h>
#include <gst/video/video.h>

#include "gsttxt2videnums.h"
#include "txt2vid-ahead.h"
#include "txt2vid-render.h"
#include "txt2vid/txt2vid.h"

G_BEGIN_DECLS

#define GST_TYPE_TXT2VID_SRC (gst_txt2vid_src_get_type ())
G_DECLARE_FINAL_TYPE (GstTxt2VidSrc, gst_txt2vid_src, GST, TXT2VID_SRC,
    GstPushSrc)

struct _GstTxt2VidSrc
{
  GstPushSrc parent;

  /* properties (object lock) */
  char *caption;
  char *model_path;
  guint64 seed;
  GstTxt2VidDevice device;
  gint gpu_id;
  gint threads;
  gint64 timestamp_offset;
  GstTxt2VidMode mode;
  guint hold;
  guint clips;
  guint crossfade;
  gboolean caption_changed;     /* set while running, taken by fill */

  /* running state (streaming thread, set up in start) */
  t2v_model *model;
  t2v_model_info model_info;
  gboolean have_render;
  Txt2VidRender render;         /* non-live: used by the streaming thread */
  Txt2VidAhead *ahead;          /* live: owns `render` while it runs */
  GstVideoInfo info;            /* negotiated */
  gboolean have_info;
  guint64 n_frames;             /* index of the next frame */
  guint64 base_frame;           /* frame and time where the current */
  GstClockTime base_time;       /*   framerate took over */
  guint64 end_frame;            /* from `clips`; G_MAXUINT64 when endless */
  GstClockTime latency;         /* last latency answered or posted */
};

GST_ELEMENT_REGISTER_DECLARE (txt2vidsrc);

G_END_DECLS

#endif
