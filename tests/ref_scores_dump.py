#!/usr/bin/env python3
"""ref_scores_dump.py - check every score in a run's scores.h5 against the
independent NumPy reference (tests/ref_scores.py), fed only with what
`coreset dump` exported from the run's trajectory and the parameters that
scores.h5 itself records for each score.

  ref_scores_dump.py DUMP SCORES_H5 LABEL TESTNAME

DUMP: a `coreset dump --h5` file or a `coreset dump --raw` directory holding
every field of every run and every epoch.  Prints PASS:/FAIL: lines
(tests/lib.sh style, named TESTNAME:LABEL_<check>) and exits 1 on a failure.

The rules:
 - every dataset under /scores must be a score this script knows how to
   recompute, with parameters it can parse completely: an unknown score or an
   unknown parameter is a failure, never a skip;
 - equal within 1e-6 in the mixed sense |c - r| <= 1e-6 * max(1, |r|): absolute
   for values up to 1 in magnitude (EVA, EL2N, conf-based scores), relative for
   larger ones (AUM's logit margins, forgetting counts);
 - NaN and +-inf must sit at exactly the same samples;
 - the direction attribute must be the one METHODS.md section 3 declares.
The worst difference per score is printed so a report can quote it.
"""
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref_scores  # noqa: E402

FIELDS = ("err", "conf", "margin", "entropy", "loss", "correct", "focus")
# The important end of every score and helper scores.h5 may hold.
DIRECTION = dict(ref_scores.DIRECTION, late_conf=-1, late_loss=1, dual_conf=-1)
TOL = 1e-6

failed = False


def report(name, ok, why=""):
    global failed
    print(("PASS: " if ok else "FAIL: ") + name + ("" if ok or not why else f"  ({why})"))
    failed |= not ok


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def load_h5(path):
    import h5py
    with h5py.File(path, "r") as h:
        epochs = [int(e) for e in h.attrs["epochs"]]
        runs = [int(r) for r in h.attrs["runs"]]
        labels = h["labels"][...]
        cols = {f: h[f][...].astype(np.float64) for f in FIELDS}
        probs = h["probs"][...].astype(np.float64) if "probs" in h else None
        C = int(h.attrs["C"])
    return epochs, runs, labels, C, cols, probs


def load_raw(d):
    with open(os.path.join(d, "params.json")) as f:
        P = json.load(f)
    T, N, C, R = P["epochs"], P["n"], P["num_classes"], P["runs"]
    epochs = list(range(P["first_epoch"], P["first_epoch"] + T))
    cols = {f: np.stack([ref_scores.load(d, f, r, (T, N)) for r in range(R)]) for f in FIELDS}
    probs = None
    if "probs" in P["fields"]:
        probs = np.stack([ref_scores.load(d, "probs", r, (T, N, C)) for r in range(R)])
    labels = np.fromfile(os.path.join(d, "labels.i32"), dtype="<i4")
    return epochs, P["run_ids"], labels, C, cols, probs


def window(v):
    m = re.fullmatch(r"(\d+)\.\.(\d+)", v)
    if not m:
        raise ValueError(f"not an epoch range: {v!r}")
    return int(m.group(1)), int(m.group(2))


def parse_params(name, params, T):
    """The ref_scores.py parameters one score's `params` attribute fixes.  Every key must be
    understood: a parameter the C side adds without a check here fails the test."""
    kv = dict(item.split("=", 1) for item in params.split())
    out = {}

    def take(key):
        if key not in kv:
            raise ValueError(f"{name}: params {params!r} lack {key!r}")
        return kv.pop(key)

    if name == "eva":
        K = int(take("K"))
        a, b = window(take("early"))
        c, d = window(take("late"))
        if b - a + 1 != K or d - c + 1 != K:
            raise ValueError(f"eva windows {a}..{b}, {c}..{d} are not K={K} long")
        var, norm, comb = take("var"), take("norm"), take("comb")
        if var not in ("1/K", "1/(K-1)") or norm not in ("none", "l1") or comb not in ("sum", "weighted"):
            raise ValueError(f"eva: unknown option in {params!r}")
        out.update(eva_k=K, eva_early=a, eva_late=c, eva_unbiased=int(var == "1/(K-1)"),
                   eva_normalise=int(norm == "l1"), eva_weighted=int(comb == "weighted"))
        out["eva_w"] = float(take("w")) if comb == "weighted" else 0.5
    elif name == "el2n":
        out["el2n_first"], out["el2n_last"] = window(take("epochs"))
    elif name == "forgetting":
        never = take("never_correct")
        if never not in ("inf", "0"):
            raise ValueError(f"forgetting: never_correct={never}")
        out["forget_never_zero"] = int(never == "0")
    elif name in ("entropy", "least_confidence", "margin"):
        a, b = window(take("epochs"))
        if b != T:
            raise ValueError(f"{name}: epochs {a}..{b} do not end at the last epoch {T}")
        out["unc_last_k"] = T - a + 1
    elif name == "dynamic_uncertainty":
        out["dyn_j"] = int(take("J"))
        if take("std") != "population":
            raise ValueError(f"{name}: only the population std is known here")
    elif name in ("aum", "focus"):
        if window(take("epochs")) != (1, T):
            raise ValueError(f"{name}: params {params!r}, expected epochs=1..{T}")
    elif name == "focus_weighted":
        base = take("base")
        if base != "eva":
            raise ValueError(f"{name}: base={base}, the reference derives it from eva only")
        out["gamma"] = float(take("gamma"))
    elif name == "dual":
        out["dual_j"] = int(take("J"))
        a, out["dual_epochs"] = window(take("epochs"))
        if a != 1 or take("std") != "population":
            raise ValueError(f"{name}: params {params!r}, expected epochs=1..T_d std=population")
    elif name == "dual_conf":
        a, out["dual_epochs"] = window(take("epochs"))
        if a != 1:
            raise ValueError(f"{name}: params {params!r}, expected epochs=1..T_d")
    elif name == "tdds":
        out["tdds_j"] = int(take("J"))
        a, out["tdds_epochs"] = window(take("epochs"))
        out["tdds_beta"] = float(take("beta"))
        if a != 1:
            raise ValueError(f"{name}: params {params!r}, expected epochs=1..T'")
    elif name in ("late_conf", "late_loss"):
        a, b = window(take("epochs"))
        out.update(eva_late=a, eva_k=b - a + 1)
    else:
        raise ValueError(f"no NumPy check for score '{name}'")
    if kv:
        raise ValueError(f"{name}: unknown parameters {sorted(kv)} in {params!r}")
    return out


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    dump, scores_path, label, tname = argv[1:]
    pre = f"{tname}:{label}_"
    import h5py
    epochs, run_ids, labels, C, cols, probs = load_raw(dump) if os.path.isdir(dump) else load_h5(dump)
    R, T, N = cols["err"].shape
    report(pre + "dump_complete", epochs == list(range(1, T + 1)) and run_ids == list(range(R)),
           f"epochs {epochs[:3]}..., runs {run_ids}: the scores need every epoch of every run")

    with h5py.File(scores_path, "r") as h:
        s_epochs, s_runs = int(text(h.attrs["epochs"])), int(text(h.attrs["runs"]))
        s_labels, s_index = h["labels"][...], h["index"][...]
        stored = {k: (h["scores"][k][...], text(h["scores"][k].attrs.get("params", "")),
                      text(h["scores"][k].attrs.get("direction", ""))) for k in h["scores"]}
    report(pre + "shape", (s_epochs, s_runs) == (T, R) and np.array_equal(s_labels, labels) and
           np.array_equal(s_index, np.arange(N)), f"scores.h5: {s_runs} runs x {s_epochs} epochs, dump {R} x {T}")

    # One parameter set for the whole reference; two scores that fix the same key must agree.
    P = dict(epochs=T, n=N, num_classes=C, runs=R)
    fixed = {}
    for name, (_, params, _) in sorted(stored.items()):
        try:
            got = parse_params(name, params, T)
        except ValueError as e:
            report(pre + name, False, str(e))
            continue
        for key, v in got.items():
            if key in fixed and fixed[key][1] != v:
                report(pre + name, False, f"{key}={v} disagrees with {fixed[key][0]}'s {fixed[key][1]}")
            fixed.setdefault(key, (name, v))
    P.update({k: v for k, (_, v) in fixed.items()})
    # Parameters of scores scores.h5 does not hold: anything valid, their results are not compared.
    for key, v in dict(eva_k=2, eva_early=1, eva_late=0, eva_unbiased=0, eva_normalise=0, eva_weighted=0,
                       eva_w=0.5, el2n_first=1, el2n_last=1, forget_never_zero=0, unc_last_k=1, dyn_j=1,
                       gamma=1.0).items():
        P.setdefault(key, v)

    runs = []
    for r in range(R):
        rc = {f: cols[f][r] for f in FIELDS if f != "focus"}
        runs.append((rc, None if probs is None else probs[r], cols["focus"][r]))
    ref = ref_scores.combine_runs(runs, P)

    checked = []
    for name, (c, params, direction) in sorted(stored.items()):
        if name not in ref:
            if name in DIRECTION:
                report(pre + name, False, "the NumPy reference cannot compute it from this dump")
            continue  # unknown names already failed in parse_params
        r = ref[name]
        want_dir = "high" if DIRECTION[name] > 0 else "low"
        same_special = np.array_equal(np.isnan(c), np.isnan(r)) and \
            np.array_equal(np.where(np.isinf(c), np.sign(c), 0), np.where(np.isinf(r), np.sign(r), 0))
        fin = np.isfinite(r) & np.isfinite(c)
        diff = np.abs(c[fin] - r[fin]) / np.maximum(1.0, np.abs(r[fin]))
        worst = float(diff.max()) if diff.size else 0.0
        ok = c.shape == (N,) and same_special and worst <= TOL and direction == want_dir
        report(pre + name, ok, f"worst {worst:.3g}, NaN/inf at the same samples: {same_special}, "
                               f"direction {direction} (want {want_dir}), params {params}")
        print(f"  {label} {name:20s} worst |diff|/max(1,|ref|) = {worst:.2e}  "
              f"({int(fin.sum())} finite, {int(np.isinf(r).sum())} inf, {int(np.isnan(r).sum())} NaN)  [{params}]")
        checked.append(name)
    print(f"  {label}: {len(checked)} of {len(stored)} scores checked: {' '.join(checked)}")
    report(pre + "all_checked", len(checked) == len(stored) and len(stored) > 0,
           f"{sorted(set(stored) - set(checked))} not checked")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
