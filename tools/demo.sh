#!/usr/bin/env bash
# demo.sh - the main job on real data a fresh Debian machine can install:
# Fashion-MNIST from Debian's dataset-fashion-mnist.
set -eu
data=/usr/share/datasets/fashion-mnist
if [ ! -d "$data" ]; then
    echo "coreset: error: '$data' not found" >&2
    echo "hint: apt-get install dataset-fashion-mnist (make demo does this as root)" >&2
    exit 1
fi
echo "+ ./coreset inspect $data" >&2
./coreset inspect "$data"
