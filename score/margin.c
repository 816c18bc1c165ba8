/* margin.c - probability margin p_top1 - p_top2, averaged over the last
 * unc_last_k epochs and over runs.  From rec->probs, or for C = 2 from conf
 * alone (|2 conf - 1|); for C > 2 without probabilities the score is
 * unavailable (uncertainty.c).  The recorded `margin` column is in logits and
 * belongs to AUM. */
#include <math.h>

#include "score_int.h"

static void add(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out)
{
    if (rec->probs) {
        for (int64_t i = 0; i < c->n; i++) {
            double p1, p2;
            cs_unc_top2(rec->probs + i * c->C, c->C, &p1, &p2);
            out[i] += c->C > 1 ? p1 - p2 : p1;
        }
    } else if (c->C == 2) {
        for (int64_t i = 0; i < c->n; i++) {
            double y = rec->conf[i], o = 1.0 - y;
            out[i] += fabs(y - o);
        }
    } else {
        cs_unc_probs_missing(state, rec);
    }
}

const cs_score_desc cs_score_desc_margin = {
    .info = {"margin", CS_SCORE_LOW, 0, "p_top1 - p_top2, last epochs", 1},
    .check = cs_unc_last_check,
    .describe = cs_unc_last_describe,
    .epochs = cs_unc_last_epochs,
    .create = cs_unc_probs_create,
    .add = add,
    .usable = cs_unc_probs_usable,
    .release = cs_unc_probs_release,
};
