/* The tokenizer: a caption becomes lower-case words; ASCII punctuation
 * marks stand alone. UTF-8 is validated, never trusted. */
#include <string.h>

#include "core/status_internal.h"
#include "text/tokenizer.h"

/* Length of the UTF-8 sequence at s (1..4), or 0 when it is invalid:
 * overlong forms, surrogates and code points past U+10FFFF included. */
static size_t utf8_seq(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
    else return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static int is_space(unsigned c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int is_punct(unsigned c)
{
    return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') ||
           (c >= '{' && c <= '~');
}

t2v_status t2v_tokenize(const char *caption, t2v_word_fn fn, void *ctx)
{
    if (!caption)
        return t2v_fail(T2V_ERR_INVALID, "caption is NULL");
    size_t total = strnlen(caption, T2V_MAX_CAPTION_BYTES + 1);
    if (total > T2V_MAX_CAPTION_BYTES)
        return t2v_fail(T2V_ERR_INVALID, "caption is longer than %d bytes",
                        T2V_MAX_CAPTION_BYTES);
    /* validate everything before handing out any word */
    const unsigned char *s = (const unsigned char *)caption;
    for (size_t i = 0; i < total;) {
        size_t n = utf8_seq(s + i);
        if (n == 0 || i + n > total)
            return t2v_fail(T2V_ERR_INVALID, "caption is not valid UTF-8 (byte %zu)", i);
        i += n;
    }
    char word[T2V_MAX_WORD + 1];
    size_t wl = 0;
    for (size_t i = 0; i <= total;) {
        unsigned c = i < total ? s[i] : ' ';
        if (c < 0x80 && (is_space(c) || is_punct(c) || c < 0x20 || c == 0x7F)) {
            if (wl > 0) {
                word[wl] = '\0';
                if (fn(ctx, word, wl))
                    return T2V_OK;
                wl = 0;
            }
            if (is_punct(c)) {
                char p[2] = {(char)c, '\0'};
                if (fn(ctx, p, 1))
                    return T2V_OK;
            }
            i++;
            continue;
        }
        size_t n = utf8_seq(s + i);
        if (wl + n <= T2V_MAX_WORD) {
            for (size_t k = 0; k < n; k++) {
                unsigned b = s[i + k];
                word[wl++] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b);
            }
        }
        i += n;
    }
    return T2V_OK;
}
