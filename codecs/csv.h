/* csv.h - a reader of comma-separated files as PhysioNet ships them
 * (ptbxl_database.csv, scp_statements.csv): RFC 4180 quoting, so a quoted
 * field may hold commas, doubled quotes ("") and line breaks; CRLF or LF line
 * ends; a UTF-8 byte-order mark is skipped.
 *
 *   cs_csv c;
 *   cs_csv_open(&c, "ptbxl_database.csv");
 *   while ((rc = cs_csv_next(&c)) > 0)   c.field[0..c.nfields) of row c.line
 *   cs_csv_release(&c);
 *
 * Fields point into the reader's buffer and stay valid until the next row. */
#ifndef CS_CSV_H
#define CS_CSV_H

#include <stddef.h>
#include <stdint.h>

typedef struct cs_csv {
    char *buf;      /* the whole file, unquoted in place row by row */
    size_t len, pos;
    char **field;   /* the current row's fields */
    int nfields, cap;
    int64_t line;   /* line number (1-based) where the current row starts */
    int64_t next_line;
    char *name;     /* for messages */
} cs_csv;

/* Read `path` whole.  Errors: the file cannot be read. */
int cs_csv_open(cs_csv *c, const char *path);
/* Parse text of `len` bytes (copied); `name` stands for the file in messages. */
int cs_csv_open_mem(cs_csv *c, const char *text, size_t len, const char *name);
void cs_csv_release(cs_csv *c);
/* The next row: 1 with fields set, 0 at the end, or a negative error (an
 * unterminated quote, text after a closing quote) naming file and line.
 * Blank lines are skipped. */
int cs_csv_next(cs_csv *c);
/* Index of the field equal to `name` in the current row, or -1. */
int cs_csv_column(const cs_csv *c, const char *name);

#endif
