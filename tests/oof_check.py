#!/usr/bin/env python3
"""oof_check.py - an independent reading of an out-of-fold run (score.folds = K)
from what `coreset dump --csv` exports, written from coreset-score(1)'s
description, not from the C code.

  oof_check.py DUMP_CSV K RUNS EPOCHS OUT_H5 TESTNAME

Checks, printing PASS:/FAIL: lines (TESTNAME:oof_<check>):
 - folds: every sample has one fold in 0..K-1, the same in every row; each
   class is split evenly over the folds (counts differ by at most 1);
 - frames: pass p = run * K + fold; pass p holds values exactly for the samples
   of fold p mod K, with used = 0 (never trained on), and none for the others,
   which it back-propagated (used = 1, no data dropout in the test's config);
 - every sample is recorded exactly RUNS x EPOCHS times, each time by a pass of
   its own fold: only by models that never trained on it.
Then writes OUT_H5 in `coreset dump --h5`'s layout (runs x epochs x samples),
each sample's values taken from its own fold's pass, for
tests/ref_scores_dump.py to recompute every score from.
"""
import csv
import sys

import numpy as np

FIELDS = ("err", "conf", "margin", "entropy", "loss", "correct", "focus", "used")
failed = False


def report(name, ok, why=""):
    global failed
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok or not why else f"  ({why})"))
    failed |= not ok


def main(argv):
    path, K, R, T, out, tname = argv[1], int(argv[2]), int(argv[3]), int(argv[4]), argv[5], argv[6]
    pre = f"{tname}:oof_"
    with open(path, newline="") as f:
        rd = csv.reader(f)
        head = next(rd)
        rows = list(rd)
    col = {h: i for i, h in enumerate(head)}
    report(pre + "fold_column", head[:5] == ["epoch", "run", "index", "label", "fold"], f"header {head[:6]}")
    if failed:
        return 1
    probs = sorted((h for h in head if h.startswith("prob_")), key=lambda h: int(h[5:]))
    a = np.array(rows, dtype=object)
    ep = a[:, col["epoch"]].astype(int)
    run = a[:, col["run"]].astype(int)
    idx = a[:, col["index"]].astype(int)
    lab = a[:, col["label"]].astype(int)
    fold = a[:, col["fold"]].astype(int)
    N, C = idx.max() + 1, len(probs) if probs else int(lab.max()) + 1

    def num(name):
        v = a[:, col[name]]
        return np.array([float(x) if x != "" else np.nan for x in v])

    vals = {h: num(h) for h in FIELDS + tuple(probs)}
    # folds: one per sample, stratified
    sf = np.full(N, -1)
    sf[idx] = fold
    same = np.array_equal(sf[idx], fold) and (sf >= 0).all() and (sf < K).all()
    labels = np.zeros(N, dtype=np.int32)
    labels[idx] = lab
    even = all(np.ptp(np.bincount(sf[labels == c], minlength=K)) <= 1 for c in range(C))
    report(pre + "folds_stratified", same and even and len(set(sf)) == K,
           f"per class: {[np.bincount(sf[labels == c], minlength=K).tolist() for c in range(C)]}")
    # frames: values exactly where the pass held the sample out
    held = fold == run % K
    has = ~np.isnan(vals["err"])
    report(pre + "passes", sorted(set(run)) == list(range(R * K)) and sorted(set(ep)) == list(range(1, T + 1)),
           f"passes {sorted(set(run))}, epochs {sorted(set(ep))}")
    report(pre + "values_only_held_out", np.array_equal(has, held) and
           all(np.array_equal(~np.isnan(vals[h]), held) for h in ("conf", "margin", "entropy", "loss") + tuple(probs)),
           f"{int((has & ~held).sum())} rows recorded by a model that trained on the sample, "
           f"{int((held & ~has).sum())} held-out rows without values")
    report(pre + "used", (vals["used"][held] == 0).all() and (vals["used"][~held] == 1).all(),
           "held-out rows must be used=0, training rows used=1")
    cnt = np.bincount(idx[has], minlength=N)
    report(pre + "each_sample_once_per_epoch", (cnt == R * T).all(), f"records per sample {cnt.min()}..{cnt.max()}")
    # the merged (run, epoch, sample) arrays the scores read
    m = {h: np.full((R, T, N), np.nan, dtype=np.float32) for h in FIELDS}
    pr = np.full((R, T, N, len(probs)), np.nan, dtype=np.float32)
    r_of, t_of, i_of = run[has] // K, ep[has] - 1, idx[has]
    for h in FIELDS:
        m[h][r_of, t_of, i_of] = vals[h][has]
    for j, h in enumerate(probs):
        pr[r_of, t_of, i_of, j] = vals[h][has]
    report(pre + "merged_complete", not np.isnan(m["err"]).any())
    import h5py
    with h5py.File(out, "w") as o:
        o.attrs["epochs"] = np.arange(1, T + 1, dtype=np.int32)
        o.attrs["runs"] = np.arange(R, dtype=np.int32)
        o.attrs["C"] = C
        o["labels"] = labels
        for h in FIELDS:
            o[h] = m[h].astype(np.uint8) if h in ("correct", "used") else m[h]
        if probs:
            o["probs"] = pr
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
