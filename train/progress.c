/* progress.c - one progress line per epoch with throughput and time left. */
#include "progress.h"

#include "../common/log.h"

static void fmt_time(double s, char *buf, size_t n)
{
    long v = (long)(s + 0.5);
    if (v >= 3600)
        snprintf(buf, n, "%ldh%02ldm", v / 3600, v / 60 % 60);
    else if (v >= 60)
        snprintf(buf, n, "%ldm%02lds", v / 60, v % 60);
    else
        snprintf(buf, n, "%lds", v);
}

void cs_progress_epoch(const cs_trainer *t, const cs_epoch_stats *st, double elapsed, int show_ee)
{
    int T = t->cfg->train.epochs;
    double per_epoch = t->epoch ? elapsed / t->epoch : 0;
    char left[32], ee[48] = "";
    fmt_time(per_epoch * (T - t->epoch), left, sizeof left);
    if (show_ee)
        snprintf(ee, sizeof ee, "  eff.epochs %.2f", (double)t->backprop / (double)(t->data->n ? t->data->n : 1));
    cs_progress("epoch %d/%d  loss %.4f  acc %.4f%s  %.0f samples/s  left %s", t->epoch, T, st->loss,
                st->accuracy, ee, st->seconds > 0 ? (double)t->data->n / st->seconds : 0.0, left);
    cs_progress_done();
}
