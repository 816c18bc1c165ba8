/* json.c - JSON string escaping (json.h). */
#include "json.h"

#include <string.h>

void cs_json_str_n(FILE *out, const char *s, size_t n)
{
    fputc('"', out);
    for (size_t k = 0; k < n; k++) {
        unsigned char ch = (unsigned char)s[k];
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\u%04x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

void cs_json_str(FILE *out, const char *s) { cs_json_str_n(out, s, strlen(s)); }

void cs_json_str_or_null(FILE *out, const char *s)
{
    if (s && *s)
        cs_json_str(out, s);
    else
        fputs("null", out);
}
