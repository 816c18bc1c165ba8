/* source_names.c - the array names a source dataset uses for a split, so an
 * exported copy keeps them and existing loaders read it unchanged.  The
 * layouts tried are the readers' (datasets/ds_hdf5.c, datasets/ds_npz.c), in
 * their order. */
#include "export_idx.h"

#include "../common/err.h"
#include "../codecs/h5_err.h"
#include "../codecs/zip.h"

#include <hdf5.h>
#include <stdio.h>
#include <string.h>

/* 1 if every component of path exists in the file. */
static int h5_has(hid_t file, const char *path)
{
    char part[512];
    for (const char *p = path;; p++) {
        if (*p == '/' || !*p) {
            snprintf(part, sizeof part, "%.*s", (int)(p - path), path);
            if (H5Lexists(file, part, H5P_DEFAULT) <= 0)
                return 0;
            if (!*p)
                return 1;
        }
    }
}

static int npz_has(cs_zip *z, const char *name)
{
    char member[600];
    snprintf(member, sizeof member, "%s.npy", name);
    return zip_find(z, member) >= 0;
}

int cs_export_source_names(const cs_dataset *src, const char *split, const char *images_opt,
                           const char *labels_opt, char *img, char *lbl, size_t len)
{
    const char *fmt = cs_dataset_format(src), *path = cs_dataset_path(src);
    int h5 = strcmp(fmt, "hdf5") == 0, npz = strcmp(fmt, "npz") == 0;
    snprintf(img, len, "%s_images", split);
    snprintf(lbl, len, "%s_labels", split);
    if (!h5 && !npz)
        return 0;
    const char *pairs[3][2] = {{images_opt, labels_opt}, {"images", "labels"}, {"x", "y"}};
    int first = images_opt || labels_opt ? 0 : 1, last = images_opt || labels_opt ? 0 : 2;
    if (images_opt || labels_opt) {
        pairs[0][0] = images_opt ? images_opt : "images";
        pairs[0][1] = labels_opt ? labels_opt : "labels";
    }
    hid_t file = -1;
    cs_zip *z = NULL;
    if (h5) {
        cs_h5_quiet();
        if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
            return cs_error(CS_EIO, "cannot open '%s' as HDF5", path);
    } else {
        int rc = zip_open_file(&z, path);
        if (rc)
            return rc;
    }
    int found = 0;
    char a[512], b[512];
    for (int i = first; i <= last && !found; i++) {
        static const char *const forms[] = {"%s/%s", "%s_%s"};
        for (int f = 0; f < (h5 ? 2 : 1) && !found; f++) {
            const char *form = h5 ? forms[f] : forms[1];
            snprintf(a, sizeof a, form, split, pairs[i][0]);
            snprintf(b, sizeof b, form, split, pairs[i][1]);
            found = h5 ? h5_has(file, a) && h5_has(file, b) : npz_has(z, a) && npz_has(z, b);
        }
        if (!found && strcmp(split, "train") == 0) {
            snprintf(a, sizeof a, "%s", pairs[i][0]);
            snprintf(b, sizeof b, "%s", pairs[i][1]);
            found = h5 ? h5_has(file, a) && h5_has(file, b) : npz_has(z, a) && npz_has(z, b);
        }
    }
    if (file >= 0)
        H5Fclose(file);
    zip_free(z);
    if (found) {
        snprintf(img, len, "%s", a);
        snprintf(lbl, len, "%s", b);
    }
    return 0;
}
