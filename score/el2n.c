/* el2n.c - EL2N (Paul et al.): the mean error-vector norm over an epoch range
 * (default 1..10) of every run, averaged over runs. */
#include <stdio.h>

#include "../common/err.h"
#include "score_int.h"

static int check(const cs_score_params *p, int T)
{
    if (p->el2n_first < 1 || p->el2n_last > T || p->el2n_first > p->el2n_last)
        return cs_error(CS_EINVAL, "el2n epochs %d..%d: need 1 <= first <= last <= %d", p->el2n_first,
                        p->el2n_last, T);
    return 0;
}

static void describe(const cs_score_params *p, int T, char *buf, size_t len)
{
    (void)T;
    snprintf(buf, len, "epochs=%d..%d", p->el2n_first, p->el2n_last);
}

static void epochs(const cs_score_params *p, int T, int *first, int *last)
{
    (void)T;
    *first = p->el2n_first;
    *last = p->el2n_last;
}

static const float *column(const cs_epoch_record *rec) { return rec->err; }

const cs_score_desc cs_score_desc_el2n = {
    .info = {"el2n", CS_SCORE_HIGH, 0, "mean error-vector norm over an epoch range"},
    .check = check,
    .describe = describe,
    .epochs = epochs,
    .column = column,
};
