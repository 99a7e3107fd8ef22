/* The live look-ahead worker and its ring of ready frames. */
#include "txt2vid-ahead.h"

typedef enum
{
  SLOT_FREE,
  SLOT_WRITING,                 /* the worker renders into it */
  SLOT_READY,                   /* in the ready queue */
  SLOT_READING,                 /* the streaming thread copies from it */
} SlotState;

typedef struct
{
  GstBuffer *buffer;            /* one output frame */
  guint64 index;
  SlotState state;
} Slot;

struct _Txt2VidAhead
{
  GMutex lock;
  GCond cond;
  GThread *thread;
  Txt2VidRender *render;
  Txt2VidAheadNotify notify;
  gpointer user_data;

  GstVideoInfo info;
  gboolean have_output;
  guint capacity;
  Slot *slots;                  /* capacity, allocated with the output */
  guint *ready;                 /* queue of slot numbers, oldest first */
  guint ready_head, ready_count;

  guint64 gen_next;             /* next index the worker renders */
  guint64 consume_next;         /* next index the streaming thread takes */
  guint serial;                 /* bumped when work in flight is stale */
  gboolean running, flushing, busy;
  char *pending_caption;

  t2v_status error;
  char *error_message;
  GstClockTime gen_time;
};

static guint
ready_at (Txt2VidAhead * a, guint i)
{
  return a->ready[(a->ready_head + i) % a->capacity];
}

/* Empties the ready queue from position `keep` on. Lock held. */
static void
drop_ready_from (Txt2VidAhead * a, guint keep)
{
  while (a->ready_count > keep) {
    guint s = ready_at (a, a->ready_count - 1);
    a->slots[s].state = SLOT_FREE;
    a->ready_count--;
  }
}

static int
free_slot (Txt2VidAhead * a)
{
  for (guint s = 0; s < a->capacity; s++)
    if (a->slots[s].state == SLOT_FREE)
      return (int) s;
  return -1;
}

/* A caption change: schedule it, and drop what was rendered past the
 * boundary with the old caption. Lock held, worker not busy. */
static void
take_caption (Txt2VidAhead * a)
{
  guint64 at = txt2vid_render_schedule_caption (a->render,
      a->pending_caption, a->consume_next);
  g_clear_pointer (&a->pending_caption, g_free);
  guint keep = 0;
  while (keep < a->ready_count
      && a->slots[ready_at (a, keep)].index < at)
    keep++;
  drop_ready_from (a, keep);
  if (a->gen_next > at)
    a->gen_next = at;
}

static gpointer
worker (gpointer data)
{
  Txt2VidAhead *a = data;
  g_mutex_lock (&a->lock);
  while (a->running) {
    if (a->pending_caption && a->have_output)
      take_caption (a);
    int s = a->have_output && !a->error ? free_slot (a) : -1;
    if (s < 0) {
      g_cond_wait (&a->cond, &a->lock);
      continue;
    }
    guint64 index = a->gen_next++;
    guint serial = a->serial;
    Slot *slot = &a->slots[s];
    slot->state = SLOT_WRITING;
    slot->index = index;
    a->busy = TRUE;
    g_mutex_unlock (&a->lock);

    GstVideoFrame frame;
    t2v_status st = T2V_ERR_NOMEM;
    char *message = NULL;
    if (gst_video_frame_map (&frame, &a->info, slot->buffer, GST_MAP_WRITE)) {
      st = txt2vid_render_frame (a->render, index, &frame);
      gst_video_frame_unmap (&frame);
    }
    if (st != T2V_OK)
      message = g_strdup (t2v_last_error ());
    if (a->notify)
      a->notify (a->user_data, a->render);

    g_mutex_lock (&a->lock);
    a->busy = FALSE;
    a->gen_time = a->render->gen_time_max;
    if (st != T2V_OK) {
      slot->state = SLOT_FREE;
      a->error = st;
      a->error_message = message;
    } else if (serial != a->serial || index != (a->ready_count ?
            a->slots[ready_at (a, a->ready_count - 1)].index + 1 :
            a->consume_next)) {
      /* stale: a caption change or new output rewound the ring */
      slot->state = SLOT_FREE;
      if (a->gen_next > index && serial != a->serial)
        a->gen_next = MIN (a->gen_next, index);
    } else {
      slot->state = SLOT_READY;
      a->ready[(a->ready_head + a->ready_count) % a->capacity] = (guint) s;
      a->ready_count++;
    }
    g_cond_broadcast (&a->cond);
  }
  g_mutex_unlock (&a->lock);
  return NULL;
}

Txt2VidAhead *
txt2vid_ahead_start (Txt2VidRender * render, guint capacity,
    guint64 first_index, Txt2VidAheadNotify notify, gpointer user_data)
{
  Txt2VidAhead *a = g_new0 (Txt2VidAhead, 1);
  g_mutex_init (&a->lock);
  g_cond_init (&a->cond);
  a->render = render;
  a->notify = notify;
  a->user_data = user_data;
  a->capacity = MAX (capacity, 2);
  a->ready = g_new0 (guint, a->capacity);
  a->gen_next = first_index;
  a->consume_next = first_index;
  a->running = TRUE;
  gst_video_info_init (&a->info);
  a->thread = g_thread_new ("txt2vid-ahead", worker, a);
  return a;
}

static void
free_slots (Txt2VidAhead * a)
{
  if (!a->slots)
    return;
  for (guint s = 0; s < a->capacity; s++)
    gst_clear_buffer (&a->slots[s].buffer);
  g_clear_pointer (&a->slots, g_free);
}

void
txt2vid_ahead_stop (Txt2VidAhead * a)
{
  if (!a)
    return;
  g_mutex_lock (&a->lock);
  a->running = FALSE;
  g_cond_broadcast (&a->cond);
  g_mutex_unlock (&a->lock);
  g_thread_join (a->thread);
  free_slots (a);
  g_free (a->ready);
  g_free (a->pending_caption);
  g_free (a->error_message);
  g_mutex_clear (&a->lock);
  g_cond_clear (&a->cond);
  g_free (a);
}

gboolean
txt2vid_ahead_set_output (Txt2VidAhead * a, const GstVideoInfo * info)
{
  g_mutex_lock (&a->lock);
  a->have_output = FALSE;
  while (a->busy)
    g_cond_wait (&a->cond, &a->lock);
  /* the streaming thread calls this, so no slot is being read */
  a->ready_count = 0;
  a->ready_head = 0;
  free_slots (a);
  a->serial++;
  a->gen_next = a->consume_next;
  gboolean ok = txt2vid_render_set_output (a->render, info);
  if (ok) {
    a->info = *info;
    a->slots = g_new0 (Slot, a->capacity);
    for (guint s = 0; s < a->capacity; s++)
      a->slots[s].buffer = gst_buffer_new_allocate (NULL,
          GST_VIDEO_INFO_SIZE (info), NULL);
    a->have_output = TRUE;
  }
  g_cond_broadcast (&a->cond);
  g_mutex_unlock (&a->lock);
  return ok;
}

GstFlowReturn
txt2vid_ahead_pop (Txt2VidAhead * a, guint64 index, GstVideoFrame * dst,
    t2v_status * status, char **message)
{
  g_mutex_lock (&a->lock);
  if (a->consume_next != index) {
    /* not expected in live mode (no seeking), but stay consistent */
    drop_ready_from (a, 0);
    a->consume_next = index;
    a->gen_next = index;
    a->serial++;
    g_cond_broadcast (&a->cond);
  }
  for (;;) {
    if (a->flushing) {
      g_mutex_unlock (&a->lock);
      return GST_FLOW_FLUSHING;
    }
    if (a->error) {
      *status = a->error;
      *message = g_strdup (a->error_message);
      g_mutex_unlock (&a->lock);
      return GST_FLOW_ERROR;
    }
    if (a->ready_count > 0)
      break;
    g_cond_wait (&a->cond, &a->lock);
  }
  guint s = a->ready[a->ready_head];
  a->ready_head = (a->ready_head + 1) % a->capacity;
  a->ready_count--;
  Slot *slot = &a->slots[s];
  slot->state = SLOT_READING;
  a->consume_next = index + 1;
  g_mutex_unlock (&a->lock);

  GstVideoFrame src;
  gboolean copied = FALSE;
  if (gst_video_frame_map (&src, &a->info, slot->buffer, GST_MAP_READ)) {
    copied = gst_video_frame_copy (dst, &src);
    gst_video_frame_unmap (&src);
  }

  g_mutex_lock (&a->lock);
  slot->state = SLOT_FREE;
  g_cond_broadcast (&a->cond);
  g_mutex_unlock (&a->lock);
  if (!copied) {
    *status = T2V_ERR_NOMEM;
    *message = g_strdup ("cannot map a look-ahead frame");
    return GST_FLOW_ERROR;
  }
  return GST_FLOW_OK;
}

void
txt2vid_ahead_unlock (Txt2VidAhead * a)
{
  g_mutex_lock (&a->lock);
  a->flushing = TRUE;
  g_cond_broadcast (&a->cond);
  g_mutex_unlock (&a->lock);
}

void
txt2vid_ahead_unlock_stop (Txt2VidAhead * a)
{
  g_mutex_lock (&a->lock);
  a->flushing = FALSE;
  g_mutex_unlock (&a->lock);
}

void
txt2vid_ahead_set_caption (Txt2VidAhead * a, const char *caption)
{
  g_mutex_lock (&a->lock);
  g_free (a->pending_caption);
  a->pending_caption = g_strdup (caption);
  a->serial++;
  g_cond_broadcast (&a->cond);
  g_mutex_unlock (&a->lock);
}

GstClockTime
txt2vid_ahead_gen_time (Txt2VidAhead * a)
{
  g_mutex_lock (&a->lock);
  GstClockTime t = a->gen_time;
  g_mutex_unlock (&a->lock);
  return t;
}
