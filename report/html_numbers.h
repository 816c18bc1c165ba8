/* html_numbers.h - the numbers behind each figure as HTML tables whose rows
 * carry data-* attributes (the page's machine-readable part; tests and
 * scripts read these, people can unfold them under "numbers"). */
#ifndef CS_HTML_NUMBERS_H
#define CS_HTML_NUMBERS_H

#include "report_data.h"

#include <stdio.h>

/* ` data-NAME="V"`: %.17g, or nan / inf / -inf. */
void cs_html_attr_num(FILE *fp, const char *name, double v);

int cs_html_numbers_epochs(FILE *fp, const cs_report_data *d);
void cs_html_numbers_classes(FILE *fp, const cs_report_data *d);
void cs_html_numbers_scores(FILE *fp, const cs_report_data *d);
void cs_html_numbers_traces(FILE *fp, const cs_report_data *d);
void cs_html_numbers_samples(FILE *fp, const cs_report_data *d);

#endif
