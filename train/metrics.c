/* metrics.c - accuracy, macro-F1 and per-class figures from a confusion matrix.
 * Macro-F1 averages over classes that occur in the truth (sklearn's behaviour
 * with labels given by the data), so a class absent from a test split does not
 * count as a zero. */
#include "metrics.h"

#include "../common/err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cs_metrics_init(cs_metrics *m, int c)
{
    memset(m, 0, sizeof *m);
    m->num_classes = c;
    m->confusion = cs_calloc((size_t)c * (size_t)c, sizeof *m->confusion);
    m->recall = cs_calloc((size_t)c, sizeof(double));
    m->precision = cs_calloc((size_t)c, sizeof(double));
    m->f1 = cs_calloc((size_t)c, sizeof(double));
    m->support = cs_calloc((size_t)c, sizeof(int64_t));
    if (!m->confusion || !m->recall || !m->precision || !m->f1 || !m->support) {
        cs_metrics_release(m);
        return CS_ENOMEM;
    }
    return 0;
}

void cs_metrics_release(cs_metrics *m)
{
    free(m->confusion);
    free(m->recall);
    free(m->precision);
    free(m->f1);
    free(m->support);
    memset(m, 0, sizeof *m);
}

void cs_metrics_reset(cs_metrics *m)
{
    int c = m->num_classes;
    memset(m->confusion, 0, sizeof *m->confusion * (size_t)c * (size_t)c);
    m->n = 0;
}

void cs_metrics_add(cs_metrics *m, const int32_t *truth, const int32_t *pred, int64_t n)
{
    int c = m->num_classes;
    for (int64_t i = 0; i < n; i++)
        m->confusion[(int64_t)truth[i] * c + pred[i]]++;
    m->n += n;
}

void cs_metrics_finish(cs_metrics *m)
{
    int c = m->num_classes;
    int64_t correct = 0;
    double f1_sum = 0;
    int present = 0;
    m->worst_class_acc = INFINITY;
    m->worst_class = -1;
    for (int k = 0; k < c; k++) {
        int64_t tp = m->confusion[(int64_t)k * c + k], row = 0, col = 0;
        for (int j = 0; j < c; j++) {
            row += m->confusion[(int64_t)k * c + j];
            col += m->confusion[(int64_t)j * c + k];
        }
        correct += tp;
        m->support[k] = row;
        m->recall[k] = row ? (double)tp / (double)row : NAN;
        m->precision[k] = col ? (double)tp / (double)col : 0.0;
        double r = row ? m->recall[k] : 0.0, p = m->precision[k];
        m->f1[k] = p + r > 0 ? 2 * p * r / (p + r) : 0.0;
        if (row) {
            present++;
            f1_sum += m->f1[k];
            if (m->recall[k] < m->worst_class_acc) {
                m->worst_class_acc = m->recall[k];
                m->worst_class = k;
            }
        }
    }
    m->accuracy = m->n ? (double)correct / (double)m->n : NAN;
    m->macro_f1 = present ? f1_sum / present : NAN;
    if (m->worst_class < 0)
        m->worst_class_acc = NAN;
}

static const char *name_of(const char *const *names, int k, char *buf, size_t n)
{
    if (names && names[k])
        return names[k];
    snprintf(buf, n, "%d", k);
    return buf;
}

void cs_metrics_print(const cs_metrics *m, FILE *fp, const char *const *names)
{
    char buf[32];
    fprintf(fp, "%-16s %8s %9s %9s %9s\n", "class", "support", "accuracy", "precision", "f1");
    for (int k = 0; k < m->num_classes; k++)
        fprintf(fp, "%-16s %8lld %9.4f %9.4f %9.4f\n", name_of(names, k, buf, sizeof buf),
                (long long)m->support[k], m->recall[k], m->precision[k], m->f1[k]);
    fprintf(fp, "accuracy %.4f  macro-F1 %.4f  worst-class accuracy %.4f (class %s)  n %lld\n",
            m->accuracy, m->macro_f1, m->worst_class_acc,
            m->worst_class >= 0 ? name_of(names, m->worst_class, buf, sizeof buf) : "-",
            (long long)m->n);
}

static void json_num(FILE *fp, double v)
{
    if (isfinite(v))
        fprintf(fp, "%.6f", v);
    else
        fputs("null", fp);
}

void cs_metrics_write_json(const cs_metrics *m, FILE *fp, const char *const *names)
{
    char buf[32];
    fprintf(fp, "{\"n\": %lld, \"accuracy\": ", (long long)m->n);
    json_num(fp, m->accuracy);
    fputs(", \"macro_f1\": ", fp);
    json_num(fp, m->macro_f1);
    fputs(", \"worst_class_accuracy\": ", fp);
    json_num(fp, m->worst_class_acc);
    fputs(", \"classes\": [", fp);
    for (int k = 0; k < m->num_classes; k++) {
        fprintf(fp, "%s{\"class\": \"%s\", \"support\": %lld, \"accuracy\": ", k ? ", " : "",
                name_of(names, k, buf, sizeof buf), (long long)m->support[k]);
        json_num(fp, m->recall[k]);
        fputs(", \"precision\": ", fp);
        json_num(fp, m->precision[k]);
        fputs(", \"f1\": ", fp);
        json_num(fp, m->f1[k]);
        fputc('}', fp);
    }
    fputs("]}\n", fp);
}
