/* A numeric CSV log read into memory: the first column is x, the others
 * are series; empty cells are NaN. */
#ifndef TXT2VID_CSV_TABLE_H
#define TXT2VID_CSV_TABLE_H

#include "media.h"

typedef struct t2v_csv_table {
    int cols;      /* columns, x included */
    int rows;      /* data rows */
    char **names;  /* (cols) header names */
    double *cells; /* (rows, cols) */
} t2v_csv_table;

/* Reads path; T2V_ERR_IO when it cannot be read, T2V_ERR_FORMAT for a
 * missing header, a row with more cells than the header or a cell that is
 * not a number (the message names the line). Short rows end in NaN. */
t2v_status t2v_csv_table_read(const char *path, t2v_csv_table *table);

void t2v_csv_table_free(t2v_csv_table *table);

#endif
