/* The arena (two-pass measure / commit, 64-byte aligned disjoint slices,
 * refusing what does not fit, reset, release) and parameter sets (declare,
 * refuse bad declarations, allocate zeroed data and gradients with or
 * without Adam moments, find, count, zero_grad, disjoint storage). */
#include <stdlib.h>

#include "op_check.h"

static void arena_checks(oc_ctx *oc)
{
    const size_t sizes[] = {1, 17, 64, 3, 1000};
    t2v_arena a;
    t2v_arena_measure(&a, oc->be);
    int all_null = 1;
    for (int i = 0; i < 5; i++)
        all_null &= t2v_arena_floats(&a, sizes[i]) == NULL;
    all_null &= t2v_arena_bytes(&a, 5) == NULL;
    size_t measured = a.used;
    /* 4 * (1 + 17 + 64 + 3 + 1000) + 5 bytes asked, plus alignment */
    T2V_CHECK(all_null && measured >= 4345 && !a.failed,
              "arena measuring hands out NULL and counts %zu bytes (>= 4345 asked)", measured);
    T2V_CHECK(t2v_arena_commit(&a) == T2V_OK && a.base && a.size >= measured && a.used == 0,
              "arena commit reserves %zu bytes", a.size);
    float *slices[5];
    int aligned = 1, inside = 1, disjoint = 1;
    for (int i = 0; i < 5; i++) {
        slices[i] = t2v_arena_floats(&a, sizes[i]);
        aligned &= slices[i] && ((uintptr_t)slices[i] % 64) == 0;
        inside &= slices[i] && (char *)slices[i] >= a.base &&
                  (char *)(slices[i] + sizes[i]) <= a.base + a.size;
        for (int j = 0; j < i; j++)
            disjoint &= (char *)(slices[i]) >= (char *)(slices[j] + sizes[j]) ||
                        (char *)(slices[j]) >= (char *)(slices[i] + sizes[i]);
    }
    void *bytes = t2v_arena_bytes(&a, 5);
    T2V_CHECK(aligned && inside && disjoint && bytes && !a.failed,
              "arena slices are 64-byte aligned, disjoint and inside the reservation");
    /* write each slice with its own value, read all back */
    int intact = 1;
    for (int i = 0; i < 5; i++)
        oc->k->fill(oc->be, slices[i], (float)(i + 1), (int64_t)sizes[i]);
    for (int i = 0; i < 5 && intact; i++) {
        float *h = malloc(sizes[i] * sizeof *h);
        t2v_backend_sync(oc->be);
        t2v_backend_download(oc->be, h, slices[i], sizes[i] * sizeof *h);
        for (size_t j = 0; j < sizes[i]; j++)
            intact &= h[j] == (float)(i + 1);
        free(h);
    }
    T2V_CHECK(intact, "arena slices hold what was written to each");
    float *extra = t2v_arena_floats(&a, 16);
    T2V_CHECK(extra == NULL && a.failed, "arena refuses a request past its reservation");
    t2v_arena_reset(&a);
    float *again = t2v_arena_floats(&a, 1);
    T2V_CHECK(again == slices[0] && !a.failed, "arena reset hands out from the start again");
    t2v_arena_release(&a);
    T2V_CHECK(a.base == NULL && a.size == 0, "arena release frees the reservation");
}

static int floats_all(t2v_backend *be, const float *dev, int64_t n, float v)
{
    float *h = malloc((size_t)n * sizeof *h);
    t2v_backend_sync(be);
    t2v_backend_download(be, h, dev, (size_t)n * sizeof *h);
    int ok = 1;
    for (int64_t i = 0; i < n; i++)
        ok &= h[i] == v;
    free(h);
    return ok;
}

static void params_checks(oc_ctx *oc, int with_adam)
{
    t2v_params ps;
    t2v_params_init(&ps, oc->be);
    const int64_t w[5] = {4, 3, 1, 3, 3}, b[1] = {4}, bad[2] = {3, 0};
    int i0 = t2v_params_declare(&ps, "gen.up1.conv.weight", 5, w, 0);
    int i1 = t2v_params_declare(&ps, "gen.up1.conv.bias", 1, b, 1);
    int i2 = t2v_params_declare(&ps, "gen.up1.bn.weight", 1, b, 1);
    T2V_CHECK(i0 == 0 && i1 == 1 && i2 == 2, "params declared in order get indices 0, 1, 2");
    t2v_clear_error();
    T2V_CHECK(t2v_params_declare(&ps, "bad.zero", 2, bad, 0) == -1 && t2v_last_error()[0],
              "params refuse a zero dimension (\"%s\")", t2v_last_error());
    t2v_clear_error();
    T2V_CHECK(t2v_params_declare(&ps, "bad.rank", 6, w, 0) == -1 && t2v_last_error()[0],
              "params refuse rank 6 (\"%s\")", t2v_last_error());
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    t2v_clear_error();
    T2V_CHECK(t2v_params_declare(&ps, longname, 1, b, 0) == -1 && t2v_last_error()[0],
              "params refuse a name longer than 95 characters");
    T2V_CHECK(ps.count == 3 && t2v_params_total(&ps) == 108 + 4 + 4,
              "params count 3 and total %lld floats (want 116)",
              (long long)t2v_params_total(&ps));
    T2V_CHECK(t2v_params_allocate(&ps, with_adam) == T2V_OK, "params allocate (adam %d)",
              with_adam);
    int zero = 1, moments = 1;
    for (int i = 0; i < ps.count; i++) {
        t2v_param *p = &ps.items[i];
        int64_t n = t2v_tensor_numel(&p->t);
        zero &= floats_all(oc->be, p->t.data, n, 0.0f) && floats_all(oc->be, p->t.grad, n, 0.0f);
        if (with_adam)
            moments &= p->adam_m && p->adam_v && floats_all(oc->be, p->adam_m, n, 0.0f) &&
                       floats_all(oc->be, p->adam_v, n, 0.0f);
        else
            moments &= p->adam_m == NULL && p->adam_v == NULL;
    }
    T2V_CHECK(zero, "params data and gradients start at zero");
    T2V_CHECK(moments, with_adam ? "Adam moments allocated and zero"
                                 : "no Adam moments without an optimiser");
    t2v_param *found = t2v_params_find(&ps, "gen.up1.conv.bias");
    T2V_CHECK(found == &ps.items[1] && found->no_decay == 1 && found->t.ndim == 1 &&
                  found->t.shape[0] == 4 && t2v_params_find(&ps, "gen.up2") == NULL,
              "t2v_params_find by name, NULL for an unknown name");
    t2v_clear_error();
    T2V_CHECK(t2v_params_declare(&ps, "late.weight", 1, b, 0) == -1 && t2v_last_error()[0],
              "params refuse a declaration after allocation");
    /* every buffer of every parameter is its own memory */
    float v = 1.0f;
    for (int i = 0; i < ps.count; i++) {
        t2v_param *p = &ps.items[i];
        int64_t n = t2v_tensor_numel(&p->t);
        oc->k->fill(oc->be, p->t.data, v++, n);
        oc->k->fill(oc->be, p->t.grad, v++, n);
        if (with_adam) {
            oc->k->fill(oc->be, p->adam_m, v++, n);
            oc->k->fill(oc->be, p->adam_v, v++, n);
        }
    }
    int disjoint = 1;
    v = 1.0f;
    for (int i = 0; i < ps.count; i++) {
        t2v_param *p = &ps.items[i];
        int64_t n = t2v_tensor_numel(&p->t);
        disjoint &= floats_all(oc->be, p->t.data, n, v++);
        disjoint &= floats_all(oc->be, p->t.grad, n, v++);
        if (with_adam) {
            disjoint &= floats_all(oc->be, p->adam_m, n, v++);
            disjoint &= floats_all(oc->be, p->adam_v, n, v++);
        }
    }
    T2V_CHECK(disjoint, "parameter data, gradients and moments do not overlap");
    t2v_params_zero_grad(&ps);
    int grads_zero = 1, data_kept = 1;
    v = 1.0f;
    for (int i = 0; i < ps.count; i++) {
        t2v_param *p = &ps.items[i];
        int64_t n = t2v_tensor_numel(&p->t);
        grads_zero &= floats_all(oc->be, p->t.grad, n, 0.0f);
        data_kept &= floats_all(oc->be, p->t.data, n, v);
        v += with_adam ? 4 : 2;
    }
    T2V_CHECK(grads_zero && data_kept, "t2v_params_zero_grad zeroes gradients, keeps data");
    t2v_tensor t = {.ndim = 3, .shape = {2, 3, 5}};
    T2V_CHECK(t2v_tensor_numel(&t) == 30, "t2v_tensor_numel (2, 3, 5) = 30");
    t2v_params_free(&ps);
    T2V_CHECK(ps.count == 0 && ps.storage == NULL, "t2v_params_free clears the set");
}

static void run_checks(oc_ctx *oc)
{
    arena_checks(oc);
    params_checks(oc, 0);
    params_checks(oc, 1);
}

OC_TEST_MAIN(run_checks)
