/* outguard.c - the inputs of this process by (device, inode), and the check
 * every writer makes against them. */
#include "outguard.h"

#include "err.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct guarded {
    dev_t dev;
    ino_t ino;
    char *path; /* as the command named it, for the message */
} guarded;

static guarded *inputs;
static int num_inputs, cap_inputs;

int cs_guard_input(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    for (int i = 0; i < num_inputs; i++)
        if (inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino)
            return 0;
    if (num_inputs == cap_inputs) {
        int cap = cap_inputs ? 2 * cap_inputs : 16;
        guarded *g = realloc(inputs, sizeof *g * (size_t)cap);
        if (!g)
            return cs_error(CS_ENOMEM, "out of memory");
        inputs = g;
        cap_inputs = cap;
    }
    char *copy = strdup(path);
    if (!copy)
        return cs_error(CS_ENOMEM, "out of memory");
    inputs[num_inputs++] = (guarded){st.st_dev, st.st_ino, copy};
    return 0;
}

int cs_guard_output(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0; /* nothing there (or a dangling link): it cannot be an input */
    for (int i = 0; i < num_inputs; i++)
        if (inputs[i].dev == st.st_dev && inputs[i].ino == st.st_ino) {
            if (strcmp(inputs[i].path, path) == 0)
                return cs_error(CS_EINVAL, "refusing to write '%s': it is an input of this command", path);
            return cs_error(CS_EINVAL, "refusing to write '%s': it is the input '%s'", path, inputs[i].path);
        }
    return 0;
}

void cs_guard_reset(void)
{
    for (int i = 0; i < num_inputs; i++)
        free(inputs[i].path);
    free(inputs);
    inputs = NULL;
    num_inputs = cap_inputs = 0;
}
