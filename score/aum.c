/* aum.c - AUM, the area under the margin (Pleiss et al.): the mean logit
 * margin z_y - max_{j != y} z_j over all epochs and runs.  Low is hard or
 * mislabelled. */
#include <stdio.h>

#include "score_int.h"

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    (void)p;
    snprintf(buf, len, "epochs=1..%d", T);
}

static void epochs(const cs_score_params *p, int T, int *first, int *last)
{
    (void)p;
    *first = 1;
    *last = T;
}

/* the recorded margin is in logits (the probability margin is margin.c's) */
static const float *column(const cs_epoch_record *rec) { return rec->margin; }

const cs_score_desc cs_score_desc_aum = {
    .info = {"aum", CS_SCORE_LOW, 0, "mean logit margin (area under the margin)"},
    .describe = describe,
    .epochs = epochs,
    .column = column,
};
