/* A strict reader for the mnist package's digit files:
 *   {"data": [v0, v1, ...]}   with n * 784 JSON numbers in [0, 1].
 * Anything else (other keys, strings, nesting, trailing bytes, a number
 * out of range or malformed) is rejected with the byte offset. */
#include <stdlib.h>
#include <string.h>

#include "data_internal.h"
#include "glyph_cache.h"

typedef struct json_cursor {
    const char *p, *start, *end;
} json_cursor;

static void json_skip_space(json_cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int json_expect(json_cursor *c, char ch)
{
    json_skip_space(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* One JSON number (RFC 8259 grammar) into *v. */
static int json_number(json_cursor *c, double *v)
{
    json_skip_space(c);
    const char *s = c->p, *p = c->p;
    if (p < c->end && *p == '-')
        p++;
    if (p >= c->end || !is_digit(*p))
        return 0;
    if (*p == '0')
        p++;
    else
        while (p < c->end && is_digit(*p))
            p++;
    if (p < c->end && *p == '.') {
        p++;
        if (p >= c->end || !is_digit(*p))
            return 0;
        while (p < c->end && is_digit(*p))
            p++;
    }
    if (p < c->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < c->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= c->end || !is_digit(*p))
            return 0;
        while (p < c->end && is_digit(*p))
            p++;
    }
    char buf[64];
    size_t len = (size_t)(p - s);
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    *v = strtod(buf, NULL);
    c->p = p;
    return 1;
}

t2v_status t2v_mnist_json_parse(const char *text, size_t len, uint8_t **pixels, long *count)
{
    json_cursor c = {text, text, text + len};
    *pixels = NULL;
    *count = 0;
    if (!json_expect(&c, '{'))
        return t2v_data_fail(T2V_ERR_FORMAT, "digit file: expected '{' at byte 0");
    json_skip_space(&c);
    static const char key[] = "\"data\"";
    if ((size_t)(c.end - c.p) < sizeof key - 1 || memcmp(c.p, key, sizeof key - 1) != 0)
        return t2v_data_fail(T2V_ERR_FORMAT, "digit file: expected the key \"data\" at byte %ld",
                             (long)(c.p - c.start));
    c.p += sizeof key - 1;
    if (!json_expect(&c, ':') || !json_expect(&c, '['))
        return t2v_data_fail(T2V_ERR_FORMAT, "digit file: expected ': [' at byte %ld",
                             (long)(c.p - c.start));
    size_t cap = 1 << 20, n = 0;
    uint8_t *out = malloc(cap);
    if (!out)
        return t2v_data_fail(T2V_ERR_NOMEM, "digit file: out of memory");
    json_skip_space(&c);
    int empty = c.p < c.end && *c.p == ']';
    while (!empty) {
        double v;
        if (!json_number(&c, &v) || !(v >= 0.0 && v <= 1.0)) {
            free(out);
            return t2v_data_fail(T2V_ERR_FORMAT,
                                 "digit file: expected a number in [0, 1] at byte %ld",
                                 (long)(c.p - c.start));
        }
        if (n == cap) {
            uint8_t *grown = realloc(out, cap * 2);
            if (!grown) {
                free(out);
                return t2v_data_fail(T2V_ERR_NOMEM, "digit file: out of memory");
            }
            out = grown;
            cap *= 2;
        }
        out[n++] = (uint8_t)(v * 255.0 + 0.5);
        if (json_expect(&c, ','))
            continue;
        break;
    }
    if (!json_expect(&c, ']') || !json_expect(&c, '}')) {
        free(out);
        return t2v_data_fail(T2V_ERR_FORMAT, "digit file: expected ',' or ']}' at byte %ld",
                             (long)(c.p - c.start));
    }
    json_skip_space(&c);
    if (c.p != c.end) {
        free(out);
        return t2v_data_fail(T2V_ERR_FORMAT, "digit file: trailing bytes at %ld",
                             (long)(c.p - c.start));
    }
    if (n == 0 || n % 784 != 0) {
        free(out);
        return t2v_data_fail(T2V_ERR_FORMAT,
                             "digit file: %zu numbers, not a positive multiple of 784", n);
    }
    *pixels = out;
    *count = (long)(n / 784);
    return T2V_OK;
}
