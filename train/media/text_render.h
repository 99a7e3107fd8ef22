/* Caption and label text drawn with cairo, in a font that does not depend on
 * fontconfig: DejaVu Sans (or another common TrueType font) loaded by
 * FreeType from its Debian path, else cairo's own "sans-serif". */
#ifndef TXT2VID_TEXT_RENDER_H
#define TXT2VID_TEXT_RENDER_H

#include <cairo.h>

/* Selects the caption font at px pixels on cr, with grey antialiasing. */
void t2v_text_use_font(cairo_t *cr, double px);

/* Width in pixels of a UTF-8 string in the current font. */
double t2v_text_width(cairo_t *cr, const char *text);

/* Word-wraps text to max_w pixels (a word wider than that is broken between
 * characters) and, when draw is set, draws each line centred on centre_x,
 * the first baseline at y, lines line_h apart, at most max_lines lines (the
 * last one ends in "..." when text is cut). Returns the number of lines the
 * text needs (or max_lines when cut). Invalid UTF-8 bytes show as '?'. */
int t2v_text_wrapped(cairo_t *cr, const char *text, double centre_x, double y, double max_w,
                     double line_h, int max_lines, int draw);

/* Draws a UTF-8 string with its left end at x and baseline at y. */
void t2v_text_draw(cairo_t *cr, const char *text, double x, double y);

#endif
