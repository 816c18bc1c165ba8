/* late_conf.c - selection helper: the mean conf p_y over EVA's late window,
 * the reliability filter's quantity (not a ranking score). */
#include "score_int.h"

static const float *column(const cs_epoch_record *rec) { return rec->conf; }

const cs_score_desc cs_score_desc_late_conf = {
    .info = {"late_conf", CS_SCORE_LOW, 1, "mean conf over the late window"},
    .check = cs_eva_late_check,
    .describe = cs_eva_late_describe,
    .epochs = cs_eva_late_epochs,
    .column = column,
};
