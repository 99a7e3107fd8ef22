/* Arena: one backend allocation handed out in aligned slices, sized by a
 * measuring pass so networks never allocate while they run. */
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"

#define ARENA_ALIGN 64

void t2v_arena_measure(t2v_arena *a, t2v_backend *be)
{
    memset(a, 0, sizeof *a);
    a->be = be;
    a->measuring = 1;
}

t2v_status t2v_arena_commit(t2v_arena *a)
{
    size_t need = a->used;
    a->measuring = 0;
    a->used = 0;
    a->failed = 0;
    if (need == 0)
        need = ARENA_ALIGN;
    a->base = (char *)t2v_backend_alloc(a->be, need);
    if (!a->base)
        return T2V_ERR_NOMEM;
    a->size = need;
    return T2V_OK;
}

void *t2v_arena_bytes(t2v_arena *a, size_t bytes)
{
    size_t start = (a->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    size_t rounded = (bytes + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (rounded < bytes || start + rounded < start) {
        a->failed = 1;
        return NULL;
    }
    if (a->measuring) {
        a->used = start + rounded;
        return NULL;
    }
    if (start + rounded > a->size) {
        a->failed = 1;
        return NULL;
    }
    a->used = start + rounded;
    return a->base + start;
}

float *t2v_arena_floats(t2v_arena *a, size_t count)
{
    if (count > SIZE_MAX / sizeof(float)) {
        a->failed = 1;
        return NULL;
    }
    return (float *)t2v_arena_bytes(a, count * sizeof(float));
}

void t2v_arena_reset(t2v_arena *a)
{
    a->used = 0;
    a->failed = 0;
}

void t2v_arena_release(t2v_arena *a)
{
    if (a->base)
        t2v_backend_free(a->be, a->base);
    a->base = NULL;
    a->size = a->used = 0;
}
