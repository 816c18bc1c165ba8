/* least_confidence.c - least confidence 1 - max_j p_j, averaged over the last
 * unc_last_k epochs and over runs.  A probability quantity: from rec->probs,
 * or for C = 2 from conf alone (max p = max(conf, 1 - conf)); for C > 2
 * without probabilities the score is unavailable (uncertainty.c). */
#include "score_int.h"

static void add(void *state, const cs_score_ctx *c, const cs_epoch_record *rec, double *out)
{
    if (rec->probs) {
        for (int64_t i = 0; i < c->n; i++) {
            double p1, p2;
            cs_unc_top2(rec->probs + i * c->C, c->C, &p1, &p2);
            out[i] += 1.0 - p1;
        }
    } else if (c->C == 2) {
        for (int64_t i = 0; i < c->n; i++) {
            double y = rec->conf[i], o = 1.0 - y;
            double p1 = y > o ? y : o;
            out[i] += 1.0 - p1;
        }
    } else {
        cs_unc_probs_missing(state, rec);
    }
}

const cs_score_desc cs_score_desc_least_conf = {
    .info = {"least_confidence", CS_SCORE_HIGH, 0, "1 - max p, last epochs", 1},
    .check = cs_unc_last_check,
    .describe = cs_unc_last_describe,
    .epochs = cs_unc_last_epochs,
    .create = cs_unc_probs_create,
    .add = add,
    .usable = cs_unc_probs_usable,
    .release = cs_unc_probs_release,
};
