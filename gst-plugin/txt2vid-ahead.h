/* Live mode: a worker thread renders frames ahead of the streaming thread
 * into a small ring of ready frames, so the streaming thread only copies and
 * never waits on the network unless the generator falls behind.
 *
 * The ring's frames are allocated when the output is set (caps), never per
 * frame. Frame indices in the ring are consecutive and increasing. */
#ifndef TXT2VID_AHEAD_H
#define TXT2VID_AHEAD_H

#include <gst/gst.h>
#include <gst/video/video.h>

#include "txt2vid-render.h"

G_BEGIN_DECLS

typedef struct _Txt2VidAhead Txt2VidAhead;

/* Called from the worker thread, with no lock held, after each rendered
 * frame: lets the element post caption warnings and latency messages. */
typedef void (*Txt2VidAheadNotify) (gpointer user_data, Txt2VidRender * r);

/* Starts the worker on `render` (which it then owns until stop); frames
 * begin at `first_index` once an output is set. */
Txt2VidAhead *txt2vid_ahead_start (Txt2VidRender * render, guint capacity,
    guint64 first_index, Txt2VidAheadNotify notify, gpointer user_data);
/* Stops and joins the worker (waits for a frame in progress). */
void txt2vid_ahead_stop (Txt2VidAhead * a);

/* Sets the output (from set_caps, the streaming thread); drops ready frames. */
gboolean txt2vid_ahead_set_output (Txt2VidAhead * a, const GstVideoInfo * info);

/* Copies frame `index` into dst, waiting until it is ready.
 * GST_FLOW_FLUSHING after txt2vid_ahead_unlock, GST_FLOW_ERROR when the
 * worker failed (*status and *message, newly allocated, say why). */
GstFlowReturn txt2vid_ahead_pop (Txt2VidAhead * a, guint64 index,
    GstVideoFrame * dst, t2v_status * status, char **message);

void txt2vid_ahead_unlock (Txt2VidAhead * a);
void txt2vid_ahead_unlock_stop (Txt2VidAhead * a);

/* A caption change: lands at the first clip boundary after the frame the
 * streaming thread takes next; ready frames past it are rendered again. */
void txt2vid_ahead_set_caption (Txt2VidAhead * a, const char *caption);

/* The longest measured frame request (ns), see Txt2VidRender. */
GstClockTime txt2vid_ahead_gen_time (Txt2VidAhead * a);

G_END_DECLS

#endif
