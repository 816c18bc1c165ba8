#!/usr/bin/env bash
# t_import.sh - `coreset import` on dynamics a real PyTorch loop recorded:
# tests/import_torch.py trains a small CNN on BreastMNIST (546 images, 8
# epochs, CPU, ~20 s) with examples/pytorch_dynamics.py (logits by sample
# index, Grad-CAM of the last conv block through a forward hook, penultimate
# embeddings) into an HDF5 file and an npz.  Then:
#   - the imported trajectory (coreset dump) against the fields NumPy computes
#     from the file alone (tests/ref_import.py), and every score in scores.h5
#     against tests/ref_scores.py fed with those fields; again after
#     `coreset score --rescore` with other windows;
#   - HDF5 and npz give bit-identical scores; the same file twice gives
#     bit-identical trajectory.cst, scores.h5 and embeddings.h5;
#   - embeddings.h5 holds the file's embeddings; run.yaml names the import;
#   - select (checked by tests/ref_select.py), export (tests/check_export.py),
#     report and inspect work on the run unchanged;
#   - bad input: each problem one error naming the file, exit 1, no run folder.
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
for m in numpy h5py torch; do
    if ! have_py $m; then skip all "$m not importable by $PY"; exit 0; fi
done
small_config "$TMP/c.yaml" 8 # EVA windows 1-4 and 5-8
ref() { "$PY" tests/ref_import.py "$@"; }

# --- the user's loop ------------------------------------------------------------------------
if "$PY" tests/import_torch.py "$SRC" "$TMP/dyn" 8 2>"$TMP/torch.err"; then pass torch_loop; else
    fail torch_loop "$(tail -3 "$TMP/torch.err")"; exit 0; fi

# --- import, trajectory and scores against NumPy -------------------------------------------
expect_status import_h5 0 "$CS" -q import "$TMP/dyn.h5" -c "$TMP/c.yaml" -o "$TMP/run"
ref fields "$TMP/dyn.h5" "$TMP/ref.h5"
expect_status dump 0 "$CS" dump --h5 -o "$TMP/dump.h5" "$TMP/run"
ref compare "$TMP/dump.h5" "$TMP/ref.h5" "$T:traj" | grep -E '^(PASS|FAIL)'
want_all="15 of 15 scores checked" # every score of the table (score/registry.c)
"$PY" tests/ref_scores_dump.py "$TMP/ref.h5" "$TMP/run/scores.h5" imp "$T" >"$TMP/s.log" 2>&1
grep -E '^(PASS|FAIL)' "$TMP/s.log"
grep -q "imp: $want_all" "$TMP/s.log" && pass every_score || fail every_score "$(grep 'scores checked' "$TMP/s.log")"
grep -q -- "eva .*K=4 early=1..4 late=5..8" "$TMP/s.log" && pass eva_windows || fail eva_windows "$(grep ' eva ' "$TMP/s.log")"
ref embeddings "$TMP/dyn.h5" "$TMP/run/embeddings.h5" "$T:embeddings"
sha=$(sha256sum "$TMP/dyn.h5" | cut -d' ' -f1)
grep -q "^  imported: \"\?$TMP/dyn.h5\"\?$" "$TMP/run/run.yaml" && grep -q "^  imported_sha256: $sha$" "$TMP/run/run.yaml" &&
    grep -q "^  imported_arrays: \[labels, logits, cam, used, embeddings\]$" "$TMP/run/run.yaml" &&
    grep -q "^  epochs: 8$" "$TMP/run/run.yaml" && pass run_yaml || fail run_yaml "$(grep -A12 '^provenance' "$TMP/run/run.yaml")"

# --- the same scores from the npz; the same bytes from the same file ---------------------------
expect_status import_npz 0 "$CS" -q import "$TMP/dyn.npz" -c "$TMP/c.yaml" -o "$TMP/run_npz"
"$PY" - "$TMP/run/scores.h5" "$TMP/run_npz/scores.h5" <<'EOF' && pass npz_same_scores || fail npz_same_scores "see above"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as a, h5py.File(sys.argv[2]) as b:
    ok = sorted(a["scores"]) == sorted(b["scores"]) and len(a["scores"]) >= 14
    ok = ok and all(np.array_equal(a["scores"][k][...], b["scores"][k][...], equal_nan=True) for k in a["scores"])
sys.exit(0 if ok else 1)
EOF
expect_status import_again 0 "$CS" -q import "$TMP/dyn.h5" -c "$TMP/c.yaml" -o "$TMP/run2"
same=1
for f in trajectory.cst scores.h5 embeddings.h5; do cmp -s "$TMP/run/$f" "$TMP/run2/$f" || same=0; done
[ $same = 1 ] && pass bit_identical || fail bit_identical "a second import of the same file differs"

# --- the other forms: probs instead of logits, focus (NaN on even epochs) instead of maps,
# labels [N, 1] as MedMNIST keeps them, no used, no embeddings; an npz ----------------------
"$PY" - "$TMP/dyn.h5" "$TMP/dyn_p.npz" <<'EOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1]) as h:
    lg, y = h["logits"][...].astype(np.float64), h["labels"][...]
p = np.exp(lg - lg.max(axis=2, keepdims=True))
p /= p.sum(axis=2, keepdims=True)
focus = np.random.default_rng(3).uniform(size=lg.shape[:2]).astype(np.float32)
focus[1::2] = np.nan
np.savez_compressed(sys.argv[2], labels=y.reshape(-1, 1).astype(np.uint8), probs=p.astype(np.float32), focus=focus)
EOF
expect_status import_probs 0 "$CS" -q import "$TMP/dyn_p.npz" -c "$TMP/c.yaml" -o "$TMP/run_p"
ref fields "$TMP/dyn_p.npz" "$TMP/ref_p.h5"
expect_status dump_probs 0 "$CS" dump --h5 -o "$TMP/dump_p.h5" "$TMP/run_p"
ref compare "$TMP/dump_p.h5" "$TMP/ref_p.h5" "$T:probs" | grep -E '^(PASS|FAIL)'
"$PY" tests/ref_scores_dump.py "$TMP/ref_p.h5" "$TMP/run_p/scores.h5" probs "$T" >"$TMP/sp.log" 2>&1
grep -E '^(PASS|FAIL)' "$TMP/sp.log"
grep -q "probs: $want_all" "$TMP/sp.log" && pass probs_every_score || fail probs_every_score "$(grep 'scores checked' "$TMP/sp.log")"
[ ! -e "$TMP/run_p/embeddings.h5" ] && grep -q "^  imported_arrays: \[labels, probs, focus\]$" "$TMP/run_p/run.yaml" &&
    pass probs_run_yaml || fail probs_run_yaml "$(grep imported_arrays "$TMP/run_p/run.yaml")"

# --- rescore: other windows, still NumPy's --------------------------------------------------
cp -r "$TMP/run" "$TMP/re"
expect_status rescore 0 "$CS" -q score --rescore "$TMP/re" --windows 2:4,6:8 --set score.el2n_to=5
"$PY" tests/ref_scores_dump.py "$TMP/ref.h5" "$TMP/re/scores.h5" re "$T" >"$TMP/re.log" 2>&1
grep -E '^(PASS|FAIL)' "$TMP/re.log"
grep -q -- "eva .*K=3 early=2..4 late=6..8" "$TMP/re.log" && grep -q "re: $want_all" "$TMP/re.log" &&
    pass rescore_windows || fail rescore_windows "$(grep -E ' eva |scores checked' "$TMP/re.log")"

# --- select, export, report, inspect: unchanged ------------------------------------------------
expect_status select 0 "$CS" -q select "$TMP/run" --rate 0.1 --by eva
idx=$TMP/run/coreset-eva-0.10.idx
"$PY" tests/ref_select.py --check "$TMP/run" "$idx" >"$TMP/sel.log" 2>&1 && pass select_numpy ||
    fail select_numpy "$(head -3 "$TMP/sel.log")"
expect_status select_filter 0 "$CS" -q select "$TMP/run" --rate 0.2 --by eva --quota balanced --focus-filter -o "$TMP/f.idx"
"$PY" tests/ref_select.py --check "$TMP/run" "$TMP/f.idx" >"$TMP/sel.log" 2>&1 && pass select_filter_numpy ||
    fail select_filter_numpy "$(head -3 "$TMP/sel.log")"
expect_status export 0 "$CS" -q export "$idx" -o "$TMP/pruned.h5"
"$PY" tests/check_export.py "$SRC" "$idx" "$TMP/pruned.h5" "$TMP/run/scores.h5" >"$TMP/exp.log" 2>&1 &&
    pass export_check || fail export_check "$(head -3 "$TMP/exp.log")"
expect_status report 0 "$CS" -q report "$TMP/run" --index "$idx" -o "$TMP/r.html"
grep -q "no checkpoint.bin" "$TMP/r.html" && pass report_no_cam_note || fail report_no_cam_note "no note on the missing maps"
expect_status inspect 0 "$CS" inspect "$TMP/run"
grep -q "^epochs complete: 8 of 8" "$TMP/out" && grep -q "samples: 546, classes: 2" "$TMP/out" &&
    grep -q "^model: imported$" "$TMP/out" && grep -q "^recorded: .*, imported from $TMP/dyn.h5$" "$TMP/out" &&
    pass inspect_run || fail inspect_run "$(head -8 "$TMP/out")"

# --- bad input: one error naming the file, nothing written --------------------------------------
"$PY" - "$TMP/dyn.h5" "$TMP" <<'EOF'
import sys, h5py, numpy as np
src, tmp = sys.argv[1], sys.argv[2]
with h5py.File(src) as h:
    base = {k: h[k][...] for k in h}
def write(name, **change):
    a = dict(base)
    for k, v in change.items():
        if v is None:
            a.pop(k)
        else:
            a[k] = v
    with h5py.File(f"{tmp}/bad_{name}.h5", "w") as h:
        for k, v in a.items():
            h[k] = v
lg = base["logits"]
nan = lg.copy(); nan[2, 17, 1] = np.nan
lab = base["labels"].copy(); lab[5] = 2
flip = base["labels"].copy(); flip[9] = 1 - flip[9]
probs = np.exp(lg) / np.exp(lg).sum(axis=2, keepdims=True); probs[4, 3] *= 1.1
used = base["used"].copy(); used[1, 8] = 2
write("shape", logits=lg[:, :-1])
write("nan", logits=nan)
write("short", logits=lg[:3], cam=base["cam"][:3], used=used[:3])
write("label_range", labels=lab)
write("no_logits", logits=None)
write("no_labels", labels=None)
write("cam_shape", cam=base["cam"][:, :, :, :-1].reshape(8, 546, -1)[:, :-2])
write("probs_sum", logits=None, probs=probs.astype(np.float32))
write("used", used=used)
write("emb_shape", embeddings=base["embeddings"][:-1])
write("labels_differ", labels=flip)
write("n_differ", labels=base["labels"][:500], logits=lg[:, :500], cam=base["cam"][:, :500],
      used=base["used"][:, :500], embeddings=base["embeddings"][:500])
np.savez(f"{tmp}/bad_nan.npz", **{k: (nan if k == "logits" else v) for k, v in base.items()})
EOF
echo "not dynamics" >"$TMP/bad_text.h5"
bad() { # NAME FILE PATTERN
    rm -rf "$TMP/bad_run"
    expect_error "bad_$1" "'$2'[:,]* .*$3" "$CS" import "$2" -c "$TMP/c.yaml" -o "$TMP/bad_run"
    [ ! -e "$TMP/bad_run" ] && [ "$(wc -l <"$TMP/err")" = 1 ] && pass "bad_$1_nothing" ||
        fail "bad_$1_nothing" "$(ls "$TMP/bad_run" 2>&1 | head -3); $(wc -l <"$TMP/err") stderr lines"
}
bad shape "$TMP/bad_shape.h5" "'logits' holds N = 545 samples, 'labels' is int64 \[546\]"
bad nan "$TMP/bad_nan.h5" "logits\[epoch 3, sample 17, class 1\] is nan"
bad nan_npz "$TMP/bad_nan.npz" "logits\[epoch 3, sample 17, class 1\] is nan"
bad short "$TMP/bad_short.h5" "3 epochs of dynamics are too few for EVA (eva .*window"
bad label_range "$TMP/bad_label_range.h5" "labels\[5\] = 2 is outside 0..1"
bad no_logits "$TMP/bad_no_logits.h5" "neither 'logits' nor 'probs'"
bad no_labels "$TMP/bad_no_labels.h5" "no 'labels' array"
bad cam_shape "$TMP/bad_cam_shape.h5" "'cam' must have shape \[T, N, H, W\] (or \[T, N, L\]) with T = 8, N = 546"
bad probs_sum "$TMP/bad_probs_sum.h5" "probs\[epoch 5, sample 3\] sums to 1.1"
bad used "$TMP/bad_used.h5" "used\[epoch 2, sample 8\] is 2, not 0 or 1"
bad emb_shape "$TMP/bad_emb_shape.h5" "'embeddings' must be \[N, D\] floats with N = 546"
bad labels_differ "$TMP/bad_labels_differ.h5" "labels\[9\] = .*, sample 9 of split 'train' of '$SRC' has label"
bad n_differ "$TMP/bad_n_differ.h5" "holds N = 500 samples, split 'train' of '$SRC' has 546"
bad text "$TMP/bad_text.h5" "is neither HDF5 nor npz"
bad missing "$TMP/nope.h5" "No such file"
# An existing run is refused and left as it was; an existing empty folder stays, empty.
expect_error existing_run "'$TMP/run' already holds a run" "$CS" import "$TMP/dyn.h5" -c "$TMP/c.yaml" -o "$TMP/run"
cmp -s "$TMP/run/scores.h5" "$TMP/run2/scores.h5" && pass existing_run_untouched || fail existing_run_untouched "scores.h5 changed"
mkdir "$TMP/empty"
expect_error empty_folder_bad "is nan" "$CS" import "$TMP/bad_nan.h5" -c "$TMP/c.yaml" -o "$TMP/empty"
[ -d "$TMP/empty" ] && [ -z "$(ls -A "$TMP/empty")" ] && pass empty_folder_kept || fail empty_folder_kept "$(ls -A "$TMP/empty")"
expect_status no_file 2 "$CS" import -c "$TMP/c.yaml"
# Negative control: the trajectory check fails on the fields of other labels (one flipped).
ref fields "$TMP/bad_labels_differ.h5" "$TMP/ref_flip.h5"
if ref compare "$TMP/dump.h5" "$TMP/ref_flip.h5" neg >"$TMP/neg.log" 2>&1; then fail negative_control "passed"; else
    grep -q "^FAIL: neg_labels" "$TMP/neg.log" && grep -q "^FAIL: neg_err" "$TMP/neg.log" && pass negative_control ||
        fail negative_control "$(grep FAIL "$TMP/neg.log" | head -2)"; fi
# Killed while writing (SIGTERM once trajectory.cst appears): the folder and its files go.
"$PY" - "$SRC" "$TMP/long.h5" <<'EOF'
import sys, h5py, numpy as np
y = np.load(sys.argv[1])["train_labels"].reshape(-1)
rng = np.random.default_rng(0)
with h5py.File(sys.argv[2], "w") as h:
    h["labels"] = y
    h["logits"] = rng.normal(size=(400, y.size, 2)).astype(np.float32)
    h["cam"] = np.abs(rng.normal(size=(400, y.size, 8, 8))).astype(np.float32)
EOF
"$CS" -q import "$TMP/long.h5" -c "$TMP/c.yaml" -o "$TMP/killed" 2>/dev/null &
pid=$!
for _ in $(seq 1 3000); do [ -e "$TMP/killed/trajectory.cst" ] && break; kill -0 $pid 2>/dev/null || break; sleep 0.01; done
if kill -TERM $pid 2>/dev/null; then
    wait $pid
    st=$?
    [ $st = 143 ] && [ ! -e "$TMP/killed" ] && pass killed_nothing_left || fail killed_nothing_left "exit $st; $(ls "$TMP/killed" 2>&1)"
else
    wait $pid
    skip killed_nothing_left "the import finished before it could be killed"
fi
rm -f "$TMP/long.h5"
