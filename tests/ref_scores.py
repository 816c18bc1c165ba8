#!/usr/bin/env python3
"""ref_scores.py - an independent, vectorised NumPy implementation of coreset's
scores (../shared/METHODS.md sections 2 and 3), written from the definitions,
not from the C code.  The C tests feed it a trajectory and compare, and
tests/ref_scores_dump.py feeds it what `coreset dump` exports of a real run.

  ref_scores.py scores INDIR OUTDIR   trajectory -> OUTDIR/<score>.f64, OUTDIR/fw_<score>.f64
                                      (focus_weighted.f64: EVA focus-weighted with gamma)
  ref_scores.py focus INDIR OUTDIR    maps -> OUTDIR/<case>.f64 (resized cases need torch)
  ref_scores.py selftest              vectorised code vs plain loops; prints PASS/FAIL lines

scores INDIR: <field>_<run>.f32 (little-endian float32, T x N, epoch-major) for
field in err conf margin entropy loss focus correct (0/1), optional
probs_<run>.f32 (T x N x C), labels.i32 (N), params.json (n, num_classes,
epochs, runs and the score parameters: eva_k, eva_early, eva_late (0: last K),
eva_unbiased, eva_normalise, eva_weighted, eva_w, el2n_first, el2n_last,
forget_never_zero, unc_last_k, dyn_j, gamma).

focus INDIR: focus_cases.json, a list of {name, count, shape: [h, w] or [l],
resize: null or [H, W] or [L]}, and <name>.f32 holding count maps.
"""
import json
import os
import sys

import numpy as np

# The important end of each score, from METHODS.md section 3.
DIRECTION = {
    "eva": 1, "el2n": 1, "forgetting": 1, "aum": -1, "entropy": 1, "least_confidence": 1,
    "margin": -1, "dynamic_uncertainty": 1, "focus": 1, "focus_weighted": 1, "dual": 1, "tdds": 1,
}


def load(d, field, r, shape):
    a = np.fromfile(os.path.join(d, f"{field}_{r}.f32"), dtype="<f4")
    return a.reshape(shape).astype(np.float64)


def window_var(x, ddof, normalise):
    """x: (K, N) -> per-sample variance, optionally L1-normalised over samples."""
    v = x.var(axis=0, ddof=ddof)
    s = v.sum()
    if normalise and s > 0:
        v = v / s
    return v


def run_scores(cols, probs, P):
    """All scores of one run; cols: field -> (T, N) float64."""
    T = P["epochs"]
    K = P["eva_k"]
    te = P["eva_early"]
    tl = P["eva_late"] or T - K + 1
    err, conf = cols["err"], cols["conf"]
    ddof = 1 if P["eva_unbiased"] else 0
    ve = window_var(err[te - 1:te - 1 + K], ddof, P["eva_normalise"])
    vl = window_var(err[tl - 1:tl - 1 + K], ddof, P["eva_normalise"])
    w = P["eva_w"]
    out = {"eva": w * ve + (1 - w) * vl if P["eva_weighted"] else ve + vl}
    out["el2n"] = err[P["el2n_first"] - 1:P["el2n_last"]].mean(axis=0)

    c = cols["correct"] > 0.5
    events = (c[:-1] & ~c[1:]).sum(axis=0).astype(np.float64)
    never = ~c.any(axis=0)
    out["forgetting"] = np.where(never, 0.0 if P["forget_never_zero"] else np.inf, events)
    out["aum"] = cols["margin"].mean(axis=0)

    k = P["unc_last_k"]
    out["entropy"] = cols["entropy"][T - k:].mean(axis=0)
    if probs is not None:
        top = np.sort(probs[T - k:], axis=-1)
        p1, p2 = top[..., -1], top[..., -2]
    elif P["num_classes"] == 2:
        p1 = np.maximum(conf[T - k:], 1 - conf[T - k:])
        p2 = 1 - p1
    else:
        p1 = p2 = None
    if p1 is not None:
        out["least_confidence"] = (1 - p1).mean(axis=0)
        out["margin"] = (p1 - p2).mean(axis=0)

    J = P["dyn_j"]
    win = np.lib.stride_tricks.sliding_window_view(conf, J, axis=0)  # (T-J+1, N, J)
    out["dynamic_uncertainty"] = win.std(axis=-1, ddof=0).mean(axis=0)
    out["late_conf"] = conf[tl - 1:tl - 1 + K].mean(axis=0)
    out["late_loss"] = cols["loss"][tl - 1:tl - 1 + K].mean(axis=0)

    # DUAL (METHODS 6): windows of J epochs inside the first T_d; std(conf) * (1 - mean conf), averaged.
    Td, Jd = dual_epochs(P, T)
    w = np.lib.stride_tricks.sliding_window_view(conf[:Td], Jd, axis=0)  # (Td-J+1, N, J)
    out["dual"] = (w.std(axis=-1, ddof=0) * (1 - w.mean(axis=-1))).mean(axis=0)
    # The helper of DUAL's Beta sampling: mean conf over the same first T_d epochs.
    out["dual_conf"] = conf[:Td].mean(axis=0)

    # TDDS (METHODS 6): d_t = sum_c |p_{t+1} log((p_{t+1}+eps)/(p_t+eps))|, per window of J epochs the
    # norm of d minus its window mean, windows k weighted beta (1-beta)^(T'-J-k), summed.
    Tt, Jt = tdds_epochs(P, T)
    if probs is not None:
        pr = probs[:Tt]
    elif P["num_classes"] == 2:
        pr = np.stack([conf[:Tt], 1 - conf[:Tt]], axis=-1)
    else:
        pr = None
    if pr is not None:
        eps = 1e-8
        d = np.abs(pr[1:] * (np.log(pr[1:] + eps) - np.log(pr[:-1] + eps))).sum(axis=-1)  # (Tt-1, N)
        beta = P.get("tdds_beta", 0.9)
        total = np.zeros(d.shape[1])
        for k in range(Tt - Jt + 1):
            win = d[k:k + Jt - 1]
            total += beta * (1 - beta) ** (Tt - Jt - k) * np.linalg.norm(win - win.mean(axis=0), axis=0)
        out["tdds"] = total
    return out


def dual_epochs(P, T):
    """DUAL's T_d and J as coreset resolves them (0: automatic)."""
    jd = P.get("dual_j", 0) or 10
    td = P.get("dual_epochs", 0) or int(np.floor(0.15 * T + 0.5))
    if not P.get("dual_epochs", 0):
        td = max(td, min(jd, T))
    return td, P.get("dual_j", 0) or min(jd, td)


def tdds_epochs(P, T):
    tt = P.get("tdds_epochs", 0) or T
    return tt, P.get("tdds_j", 0) or min(10, tt)


def rank01(s, direction):
    """Average ranks towards the important end, scaled by (m - 1); NaN stays NaN."""
    out = np.full(s.shape, np.nan)
    ok = ~np.isnan(s)
    v = s[ok] * direction
    m = v.size
    if m == 0:
        return out
    order = np.argsort(v, kind="stable")
    sv = v[order]
    new = np.r_[True, sv[1:] != sv[:-1]]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], m]
    avg = (starts + ends - 1) / 2.0
    ranks = np.empty(m)
    ranks[order] = avg[np.cumsum(new) - 1]
    out[ok] = ranks / (m - 1) if m > 1 else 1.0
    return out


def focus_weighted(s, direction, focus, gamma):
    r = rank01(s, direction)
    with np.errstate(invalid="ignore"):
        return np.where(np.isnan(focus), np.nan, r * focus ** gamma)


def combine_runs(runs, P):
    """Every score over R runs.  runs: a list of (cols, probs, focus) per run, cols: field -> (T, N)
    float64, probs (T, N, C) or None, focus (T, N) with NaN where not computed.  Per-run scores are
    averaged over runs; focus is pooled: the mean of every non-NaN value over all runs and epochs.
    focus_weighted: the final eva focus-weighted with P["gamma"] (default 1)."""
    N = P["n"]
    per_run = [run_scores(cols, probs, P) for cols, probs, _ in runs]
    out = {name: np.mean([d[name] for d in per_run], axis=0) for name in per_run[0]}
    fsum = np.zeros(N)
    fcnt = np.zeros(N)
    for _, _, foc in runs:
        have = ~np.isnan(foc)
        fsum += np.where(have, foc, 0).sum(axis=0)
        fcnt += have.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["focus"] = np.where(fcnt > 0, fsum / np.maximum(fcnt, 1), np.nan)
    out["focus_weighted"] = focus_weighted(out["eva"], DIRECTION["eva"], out["focus"], P.get("gamma", 1.0))
    return out


def all_scores(indir):
    with open(os.path.join(indir, "params.json")) as f:
        P = json.load(f)
    T, N, C, R = P["epochs"], P["n"], P["num_classes"], P["runs"]
    runs = []
    for r in range(R):
        cols = {f: load(indir, f, r, (T, N)) for f in ("err", "conf", "margin", "entropy", "loss", "correct")}
        pf = os.path.join(indir, f"probs_{r}.f32")
        probs = load(indir, "probs", r, (T, N, C)) if os.path.exists(pf) else None
        runs.append((cols, probs, load(indir, "focus", r, (T, N))))
    out = combine_runs(runs, P)
    g = P.get("gamma", 1.0)
    for name, d in DIRECTION.items():
        if name in out and name != "focus_weighted":
            out["fw_" + name] = focus_weighted(out[name], d, out["focus"], g)
    return out


def focus_of(A):
    """A: (M, P) float64 maps -> focus per map (min-max, mean of values >= np.percentile 90)."""
    mn = A.min(axis=1, keepdims=True)
    rng = A.max(axis=1, keepdims=True) - mn
    const = (rng <= 0)[:, 0]
    Z = (A - mn) / np.where(rng > 0, rng, 1.0)
    q = np.percentile(Z, 90, axis=1, keepdims=True)
    sel = Z >= q
    f = (Z * sel).sum(axis=1) / sel.sum(axis=1)
    f[const] = 0.0
    return f


def resize(A, shape, size):
    """Half-pixel-centre (bi)linear resize with torch, as cv2.resize(INTER_LINEAR)."""
    import torch
    import torch.nn.functional as F
    t = torch.from_numpy(A.reshape((A.shape[0], 1) + tuple(shape)))
    mode = "bilinear" if len(shape) == 2 else "linear"
    y = F.interpolate(t, size=tuple(size), mode=mode, align_corners=False)
    return y.reshape(A.shape[0], -1).numpy()


def all_focus(indir, outdir):
    with open(os.path.join(indir, "focus_cases.json")) as f:
        cases = json.load(f)
    skipped = []
    for c in cases:
        A = np.fromfile(os.path.join(indir, c["name"] + ".f32"), dtype="<f4").astype(np.float64)
        A = A.reshape(c["count"], -1)
        if c.get("resize"):
            try:
                A = resize(A, c["shape"], c["resize"])
            except ImportError:
                skipped.append(c["name"])
                continue
        focus_of(A).astype("<f8").tofile(os.path.join(outdir, c["name"] + ".f64"))
    with open(os.path.join(outdir, "skipped.txt"), "w") as f:
        f.write("".join(s + "\n" for s in skipped))


def selftest():
    """Check the vectorised code against plain per-sample loops on a small trajectory."""
    rng = np.random.default_rng(7)
    T, N, C = 24, 7, 3
    P = dict(epochs=T, n=N, num_classes=C, runs=1, eva_k=5, eva_early=2, eva_late=0, eva_unbiased=1,
             eva_normalise=1, eva_weighted=1, eva_w=0.3, el2n_first=3, el2n_last=8,
             forget_never_zero=0, unc_last_k=3, dyn_j=4)
    probs = rng.dirichlet(np.ones(C), size=(T, N))
    y = rng.integers(0, C, N)
    conf = probs[:, np.arange(N), y]
    cols = {"err": rng.random((T, N)), "conf": conf, "margin": rng.normal(size=(T, N)),
            "entropy": -(probs * np.log(probs)).sum(-1), "loss": -np.log(conf),
            "correct": (rng.random((T, N)) < 0.6).astype(float)}
    cols["correct"][:, 0] = 0
    got = run_scores(cols, probs, P)
    ok = True

    def check(name, want):
        nonlocal ok
        g = got[name]
        same = np.allclose(g, want, rtol=1e-12, atol=1e-12) or (np.isinf(g) == np.isinf(want)).all() and \
            np.allclose(g[~np.isinf(g)], want[~np.isinf(want)], rtol=1e-12, atol=1e-12)
        print(("PASS" if same else "FAIL") + f": ref_scores.py:selftest_{name}")
        ok &= bool(same)

    K, te, tl = 5, 2, T - 5 + 1
    ve = [sum((cols["err"][t, i] - np.mean(cols["err"][te - 1:te - 1 + K, i])) ** 2
              for t in range(te - 1, te - 1 + K)) / (K - 1) for i in range(N)]
    vl = [sum((cols["err"][t, i] - np.mean(cols["err"][tl - 1:tl - 1 + K, i])) ** 2
              for t in range(tl - 1, tl - 1 + K)) / (K - 1) for i in range(N)]
    check("eva", np.array([0.3 * ve[i] / sum(ve) + 0.7 * vl[i] / sum(vl) for i in range(N)]))
    check("el2n", np.array([np.mean(cols["err"][2:8, i]) for i in range(N)]))
    fg = []
    for i in range(N):
        seq = [int(x) for x in cols["correct"][:, i]]
        n_ev = sum(1 for t in range(1, T) if seq[t - 1] == 1 and seq[t] == 0)
        fg.append(n_ev if any(seq) else np.inf)
    check("forgetting", np.array(fg, dtype=float))
    check("least_confidence", np.array([np.mean([1 - max(probs[t, i]) for t in range(T - 3, T)]) for i in range(N)]))
    check("margin", np.array([np.mean([sorted(probs[t, i])[-1] - sorted(probs[t, i])[-2]
                                       for t in range(T - 3, T)]) for i in range(N)]))
    check("dynamic_uncertainty", np.array([np.mean([np.sqrt(np.mean((conf[t:t + 4, i] - conf[t:t + 4, i].mean()) ** 2))
                                                    for t in range(T - 4 + 1)]) for i in range(N)]))
    # focus of a 4x4 map by hand: values 0..15 -> /15; Q90 at h = 13.5 -> 13.5/15; kept 14, 15
    f = focus_of(np.arange(16, dtype=float).reshape(1, 16))[0]
    same = abs(f - (14 + 15) / 2 / 15) < 1e-12 and focus_of(np.full((1, 9), 3.0))[0] == 0.0
    print(("PASS" if same else "FAIL") + ": ref_scores.py:selftest_focus")
    ok &= same
    r = rank01(np.array([3.0, 1.0, 3.0, np.nan, 2.0]), 1)
    same = np.allclose(r[[0, 1, 2, 4]], [2.5 / 3, 0, 2.5 / 3, 1 / 3]) and np.isnan(r[3])
    print(("PASS" if same else "FAIL") + ": ref_scores.py:selftest_rank01")
    ok &= same
    return 0 if ok else 1


def main(argv):
    if len(argv) == 2 and argv[1] == "selftest":
        return selftest()
    if len(argv) != 4 or argv[1] not in ("scores", "focus"):
        sys.stderr.write(__doc__)
        return 2
    os.makedirs(argv[3], exist_ok=True)
    if argv[1] == "focus":
        all_focus(argv[2], argv[3])
        return 0
    for name, v in all_scores(argv[2]).items():
        np.asarray(v, dtype="<f8").tofile(os.path.join(argv[3], name + ".f64"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
