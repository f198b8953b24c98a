/* xlsx.h - reading census sheets: a CSV file (UTF-8 with or without BOM, or GB18030) or
 * the first worksheet of an XLSX or XLS workbook, into one table of text cells. An
 * OpenDocument (.ods) or WPS (.et) file is refused, by its content, with how to save it
 * as .xlsx.
 *
 * Cells are UTF-8 strings as the user sees them: shared and inline strings as written,
 * numbers as stored, numbers with a date format as YYYY-MM-DD (YYYY-MM-DD HH:MM:SS when
 * the serial has a time of day), booleans as 1/0. Nothing
 * here knows about entities; import.c maps the header row to fields.
 *
 * Memory: a table owns an arena holding every cell and its rows array (a CSV opened by
 * table_open: the cells of the rows it holds, a window); table_free() releases both.
 */
#ifndef QIAO_XLSX_H
#define QIAO_XLSX_H

#include <jansson.h>
#include <stddef.h>

#include "entity.h"

struct trow {
    int num;                /* 1-based row number in the sheet (CSV: the record number) */
    int n;                  /* cells */
    char **cells;           /* n strings, never NULL ("" for an empty cell) */
    unsigned char *numeric; /* XLSX: 1 where the cell was a number, 2 a date cell (its text
                               YYYY-MM-DD, or YYYY-MM-DD HH:MM:SS with a time); NULL for CSV */
};

struct table {
    arena *a;
    struct trow *rows; /* xrealloc'd, owned */
    int nrows, cap;
    int xlsx;        /* read from a workbook */
    json_t *merges;  /* XLSX merged ranges: [{"ref": "A2:A3", "row": 2, "col": 1, ...}] */
    size_t max_rows; /* refuse a table with more rows (0: no limit) */
    int total;       /* the rows of the file (first + nrows once all are read) */
    /* A CSV opened by table_open is read as its rows are asked for: rows[0] is row first
     * of the file, the rows before it were dropped (table_drop); the cells of the rows held
     * are in the arena cells. src..src_end is the text still to read (text: a UTF-8 copy
     * of a GB18030 file, owned). */
    int lazy, first, rec;
    arena *cells;
    const char *src, *src_end;
    char *text, sep;
    int failed; /* table_row met an error (a limit): err says which */
    struct verr err;
};

/* Limits for both readers (a huge file is refused, not half-read). */
#define TABLE_MAX_ROWS 2000000
#define TABLE_MAX_COLS 1000

void table_init(struct table *t);
void table_free(struct table *t);

/* Read a CSV or XLSX file (by its first bytes) into t (initialised). 0, or -1 with e: 415
 * for an encoding that is neither UTF-8 nor GB18030 or a zip that is not a workbook, 413
 * for too many rows, 422 for a broken file. */
int table_read(struct table *t, const char *data, size_t len, struct verr *e);

/* The same, for reading row by row without holding every cell: a CSV is checked whole
 * and its records counted (total), then read as table_row asks for its rows; a workbook is
 * read whole as by table_read. data must stay until table_free. */
int table_open(struct table *t, const char *data, size_t len, struct verr *e);
/* Row i of the file (0-based; the rows of a table_read are t->rows[i]), or NULL past the
 * last one (or, t->failed, on an error in t->err). Valid until the next table_row or
 * table_drop. */
struct trow *table_row(struct table *t, int i);
/* Rows before row i are not asked for again: a table_open'ed CSV frees them (from time to
 * time, a few thousand at once). */
void table_drop(struct table *t, int i);

/* The pieces, for tests and fuzzing. */
/* Convert text to UTF-8: a UTF-8 BOM is dropped, valid UTF-8 is kept, anything else is
 * read as GB18030. *out is malloc'd (NUL-terminated), caller frees. */
int text_to_utf8(const char *in, size_t n, char **out, size_t *outn, struct verr *e);
/* Parse UTF-8 CSV (RFC 4180: quotes, doubled quotes, newlines inside quotes; LF, CRLF or
 * CR line ends; comma, or tab/semicolon when the first line has those and no comma). */
int csv_parse(struct table *t, const char *s, size_t n, struct verr *e);
int xlsx_read(struct table *t, const char *data, size_t len, struct verr *e);
/* The first worksheet of an old Excel (.xls) workbook, cells as xlsx_read gives them (a
 * number as Excel shows it, 15 significant digits). A compound file that is not a
 * workbook (WPS .et, Word) is refused with how to save it as .xlsx. */
int xls_read(struct table *t, const char *data, size_t len, struct verr *e);

/* Excel's day serial (1900 system) as YYYY-MM-DD into out[11]; 0, or -1 out of range. */
int xlsx_serial_date(double serial, char out[11]);
/* The same with the time of day, to the second: "YYYY-MM-DD HH:MM:SS" into out[20], or
 * only the date when the time is midnight. */
int xlsx_serial_datetime(double serial, char out[20]);
/* "A" -> 1, "AB" -> 28 (the letters of a cell reference); 0 when none. */
int xlsx_col_of(const char *ref);
/* 1 -> "A" into out[4]. */
void xlsx_col_name(int col, char out[4]);

#endif
