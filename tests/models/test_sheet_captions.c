/* The sample sheets' fixed captions (t2v_sheet_captions): half from the
 * test split, half from the training split, each checked against the
 * compositional split of docs/data.md (recomputed here from the caption's
 * words), all distinct, and spread over each split's list instead of its
 * first entries (TBMG's first 40 captions all start with "digit 0"). */
#include <stdio.h>
#include <string.h>

#include "bouncing_caption.h"
#include "t2v_test.h"
#include "train/common/captions.h"

/* Whether a combination belongs to the test split (docs/data.md). */
static int is_test(int n, const int *d, const int *m)
{
    if (n == 1)
        return (d[0] == 2 && m[0] == 1) || (d[0] == 4 && m[0] == 0) ||
               (d[0] == 7 && m[0] == 1) || (d[0] == 9 && m[0] == 0);
    return (d[0] + 2 * d[1] + 3 * m[0] + 4 * m[1]) % 5 == 0;
}

static void check_set(const char *name, int objects)
{
    t2v_data_options o;
    t2v_data_options_default(&o);
    o.name = name;
    const char *caps[8];
    char store[8][160];
    int n = t2v_sheet_captions(&o, caps, store, 8);
    if (n == 0) {
        printf("skip - %s: no data (%s)\n", name, t2v_data_last_error());
        return;
    }
    T2V_CHECK(n == 8, "%s: 8 sheet captions (%d)", name, n);
    int firsts[10] = {0}, distinct_first = 0, seconds[10] = {0}, distinct_second = 0;
    for (int i = 0; i < n; i++) {
        int d[2], m[2];
        int k = parse_caption(caps[i], d, m);
        T2V_CHECK(k == objects, "%s: \"%s\" names %d digit(s)", name, caps[i], objects);
        if (k != objects)
            continue;
        int want_test = i < n / 2;
        T2V_CHECK(is_test(k, d, m) == want_test, "%s: \"%s\" is a %s caption", name, caps[i],
                  want_test ? "test" : "training");
        if (want_test && !firsts[d[0]]++)
            distinct_first++;
        if (want_test && k == 2 && !seconds[d[1]]++)
            distinct_second++;
        for (int j = 0; j < i; j++)
            T2V_CHECK(strcmp(caps[i], caps[j]) != 0, "%s: captions %d and %d differ", name, j,
                      i);
    }
    T2V_CHECK(distinct_first >= (objects == 1 ? 4 : 3),
              "%s: the test captions' first digits vary (%d different)", name, distinct_first);
    if (objects == 2)
        T2V_CHECK(distinct_second >= 2, "%s: their second digits vary (%d different)", name,
                  distinct_second);
}

int main(void)
{
    check_set("sbmg", 1);
    check_set("tbmg", 2);
    return t2v_test_finish();
}
