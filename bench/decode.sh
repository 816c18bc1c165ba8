#!/usr/bin/env bash
# decode.sh [N] - 224x224 JPEG -> 64x64 grey decoding speed on one core:
# coreset's folder reader path (bench/decode_bench.c) against PIL
# (Image.open + convert("L") + resize((64, 64), Image.BOX)) in the same run,
# on N JPEGs (default 2000) made from PneumoniaMNIST's training images
# (bicubic to 224x224, quality 90).  Writes bench/results/decode.txt.
set -eu
N=${1:-2000}
B=${CORESET_BUILD:-build/cpu}
PY=${PY:-/usr/bin/python3}
DATA=${CORESET_DATA:-../shared/data}
make --no-print-directory -s "$B/bench/decode_bench" >/dev/null
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
"$PY" - "$DATA/medmnist/pneumoniamnist.npz" "$TMP/d/train/c0" "$N" <<'PY'
import os, sys, numpy as np
from PIL import Image
x = np.load(sys.argv[1])["train_images"]
os.makedirs(sys.argv[2])
for i in range(int(sys.argv[3])):
    Image.fromarray(x[i % len(x)]).resize((224, 224), Image.BICUBIC).save("%s/%05d.jpg" % (sys.argv[2], i), quality=90)
PY
out=bench/results/decode.txt
{
echo "# bench/decode.sh $N  ($(git describe --always --dirty), $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, one used)"
echo "# $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
OMP_NUM_THREADS=1 taskset -c 0 "$B/bench/decode_bench" "$TMP/d" 64 3
OMP_NUM_THREADS=1 taskset -c 0 "$PY" - "$TMP/d/train/c0" <<'PY'
import os, sys, time, io
import PIL
from PIL import Image
d = sys.argv[1]
files = sorted(os.listdir(d))
blobs = [open(os.path.join(d, f), "rb").read() for f in files]
t = time.perf_counter()
for _ in range(3):
    for b in blobs:
        Image.open(io.BytesIO(b)).convert("L").resize((64, 64), Image.BOX)
dt = time.perf_counter() - t
print("PIL %s decode+L+BOX resize (memory): %d images x 3 in %.3f s: %.0f images/s" % (PIL.__version__, len(blobs), dt, 3 * len(blobs) / dt))
t = time.perf_counter()
for f in files:
    Image.open(os.path.join(d, f)).convert("L").resize((64, 64), Image.BOX)
dt = time.perf_counter() - t
print("PIL from files: %d images in %.3f s: %.0f images/s" % (len(files), dt, len(files) / dt))
PY
} | tee "$out"
