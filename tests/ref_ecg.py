"""ref_ecg.py - an independent NumPy/CSV reference for the ECG dataset
readers, which tests/t_ecg_ref.sh holds `test_ecg --dump` output against.

  ref_ecg.py beats DUMP MITDB BEFORE AFTER LENGTH LEADS RECORD...
      DUMP.train.ids/.f32 hold every beat of RECORD... (record split, all in
      train).  Parses each .atr itself (MIT format), decodes the .dat with
      ref_wfdb.py's NumPy decoder, keeps the beats the AAMI table maps whose
      window fits the record, cuts and resamples them with np.interp, and
      compares ids, labels and samples (within 1e-5).  Prints the per-record
      symbol counts.
  ref_ecg.py ptbxl DUMP PTBXL NROWS NDATA [first]
      DUMP.{train,val,test}.ids/.f32 from the default folds.  Computes the
      label of each of the first NROWS rows of ptbxl_database.csv with csv and
      ast.literal_eval (single diagnostic superclass, else skipped; with
      `first`, the superclass of the most likely diagnostic code, the first
      listed on a tie) and the split from strat_fold, and compares; compares
      the samples of the first NDATA records of each split with a NumPy decode
      of their format-16 .dat.
  ref_ecg.py cinc DUMP CINC TABLE RATE LENGTH LEADS [first]
      DUMP.{train,test}.ids/.f32 of a CinC folder read with the code-to-class
      TABLE ("code,class" rows).  Computes each record's label from its
      "# Dx:" comment (one class, else skipped; with `first`, the class of
      the first listed code in the table), reads the MATLAB v4 .mat with
      NumPy (int16, leads x samples, column-major), resamples to RATE with
      np.interp, cuts or zero-pads to LENGTH and compares (within 1e-5).
  ref_ecg.py make-bad DIR MITDB PTBXL CINC
      Writes the malformed inputs tests/t_ecg_cli.sh feeds to coreset.

Written from the PhysioNet format descriptions and PTB-XL's documentation,
not from the C code.  Exits 1 with a message on the first mismatch.
"""
import ast
import csv
import os
import sys
from collections import Counter

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ref_wfdb  # noqa: E402  (the NumPy WFDB signal reader)

AAMI = {}
for cls, syms in enumerate(["NLRej", "AaJS", "VE", "F", "/fQ"]):
    for s in syms:
        AAMI[s] = cls
# MIT annotation codes (ecgcodes.h) of the symbols above and of the other beats.
CODE_SYMBOL = {1: "N", 2: "L", 3: "R", 4: "a", 5: "V", 6: "F", 7: "J", 8: "A", 9: "S", 10: "E", 11: "j",
               12: "/", 13: "Q", 34: "e", 38: "f", 25: "B", 30: "?", 31: "n", 32: "r", 41: "!"}


def fail(msg):
    sys.exit("ref_ecg: " + msg)


def read_atr(path):
    """(sample, code) of every annotation in an MIT-format annotation file."""
    w = np.fromfile(path, dtype="<u2")
    out, t, i = [], 0, 0
    while i < len(w):
        code, val = int(w[i]) >> 10, int(w[i]) & 0x3FF
        i += 1
        if code == 0 and val == 0:
            break
        if code == 59:  # SKIP: a 32-bit interval follows, high word first
            t += (int(w[i]) << 16 | int(w[i + 1])) - (1 << 32 if w[i] & 0x8000 else 0)
            i += 2
        elif code in (60, 61, 62):  # NUM, SUB, CHN modify the previous annotation
            pass
        elif code == 63:  # AUX: val bytes, padded to a word
            i += (val + 1) // 2
        else:
            t += val
            out.append((t, code))
    return out


def read_ids(prefix, split):
    ids, labels = [], []
    path = "%s.%s.ids" % (prefix, split)
    if not os.path.exists(path):
        return ids, labels
    for line in open(path):
        a, b = line.split()
        ids.append(a)
        labels.append(int(b))
    return ids, labels


def beats(args):
    dump, root, before, after, length, leads = args[:6]
    before, after, length = float(before), float(after), int(length)
    leads = leads.split(",")
    ids, labels = read_ids(dump, "train")
    data = np.fromfile(dump + ".train.f32", dtype="<f4").reshape(len(ids), len(leads), length)
    want_ids, want_labels, want_x = [], [], []
    for rec in args[6:]:
        hea = os.path.join(root, rec + ".hea")
        _, _, phys = ref_wfdb.read_record(hea)
        desc = [ln.split()[-1] for ln in open(hea) if ln.startswith(rec + ".dat")]
        cols = [desc.index(name) for name in leads]
        fs = float(open(hea).readline().split()[2])
        n = phys.shape[0]
        ann = read_atr(os.path.join(root, rec + ".atr"))
        counts = Counter(CODE_SYMBOL.get(c, "other") for _, c in ann)
        print(rec, " ".join("%s=%d" % kv for kv in sorted(counts.items())))
        grid = np.arange(n, dtype=np.float64)
        for r, code in ann:
            sym = CODE_SYMBOL.get(code)
            if sym not in AAMI:
                continue
            lo, hi = r - before * fs, r + after * fs
            if lo < 0 or hi > n - 1:
                continue
            pos = np.linspace(lo, hi, length)
            want_ids.append("%s:%d" % (rec, r))
            want_labels.append(AAMI[sym])
            want_x.append([np.interp(pos, grid, phys[:, c].astype(np.float64)) for c in cols])
    if ids != want_ids:
        extra = sorted(set(ids) - set(want_ids))[:5]
        missing = sorted(set(want_ids) - set(ids))[:5]
        fail("beats differ: %d from C, %d expected; C only %s, expected only %s" %
             (len(ids), len(want_ids), extra, missing))
    if labels != want_labels:
        fail("labels differ at beat %d" % next(i for i, (a, b) in enumerate(zip(labels, want_labels)) if a != b))
    err = np.abs(data - np.array(want_x)).max()
    if not err <= 1e-5:
        fail("samples differ by up to %g" % err)
    print("beats %d labels %s max_abs_err %.3g" % (len(ids), dict(Counter(labels)), err))


def superclass_labels(root, nrows, first):
    """ecg filename -> (split, label or None) for the first nrows records."""
    diag = {}
    with open(os.path.join(root, "scp_statements.csv"), newline="") as f:
        for row in csv.DictReader(f):
            if row["diagnostic"] and float(row["diagnostic"]) == 1.0:
                diag[row[""]] = row["diagnostic_class"]
    classes = ["NORM", "MI", "STTC", "CD", "HYP"]
    out = {}
    with open(os.path.join(root, "ptbxl_database.csv"), newline="") as f:
        for k, row in enumerate(csv.DictReader(f)):
            if k == nrows:
                break
            codes = ast.literal_eval(row["scp_codes"])
            supers = {diag[c] for c in codes if c in diag}
            fold = int(row["strat_fold"])
            split = "train" if fold <= 8 else "val" if fold == 9 else "test"
            label = None
            if len(supers) == 1:
                label = classes.index(supers.pop())
            elif supers and first:
                best = max((c for c in codes if c in diag), key=lambda c: codes[c])  # max keeps the first
                label = classes.index(diag[best])
            out[row["filename_lr"]] = (split, label)
    return out


def ptbxl(args):
    dump, root, nrows, ndata = args[0], args[1], int(args[2]), int(args[3])
    first = len(args) > 4 and args[4] == "first"
    want = superclass_labels(root, nrows, first)
    got = {}
    for split in ("train", "val", "test"):
        ids, labels = read_ids(dump, split)
        for i, (rec, y) in enumerate(zip(ids, labels)):
            got[rec] = (split, y, i)
        x = np.fromfile("%s.%s.f32" % (dump, split), dtype="<f4").reshape(-1, 12, 1000)
        for i in range(min(ndata, len(ids))):
            hea = os.path.join(root, ids[i] + ".hea")
            lines = [ln.split() for ln in open(hea) if not ln.startswith("#")]
            gains = np.array([float(s[2].split("(")[0].split("/")[0]) for s in lines[1:13]])
            base = np.array([int(s[2].split("(")[1].split(")")[0]) if "(" in s[2] else int(s[4])
                             for s in lines[1:13]])
            adc = np.fromfile(os.path.join(root, ids[i] + ".dat"), dtype="<i2").reshape(1000, 12)
            ref = ((adc - base) / gains).T.astype(np.float32)
            if not np.array_equal(ref, x[i]):
                fail("%s: samples differ by up to %g" % (ids[i], np.abs(ref - x[i]).max()))
    kept = skipped = 0
    for rec, (split, y) in want.items():
        if y is None:
            if rec in got:
                fail("%s: expected skipped (not one superclass), C gave %s" % (rec, got[rec][:2]))
            skipped += 1
        else:
            if got.get(rec, (None, None))[:2] != (split, y):
                fail("%s: expected %s label %d, C gave %s" % (rec, split, y, got.get(rec)))
            kept += 1
    print("ptbxl rows %d kept %d skipped %d, samples of %d records per split equal" %
          (len(want), kept, skipped, ndata))


def cinc(args):
    dump, root, table, rate, length, leads = args[:6]
    rate, length, leads = float(rate), int(length), leads.split(",")
    first = len(args) > 6 and args[6] == "first"
    code_class, names = {}, []
    with open(table, newline="") as f:
        for row in csv.reader(f):
            if not row[0].isdigit():
                continue
            if row[1] not in names:
                names.append(row[1])
            code_class[row[0]] = names.index(row[1])
    got = {}
    for split in ("train", "val", "test"):
        ids, labels = read_ids(dump, split)
        if not ids:
            continue
        x = np.fromfile("%s.%s.f32" % (dump, split), dtype="<f4").reshape(len(ids), len(leads), length)
        for rec, y, xi in zip(ids, labels, x):
            got[rec] = (y, xi)
    checked = 0
    for hea in sorted(f for f in os.listdir(root) if f.endswith(".hea")):
        rec = hea[:-4]
        lines = open(os.path.join(root, hea)).read().splitlines()
        first_line = lines[0].split()
        nsig, fs, n = int(first_line[1]), float(first_line[2]), int(first_line[3])
        dx = next(ln.split(":", 1)[1] for ln in lines if ln.lstrip("# ").startswith("Dx:"))
        classes = [code_class[c.strip()] for c in dx.split(",") if c.strip() in code_class]
        label = None
        if classes and (first or len(set(classes)) == 1):
            label = classes[0]
        if label is None:
            if rec in got:
                fail("%s: expected skipped, C gave label %d" % (rec, got[rec][0]))
            continue
        if rec not in got or got[rec][0] != label:
            fail("%s: expected label %d, C gave %s" % (rec, label, got.get(rec, (None,))[0]))
        sig = [ln.split() for ln in lines[1:1 + nsig]]
        desc = [s_[-1].lower() for s_ in sig]
        gains = np.array([float(s_[2].split("(")[0].split("/")[0]) for s_ in sig])
        base = np.array([int(s_[2].split("(")[1].split(")")[0]) for s_ in sig])
        raw = open(os.path.join(root, rec + ".mat"), "rb").read()
        mopt, rows, cols = np.frombuffer(raw[:12], "<i4")
        if (mopt, rows, cols) != (30, nsig, n):
            fail("%s.mat: MATLAB header %s" % (rec, (mopt, rows, cols)))
        adc = np.frombuffer(raw[24:], "<i2").reshape(n, nsig)
        phys = ((adc - base) / gains).astype(np.float32)
        pos = np.arange(length) * (fs / rate)
        pos = pos[pos <= n - 1]
        ref = np.zeros((len(leads), length))
        for k, name in enumerate(leads):
            ref[k, :len(pos)] = np.interp(pos, np.arange(n), phys[:, desc.index(name.lower())].astype(np.float64))
        err = np.abs(ref - got[rec][1]).max()
        if not err <= 1e-5:
            fail("%s: samples differ by up to %g" % (rec, err))
        checked += 1
    if checked != len(got):
        fail("C kept %d records, the reference %d" % (len(got), checked))
    print("cinc records %d equal" % checked)


def write_record(folder, name, samples, beats_at):
    """A one-lead format-212 record (MLII, 360 Hz) with N beats at beats_at."""
    os.makedirs(folder, exist_ok=True)
    v = np.asarray(samples, dtype=np.int64)
    if len(v) % 2:
        v = np.append(v, 0)
    u = v & 0xFFF
    packed = np.stack([u[0::2] & 0xFF, (u[0::2] >> 8) | ((u[1::2] >> 8) << 4), u[1::2] & 0xFF], 1)
    n = len(samples)
    data = packed.astype(np.uint8).tobytes()[: n // 2 * 3 + (n % 2) * 2]
    open(os.path.join(folder, name + ".dat"), "wb").write(data)
    cksum = int(np.sum(np.asarray(samples, dtype=np.int64))) & 0xFFFF
    open(os.path.join(folder, name + ".hea"), "w").write(
        "%s 1 360 %d\n%s.dat 212 200 11 1024 %d %d 0 MLII\n" % (name, n, name, samples[0], cksum))
    words, t = [], 0
    for r in beats_at:
        words.append((1 << 10) | (r - t))
        t = r
    words.append(0)
    np.asarray(words, dtype="<u2").tofile(os.path.join(folder, name + ".atr"))


def make_bad(args):
    out, mitdb, ptb, cinc_dir = args
    sine = [int(100 * np.sin(i / 5.0)) for i in range(100)]
    # A record shorter than the beat window, alone and beside record 100.
    write_record(os.path.join(out, "shortonly"), "short", sine, [10, 50, 95])
    write_record(os.path.join(out, "short"), "short", sine, [10, 50, 95])
    for ext in ("hea", "dat", "atr"):
        os.symlink(os.path.join(mitdb, "100." + ext), os.path.join(out, "short", "100." + ext))
    # Annotations for a longer record than the signals hold.
    write_record(os.path.join(out, "wronglen"), "wl", sine, [10, 500])
    # PTB-XL copies: no database table; a malformed scp_codes; an open quote.
    rows = open(os.path.join(ptb, "ptbxl_database.csv"), newline="").read().split("\n")
    for name, text in (("ptbxl_nocsv", None),
                       ("ptbxl_badscp", "\n".join(rows[:5] + [rows[5].replace("{'", "{", 1)] + rows[6:])),
                       ("ptbxl_badquote", "\n".join(rows[:-1] + ['9999,"open', ""]))):
        d = os.path.join(out, name)
        os.makedirs(d)
        os.symlink(os.path.join(ptb, "records100"), os.path.join(d, "records100"))
        os.symlink(os.path.join(ptb, "scp_statements.csv"), os.path.join(d, "scp_statements.csv"))
        if text is not None:
            open(os.path.join(d, "ptbxl_database.csv"), "w", newline="").write(text)
    # CinC: a .mat whose MATLAB header disagrees with the .hea; a header
    # without its Dx comment beside a good record; code-to-class tables.
    for name in ("cinc_badmat", "cinc_nodx"):
        os.makedirs(os.path.join(out, name))
    mat = bytearray(open(os.path.join(cinc_dir, "E07500.mat"), "rb").read())
    mat[4] = 11  # 11 rows where the header has 12 signals
    open(os.path.join(out, "cinc_badmat", "E07500.mat"), "wb").write(mat)
    os.symlink(os.path.join(cinc_dir, "E07500.hea"), os.path.join(out, "cinc_badmat", "E07500.hea"))
    for ext in ("hea", "mat"):
        os.symlink(os.path.join(cinc_dir, "E07500." + ext), os.path.join(out, "cinc_nodx", "E07500." + ext))
    os.symlink(os.path.join(cinc_dir, "E07501.mat"), os.path.join(out, "cinc_nodx", "E07501.mat"))
    hea = [ln for ln in open(os.path.join(cinc_dir, "E07501.hea")) if "Dx:" not in ln]
    open(os.path.join(out, "cinc_nodx", "E07501.hea"), "w").write("".join(hea))
    open(os.path.join(out, "classes.csv"), "w").write(
        "code,class\n426783006,NSR\n427084000,STach\n426177001,SB\n164889003,AF\n59118001,RBBB\n713427006,RBBB\n")
    open(os.path.join(out, "classes_twice.csv"), "w").write("426783006,NSR\n426783006,SB\n")
    open(os.path.join(out, "classes_notcode.csv"), "w").write("code,class\n426783006,NSR\nSB,426177001\n")


if __name__ == "__main__":
    {"beats": beats, "ptbxl": ptbxl, "cinc": cinc, "make-bad": make_bad}[sys.argv[1]](sys.argv[2:])
