/* gather_prov.c - RUN/run.yaml for the provenance section: the whole file
 * (the resolved config) and the key/value pairs of its `provenance:`
 * mapping, which `coreset score` appends (tool version, dataset sha256,
 * seed, threads, device, wall time, effective epochs). */
#include "report_data.h"

#include "../common/err.h"
#include "../common/fsio.h"

#include <stdio.h>
#include <stdlib.h>

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
    return cs_run_prov_read_mem(&d->prov, path, buf, len);
}
