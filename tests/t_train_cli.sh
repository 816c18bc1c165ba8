#!/usr/bin/env bash
# t_train_cli.sh - `coreset train` end to end on real data (BreastMNIST, 546
# training and 156 test images, a narrow cnn-small): the table and the JSON
# agree with each other and with the test split, a rerun with the same seed is
# identical, --index trains on exactly the indexed samples, and bad input is
# refused before any training with nothing written.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh
. tests/small_run.sh

if ! have_small_run; then skip all "$SRC not found (set CORESET_DATA)"; exit 0; fi
if ! have_py numpy; then skip all "python3 numpy missing"; exit 0; fi

small_config "$TMP/t.yaml"

# 1. A full training run: JSON fields, and the summary numbers follow from the per-class rows.
"$CS" -q train -c "$TMP/t.yaml" -o "$TMP/a.json" >"$TMP/a.txt" 2>"$TMP/err"
if [ $? = 0 ] && "$PY" - "$TMP/a.json" "$TMP/a.txt" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); txt = open(sys.argv[2]).read()
assert j["model"] == "cnn-small" and j["train_samples"] == 546 and j["epochs"] == 6, j
assert j["effective_epochs"] == 6 and j["dropout"] == "none" and j["seconds"] > 0
t = j["test"]; cl = t["classes"]
assert t["n"] == 156 and [c["class"] for c in cl] == ["0", "1"]
# BreastMNIST's test split: 42 malignant, 114 benign (MedMNIST v2).
assert [c["support"] for c in cl] == [42, 114], cl
acc = sum(c["support"] * c["accuracy"] for c in cl) / t["n"]
assert abs(acc - t["accuracy"]) < 1e-5, (acc, t["accuracy"])
assert abs(sum(c["f1"] for c in cl) / len(cl) - t["macro_f1"]) < 1e-5
assert abs(min(c["accuracy"] for c in cl) - t["worst_class_accuracy"]) < 1e-6
for c in cl:   # f1 is the harmonic mean of precision and recall (= the class accuracy)
    p, r = c["precision"], c["accuracy"]
    assert abs((2 * p * r / (p + r) if p + r else 0) - c["f1"]) < 1e-5, c
# a model that learnt nothing predicts one class: 73.1% here
assert t["accuracy"] > 0.74, t["accuracy"]
assert "accuracy %.4f" % t["accuracy"] in txt, txt
PY
then pass full_run; else fail full_run "$(cat "$TMP/err")"; fi

# 2. Same seed and threads: the same evaluation (all but the wall time).
"$CS" -q train -c "$TMP/t.yaml" -o "$TMP/b.json" >/dev/null 2>&1
if "$PY" -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
a.pop("seconds"); b.pop("seconds"); assert a == b' "$TMP/a.json" "$TMP/b.json"; then
    pass deterministic; else fail deterministic "two runs with seed 0 differ"; fi

# 3. --index: exactly the indexed samples.
small_run "$TMP/run" 2>"$TMP/err" && "$CS" -q select "$TMP/run" --count 137 --by eva -o "$TMP/c.idx" >/dev/null 2>&1
"$CS" -q train -c "$TMP/t.yaml" --index "$TMP/c.idx" -o "$TMP/c.json" >/dev/null 2>"$TMP/err"
if [ $? = 0 ] && "$PY" -c '
import json, sys; j = json.load(open(sys.argv[1]))
assert j["train_samples"] == 137 and j["test"]["n"] == 156, j' "$TMP/c.json"; then
    pass index_subset; else fail index_subset "$(cat "$TMP/err")"; fi

# 4. An index made on another dataset is refused, before training.
PN=$DATA/medmnist/pneumoniamnist.npz
if [ -r "$PN" ]; then
    expect_error index_other_dataset "was made from a dataset with sha256" \
        "$CS" train -c "$TMP/t.yaml" --set "dataset.path=$PN" --index "$TMP/c.idx" -o "$TMP/d.json"
    if [ ! -e "$TMP/d.json" ] && ! grep -q '^epoch' "$TMP/err"; then pass index_other_nothing_done
    else fail index_other_nothing_done "trained or wrote JSON"; fi
else
    skip index_other_dataset "$PN not found"
fi

# 5. Bad configs are refused before training, with nothing written.
expect_error unknown_model "model.name must be one of" \
    "$CS" train -c "$TMP/t.yaml" --set model.name=resnet50 -o "$TMP/e.json"
expect_error bad_epochs "train.epochs" \
    "$CS" train -c "$TMP/t.yaml" --set train.epochs=0 -o "$TMP/e.json"
expect_error too_many_stages "model.blocks has more than 4 stages" \
    "$CS" train -c "$TMP/t.yaml" --set model.name=resnet18 --set model.blocks=1,1,1,1,1 -o "$TMP/e.json"
MITDB=$DATA/mitdb
if [ -r "$MITDB/100.hea" ]; then   # an 8-sample beat cannot pass a stride-2 stem and 3 stride-2 stages
    expect_error signal_too_short "input length 8 is too short for a stride-2 stem and 3 stride-2 stages; need at least 9" \
        "$CS" train -c configs/mitbih.yaml --set "dataset.path=$MITDB" --set ecg.records=100 \
        --set ecg.beat_length=8 -o "$TMP/e.json"
    if ! grep -q '^epoch' "$TMP/err"; then pass signal_too_short_before_training
    else fail signal_too_short_before_training "it trained first"; fi
else
    skip signal_too_short "$MITDB not found"
fi
if [ ! -e "$TMP/e.json" ]; then pass bad_config_nothing_written; else fail bad_config_nothing_written; fi
expect_error missing_output_dir "$TMP/nodir" \
    "$CS" train -c "$TMP/t.yaml" --set train.epochs=1 -o "$TMP/nodir/x.json"
expect_error missing_data "no-such" \
    "$CS" train -c "$TMP/t.yaml" --set dataset.path=/no-such.npz
exit 0
