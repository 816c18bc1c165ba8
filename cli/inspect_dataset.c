/* inspect_dataset.c - placeholder until the dataset readers land. */
#include "inspect.h"

#include "../common/err.h"

int inspect_dataset(FILE *out, const char *path, const cs_dataset_opts *opts, int json)
{
    (void)out, (void)opts, (void)json;
    return cs_error(CS_EUNSUP, "cannot read '%s': dataset readers not built yet", path);
}
