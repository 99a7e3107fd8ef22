/* Exponential moving average of a parameter set; see ema.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"
#include "io/params_io.h"
#include "train/common/ema.h"

t2v_status t2v_ema_init(t2v_ema *e, t2v_params *ps, float decay)
{
    memset(e, 0, sizeof *e);
    if (!(decay > 0.0f && decay < 1.0f))
        return t2v_fail(T2V_ERR_INVALID, "the average's decay must lie in (0, 1), not %g",
                        (double)decay);
    int64_t total = 0, largest = 1;
    for (int i = 0; i < ps->count; i++) {
        int64_t n = t2v_tensor_numel(&ps->items[i].t);
        total += n;
        largest = n > largest ? n : largest;
    }
    e->be = ps->be;
    e->avg = calloc((size_t)(ps->count ? ps->count : 1), sizeof *e->avg);
    e->buf = t2v_backend_alloc(ps->be, (size_t)(total + largest) * sizeof(float));
    if (!e->avg || !e->buf) {
        t2v_ema_free(e);
        return t2v_fail(T2V_ERR_NOMEM, "out of memory for the weights' average");
    }
    e->decay = decay;
    e->count = ps->count;
    float *cur = e->buf;
    for (int i = 0; i < ps->count; i++) {
        int64_t n = t2v_tensor_numel(&ps->items[i].t);
        e->avg[i] = cur;
        ps->be->k->copy(ps->be, cur, ps->items[i].t.data, n);
        cur += n;
    }
    e->scratch = cur;
    return T2V_OK;
}

void t2v_ema_update(t2v_ema *e, t2v_params *ps, int64_t step)
{
    if (!e->decay)
        return;
    float d = (float)(1 + step) / (float)(10 + step);
    d = d < e->decay ? d : e->decay;
    t2v_backend *be = e->be;
    for (int i = 0; i < e->count; i++) {
        int64_t n = t2v_tensor_numel(&ps->items[i].t);
        be->k->scale(be, e->avg[i], e->avg[i], d, n);
        be->k->axpy(be, e->avg[i], 1.0f - d, ps->items[i].t.data, n);
    }
}

void t2v_ema_swap(t2v_ema *e, t2v_params *ps)
{
    if (!e->decay)
        return;
    t2v_backend *be = e->be;
    for (int i = 0; i < e->count; i++) {
        float *w = ps->items[i].t.data;
        int64_t n = t2v_tensor_numel(&ps->items[i].t);
        be->k->copy(be, e->scratch, w, n);
        be->k->copy(be, w, e->avg[i], n);
        be->k->copy(be, e->avg[i], e->scratch, n);
    }
    e->swapped = !e->swapped;
}

static void ema_name(char *buf, size_t n, const t2v_param *p)
{
    snprintf(buf, n, "%s@ema", p->name);
}

t2v_status t2v_ema_write(const t2v_ema *e, const t2v_params *ps, t2v_weights_writer *wr)
{
    t2v_status s = T2V_OK;
    char name[128];
    for (int i = 0; i < e->count && s == T2V_OK; i++) {
        ema_name(name, sizeof name, &ps->items[i]);
        /* while swapped, the average is in the set and the trained weights here */
        s = t2v_tensor_add_named(e->be, wr, name, &ps->items[i].t,
                                 e->swapped ? ps->items[i].t.data : e->avg[i]);
    }
    return s;
}

t2v_status t2v_ema_load(t2v_ema *e, const t2v_params *ps, const t2v_weights *w)
{
    return t2v_ema_load_except(e, ps, w, NULL);
}

static t2v_status load_avgs(t2v_ema *e, const t2v_params *ps, const t2v_weights *w,
                            const char *skip, const char *only, int from, int to)
{
    t2v_status s = T2V_OK;
    char name[128];
    for (int i = 0; i < e->count && s == T2V_OK; i++) {
        const char *pn = ps->items[i].name;
        if ((skip && strncmp(pn, skip, strlen(skip)) == 0) ||
            (only && strncmp(pn, only, strlen(only)) != 0))
            continue;
        ema_name(name, sizeof name, &ps->items[i]);
        s = t2v_tensor_load_widened(e->be, w, name, &ps->items[i].t, e->avg[i], from, to);
    }
    return s;
}

t2v_status t2v_ema_load_except(t2v_ema *e, const t2v_params *ps, const t2v_weights *w,
                               const char *skip)
{
    return load_avgs(e, ps, w, skip, NULL, 1, 1);
}

t2v_status t2v_ema_load_widened(t2v_ema *e, const t2v_params *ps, const t2v_weights *w,
                                const char *prefix, int from, int to)
{
    return load_avgs(e, ps, w, NULL, prefix, from, to);
}

int t2v_ema_in_file(const t2v_params *ps, const t2v_weights *w)
{
    if (ps->count < 1)
        return 0;
    char name[128];
    t2v_weights_tensor wt;
    ema_name(name, sizeof name, &ps->items[0]);
    return t2v_weights_find_tensor(w, name, &wt) == T2V_OK;
}

void t2v_ema_free(t2v_ema *e)
{
    if (e->buf)
        t2v_backend_free(e->be, e->buf);
    free(e->avg);
    memset(e, 0, sizeof *e);
}
