/* gather_auto.c - the candidate table of `select --by auto` (report_data.h):
 * INDEX.auto.json as select/auto.c writes it, one candidate object a line;
 * the fields are read by name from each line, which is all this file's
 * fixed layout needs (no general JSON reader). */
#include "report_data.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The string value of "key": "..." in line into buf (escapes kept as written). */
static int str_field(const char *line, const char *key, char *buf, size_t len)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(line, pat);
    buf[0] = 0;
    if (!p)
        return 0;
    p += strlen(pat);
    size_t k = 0;
    for (; *p && *p != '"' && k + 1 < len; p++) {
        if (*p == '\\' && p[1])
            p++;
        buf[k++] = *p;
    }
    buf[k] = 0;
    return 1;
}

static double num_field(const char *line, const char *key, double dflt)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(line, pat);
    return p ? strtod(p + strlen(pat), NULL) : dflt;
}

int cs_report_gather_auto(cs_report_data *d)
{
    char path[4200];
    size_t l = strlen(d->index_path);
    if (l > 4 && strcmp(d->index_path + l - 4, ".idx") == 0)
        l -= 4;
    snprintf(path, sizeof path, "%.*s.auto.json", (int)l, d->index_path);
    if (!cs_path_exists(path))
        return 0;
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(d->auto_note, sizeof d->auto_note, "'%.500s' could not be read.", path);
        return 0;
    }
    char line[8192];
    int cap = 0;
    while (fgets(line, sizeof line, fp)) {
        if (!d->auto_objective[0]) {
            str_field(line, "objective", d->auto_objective, sizeof d->auto_objective);
            str_field(line, "chosen", d->auto_chosen, sizeof d->auto_chosen);
        }
        if (strncmp(line, "  {\"name\": ", 11) != 0)
            continue;
        if (d->nauto == cap) {
            cap = cap ? 2 * cap : 16;
            cs_report_auto_row *r = realloc(d->auto_rows, sizeof *r * (size_t)cap);
            if (!r) {
                fclose(fp);
                return cs_error(CS_ENOMEM, "out of memory");
            }
            d->auto_rows = r;
        }
        cs_report_auto_row *r = &d->auto_rows[d->nauto++];
        memset(r, 0, sizeof *r);
        str_field(line, "name", r->name, sizeof r->name);
        str_field(line, "options", r->options, sizeof r->options);
        str_field(line, "status", r->status, sizeof r->status);
        r->evaluated = strcmp(r->status, "evaluated") == 0;
        r->mean = num_field(line, "mean", 0);
        r->std = num_field(line, "std", 0);
        r->seconds = num_field(line, "seconds", 0);
        r->epochs = (int)num_field(line, "epochs", 0);
        r->m = (long long)num_field(line, "m", 0);
    }
    fclose(fp);
    if (!d->nauto || !d->auto_chosen[0])
        snprintf(d->auto_note, sizeof d->auto_note, "'%.500s' holds no candidate table.", path);
    return 0;
}
