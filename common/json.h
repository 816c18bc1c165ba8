/* json.h - JSON strings for the machine-readable outputs (inspect --json,
 * train -o, select's tables): one escaper for every writer.  Bytes are
 * passed through as they are (UTF-8 stays UTF-8); '"' and '\' are escaped,
 * control characters become \u00XX. */
#ifndef CS_JSON_H
#define CS_JSON_H

#include <stddef.h>
#include <stdio.h>

void cs_json_str_n(FILE *out, const char *s, size_t n);
void cs_json_str(FILE *out, const char *s);
/* A string, or null for NULL or "". */
void cs_json_str_or_null(FILE *out, const char *s);

#endif
