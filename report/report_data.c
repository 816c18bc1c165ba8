/* report_data.c - the report's gathered data: init and release. */
#include "report_data.h"

#include <stdlib.h>
#include <string.h>

void cs_report_data_init(cs_report_data *d)
{
    memset(d, 0, sizeof *d);
    cs_index_file_init(&d->index);
    /* ../shared/METHODS.md section 4: the filter's defaults */
    d->tau = 0.7;
    d->phi = 0.7;
    d->first_run = -1;
}

void cs_report_data_release(cs_report_data *d)
{
    cs_scores_release(&d->sf); /* owns d->labels */
    free(d->class_n);
    cs_run_prov_release(&d->prov);
    free(d->run_yaml);
    cs_index_file_release(&d->index);
    free(d->kept);
    free(d->class_kept);
    free(d->auto_rows);
    free(d->score_v);
    free(d->late_conf);
    free(d->focus);
    free(d->epochs);
    for (int t = 0; t < d->ntraces; t++)
        free(d->traces[t].err);
    free(d->traces);
    for (int s = 0; s < d->nsamples; s++) {
        free(d->samples[s].x);
        free(d->samples[s].map);
    }
    free(d->samples);
    memset(d, 0, sizeof *d);
}
