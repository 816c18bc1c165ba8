/* aux_name.c - where a pruned split's source_index and score arrays go. */
#include "export.h"

#include <stdio.h>
#include <string.h>

void cs_export_aux_name(const cs_export_split *s, const char *what, char *buf, size_t len)
{
    const char *slash = strrchr(s->images_name, '/');
    if (slash)
        snprintf(buf, len, "%.*s/%s", (int)(slash - s->images_name), s->images_name, what);
    else
        snprintf(buf, len, "%s_%s", s->split, what);
}
