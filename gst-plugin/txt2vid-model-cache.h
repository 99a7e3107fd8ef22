/* One loaded model per weights file, shared by every element in the process.
 *
 * A model is immutable once loaded (txt2vid.h), so any number of generators
 * may use it at once. Entries are keyed by the file's canonical path, size
 * and modification time, so a file rewritten on disk is loaded afresh. */
#ifndef TXT2VID_MODEL_CACHE_H
#define TXT2VID_MODEL_CACHE_H

#include <glib.h>

#include "txt2vid/txt2vid.h"

G_BEGIN_DECLS

/* Returns a model reference for `path` (loading it when no element holds it
 * yet) or NULL with *status and a newly allocated *message set. */
t2v_model *txt2vid_model_cache_acquire (const char *path, t2v_status * status,
    char **message);

/* Gives back a model from txt2vid_model_cache_acquire. */
void txt2vid_model_cache_release (t2v_model * model);

/* How many holders share `model` (0 when it is not from the cache). */
guint txt2vid_model_cache_users (const t2v_model * model);

G_END_DECLS

#endif
