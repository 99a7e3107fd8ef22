/* Test helper: SBMG / TBMG captions read back into digits and motions by
 * their grammar (docs/data.md), independently of the data set's code. */
#ifndef T2V_TEST_BOUNCING_CAPTION_H
#define T2V_TEST_BOUNCING_CAPTION_H

#include <string.h>

/* Parses "W is moving[ M][ and W is moving[ M]]", W "digit D" or "a
 * digit", M a direction, independently of the generator; an unstated
 * identity or motion reads -1. Returns the number of digits, 0 when
 * malformed. */
static inline int parse_any_caption(const char *s, int *digit, int *motion)
{
    int n = 0;
    while (n < 2) {
        if (strncmp(s, "a digit", 7) == 0) {
            digit[n] = -1;
        } else {
            if (strncmp(s, "digit ", 6) != 0 || s[6] < '0' || s[6] > '9')
                return 0;
            digit[n] = s[6] - '0';
        }
        s += 7;
        if (strncmp(s, " is moving", 10) != 0)
            return 0;
        s += 10;
        if (strncmp(s, " left and right", 15) == 0)
            motion[n] = 0, s += 15;
        else if (strncmp(s, " up and down", 12) == 0)
            motion[n] = 1, s += 12;
        else
            motion[n] = -1;
        n++;
        if (*s == '\0')
            return n;
        if (strncmp(s, " and ", 5) != 0)
            return 0;
        s += 5;
    }
    return 0;
}

/* A caption that states every digit and motion: the number of digits, or 0. */
static inline int parse_caption(const char *s, int *digit, int *motion)
{
    int n = parse_any_caption(s, digit, motion);
    for (int j = 0; j < n; j++)
        if (digit[j] < 0 || motion[j] < 0)
            return 0;
    return n;
}

#endif
