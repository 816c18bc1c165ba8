#!/usr/bin/env python3
"""ref_select_rules.py --check RUN IDX - the issue-16 selection rules rebuilt
in NumPy from RUN/scores.h5 (h5py), from their definitions in
man/coreset-select.1 and ../shared/METHODS.md section 6, not from select/*.c:

  - class quotas with a minimum per class (--min-per-class K, the header's
    "quota: MODE min=K"): f_c = min(K, N_c) first, the rest of M water-filled
    over N_c - f_c by the mode's weights of the full N_c, largest remainders;
  - CCS inside each class with those budgets (CCS-CP): tests/ref_select.py's
    CCS per group;
  - DUAL's Beta sampling (--dual): mu = scores.h5's dual_conf, mu_A the mean
    mu of the 10 highest-score samples, r = 1 - M/N, b = 15 (1 - mu_A)(1 - r^c),
    a = 16 - b, keys log(score) + (a-1) log(mu) + (b-1) log(1-mu) - log(-log u)
    (mu clamped to [1e-6, 1-1e-6]), the n_c best keys per group.

The uniforms u are the seed-derived draws of tests/ref_select.py (xoshiro256**
per group stream, one per member in index order).  Prints what differs and
exits 1 if anything does.  Headers without these rules go to ref_select.py.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref_select as rs  # noqa: E402

ANCHOR, SCALE, EPS = 10, 15.0, 1e-6


def waterfill_round(w, caps, m):
    """q_c = min(cap_c, lam w_c), sum m (zero total weight among the open
    classes: by cap), then largest-remainder rounding, ties to the lower class."""
    w, caps = np.asarray(w, float), np.asarray(caps, np.int64)
    full = caps == 0
    q = np.zeros(len(caps))
    while not full.all():
        free = ~full
        rest = m - caps[full].sum()
        ww = w[free] if w[free].sum() > 0 else caps[free].astype(float)
        share = rest * ww / ww.sum()
        q[free] = share
        over = share > caps[free]
        if not over.any():
            break
        full[np.flatnonzero(free)[over]] = True
    q[full] = caps[full]
    v = np.array([rs.snap(x) if rs.snap(x) is not None else x for x in q])
    n = np.clip(np.floor(v).astype(np.int64), 0, caps)
    order = sorted(range(len(v)), key=lambda c: (-(v[c] - math.floor(v[c])), c))
    left = m - n.sum()
    while left > 0:
        for c in order:
            if left and n[c] < caps[c]:
                n[c] += 1
                left -= 1
    return n


def quotas_floor(mode, sizes, lc, m, k):
    sizes = np.asarray(sizes, np.int64)
    w = {"proportional": sizes.astype(float), "balanced": (sizes > 0).astype(float),
         "sqrt": np.sqrt(sizes.astype(float))}.get(mode)
    if w is None:  # rcap
        w = np.sqrt(sizes.astype(float) * lc)
    f = np.minimum(sizes, k)
    if f.sum() > m:
        raise SystemExit("ref_select_rules.py: the floor needs more than M")
    return f + waterfill_round(w, sizes - f, m - f.sum())


def dual_keys(members, u, score, mu, a, b):
    muc = np.clip(mu[members], EPS, 1 - EPS)
    with np.errstate(divide="ignore"):
        lw = np.log(score[members]) + (a - 1) * np.log(muc) + (b - 1) * np.log1p(-muc)
    return lw - np.log(-np.log(u))


def select(h, labels, ncls, score, conf, focus, loss, mu):
    n = len(labels)
    q = h["quota"].split()
    mode, k = q[0], int(q[1].split("=")[1]) if len(q) > 1 else 0
    samp = h["sampling"].split()
    kv = dict(x.split("=") for x in samp[1:])
    m = int(h["count"]) if "count" in h else rs.budget(float(h["rate"]), n)
    seed = int(h["seed"])
    filt = h["filter"].split()
    fkv = dict(x.split("=") for x in filt[1:])
    unrel = (((conf < float(fkv["tau"])) & (focus < float(fkv["phi"]))).astype(int)
             if filt[0] != "off" else np.zeros(n, int))
    if mode == "none":
        groups, nq = [(np.arange(n), rs.MASK)], [m]
    else:
        groups = [(np.flatnonzero(labels == c), c) for c in range(ncls)]
        sizes = [len(g) for g, _ in groups]
        lc = np.array([np.clip(loss[g], 0, math.log(ncls)).sum() for g, _ in groups])
        nq = quotas_floor(mode, sizes, lc, m, k) if k else rs.quotas(mode, sizes, lc, m)
    direction = 1 if h["score-direction"] == "high" else -1
    if samp[0] == "dual":
        best = np.lexsort((np.arange(n), -score))[:ANCHOR]
        mu_a = mu[best].mean()
        r = 1 - m / n
        b = SCALE * (1 - mu_a) * (1 - r ** float(kv["c"]))
        a = SCALE + 1 - b
    out = []
    for (members, stream), kk in zip(groups, nq):
        if kk == 0:
            continue
        rng = rs.Xoshiro.stream(seed, stream)
        u = np.array([rng.uniform_open() for _ in members])
        tier = unrel[members]
        if samp[0] == "ccs":
            out.append(rs.ccs(members, u, tier, score, direction, float(kv["drop"]), int(kv["strata"]), kk))
        elif samp[0] == "dual":
            out.append(rs.take_best(members, tier, dual_keys(members, u, score, mu, a, b), kk))
        elif samp[0] == "top" and h["order"] == "hard":
            out.append(rs.take_best(members, tier, direction * score[members], kk))
        else:
            raise SystemExit("ref_select_rules.py: sampling %r with order %r is ref_select.py's"
                             % (h["sampling"], h["order"]))
    return np.sort(np.concatenate(out))


def check(run, idx_path):
    import h5py

    head, got = rs.read_index(idx_path)
    if len(head["quota"].split()) == 1 and head["sampling"].split()[0] != "dual":
        return rs.check(run, idx_path)
    with h5py.File(os.path.join(run, "scores.h5"), "r") as f:
        labels = f["labels"][:].astype(np.int64)
        sc = f["scores"]
        ncls = int(f.attrs["num_classes"])
        score = (rs.random_scores(len(labels), int(head["seed"])) if head["score"] == "random"
                 else sc[head["score"]][:])
        mu = sc["dual_conf"][:] if "dual_conf" in sc else None
        conf, focus, loss = sc["late_conf"][:], sc["focus"][:], sc["late_loss"][:]
    want = select(head, labels, ncls, score, conf, focus, loss, mu)
    problems = []
    if len(got) != len(want) or int(head["m"]) != len(want):
        problems.append("m: file %s (%d lines), reference %d" % (head["m"], len(got), len(want)))
    else:
        diff = np.flatnonzero(got != want)
        if len(diff):
            problems.append("%d of %d indices differ, first at entry %d: file %d, reference %d"
                            % (len(diff), len(want), diff[0], got[diff[0]], want[diff[0]]))
    for p in problems:
        print("ref_select_rules.py: %s: %s" % (idx_path, p))
    if not problems:
        print("ref_select_rules.py: %s: %d indices match the reference" % (idx_path, len(want)))
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) != 4 or sys.argv[1] != "--check":
        sys.stderr.write(__doc__)
        sys.exit(2)
    sys.exit(check(sys.argv[2], sys.argv[3]))
