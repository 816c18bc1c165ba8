/* wfdb_hea.c - the WFDB header (.hea): record line, signal lines, comments.
 *
 *   name[/nseg] nsig [fs[/counter_fs[(base_counter)]] [nsamples [base_time [base_date]]]]
 *   fname fmt[xspf][:skew][+offset] [gain[(baseline)][/units] [res [zero [init [cksum [bsize [desc]]]]]]]
 *
 * Fields are separated by blanks; comment lines start with '#'.  The header
 * is parsed from one NUL-terminated copy, cut in place into tokens. */
#include "wfdb.h"

#include "../common/err.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Far more than any real record (12-lead ECG, 16-channel EEG, a few hundred
 * in polysomnography); bounds what a corrupt header can make us allocate. */
#define MAX_SIGNALS 4096

void cs_wfdb_header_init(cs_wfdb_header *h) { memset(h, 0, sizeof *h); }

void cs_wfdb_header_release(cs_wfdb_header *h)
{
    if (!h)
        return;
    for (int i = 0; h->sig && i < h->nsig; i++) {
        free(h->sig[i].fname);
        free(h->sig[i].units);
        free(h->sig[i].description);
    }
    for (int i = 0; i < h->ncomments; i++)
        free(h->comments[i]);
    free(h->comments);
    free(h->sig);
    free(h->name);
    free(h->base_time);
    free(h->base_date);
    free(h->dir);
    free(h->path);
    cs_wfdb_header_init(h);
}

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = cs_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

/* Next blank-separated token of the line at *cur, NUL-terminated in place; NULL at the end. */
static char *next_token(char **cur)
{
    char *p = *cur;
    while (*p && is_blank(*p))
        p++;
    if (!*p) {
        *cur = p;
        return NULL;
    }
    char *start = p;
    while (*p && !is_blank(*p))
        p++;
    if (*p)
        *p++ = 0;
    *cur = p;
    return start;
}

/* Strict integer: the whole text, within [lo, hi]. */
static int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (end == s || *end || errno || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* A finite number starting at s; *end is set past it. */
static int parse_num_prefix(const char *s, double *out, char **end)
{
    errno = 0;
    double v = strtod(s, end);
    if (*end == s || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

typedef struct parse_ctx {
    cs_wfdb_header *h;
    const char *name; /* for messages */
    int line;
} parse_ctx;

static int bad(const parse_ctx *c, const char *what, const char *tok)
{
    return cs_error(CS_EFORMAT, "'%s': line %d: bad %s '%s'", c->name, c->line, what, tok);
}

/* fs[/counter_fs[(base_counter)]] */
static int parse_fs(const parse_ctx *c, char *tok)
{
    cs_wfdb_header *h = c->h;
    char *end;
    if (parse_num_prefix(tok, &h->fs, &end) || h->fs <= 0)
        return bad(c, "sampling frequency", tok);
    if (*end == '/') {
        char *p = end + 1;
        if (parse_num_prefix(p, &h->counter_fs, &end) || h->counter_fs <= 0)
            return bad(c, "counter frequency", tok);
        if (*end == '(') {
            p = end + 1;
            if (parse_num_prefix(p, &h->base_counter, &end) || *end != ')')
                return bad(c, "base counter value", tok);
            end++;
        }
    }
    if (*end)
        return bad(c, "sampling frequency", tok);
    return 0;
}

static int parse_record_line(const parse_ctx *c, char *cur)
{
    cs_wfdb_header *h = c->h;
    char *tok = next_token(&cur);
    if (strchr(tok, '/'))
        return cs_error(CS_EUNSUP,
                        "'%s': line %d: record '%s' is a multi-segment record, which is not supported",
                        c->name, c->line, tok);
    if (!(h->name = dup_str(tok)))
        return CS_ENOMEM;
    int64_t v;
    if (!(tok = next_token(&cur)))
        return cs_error(CS_EFORMAT, "'%s': line %d: record line has no signal count", c->name,
                        c->line);
    if (parse_i64(tok, 0, MAX_SIGNALS, &v))
        return bad(c, "signal count", tok);
    h->nsig = (int)v;
    h->fs = 250; /* the WFDB default */
    if ((tok = next_token(&cur)) && parse_fs(c, tok))
        return CS_EFORMAT;
    if (tok && (tok = next_token(&cur))) {
        if (parse_i64(tok, 0, INT64_MAX / 4, &v))
            return bad(c, "sample count", tok);
        h->nsamples = v;
    }
    if (tok && (tok = next_token(&cur))) {
        if (!strchr(tok, ':'))
            return bad(c, "base time", tok);
        if (!(h->base_time = dup_str(tok)))
            return CS_ENOMEM;
        if ((tok = next_token(&cur))) {
            if (!strchr(tok, '/'))
                return bad(c, "base date", tok);
            if (!(h->base_date = dup_str(tok)))
                return CS_ENOMEM;
        }
    }
    if (tok && next_token(&cur))
        return cs_error(CS_EFORMAT, "'%s': line %d: extra fields on the record line", c->name,
                        c->line);
    return 0;
}

/* fmt[xspf][:skew][+offset] */
static int parse_format(const parse_ctx *c, cs_wfdb_signal *s, int idx, char *tok)
{
    char *p = tok;
    int64_t fmt = 0;
    if (*p < '0' || *p > '9')
        return bad(c, "signal format", tok);
    while (*p >= '0' && *p <= '9' && fmt < 100000)
        fmt = fmt * 10 + (*p++ - '0');
    long spf = 1, skew = 0;
    long long off = 0;
    char *end;
    if (*p == 'x') {
        errno = 0;
        spf = strtol(p + 1, &end, 10);
        if (end == p + 1 || errno || spf < 1)
            return bad(c, "samples per frame in format", tok);
        p = end;
    }
    if (*p == ':') {
        errno = 0;
        skew = strtol(p + 1, &end, 10);
        if (end == p + 1 || errno)
            return bad(c, "skew in format", tok);
        p = end;
    }
    if (*p == '+') {
        errno = 0;
        off = strtoll(p + 1, &end, 10);
        if (end == p + 1 || errno || off < 0 || off > INT64_MAX / 4)
            return bad(c, "byte offset in format", tok);
        p = end;
    }
    if (*p)
        return bad(c, "signal format", tok);
    if (fmt != 16 && fmt != 212)
        return cs_error(CS_EUNSUP,
                        "'%s': line %d: signal %d: format %lld is not supported (only 16 and 212)",
                        c->name, c->line, idx, (long long)fmt);
    if (spf != 1)
        return cs_error(CS_EUNSUP,
                        "'%s': line %d: signal %d: %ld samples per frame are not supported (only 1)",
                        c->name, c->line, idx, spf);
    if (skew != 0)
        return cs_error(CS_EUNSUP, "'%s': line %d: signal %d: skewed signals are not supported",
                        c->name, c->line, idx);
    s->fmt = (int)fmt;
    s->byte_offset = off;
    return 0;
}

/* gain[(baseline)][/units] */
static int parse_gain(const parse_ctx *c, cs_wfdb_signal *s, char *tok, int *has_baseline)
{
    char *end;
    if (parse_num_prefix(tok, &s->gain, &end))
        return bad(c, "ADC gain", tok);
    if (*end == '(') {
        char *p = end + 1;
        errno = 0;
        long long b = strtoll(p, &end, 10);
        if (end == p || errno || *end != ')' || b < INT32_MIN || b > INT32_MAX)
            return bad(c, "baseline in ADC gain", tok);
        s->baseline = (int32_t)b;
        *has_baseline = 1;
        end++;
    }
    if (*end == '/') {
        if (!end[1])
            return bad(c, "units in ADC gain", tok);
        free(s->units);
        if (!(s->units = dup_str(end + 1)))
            return CS_ENOMEM;
    } else if (*end) {
        return bad(c, "ADC gain", tok);
    }
    return 0;
}

static int parse_signal_line(const parse_ctx *c, int idx, char *cur)
{
    cs_wfdb_signal *s = &c->h->sig[idx];
    char *tok = next_token(&cur);
    int64_t v;
    if (!strcmp(tok, "-"))
        return cs_error(CS_EUNSUP, "'%s': line %d: signal %d: reading signals from standard input is not supported",
                        c->name, c->line, idx);
    if (!(s->fname = dup_str(tok)) || !(s->units = dup_str("mV")))
        return CS_ENOMEM;
    if (!(tok = next_token(&cur)))
        return cs_error(CS_EFORMAT, "'%s': line %d: signal %d has no format", c->name, c->line,
                        idx);
    int rc = parse_format(c, s, idx, tok);
    if (rc)
        return rc;
    s->gain = 0;
    s->adc_res = 0;
    int has_baseline = 0;
    if ((tok = next_token(&cur)) && (rc = parse_gain(c, s, tok, &has_baseline)))
        return rc;
    if (s->gain == 0)
        s->gain = 200; /* WFDB: a gain of 0 (or none) means 200 */
    if (tok && (tok = next_token(&cur))) {
        if (parse_i64(tok, 0, 32, &v))
            return bad(c, "ADC resolution", tok);
        s->adc_res = (int)v;
    }
    if (tok && (tok = next_token(&cur))) {
        if (parse_i64(tok, INT32_MIN, INT32_MAX, &v))
            return bad(c, "ADC zero", tok);
        s->adc_zero = (int32_t)v;
    }
    if (tok && (tok = next_token(&cur))) {
        if (parse_i64(tok, INT32_MIN, INT32_MAX, &v))
            return bad(c, "initial value", tok);
        s->init_value = (int32_t)v;
        s->has_init_value = 1;
    } else {
        s->init_value = s->adc_zero;
    }
    if (tok && (tok = next_token(&cur))) {
        /* Written signed (MIT-BIH: -22131) or unsigned (PTB-XL: 64292). */
        if (parse_i64(tok, -32768, 65535, &v))
            return bad(c, "checksum", tok);
        s->checksum = (uint16_t)(v & 0xffff);
        s->has_checksum = 1;
    }
    if (tok && (tok = next_token(&cur))) {
        if (parse_i64(tok, 0, INT_MAX, &v))
            return bad(c, "block size", tok);
        s->block_size = (int)v;
    }
    if (!has_baseline)
        s->baseline = s->adc_zero;
    if (s->adc_res == 0)
        s->adc_res = s->fmt == 212 ? 12 : 16;
    /* The description is the rest of the line, blanks inside included. */
    while (*cur && is_blank(*cur))
        cur++;
    size_t n = strlen(cur);
    while (n && is_blank(cur[n - 1]))
        cur[--n] = 0;
    if (!(s->description = dup_str(tok ? cur : "")))
        return CS_ENOMEM;
    return 0;
}

static int add_comment(cs_wfdb_header *h, const char *text)
{
    char **p = realloc(h->comments, (size_t)(h->ncomments + 1) * sizeof *p);
    if (!p)
        return cs_error(CS_ENOMEM, "out of memory reading header comments");
    h->comments = p;
    if (!(p[h->ncomments] = dup_str(text)))
        return CS_ENOMEM;
    h->ncomments++;
    return 0;
}

/* Signals of one file must be consecutive and agree on format and offset,
 * since the file interleaves them frame by frame. */
static int check_groups(const cs_wfdb_header *h, const char *name)
{
    for (int i = 1; i < h->nsig; i++) {
        const cs_wfdb_signal *a = &h->sig[i - 1], *b = &h->sig[i];
        if (!strcmp(a->fname, b->fname)) {
            if (a->fmt != b->fmt || a->byte_offset != b->byte_offset)
                return cs_error(CS_EUNSUP,
                                "'%s': signals %d and %d share file '%s' with different formats or offsets",
                                name, i - 1, i, b->fname);
            continue;
        }
        for (int j = 0; j < i - 1; j++)
            if (!strcmp(h->sig[j].fname, b->fname))
                return cs_error(CS_EFORMAT, "'%s': signals of file '%s' are not consecutive", name,
                                b->fname);
    }
    return 0;
}

int cs_wfdb_parse_header_mem(cs_wfdb_header *h, const char *text, size_t len, const char *name,
                             const char *dir)
{
    cs_wfdb_header_init(h);
    char *buf = NULL;
    int rc = CS_ENOMEM;
    parse_ctx c = {h, name ? name : "header", 0};
    if (!(h->path = dup_str(c.name)) || !(h->dir = dup_str(dir ? dir : ".")))
        goto out;
    c.name = h->path;
    if (memchr(text, 0, len)) {
        rc = cs_error(CS_EFORMAT, "'%s': header holds a NUL byte", c.name);
        goto out;
    }
    if (!(buf = cs_malloc(len + 1)))
        goto out;
    memcpy(buf, text, len);
    buf[len] = 0;
    int nsig_seen = 0, have_record = 0;
    char *line = buf;
    while (line) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        c.line++;
        char *p = line;
        while (*p && is_blank(*p))
            p++;
        if (*p == '#') {
            size_t n = strlen(p + 1);
            while (n && p[n] == '\r')
                p[n--] = 0;
            if ((rc = add_comment(h, p + 1)))
                goto out;
        } else if (*p) {
            if (!have_record) {
                if ((rc = parse_record_line(&c, p)))
                    goto out;
                have_record = 1;
                if (h->nsig && !(h->sig = cs_calloc((size_t)h->nsig, sizeof *h->sig))) {
                    rc = CS_ENOMEM;
                    goto out;
                }
            } else if (nsig_seen < h->nsig) {
                if ((rc = parse_signal_line(&c, nsig_seen, p)))
                    goto out;
                nsig_seen++;
            } else {
                rc = cs_error(CS_EFORMAT, "'%s': line %d: unexpected line after %d signal lines",
                              c.name, c.line, h->nsig);
                goto out;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    if (!have_record) {
        rc = cs_error(CS_EFORMAT, "'%s': no record line", c.name);
        goto out;
    }
    if (nsig_seen < h->nsig) {
        rc = cs_error(CS_EFORMAT, "'%s': record line says %d signals, header describes %d",
                      c.name, h->nsig, nsig_seen);
        goto out;
    }
    rc = check_groups(h, c.name);
out:
    free(buf);
    if (rc) {
        /* nsig may exceed the signals filled in; release() copes with NULL fields. */
        cs_wfdb_header_release(h);
    }
    return rc;
}

/* Split a record path into the header path and its folder. */
static int header_paths(const char *record_path, char **hea, char **dir)
{
    size_t n = strlen(record_path);
    int has_ext = n >= 4 && !strcmp(record_path + n - 4, ".hea");
    *hea = cs_malloc(n + 5);
    *dir = cs_malloc(n + 2);
    if (!*hea || !*dir)
        return CS_ENOMEM;
    snprintf(*hea, n + 5, "%s%s", record_path, has_ext ? "" : ".hea");
    const char *slash = strrchr(record_path, '/');
    if (!slash)
        snprintf(*dir, n + 2, ".");
    else if (slash == record_path)
        snprintf(*dir, n + 2, "/");
    else
        snprintf(*dir, n + 2, "%.*s", (int)(slash - record_path), record_path);
    return 0;
}

int cs_wfdb_read_header(cs_wfdb_header *h, const char *record_path)
{
    char *hea = NULL, *dir = NULL, *text = NULL;
    FILE *f = NULL;
    int rc = header_paths(record_path, &hea, &dir);
    cs_wfdb_header_init(h);
    if (rc)
        goto out;
    if (!(f = fopen(hea, "rb"))) {
        rc = cs_error_errno(CS_EIO, "cannot open '%s'", hea);
        goto out;
    }
    /* Headers are small; a megabyte bounds a wrong file given by mistake. */
    const size_t max = 1 << 20;
    if (!(text = cs_malloc(max))) {
        rc = CS_ENOMEM;
        goto out;
    }
    size_t len = fread(text, 1, max, f);
    if (ferror(f)) {
        rc = cs_error_errno(CS_EIO, "cannot read '%s'", hea);
        goto out;
    }
    if (len == max) {
        rc = cs_error(CS_EFORMAT, "'%s': header is larger than 1 MiB", hea);
        goto out;
    }
    rc = cs_wfdb_parse_header_mem(h, text, len, hea, dir);
out:
    if (f)
        fclose(f);
    free(text);
    free(hea);
    free(dir);
    return rc;
}
