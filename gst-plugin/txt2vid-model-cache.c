/* The process-wide model cache: a list of (key, model, users) under a mutex. */
#include "txt2vid-model-cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct
{
  char *key;                    /* "canonical-path|size|mtime" */
  t2v_model *model;             /* the cache's own reference */
  guint users;
} CacheEntry;

static GMutex cache_lock;
static GList *cache_entries;    /* of CacheEntry */

/* NULL when the file cannot be found (message set). */
static char *
cache_key (const char *path, char **message)
{
  char *canon = realpath (path, NULL);
  struct stat st;
  if (!canon || stat (canon, &st) != 0) {
    *message = g_strdup (g_strerror (errno));
    free (canon);
    return NULL;
  }
  char *key = g_strdup_printf ("%s|%lld|%lld.%09ld", canon,
      (long long) st.st_size, (long long) st.st_mtim.tv_sec,
      (long) st.st_mtim.tv_nsec);
  free (canon);
  return key;
}

t2v_model *
txt2vid_model_cache_acquire (const char *path, t2v_status * status,
    char **message)
{
  *message = NULL;
  *status = T2V_OK;
  char *key = cache_key (path, message);
  if (!key) {
    *status = T2V_ERR_IO;
    return NULL;
  }

  t2v_model *found = NULL;
  g_mutex_lock (&cache_lock);
  for (GList * l = cache_entries; l; l = l->next) {
    CacheEntry *e = l->data;
    if (strcmp (e->key, key) == 0) {
      e->users++;
      found = t2v_model_ref (e->model);
      break;
    }
  }
  if (!found) {
    /* Loading under the lock: a second element asking for the same file
     * waits and then shares instead of loading it twice. */
    t2v_model *m = NULL;
    t2v_status st = t2v_model_load (path, &m);
    if (st != T2V_OK) {
      *status = st;
      *message = g_strdup (t2v_last_error ());
    } else {
      CacheEntry *e = g_new0 (CacheEntry, 1);
      e->key = key;
      key = NULL;
      e->model = m;
      e->users = 1;
      cache_entries = g_list_prepend (cache_entries, e);
      found = t2v_model_ref (m);
    }
  }
  g_mutex_unlock (&cache_lock);
  g_free (key);
  return found;
}

void
txt2vid_model_cache_release (t2v_model * model)
{
  if (!model)
    return;
  g_mutex_lock (&cache_lock);
  for (GList * l = cache_entries; l; l = l->next) {
    CacheEntry *e = l->data;
    if (e->model == model) {
      if (--e->users == 0) {
        cache_entries = g_list_delete_link (cache_entries, l);
        t2v_model_unref (e->model);
        g_free (e->key);
        g_free (e);
      }
      break;
    }
  }
  g_mutex_unlock (&cache_lock);
  t2v_model_unref (model);
}

guint
txt2vid_model_cache_users (const t2v_model * model)
{
  guint users = 0;
  g_mutex_lock (&cache_lock);
  for (GList * l = cache_entries; l; l = l->next) {
    CacheEntry *e = l->data;
    if (e->model == model)
      users = e->users;
  }
  g_mutex_unlock (&cache_lock);
  return users;
}
