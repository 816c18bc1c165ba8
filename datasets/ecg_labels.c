/* ecg_labels.c - where ECG labels come from: the AAMI EC57 classes of
 * MIT-format beat annotations, and PTB-XL's scp_codes dictionaries. */
#include "ds_ecg.h"

#include "../common/err.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const ecg_aami_names[5] = {"N", "S", "V", "F", "Q"};

int ecg_aami_class(const char *symbol)
{
    /* N: normal, bundle branch blocks, escapes; S: supraventricular ectopic;
     * V: ventricular ectopic; F: fusion of ventricular and normal; Q: paced,
     * fusion of paced and normal, unclassifiable. */
    static const struct {
        const char *sym;
        int cls;
    } table[] = {{"N", 0}, {"L", 0}, {"R", 0}, {"e", 0}, {"j", 0}, {"A", 1}, {"a", 1},
                 {"J", 1}, {"S", 1}, {"V", 2}, {"E", 2}, {"F", 3}, {"/", 4}, {"f", 4},
                 {"Q", 4}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (!strcmp(symbol, table[i].sym))
            return table[i].cls;
    return -1;
}

static const char *skip_ws(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

int ecg_parse_scp_codes(const char *text, ecg_scp_code *out, int cap, int *n)
{
    const char *p = skip_ws(text);
    *n = 0;
    if (*p++ != '{')
        return cs_error(CS_EFORMAT, "scp_codes '%.60s' is not a {'CODE': likelihood, ...} dictionary", text);
    p = skip_ws(p);
    if (*p == '}')
        return *skip_ws(p + 1) ? cs_error(CS_EFORMAT, "scp_codes '%.60s': text after '}'", text) : 0;
    for (;;) {
        char quote = *p;
        if (quote != '\'' && quote != '"')
            return cs_error(CS_EFORMAT, "scp_codes '%.60s': expected a quoted code", text);
        const char *start = ++p;
        while (*p && *p != quote)
            p++;
        size_t len = (size_t)(p - start);
        if (!*p)
            return cs_error(CS_EFORMAT, "scp_codes '%.60s': unterminated code", text);
        if (len == 0 || len >= sizeof out->code)
            return cs_error(CS_EFORMAT, "scp_codes '%.60s': code of %zu characters", text, len);
        if (*n == cap)
            return cs_error(CS_EFORMAT, "scp_codes '%.60s': more than %d codes", text, cap);
        memcpy(out[*n].code, start, len);
        out[*n].code[len] = 0;
        p = skip_ws(p + 1);
        if (*p++ != ':')
            return cs_error(CS_EFORMAT, "scp_codes '%.60s': expected ':' after '%s'", text, out[*n].code);
        p = skip_ws(p);
        char *end;
        if (!(isdigit((unsigned char)*p) || *p == '-' || *p == '+' || *p == '.'))
            return cs_error(CS_EFORMAT, "scp_codes '%.60s': likelihood of '%s' is not a number", text,
                            out[*n].code);
        out[*n].likelihood = strtod(p, &end);
        if (end == p || !isfinite(out[*n].likelihood))
            return cs_error(CS_EFORMAT, "scp_codes '%.60s': likelihood of '%s' is not a number", text,
                            out[*n].code);
        (*n)++;
        p = skip_ws(end);
        if (*p == '}')
            return *skip_ws(p + 1) ? cs_error(CS_EFORMAT, "scp_codes '%.60s': text after '}'", text) : 0;
        if (*p++ != ',')
            return cs_error(CS_EFORMAT, "scp_codes '%.60s': expected ',' or '}'", text);
        p = skip_ws(p);
        if (*p == '}') /* a trailing comma, as Python allows */
            return *skip_ws(p + 1) ? cs_error(CS_EFORMAT, "scp_codes '%.60s': text after '}'", text) : 0;
    }
}
