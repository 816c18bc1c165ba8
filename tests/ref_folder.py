"""ref_folder.py - image folders made from a MedMNIST .npz with PIL, and the
checks of what coreset read from them against PIL's own decode and resize.

  ref_folder.py make NPZ DIR        writes the layouts below under DIR
  ref_folder.py check DIR DUMP CASE compares test_folder's dump of CASE with PIL
  ref_folder.py kept SRC IDX OUT    torchvision ImageFolder on OUT/train holds
                                    exactly the index's files of SRC/train
  ref_folder.py order SRC DUMP      coreset's train order and labels are torchvision's
  ref_folder.py csv CSV IDX OUT     OUT is CSV's header and kept rows, unchanged

Layouts (classes 'normal' and 'pneumonia', PneumoniaMNIST's labels 0/1):
  png/{train,val,test}/<class>/<i>.png   28x28 8-bit grey
  jpg/{train,val,test}/<class>/<i>.jpg   224x224 grey JPEG (quality 90), for size 64
  rgb/<class>/<i>.jpg                    224x224 RGB JPEG, no split folders
  p16/<class>/<i>.png                    28x28 16-bit grey PNG
  csv/images/<i>.png + labels.csv        path in 'file', label name in 'finding',
                                         extra columns (one quoted with a comma)
"""
import csv
import os
import sys

import numpy as np
from PIL import Image

CLASSES = ["normal", "pneumonia"]
COUNTS = {"train": 40, "val": 12, "test": 12}


def big(img28, i):
    # 224x224 with real texture: bicubic upsampling of the 28x28 scan plus a
    # deterministic fine pattern, so that the box filter has work to do.
    im = Image.fromarray(img28).resize((224, 224), Image.BICUBIC)
    a = np.asarray(im).astype(np.int32)
    yy, xx = np.mgrid[0:224, 0:224]
    a = np.clip(a + ((xx * 7 + yy * 3 + i) % 11) - 5, 0, 255).astype(np.uint8)
    return a


def balanced(d, split, n):
    # The first n/2 samples of each class: the file starts with long runs of one class.
    y = d[split + "_labels"][:, 0]
    pick = np.sort(np.concatenate([np.flatnonzero(y == c)[: n // 2] for c in (0, 1)]))
    return d[split + "_images"][pick], y[pick]


def make(npz, root):
    d = np.load(npz)
    for split, n in COUNTS.items():
        x, y = balanced(d, split, n)
        for i in range(n):
            cls = CLASSES[int(y[i])]
            for lay in ("png", "jpg"):
                p = os.path.join(root, lay, split, cls)
                os.makedirs(p, exist_ok=True)
                if lay == "png":
                    Image.fromarray(x[i]).save(os.path.join(p, "%03d.png" % i))
                else:
                    Image.fromarray(big(x[i], i)).save(os.path.join(p, "%03d.jpg" % i), quality=90)
    x, y = balanced(d, "train", 30)
    for i in range(30):
        cls = CLASSES[int(y[i])]
        g = big(x[i], i)
        rgb = np.stack([g, (g.astype(np.int32) * 3 // 4).astype(np.uint8), 255 - g], axis=-1)
        for lay in ("rgb", "p16"):
            os.makedirs(os.path.join(root, lay, cls), exist_ok=True)
        Image.fromarray(rgb, "RGB").save(os.path.join(root, "rgb", cls, "%03d.jpg" % i), quality=85)
        v16 = (x[i].astype(np.uint16) * 257 + i).astype(np.uint16)
        Image.fromarray(v16, "I;16").save(os.path.join(root, "p16", cls, "%03d.png" % i))
    os.makedirs(os.path.join(root, "csv", "images"), exist_ok=True)
    with open(os.path.join(root, "csv", "labels.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "file", "finding", "note"])
        for i in range(30):
            Image.fromarray(x[i]).save(os.path.join(root, "csv", "images", "%03d.png" % i))
            w.writerow([i, "images/%03d.png" % i, CLASSES[int(y[i])], "site %d, ward" % (i % 3)])


def pil_pixels(path, channels, size):
    im = Image.open(path)
    im.load()
    if im.mode in ("I;16", "I;16B", "I"):
        a = np.asarray(im).astype(np.float64)
        return a
    im = im.convert("L" if channels == 1 else "RGB") if channels else im
    if size:
        im = im.resize((size, size), Image.BOX)
    return np.asarray(im).astype(np.float64)


def read_dump(dump):
    meta = {}
    for line in open(os.path.join(dump, "meta.txt")):
        f = line.split()
        if f[0] not in ("classes", "skipped"):
            meta[f[0]] = (int(f[1]), f[2], tuple(int(v) for v in f[3:]))
        else:
            meta[f[0]] = f[1:]
    return meta


def check(root, dump, case, channels, size, tol):
    meta = read_dump(dump)
    worst = 0.0
    nfiles = 0
    for split, v in meta.items():
        if split in ("classes", "skipped"):
            continue
        n, dtype, shape = v
        x = np.fromfile(os.path.join(dump, split + ".f32"), dtype=np.float32).reshape((n,) + shape)
        y = np.fromfile(os.path.join(dump, split + ".i32"), dtype=np.int32)
        ids = open(os.path.join(dump, split + ".ids")).read().split("\n")[:n]
        for i, rel in enumerate(ids):
            ref = pil_pixels(os.path.join(root, case, rel), channels, size)
            if ref.shape != x[i].shape:
                print("FAIL shape", rel, ref.shape, x[i].shape)
                return 1
            worst = max(worst, float(np.abs(ref - x[i]).max()))
            cls = rel.split("/")[-2]
            if case != "csv" and meta["classes"][y[i]] != cls:
                print("FAIL label", rel, y[i])
                return 1
            nfiles += 1
    print("files %d max|coreset-PIL| %g" % (nfiles, worst))
    return 0 if worst <= tol else 1


def index_rows(idx):
    return [int(l) for l in open(idx) if l.strip() and not l.startswith("#")]


def kept(src, idx, out):
    # The files torchvision lists in the source's train/ at the index's
    # positions, against the files it lists in the export's train/.
    import torchvision
    sd = torchvision.datasets.ImageFolder(os.path.join(src, "train"))
    want = sorted((os.path.relpath(sd.samples[i][0], src), sd.classes[sd.samples[i][1]]) for i in index_rows(idx))
    od = torchvision.datasets.ImageFolder(os.path.join(out, "train"))
    got = sorted((os.path.relpath(p, out), od.classes[c]) for p, c in od.samples)
    if got != want:
        print("FAIL torchvision sees %d files in the export, the index keeps %d" % (len(got), len(want)))
        return 1
    for sp in ("val", "test"):
        a = torchvision.datasets.ImageFolder(os.path.join(src, sp))
        b = torchvision.datasets.ImageFolder(os.path.join(out, sp))
        if [os.path.relpath(p, src) for p, _ in a.samples] != [os.path.relpath(p, out) for p, _ in b.samples]:
            print("FAIL split %s differs" % sp)
            return 1
    print("torchvision ImageFolder: %d kept files, classes %s" % (len(got), od.classes))
    return 0


def order(src, dump):
    # coreset's sample order and labels are torchvision's.
    import torchvision
    ids = open(os.path.join(dump, "train.ids")).read().split("\n")[:-1]
    y = np.fromfile(os.path.join(dump, "train.i32"), dtype=np.int32)
    sd = torchvision.datasets.ImageFolder(os.path.join(src, "train"))
    ref = [os.path.relpath(p, src) for p, _ in sd.samples]
    return 0 if ids == ref and list(y) == [c for _, c in sd.samples] else 1


def csv_rows(csvp, idx, out):
    # The export's lines are the header and the kept rows, byte for byte.
    lines = open(csvp, newline="").read().split("\n")
    want = [lines[0]] + [lines[1 + i] for i in index_rows(idx)]
    got = open(out, newline="").read().split("\n")
    if got[-1] == "":
        got = got[:-1]
    if got != want:
        print("FAIL csv rows", len(got), len(want))
        return 1
    print("csv: header + %d kept rows unchanged" % (len(want) - 1))
    return 0


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2], sys.argv[3])
    elif cmd == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]),
                       float(sys.argv[7])))
    elif cmd == "kept":
        sys.exit(kept(sys.argv[2], sys.argv[3], sys.argv[4]))
    elif cmd == "order":
        sys.exit(order(sys.argv[2], sys.argv[3]))
    elif cmd == "csv":
        sys.exit(csv_rows(sys.argv[2], sys.argv[3], sys.argv[4]))
