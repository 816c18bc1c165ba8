#!/usr/bin/env bash
# t_scores_numpy.sh - every score `coreset score` writes to scores.h5, checked
# against the independent NumPy implementation (tests/ref_scores.py) fed only
# through `coreset dump` and the parameters scores.h5 records
# (tests/ref_scores_dump.py: equal within 1e-6, absolute up to magnitude 1,
# relative above; NaN and inf at the same samples; a score without a NumPy
# check fails).  On real data (BreastMNIST, 546 samples, a few seconds):
#   a: 1 run, probabilities kept, focus every epoch (HDF5 and raw dumps);
#   b: 2 runs, no probabilities (binary least confidence / margin from conf),
#      focus every 2nd epoch, DBPD data dropout;
#   b rescored with non-default windows and every non-default score option.
# Negative controls show the check fails on a 2e-6 change, an unknown score,
# an unknown parameter and a focus_weighted gamma other than the one used.
# Then `coreset inspect RUN` on b: every number it shows against the dump,
# run.yaml, scores.h5 and sha256sum; index files; a torn last frame.
. tests/lib.sh
src=$DATA/medmnist/breastmnist.npz
if [ ! -r "$src" ]; then skip all "'$src' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py numpy || ! have_py h5py; then skip all "numpy or h5py not importable by $PY"; exit 0; fi
cat >"$TMP/c.yaml" <<YAML
dataset:
  path: $src
model:
  name: cnn-small
  width: 8
train:
  epochs: 6
  batch_size: 64
  lr: 0.05
  threads: 2
score:
  eva_k: 3
  el2n_to: 3
  du_window: 3
YAML
# Every check line of ref_scores_dump.py is a PASS:/FAIL: line of this test.
numpy_check() { "$PY" tests/ref_scores_dump.py "$1" "$2" "$3" "$T" 2>&1; }
want_all="15 of 15 scores checked: aum dual dual_conf dynamic_uncertainty el2n entropy eva focus focus_weighted forgetting late_conf late_loss least_confidence margin tdds"

# --- a: one run, probabilities, focus every epoch ----------------------------------------
expect_status score_a 0 "$CS" -q score -c "$TMP/c.yaml" -o "$TMP/a"
expect_status dump_h5_a 0 "$CS" dump --h5 -o "$TMP/a.h5" "$TMP/a"
expect_status dump_raw_a 0 "$CS" dump --raw -o "$TMP/a.raw" "$TMP/a"
numpy_check "$TMP/a.h5" "$TMP/a/scores.h5" a_h5 | tee "$TMP/a.log"
grep -q "a_h5: $want_all" "$TMP/a.log" && pass a_every_score || fail a_every_score "$(grep 'scores checked' "$TMP/a.log")"
numpy_check "$TMP/a.raw" "$TMP/a/scores.h5" a_raw | grep -E '^(PASS|FAIL)'

# --- b: 2 runs, no probabilities, focus every 2nd epoch, DBPD ------------------------------
expect_status score_b 0 "$CS" -q score -c "$TMP/c.yaml" -o "$TMP/b" --runs 2 --set train.epochs=5 \
    --set score.eva_k=2 --set record.probs=no --set record.focus_every=2 --set dropout.method=dbpd
expect_status dump_h5_b 0 "$CS" dump --h5 -o "$TMP/b.h5" "$TMP/b"
numpy_check "$TMP/b.h5" "$TMP/b/scores.h5" b | tee "$TMP/b.log"
grep -q "b: $want_all" "$TMP/b.log" && pass b_every_score || fail b_every_score "$(grep 'scores checked' "$TMP/b.log")"
"$PY" - "$TMP/b.h5" <<'EOF' && pass b_is_what_it_claims || fail b_is_what_it_claims "see above"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as h:
    R, T, N = h["err"].shape
    foc, used = h["focus"][...], h["used"][...]
    ok = (R, T) == (2, 5) and "probs" not in h
    # focus on epochs 1, 3, 5 only; dropout leaves samples out before the revision epoch
    ok = ok and np.isnan(foc[:, 1::2]).all() and not np.isnan(foc[:, 0::2]).any()
    ok = ok and used[:, :4].mean() < 0.95 and used[:, 4].all()
if not ok:
    print("  b: shape, focus pattern or dropout not as configured", file=sys.stderr)
sys.exit(0 if ok else 1)
EOF

# --- b rescored: non-default windows and every non-default option ------------------------------
cp -r "$TMP/b" "$TMP/b2"
expect_status rescore_b2 0 "$CS" -q score --rescore "$TMP/b2" --windows 1:2,3:4 \
    --set score.eva_unbiased=true --set score.eva_normalize=true --set score.eva_combine=weighted \
    --set score.eva_weight=0.123456789 --set score.el2n_from=2 --set score.el2n_to=4 \
    --set score.forgetting_never=zero --set score.uncertainty_last=2 --set score.du_window=2 \
    --set score.focus_gamma=2.5 --set score.dual_window=2 --set score.dual_epochs=3 \
    --set score.tdds_window=3 --set score.tdds_epochs=4 --set score.tdds_beta=0.25
numpy_check "$TMP/b.h5" "$TMP/b2/scores.h5" b2 | tee "$TMP/b2.log"
grep -q "b2: $want_all" "$TMP/b2.log" && pass b2_every_score || fail b2_every_score "$(grep 'scores checked' "$TMP/b2.log")"
# The options took effect and are recorded exactly (the weight to its last digit).
for p in "K=2 early=1..2 late=3..4 var=1/(K-1) norm=l1 comb=weighted w=0.123456789" "el2n .*epochs=2..4" \
    "never_correct=0" "entropy .*epochs=4..5" "J=2 std=population" "late_conf .*epochs=3..4" \
    "focus_weighted .*base=eva gamma=2.5" "dual .*J=2 epochs=1..3" "tdds .*J=3 epochs=1..4 beta=0.25"; do
    grep -q -- "$p" "$TMP/b2.log" && pass "b2_params_${p%% *}" || fail "b2_params_${p%% *}" "no '$p' in the recorded params"
done

# --- negative controls: the check can fail ------------------------------------------------------
"$PY" - "$TMP/b2/scores.h5" "$TMP" <<'EOF'
import shutil, sys, h5py, numpy as np
src, tmp = sys.argv[1], sys.argv[2]
for name, edit in (("nudged", lambda h: h["scores/eva"].__setitem__(7, h["scores/eva"][7] + 2e-6)),
                   ("extra", lambda h: h.create_dataset("scores/mystery", data=np.zeros(h["labels"].shape))),
                   ("param", lambda h: h["scores/aum"].attrs.__setitem__("params", np.bytes_("epochs=1..5 trim=0.1"))),
                   ("gamma", lambda h: h["scores/focus_weighted"].attrs.__setitem__("params", np.bytes_("base=eva gamma=2")))):
    dst = f"{tmp}/neg_{name}.h5"
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as h:
        edit(h)
EOF
for neg in "nudged:FAIL: $T:neg_eva .*worst 2" "extra:FAIL: $T:neg_mystery .*no NumPy check for score 'mystery'" \
    "param:FAIL: $T:neg_aum .*unknown parameters \['trim'\]" "gamma:FAIL: $T:neg_focus_weighted .*worst"; do
    name=${neg%%:*}
    "$PY" tests/ref_scores_dump.py "$TMP/b.h5" "$TMP/neg_$name.h5" neg "$T" >"$TMP/neg.log" 2>&1
    rc=$?
    if [ "$rc" = 1 ] && grep -q -- "${neg#*:}" "$TMP/neg.log"; then pass "negative_$name"; else
        fail "negative_$name" "exit $rc: $(grep FAIL "$TMP/neg.log" | head -2)"; fi
done

# --- inspect RUN ------------------------------------------------------------------------------------
printf '# coreset-index 1\n# n: 546\n# m: 3\n# score: eva\n2\n5\n9\n' >"$TMP/b/eva-1pct.idx"
printf '# coreset-index 1\n# n: 546\n# m: 3\n1\n0\n' >"$TMP/b/broken.idx"
expect_status inspect_b 0 "$CS" inspect "$TMP/b"
cp "$TMP/out" "$TMP/inspect_b.txt"
expect_status inspect_b_json 0 "$CS" inspect --json "$TMP/b"
cp "$TMP/out" "$TMP/inspect_b.json"
sha=$(sha256sum "$src" | cut -d' ' -f1)
"$PY" - "$TMP" "$T" "$src" "$sha" <<'EOF'
import json, re, sys, h5py, numpy as np
tmp, T_NAME, src, sha = sys.argv[1:]


def check(name, ok, why=""):
    print(("PASS: " if ok else "FAIL: ") + T_NAME + ":" + name)
    if not ok:
        sys.stderr.write(f"  {name}: {why}\n")


J = json.load(open(f"{tmp}/inspect_b.json"))
txt = open(f"{tmp}/inspect_b.txt").read()
with h5py.File(f"{tmp}/b.h5", "r") as h:
    loss, correct, used, labels = h["loss"][...], h["correct"][...], h["used"][...], h["labels"][...]
R, T, N = loss.shape
yaml = open(f"{tmp}/b/run.yaml").read()
ee_yaml = [float(x) for x in re.search(r"effective_epochs: \[(.*)\]", yaml).group(1).split(",")]
ee = used.mean(axis=2).sum(axis=1)

check("inspect_what", J["dataset"] == src and J["dataset_sha256"] == sha and J["split"] == "train" and
      J["model"] == "cnn-small" and J["n"] == N == 546 and J["num_classes"] == 2 and J["dropout"] == "dbpd" and
      J["trajectory"]["class_histogram"] == np.bincount(labels).tolist(), json.dumps(J)[:300])
tj = J["trajectory"]
check("inspect_progress", J["epochs_planned"] == 5 and J["runs_planned"] == 2 and tj["frames_verified"] == 10 and
      [(r["run"], r["epochs"]) for r in tj["runs"]] == [(0, 5), (1, 5)], str(tj["runs"]))
check("inspect_effective_epochs", np.allclose([r["effective_epochs"] for r in tj["runs"]], ee, atol=1e-12) and
      np.allclose(ee, ee_yaml, atol=1e-4) and J["provenance"]["effective_epochs"] == ee_yaml and
      ee.min() < 4.9, f"{ee} vs run.yaml {ee_yaml}")
worst = max(max(abs(x["loss"] - loss[x["run"], x["epoch"] - 1].astype(np.float64).mean()),
                abs(x["accuracy"] - correct[x["run"], x["epoch"] - 1].mean())) for x in tj["epochs"])
check("inspect_epoch_means", len(tj["epochs"]) == R * T and worst < 1e-9, f"worst {worst}")
with h5py.File(f"{tmp}/b/scores.h5", "r") as s:
    stored = {k: (s["scores"][k].attrs["params"].decode(), s["scores"][k][...]) for k in s["scores"]}
got = {x["name"]: x for x in J["scores"]["scores"]}


def jnum(x):
    """What inspect --json writes for a number: null for inf and NaN."""
    return float(x) if np.isfinite(x) else None


def close(a, b):
    return a == b or (a is not None and b is not None and abs(a - b) <= 1e-12 * max(1.0, abs(b)))


ok = sorted(got) == sorted(stored)
for k, (params, v) in stored.items():
    g, nn = got.get(k, {}), v[~np.isnan(v)]
    ok = ok and g.get("params") == params and g["min"] == jnum(nn.min()) and g["max"] == jnum(nn.max()) and \
        close(g["median"], jnum(np.median(nn))) and g["inf"] == int(np.isinf(v).sum()) and g["nan"] == v.size - nn.size
check("inspect_scores", ok, str(sorted(got)))
idx = {x["file"]: x for x in J["index_files"]}
check("inspect_index_files", sorted(idx) == ["broken.idx", "eva-1pct.idx"] and
      (idx["eva-1pct.idx"]["n"], idx["eva-1pct.idx"]["m"], idx["eva-1pct.idx"]["score"], idx["eva-1pct.idx"]["error"]) ==
      (546, 3, "eva", None) and "out of order" in (idx["broken.idx"]["error"] or ""), str(idx))
# The table says the same things.
lines = ["runs: 2 of 2 planned", "epochs complete: 5 of 5 (run 0), 5 of 5 (run 1)",
         f"effective epochs: {ee[0]:.2f} (run 0), {ee[1]:.2f} (run 1)  [data dropout: dbpd]",
         f"  sha256: {sha}", "samples: 546, classes: 2", "model: cnn-small", "  eva-1pct.idx: 3 of 546 samples, score eva",
         "  broken.idx: unreadable: ", "per epoch (train pass, mean over runs):"]
missing = [l for l in lines if l not in txt]
check("inspect_text", not missing and re.search(r"^trajectory: .*, 10 frames verified, [0-9.]+ bytes per sample per epoch$", txt, re.M)
      and re.search(r"^  eva +high .* K=2 early=1\.\.2 late=4\.\.5 var=1/K norm=none comb=sum$", txt, re.M), str(missing))
EOF

# A torn last frame (a run being written): inspect summarises the complete frames; dump refuses.
mkdir "$TMP/torn"
cp "$TMP/b/run.yaml" "$TMP/torn/"
head -c -100 "$TMP/b/trajectory.cst" >"$TMP/torn/trajectory.cst"
expect_status inspect_torn 0 "$CS" inspect "$TMP/torn"
grep -q "^trajectory: .*, 9 frames verified" "$TMP/out" && grep -q "^  last frame incomplete .*file ends inside frame 9" "$TMP/out" &&
    grep -q "^epochs complete: 5 of 5 (run 0), 4 of 5 (run 1)$" "$TMP/out" && grep -q "^scores: none" "$TMP/out" &&
    pass inspect_torn_summary || fail inspect_torn_summary "$(head -14 "$TMP/out")"
expect_error dump_torn "file ends inside frame 9" "$CS" dump --h5 -o "$TMP/torn.h5" "$TMP/torn"
[ ! -e "$TMP/torn.h5" ] && pass dump_torn_nothing || fail dump_torn_nothing "$TMP/torn.h5 written"
