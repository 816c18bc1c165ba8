#!/usr/bin/env python3
"""ref_select.py DIR - an independent NumPy reference for the selection
stage (../shared/METHODS.md section 4), written from the definitions, not
from select/*.c.

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
    lo, hi = s.min(), s.max()
    width = (hi - lo) / strata
    if width > 0:
        b = np.minimum(np.floor((s - lo) / width), strata - 1).astype(int)
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
    m = budget(c["rate"], n)
    unrel = ((conf < 0.7) & (focus < 0.7)).astype(int) if c["filter"] else np.zeros(n, int)
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


def main():
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
