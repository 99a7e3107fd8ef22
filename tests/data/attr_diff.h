/* Test helper: how many of n attributes a caption (parsed into got) states
 * differently from an item's true attributes; *which gets the last one. */
#ifndef T2V_TEST_ATTR_DIFF_H
#define T2V_TEST_ATTR_DIFF_H

#include "dataset.h"

static inline int attr_differences(const int *got, const t2v_data_attrs *truth, int n, int *which)
{
    int diff = 0;
    for (int j = 0; j < n; j++)
        if (got[j] != truth->attr[j].value) {
            diff++;
            *which = j;
        }
    return diff;
}

#endif
