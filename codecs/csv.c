/* csv.c - RFC 4180 rows from a file held in memory.  Each row is unquoted
 * in place (a field never grows when its quotes are removed), so a row costs
 * no allocation beyond the field pointer array. */
#include "csv.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <stdlib.h>
#include <string.h>

static int init(cs_csv *c, char *buf, size_t len, const char *name)
{
    memset(c, 0, sizeof *c);
    c->buf = buf;
    c->len = len;
    c->next_line = 1;
    if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
        c->pos = 3;
    if (!(c->name = strdup(name))) {
        free(buf);
        c->buf = NULL;
        return cs_error(CS_ENOMEM, "out of memory");
    }
    return 0;
}

int cs_csv_open(cs_csv *c, const char *path)
{
    uint8_t *buf;
    size_t len;
    memset(c, 0, sizeof *c);
    int rc = cs_read_file(path, &buf, &len);
    return rc ? rc : init(c, (char *)buf, len, path);
}

int cs_csv_open_mem(cs_csv *c, const char *text, size_t len, const char *name)
{
    memset(c, 0, sizeof *c);
    char *buf = cs_malloc(len + 1);
    if (!buf)
        return CS_ENOMEM;
    memcpy(buf, text, len);
    buf[len] = 0;
    return init(c, buf, len, name);
}

void cs_csv_release(cs_csv *c)
{
    free(c->buf);
    free(c->field);
    free(c->name);
    memset(c, 0, sizeof *c);
}

static int push_field(cs_csv *c, char *f)
{
    if (c->nfields == c->cap) {
        int cap = c->cap ? 2 * c->cap : 32;
        char **grown = realloc(c->field, (size_t)cap * sizeof *grown);
        if (!grown)
            return cs_error(CS_ENOMEM, "out of memory reading '%s'", c->name);
        c->field = grown;
        c->cap = cap;
    }
    c->field[c->nfields++] = f;
    return 0;
}

/* One field starting at c->pos: NUL-terminated in place, *delim set to what
 * ended it (',' or '\n', 0 at the end of the buffer) and c->pos moved past
 * that.  A CR before the line end is dropped. */
static int read_field(cs_csv *c, char **out, char *delim)
{
    char *b = c->buf;
    size_t p = c->pos, end;
    *out = b + p;
    if (p < c->len && b[p] == '"') {
        size_t w = p; /* write position: unquoting shifts text left */
        p++;
        for (;;) {
            if (p >= c->len)
                return cs_error(CS_EFORMAT, "'%s': line %lld: quoted field never closes", c->name,
                                (long long)c->line);
            if (b[p] == '"') {
                if (p + 1 < c->len && b[p + 1] == '"') {
                    b[w++] = '"';
                    p += 2;
                    continue;
                }
                p++;
                break;
            }
            if (b[p] == '\n')
                c->next_line++;
            b[w++] = b[p++];
        }
        if (p < c->len && b[p] == '\r' && (p + 1 == c->len || b[p + 1] == '\n'))
            p++;
        if (p < c->len && b[p] != ',' && b[p] != '\n')
            return cs_error(CS_EFORMAT, "'%s': line %lld: text after a closing quote", c->name,
                            (long long)c->next_line);
        end = w; /* w < p: the opening quote alone frees a byte */
    } else {
        while (p < c->len && b[p] != ',' && b[p] != '\n') {
            if (b[p] == '"')
                return cs_error(CS_EFORMAT, "'%s': line %lld: quote inside an unquoted field",
                                c->name, (long long)c->next_line);
            p++;
        }
        end = p;
        if (end > c->pos && b[end - 1] == '\r' && (end == c->len || b[end] == '\n'))
            end--;
    }
    *delim = p < c->len ? b[p] : 0;
    c->pos = p < c->len ? p + 1 : p;
    b[end] = 0; /* b[len] is the NUL cs_read_file and open_mem put there */
    return 0;
}

int cs_csv_next(cs_csv *c)
{
    c->nfields = 0;
    /* Skip blank lines (CRLF or LF). */
    while (c->pos < c->len && (c->buf[c->pos] == '\n' || c->buf[c->pos] == '\r')) {
        if (c->buf[c->pos] == '\n')
            c->next_line++;
        c->pos++;
    }
    if (c->pos >= c->len)
        return 0;
    c->line = c->next_line;
    for (;;) {
        char *f, delim = 0;
        int rc = read_field(c, &f, &delim);
        if (rc || (rc = push_field(c, f)))
            return rc;
        if (delim == '\n')
            c->next_line++;
        if (delim != ',')
            return 1;
    }
}

int cs_csv_column(const cs_csv *c, const char *name)
{
    for (int i = 0; i < c->nfields; i++)
        if (!strcmp(c->field[i], name))
            return i;
    return -1;
}
