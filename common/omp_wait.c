/* omp_wait.c - OMP_WAIT_POLICY=PASSIVE for our own process (omp_wait.h). */
#include "omp_wait.h"

#include <stdlib.h>
#include <unistd.h>

int cs_omp_choose_passive(void)
{
    if (getenv("OMP_WAIT_POLICY") || getenv("GOMP_SPINCOUNT"))
        return 0;
    return setenv("OMP_WAIT_POLICY", "PASSIVE", 1) == 0;
}

void cs_omp_prefer_passive(char **argv)
{
    /* once set, the new image finds the variable and goes on: no loop */
    if (cs_omp_choose_passive())
        execv("/proc/self/exe", argv);
}
