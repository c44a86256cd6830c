#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Search files (core dumps, debug logs) for a test PIN in nine encodings
(docs/reliability.md "PIN in core dumps and logs").

    pin_search.py PIN FILE...

The PIN comes from the environment variable STRESS_PIN when PIN is "-" (so
that it is not on a command line). Prints one line per file:
    pin_search: file=NAME ascii=0 ascii-ff=0 bcd=0 utf16le=0 utf16be=0 hex-upper=0
                hex-lower=0 base64=0 iso9564-2=0 total=0
Exit status 1 if any encoding was found, 0 if none, 2 on usage errors.

The encodings, for a PIN of ASCII digits (CNS VERIFY sends ASCII padded with
FF to 8 bytes, docs/reference/cns.md; ISO 9564-1 format 2 is the block
0x2L + BCD digits + F padding to 8 bytes):
  ascii      the digits as ASCII
  ascii-ff   ASCII padded with FF to 8 bytes (only distinct for PINs under 8)
  bcd        packed BCD digits, an odd count padded with a F nibble
  utf16le / utf16be   each digit as two bytes
  hex-upper  hex text of the ASCII (digits: case-less) or of the FF-padded
             block / BCD in upper case, contiguous or with spaces ("31 32 ...")
  hex-lower  the FF-padded block or the BCD as lower-case hex text
  base64     base64 of the ASCII, at the three byte alignments
  iso9564-2  the format-2 PIN block
"""
import base64
import os
import sys


def bcd(pin):
    digits = pin + ("F" if len(pin) % 2 else "")
    return bytes.fromhex(digits)


def patterns(pin):
    a = pin.encode("ascii")
    padded = a + b"\xff" * max(0, 8 - len(a))
    blk = bytes.fromhex("2%X" % len(pin) + pin + "F" * (14 - len(pin)))

    def hx(b, up, sep=""):
        s = sep.join("%02x" % x for x in b)
        return (s.upper() if up else s).encode()

    b64 = set()
    for off in range(3):
        enc = base64.b64encode(b"\0" * off + a)
        # only the characters fully determined by the PIN's bytes
        first = (off * 8 + 5) // 6
        last = ((off + len(a)) * 8) // 6
        b64.add(enc[first:last])
    pats = {
        "ascii": [a],
        "ascii-ff": [padded] if padded != a else [],
        "bcd": [bcd(pin)],
        "utf16le": [pin.encode("utf-16-le")],
        "utf16be": [pin.encode("utf-16-be")],
        "hex-upper": [hx(a, True), hx(a, True, " "), hx(padded, True), hx(padded, True, " "),
                      hx(bcd(pin), True), hx(bcd(pin), True, " ")],
        "hex-lower": [hx(padded, False), hx(padded, False, " "),
                      hx(bcd(pin), False), hx(bcd(pin), False, " ")],
        "base64": sorted(b64),
        "iso9564-2": [blk],
    }
    for k in pats:   # dedupe (a PIN of 8 has padded == ascii)
        pats[k] = sorted(set(p for p in pats[k] if p))
    # hex-lower of digits-only text equals hex-upper: keep only the case-distinct ones
    pats["hex-lower"] = [p for p in pats["hex-lower"] if p != p.upper()]
    return pats


def count(data, pat):
    n, i = 0, data.find(pat)
    while i >= 0:
        n += 1
        i = data.find(pat, i + 1)
    return n


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    pin = os.environ.get("STRESS_PIN", "") if sys.argv[1] == "-" else sys.argv[1]
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        print("pin_search: the PIN must be 4..12 digits", file=sys.stderr)
        return 2
    pats = patterns(pin)
    found = 0
    for path in sys.argv[2:]:
        with open(path, "rb") as fh:
            data = fh.read()
        hits = {k: sum(count(data, p) for p in v) for k, v in pats.items()}
        total = sum(hits.values())
        found += total
        print("pin_search: file=%s %s total=%d" % (
            os.path.basename(path), " ".join("%s=%d" % kv for kv in hits.items()), total))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
