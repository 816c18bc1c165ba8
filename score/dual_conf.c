/* dual_conf.c - selection helper: the mean conf p_y over DUAL's first T_d
 * epochs (dual.c's T_d), averaged over runs: the mu_i whose Beta density
 * weighs the rule `dual`'s sampling (select/dual.c).  Not a ranking score. */
#include <stdio.h>

#include "score_int.h"

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    int Td, J;
    cs_dual_resolve(p, T, &Td, &J);
    snprintf(buf, len, "epochs=1..%d", Td);
}

static void epochs(const cs_score_params *p, int T, int *first, int *last)
{
    int J;
    *first = 1;
    cs_dual_resolve(p, T, last, &J);
}

static const float *column(const cs_epoch_record *rec) { return rec->conf; }

const cs_score_desc cs_score_desc_dual_conf = {
    .info = {"dual_conf", CS_SCORE_LOW, 1, "mean conf over DUAL's early epochs"},
    .check = cs_dual_check,
    .describe = describe,
    .epochs = epochs,
    .column = column,
};
