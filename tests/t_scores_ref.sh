#!/usr/bin/env bash
# t_scores_ref.sh - the NumPy score reference (tests/ref_scores.py) checked
# against plain per-sample loops, so the C cross-check (test_score_ref) leans
# on a reference that is itself tested.
. "$(dirname "$0")/lib.sh"
if ! have_py numpy; then
    skip ref_selftest "numpy not importable by $PY"
    exit 0
fi
"$PY" tests/ref_scores.py selftest >"$TMP/self" 2>"$TMP/err"
rc=$?
cat "$TMP/self"
if [ "$rc" != 0 ] && ! grep -q '^FAIL: ' "$TMP/self"; then
    fail ref_selftest "exit $rc: $(head -3 "$TMP/err")"
fi
