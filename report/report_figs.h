/* report_figs.h - the figures of one report, built together (report.c) and
 * written as the page (html_write.c) and as PNGs. */
#ifndef CS_REPORT_FIGS_H
#define CS_REPORT_FIGS_H

#include "figure.h"
#include "report_data.h"

#include <stdio.h>

enum { CS_RFIG_EPOCHS, CS_RFIG_CLASSES, CS_RFIG_SCORES, CS_RFIG_PLANE, CS_RFIG_TRACES, CS_RFIG_SAMPLES, CS_RFIG_COUNT };

typedef struct cs_report_figs {
    cs_fig fig[CS_RFIG_COUNT];
    int have[CS_RFIG_COUNT]; /* drawn (else the page says why not) */
    int64_t plane_drawn;     /* points drawn in the plane */
} cs_report_figs;

/* Draw every figure the data allows. */
int cs_report_figs_build(cs_report_figs *f, const cs_report_data *d);
void cs_report_figs_release(cs_report_figs *f);

/* The page, to fp. */
int cs_report_html(FILE *fp, const cs_report_data *d, const cs_report_figs *f);

#endif
