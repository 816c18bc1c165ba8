#!/usr/bin/env python3
"""check_export.py SOURCE INDEX OUTPUT [SCORES_H5] - an independent check of
`coreset export`: reads the source dataset (.npz with NumPy, HDF5 with h5py,
an IDX folder with gzip + NumPy), the index file (parsed from
coreset-index(5)) and the exported file (HDF5 with h5py, .npz with NumPy),
and checks that
  - the output uses the source's array names for every split;
  - the pruned split holds source[source_index] and its labels, in index
    order, and source_index equals the index file's indices (int64);
  - every other split is the source's, whole;
  - the score array equals SCORES_H5's score at source_index (float32),
    when SCORES_H5 is given;
  - the provenance (HDF5 root attributes, or provenance.npy) holds every
    header entry of the index file and an `exported` time.
Prints one line per problem and exits 1, or prints a summary and exits 0.

zstd chunks (filter 32015): read through hdf5plugin when it registers zstd;
otherwise (Debian's python3-hdf5plugin lacks it) each raw chunk is
decompressed with the zstd command-line tool and un-shuffled here.
"""
import gzip
import os
import re
import subprocess
import sys

import numpy as np

ZSTD_ID = 32015
problems = []


def problem(msg):
    problems.append(msg)
    print("check_export.py: " + msg)


def read_index(path):
    head, idx = {}, []
    with open(path) as f:
        lines = f.read().splitlines()
    if lines[0] != "# coreset-index 1":
        raise SystemExit("check_export.py: %s: not an index file" % path)
    for line in lines[1:]:
        if line.startswith("# "):
            k, v = line[2:].split(": ", 1)
            head[k] = v
        elif line:
            idx.append(int(line))
    return head, np.array(idx, dtype=np.int64)


def read_idx_file(path):
    """An IDX (LeCun) file, gzip'd or not."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    assert data[2] == 0x08, "only uint8 IDX here"
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_source(path):
    """{split: (images_name, images, labels_name, labels)}"""
    out = {}
    if os.path.isdir(path):
        files = os.listdir(path)
        for split, stem in (("train", "train"), ("test", "t10k")):
            img = [f for f in files if f.startswith(stem + "-images")]
            lbl = [f for f in files if f.startswith(stem + "-labels")]
            if img and lbl:
                out[split] = (split + "_images", read_idx_file(os.path.join(path, img[0])),
                              split + "_labels", read_idx_file(os.path.join(path, lbl[0])))
    elif path.endswith(".npz"):
        z = np.load(path)
        for split in ("train", "val", "test"):
            if split + "_images" in z:
                out[split] = (split + "_images", z[split + "_images"], split + "_labels", z[split + "_labels"])
    else:
        import h5py

        with h5py.File(path, "r") as f:
            for split in ("train", "val", "test"):
                for form in ("%s/%s", "%s_%s"):
                    a, b = form % (split, "images"), form % (split, "labels")
                    if a in f and b in f:
                        out[split] = (a, f[a][:], b, f[b][:])
                        break
    return out


def zstd_dataset(d):
    """Read an HDF5 dataset compressed with shuffle + zstd chunk by chunk."""
    plist = d.id.get_create_plist()
    filters = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
    shuffled = 2 in filters  # H5Z_FILTER_SHUFFLE
    out = np.empty(d.shape, dtype=d.dtype)
    chunk = d.chunks
    esize = d.dtype.itemsize
    for i in range(d.id.get_num_chunks()):
        info = d.id.get_chunk_info(i)
        _, raw = d.id.read_direct_chunk(info.chunk_offset)
        buf = subprocess.run(["zstd", "-d", "-q", "-c"], input=raw, stdout=subprocess.PIPE, check=True).stdout
        if shuffled and esize > 1:
            buf = np.frombuffer(buf, np.uint8).reshape(esize, -1).T.tobytes()
        block = np.frombuffer(buf, dtype=d.dtype).reshape(chunk)
        sl = tuple(slice(o, min(o + c, s)) for o, c, s in zip(info.chunk_offset, chunk, d.shape))
        out[sl] = block[tuple(slice(0, s.stop - s.start) for s in sl)]
    return out


def read_h5(path):
    import h5py

    try:
        import hdf5plugin  # noqa: F401  (registers filters where it has them)
    except ImportError:
        pass
    arrays, attrs, filters = {}, {}, {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                plist = obj.id.get_create_plist()
                ids = [plist.get_filter(i)[0] for i in range(plist.get_nfilters())]
                filters[name] = ids
                if ZSTD_ID in ids and not h5py.h5z.filter_avail(ZSTD_ID):
                    arrays[name] = zstd_dataset(obj)
                else:
                    arrays[name] = obj[()]

        f.visititems(visit)
        for k, v in f.attrs.items():
            attrs[k] = v.decode() if isinstance(v, bytes) else str(v)
    return arrays, attrs, filters


def read_npz(path):
    z = np.load(path)
    arrays = {k[:-4] if k.endswith(".npy") else k: z[k] for k in z.files}
    attrs = {}
    for line in arrays.pop("provenance", []):
        k, v = line.decode().split(": ", 1)
        attrs[k] = v
    return arrays, attrs, {}


def main():
    src_path, idx_path, out_path = sys.argv[1:4]
    scores_path = sys.argv[4] if len(sys.argv) > 4 else None
    head, idx = read_index(idx_path)
    split = head.get("split", "train")
    src = load_source(src_path)
    arrays, attrs, filters = read_npz(out_path) if out_path.endswith(".npz") else read_h5(out_path)
    if split not in src:
        raise SystemExit("check_export.py: source has no split %s" % split)
    names = set()
    for s, (iname, images, lname, labels) in src.items():
        names |= {iname, lname}
        if iname not in arrays or lname not in arrays:
            problem("split %s: %s or %s missing from the output (has %s)" % (s, iname, lname, sorted(arrays)))
            continue
        want_x, want_y = (images[idx], labels[idx]) if s == split else (images, labels)
        got_x, got_y = arrays[iname], arrays[lname]
        if got_x.shape != want_x.shape or got_x.dtype != want_x.dtype or not np.array_equal(got_x, want_x):
            problem("split %s: %s differs from the source (shape %s %s, want %s %s)"
                    % (s, iname, got_x.shape, got_x.dtype, want_x.shape, want_x.dtype))
        if got_y.reshape(-1).shape != want_y.reshape(-1).shape or \
                not np.array_equal(got_y.reshape(-1).astype(np.int64), want_y.reshape(-1).astype(np.int64)):
            problem("split %s: %s differ from the source" % (s, lname))
    # The pruned split's extras sit beside its images: "<group>/x" or "<split>_x".
    iname = src[split][0]
    prefix = iname.rsplit("/", 1)[0] + "/" if "/" in iname else split + "_"
    si = arrays.get(prefix + "source_index")
    if si is None or si.dtype != np.int64 or not np.array_equal(si, idx):
        problem("%ssource_index is not the index file's indices as int64" % prefix)
    if head.get("score") == "random":
        if prefix + "score" in arrays:
            problem("a random selection has no score to export, but %sscore is there" % prefix)
    elif scores_path:
        import h5py

        with h5py.File(scores_path, "r") as f:
            name = re.split(r"\*", head["score"])[0]
            want = f["scores"][name][:][idx].astype(np.float32)
        got = arrays.get(prefix + "score")
        if got is None or got.dtype != np.float32 or not np.array_equal(got, want):
            problem("%sscore is not scores.h5's '%s' at the kept samples" % (prefix, name))
    extra = set(arrays) - names - {prefix + "source_index", prefix + "score"}
    if extra:
        problem("unexpected arrays in the output: %s" % sorted(extra))
    if int(head["m"]) != len(idx):
        problem("index header m %s, %d indices" % (head["m"], len(idx)))
    for k, v in head.items():
        if attrs.get(k) != v:
            problem("provenance '%s' is %r, the index header says %r" % (k, attrs.get(k), v))
    if not re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", attrs.get("exported", "")):
        problem("provenance 'exported' is %r, not a UTC time" % attrs.get("exported"))
    if problems:
        sys.exit(1)
    comp = sorted({i for ids in filters.values() for i in ids})
    print("check_export.py: %s: %d kept of %d, splits %s, filters %s: all match"
          % (out_path, len(idx), int(head["n"]), ",".join(sorted(src)), comp))


if __name__ == "__main__":
    main()
