/* ecg_signal.c - picking leads of a WFDB record by name, and resampling a
 * stretch of one lead by linear interpolation. */
#include "ds_ecg.h"

#include "../common/err.h"

#include <math.h>
#include <string.h>
#include <strings.h>

int ecg_pick_leads(const cs_wfdb_header *h, const char *spec, int all_by_default, int *idx,
                   int *nleads, const char **missing, int *missing_len)
{
    *nleads = 0;
    if (!spec || !*spec) {
        int n = all_by_default ? h->nsig : h->nsig > 0;
        if (n > ECG_MAX_LEADS)
            return cs_error(CS_EUNSUP, "'%s': %d signals; at most %d leads are supported", h->path, n,
                            ECG_MAX_LEADS);
        for (int s = 0; s < n; s++)
            idx[s] = s;
        *nleads = n;
        return n > 0 ? 0 : cs_error(CS_EFORMAT, "'%s': the record has no signals", h->path);
    }
    const char *p = spec;
    for (;;) {
        while (*p == ' ')
            p++;
        const char *q = p;
        while (*q && *q != ',')
            q++;
        const char *t = q;
        while (t > p && t[-1] == ' ')
            t--;
        size_t len = (size_t)(t - p);
        if (len == 0)
            return cs_error(CS_EINVAL, "ecg.leads: empty lead name in '%s'", spec);
        if (*nleads == ECG_MAX_LEADS)
            return cs_error(CS_EINVAL, "ecg.leads: more than %d leads in '%s'", ECG_MAX_LEADS, spec);
        int found = -1;
        for (int s = 0; s < h->nsig && found < 0; s++)
            if (strlen(h->sig[s].description) == len && !strncasecmp(h->sig[s].description, p, len))
                found = s;
        if (found < 0) {
            *missing = p;
            *missing_len = (int)len;
            return 1;
        }
        idx[(*nleads)++] = found;
        if (!*q)
            return 0;
        p = q + 1;
    }
}

void ecg_resample(const float *x, int64_t stride, int64_t n, double start, double step, int len,
                  float *out)
{
    for (int k = 0; k < len; k++) {
        double pos = start + step * k;
        int64_t i = (int64_t)floor(pos);
        if (i >= n - 1) /* the last sample itself (pos == n - 1) */
            i = n - 2 < 0 ? 0 : n - 2;
        double f = pos - (double)i;
        double a = x[i * stride], b = i + 1 < n ? x[(i + 1) * stride] : a;
        out[k] = (float)(a + (b - a) * f);
    }
}
