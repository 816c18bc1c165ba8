#!/usr/bin/env bash
# t_house.sh - the structure of the tree (issue 15): every folder includes
# only folders below it (docs/ARCHITECTURE.md draws the order), the run
# folder's names live in run/ only; and, at the CLI, the trajectory's
# metadata names enumerations instead of numbering them (bug 6).
. tests/lib.sh

# Bottom to top; an include may only go down (or stay in its folder).
order="common codecs datasets formats nn config train run score select export dump report cli"
level() { local i=0 d; for d in $order; do [ "$d" = "$1" ] && { echo $i; return; }; i=$((i + 1)); done; echo 99; }
bad=""
for d in $order; do
    me=$(level "$d")
    while IFS=: read -r file to; do
        [ -n "$file" ] || continue
        [ "$(level "$to")" -lt "$me" ] || bad="$bad $file->$to"
    done < <(grep -o '#include "\.\./[a-z]*/' "$d"/*.[ch] 2>/dev/null | sed 's#:\#include "\.\./#:#; s#/$##' | awk -F: -v d="$d" '$2 != d')
done
[ -z "$bad" ] && pass layering-downward-only || fail layering-downward-only "includes that go up:$bad"
# The two edges the issue names, said on their own.
grep -l '#include "\.\./score/' train/*.[ch] 2>/dev/null | grep -q . && fail train-without-score "train/ includes score/" ||
    pass train-without-score
grep -l '#include "\.\./export/' score/*.[ch] 2>/dev/null | grep -q . && fail score-without-export "score/ includes export/" ||
    pass score-without-export
# One owner for the run folder's names: no "<dir>/scores.h5" built by hand elsewhere.
hits=$(grep -rn '"%s/\(run\.yaml\|scores\.h5\|trajectory\.cst\|checkpoint\.bin\)"' --include=*.c \
    common codecs datasets formats config nn train score select export dump report cli)
[ -z "$hits" ] && pass run-names-in-run-dir || fail run-names-in-run-dir "$hits"

# Bug 6: the resume metadata stores the dropout method by name.
SRC=$DATA/medmnist/breastmnist.npz
if [ -r "$SRC" ] && have_py json; then
    . tests/small_run.sh
    small_config "$TMP/c.yaml"
    if "$CS" -q score -c "$TMP/c.yaml" --set dropout.method=dbpd -o "$TMP/run"; then
        got=$("$CS" inspect "$TMP/run" --json | "$PY" -c "import json,sys; print(json.load(sys.stdin)['trajectory']['metadata']['dropout'])")
        [ "$got" = dbpd ] && pass meta-dropout-by-name || fail meta-dropout-by-name "metadata dropout='$got', want dbpd"
        expect_status resume-by-name 0 "$CS" -q score --resume "$TMP/run"
    else
        fail meta-dropout-by-name "coreset score failed"
    fi
else
    skip meta-dropout-by-name "'$SRC' not found (set CORESET_DATA)"
fi

# Bug 8: the README says what exists: no CUDA backend is claimed while nn/cuda/ holds none.
if ls nn/cuda/*backend*.cu >/dev/null 2>&1; then
    skip readme-cuda-claim "nn/cuda/ has a backend: the README may name it"
elif grep -qi "with the CUDA/cuDNN backend\|CUDA with \`make CUDA=1\`" README.md; then
    fail readme-cuda-claim "README.md advertises a CUDA backend that nn/cuda/ does not have"
elif grep -q "backend itself is not written yet" README.md; then
    pass readme-cuda-claim
else
    fail readme-cuda-claim "README.md does not say that training runs on the CPU only"
fi
