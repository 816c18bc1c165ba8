#!/usr/bin/env bash
# demo.sh - the main job on real data a fresh Debian machine can install:
# Fashion-MNIST from Debian's dataset-fashion-mnist, through the whole pipeline:
#   coreset score   the surrogate pass (configs/fashion-mnist-demo.yaml) into runs/fashion-mnist
#   coreset select  a 10% coreset, the rule chosen on a 10% holdout (--by auto, the default)
#   coreset export  the pruned dataset as HDF5
# A finished run is reused; an interrupted one is resumed.
set -eu
data=/usr/share/datasets/fashion-mnist
cfg=configs/fashion-mnist-demo.yaml
run=runs/fashion-mnist
if [ ! -d "$data" ]; then
    echo "coreset: error: '$data' not found" >&2
    echo "hint: apt-get install dataset-fashion-mnist (make demo does this as root)" >&2
    exit 1
fi
say() { echo "+ $*" >&2; "$@"; }
say ./coreset inspect "$data"
mkdir -p runs
if [ -f "$run/scores.h5" ]; then
    echo "demo: '$run' is already scored (rm -rf $run to score again)" >&2
elif [ -f "$run/trajectory.cst" ]; then
    say ./coreset score --resume "$run"
else
    say ./coreset score -c "$cfg" -o "$run"
fi
say ./coreset select "$run" --rate 0.1
idx=$run/coreset-auto-0.10.idx
say ./coreset export "$idx" -o "$run/fashion-mnist-auto-10.h5"
say ./coreset inspect "$run/fashion-mnist-auto-10.h5"
say ./coreset report "$run" --index "$idx" -o "$run/report.html"
echo >&2
echo "demo: the pruned dataset is $run/fashion-mnist-auto-10.h5 (index: $idx; the rule search: ${idx%.idx}.auto.json)" >&2
echo "demo: what was kept and why: $run/report.html (one self-contained page)" >&2
echo "demo: train on it with: ./coreset train $run/fashion-mnist-auto-10.h5 -c $cfg" >&2
