/* epoch_record.c - per-epoch summaries of a record (see epoch_record.h). */
#include "epoch_record.h"

#include <math.h>

static double mean_f32(const float *v, int64_t n)
{
    if (!v || n < 1)
        return NAN;
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += v[i];
    return s / (double)n;
}

static double mean_flag(const uint8_t *v, int64_t n)
{
    if (!v || n < 1)
        return NAN;
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++)
        s += v[i] != 0;
    return (double)s / (double)n;
}

/* Loss and accuracy over the samples the frame records: all of them, but in
 * an out-of-fold pass (score.folds), whose frame leaves the samples it trained
 * on NaN; `used` over all, which is what such a pass back-propagated. */
static void recorded_means(const cs_epoch_record *rec, double *loss, double *acc)
{
    double s = 0;
    int64_t m = 0, ok = 0;
    for (int64_t i = 0; i < rec->n; i++)
        if (!isnan(rec->loss[i])) {
            s += rec->loss[i];
            ok += rec->correct && rec->correct[i] != 0;
            m++;
        }
    *loss = m ? s / (double)m : NAN;
    *acc = m && rec->correct ? (double)ok / (double)m : NAN;
}

cs_epoch_means cs_epoch_record_means(const cs_epoch_record *rec)
{
    cs_epoch_means mn = {mean_f32(rec->loss, rec->n), mean_flag(rec->correct, rec->n), mean_flag(rec->used, rec->n)};
    if (rec->loss && isnan(mn.loss))
        recorded_means(rec, &mn.loss, &mn.accuracy);
    return mn;
}
