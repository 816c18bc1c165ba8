/* gather_prov.c - RUN/run.yaml for the provenance section: the whole file
 * (the resolved config) and the key/value pairs of its `provenance:`
 * mapping, which `coreset score` appends (tool version, dataset sha256,
 * seed, threads, device, wall time, effective epochs). */
#include "report_data.h"

#include "../common/err.h"
#include "../run/run_dir.h"
#include "../common/fsio.h"
#include "../common/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cs_report_gather_prov(cs_report_data *d)
{
    char path[4200];
    cs_run_path(path, sizeof path, d->run, CS_RUN_YAML);
    if (!cs_path_exists(path))
        return 0;
    uint8_t *buf;
    size_t len;
    int rc = cs_read_file(path, &buf, &len);
    if (rc)
        return rc;
    d->run_yaml = (char *)buf;
    return cs_run_prov_read_mem(&d->prov, path, buf, len);
}

const char *cs_report_class(const cs_report_data *d, int c, int form, char *buf, size_t size)
{
    const char *name = NULL;
    for (int i = 0; i < d->prov.n; i++) {
        const cs_prov_item *it = &d->prov.item[i];
        if (!strcmp(it->key, "class_names") && it->nlist == d->num_classes && c >= 0 && c < it->nlist)
            name = it->list[c];
    }
    char nm[20];
    if (name)
        cs_utf8_prefix(nm, sizeof nm, name, form == CS_CLASS_SHORT ? 8 : 16);
    if (!name)
        snprintf(buf, size, "class %d", c);
    else if (form == CS_CLASS_SHORT)
        snprintf(buf, size, "%d %s", c, nm);
    else
        snprintf(buf, size, "class %d (%s)", c, nm);
    return buf;
}
