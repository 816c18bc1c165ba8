/* rule.h - the selection rules: how the n_c members of one group (a class,
 * or the whole set with quota none) are picked once the quotas are known.
 *
 * Each rule is a descriptor in its own file (top: rank.c, sample: sample.c,
 * ccs: ccs.c) and one entry of the table in rules.c, indexed by cs_pick
 * (select.h) and holding exactly CS_PICK_COUNT entries, which the build
 * checks.  The driver (select.c), the index header (run_select.c) and the
 * options (cli/cmd_select.c) loop over the table instead of naming rules.
 * The quota modes are a table of the same kind (quota.h). */
#ifndef CS_SELECT_RULE_H
#define CS_SELECT_RULE_H

#include "rank.h"
#include "select.h"

#include <stddef.h>
#include <stdint.h>

typedef struct cs_select_rule {
    /* The option that chooses it (--NAME) and the first word of the index
     * header's `sampling` line. */
    const char *name;
    int takes_order;   /* 1: --order (easy, band) applies to it */
    int draws;         /* 1: pick gets one seeded uniform per member (sample.h) */
    int needs_loss;    /* 1: reads the late-window loss (in->loss) */
    int needs_embed;   /* 1: reads the embeddings (in->embed, RUN/embeddings.h5) */
    /* The score --by defaults to with this rule (ccs: aum, as its authors);
     * NULL: the command's default. */
    const char *default_score;
    /* A helper array of scores.h5 the rule reads (in->helper), or NULL. */
    const char *helper;
    /* The inputs and parameters the rule needs, before any work. */
    int (*check)(const cs_select_params *p, const cs_select_inputs *in);
    /* Choose `quota` (>= 1) members of the group a[0..len) (ascending index,
     * tier set; keys free to overwrite) and write their sample indices to
     * out; u[k] is member k's uniform draw, NULL unless `draws`. */
    int (*pick)(const cs_select_params *p, const cs_select_inputs *in, cs_cand *a, int64_t len,
                const double *u, int64_t quota, int64_t *out);
    /* The index header's `sampling` value: the name and the parameters used. */
    void (*describe)(const cs_select_params *p, char *buf, size_t len);
} cs_select_rule;

extern const cs_select_rule cs_rule_top;    /* rank.c */
extern const cs_select_rule cs_rule_sample; /* sample.c */
extern const cs_select_rule cs_rule_ccs;    /* ccs.c */
extern const cs_select_rule cs_rule_moderate; /* moderate.c */
extern const cs_select_rule cs_rule_kcenter;  /* kcenter.c */
extern const cs_select_rule cs_rule_herding;  /* herding.c */
extern const cs_select_rule cs_rule_d2;       /* d2.c */
extern const cs_select_rule cs_rule_d2_strat; /* d2_strat.c */
extern const cs_select_rule cs_rule_dual;   /* dual.c */

/* The rule of a cs_pick, or NULL outside [0, CS_PICK_COUNT). */
const cs_select_rule *cs_select_rule_at(int pick);
/* The rule named `name` and its cs_pick (pick may be NULL), or NULL with the
 * message listing the known names. */
const cs_select_rule *cs_select_rule_find(const char *name, cs_pick *pick);
/* "A, B and C": the rule names joined, each after `prefix` ("--" or ""). */
void cs_select_rule_list(const char *prefix, const char *last_sep, char *buf, size_t len);

/* For the rules' checks: a score is given and none of its n values is NaN. */
int cs_select_need_score(const cs_select_inputs *in, const char *rule);

#endif
