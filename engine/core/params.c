/* Parameter sets: named tensors with gradients and Adam moments, all in one
 * backend buffer laid out [data | grad | m | v] per parameter. */
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "core/status_internal.h"

int64_t t2v_tensor_numel(const t2v_tensor *t)
{
    int64_t n = 1;
    for (int i = 0; i < t->ndim; i++)
        n *= t->shape[i];
    return n;
}

void t2v_params_init(t2v_params *ps, t2v_backend *be)
{
    memset(ps, 0, sizeof *ps);
    ps->be = be;
}

int t2v_params_declare(t2v_params *ps, const char *name, int ndim, const int64_t *shape,
                       int no_decay)
{
    if (ndim < 1 || ndim > T2V_MAX_DIMS || strlen(name) >= sizeof ps->items[0].name) {
        t2v_fail(T2V_ERR_INVALID, "parameter '%s': bad rank %d or name too long", name, ndim);
        return -1;
    }
    for (int i = 0; i < ndim; i++)
        if (shape[i] <= 0) {
            t2v_fail(T2V_ERR_INVALID, "parameter '%s': dimension %d is %lld", name, i,
                     (long long)shape[i]);
            return -1;
        }
    if (ps->storage) {
        t2v_fail(T2V_ERR_INVALID, "parameter '%s' declared after allocation", name);
        return -1;
    }
    if (ps->count == ps->cap) {
        int cap = ps->cap ? ps->cap * 2 : 32;
        t2v_param *items = realloc(ps->items, (size_t)cap * sizeof *items);
        if (!items) {
            t2v_fail(T2V_ERR_NOMEM, "out of memory declaring parameters");
            return -1;
        }
        ps->items = items;
        ps->cap = cap;
    }
    t2v_param *p = &ps->items[ps->count];
    memset(p, 0, sizeof *p);
    strcpy(p->name, name);
    p->t.ndim = ndim;
    for (int i = 0; i < ndim; i++)
        p->t.shape[i] = shape[i];
    p->no_decay = no_decay;
    return ps->count++;
}

static size_t padded(int64_t n) { return ((size_t)n + 15) & ~(size_t)15; }

t2v_status t2v_params_allocate(t2v_params *ps, int with_adam)
{
    size_t per = with_adam ? 4 : 2, total = 0;
    for (int i = 0; i < ps->count; i++)
        total += per * padded(t2v_tensor_numel(&ps->items[i].t));
    if (total == 0)
        total = 16;
    ps->storage = t2v_backend_alloc(ps->be, total * sizeof(float));
    if (!ps->storage)
        return T2V_ERR_NOMEM;
    ps->storage_floats = total;
    ps->be->k->fill(ps->be, ps->storage, 0.0f, (int64_t)total);
    float *cur = ps->storage;
    for (int i = 0; i < ps->count; i++) {
        t2v_param *p = &ps->items[i];
        size_t n = padded(t2v_tensor_numel(&p->t));
        p->t.data = cur; cur += n;
        p->t.grad = cur; cur += n;
        if (with_adam) {
            p->adam_m = cur; cur += n;
            p->adam_v = cur; cur += n;
        }
    }
    return T2V_OK;
}

t2v_param *t2v_params_find(t2v_params *ps, const char *name)
{
    for (int i = 0; i < ps->count; i++)
        if (strcmp(ps->items[i].name, name) == 0)
            return &ps->items[i];
    return NULL;
}

t2v_status t2v_params_zero_grad(t2v_params *ps)
{
    for (int i = 0; i < ps->count; i++) {
        t2v_param *p = &ps->items[i];
        ps->be->k->fill(ps->be, p->t.grad, 0.0f, t2v_tensor_numel(&p->t));
    }
    return T2V_OK;
}

int64_t t2v_params_total(const t2v_params *ps)
{
    int64_t n = 0;
    for (int i = 0; i < ps->count; i++)
        n += t2v_tensor_numel(&ps->items[i].t);
    return n;
}

void t2v_params_free(t2v_params *ps)
{
    if (ps->storage)
        t2v_backend_free(ps->be, ps->storage);
    free(ps->items);
    memset(ps, 0, sizeof *ps);
}
