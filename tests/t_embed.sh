#!/usr/bin/env bash
# t_embed.sh - the embeddings `coreset score` stores (RUN/embeddings.h5) on a
# real small run (BreastMNIST): shape, epochs, dtype; same seed -> same bytes;
# kill -9 + --resume bit-identical to an uninterrupted run; --rescore keeps the
# file; record.embed* keys (embed_pass eval: the eval features, the training's
# records); inspect and dump see it; and a PyTorch reference
# (tests/ref_embed.py): the last epoch's eval-pass features recomputed from the
# checkpoint's weights, float16 = float32 rounded.
. tests/lib.sh
. tests/small_run.sh
if ! have_small_run; then skip all "'$SRC' not found (set CORESET_DATA)"; exit 0; fi
if ! have_py h5py; then skip all "h5py not installed for $PY"; exit 0; fi
small_config "$TMP/c.yaml" # 6 epochs, EVA windows 1-3 and 4-6: auto stores epochs 3 and 6
run() { "$CS" -q score -c "$TMP/c.yaml" "$@"; }
# h5check RUN PYTHON-EXPRESSION...: true when every expression holds (f = the file, e = /embeddings)
h5check() {
    "$PY" - "$@" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1] + "/embeddings.h5", "r")
e = f["embeddings"][:]
a = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
for expr in sys.argv[2:]:
    if not eval(expr):
        print("false: %s (shape %s dtype %s epochs %s attrs %s)" % (expr, e.shape, e.dtype, list(f["epochs"][:]), a),
              file=sys.stderr)
        sys.exit(1)
PY
}

expect_status fresh 0 run -o "$TMP/a"
h5check "$TMP/a" 'e.shape == (2, 546, 16)' 'e.dtype == np.float16' 'list(f["epochs"][:]) == [3, 6]' \
    'np.isfinite(e).all()' 'e.std() > 0' 'not np.array_equal(e[0], e[1])' 'a["pass"] == "train"' \
    'a["model"] == "cnn-small"' 'a["dataset"].endswith("breastmnist.npz")' 'len(a["dataset_sha256"]) == 64' \
    'list(f["index"][:]) == list(range(546))' 'f["embeddings"].attrs["dtype"] == b"float16"' &&
    pass shape-epochs-dtype || fail shape-epochs-dtype
expect_status again 0 run -o "$TMP/b"
cmp -s "$TMP/a/embeddings.h5" "$TMP/b/embeddings.h5" && pass same-seed-same-bytes || fail same-seed-same-bytes
expect_status other-seed 0 run -o "$TMP/s1" --set train.seed=1
cmp -s "$TMP/a/embeddings.h5" "$TMP/s1/embeddings.h5" && fail other-seed-differs || pass other-seed-differs

# kill -9 at random moments (between an epoch's embeddings and its checkpoint
# among them), resume, compare with the uninterrupted run.
for k in 1 2 3 4; do
    d=$TMP/k$k
    "$CS" -q score -c "$TMP/c.yaml" -o "$d" & pid=$!
    sleep "$(awk -v s="$RANDOM" 'BEGIN { srand(s); printf "%.2f", 0.3 + rand() * 2.5 }')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    if [ ! -e "$d/run.yaml" ]; then
        rm -rf "$d"; run -o "$d"
    elif [ ! -e "$d/scores.h5" ]; then
        "$CS" -q score --resume "$d" || fail "resume-$k" "resume failed"
    fi
    ls "$d" | grep -q '\.tmp\.' && fail "no-temporaries-$k" "$(ls "$d")"
    cmp -s "$TMP/a/embeddings.h5" "$d/embeddings.h5" && pass "kill-resume-$k" ||
        fail "kill-resume-$k" "resumed run's embeddings.h5 differs from the uninterrupted one"
done
# A kill between an epoch's embeddings and its checkpoint leaves the file ahead
# of the checkpoint: stop a run once its checkpoint is at epoch 4 or 5, give it
# a file holding the right epoch 3 and a wrong epoch 6, resume: epoch 6 must be
# recomputed in place of the stale one, byte for byte the uninterrupted file.
d=$TMP/ahead
"$CS" -q score -c "$TMP/c.yaml" -o "$d" & pid=$!
ck_epoch() { od -An -t d4 -j 20 -N 4 "$d/checkpoint.bin" 2>/dev/null | tr -d ' '; }
for _ in $(seq 2000); do
    e=$(ck_epoch); [ "${e:-0}" -ge 4 ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
e=$(ck_epoch)
if [ -e "$d/scores.h5" ] || [ "${e:-0}" -lt 4 ] || [ "${e:-0}" -ge 6 ]; then
    skip stale-epoch-replaced "could not stop the run at epoch 4 or 5 (checkpoint at '${e:-none}')"
else
    "$PY" - "$TMP/a/embeddings.h5" "$d/embeddings.h5" <<'PY'
import sys, h5py, numpy as np
src = h5py.File(sys.argv[1], "r")
e = src["embeddings"][:]
e[1] = 0  # a stale epoch 6
with h5py.File(sys.argv[2], "w") as f:
    f["embeddings"] = e
    f["epochs"] = src["epochs"][:]
    f["index"] = src["index"][:]
PY
    "$CS" -q score --resume "$d" || fail stale-epoch-resume "resume failed"
    cmp -s "$TMP/a/embeddings.h5" "$d/embeddings.h5" && pass stale-epoch-replaced ||
        fail stale-epoch-replaced "resumed from epoch $e: embeddings.h5 differs from the uninterrupted one"
fi

# --rescore leaves the file as it is.
cp -r "$TMP/a" "$TMP/r"
expect_status rescore 0 "$CS" -q score --rescore "$TMP/r" --windows 1:2,5:6
cmp -s "$TMP/a/embeddings.h5" "$TMP/r/embeddings.h5" && pass rescore-keeps || fail rescore-keeps

# The keys.
expect_status embed-off-run 0 run -o "$TMP/off" --set record.embed=false
[ ! -e "$TMP/off/embeddings.h5" ] && cmp -s "$TMP/a/scores.h5" "$TMP/off/scores.h5" && pass embed-off ||
    fail embed-off "embeddings.h5 written or scores changed with record.embed: false"
expect_status epochs-listed 0 run -o "$TMP/l" --set record.embed_epochs=5,2 --set record.embed_dtype=float32
h5check "$TMP/l" 'list(f["epochs"][:]) == [2, 5]' 'e.dtype == np.float32' && pass epochs-listed-stored ||
    fail epochs-listed-stored
expect_error epochs-beyond "record.embed_epochs: epoch 9 is beyond train.epochs (6)" run -o "$TMP/x" \
    --set record.embed_epochs=9
[ ! -e "$TMP/x" ] && pass epochs-beyond-writes-nothing || fail epochs-beyond-writes-nothing "$(ls "$TMP/x")"
expect_error epochs-bad "record.embed_epochs" run -o "$TMP/x" --set record.embed_epochs=last
# Two surrogate runs: the file holds run 0's embeddings, the same as a one-run run's.
expect_status two-runs 0 run -o "$TMP/two" --set score.runs=2
"$PY" -c "import h5py, numpy as np, sys; a, b = (h5py.File(sys.argv[k] + '/embeddings.h5', 'r') for k in (1, 2)); \
sys.exit(0 if np.array_equal(a['embeddings'][:], b['embeddings'][:]) and a.attrs['runs'] == b'1' and b.attrs['runs'] == b'2' else 1)" \
    "$TMP/a" "$TMP/two" && pass two-runs-run0 || fail two-runs-run0

# inspect lists it; dump exports it.
"$CS" inspect "$TMP/a" >"$TMP/insp" 2>&1
grep -q "^embeddings: $TMP/a/embeddings.h5, 546 samples x 16 float16 (train pass)" "$TMP/insp" &&
    grep -q "^  epochs: 3, 6$" "$TMP/insp" && pass inspect-lists || fail inspect-lists "$(grep -A1 embeddings "$TMP/insp")"
"$CS" inspect "$TMP/off" | grep -q "^embeddings: none$" && pass inspect-none || fail inspect-none
"$CS" inspect --json "$TMP/a" | "$PY" -c "import json, sys; e = json.load(sys.stdin)['embeddings']; \
sys.exit(0 if e['epochs'] == [3, 6] and (e['n'], e['d'], e['dtype'], e['pass']) == (546, 16, 'float16', 'train') else 1)" &&
    pass inspect-json || fail inspect-json
expect_status dump-npy 0 "$CS" dump --embeddings --npy -o "$TMP/e3.npy" --epochs 3 "$TMP/a"
expect_status dump-h5 0 "$CS" dump --embeddings --h5 -o "$TMP/e.h5" "$TMP/a"
expect_status dump-csv 0 "$CS" dump --embeddings --csv -o "$TMP/e.csv" --epochs 6 "$TMP/a"
"$PY" - "$TMP" "$SRC" <<'PY' && pass dump-matches || fail dump-matches
import sys, h5py, numpy as np
t, src = sys.argv[1], sys.argv[2]
f = h5py.File(t + "/a/embeddings.h5", "r")
e = f["embeddings"][:].astype(np.float32)
g = h5py.File(t + "/e.h5", "r")
c = np.loadtxt(t + "/e.csv", delimiter=",", skiprows=1)
labels = np.load(src)["train_labels"].reshape(-1)
ok = (np.array_equal(np.load(t + "/e3.npy"), e[0]) and np.array_equal(g["embeddings"][:], e)
      and list(g["epochs"][:]) == [3, 6] and np.array_equal(g["labels"][:], labels)
      and c.shape == (546, 3 + 16) and (c[:, 0] == 6).all() and np.array_equal(c[:, 1], np.arange(546))
      and np.array_equal(c[:, 2], labels) and np.array_equal(c[:, 3:].astype(np.float32), e[1]))
sys.exit(0 if ok else 1)
PY
expect_error dump-npy-range "--npy writes one epoch" "$CS" dump --embeddings --npy -o "$TMP/x.npy" "$TMP/a" --epochs 1:6
expect_error dump-epoch-absent "no embeddings in the epochs asked for (it has epochs: 3, 6)" \
    "$CS" dump --embeddings --csv --epochs 4 "$TMP/a"
expect_error dump-no-file "has no embeddings.h5" "$CS" dump --embeddings --csv "$TMP/off"
[ ! -e "$TMP/x.npy" ] && pass dump-error-writes-nothing || fail dump-error-writes-nothing
expect_status dump-npy-without-embeddings 2 "$CS" dump --npy -o "$TMP/x.npy" "$TMP/a"
cp "$TMP/a/embeddings.h5" "$TMP/keep.h5"
expect_error dump-onto-embeddings "refusing to write" "$CS" dump --csv -o "$TMP/a/embeddings.h5" "$TMP/a"
expect_error dump-embeddings-onto-itself "refusing to write" "$CS" dump --embeddings --h5 -o "$TMP/a/embeddings.h5" "$TMP/a"
cmp -s "$TMP/keep.h5" "$TMP/a/embeddings.h5" && pass dump-onto-embeddings-keeps || fail dump-onto-embeddings-keeps

# record.embed_pass eval: the eval pass's features, the training's records.
expect_status eval16 0 run -o "$TMP/e16" --set record.eval_pass=true
expect_status embed-pass-eval 0 run -o "$TMP/ep" --set record.embed_pass=eval
"$PY" -c "import h5py, numpy as np, sys; a, b = (h5py.File(sys.argv[k] + '/embeddings.h5', 'r') for k in (1, 2)); \
sys.exit(0 if np.array_equal(a['embeddings'][:], b['embeddings'][:]) and b.attrs['pass'] == b'eval' else 1)" \
    "$TMP/e16" "$TMP/ep" && pass embed-pass-eval-features || fail embed-pass-eval-features
cmp -s "$TMP/a/trajectory.cst" "$TMP/ep/trajectory.cst" && cmp -s "$TMP/a/scores.h5" "$TMP/ep/scores.h5" &&
    pass embed-pass-eval-training-unchanged || fail embed-pass-eval-training-unchanged

# PyTorch: the eval pass's last-epoch features from the checkpoint's weights.
if have_py torch; then
    expect_status eval32 0 run -o "$TMP/e32" --set record.eval_pass=true --set record.embed_dtype=float32
    "$PY" tests/ref_embed.py "$SRC" 8 "$TMP/e32" "$TMP/e16" || fail torch-reference "tests/ref_embed.py failed"
else
    skip torch-reference "torch not installed for $PY"
fi
