#!/usr/bin/env bash
# run.sh BUILD_DIR - run every test binary in BUILD_DIR/tests and every
# tests/t_*.sh script, count their PASS/FAIL/SKIP lines, print the skips, and
# end with "N passed, M failed, K skipped".  A test program that exits non-zero
# without printing a FAIL line (a crash, a sanitizer report) counts as one failure.
set -u
B=$1
export CORESET_BIN=${CORESET_BIN:-$B/coreset}
export PY=${PY:-/usr/bin/python3}
export CORESET_BUILD=$B
log=$(mktemp -d)
pass=0 fail=0 skip=0
failed_names=()
run_one() {
    local name=$1; shift
    local out=$log/$(basename "$name").out
    local start=$SECONDS
    "$@" >"$out" 2>"$out.err"
    local rc=$?
    local p f s
    p=$(grep -c '^PASS: ' "$out")
    f=$(grep -c '^FAIL: ' "$out")
    s=$(grep -c '^SKIP: ' "$out")
    if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
        f=1
        echo "FAIL: $name exited with status $rc" >>"$out"
    fi
    if [ "$rc" = 0 ] && [ $((p + f + s)) = 0 ]; then
        f=1
        echo "FAIL: $name ran no test" >>"$out"
    fi
    pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
    printf '%-40s %3d passed %3d failed %3d skipped  (%ds)\n' "$name" "$p" "$f" "$s" $((SECONDS - start))
    grep '^SKIP: ' "$out" | sed 's/^/    /'
    if [ "$f" != 0 ]; then
        failed_names+=("$name")
        grep '^FAIL: ' "$out" | sed 's/^/    /'
        sed 's/^/    | /' "$out.err" | tail -40
    fi
}
for t in "$B"/tests/test_*; do
    [ -x "$t" ] || continue
    run_one "$(basename "$t")" "$t"
done
for s in tests/t_*.sh; do
    [ -f "$s" ] || continue
    run_one "$(basename "$s")" bash "$s"
done
rm -rf "$log"
echo
[ ${#failed_names[@]} = 0 ] || echo "failed: ${failed_names[*]}"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
