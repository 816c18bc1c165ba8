/* h5_zstd_filter.h - HDF5 filter 32015 (zstd), registered in-process.
 *
 * 32015 is the id registered with The HDF Group for Zstandard; each chunk is
 * one standard zstd frame, so h5py with hdf5plugin (or any HDF5 with the zstd
 * plugin) reads what we write.  cd_values[0], when given, is the level. */
#ifndef CS_H5_ZSTD_FILTER_H
#define CS_H5_ZSTD_FILTER_H

#define CS_H5Z_FILTER_ZSTD 32015

/* Register the filter with the HDF5 library (idempotent). */
int cs_h5_register_zstd(void);

#endif
