#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Independent CIE-style secure-messaging vectors for tests/unit/test_sm.c.

Written from the specification text only (ICAO Doc 9303-11 section 9.8,
ISO/IEC 7816-4 section 10, IAS-ECC as summarised in docs/reference/cie.md 3.4-3.5
and 8.E), with pyca/cryptography for 3DES and SHA-256, so that the C code is
checked against a second implementation rather than against itself:

  K_enc = SHA-256(K || 00000001)[0:16], K_mac = SHA-256(K || 00000002)[0:16]
  SSC0  = 00..01; SSC += 1 before each command and before each response MAC
  command  = CLA|0C INS P1 P2 Lc' [87 L 01 E(pad(data)) | 85 L E(pad(data))]
             [97 01 Le] 8E 08 MAC 00
  MAC(cmd) = retail-MAC(K_mac, pad(pad(SSC || CLA' INS P1 P2) || DOs))
  response = [87 L 01 E(pad(rdata))] 99 02 SW 8E 08 MAC(pad(SSC || DOs)) || 90 00

Usage: python3 gen_sm_vectors.py > sm_vectors.h
"""
import hashlib
import sys

from cryptography.hazmat.primitives.ciphers import Cipher, modes

try:  # pyca/cryptography >= 43 keeps 3DES in the "decrepit" module
    from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
except ImportError:  # Debian 12 ships 38.x
    from cryptography.hazmat.primitives.ciphers.algorithms import TripleDES

ZERO_IV = bytes(8)


def pad(b):
    """ISO/IEC 9797-1 padding method 2."""
    b = b + b"\x80"
    return b + bytes((-len(b)) % 8)


def tdes_cbc(key, data, enc=True):
    c = Cipher(TripleDES(key), modes.CBC(ZERO_IV))
    op = c.encryptor() if enc else c.decryptor()
    return op.update(data) + op.finalize()


def retail_mac(key, data):
    """ISO/IEC 9797-1 MAC algorithm 3: DES-CBC with K1, final D(K2), E(K1).
    An 8-byte TripleDES key is single DES (K1 = K2 = K3)."""
    k1, k2 = key[:8], key[8:16]
    h = ZERO_IV
    for i in range(0, len(data), 8):
        blk = bytes(a ^ b for a, b in zip(h, data[i:i + 8]))
        h = Cipher(TripleDES(k1), modes.ECB()).encryptor().update(blk)
    h = Cipher(TripleDES(k2), modes.ECB()).decryptor().update(h)
    return Cipher(TripleDES(k1), modes.ECB()).encryptor().update(h)


def ber_len(n):
    if n < 0x80:
        return bytes([n])
    if n <= 0xFF:
        return bytes([0x81, n])
    return bytes([0x82, n >> 8, n & 0xFF])


class Session:
    def __init__(self, k_enc, k_mac, ssc):
        self.k_enc, self.k_mac, self.ssc = k_enc, k_mac, ssc

    def inc(self):
        self.ssc = (self.ssc + 1) % (1 << 64)
        return self.ssc.to_bytes(8, "big")

    def wrap(self, cla, ins, p1, p2, data, le):
        ssc = self.inc()
        head = bytes([cla | 0x0C, ins, p1, p2])
        dos = b""
        if data:
            crypt = tdes_cbc(self.k_enc, pad(data))
            if ins % 2 == 0:
                dos += b"\x87" + ber_len(len(crypt) + 1) + b"\x01" + crypt
            else:
                dos += b"\x85" + ber_len(len(crypt)) + crypt
        if le:
            dos += bytes([0x97, 0x01, le & 0xFF])
        mac = retail_mac(self.k_mac, pad(pad(ssc + head) + dos))
        body = dos + b"\x8e\x08" + mac
        assert len(body) <= 255
        return head + bytes([len(body)]) + body + b"\x00"

    def respond(self, rdata, sw):
        ssc = self.inc()
        dos = b""
        if rdata:
            crypt = tdes_cbc(self.k_enc, pad(rdata))
            dos += b"\x87" + ber_len(len(crypt) + 1) + b"\x01" + crypt
        dos += bytes([0x99, 0x02, sw >> 8, sw & 0xFF])
        mac = retail_mac(self.k_mac, pad(ssc + dos))
        return dos + b"\x8e\x08" + mac


def det_bytes(label, n):
    """Deterministic filler: SHA-256 counter stream over a label."""
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha256(label.encode() + i.to_bytes(4, "big")).digest()
        i += 1
    return out[:n]


def c_bytes(name, b):
    if not b:
        return "static const uint8_t %s[1] = { 0 };\n" % name
    rows = []
    for i in range(0, len(b), 12):
        rows.append("\t" + " ".join("0x%02x," % x for x in b[i:i + 12]))
    return "static const uint8_t %s[%d] = {\n%s\n};\n" % (name, len(b), "\n".join(rows))


def selfcheck():
    """The generator must reproduce ICAO Doc 9303-11 Appendix D.3/D.4 first."""
    h = bytes.fromhex
    e_ifd = tdes_cbc(h("AB94FDECF2674FDFB9B391F85D7F76F2"),
                     h("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B"))
    assert e_ifd == h("72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2")
    assert retail_mac(h("7962D9ECE03D1ACD4C76089DCE131543"), pad(e_ifd)) == h("5F1448EEA8AD90A7")
    s = Session(h("979EC13B1CBFE9DCD01AB0FED307EAE5"), h("F1CB1F1FB5ADF208806B89DC579DC1F8"),
                0x887022120C06C226)
    assert s.wrap(0, 0xA4, 2, 0x0C, h("011E"), 0) == h("0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800")
    assert s.respond(b"", 0x9000) == h("990290008E08FA855A5D4C50A8ED")


def main():
    selfcheck()
    k = det_bytes("carta CIE DH shared secret", 256)
    k_enc = hashlib.sha256(k + b"\x00\x00\x00\x01").digest()[:16]
    k_mac = hashlib.sha256(k + b"\x00\x00\x00\x02").digest()[:16]
    s = Session(k_enc, k_mac, 1)
    cert = det_bytes("carta PSO VERIFY CERTIFICATE body", 354)
    steps = [
        # name, cla, ins, p1, p2, data, le, response data, sw
        ("VERIFY PIN", 0x00, 0x20, 0x00, 0x81, b"12345678", 0, b"", 0x9000),
        ("MSE SET DST with Le 00", 0x00, 0x22, 0x81, 0xB6, bytes.fromhex("800141830184"), 256, b"", 0x9000),
        ("PSO VERIFY CERT block 1", 0x10, 0x2A, 0x00, 0xAE, cert[:231], 0, b"", 0x9000),
        ("PSO VERIFY CERT block 2", 0x00, 0x2A, 0x00, 0xAE, cert[231:], 0, b"", 0x9000),
        ("GET CHALLENGE", 0x00, 0x84, 0x00, 0x00, b"", 8, det_bytes("rnd.icc", 8), 0x9000),
        ("READ BINARY 128", 0x00, 0xB0, 0x00, 0x00, b"", 0x80, det_bytes("ef1003", 128), 0x9000),
        ("READ BINARY short (6282)", 0x00, 0xB0, 0x00, 0x80, b"", 0x80, det_bytes("ef1003 tail", 37), 0x6282),
        ("INTERNAL AUTHENTICATE 256-byte answer", 0x00, 0x88, 0x00, 0x00, det_bytes("digestinfo", 51), 0,
         det_bytes("signature", 256), 0x9000),
        ("odd INS B1 (DO85)", 0x00, 0xB1, 0x00, 0x00, bytes.fromhex("54020010"), 256, det_bytes("odd", 16), 0x9000),
        ("SELECT missing EF, protected 6A82", 0x00, 0xA4, 0x02, 0x0C, bytes.fromhex("1007"), 0, b"", 0x6A82),
    ]
    out = ["/* Generated by tests/data/gen_sm_vectors.py: do not edit. CIE-style SM",
           " * (docs/reference/cie.md 3.4-3.5), computed independently with pyca/cryptography. */",
           "#include <stddef.h>", "#include <stdint.h>", ""]
    out.append(c_bytes("smv_shared_k", k))
    out.append(c_bytes("smv_k_enc", k_enc))
    out.append(c_bytes("smv_k_mac", k_mac))
    table = []
    for i, (name, cla, ins, p1, p2, data, le, rdata, sw) in enumerate(steps):
        ssc_before = s.ssc.to_bytes(8, "big")
        cmd = s.wrap(cla, ins, p1, p2, data, le)
        resp = s.respond(rdata, sw)
        out.append(c_bytes("smv%d_ssc" % i, ssc_before))
        out.append(c_bytes("smv%d_data" % i, data))
        out.append(c_bytes("smv%d_cmd" % i, cmd))
        out.append(c_bytes("smv%d_resp" % i, resp))
        out.append(c_bytes("smv%d_rdata" % i, rdata))
        table.append("\t{ \"%s\", smv%d_ssc, 0x%02x, 0x%02x, 0x%02x, 0x%02x, smv%d_data, %d, %d,\n"
                     "\t  smv%d_cmd, %d, smv%d_resp, %d, smv%d_rdata, %d, 0x%04x },"
                     % (name, i, cla, ins, p1, p2, i, len(data), le, i, len(cmd), i, len(resp), i,
                        len(rdata), sw))
    out.append("struct smv {\n\tconst char *name;\n\tconst uint8_t *ssc;\n\tuint8_t cla, ins, p1, p2;\n"
               "\tconst uint8_t *data;\n\tsize_t lc, le;\n\tconst uint8_t *cmd;\n\tsize_t cmd_len;\n"
               "\tconst uint8_t *resp;\n\tsize_t resp_len;\n\tconst uint8_t *rdata;\n\tsize_t rdata_len;\n"
               "\tuint16_t sw;\n};\n")
    out.append("static const struct smv smv_steps[] = {\n" + "\n".join(table) + "\n};\n")
    out.append("#define SMV_N (sizeof(smv_steps) / sizeof(smv_steps[0]))")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
