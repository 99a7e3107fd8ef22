/* Reading numeric CSV logs such as "step,d_loss,g_loss". */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_table.h"
#include "media_internal.h"

enum { CSV_MAX_COLS = 256 };

/* The whole file, NUL-terminated. */
static char *slurp(const char *path, t2v_status *status)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        *status = t2v_media_fail(T2V_ERR_IO, "csv: cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (len + 1 >= cap) {
            char *bigger = cap < ((size_t)1 << 30) ? realloc(buf, cap * 2) : NULL;
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - 1 - len, f);
        len += got;
        if (got == 0)
            break;
    }
    int failed = ferror(f);
    fclose(f);
    if (!buf) {
        *status = t2v_media_fail(T2V_ERR_NOMEM, "csv: %s is too large", path);
        return NULL;
    }
    if (failed) {
        free(buf);
        *status = t2v_media_fail(T2V_ERR_IO, "csv: cannot read %s", path);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

/* Trims spaces, a trailing CR and surrounding double quotes in place. */
static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s[n - 1] = '\0';
        s++;
    }
    return s;
}

/* Splits line at commas in place; returns the number of cells (up to max). */
static int split_cells(char *line, char **cells, int max)
{
    int n = 0;
    for (char *p = line;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (n < max)
            cells[n] = trim(p);
        n++;
        if (!comma)
            break;
        p = comma + 1;
    }
    return n;
}

static int blank(const char *line)
{
    for (; *line; line++)
        if (*line != ' ' && *line != '\t' && *line != '\r')
            return 0;
    return 1;
}

t2v_status t2v_csv_table_read(const char *path, t2v_csv_table *table)
{
    memset(table, 0, sizeof *table);
    t2v_status status = T2V_OK;
    char *text = slurp(path, &status);
    if (!text)
        return status;
    size_t lines = 1;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    char **cells = malloc(CSV_MAX_COLS * sizeof *cells);
    if (!cells) {
        free(text);
        return t2v_media_fail(T2V_ERR_NOMEM, "csv: out of memory");
    }
    char *line = text;
    int line_no = 0;
    for (char *next; line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line_no++;
        if (blank(line))
            continue;
        int n = split_cells(line, cells, CSV_MAX_COLS);
        if (!table->names) {
            if (n > CSV_MAX_COLS) {
                status = t2v_media_fail(T2V_ERR_FORMAT, "csv: %s has %d columns (at most %d)",
                                        path, n, CSV_MAX_COLS);
                break;
            }
            table->cols = n;
            table->names = calloc((size_t)n, sizeof *table->names);
            table->cells = malloc(lines * (size_t)n * sizeof *table->cells);
            if (!table->names || !table->cells) {
                status = t2v_media_fail(T2V_ERR_NOMEM, "csv: out of memory");
                break;
            }
            for (int c = 0; c < n; c++) {
                table->names[c] = strdup(cells[c]);
                if (!table->names[c]) {
                    status = t2v_media_fail(T2V_ERR_NOMEM, "csv: out of memory");
                    break;
                }
            }
            if (status != T2V_OK)
                break;
            continue;
        }
        if (n > table->cols) {
            status = t2v_media_fail(T2V_ERR_FORMAT, "csv: %s line %d has %d cells, the header %d",
                                    path, line_no, n, table->cols);
            break;
        }
        double *row = table->cells + (size_t)table->rows * (size_t)table->cols;
        for (int c = 0; c < table->cols; c++) {
            row[c] = NAN;
            if (c >= n || !*cells[c])
                continue;
            char *end;
            errno = 0;
            row[c] = strtod(cells[c], &end);
            if (end == cells[c] || *end) {
                status = t2v_media_fail(T2V_ERR_FORMAT,
                                        "csv: %s line %d column %d: \"%.40s\" is not a number",
                                        path, line_no, c + 1, cells[c]);
                break;
            }
        }
        if (status != T2V_OK)
            break;
        table->rows++;
    }
    free(cells);
    free(text);
    if (status == T2V_OK && !table->names)
        status = t2v_media_fail(T2V_ERR_FORMAT, "csv: %s has no header line", path);
    if (status != T2V_OK)
        t2v_csv_table_free(table);
    return status;
}

void t2v_csv_table_free(t2v_csv_table *table)
{
    if (table->names)
        for (int c = 0; c < table->cols; c++)
            free(table->names[c]);
    free(table->names);
    free(table->cells);
    memset(table, 0, sizeof *table);
}
