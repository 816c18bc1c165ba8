/* exclude.h - selection that leaves some samples out (cs_select_inputs.exclude):
 * the samples `--by auto` holds out to validate on never enter a coreset. */
#ifndef CS_SELECT_EXCLUDE_H
#define CS_SELECT_EXCLUDE_H

#include "select.h"

/* cs_select_run on the samples whose exclude flag is 0: the per-sample inputs
 * are compacted to them, the selection runs there and its indices are mapped
 * back.  The budget M is the one of all n samples (a rate means the same
 * coreset size with or without a holdout); the report counts the pool only. */
int cs_select_run_excluding(const cs_select_params *p, const cs_select_inputs *in, int64_t **idx, int64_t *m,
                            cs_select_report *rep);

#endif
