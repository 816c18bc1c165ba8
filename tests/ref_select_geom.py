#!/usr/bin/env python3
"""ref_select_geom.py - an independent NumPy / scikit-learn reference for the
selection rules in embedding space (../shared/METHODS.md section 6:
moderate, kcenter, herding, d2, d2-strat), written from the definitions and
the authors' descriptions, not from select/*.c.

ref_select_geom.py --check RUN IDX
    recompute the selection IDX's header describes from RUN/scores.h5 and
    RUN/embeddings.h5 (the epoch its `embedding` line names) and compare the
    indices; exit 1 on any difference.
ref_select_geom.py --make-embed RUN D [--f16]
    write RUN/embeddings.h5 in the documented layout (/embeddings [E][N][D],
    /epochs int32 [E]) from the run's own training images: two fixed random
    projections of the pixels to D dimensions, stored as epochs 3 and 6 (a
    stand-in for recorded features with the same shape and real structure).

Shared conventions (the spec, as tests/ref_select.py): groups are classes
under a quota mode, the whole set with quota none; one seeded uniform per
group member in index order; every tie goes to the lower sample index; the
reliability filter runs a rule on the reliable members first and on the
unreliable ones only for what is left.  Distances in float64.
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ref_select import MASK, Xoshiro, budget, quotas, read_index  # noqa: E402


def moderate(X, labels, members, u, q, p):
    d = np.empty(len(members))
    for c in np.unique(labels[members]):
        sel = labels[members] == c
        med = np.median(X[members[sel]], axis=0)
        d[sel] = np.sqrt(((X[members[sel]] - med) ** 2).sum(axis=1))
    order = np.lexsort((members, d))
    lo = (len(members) - q) // 2
    return members[order[lo:lo + q]]


def kcenter(X, labels, members, u, q, p):
    Y = X[members]
    cur = int(np.argmin(u))
    mind = np.full(len(members), np.inf)
    taken = np.zeros(len(members), bool)
    out = []
    for j in range(q):
        taken[cur] = True
        out.append(members[cur])
        mind = np.minimum(mind, ((Y - Y[cur]) ** 2).sum(axis=1))
        cand = np.where(taken, -np.inf, mind)
        cur = int(np.argmax(cand))
    return np.array(out)


def herding(X, labels, members, u, q, p):
    Y = X[members]
    mu = Y.mean(axis=0)
    s = np.zeros(Y.shape[1])
    taken = np.zeros(len(members), bool)
    out = []
    for j in range(q):
        dist = (((j + 1) * mu - s - Y) ** 2).sum(axis=1)
        dist[taken] = np.inf
        b = int(np.argmin(dist))
        taken[b] = True
        out.append(members[b])
        s = s + Y[b]
    return np.array(out)


def difficulty(score, direction, members):
    h = direction * score[members]
    fin = h[np.isfinite(h)]
    if not len(fin):
        return np.zeros(len(members))
    return np.clip(h, fin.min(), fin.max()) - fin.min()


def candidates(Y, c):
    """The c nearest of each row (itself included): scikit-learn's
    NearestNeighbors, or where scikit-learn is not installed a NumPy brute
    force (said once on stderr)."""
    try:
        from sklearn.neighbors import NearestNeighbors
    except ImportError:
        if not getattr(candidates, "said", False):
            print("ref_select_geom.py: no scikit-learn here, kNN by NumPy brute force", file=sys.stderr)
            candidates.said = True
        out = []
        for a in range(0, len(Y), 512):
            d = ((Y[a:a + 512, None, :] - Y[None, :, :]) ** 2).sum(axis=2)
            out.append(np.argsort(d, axis=1, kind="stable")[:, :c])
        return np.concatenate(out)
    return NearestNeighbors(n_neighbors=c).fit(Y).kneighbors(Y)[1]


def knn_graph(Y, k):
    """Symmetric kNN edges {(a, b): dist} over positions."""
    n = len(Y)
    kk = min(k, n - 1)
    if kk <= 0:
        return {}
    # A few spare candidates, re-ranked exactly: ties go to the lower position.
    cand = candidates(Y, min(n, kk + 9))
    edges = {}
    for a in range(n):
        c = np.array([b for b in cand[a] if b != a])
        d = np.sqrt(((Y[c] - Y[a]) ** 2).sum(axis=1))
        for b in c[np.lexsort((c, d))][:kk]:
            dist = math.sqrt(((Y[a] - Y[b]) ** 2).sum())
            edges[(a, int(b))] = dist
            edges[(int(b), a)] = dist
    return edges


def d2_run(Y, s, k, gf, gr, q):
    """(densities, chosen positions) of D2's forward pass and greedy selection."""
    edges = knn_graph(Y, k)
    nbrs = [[] for _ in range(len(Y))]
    for (a, b), d in sorted(edges.items()):
        nbrs[a].append((b, d))
    dens = np.array([s[a] + sum(math.exp(-gf * d) * max(s[b], 1e-7) for b, d in nbrs[a])
                     for a in range(len(Y))])
    v = dens.copy()
    taken = np.zeros(len(Y), bool)
    out = []
    for _ in range(q):
        b = int(np.argmax(np.where(taken, -np.inf, v)))
        taken[b] = True
        out.append(b)
        for c, d in nbrs[b]:
            if not taken[c]:
                v[c] -= math.exp(-gr * d) * v[b]
    return dens, np.array(out, dtype=np.int64)


def d2(X, labels, members, u, q, p):
    s = difficulty(p["score"], p["dir"], members)
    _, pos = d2_run(X[members], s, p["k"], p["gf"], p["gr"], q)
    return members[pos]


def d2_strat(X, labels, members, u, q, p):
    s = difficulty(p["score"], p["dir"], members)
    by_hard = np.lexsort((members, -s))
    nd = min(len(members), int(math.floor(p["drop"] * len(members) + 1e-9)))
    kept, dropped = np.sort(by_hard[nd:]), by_hard[:nd]
    if q >= len(kept):
        return members[np.concatenate([by_hard[nd:], dropped[::-1][: q - len(kept)]])]
    km, ku = members[kept], u[kept]
    dens, _ = d2_run(X[km], difficulty(p["score"], p["dir"], km), p["k"], p["gf"], p["gr"], 0)
    strata = p["strata"]
    lo, hi = dens.min(), dens.max()
    width = (hi - lo) / strata
    b = np.clip(np.floor((dens - lo) / width), 0, strata - 1).astype(int) if width > 0 else np.zeros(len(km), int)
    size = np.bincount(b, minlength=strata)
    visit = sorted(range(strata), key=lambda t: (size[t], t))
    take = np.zeros(strata, np.int64)
    left = q
    while left > 0:
        before = left
        for i, t in enumerate(visit):
            x = min(size[t] - take[t], left // (strata - i))
            take[t] += x
            left -= x
        if left == before:
            for t in visit:
                if left and take[t] < size[t]:
                    take[t] += 1
                    left -= 1
    out = []
    for t in range(strata):
        if take[t] == 0:
            continue
        pool = np.flatnonzero(b == t)
        if len(pool) <= p["k"]:
            out.append(km[pool[np.lexsort((km[pool], ku[pool]))[: take[t]]]])
        else:
            _, pos = d2_run(X[km[pool]], dens[pool], p["k"], p["gf"], p["gr"], take[t])
            out.append(km[pool][pos])
    return np.concatenate(out)


RULES = {"moderate": moderate, "kcenter": kcenter, "herding": herding, "d2": d2, "d2-strat": d2_strat}


def select(rule, X, labels, ncls, unrel, quota, m, seed, p):
    n = len(labels)
    if quota == "none":
        groups, nq = [(np.arange(n), MASK)], [m]
    else:
        groups = [(np.flatnonzero(labels == c), c) for c in range(ncls)]
        nq = quotas(quota, [len(g) for g, _ in groups], None, m)
    chosen = []
    for (members, stream), k in zip(groups, nq):
        if k == 0:
            continue
        rng = Xoshiro.stream(seed, stream)
        u = np.array([rng.uniform_open() for _ in members])
        for tier in (0, 1):
            sel = unrel[members] == tier
            kt = min(k, int(sel.sum()))
            if kt > 0:
                chosen.append(RULES[rule](X, labels, members[sel], u[sel], kt, p))
            k -= kt
    return np.sort(np.concatenate(chosen))


def check(run, idx_path):
    import h5py

    head, got = read_index(idx_path)
    samp = head["sampling"].split()
    kv = dict(x.split("=") for x in samp[1:])
    rule = samp[0]
    epoch = int(head["embedding"].split()[-1])
    with h5py.File(os.path.join(run, "scores.h5"), "r") as f:
        labels = f["labels"][:].astype(np.int64)
        ncls = int(f.attrs["num_classes"])
        sc = f["scores"]
        score = sc[head["score"]][:] if head["score"] in sc else np.zeros(len(labels))
        conf, focus = sc["late_conf"][:], sc["focus"][:]
    with h5py.File(os.path.join(run, "embeddings.h5"), "r") as f:
        e = list(f["epochs"][:]).index(epoch)
        X = f["embeddings"][e].astype(np.float64)
    filt = head["filter"].split()
    fkv = dict(x.split("=") for x in filt[1:])
    unrel = (((conf < float(fkv["tau"])) & (focus < float(fkv["phi"]))).astype(int)
             if filt[0] != "off" else np.zeros(len(labels), int))
    m = int(head["count"]) if "count" in head else budget(float(head["rate"]), len(labels))
    p = dict(score=score, dir=1 if head["score-direction"] == "high" else -1, k=int(kv.get("k", 5)),
             gf=float(kv.get("gamma-f", 1)), gr=float(kv.get("gamma-r", 0.1)),
             drop=float(kv.get("drop", 0.1)), strata=int(kv.get("strata", 25)))
    want = select(rule, X, labels, ncls, unrel, head["quota"], m, int(head["seed"]), p)
    if len(got) != len(want) or int(head["m"]) != len(want):
        print("ref_select_geom.py: %s: m: file %s (%d lines), reference %d" % (idx_path, head["m"], len(got), len(want)))
        return 1
    diff = np.flatnonzero(got != want)
    if len(diff):
        print("ref_select_geom.py: %s: %d of %d indices differ, first at entry %d: file %d, reference %d"
              % (idx_path, len(diff), len(want), diff[0], got[diff[0]], want[diff[0]]))
        return 1
    print("ref_select_geom.py: %s: %d indices match the reference (%s)" % (idx_path, len(want), rule))
    return 0


def make_embed(run, dim, f16):
    import h5py

    with h5py.File(os.path.join(run, "scores.h5"), "r") as f:
        src = f.attrs["dataset"].decode() if isinstance(f.attrs["dataset"], bytes) else f.attrs["dataset"]
        index = f["index"][:]
    x = np.load(src)["train_images"][index].reshape(len(index), -1).astype(np.float64) / 255.0
    rng = np.random.default_rng(16)
    embs = np.stack([x @ rng.standard_normal((x.shape[1], dim)) / math.sqrt(x.shape[1]) for _ in range(2)])
    dt = np.float16 if f16 else np.float32
    tmp = os.path.join(run, "embeddings.h5.tmp")
    with h5py.File(tmp, "w") as f:
        f.create_dataset("embeddings", data=embs.astype(dt))
        f["embeddings"].attrs["dtype"] = "float16" if f16 else "float32"
        f.create_dataset("epochs", data=np.array([3, 6], dtype=np.int32))
        f.create_dataset("index", data=index.astype(np.int64))
    os.replace(tmp, os.path.join(run, "embeddings.h5"))


def main():
    if sys.argv[1] == "--check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    if sys.argv[1] == "--make-embed":
        make_embed(sys.argv[2], int(sys.argv[3]), "--f16" in sys.argv)
        return
    raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
