#!/usr/bin/env bash
# report_shots.sh PAGE OUTDIR NAME - one headless-Chromium screenshot per
# section of a `coreset report` page: its <header> and each <section> are cut
# into small pages of their own (the report's <head> and style, that part
# alone), rendered by Debian's `chromium` 1200 pixels wide, cropped to the
# content and reduced to a palette of 64 colours (128 for the samples) with
# Python's PIL, so the PNGs stay small.  Writes OUTDIR/NAME-<part>.png.
# Needs chromium and /usr/bin/python3 with PIL.
set -eu
page=$1 out=$2 name=$3
PY=${PY:-/usr/bin/python3}
command -v chromium >/dev/null || { echo "report_shots.sh: needs chromium (apt-get install chromium)" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$PY" - "$page" "$work" <<'PY'
import re, sys
page, work = sys.argv[1], sys.argv[2]
html = open(page, encoding="utf-8").read()
head = html[: html.index("<body>") + len("<body>")]
parts = [("header", re.search(r"<header>.*?</header>", html, re.S).group(0))]
parts += [(m.group(1), m.group(0)) for m in re.finditer(r'<section id="(\w+)".*?</section>', html, re.S)]
for name, part in parts:
    with open(f"{work}/{name}.html", "w", encoding="utf-8") as f:
        f.write(head + "\n" + part + "\n</body></html>\n")
PY
for f in "$work"/*.html; do
    s=$(basename "$f" .html)
    nice -n 10 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1200,2600 \
        --screenshot="$work/$s.png" "file://$f" >/dev/null 2>&1
    "$PY" - "$work/$s.png" "$out/$name-$s.png" <<'PY'
import sys
from PIL import Image, ImageChops
im = Image.open(sys.argv[1]).convert("RGB")
box = ImageChops.difference(im, Image.new("RGB", im.size, (255, 255, 255))).getbbox()
if box:
    im = im.crop((0, 0, im.size[0], min(im.size[1], box[3] + 16)))
# the Grad-CAM colour scale needs more colours than the line plots
colors = 128 if sys.argv[2].endswith("-samples.png") else 64
im.quantize(colors=colors, method=Image.Quantize.MEDIANCUT).save(sys.argv[2], optimize=True)
PY
    echo "$out/$name-$s.png"
done
