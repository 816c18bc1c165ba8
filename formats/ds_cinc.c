/* ds_cinc.c - PhysioNet/CinC challenge records (.hea with #Dx: codes + MATLAB v4 .mat). */
#include "ds_ecg.h"

#include "../common/err.h"

int ds_open_cinc(cs_dataset *ds, const cs_ecg_opts *o)
{
    (void)o;
    ds->format = "cinc";
    return cs_error(CS_EUNSUP, "'%s': CinC challenge records are not supported yet", ds->path);
}
