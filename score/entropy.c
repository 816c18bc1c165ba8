/* entropy.c - predictive entropy -sum_j p_j log p_j, a recorded column,
 * averaged over the last unc_last_k epochs of every run and over runs. */
#include "score_int.h"

static const float *column(const cs_epoch_record *rec) { return rec->entropy; }

const cs_score_desc cs_score_desc_entropy = {
    .info = {"entropy", CS_SCORE_HIGH, 0, "predictive entropy, last epochs"},
    .check = cs_unc_last_check,
    .describe = cs_unc_last_describe,
    .epochs = cs_unc_last_epochs,
    .column = column,
};
