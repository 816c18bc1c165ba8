/* metrics.h - classification metrics from a confusion matrix: accuracy,
 * per-class accuracy (= recall), precision, F1, macro-F1, worst-class accuracy. */
#ifndef CS_METRICS_H
#define CS_METRICS_H

#include <stdint.h>
#include <stdio.h>

typedef struct cs_metrics {
    int num_classes;
    int64_t *confusion;   /* C x C, row = true class, column = predicted */
    int64_t n;            /* samples counted */
    double accuracy;
    double macro_f1;      /* mean F1 over classes present in the truth */
    double worst_class_acc;
    int worst_class;
    double *recall;       /* per class (= per-class accuracy); NaN for absent classes */
    double *precision;    /* per class; 0 when never predicted */
    double *f1;           /* per class */
    int64_t *support;     /* true samples per class */
} cs_metrics;

int cs_metrics_init(cs_metrics *m, int num_classes);
void cs_metrics_release(cs_metrics *m);
void cs_metrics_reset(cs_metrics *m);
void cs_metrics_add(cs_metrics *m, const int32_t *truth, const int32_t *pred, int64_t n);
/* Compute the summary fields from the confusion matrix. */
void cs_metrics_finish(cs_metrics *m);
/* A table on fp (class names may be NULL). */
void cs_metrics_print(const cs_metrics *m, FILE *fp, const char *const *class_names);
/* One JSON object. */
void cs_metrics_write_json(const cs_metrics *m, FILE *fp, const char *const *class_names);

#endif
