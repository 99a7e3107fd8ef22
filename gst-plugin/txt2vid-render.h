/* Frames of one txt2vidsrc stream: caption schedule, generator, optional
 * cross-fade between captions, and conversion into the negotiated format.
 *
 * A render is used by one thread at a time: the streaming thread, or the
 * look-ahead worker in live mode. */
#ifndef TXT2VID_RENDER_H
#define TXT2VID_RENDER_H

#include <gst/gst.h>
#include <gst/video/video.h>

#include "txt2vid/txt2vid.h"

G_BEGIN_DECLS

typedef struct
{
  t2v_model *model;
  t2v_model_info info;
  t2v_generator_opts opts;
  guint64 seed;

  t2v_generator *gen;           /* the current caption */
  t2v_generator *fade_gen;      /* the previous caption while fading */
  float *blend;                 /* (C, H, W) cross-faded frame */
  guint crossfade;              /* frames a caption change fades over */
  guint64 fade_start;           /* fade covers [fade_start, fade_start + crossfade) */
  gboolean fading;

  char *caption;                /* current caption */
  char *next_caption;           /* scheduled caption, NULL when none */
  guint64 next_at;              /* first frame of next_caption */

  /* Set when a caption was applied; the caller reports and clears it. */
  gboolean report_ready;
  char *report_caption;
  t2v_caption_report report;

  /* Measured generation: the longest single frame request so far (a
   * request that starts a clip runs the whole network). */
  GstClockTime gen_time_max;

  /* Output. */
  GstVideoInfo out_info;        /* negotiated */
  GstVideoInfo native_info;     /* negotiated format at the model's size */
  t2v_pixfmt pixfmt;
  gboolean needs_convert;       /* size or colorimetry differ */
  GstVideoConverter *convert;
  GstBuffer *staging;           /* one native frame for the converter */
  gboolean have_output;
} Txt2VidRender;

/* Opens a generator on `model` (a reference is taken) and sets the first
 * caption. On failure returns the status; the message is t2v_last_error(). */
t2v_status txt2vid_render_init (Txt2VidRender * r, t2v_model * model,
    const t2v_generator_opts * opts, guint64 seed, const char *caption,
    guint crossfade);
void txt2vid_render_clear (Txt2VidRender * r);

/* Schedules `caption` for the first clip boundary at or after frame
 * `from_index`; returns that boundary. */
guint64 txt2vid_render_schedule_caption (Txt2VidRender * r,
    const char *caption, guint64 from_index);

/* Frames produced by one clip (video) or one image (image models). */
guint64 txt2vid_render_clip_frames (const Txt2VidRender * r);

/* Chooses the output format and size; allocates what conversion needs.
 * FALSE for a format pixels cannot produce. */
gboolean txt2vid_render_set_output (Txt2VidRender * r,
    const GstVideoInfo * out_info);

/* Writes frame `index` into `dst` (mapped with out_info). */
t2v_status txt2vid_render_frame (Txt2VidRender * r, guint64 index,
    GstVideoFrame * dst);

/* The t2v pixel format of a GStreamer format, or -1. */
int txt2vid_pixfmt_from_gst (GstVideoFormat format);

G_END_DECLS

#endif
