/* late_loss.c - selection helper: the mean loss over EVA's late window, which
 * RCAP clips (not a ranking score). */
#include "score_int.h"

static const float *column(const cs_epoch_record *rec) { return rec->loss; }

const cs_score_desc cs_score_desc_late_loss = {
    .info = {"late_loss", CS_SCORE_HIGH, 1, "mean loss over the late window"},
    .check = cs_eva_late_check,
    .describe = cs_eva_late_describe,
    .epochs = cs_eva_late_epochs,
    .column = column,
};
