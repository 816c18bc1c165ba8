/* gather_prov.c - RUN/run.yaml for the provenance section: the whole file
 * (the resolved config) and the key/value pairs of its `provenance:`
 * mapping, which `coreset score` appends (tool version, dataset sha256,
 * seed, threads, device, wall time, effective epochs). */
#include "report_data.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cs_report_prov(const cs_report_data *d, const char *key)
{
    for (int i = 0; i < d->nprov; i++)
        if (!strcmp(d->prov[i].key, key))
            return d->prov[i].value;
    return NULL;
}

static int add_pair(cs_report_data *d, const char *key, size_t klen, const char *value)
{
    cs_report_kv *p = realloc(d->prov, sizeof *p * (size_t)(d->nprov + 1));
    if (!p)
        return cs_error(CS_ENOMEM, "out of memory");
    d->prov = p;
    p = &d->prov[d->nprov++];
    snprintf(p->key, sizeof p->key, "%.*s", (int)klen, key);
    /* quoted scalars lose their quotes */
    size_t vl = strlen(value);
    if (vl >= 2 && value[0] == '"' && value[vl - 1] == '"')
        snprintf(p->value, sizeof p->value, "%.*s", (int)(vl - 2), value + 1);
    else
        snprintf(p->value, sizeof p->value, "%s", value);
    return 0;
}

int cs_report_gather_prov(cs_report_data *d)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/run.yaml", d->run);
    if (!cs_path_exists(path))
        return 0;
    uint8_t *buf;
    size_t len;
    int rc = cs_read_file(path, &buf, &len);
    if (rc)
        return rc;
    d->run_yaml = (char *)buf;
    /* Walk a copy line by line: "provenance:" opens the mapping, the next
     * unindented line closes it, "  key: value" lines are its pairs. */
    char *copy = strdup(d->run_yaml);
    if (!copy)
        return cs_error(CS_ENOMEM, "out of memory");
    int inside = 0;
    for (char *line = strtok(copy, "\n"); line && !rc; line = strtok(NULL, "\n")) {
        if (!strcmp(line, "provenance:"))
            inside = 1;
        else if (line[0] != ' ')
            inside = 0;
        else if (inside && !strncmp(line, "  ", 2) && line[2] != ' ') {
            const char *sep = strstr(line, ": ");
            if (sep)
                rc = add_pair(d, line + 2, (size_t)(sep - line - 2), sep + 2);
        }
    }
    free(copy);
    return rc;
}
