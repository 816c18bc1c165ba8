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

cs_epoch_means cs_epoch_record_means(const cs_epoch_record *rec)
{
    return (cs_epoch_means){mean_f32(rec->loss, rec->n), mean_flag(rec->correct, rec->n),
                            mean_flag(rec->used, rec->n)};
}
