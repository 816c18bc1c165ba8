#!/usr/bin/env bash
# t_dump.sh - `coreset dump` and `coreset inspect FILE.cst` on a seeded
# synthetic trajectory (test_dump --fixture: N = 2000, C = 3, T = 25, 2 runs,
# probabilities, focus only every 5th epoch, a few samples never):
#   --csv (read with Python's csv module), --h5 (h5py) and --raw hold exactly
#   the same values; --fields / --epochs / --runs select exactly the slice of
#   the full export; the HDF5 attributes and provenance; the same trajectory
#   dumps to the same HDF5 bytes; inspect's shape and per-epoch means equal
#   NumPy's on the dump; a flipped byte in a frame makes dump and inspect fail
#   naming the frame, with no output written and an existing output left as it
#   was; bad arguments are usage errors.
# The scores of real runs are checked through the dump in t_scores_numpy.sh.
. tests/lib.sh
BIN=${CORESET_BUILD:-build/cpu}/tests/test_dump
if [ ! -x "$BIN" ]; then
    skip dump "'$BIN' is not built (run make test-build)"
    exit 0
fi
RUN=$TMP/run
CS_ABS=$(cd "$(dirname "$CS")" && pwd)/$(basename "$CS")
if ! "$BIN" --fixture "$RUN" 2>"$TMP/err"; then
    fail fixture "$(head -3 "$TMP/err")"
    exit 0
fi

# --- usage errors (exit 2) and missing input (exit 1) ----------------------------------
expect_error missing_run "cannot open run '$TMP/nope': No such file or directory" "$CS" dump --csv "$TMP/nope"
[ ! -s "$TMP/out" ] && pass missing_run_no_output || fail missing_run_no_output "stdout not empty"
expect_status missing_run_exit 1 "$CS" dump --raw -o "$TMP/r0" "$TMP/nope"
mkdir "$TMP/empty"
expect_error no_trajectory "run '$TMP/empty' has no trajectory.cst" "$CS" dump --h5 -o "$TMP/x.h5" "$TMP/empty"
(cd "$TMP/empty" && "$CS_ABS" dump --csv) >"$TMP/out" 2>"$TMP/err"
grep -q "^coreset: error: run '.' has no trajectory.cst" "$TMP/err" && pass default_run_is_cwd ||
    fail default_run_is_cwd "$(head -2 "$TMP/err")"
expect_error unknown_field "unknown field 'bogus'" "$CS" dump --csv --fields loss,bogus "$RUN"
expect_status unknown_field_exit 2 "$CS" dump --csv --fields loss,bogus "$RUN"
expect_status no_format 2 "$CS" dump "$RUN"
expect_error no_format_msg "exactly one of --csv, --h5, --raw" "$CS" dump "$RUN"
expect_status two_formats 2 "$CS" dump --csv --h5 -o "$TMP/x.h5" "$RUN"
expect_error h5_needs_o "--h5 needs -o FILE" "$CS" dump --h5 "$RUN"
expect_error raw_needs_o "--raw needs -o DIR" "$CS" dump --raw "$RUN"
expect_status raw_needs_o_exit 2 "$CS" dump --raw "$RUN"
expect_error bad_epochs "--epochs wants" "$CS" dump --csv --epochs 5:2 "$RUN"
expect_error bad_epochs_0 "--epochs wants" "$CS" dump --csv --epochs 0:3 "$RUN"
expect_error bad_runs "--runs wants" "$CS" dump --csv --runs 0,,1 "$RUN"
expect_error two_runs "dump takes one RUN" "$CS" dump --csv "$RUN" "$RUN"
expect_status unknown_option 2 "$CS" dump --csv --bogus "$RUN"
expect_error absent_run "has no run 7 (it has: 0, 1)" "$CS" dump --csv --runs 0,7 "$RUN"
expect_error epochs_outside "no frame matches the selection" "$CS" dump --csv --epochs 30:40 "$RUN"
expect_error h5_epochs_outside "run 0 has no epoch 26" "$CS" dump --h5 -o "$TMP/x.h5" --epochs 20:26 "$RUN"
[ ! -e "$TMP/x.h5" ] && pass refused_nothing_written || fail refused_nothing_written "$TMP/x.h5 exists"
"$CS" dump --help >"$TMP/help" 2>&1 && head -1 "$TMP/help" | grep -q '^usage: coreset dump ' &&
    pass help || fail help "$(head -2 "$TMP/help")"

# --- a flipped byte in the last frame (run 1, epoch 25) ----------------------------------
BAD=$TMP/bad
mkdir "$BAD" "$TMP/out_bad"
cp "$RUN/trajectory.cst" "$BAD/"
size=$(stat -c %s "$BAD/trajectory.cst")
off=$((size - 200))
byte=$(od -An -tu1 -j "$off" -N1 "$BAD/trajectory.cst" | tr -d ' ')
printf "$(printf '\\%03o' $(((byte ^ 0x5a) & 255)))" |
    dd of="$BAD/trajectory.cst" bs=1 seek="$off" conv=notrunc status=none
pat="frame 49 (run 1, epoch 25) at offset [0-9]*: checksum mismatch"
expect_error damaged_csv "$pat" "$CS" dump --csv "$BAD"
[ ! -s "$TMP/out" ] && pass damaged_csv_stdout_empty || fail damaged_csv_stdout_empty "$(wc -c <"$TMP/out") bytes on stdout"
expect_error damaged_csv_o "$pat" "$CS" dump --csv -o "$TMP/out_bad/bad.csv" "$BAD"
expect_error damaged_h5 "$pat" "$CS" dump --h5 -o "$TMP/out_bad/bad.h5" "$BAD"
expect_error damaged_raw "$pat" "$CS" dump --raw -o "$TMP/out_bad/bad_raw" "$BAD"
[ -z "$(ls -A "$TMP/out_bad")" ] && pass damaged_nothing_written || fail damaged_nothing_written "left: $(ls -A "$TMP/out_bad")"
# An existing output stays as it was when the dump fails.
echo "old contents" >"$TMP/out_bad/keep.h5"
expect_error damaged_keeps_old "$pat" "$CS" dump --h5 -o "$TMP/out_bad/keep.h5" "$BAD"
[ "$(cat "$TMP/out_bad/keep.h5")" = "old contents" ] && [ "$(ls -A "$TMP/out_bad")" = keep.h5 ] &&
    pass damaged_old_output_kept || fail damaged_old_output_kept "$(ls -A "$TMP/out_bad")"
# Only the selected epochs are exported, but every frame is verified.
expect_error damaged_outside_selection "$pat" "$CS" dump --csv --epochs 1:2 --runs 0 "$BAD"
expect_error damaged_inspect "$pat" "$CS" inspect "$BAD"
expect_error damaged_inspect_cst "$pat" "$CS" inspect --json "$BAD/trajectory.cst"

# --- the exports ----------------------------------------------------------------------------
"$CS" dump --raw -o "$TMP/raw" "$RUN" 2>"$TMP/err" && pass dump_raw || fail dump_raw "$(head -3 "$TMP/err")"
expect_error raw_exists "directory exists and is not empty" "$CS" dump --raw -o "$TMP/raw" "$RUN"
"$CS" dump --csv -o "$TMP/run.csv" "$RUN" 2>"$TMP/err" && pass dump_csv_file || fail dump_csv_file "$(head -3 "$TMP/err")"
(cd "$RUN" && "$CS_ABS" dump --csv) >"$TMP/stdout.csv" 2>"$TMP/err"
cmp -s "$TMP/stdout.csv" "$TMP/run.csv" && pass csv_stdout_same_as_file ||
    fail csv_stdout_same_as_file "stdout of 'dump --csv' in RUN differs from -o: $(head -3 "$TMP/err")"
echo "old" >"$TMP/run.h5"
"$CS" dump --h5 -o "$TMP/run.h5" "$RUN/trajectory.cst" 2>"$TMP/err" && pass dump_h5_replaces || fail dump_h5_replaces "$(head -3 "$TMP/err")"
"$CS" dump --h5 -o "$TMP/again.h5" "$RUN" 2>"$TMP/err"
cmp -s "$TMP/run.h5" "$TMP/again.h5" && pass h5_same_bytes || fail h5_same_bytes "two dumps of one trajectory differ"
[ -z "$(ls "$TMP" | grep '\.tmp')" ] && pass no_temporaries_left || fail no_temporaries_left "$(ls "$TMP")"
"$CS" dump --csv --fields loss,focus,probs --runs 1 --epochs 5:6 -o "$TMP/sel.csv" "$RUN" 2>"$TMP/err" &&
    pass dump_csv_selection || fail dump_csv_selection "$(head -3 "$TMP/err")"
"$CS" dump --h5 --fields conf,correct --epochs 20: -o "$TMP/sel.h5" "$RUN" 2>"$TMP/err" &&
    pass dump_h5_selection || fail dump_h5_selection "$(head -3 "$TMP/err")"
"$CS" dump --raw --fields err --runs 1 --epochs :3 -o "$TMP/sel_raw" "$RUN" 2>"$TMP/err" &&
    pass dump_raw_selection || fail dump_raw_selection "$(head -3 "$TMP/err")"
"$CS" inspect --json "$RUN/trajectory.cst" >"$TMP/inspect.json" 2>"$TMP/err" && pass inspect_json || fail inspect_json "$(head -3 "$TMP/err")"
"$CS" inspect "$RUN/trajectory.cst" >"$TMP/inspect.txt" 2>"$TMP/err" && pass inspect_text || fail inspect_text "$(head -3 "$TMP/err")"
grep -q '^samples: 2000, classes: 3 ' "$TMP/inspect.txt" && grep -q '^epochs complete: 25 (run 0), 25 (run 1)$' "$TMP/inspect.txt" &&
    grep -q '^trajectory: .*, 50 frames verified, ' "$TMP/inspect.txt" && pass inspect_text_shape ||
    fail inspect_text_shape "$(head -12 "$TMP/inspect.txt")"
# 25 epochs: the table shows every 2nd epoch and the last, all of them with -v.
rows=$(awk '/^per epoch/{on=1; getline; next} on' "$TMP/inspect.txt" | wc -l)
"$CS" -v inspect "$RUN/trajectory.cst" >"$TMP/inspect_v.txt" 2>/dev/null
rows_v=$(awk '/^per epoch/{on=1; getline; next} on' "$TMP/inspect_v.txt" | wc -l)
[ "$rows" = 13 ] && [ "$rows_v" = 25 ] && pass inspect_epoch_rows || fail inspect_epoch_rows "$rows and $rows_v rows"

if ! have_py numpy || ! have_py h5py; then
    skip numpy_checks "numpy or h5py not importable by $PY"
    exit 0
fi
"$PY" - "$TMP" "$T" <<'EOF'
import csv, json, os, sys
import h5py
import numpy as np

tmp, T_NAME = sys.argv[1], sys.argv[2]


def check(name, ok, why=""):
    print(("PASS: " if ok else "FAIL: ") + T_NAME + ":" + name)
    if not ok:
        sys.stderr.write(f"  {name}: {why}\n")


FIELDS = ["err", "conf", "margin", "entropy", "loss", "correct", "focus", "used"]  # CSV order
BYTE = ("correct", "used")
with h5py.File(os.path.join(tmp, "run.h5"), "r") as h:
    A = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in h.attrs.items()}
    prov = {k: v.decode() for k, v in h["provenance"].attrs.items()}
    cols = {f: h[f][...] for f in FIELDS}
    probs, labels = h["probs"][...], h["labels"][...]
    dtypes = {f: h[f].dtype for f in FIELDS}
R, T, N = cols["err"].shape
C = probs.shape[-1]
check("h5_shape", (R, T, N, C) == (2, 25, 2000, 3) and labels.shape == (N,) and
      all(dtypes[f] == (np.uint8 if f in BYTE else np.float32) for f in FIELDS), f"{(R, T, N, C)} {dtypes}")
check("h5_attrs", A["N"] == N and A["C"] == C and list(A["runs"]) == [0, 1] and list(A["epochs"]) == list(range(1, 26))
      and A["fields"] == "err,conf,margin,entropy,loss,focus,correct,used,probs"
      and A["trajectory"].endswith("run/trajectory.cst"), str(A))
check("h5_provenance", prov == {"dataset": "synthetic", "seed": "20261123", "model": "none", "tool": "test_dump"}, str(prov))
# The fixture is what it says: focus only every 5th epoch, some samples never; probs agree with conf.
foc_epochs = [t + 1 for t in range(T) if not np.isnan(cols["focus"][0, t]).all()]
check("fixture_focus_pattern", foc_epochs == [5, 10, 15, 20, 25] and
      int(np.isnan(cols["focus"]).all(axis=(0, 1)).sum()) == 20, str(foc_epochs))
check("fixture_probs_consistent", np.array_equal(np.take_along_axis(probs, labels[None, None, :, None].astype(np.int64), 3)[..., 0],
                                                 cols["conf"]))

# raw == h5, bit for bit.
raw = os.path.join(tmp, "raw")
P = json.load(open(os.path.join(raw, "params.json")))
check("raw_params", P == {"n": N, "num_classes": C, "epochs": T, "runs": R, "first_epoch": 1, "run_ids": [0, 1],
                          "fields": ["err", "conf", "margin", "entropy", "loss", "focus", "correct", "used", "probs"]}, str(P))
ok = np.array_equal(np.fromfile(os.path.join(raw, "labels.i32"), "<i4"), labels)
for f in FIELDS:
    a = np.stack([np.fromfile(os.path.join(raw, f"{f}_{r}.f32"), "<f4").reshape(T, N) for r in range(R)])
    ok &= np.array_equal(a.view(np.uint32), cols[f].astype(np.float32).view(np.uint32))
a = np.stack([np.fromfile(os.path.join(raw, f"probs_{r}.f32"), "<f4").reshape(T, N, C) for r in range(R)])
check("raw_equals_h5", ok and np.array_equal(a.view(np.uint32), probs.view(np.uint32)))


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def column(head, body, name, shape):
    i = head.index(name)
    return np.array([np.float32(x[i]) if x[i] != "" else np.float32("nan") for x in body], np.float32).reshape(shape)


def same_f32(a, b):
    """Bit-equal, NaN where NaN."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    nan = np.isnan(b)
    return a.shape == b.shape and np.array_equal(np.isnan(a), nan) and \
        np.array_equal(a[~nan].view(np.uint32), b[~nan].view(np.uint32))


# csv == h5: header, order, every value exact, NaN as an empty field.
head, body = read_csv(os.path.join(tmp, "run.csv"))
want = ["epoch", "run", "index", "label"] + FIELDS + [f"prob_{j}" for j in range(C)]
check("csv_header", head == want, str(head))
check("csv_rows", len(body) == R * T * N, str(len(body)))
if head == want and len(body) == R * T * N:
    e_ = np.array([int(x[0]) for x in body]); r_ = np.array([int(x[1]) for x in body])
    i_ = np.array([int(x[2]) for x in body]); l_ = np.array([int(x[3]) for x in body])
    check("csv_order", np.array_equal(r_, np.repeat(np.arange(R), T * N)) and
          np.array_equal(e_, np.tile(np.repeat(np.arange(1, T + 1), N), R)) and np.array_equal(i_, np.tile(np.arange(N), R * T)))
    check("csv_labels", np.array_equal(l_, labels[i_]))
    for f in FIELDS:
        check("csv_equals_h5_" + f, same_f32(column(head, body, f, (R, T, N)), cols[f]))
    pr = np.stack([column(head, body, f"prob_{j}", (R, T, N)) for j in range(C)], axis=-1)
    check("csv_equals_h5_probs", same_f32(pr, probs))
    fi = head.index("focus")
    check("csv_nan_is_empty", sum(x[fi] == "" for x in body) == int(np.isnan(cols["focus"]).sum()) and
          not any(x[fi].lower() == "nan" for x in body))

# Selections are exactly the slices of the full export.
head, body = read_csv(os.path.join(tmp, "sel.csv"))
ok = head == ["epoch", "run", "index", "label", "loss", "focus", "prob_0", "prob_1", "prob_2"] and len(body) == 2 * N
if ok:
    ok = {x[1] for x in body} == {"1"} and [int(x[0]) for x in body[::N]] == [5, 6]
    ok = ok and same_f32(column(head, body, "loss", (2, N)), cols["loss"][1, 4:6]) and \
        same_f32(column(head, body, "focus", (2, N)), cols["focus"][1, 4:6]) and \
        same_f32(column(head, body, "prob_2", (2, N)), probs[1, 4:6, :, 2])
check("csv_selection", ok, str(head))
with h5py.File(os.path.join(tmp, "sel.h5"), "r") as h:
    ok = sorted(k for k in h.keys() if k != "provenance") == ["conf", "correct", "labels"] and \
        list(h.attrs["epochs"]) == list(range(20, 26)) and list(h.attrs["runs"]) == [0, 1] and \
        h.attrs["fields"].decode() == "conf,correct" and \
        np.array_equal(h["conf"][...], cols["conf"][:, 19:]) and np.array_equal(h["correct"][...], cols["correct"][:, 19:])
check("h5_selection", ok)
sr = os.path.join(tmp, "sel_raw")
P = json.load(open(os.path.join(sr, "params.json")))
ok = P["run_ids"] == [1] and P["epochs"] == 3 and P["first_epoch"] == 1 and P["fields"] == ["err"] and \
    sorted(os.listdir(sr)) == ["err_0.f32", "labels.i32", "params.json"] and \
    same_f32(np.fromfile(os.path.join(sr, "err_0.f32"), "<f4").reshape(3, N), cols["err"][1, :3])
check("raw_selection", ok, str(P))

# inspect of the .cst: shape and every frame's means vs NumPy on the dump.
J = json.load(open(os.path.join(tmp, "inspect.json")))
tj = J["trajectory"]
check("inspect_shape", J["n"] == N and J["num_classes"] == C and tj["frames_verified"] == R * T and tj["torn"] is None and
      [(x["run"], x["epochs"], x["first_epoch"], x["last_epoch"]) for x in tj["runs"]] == [(0, T, 1, T), (1, T, 1, T)] and
      tj["fields"] == ["err", "conf", "margin", "entropy", "loss", "focus", "correct", "used", "probs"], str(tj["runs"]))
check("inspect_meta", tj["metadata"] == prov and J["dataset"] == "synthetic" and J["model"] == "none" and
      J["provenance"] is None and J["scores"] is None and J["epochs_planned"] == 0)
check("inspect_histogram", tj["class_histogram"] == np.bincount(labels, minlength=C).tolist())
size = os.path.getsize(os.path.join(tmp, "run", "trajectory.cst"))
check("inspect_bytes", tj["bytes"] == size and abs(tj["bytes_per_sample_epoch"] - size / (R * T * N)) < 0.5)
ep = tj["epochs"]
ok = [(x["run"], x["epoch"]) for x in ep] == [(r, t) for r in range(R) for t in range(1, T + 1)]
worst = 0.0
for x in ep:
    r, t = x["run"], x["epoch"] - 1
    worst = max(worst, abs(x["loss"] - cols["loss"][r, t].astype(np.float64).mean()),
                abs(x["accuracy"] - cols["correct"][r, t].mean()), abs(x["used"] - cols["used"][r, t].mean()))
    ok = ok and x["focus_computed"] == int((~np.isnan(cols["focus"][r, t])).sum())
check("inspect_epoch_means", ok and worst <= 1e-9, f"worst {worst:.3g}")
ee = [x["effective_epochs"] for x in tj["runs"]]
check("inspect_effective_epochs", np.allclose(ee, cols["used"].mean(axis=2).sum(axis=1), rtol=0, atol=1e-9), str(ee))
EOF
