#!/usr/bin/python3
"""ref_dataset.py - an independent reader for the dataset tests (numpy, h5py).

  ref_dataset.py digest PATH [IMAGES LABELS]
      one line per split, in the order train, val, test:
      "<split> <n> <shape AxB> <dtype> <sha256 samples> <sha256 labels> <sha256 samples f32>"
      samples hashed as the bytes coreset reads them (uint8 stays uint8, every
      other type float32, little-endian), labels as int32, and the samples once
      more as float32.
  ref_dataset.py make-h5 DIR     write the HDF5 test files into DIR
  ref_dataset.py make-npz DIR    write .npz (stored and deflated) and .npy test files into DIR
  ref_dataset.py make-bad DIR SRC.npz   write the malformed inputs for t_inspect_dataset.sh
"""
import gzip
import hashlib
import os
import struct
import sys
import zipfile

import numpy as np

SPLITS = ["train", "val", "test"]


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def line(split, x, y):
    x = np.asarray(x)
    xs = x if x.dtype == np.uint8 else x.astype("<f4")
    y = np.asarray(y).reshape(-1).astype("<i4")
    shape = "x".join(str(d) for d in x.shape[1:]) or "scalar"
    dt = "uint8" if xs.dtype == np.uint8 else "float32"
    return f"{split} {x.shape[0]} {shape} {dt} {sha(xs)} {sha(y)} {sha(x.astype('<f4'))}"


def pairs(names, keys):
    for img, lbl in names:
        found = [(s, f"{s}_{img}", f"{s}_{lbl}") for s in SPLITS if f"{s}_{img}" in keys]
        if found:
            return found
        if img in keys:
            return [("train", img, lbl)]
    raise SystemExit("no sample arrays found")


def digest_npz(path, names):
    d = np.load(path)
    return [line(s, d[i], d[l]) for s, i, l in pairs(names, set(d.files))]


def digest_h5(path, names):
    import h5py
    out = []
    with h5py.File(path, "r") as f:
        keys = set()
        f.visit(lambda k: keys.add(k.replace("/", "_")))
        for s, i, l in pairs(names, keys):
            ip = i.replace("_", "/", 1) if i.replace("_", "/", 1) in f else i
            lp = l.replace("_", "/", 1) if l.replace("_", "/", 1) in f else l
            out.append(line(s, f[ip][()], f[lp][()]))
    return out


def read_idx(path):
    data = gzip.open(path).read() if path.endswith(".gz") else open(path, "rb").read()
    code, rank = data[2], data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    dt = {8: "u1", 9: "i1", 11: ">i2", 12: ">i4", 13: ">f4", 14: ">f8"}[code]
    return np.frombuffer(data, dtype=dt, offset=4 + 4 * rank).reshape(dims)


def digest_idx(path):
    files = sorted(os.listdir(path))
    prefix = {"train": "train", "t10k": "test", "test": "test", "val": "val"}
    found = {}
    for fn in files:
        if "-images-" in fn:
            found.setdefault(prefix[fn.split("-")[0]], fn)
    out = []
    for s in SPLITS:
        if s in found:
            fi = found[s]
            fl = fi.replace("images", "labels").replace("idx3", "idx1")
            out.append(line(s, read_idx(os.path.join(path, fi)), read_idx(os.path.join(path, fl))))
    return out


def digest(path, names):
    if os.path.isdir(path):
        return digest_idx(path)
    if path.endswith(".npz"):
        return digest_npz(path, names)
    if path.endswith(".npy"):
        lp = path.replace("images", "labels") if "images" in os.path.basename(path) else path[:-4] + "_labels.npy"
        return [line("train", np.load(path), np.load(lp))]
    return digest_h5(path, names)


def synth(n, shape, seed, dtype):
    r = np.random.RandomState(seed)
    if dtype == np.uint8:
        return r.randint(0, 256, size=(n,) + shape).astype(np.uint8)
    return (r.standard_normal((n,) + shape) * 3).astype(dtype)


def make_h5(d):
    import h5py
    names = np.array(["cat", "dog", "bird"], dtype=object)
    with h5py.File(os.path.join(d, "u8.h5"), "w") as f:
        for k, (s, n) in enumerate([("train", 50), ("val", 7), ("test", 13)]):
            g = f.create_group(s)
            g.create_dataset("images", data=synth(n, (28, 28), k, np.uint8), chunks=(4, 28, 28))
            lab = g.create_dataset("labels", data=(np.arange(n) % 3).reshape(n, 1).astype(np.int64))
            lab.attrs["class_names"] = names
    with h5py.File(os.path.join(d, "f32.h5"), "w") as f:
        for k, (s, n) in enumerate([("train", 40), ("test", 9)]):
            f[f"{s}_images"] = synth(n, (28, 28), 10 + k, np.float32)
            f[f"{s}_labels"] = (np.arange(n) * 7 % 4).astype(np.uint16)
        f.attrs["class_names"] = np.array([b"a", b"bb", b"ccc", b"dddd"])
    with h5py.File(os.path.join(d, "f64.h5"), "w") as f:
        f["x"] = synth(30, (3, 4, 5), 20, np.float64)
        f["y"] = (np.arange(30) % 5).astype(np.int8)
    with h5py.File(os.path.join(d, "i16.h5"), "w") as f:
        f["images"] = np.random.RandomState(3).randint(-300, 300, size=(12, 6)).astype(np.int16)
        f["labels"] = np.zeros(12, dtype=np.int32)
    with h5py.File(os.path.join(d, "nan.h5"), "w") as f:
        x = synth(20, (4, 4), 30, np.float32)
        x[7, 1, 2] = np.nan
        f["images"] = x
        f["labels"] = np.zeros(20, dtype=np.int64)


def make_npz(d):
    arrays = {}
    for k, (s, n) in enumerate([("train", 60), ("val", 11), ("test", 17)]):
        arrays[f"{s}_images"] = synth(n, (28, 28), 40 + k, np.uint8)
        arrays[f"{s}_labels"] = (np.arange(n) % 2).reshape(n, 1).astype(np.int64)
    np.savez(os.path.join(d, "stored.npz"), **arrays)
    np.savez_compressed(os.path.join(d, "deflated.npz"), **arrays)
    np.savez_compressed(os.path.join(d, "xy.npz"), x=synth(25, (2, 8), 50, np.float64),
                        y=(np.arange(25) % 3).astype(np.int32))
    np.save(os.path.join(d, "train_images.npy"), synth(33, (5, 5), 60, np.float32))
    np.save(os.path.join(d, "train_labels.npy"), (np.arange(33) % 4).astype(np.uint8))


def put(path, data):
    with open(path, "wb") as fp:
        fp.write(data)


def make_bad(d, src):
    raw = open(src, "rb").read()
    put(os.path.join(d, "truncated.npz"), raw[:len(raw) // 2])
    put(os.path.join(d, "garbage.npz"), b"this is not a zip archive at all" * 4)
    x = synth(10, (4,), 1, np.uint8)
    np.savez(os.path.join(d, "stored.npz"), train_images=x, train_labels=np.zeros(10, np.int64))
    np.savez_compressed(os.path.join(d, "deflated.npz"), train_images=x, train_labels=np.zeros(10, np.int64))
    # A byte flipped in a stored member's data: only the CRC can tell.
    z = zipfile.ZipFile(os.path.join(d, "stored.npz"))
    info = z.getinfo("train_images.npy")
    b = bytearray(open(os.path.join(d, "stored.npz"), "rb").read())
    nlen, elen = struct.unpack("<HH", b[info.header_offset + 26:info.header_offset + 30])
    b[info.header_offset + 30 + nlen + elen + info.file_size - 1] ^= 0x40
    put(os.path.join(d, "crc_stored.npz"), bytes(b))
    # A deflated member whose CRC in the central directory is wrong.
    b = bytearray(open(os.path.join(d, "deflated.npz"), "rb").read())
    at = b.rfind(b"PK\x01\x02", 0, b.find(b"train_images.npy", b.find(b"PK\x01\x02")) + 1)
    b[at + 16] ^= 0xFF
    put(os.path.join(d, "crc_deflated.npz"), bytes(b))
    # Label count mismatch and a negative label.
    np.savez(os.path.join(d, "count.npz"), train_images=x, train_labels=np.zeros(9, np.int64))
    np.savez(os.path.join(d, "negative.npz"), train_images=x,
             train_labels=np.array([0, 1, 0, -1, 0, 0, 1, 1, 0, 0], np.int64))
    # An .npy whose header promises more rows than the file holds.
    np.save(os.path.join(d, "short_images.npy"), np.zeros((100, 4), np.float32))
    put(os.path.join(d, "short_images.npy"), open(os.path.join(d, "short_images.npy"), "rb").read()[:-32])
    np.save(os.path.join(d, "short_labels.npy"), np.zeros(100, np.int64))
    np.save(os.path.join(d, "fort_images.npy"), np.asfortranarray(np.zeros((3, 4), np.float32)))
    np.save(os.path.join(d, "fort_labels.npy"), np.zeros(3, np.int64))
    y = np.ones((6, 2), np.float32)
    y[4, 1] = np.nan
    np.save(os.path.join(d, "nan_images.npy"), y)
    np.save(os.path.join(d, "nan_labels.npy"), np.zeros(6, np.int64))
    put(os.path.join(d, "badmagic_images.npy"), b"NOTNUMPY" + bytes(100))
    np.save(os.path.join(d, "badmagic_labels.npy"), np.zeros(3, np.int64))
    np.save(os.path.join(d, "nolabels.npy"), np.zeros((3, 2), np.uint8))
    # IDX files: bad magic, and a labels file one short.
    os.makedirs(os.path.join(d, "idx"), exist_ok=True)
    img = struct.pack(">BBBBIII", 0, 0, 8, 3, 5, 2, 2) + bytes(20)
    put(os.path.join(d, "idx", "train-images-idx3-ubyte"), img)
    put(os.path.join(d, "idx", "train-labels-idx1-ubyte"), struct.pack(">BBBBI", 0, 0, 8, 1, 4) + bytes(4))
    put(os.path.join(d, "badmagic-images-idx3-ubyte"), b"\x01\x02" + img[2:])
    put(os.path.join(d, "badmagic-labels-idx1-ubyte"), struct.pack(">BBBBI", 0, 0, 8, 1, 5) + bytes(5))
    with gzip.open(os.path.join(d, "trunc-images-idx3-ubyte.gz"), "wb") as g:
        g.write(img[:-7])
    put(os.path.join(d, "trunc-labels-idx1-ubyte"), struct.pack(">BBBBI", 0, 0, 8, 1, 5) + bytes(5))


def main():
    cmd = sys.argv[1]
    if cmd == "digest":
        names = [tuple(sys.argv[3:5])] if len(sys.argv) >= 5 else [("images", "labels"), ("x", "y")]
        print("\n".join(digest(sys.argv[2], names)))
    elif cmd == "make-h5":
        make_h5(sys.argv[2])
    elif cmd == "make-npz":
        make_npz(sys.argv[2])
    elif cmd == "make-bad":
        make_bad(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    main()
