/* forgetting.c - forgetting events (Toneva et al.): correct -> incorrect
 * transitions between consecutive epochs of one run; a sample never correct
 * in the run counts +inf (unlearnable), or 0 as DeepCore does. */
#include <math.h>

#include "score_int.h"

void cs_forget_step(uint8_t *prev, int32_t *count, uint8_t *ever, const uint8_t *correct, int64_t n,
                    int first)
{
    for (int64_t i = 0; i < n; i++) {
        uint8_t c = correct[i] != 0;
        if (first) {
            count[i] = 0;
            ever[i] = 0;
        } else if (prev[i] && !c) {
            count[i]++;
        }
        ever[i] |= c;
        prev[i] = c;
    }
}

void cs_forget_run_end(const int32_t *count, const uint8_t *ever, int64_t n, int never_zero,
                       double *acc)
{
    for (int64_t i = 0; i < n; i++)
        acc[i] += ever[i] ? (double)count[i] : never_zero ? 0.0 : INFINITY;
}
