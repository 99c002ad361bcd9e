#!/usr/bin/env python3
"""Compares the frames of pcap files as multisets of exact bytes (classic pcap, any link type).

usage: pcap_compare.py --expect A.pcap [--expect ...] --got B.pcap [--got ...] [--absent C.pcap]
Every expected frame must have arrived exactly as often as expected (nothing lost, nothing
duplicated, nothing extra); no frame of --absent (e.g. the dropped ones) may have arrived.
Prints the counts; exits 1 on any difference.
"""
import argparse
import collections
import struct
import sys


def frames(path):
    out = []
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return out
        magic = head[:4]
        endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        while True:
            h = f.read(16)
            if len(h) < 16:
                break
            caplen = struct.unpack(endian + "IIII", h)[2]
            data = f.read(caplen)
            if len(data) < caplen:
                break
            out.append(data)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--got", action="append", default=[])
    ap.add_argument("--absent", action="append", default=[])
    a = ap.parse_args()
    exp = collections.Counter(fr for p in a.expect for fr in frames(p))
    got = collections.Counter(fr for p in a.got for fr in frames(p))
    absent = collections.Counter(fr for p in a.absent for fr in frames(p))
    missing = exp - got
    extra = got - exp
    leaked = sum(got[fr] for fr in absent if fr not in exp)
    print(f"expected {sum(exp.values())} frames, arrived {sum(got.values())}: missing {sum(missing.values())}, "
          f"extra or duplicated {sum(extra.values())}, dropped-but-arrived {leaked}")
    for fr in list(missing)[:3]:
        print("  missing:", fr[:48].hex())
    for fr in list(extra)[:3]:
        print("  extra:  ", fr[:48].hex())
    return 1 if missing or extra or leaked else 0


if __name__ == "__main__":
    sys.exit(main())
