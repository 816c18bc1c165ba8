#!/usr/bin/env python3
"""check_auto.py - an independent check of `coreset select --by auto`'s
outputs, from their definitions (man/coreset-select.1, AUTO), not from
select/auto*.c.

check_auto.py RUN IDX TABLE [--holdout F SEED] [--same-as CAND.idx]
  - IDX.auto.json: every tried candidate once, in portfolio order, Random
    first; mean/std are the mean and sample std of the per-seed values; the
    chosen one is the first with the largest mean;
  - TABLE (the command's stdout): one row per candidate with the JSON's
    options, mean and std (4 decimals), the chosen row marked;
  - IDX's header: auto-rule names the chosen candidate and its options,
    auto-evidence lists every evaluated mean+-std, and the indices are m
    ascending unique samples of the training split;
  - --holdout F SEED: the stratified holdout rebuilt in NumPy from the seed
    (round(F * N_c) smallest uniform keys of each class, xoshiro256** stream
    "holdout" as tests/ref_select.py) has the JSON's size, and none of its
    samples is in the coreset;
  - --same-as CAND.idx: IDX's indices are CAND.idx's (the chosen rule's
    plain `coreset select`).
Prints what differs and exits 1 if anything does."""
import json
import math
import os
import sys

import h5py
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ref_select import Xoshiro, read_index  # noqa: E402

HOLDOUT_STREAM = 0x686F6C646F7574  # "holdout"


def holdout(labels, frac, seed):
    rng = Xoshiro.stream(seed, HOLDOUT_STREAM)
    keys = np.array([(rng.next() >> 11) * 2.0 ** -53 for _ in range(len(labels))])
    out = np.zeros(len(labels), bool)
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        h = int(math.floor(frac * len(members) + 0.5))
        order = members[np.lexsort((members, keys[members]))]
        out[order[:h]] = True
    return out


def main():
    args = sys.argv[1:]
    run, idx_path, table_path = args[:3]
    rest = args[3:]
    errors = []
    head, idx = read_index(idx_path)
    idx = np.asarray(idx, dtype=np.int64)
    js = json.load(open(idx_path[:-4] + ".auto.json"))
    labels = h5py.File(os.path.join(run, "scores.h5"))["labels"][:]
    cands = js["candidates"]
    if not cands or cands[0]["name"] != "random" or cands[0]["options"] != "--by random":
        errors.append("Random is not the first candidate")
    ev = [c for c in cands if c["status"] == "evaluated"]
    for c in ev:
        v = np.array(c["values"], float)
        std = v.std(ddof=1) if len(v) > 1 else 0.0
        if abs(v.mean() - c["mean"]) > 1e-12 or abs(std - c["std"]) > 1e-12:
            errors.append("%s: mean/std %r/%r, values %r" % (c["name"], c["mean"], c["std"], list(v)))
        if not all(0.0 <= x <= 1.0 for x in v):
            errors.append("%s: values outside [0, 1]" % c["name"])
    best = max(c["mean"] for c in ev)
    want = next(c for c in ev if c["mean"] == best)
    if js["chosen"] != want["name"]:
        errors.append("chosen %s, the first best mean is %s" % (js["chosen"], want["name"]))
    if head.get("auto-rule") != "%s (%s)" % (want["name"], want["options"]):
        errors.append("auto-rule %r" % head.get("auto-rule"))
    evidence = "; ".join("%s %.4f+-%.4f" % (c["name"], c["mean"], c["std"]) for c in ev)
    if head.get("auto-evidence") != evidence:
        errors.append("auto-evidence %r, want %r" % (head.get("auto-evidence"), evidence))
    if head.get("auto-objective") != js["objective"]:
        errors.append("auto-objective %r" % head.get("auto-objective"))
    rows = {}
    for line in open(table_path):
        w = line.split()
        if w and any(w[0] == c["name"] for c in cands):
            rows[w[0]] = line
    for c in cands:
        line = rows.get(c["name"])
        if line is None:
            errors.append("no table row for %s" % c["name"])
            continue
        if c["options"] not in line:
            errors.append("row %s lacks its options" % c["name"])
        if c["status"] == "evaluated":
            w = line[line.index(c["options"]) + len(c["options"]):].split()
            if w[0] != "%.4f" % c["mean"] or w[1] != "%.4f" % c["std"]:
                errors.append("row %s: %s %s, JSON %.4f %.4f" % (c["name"], w[0], w[1], c["mean"], c["std"]))
            if ("<- chosen" in line) != (c["name"] == js["chosen"]):
                errors.append("row %s: chosen mark wrong" % c["name"])
    if len(idx) != int(head["m"]) or np.any(np.diff(idx) <= 0) or idx.min() < 0 or idx.max() >= len(labels):
        errors.append("indices are not m ascending unique samples")
    i = 0
    while i < len(rest):
        if rest[i] == "--holdout":
            frac, seed = float(rest[i + 1]), int(rest[i + 2])
            h = holdout(labels, frac, seed)
            if js["val_samples"] != int(h.sum()) or not js["holdout"]:
                errors.append("holdout of %d samples, JSON says %r" % (h.sum(), js["val_samples"]))
            if h[idx].any():
                errors.append("%d holdout samples in the coreset" % h[idx].sum())
            i += 3
        elif rest[i] == "--same-as":
            _, other = read_index(rest[i + 1])
            if list(other) != list(idx):
                errors.append("indices differ from %s" % rest[i + 1])
            i += 2
        else:
            sys.exit("check_auto.py: unknown argument " + rest[i])
    for e in errors:
        print(e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
