#!/usr/bin/env bash
# check.sh [RESULTS_DIR] - everything the CUDA backend's device run must show, in one go
# (about 5 minutes on an H100/H200), with no edits on the device.  Writes under one folder
# (RESULTS_DIR, else $OUT where the device tool sets it, else build/gpu-results), four
# files so that they all come back:
#   summary.txt    PASS:/FAIL:/SKIP: lines and the measured numbers (commit this)
#   log.txt        every command's full output
#   op_matrix.txt  the self-check matrix, float32 and TF32
#   bench.txt      bench lines, ours against PyTorch
# Steps: the minimal build (tests/gpu/build_min.sh: nn/, train/, common/ only), the host
# test, the op matrix (NMSE <= 1e-10 float32, 1e-5 TF32), the op and model test against
# the CPU reference (tests/test_nn_backend.c), compute-sanitizer on the quick self-check;
# where the machine has the full build's libraries, `make CUDA=1` and a 4-epoch
# `coreset score` on CPU and CUDA (4 epochs: EVA needs two windows of 2) with Spearman of EVA and EL2N (>= 0.999); then
# bench/train_gpu.  Data: $CORESET_DATA/medmnist/breastmnist.npz, else
# tests/gpu/data/breastmnist.npz (tests/gpu/prepare.sh copies it there to be carried).
set -u
cd "$(dirname "$0")/../.."
R=${1:-${OUT:-build/gpu-results}}
mkdir -p "$R"
S=$R/summary.txt L=$R/log.txt
: >"$S"
: >"$L"
B=build/gpu-min
fails=0
say() { echo "$*" | tee -a "$S"; }
pass() { say "PASS: gpu:$1${2:+: $2}"; }
fail() { say "FAIL: gpu:$1${2:+: $2}"; fails=$((fails + 1)); }
skip() { say "SKIP: gpu:$1: $2"; }
# step NAME SECONDS CMD...: run with a time limit, output into the log; status returned
step() {
    local name=$1 secs=$2 rc
    shift 2
    echo "=== $name: $* ($(date -u +%T))" >>"$L"
    timeout "$secs" "$@" >>"$L.part" 2>&1
    rc=$?
    cat "$L.part" >>"$L"
    [ "$rc" = 124 ] && echo "(timed out after ${secs}s)" >>"$L"
    return $rc
}
t_start=$(date +%s)

{
    echo "check.sh at $(git describe --always --dirty 2>/dev/null || echo unknown), $(date -u)"
    nvidia-smi -L 2>&1 | head -4
    "${CUDA_HOME:-/usr/local/cuda}/bin/nvcc" --version 2>&1 | tail -1
    python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>&1
} | tee -a "$S" >>"$L"

# --- 1. build ---------------------------------------------------------------------------
: >"$L.part"
if step build-min 300 bash tests/gpu/build_min.sh "$B"; then pass build-min; else
    fail build-min "see log.txt"; tail -20 "$L.part"; echo "ci: stopping: nothing to run" | tee -a "$S"; exit 1; fi

# --- 2. host test, op matrix, op and model test ----------------------------------------
: >"$L.part"
if step host-test 120 "$B/test_cuda_host"; then pass host-test; else fail host-test; fi
grep -E "^(PASS|FAIL|SKIP)" "$L.part" | sed 's/^/  /' >>"$S"

{ echo "# float32"; } >"$R/op_matrix.txt"
: >"$L.part"
if step op-matrix-f32 120 "$B/op_matrix" cuda; then pass op-matrix-f32 "every op nmse <= 1e-10"; else
    fail op-matrix-f32 "$(grep -E 'FAIL|BEYOND|error|op_matrix:' "$L.part" | head -3 | tr '\n' ' ')"; fi
cat "$L.part" >>"$R/op_matrix.txt"
echo "# TF32 (CORESET_CUDA_TF32=1)" >>"$R/op_matrix.txt"
: >"$L.part"
if step op-matrix-tf32 120 env CORESET_CUDA_TF32=1 "$B/op_matrix" cuda; then pass op-matrix-tf32 "every op nmse <= 1e-5"; else
    fail op-matrix-tf32 "$(grep -E 'FAIL|BEYOND|error|op_matrix:' "$L.part" | head -3 | tr '\n' ' ')"; fi
cat "$L.part" >>"$R/op_matrix.txt"
worst=$(awk '/^# TF32/{exit} {for (i = 1; i < NF; i++) if ($i == "nmse") print $(i + 1), $0}' "$R/op_matrix.txt" |
    sort -g | tail -1)
say "  worst float32 output: ${worst:-none}"

: >"$L.part"
if step op-test 240 "$B/test_nn_backend"; then pass op-test "every op and 3 models (3 SGD steps) against cpu-ref"; else fail op-test; fi
grep -E "^(PASS|FAIL|SKIP)|vs reference" "$L.part" | sed 's/^/  /' >>"$S"

# --- 3. compute-sanitizer on the quick self-check ---------------------------------------
CSAN=$(command -v compute-sanitizer || echo "${CUDA_HOME:-/usr/local/cuda}/bin/compute-sanitizer")
if [ -x "$CSAN" ]; then
    : >"$L.part"
    if step sanitizer 180 "$CSAN" --tool memcheck --leak-check full --error-exitcode 3 "$B/op_matrix" cuda quick &&
        grep -q "ERROR SUMMARY: 0 errors" "$L.part"; then pass sanitizer "memcheck: 0 errors"; else
        fail sanitizer "$(grep -E 'ERROR SUMMARY|Device not supported|error' "$L.part" | head -2 | tr '\n' ' ')"; fi
else
    skip sanitizer "compute-sanitizer not found"
fi

# --- 4. coreset score on CPU and CUDA: Spearman of EVA and EL2N --------------------------
DATA_NPZ=${CORESET_DATA:+$CORESET_DATA/medmnist/breastmnist.npz}
[ -r "${DATA_NPZ:-}" ] || DATA_NPZ=tests/gpu/data/breastmnist.npz
: >"$L.part"
if ! step full-build 300 make -j"$(nproc)" CUDA=1 build/cuda/coreset; then
    skip score-cpu-vs-cuda "the full build needs libraries this machine lacks: $(grep -o 'missing build dependencies:.*' "$L.part" | head -1)"
elif [ ! -r "$DATA_NPZ" ]; then
    skip score-cpu-vs-cuda "no breastmnist.npz (run tests/gpu/prepare.sh before the device call, carry tests/gpu/data)"
else
    pass full-build
    T=$(mktemp -d)
    cat >"$T/c.yaml" <<YAML
dataset:
  path: $(cd "$(dirname "$DATA_NPZ")" && pwd)/$(basename "$DATA_NPZ")
model:
  name: resnet18
  width: 16
train:
  epochs: 4
  batch_size: 64
  lr: 0.05
  threads: $(nproc)
score:
  eva_k: 2
  el2n_to: 2
  du_window: 2
YAML
    ok=1
    for dev in cpu cuda; do
        : >"$L.part"
        s0=$(date +%s.%N)
        step "score-$dev" 240 build/cuda/coreset score -c "$T/c.yaml" --set train.device=$dev -o "$T/run-$dev" || ok=0
        say "  score on $dev: $(awk -v a="$s0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
    done
    if [ "$ok" = 1 ]; then
        : >"$L.part"
        step spearman 60 python3 - "$T/run-cpu/scores.h5" "$T/run-cuda/scores.h5" <<'PY'
import sys
import h5py
import numpy as np


def ranks(v):
    """average ranks (ties share their mean rank), as scipy.stats.rankdata"""
    order = np.argsort(v, kind="mergesort")
    r = np.empty(len(v))
    sv = v[order]
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and sv[j + 1] == sv[i]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2.0
        i = j + 1
    return r


a, b = h5py.File(sys.argv[1], "r")["scores"], h5py.File(sys.argv[2], "r")["scores"]
worst = 1.0
for name in ("eva", "el2n"):
    r = np.corrcoef(ranks(a[name][:]), ranks(b[name][:]))[0, 1]
    print("spearman %s %.6f over %d samples" % (name, r, len(a[name])))
    worst = min(worst, r)
sys.exit(0 if worst >= 0.999 else 1)
PY
        rc=$?
        sed 's/^/  /' "$L.part" >>"$S"
        if [ "$rc" = 0 ]; then pass score-cpu-vs-cuda "Spearman >= 0.999"; else fail score-cpu-vs-cuda "Spearman below 0.999 (or unreadable)"; fi
    else
        fail score-cpu-vs-cuda "a score run failed: $(grep -m1 'error' "$L" | head -1)"
    fi
    rm -rf "$T"
fi

# --- 5. bench: ours against PyTorch on this GPU ------------------------------------------
: >"$L.part"
if step bench 420 env PY=python3 BENCH_BIN="$B/train_gpu_bench" OUT="$R/bench.txt" bash bench/train_gpu; then
    pass bench
else
    fail bench "see log.txt"
fi
grep -E "^(ratio|PASS|FAIL|SKIP)" "$R/bench.txt" 2>/dev/null | sed 's/^/  /' >>"$S"
rm -f "$L.part"
say "check.sh: $(($(date +%s) - t_start)) s, $fails failed"
exit $((fails > 0))
