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

void cs_exec_self(char **argv)
{
    /* the file's real path, not /proc/self/exe, which would rename the process "exe" */
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0 || n >= (ssize_t)sizeof self - 1)
        return;
    self[n] = 0;
    execv(self, argv);
}

void cs_omp_prefer_passive(char **argv)
{
    /* once set, the new image finds the variable and goes on: no loop */
    if (cs_omp_choose_passive())
        cs_exec_self(argv);
}
