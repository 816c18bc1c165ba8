"""quality_holdout.py - a val split for a dataset that has none (Fashion-MNIST,
MIT-BIH beats split at random).

bench/quality chooses EVA's windows on a validation split, never on the test
split.  For a source with only train and test, the driver first has coreset
itself export the whole training split and the test split to HDF5 (`coreset
export` of an index holding every training sample: the samples exactly as
coreset reads them, whatever the source format); make_holdout then writes a
copy whose val split is a stratified fraction of that training split, drawn
with a fixed seed.  The test split is copied untouched.  Reading the HDF5 also
spares every training the cost of parsing the source (a WFDB database takes
seconds to cut into beats).
"""
import os

import numpy as np


def make_holdout(src, dst, fraction, seed=0):
    """src: an HDF5 file with train_images/train_labels (and test_*), as
    `coreset export` writes it.  Writes dst atomically with round(fraction *
    N_c) samples of each class of train moved to val; train_source_index and
    val_source_index give each sample's index in src's training split.
    Returns {split: count}."""
    import h5py

    with h5py.File(src, "r") as f:
        x, y = f["train_images"][:], f["train_labels"][:]
        test = (f["test_images"][:], f["test_labels"][:]) if "test_images" in f else None
        names = f.attrs.get("class_names")  # coreset export copies the source's
    rng = np.random.default_rng(seed)
    val = np.zeros(len(y), bool)
    for c in np.unique(y):
        members = np.flatnonzero(y == c)
        val[rng.permutation(members)[: int(round(fraction * len(members)))]] = True
    where = np.arange(len(y), dtype=np.int64)
    splits = {"train": (x[~val], y[~val], where[~val]), "val": (x[val], y[val], where[val])}
    if test is not None:
        splits["test"] = test + (None,)
    tmp = dst + ".tmp"
    with h5py.File(tmp, "w") as f:
        for s, (xs, ys, src_index) in splits.items():
            f.create_dataset(s + "_images", data=xs)
            f.create_dataset(s + "_labels", data=ys)
            if src_index is not None:
                f.create_dataset(s + "_source_index", data=src_index)
        f.attrs["source"] = os.path.abspath(src)
        if names is not None:
            f.attrs["class_names"] = names
        f.attrs["holdout"] = ("val = round(%g * N_c) of each class of the source's train split, "
                              "numpy.random.default_rng(%d)" % (fraction, seed))
    os.replace(tmp, dst)
    return {s: int(len(v[1])) for s, v in splits.items()}
