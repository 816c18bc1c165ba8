/* quota_modes.c - the quota modes (quota.h): each one's class weights for
 * the water-filling of quota.c, and the table the driver, the option parser
 * and the index header read.  A new mode is its weight function, a
 * cs_quota_mode value and one entry here. */
#include "quota.h"

#include "../common/err.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int proportional_weights(const int64_t *cap, const double *lc, int nc, double *w)
{
    (void)lc;
    for (int c = 0; c < nc; c++)
        w[c] = (double)cap[c];
    return 0;
}

static int balanced_weights(const int64_t *cap, const double *lc, int nc, double *w)
{
    (void)lc;
    for (int c = 0; c < nc; c++)
        w[c] = cap[c] > 0 ? 1.0 : 0.0;
    return 0;
}

static int sqrt_weights(const int64_t *cap, const double *lc, int nc, double *w)
{
    (void)lc;
    for (int c = 0; c < nc; c++)
        w[c] = sqrt((double)cap[c]);
    return 0;
}

/* RCAP's closed form n_c ~ sqrt(N_c * L_c) (METHODS.md section 4). */
static int rcap_weights(const int64_t *cap, const double *lc, int nc, double *w)
{
    for (int c = 0; c < nc; c++) {
        if (!lc)
            return cs_error(CS_EINVAL, "rcap quotas need the class losses L_c");
        if (!(lc[c] >= 0.0) || !isfinite(lc[c]))
            return cs_error(CS_EINVAL, "rcap: class %d: aggregate %g is not a finite value >= 0", c,
                            lc[c]);
        w[c] = sqrt((double)cap[c] * lc[c]);
    }
    return 0;
}

static int rcap_check(const cs_select_params *p, const cs_select_inputs *in)
{
    if (p->rcap_mass == CS_RCAP_GIVEN && !in->class_mass)
        return cs_error(CS_EINVAL, "rcap with a given class mass needs the per-class array");
    if (p->rcap_mass == CS_RCAP_LOSS && !in->loss)
        return cs_error(CS_EINVAL, "rcap quotas need the late-window loss");
    return 0;
}

static const cs_quota_info modes[] = {
    [CS_QUOTA_NONE] = {.name = "none"},
    [CS_QUOTA_PROPORTIONAL] = {.name = "proportional", .per_class = 1, .weights = proportional_weights},
    [CS_QUOTA_BALANCED] = {.name = "balanced", .per_class = 1, .weights = balanced_weights},
    [CS_QUOTA_SQRT] = {.name = "sqrt", .per_class = 1, .weights = sqrt_weights},
    [CS_QUOTA_RCAP] = {.name = "rcap", .per_class = 1, .class_loss = 1, .weights = rcap_weights,
                       .check = rcap_check},
};

/* A cs_quota_mode without its entry, or an entry without its mode, stops the build. */
_Static_assert(sizeof modes / sizeof modes[0] == CS_QUOTA_COUNT, "one entry per cs_quota_mode");

const cs_quota_info *cs_quota_info_at(int mode)
{
    return mode >= 0 && mode < CS_QUOTA_COUNT ? &modes[mode] : NULL;
}

const char *cs_quota_name(cs_quota_mode q)
{
    const cs_quota_info *m = cs_quota_info_at(q);
    return m ? m->name : "?";
}

int cs_quota_parse(const char *s, cs_quota_mode *q)
{
    for (int i = 0; i < CS_QUOTA_COUNT; i++)
        if (strcmp(s, modes[i].name) == 0) {
            *q = (cs_quota_mode)i;
            return 0;
        }
    char list[256];
    size_t n = 0;
    for (int i = 0; i < CS_QUOTA_COUNT && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", modes[i].name);
    return cs_error(CS_EINVAL, "unknown quota '%s' (%s)", s, list);
}
