#!/usr/bin/env bash
# traj_throughput.sh [N] - trajectory read speed (pread, checksums, zstd
# decompression, unshuffle) and size per sample, on one core; writes
# bench/results/traj_throughput.txt.  Needs the CPU build (make test-build).
set -eu
N=${1:-60000}
B=${CORESET_BUILD:-build/cpu}
out=bench/results/traj_throughput.txt
{
    echo "# bench/traj_throughput.sh $N  ($(date -u +%Y-%m-%d), $(git describe --always --dirty 2>/dev/null))"
    echo "# cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    taskset -c 0 "$B/tests/test_traj" --bench "$N"
} | tee "$out"
