#!/usr/bin/env python3
"""ref_select.py DIR - an independent NumPy reference for the selection
stage (../shared/METHODS.md section 4), written from the definitions, not
from select/*.c.

ref_select.py --check RUN IDX - recompute the selection an index file's
header describes from RUN/scores.h5 (h5py) and compare it with the file's
indices; prints what differs and exits 1 if anything does.

DIR holds the inputs the C test wrote (meta.txt "N C"; labels.i32,
score.f64, conf.f64, focus.f64, loss.f64, raw little-endian) and cases.txt,
one case a line:
  name quota pick order lo hi filter rate seed drop strata beta dir
For each case this writes DIR/ref_<name>.txt, the selected indices, one a line.

Conventions shared with the C side (they are part of the spec, documented in
select/*.c): random draws come from xoshiro256** seeded by splitmix64 as
common/rng.c; a group is a class (stream = class) or, with quota none, the
whole set (stream 2^64-1), one uniform in (0,1) per member in index order.
"""
import math
import os
import sys

import numpy as np

MASK = (1 << 64) - 1


def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & MASK
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return x, z ^ (z >> 31)


class Xoshiro:
    def __init__(self, seed):
        self.s = []
        x = seed
        for _ in range(4):
            x, z = splitmix64(x)
            self.s.append(z)

    @classmethod
    def stream(cls, seed, stream):
        _, z = splitmix64(seed)
        return cls(z ^ ((stream * 0xD1342543DE82EF95 + 0x2545F4914F6CDD1D) & MASK))

    def next(self):
        s = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & MASK
        out = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return out

    def uniform_open(self):
        return ((self.next() >> 12) + 0.5) * 2.0 ** -52


def snap(x):
    r = float(np.rint(x))
    return r if abs(x - r) <= 1e-9 * max(1.0, abs(x)) else None


def budget(rate, n):
    x = rate * n
    r = snap(x)
    m = int(r) if r is not None else math.ceil(x)
    return min(max(m, 1), n)


def quotas(mode, sizes, lc, m):
    sizes = np.asarray(sizes, dtype=np.int64)
    if mode == "proportional":
        w = sizes.astype(float)
    elif mode == "balanced":
        w = (sizes > 0).astype(float)
    elif mode == "sqrt":
        w = np.sqrt(sizes.astype(float))
    else:  # rcap
        w = np.sqrt(sizes.astype(float) * lc)
    full = sizes == 0
    q = np.zeros(len(sizes))
    while True:
        free = ~full
        if not free.any():
            break
        rest = m - sizes[full].sum()
        ww = w[free] if w[free].sum() > 0 else sizes[free].astype(float)
        share = rest * ww / ww.sum()
        over = share > sizes[free]
        q[free] = share
        if not over.any():
            break
        full[np.flatnonzero(free)[over]] = True
    q[full] = sizes[full]
    # largest remainder
    v = np.array([snap(x) if snap(x) is not None else x for x in q])
    n = np.clip(np.floor(v).astype(np.int64), 0, sizes)
    frac = v - np.floor(v)
    order = sorted(range(len(v)), key=lambda c: (-frac[c], c))
    left = m - n.sum()
    while left > 0:
        for c in order:
            if left and n[c] < sizes[c]:
                n[c] += 1
                left -= 1
    return n


def take_best(members, tier, key, n):
    """n members best by (tier ascending, key descending, index ascending)."""
    order = np.lexsort((members, -key, tier))
    return members[order[:n]]


def ccs(members, u, tier, score, direction, drop, strata, n):
    hardness = direction * score[members]
    by_hard = np.lexsort((members, -hardness))  # hardest first
    r = drop * len(members)
    nd = int(snap(r)) if snap(r) is not None else math.floor(r)
    kept_pos, dropped_pos = by_hard[nd:], by_hard[:nd]
    if n >= len(kept_pos):
        extra = dropped_pos[::-1][: n - len(kept_pos)]
        return members[np.concatenate([kept_pos, extra])]
    s = score[members[kept_pos]]
    fin = s[np.isfinite(s)]  # infinite scores go to the end stratum on their side
    lo, hi = (fin.min(), fin.max()) if len(fin) else (0.0, 0.0)
    width = (hi - lo) / strata
    if width > 0:
        with np.errstate(invalid="ignore"):
            b = np.clip(np.floor((s - lo) / width), 0, strata - 1).astype(int)
    else:
        b = np.zeros(len(s), dtype=int)
    sizes = np.bincount(b, minlength=strata)
    visit = sorted(range(strata), key=lambda k: (sizes[k], k))
    take = np.zeros(strata, dtype=np.int64)
    left = n
    while left > 0:
        before = left
        for i, k in enumerate(visit):
            t = min(sizes[k] - take[k], left // (strata - i))
            take[k] += t
            left -= t
        if left == before:
            for k in visit:
                if left and take[k] < sizes[k]:
                    take[k] += 1
                    left -= 1
    out = []
    for k in range(strata):
        pos = np.sort(kept_pos[b == k])
        out.append(take_best(members[pos], tier[pos], -u[pos], take[k]))
    return np.concatenate(out)


def run_case(c, labels, score, conf, focus, loss, ncls):
    n = len(labels)
    m = c["count"] if c.get("count") else budget(c["rate"], n)
    tau, phi = c.get("tau", 0.7), c.get("phi", 0.7)
    # NaN focus (never computed) compares false: such a sample stays reliable.
    unrel = ((conf < tau) & (focus < phi)).astype(int) if c["filter"] else np.zeros(n, int)
    if c["quota"] == "none":
        groups = [(np.arange(n), MASK)]
        nq = [m]
    else:
        groups = [(np.flatnonzero(labels == k), k) for k in range(ncls)]
        sizes = [len(g) for g, _ in groups]
        lc = np.array([np.clip(loss[g], 0, math.log(ncls)).sum() for g, _ in groups])
        nq = quotas(c["quota"], sizes, lc, m)
    chosen = []
    for (members, stream), k in zip(groups, nq):
        if k == 0:
            continue
        rng = Xoshiro.stream(c["seed"], stream)
        u = np.array([rng.uniform_open() for _ in members])
        tier = unrel[members]
        if c["pick"] == "ccs":
            chosen.append(ccs(members, u, tier, score, c["dir"], c["drop"], c["strata"], k))
            continue
        if c["pick"] == "sample":
            l = np.clip(loss[members], 0, math.log(ncls))
            key = np.array([li / c["beta"] - math.log(-math.log(ui)) for li, ui in zip(l, u)])
        elif c["order"] == "band":
            ranks = np.empty(len(members))
            ranks[np.lexsort((members, score[members]))] = np.arange(len(members))
            key = -np.abs(2 * ranks - (c["lo"] + c["hi"]) * (len(members) - 1))
        else:
            sign = c["dir"] * (1 if c["order"] == "hard" else -1)
            key = sign * score[members]
        chosen.append(take_best(members, tier, key, k))
    return np.sort(np.concatenate(chosen))


RANDOM_STREAM = 0x72616E646F6D  # "random": the stream of the random baseline's keys


def random_scores(n, seed):
    rng = Xoshiro.stream(seed, RANDOM_STREAM)
    return np.array([(rng.next() >> 11) * 2.0 ** -53 for _ in range(n)])


def read_index(path):
    """(header dict, indices) of an index file, parsed by hand from coreset-index(5)."""
    head, idx = {}, []
    with open(path) as f:
        lines = f.read().splitlines()
    assert lines[0] == "# coreset-index 1", "bad marker in %s" % path
    for line in lines[1:]:
        if line.startswith("# "):
            k, v = line[2:].split(": ", 1)
            head[k] = v
        elif line:
            idx.append(int(line))
    return head, np.array(idx, dtype=np.int64)


def case_from_header(h):
    """The run_case dictionary an index header describes."""
    samp = h["sampling"].split()
    kv = dict(x.split("=") for x in samp[1:])
    filt = h["filter"].split()
    fkv = dict(x.split("=") for x in filt[1:])
    order = h["order"].split(":")
    if "*" in h["score"]:
        raise SystemExit("ref_select.py: focus-weighted scores are not modelled here")
    return dict(
        quota=h["quota"], pick=samp[0], order=order[0],
        lo=float(order[1]) if len(order) > 1 else 0.0, hi=float(order[2]) if len(order) > 1 else 0.0,
        filter=int(filt[0] != "off"), tau=float(fkv.get("tau", 0.7)), phi=float(fkv.get("phi", 0.7)),
        rate=float(h.get("rate", 0)), count=int(h.get("count", 0)), seed=int(h["seed"]),
        drop=float(kv.get("drop", 0.1)), strata=int(kv.get("strata", 50)), beta=float(kv.get("beta", 1)),
        dir=1 if h["score-direction"] == "high" else -1, score=h["score"])


def check(run, idx_path):
    import h5py

    head, got = read_index(idx_path)
    c = case_from_header(head)
    with h5py.File(os.path.join(run, "scores.h5"), "r") as f:
        labels = f["labels"][:].astype(np.int64)
        sc = f["scores"]
        ncls = int(f.attrs["num_classes"])
        score = random_scores(len(labels), c["seed"]) if c["score"] == "random" else sc[c["score"]][:]
        conf, focus, loss = sc["late_conf"][:], sc["focus"][:], sc["late_loss"][:]
    want = run_case(c, labels, score, conf, focus, loss, ncls)
    problems = []
    if int(head["n"]) != len(labels):
        problems.append("n %s, scores.h5 has %d" % (head["n"], len(labels)))
    if len(got) != len(want) or int(head["m"]) != len(want):
        problems.append("m: file %s (%d lines), reference %d" % (head["m"], len(got), len(want)))
    else:
        diff = np.flatnonzero(got != want)
        if len(diff):
            problems.append("%d of %d indices differ, first at entry %d: file %d, reference %d"
                            % (len(diff), len(want), diff[0], got[diff[0]], want[diff[0]]))
    for p in problems:
        print("ref_select.py: %s: %s" % (idx_path, p))
    if not problems:
        print("ref_select.py: %s: %d indices match the reference" % (idx_path, len(want)))
    return 1 if problems else 0


def main():
    if sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    d = sys.argv[1]
    n, ncls = map(int, open(os.path.join(d, "meta.txt")).read().split())
    rd = lambda name, dt: np.fromfile(os.path.join(d, name), dtype=dt)
    labels = rd("labels.i32", "<i4")
    score, conf, focus, loss = (rd(f, "<f8") for f in ("score.f64", "conf.f64", "focus.f64", "loss.f64"))
    assert len(labels) == n
    for line in open(os.path.join(d, "cases.txt")):
        f = line.split()
        c = dict(name=f[0], quota=f[1], pick=f[2], order=f[3], lo=float(f[4]), hi=float(f[5]),
                 filter=int(f[6]), rate=float(f[7]), seed=int(f[8]), drop=float(f[9]),
                 strata=int(f[10]), beta=float(f[11]), dir=int(f[12]))
        sel = run_case(c, labels, score, conf, focus, loss, ncls)
        np.savetxt(os.path.join(d, "ref_%s.txt" % c["name"]), sel, fmt="%d")


if __name__ == "__main__":
    main()
