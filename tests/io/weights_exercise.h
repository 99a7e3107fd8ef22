/* Touches everything a loaded weights file hands out: every key through
 * every getter, every value as text, every tensor's every float. Used on
 * files that passed validation after random damage, so that a reader which
 * let a bad offset through is caught reading out of bounds (under ASan).
 * Returns 1 when what it read is self-consistent (lookups by name find the
 * same tensor, shapes multiply to numel, data float-aligned), 0 if not;
 * *checksum keeps the reads from being optimised away. */
#ifndef T2V_TEST_WEIGHTS_EXERCISE_H
#define T2V_TEST_WEIGHTS_EXERCISE_H

#include <stdint.h>
#include <string.h>

#include "txt2vid/weights.h"

static inline int exercise_weights(const t2v_weights *w, uint64_t *checksum)
{
    uint64_t sum = 0;
    char text[96];
    size_t nkv = t2v_weights_kv_count(w);
    for (size_t k = 0; k < nkv; k++) {
        t2v_weights_kv kv;
        if (t2v_weights_kv_at(w, k, &kv) != T2V_OK)
            return 0;
        sum += strlen(kv.key) + (uint64_t)kv.type + kv.count;
        if (t2v_weights_format_value(w, k, text, sizeof text) == T2V_OK)
            sum += strlen(text);
        const char *s;
        uint32_t u32;
        int32_t i32;
        uint64_t u64;
        int64_t i64;
        float f;
        double d;
        int b;
        if (t2v_weights_get_str(w, kv.key, &s) == T2V_OK)
            sum += strlen(s);
        if (t2v_weights_get_u32(w, kv.key, &u32) == T2V_OK)
            sum += u32;
        if (t2v_weights_get_i32(w, kv.key, &i32) == T2V_OK)
            sum += (uint32_t)i32;
        if (t2v_weights_get_u64(w, kv.key, &u64) == T2V_OK)
            sum += u64;
        if (t2v_weights_get_i64(w, kv.key, &i64) == T2V_OK)
            sum += (uint64_t)i64;
        if (t2v_weights_get_f32(w, kv.key, &f) == T2V_OK)
            sum += f == f;
        if (t2v_weights_get_f64(w, kv.key, &d) == T2V_OK)
            sum += d == d;
        if (t2v_weights_get_bool(w, kv.key, &b) == T2V_OK)
            sum += (uint64_t)b;
        const char *const *items;
        size_t n;
        if (t2v_weights_get_str_array(w, kv.key, &items, &n) == T2V_OK)
            for (size_t i = 0; i < n; i++)
                sum += strlen(items[i]);
        if (kv.count && t2v_weights_get_str_array_item(w, kv.key, kv.count - 1, &s) == T2V_OK)
            sum += strlen(s);
        const float *fa;
        if (t2v_weights_get_f32_array(w, kv.key, &fa, &n) == T2V_OK)
            for (size_t i = 0; i < n; i++)
                sum += fa[i] == fa[i];
        const int32_t *ia;
        if (t2v_weights_get_i32_array(w, kv.key, &ia, &n) == T2V_OK)
            for (size_t i = 0; i < n; i++)
                sum += (uint32_t)ia[i];
        sum += (uint64_t)t2v_weights_has_key(w, kv.key);
    }
    size_t nt = t2v_weights_tensor_count(w);
    for (size_t k = 0; k < nt; k++) {
        t2v_weights_tensor t, by_name;
        if (t2v_weights_tensor_at(w, k, &t) != T2V_OK ||
            t2v_weights_find_tensor(w, t.name, &by_name) != T2V_OK || by_name.data != t.data)
            return 0;
        int64_t numel = 1;
        for (int d = 0; d < t.ndim; d++)
            numel *= t.shape[d];
        if (numel != t.numel || (uintptr_t)t.data % 4 != 0)
            return 0;
        for (int64_t i = 0; i < t.numel; i++) {
            uint32_t bits;
            memcpy(&bits, &t.data[i], 4);
            sum += bits;
        }
    }
    *checksum += sum;
    return 1;
}

#endif
