/* rules.c - the table of selection rules (rule.h), its lookups and names
 * (cs_pick_name, cs_pick_parse), and the checks the rules share.  A new rule is a file with its descriptor, a
 * cs_pick value and one entry here. */
#include "rule.h"

#include "../common/err.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const cs_select_rule *const rules[] = {
    [CS_PICK_TOP] = &cs_rule_top,
    [CS_PICK_SAMPLE] = &cs_rule_sample,
    [CS_PICK_CCS] = &cs_rule_ccs,
    [CS_PICK_MODERATE] = &cs_rule_moderate,
    [CS_PICK_KCENTER] = &cs_rule_kcenter,
    [CS_PICK_HERDING] = &cs_rule_herding,
    [CS_PICK_D2] = &cs_rule_d2,
    [CS_PICK_D2_STRAT] = &cs_rule_d2_strat,
    [CS_PICK_DUAL] = &cs_rule_dual,
};

/* A cs_pick without its entry, or an entry without its cs_pick, stops the build. */
_Static_assert(sizeof rules / sizeof rules[0] == CS_PICK_COUNT, "one rule per cs_pick");

const cs_select_rule *cs_select_rule_at(int pick)
{
    return pick >= 0 && pick < CS_PICK_COUNT ? rules[pick] : NULL;
}

void cs_select_rule_list(const char *prefix, const char *last_sep, char *buf, size_t len)
{
    size_t n = 0;
    buf[0] = 0;
    for (int i = 0; i < CS_PICK_COUNT && n < len; i++) {
        const char *sep = i == 0 ? "" : i == CS_PICK_COUNT - 1 ? last_sep : ", ";
        n += (size_t)snprintf(buf + n, len - n, "%s%s%s", sep, prefix, rules[i]->name);
    }
}

const cs_select_rule *cs_select_rule_find(const char *name, cs_pick *pick)
{
    for (int i = 0; i < CS_PICK_COUNT; i++)
        if (strcmp(name, rules[i]->name) == 0) {
            if (pick)
                *pick = (cs_pick)i;
            return rules[i];
        }
    char list[256];
    cs_select_rule_list("", ", ", list, sizeof list);
    cs_error(CS_EINVAL, "unknown sampling '%s' (%s)", name, list);
    return NULL;
}

const char *cs_pick_name(cs_pick k)
{
    const cs_select_rule *r = cs_select_rule_at(k);
    return r ? r->name : "?";
}

int cs_pick_parse(const char *s, cs_pick *k)
{
    return cs_select_rule_find(s, k) ? 0 : CS_EINVAL;
}

int cs_select_need_score(const cs_select_inputs *in, const char *rule)
{
    if (!in->score)
        return cs_error(CS_EINVAL, "pick '%s' needs a score", rule);
    for (int64_t i = 0; i < in->n; i++)
        if (isnan(in->score[i]))
            return cs_error(CS_EINVAL, "sample %lld: score is NaN", (long long)i);
    return 0;
}
