#!/usr/bin/env bash
# t_ecg_cli.sh - the ECG datasets through the command line: `coreset inspect`
# class tables per split (held against counts computed here with csv and
# ast), a one-epoch `coreset train` of resnet1d on one record's beats, and a
# clear error (exit 1, the file named) or a documented skip for each kind of
# bad input.
. tests/lib.sh
MITDB=$DATA/mitdb
PTBXL=$DATA/ptbxl

if [ -f "$PTBXL/ptbxl_database.csv" ] && have_py numpy; then
    if "$CS" inspect --json "$PTBXL" >"$TMP/ptbxl.json" 2>"$TMP/err" &&
        "$PY" - "$TMP/ptbxl.json" "$PTBXL" <<'PYEOF'
import json, sys
sys.path.insert(0, "tests")
import ref_ecg
j = json.load(open(sys.argv[1]))
want = ref_ecg.superclass_labels(sys.argv[2], 10 ** 9, False)
assert j["format"] == "ptbxl" and j["class_names"] == ["NORM", "MI", "STTC", "CD", "HYP"], j
for s in j["splits"]:
    hist = [0] * 5
    for split, y in want.values():
        if split == s["name"] and y is not None:
            hist[y] += 1
    assert s["histogram"] == hist and s["shape"] == [12, 1000], (s, hist)
assert [s["name"] for s in j["splits"]] == ["train", "val", "test"]
PYEOF
    then pass inspect_ptbxl_classes; else fail inspect_ptbxl_classes "$(tail -3 "$TMP/err")"; fi
    "$CS" inspect -c configs/ptbxl.yaml --set "dataset.path=$PTBXL" >"$TMP/text" 2>"$TMP/err"
    if [ $? = 0 ] && grep -Eq '^train +[0-9]+  12x1000 +float32' "$TMP/text" &&
        grep -Eq '^0 NORM +[0-9]+ +[0-9]+ +[0-9]+$' "$TMP/text"; then pass inspect_ptbxl_config; else
        fail inspect_ptbxl_config "$(cat "$TMP/text" "$TMP/err")"; fi
else
    skip inspect_ptbxl_classes "'$PTBXL' or numpy not found"
    skip inspect_ptbxl_config "'$PTBXL' not found"
fi

if [ -f "$MITDB/100.atr" ]; then
    # Record 100: 2273 beats, N 2239, A 33 -> S, V 1 (PhysioNet's table); a
    # window narrow enough for the first and last beat keeps all of them.
    "$CS" inspect --json --set ecg.records=100 --set ecg.split=records --set ecg.train_records=100 \
        --set ecg.test_records= --set ecg.beat_before=0.2 --set ecg.beat_after=0.02 "$MITDB" >"$TMP/b.json" 2>"$TMP/err"
    if [ $? = 0 ] && grep -q '"format": "wfdb-beats"' "$TMP/b.json" &&
        grep -q '"class_names": \["N", "S", "V", "F", "Q"\]' "$TMP/b.json" &&
        grep -q '"name": "train", "samples": 2273, "shape": \[1, 256\]' "$TMP/b.json" &&
        grep -q '"histogram": \[2239, 33, 1, 0, 0\]' "$TMP/b.json"; then pass inspect_record_100; else
        fail inspect_record_100 "$(cat "$TMP/b.json" "$TMP/err")"; fi
    # The default window drops the first beat (sample 77 < 0.25 s) and the last.
    "$CS" inspect --set ecg.records=100 "$MITDB" >"$TMP/text" 2>"$TMP/err"
    if [ $? = 0 ] && grep -q "2271 beats of 1 records (N 2237, S 33, V 1, F 0, Q 0); skipped 2 whose window runs off" "$TMP/err" &&
        grep -Eq '^0 N +1790 +447$' "$TMP/text"; then pass inspect_record_100_split; else
        fail inspect_record_100_split "$(cat "$TMP/text" "$TMP/err")"; fi
    if [ -f "$MITDB/208.atr" ]; then
        "$CS" train -c configs/mitbih.yaml --set "dataset.path=$MITDB" --set ecg.records=208 --set model.width=8 \
            --set model.blocks=1,1 --set train.epochs=1 -o "$TMP/train.json" >"$TMP/out" 2>"$TMP/err"
        if [ $? = 0 ] && grep -q '"model": "resnet1d"' "$TMP/train.json" && grep -q '"epochs": 1,' "$TMP/train.json" &&
            grep -Eq '^accuracy [0-9.]+ +macro-F1' "$TMP/out"; then pass train_resnet1d_beats; else
            fail train_resnet1d_beats "$(cat "$TMP/out" "$TMP/err")"; fi
    else
        skip train_resnet1d_beats "'$MITDB/208.atr' not found"
    fi
else
    for t in inspect_record_100 inspect_record_100_split train_resnet1d_beats; do skip $t "'$MITDB' not found"; done
fi

# --- bad input ----------------------------------------------------------------
CINC=$DATA/cinc2021
if ! have_py numpy || [ ! -f "$MITDB/100.atr" ] || [ ! -f "$PTBXL/ptbxl_database.csv" ] || [ ! -f "$CINC/E07501.hea" ]; then
    skip bad_inputs "numpy, '$MITDB', '$PTBXL' or '$CINC' missing"
    exit 0
fi
B=$TMP/bad
mkdir -p "$B"
"$PY" tests/ref_ecg.py make-bad "$B" "$(cd "$MITDB" && pwd)" "$(cd "$PTBXL" && pwd)" "$(cd "$CINC" && pwd)" ||
    fail make_bad "ref_ecg.py make-bad failed"

# CinC: the class table per split; codes outside the table are ignored and counted.
"$CS" inspect --set "ecg.classes=$B/classes.csv" "$CINC" >"$TMP/text" 2>"$TMP/err"
if [ $? = 0 ] && grep -q '^format   cinc' "$TMP/text" && grep -Eq '^1 STach +[0-9]+ +[0-9]+$' "$TMP/text" &&
    grep -Eq '^4 RBBB +0 +0$' "$TMP/text" && grep -q "records hold Dx codes outside ecg.classes" "$TMP/err"; then
    pass inspect_cinc; else fail inspect_cinc "$(cat "$TMP/text" "$TMP/err")"; fi
expect_error cinc_needs_classes "a cinc dataset needs ecg.classes" "$CS" inspect "$CINC"
expect_error cinc_code_twice "'$B/classes_twice.csv': line 2: code 426783006 is in classes 'NSR' and 'SB'" \
    "$CS" inspect --set "ecg.classes=$B/classes_twice.csv" "$CINC"
expect_error cinc_not_a_code "'$B/classes_notcode.csv': line 3: 'SB' is not a SNOMED CT code" \
    "$CS" inspect --set "ecg.classes=$B/classes_notcode.csv" "$CINC"
expect_error cinc_bad_mat "'$B/cinc_badmat/E07500.mat': MATLAB v4 header (type 30, 11 x 5000, data at byte 24) does not match" \
    "$CS" inspect --set "ecg.classes=$B/classes.csv" --set dataset.kind=cinc "$B/cinc_badmat"
"$CS" inspect --set "ecg.classes=$B/classes.csv" --set ecg.test_fraction=0 "$B/cinc_nodx" >"$TMP/text" 2>"$TMP/err"
if [ $? = 0 ] && grep -q "1 train, 0 val, 0 test (0 padded); skipped 0 with several classes, 0 with none in ecg.classes, 1 without a Dx comment" "$TMP/err"; then
    pass cinc_no_dx_skipped; else fail cinc_no_dx_skipped "$(cat "$TMP/err")"; fi

expect_error ptbxl_without_csv "cannot open '$B/ptbxl_nocsv/ptbxl_database.csv': No such file" "$CS" inspect "$B/ptbxl_nocsv"
expect_error ptbxl_without_csv_kind "cannot open '$B/ptbxl_nocsv/ptbxl_database.csv'" \
    "$CS" inspect --set dataset.kind=ptbxl "$B/ptbxl_nocsv"
expect_error ptbxl_bad_scp_codes "'$B/ptbxl_badscp/ptbxl_database.csv': line 6: scp_codes '{NORM': 100.0.*expected a quoted code" \
    "$CS" inspect "$B/ptbxl_badscp"
expect_error ptbxl_open_quote "'$B/ptbxl_badquote/ptbxl_database.csv': line 502: quoted field never closes" \
    "$CS" inspect "$B/ptbxl_badquote"
expect_error ptbxl_fold_twice "fold 9 is in both ecg.val_folds and ecg.test_folds" \
    "$CS" inspect --set ecg.test_folds=9-10 "$PTBXL"
expect_error ptbxl_bad_folds "ecg.train_folds must be folds 1..10" "$CS" inspect --set ecg.train_folds=0-8 "$PTBXL"
expect_error ptbxl_missing_lead "no lead 'MLII'" "$CS" inspect --set ecg.leads=MLII "$PTBXL"
# A record shorter than the window: its beats are skipped and counted beside
# record 100's; alone, nothing is left, which is an error.
"$CS" inspect "$B/short" >"$TMP/out" 2>"$TMP/err"
if [ $? = 0 ] && grep -q "2271 beats of 2 records .*skipped 5 whose window runs off the record" "$TMP/err"; then
    pass short_record_skipped; else fail short_record_skipped "$(cat "$TMP/err")"; fi
expect_error short_record_alone "'$B/shortonly': no beats left to use (1 records read, 3 beats off the record's ends" \
    "$CS" inspect "$B/shortonly"
expect_error annotations_past_the_end "'$B/wronglen/wl.atr': annotation 1 ('N') at sample 500 lies outside the record (100 samples)" \
    "$CS" inspect --set dataset.kind=wfdb-beats "$B/wronglen"
expect_error beats_unknown_lead "'$MITDB': no beats left to use (0 records read" \
    "$CS" inspect --set ecg.records=100 --set ecg.leads=XYZ "$MITDB"
if grep -q "warning: '$MITDB': 1 records lack a lead of ecg.leads (the first: 100); skipped" "$TMP/err"; then
    pass beats_unknown_lead_warns; else fail beats_unknown_lead_warns "$(cat "$TMP/err")"; fi
expect_error beats_fractions "ecg.test_fraction (0.6) + ecg.val_fraction (0.5) leave no training beats" \
    "$CS" train --set "dataset.path=$MITDB" --set ecg.test_fraction=0.6 --set ecg.val_fraction=0.5
expect_error beats_record_twice "record '101' is in both ecg.train_records and ecg.test_records" \
    "$CS" inspect --set ecg.split=records --set ecg.records=101 --set ecg.test_records=DS2,101 "$MITDB"
expect_error kind_needs_folder "a wfdb-beats dataset is a folder" \
    "$CS" inspect --set dataset.kind=wfdb-beats "$PTBXL/ptbxl_database.csv"
