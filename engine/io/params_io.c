/* Parameter sets <-> weights files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "io/params_io.h"

t2v_status t2v_tensor_add_named(t2v_backend *be, t2v_weights_writer *wr, const char *name,
                                const t2v_tensor *t, const float *src)
{
    int64_t n = t2v_tensor_numel(t);
    float *host = malloc((size_t)n * sizeof *host);
    if (!host)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory saving %s", name);
    t2v_status s = t2v_backend_download(be, host, src, (size_t)n * sizeof *host);
    if (s == T2V_OK)
        s = t2v_weights_writer_add_tensor(wr, name, t->ndim, t->shape, host);
    free(host);
    return s;
}

t2v_status t2v_params_add_to_writer(t2v_params *ps, t2v_weights_writer *wr, int with_moments)
{
    for (int i = 0; i < ps->count; i++) {
        t2v_param *p = &ps->items[i];
        t2v_status s = t2v_tensor_add_named(ps->be, wr, p->name, &p->t, p->t.data);
        if (s == T2V_OK && with_moments && p->adam_m) {
            char name[128];
            snprintf(name, sizeof name, "%s@m", p->name);
            s = t2v_tensor_add_named(ps->be, wr, name, &p->t, p->adam_m);
            snprintf(name, sizeof name, "%s@v", p->name);
            if (s == T2V_OK)
                s = t2v_tensor_add_named(ps->be, wr, name, &p->t, p->adam_v);
        }
        if (s != T2V_OK)
            return s;
    }
    return T2V_OK;
}

t2v_status t2v_tensor_load_widened(t2v_backend *be, const t2v_weights *w, const char *name,
                                   const t2v_tensor *t, float *dst, int from, int to)
{
    t2v_weights_tensor wt;
    if (t2v_weights_find_tensor(w, name, &wt) != T2V_OK)
        return t2v_fail(T2V_ERR_FORMAT, "%s: tensor %s is missing", t2v_weights_path(w), name);
    int same = wt.ndim == t->ndim && t->ndim >= 1 && from >= 1 && to >= from &&
               wt.shape[0] % from == 0 && wt.shape[0] / from * to == t->shape[0];
    for (int d = 1; same && d < t->ndim; d++)
        same = wt.shape[d] == t->shape[d];
    if (!same)
        return t2v_fail(T2V_ERR_FORMAT, "%s: tensor %s has the wrong shape", t2v_weights_path(w),
                        name);
    if (from == to)
        return t2v_backend_upload(be, dst, wt.data, (size_t)wt.numel * sizeof(float));
    size_t inner = (size_t)(wt.numel / wt.shape[0]), groups = (size_t)(wt.shape[0] / from);
    float *host = calloc(groups * (size_t)to * inner, sizeof *host);
    if (!host)
        return t2v_fail(T2V_ERR_NOMEM, "out of memory loading %s", name);
    for (size_t g = 0; g < groups; g++)
        memcpy(host + g * (size_t)to * inner, wt.data + g * (size_t)from * inner,
               (size_t)from * inner * sizeof *host);
    t2v_status s = t2v_backend_upload(be, dst, host, groups * (size_t)to * inner * sizeof *host);
    free(host);
    return s;
}

t2v_status t2v_tensor_load_named(t2v_backend *be, const t2v_weights *w, const char *name,
                                 const t2v_tensor *t, float *dst)
{
    return t2v_tensor_load_widened(be, w, name, t, dst, 1, 1);
}

/* the tensors whose names start with `only` (NULL: all) and not with
 * `skip` (NULL: none), each widened from -> to */
static t2v_status load_params(t2v_params *ps, const t2v_weights *w, int with_moments,
                              const char *skip, const char *only, int from, int to)
{
    for (int i = 0; i < ps->count; i++) {
        t2v_param *p = &ps->items[i];
        if ((skip && strncmp(p->name, skip, strlen(skip)) == 0) ||
            (only && strncmp(p->name, only, strlen(only)) != 0))
            continue;
        t2v_status s = t2v_tensor_load_widened(ps->be, w, p->name, &p->t, p->t.data, from, to);
        if (s == T2V_OK && with_moments && p->adam_m) {
            char name[128];
            snprintf(name, sizeof name, "%s@m", p->name);
            s = t2v_tensor_load_widened(ps->be, w, name, &p->t, p->adam_m, from, to);
            snprintf(name, sizeof name, "%s@v", p->name);
            if (s == T2V_OK)
                s = t2v_tensor_load_widened(ps->be, w, name, &p->t, p->adam_v, from, to);
        }
        if (s != T2V_OK)
            return s;
    }
    return T2V_OK;
}

t2v_status t2v_params_load_from(t2v_params *ps, const t2v_weights *w, int with_moments)
{
    return load_params(ps, w, with_moments, NULL, NULL, 1, 1);
}

t2v_status t2v_params_load_except(t2v_params *ps, const t2v_weights *w, int with_moments,
                                  const char *skip)
{
    return load_params(ps, w, with_moments, skip, NULL, 1, 1);
}

t2v_status t2v_params_load_widened(t2v_params *ps, const t2v_weights *w, int with_moments,
                                   const char *prefix, int from, int to)
{
    return load_params(ps, w, with_moments, NULL, prefix, from, to);
}
