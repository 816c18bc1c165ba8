# lib.sh - helpers for the shell tests (tests/t_*.sh): source it.
# Each check prints PASS:/FAIL:/SKIP: lines that tests/run.sh counts.
CS=${CORESET_BIN:-./coreset}
PY=${PY:-/usr/bin/python3}
DATA=${CORESET_DATA:-../shared/data}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/coreset-sh-XXXXXX")
trap 'rm -rf "$TMP"' EXIT
T=$(basename "$0")

pass() { echo "PASS: $T:$1"; }
fail() { echo "FAIL: $T:$1"; shift; [ $# -gt 0 ] && echo "  $*" >&2; }
skip() { echo "SKIP: $T:$1: $2"; }

# expect_status NAME STATUS CMD... : run CMD, check its exit status.
expect_status() {
    local name=$1 want=$2; shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    if [ "$got" = "$want" ]; then pass "$name"; else
        fail "$name" "exit $got, want $want: $* ; stderr: $(head -3 "$TMP/err")"; fi
}

# expect_error NAME PATTERN CMD... : CMD must exit 1 (or 2) with one stderr line matching PATTERN.
expect_error() {
    local name=$1 pat=$2; shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    if [ "$got" = 0 ]; then fail "$name" "exit 0, want an error: $*"; return; fi
    if grep -q -- "^coreset: error: .*$pat" "$TMP/err"; then pass "$name"; else
        fail "$name" "stderr does not match '$pat': $(head -3 "$TMP/err")"; fi
}

have_py() { "$PY" -c "import $1" 2>/dev/null; }
