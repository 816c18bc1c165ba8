/* registry.c - the scores coreset knows: one table of descriptors, one per
 * file (score_int.h), and what is answered from it: names, important ends,
 * the parameter checks of the scores computed, and the one-line parameter
 * description an index header records. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "../common/err.h"
#include "score.h"
#include "score_int.h"

/* Each defined in its own file, named in the comment. */
extern const cs_score_desc cs_score_desc_eva;             /* eva.c */
extern const cs_score_desc cs_score_desc_el2n;            /* el2n.c */
extern const cs_score_desc cs_score_desc_forgetting;      /* forgetting.c */
extern const cs_score_desc cs_score_desc_aum;             /* aum.c */
extern const cs_score_desc cs_score_desc_entropy;         /* entropy.c */
extern const cs_score_desc cs_score_desc_least_conf;      /* least_confidence.c */
extern const cs_score_desc cs_score_desc_margin;          /* margin.c */
extern const cs_score_desc cs_score_desc_dyn_unc;         /* dynamic_uncertainty.c */
extern const cs_score_desc cs_score_desc_focus;           /* focus_mean.c */
extern const cs_score_desc cs_score_desc_focus_weighted;  /* focus_weighted.c */
extern const cs_score_desc cs_score_desc_late_conf;       /* late_conf.c */
extern const cs_score_desc cs_score_desc_late_loss;       /* late_loss.c */
extern const cs_score_desc cs_score_desc_dual;            /* dual.c */
extern const cs_score_desc cs_score_desc_tdds;            /* tdds.c */
extern const cs_score_desc cs_score_desc_dual_conf;       /* dual_conf.c */

/* In enum cs_score_id's order (tests/test_score_units.c holds the names to
 * the ids).  scores.h5 is written in this order too, so a reordering changes
 * its bytes. */
static const cs_score_desc *const scores[] = {
    &cs_score_desc_eva,
    &cs_score_desc_el2n,
    &cs_score_desc_forgetting,
    &cs_score_desc_aum,
    &cs_score_desc_entropy,
    &cs_score_desc_least_conf,
    &cs_score_desc_margin,
    &cs_score_desc_dyn_unc,
    &cs_score_desc_focus,
    &cs_score_desc_focus_weighted,
    &cs_score_desc_late_conf,
    &cs_score_desc_late_loss,
    &cs_score_desc_dual,
    &cs_score_desc_tdds,
    &cs_score_desc_dual_conf,
};
_Static_assert(sizeof scores / sizeof scores[0] == CS_SCORE_COUNT,
               "score/registry.c: scores[] needs one descriptor per enum cs_score_id");
/* the enable masks are unsigned bit sets */
_Static_assert(CS_SCORE_COUNT < 32, "too many scores for an unsigned enable mask");

const cs_score_desc *cs_score_desc_at(int id)
{
    assert(id >= 0 && id < CS_SCORE_COUNT);
    return scores[id];
}

const cs_score_info *cs_score_info_at(int id)
{
    return id >= 0 && id < CS_SCORE_COUNT ? &scores[id]->info : NULL;
}

int cs_score_lookup(const char *name)
{
    for (int i = 0; i < CS_SCORE_COUNT; i++)
        if (name && strcmp(name, scores[i]->info.name) == 0)
            return i;
    char list[512] = "";
    size_t len = 0;
    for (int i = 0; i < CS_SCORE_COUNT && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", scores[i]->info.name);
    return cs_error(CS_EINVAL, "unknown score '%s' (known: %s)", name ? name : "(null)", list);
}

int cs_score_direction(const char *name)
{
    int id = cs_score_lookup(name);
    return id < 0 ? id : scores[id]->info.dir;
}

unsigned cs_score_needed(unsigned enable)
{
    unsigned need = enable, before;
    do {
        before = need;
        for (int id = 0; id < CS_SCORE_COUNT; id++)
            if ((need >> id) & 1u)
                need |= scores[id]->needs;
    } while (need != before);
    return need;
}

/* Every computed score's parameters are checked: a score another needs
 * cannot be computed with bad ones either. */
int cs_score_params_check(const cs_score_params *p, int T)
{
    if (T < 1)
        return cs_error(CS_EINVAL, "total epochs %d, must be at least 1", T);
    if (p->enable >> CS_SCORE_COUNT)
        return cs_error(CS_EINVAL, "score enable mask 0x%x names unknown scores", p->enable);
    unsigned need = cs_score_needed(p->enable);
    for (int id = 0; id < CS_SCORE_COUNT; id++) {
        int rc = ((need >> id) & 1u) && scores[id]->check ? scores[id]->check(p, T) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

int cs_score_params_describe(const cs_score_params *p, int T, const char *name, char *buf, size_t len)
{
    int id = cs_score_lookup(name);
    if (id < 0)
        return id;
    scores[id]->describe(p, T, buf, len);
    return 0;
}
