/* inspect_wfdb.c - placeholder until the WFDB reader lands. */
#include "inspect.h"

#include "../common/err.h"

int inspect_is_wfdb(const char *path)
{
    (void)path;
    return 0;
}

int inspect_wfdb(FILE *out, const char *record, int json)
{
    (void)out, (void)json;
    return cs_error(CS_EUNSUP, "cannot read '%s': WFDB reader not built yet", record);
}
