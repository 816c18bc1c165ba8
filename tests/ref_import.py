#!/usr/bin/env python3
"""ref_import.py - the NumPy side of tests/t_import.sh: what `coreset import`
should make of a file of training dynamics, computed here from the file alone
(h5py / NumPy), written from METHODS.md section 1 and 2, not from the C code.

  ref_import.py fields DYN OUT.h5     the recorded fields in `coreset dump --h5`'s
                                      layout (1 run), for tests/ref_scores_dump.py
  ref_import.py compare DUMP.h5 REF.h5 NAME
                                      every field of a dump of the imported run
                                      against REF.h5: PASS:/FAIL: NAME_<field>
  ref_import.py embeddings DYN EMB.h5 NAME
                                      RUN/embeddings.h5 holds the file's embeddings
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref_scores  # noqa: E402

FIELDS = ("err", "conf", "margin", "entropy", "loss", "correct", "focus", "used")
failed = False


def report(name, ok, why=""):
    global failed
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok or not why else f"  ({why})"))
    failed |= not ok


def load(path):
    if path.endswith(".npz"):
        d = np.load(path)
        return {k: d[k] for k in d.files}
    import h5py
    with h5py.File(path, "r") as h:
        return {k: h[k][...] for k in h}


def fields(dyn):
    y = dyn["labels"].astype(np.int64).reshape(-1)  # [N] or [N, 1]
    if "logits" in dyn:
        z = dyn["logits"].astype(np.float32).astype(np.float64)
    else:
        z = np.log(np.maximum(dyn["probs"].astype(np.float32).astype(np.float64), 1e-30))
    T, N, C = z.shape
    m = z.max(axis=2, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(axis=2, keepdims=True)))[..., 0]
    p = np.exp(z - lse[..., None])
    onehot = np.eye(C)[y][None]
    zy = np.take_along_axis(z, np.broadcast_to(y[None, :, None], (T, N, 1)), axis=2)[..., 0]
    other = np.where(onehot.astype(bool), -np.inf, z).max(axis=2)
    out = {
        "err": np.sqrt(((p - onehot) ** 2).sum(axis=2)),
        "conf": np.exp(zy - lse),
        "margin": zy - other,
        "entropy": -(np.where(p > 0, p * np.log(np.where(p > 0, p, 1)), 0)).sum(axis=2),
        "loss": lse - zy,
        "correct": (z.argmax(axis=2) == y[None]).astype(np.float64),
        "used": dyn["used"].astype(np.float64) if "used" in dyn else np.ones((T, N)),
    }
    if "cam" in dyn:
        A = dyn["cam"].astype(np.float32).astype(np.float64).reshape(T * N, -1)
        nan = np.isnan(A).all(axis=1)
        f = np.full(T * N, np.nan)
        if (~nan).any():
            f[~nan] = ref_scores.focus_of(A[~nan])
        out["focus"] = f.reshape(T, N)
    elif "focus" in dyn:
        out["focus"] = dyn["focus"].astype(np.float32).astype(np.float64)
    else:
        out["focus"] = np.full((T, N), np.nan)
    return y, p, out


def main(argv):
    import h5py
    cmd = argv[1]
    if cmd == "fields":
        y, p, out = fields(load(argv[2]))
        T, N, C = p.shape
        with h5py.File(argv[3], "w") as h:
            h.attrs["epochs"] = np.arange(1, T + 1)
            h.attrs["runs"] = np.array([0])
            h.attrs["C"] = C
            h["labels"] = y.astype(np.int32)
            # float32, as the trajectory stores every field (coreset-trajectory(5)):
            # rank-based scores (focus_weighted) see the same ties as coreset's.
            for k, v in out.items():
                h[k] = v[None].astype(np.float32)
            h["probs"] = p[None].astype(np.float32)
        return 0
    if cmd == "compare":
        name = argv[4]
        with h5py.File(argv[2], "r") as d, h5py.File(argv[3], "r") as r:
            report(name + "_labels", np.array_equal(d["labels"][...], r["labels"][...]))
            for k in FIELDS + ("probs",):
                c, w = d[k][...].astype(np.float64), r[k][...]
                if c.shape != w.shape:
                    report(f"{name}_{k}", False, f"shape {c.shape}, want {w.shape}")
                    continue
                same_nan = np.array_equal(np.isnan(c), np.isnan(w))
                fin = np.isfinite(c) & np.isfinite(w)
                worst = float((np.abs(c[fin] - w[fin]) / np.maximum(1, np.abs(w[fin]))).max()) if fin.any() else 0.0
                report(f"{name}_{k}", same_nan and worst <= 1e-6 and fin.sum() + np.isnan(w).sum() == w.size,
                       f"worst {worst:.3g}, NaN at the same samples: {same_nan}")
                print(f"  {name} {k:8s} worst |diff|/max(1,|ref|) = {worst:.2e}")
        return 1 if failed else 0
    if cmd == "embeddings":
        emb = load(argv[2])["embeddings"].astype(np.float32)
        name = argv[4]
        with h5py.File(argv[3], "r") as h:
            e, ep = h["embeddings"][...], h["epochs"][...]
            T = load(argv[2])["logits"].shape[0]
            report(name, e.dtype == np.float32 and e.shape == (1,) + emb.shape and np.array_equal(e[0], emb) and
                   list(ep) == [T] and np.array_equal(h["index"][...], np.arange(emb.shape[0])),
                   f"shape {e.shape}, epochs {list(ep)}")
        return 1 if failed else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
