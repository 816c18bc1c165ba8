"""ref_wfdb.py - an independent NumPy reader of WFDB records, the reference
that tests/t_wfdb_ref.sh holds the C reader against.

Usage: ref_wfdb.py HEADER.hea...
For each record prints "NAME RAW_SHA256 PHYS_SHA256": SHA-256 of all raw
samples as little-endian int32 and of the physical values as little-endian
float32, both frame-major (sample t of signal s at t * nsig + s).  Physical
value: (raw - baseline) / gain in double, rounded to float32, NaN for the
invalid sample (-32768 in format 16, -2048 in format 212).  Verifies each
header checksum (16-bit sum of the samples) and initial value, exiting 1 on
a mismatch.  Written from the WFDB format description (signal(5), header(5)),
not from the C code.
"""
import hashlib
import os
import re
import sys

import numpy as np


def parse_header(path):
    lines = [ln.strip() for ln in open(path, encoding="latin-1")]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    rec = lines[0].split()
    nsig = int(rec[1])
    nsamp = int(rec[3])
    sigs = []
    for ln in lines[1:1 + nsig]:
        f = ln.split()
        m = re.fullmatch(r"(\d+)(?:x(\d+))?(?::(\d+))?(?:\+(\d+))?", f[1])
        fmt, offset = int(m.group(1)), int(m.group(4) or 0)
        g = re.fullmatch(r"([-+.\deE]+)(?:\((-?\d+)\))?(?:/(.*))?", f[2])
        gain = float(g.group(1)) or 200.0
        zero = int(f[4])
        baseline = int(g.group(2)) if g.group(2) is not None else zero
        sigs.append(dict(file=f[0], fmt=fmt, offset=offset, gain=gain, baseline=baseline,
                         init=int(f[5]), cksum=int(f[6]) & 0xFFFF))
    return rec[0], nsamp, sigs


def decode(raw_bytes, fmt, n):
    if fmt == 16:
        return np.frombuffer(raw_bytes, dtype="<i2", count=n).astype(np.int32)
    assert fmt == 212
    b = np.frombuffer(raw_bytes, dtype=np.uint8).astype(np.int32)
    npair = (n + 1) // 2
    need = 3 * npair
    if b.size < need:  # an odd tail needs only two bytes
        b = np.concatenate([b, np.zeros(need - b.size, np.int32)])
    t = b[:need].reshape(npair, 3)
    out = np.empty(2 * npair, np.int32)
    out[0::2] = t[:, 0] + ((t[:, 1] & 0x0F) << 8)
    out[1::2] = t[:, 2] + ((t[:, 1] >> 4) << 8)
    out = np.where(out >= 2048, out - 4096, out)
    return out[:n]


def read_record(hea):
    name, nsamp, sigs = parse_header(hea)
    folder = os.path.dirname(hea)
    nsig = len(sigs)
    raw = np.empty((nsamp, nsig), np.int32)
    i = 0
    while i < nsig:
        j = i
        while j < nsig and sigs[j]["file"] == sigs[i]["file"]:
            j += 1
        s = sigs[i]
        with open(os.path.join(folder, s["file"]), "rb") as fh:
            fh.seek(s["offset"])
            data = fh.read()
        vals = decode(data, s["fmt"], nsamp * (j - i))
        if vals.size != nsamp * (j - i):
            sys.exit("%s: file %s is truncated" % (hea, s["file"]))
        raw[:, i:j] = vals.reshape(nsamp, j - i)
        i = j
    for k, s in enumerate(sigs):
        col = raw[:, k]
        if int(col.astype(np.int64).sum()) & 0xFFFF != s["cksum"]:
            sys.exit("%s: signal %d checksum mismatch" % (hea, k))
        if nsamp and col[0] != s["init"]:
            sys.exit("%s: signal %d initial value mismatch" % (hea, k))
    phys = np.empty(raw.shape, np.float32)
    for k, s in enumerate(sigs):
        col = (raw[:, k].astype(np.float64) - s["baseline"]) / s["gain"]
        col = col.astype(np.float32)
        col[raw[:, k] == (-32768 if s["fmt"] == 16 else -2048)] = np.float32("nan")
        phys[:, k] = col
    return name, raw, phys


def main():
    for hea in sys.argv[1:]:
        name, raw, phys = read_record(hea)
        r = hashlib.sha256(raw.astype("<i4").tobytes()).hexdigest()
        p = hashlib.sha256(phys.astype("<f4").tobytes()).hexdigest()
        print(name, r, p)


if __name__ == "__main__":
    main()
