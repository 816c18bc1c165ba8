/* test_metrics.c - metrics against values worked out by hand. */
#include "../common/err.h"
#include "../train/metrics.h"
#include "harness.h"

static void test_hand_example(void)
{
    /* truth 0 0 0 1 1 2 ; pred 0 0 1 1 0 2
     * class 0: tp 2, support 3, predicted 3 -> recall 2/3, precision 2/3, f1 2/3
     * class 1: tp 1, support 2, predicted 2 -> recall 1/2, precision 1/2, f1 1/2
     * class 2: tp 1, support 1, predicted 1 -> 1, 1, 1
     * accuracy 4/6, macro-F1 (2/3 + 1/2 + 1)/3, worst class 1 at 0.5. */
    int32_t t[] = {0, 0, 0, 1, 1, 2}, p[] = {0, 0, 1, 1, 0, 2};
    cs_metrics m;
    CHECK_OK(cs_metrics_init(&m, 3));
    cs_metrics_add(&m, t, p, 6);
    cs_metrics_finish(&m);
    CHECK_NEAR(m.accuracy, 4.0 / 6, 1e-12);
    CHECK_NEAR(m.recall[0], 2.0 / 3, 1e-12);
    CHECK_NEAR(m.precision[1], 0.5, 1e-12);
    CHECK_NEAR(m.f1[2], 1.0, 1e-12);
    CHECK_NEAR(m.macro_f1, (2.0 / 3 + 0.5 + 1.0) / 3, 1e-12);
    CHECK(m.worst_class == 1);
    CHECK_NEAR(m.worst_class_acc, 0.5, 1e-12);
    cs_metrics_release(&m);
}

/* A class absent from the truth is left out of macro-F1 and worst-class. */
static void test_absent_class(void)
{
    int32_t t[] = {0, 0, 1}, p[] = {0, 2, 1};
    cs_metrics m;
    CHECK_OK(cs_metrics_init(&m, 3));
    cs_metrics_add(&m, t, p, 3);
    cs_metrics_finish(&m);
    CHECK(isnan(m.recall[2]));
    CHECK_NEAR(m.precision[2], 0.0, 0);
    CHECK_NEAR(m.macro_f1, (2.0 / 3 + 1.0) / 2, 1e-12);
    CHECK(m.worst_class == 0);
    cs_metrics_release(&m);
}

int main(void)
{
    RUN(test_hand_example);
    RUN(test_absent_class);
    return harness_done();
}
