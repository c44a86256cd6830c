/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CRYPTO_TOOLS_CIE_CA_H
#define CARTA_CRYPTO_TOOLS_CIE_CA_H

/* The virtual CIE's terminal-CA public key, made to match a given private
 * exponent (docs/reference/cie-constants.md "Note for the virtual card"): primes p, q from a
 * SHA-256 counter stream over `seed`, n = p*q of `bits` bits with
 * gcd(d, lcm(p-1, q-1)) = 1 and d < n, e = d^-1 mod lcm(p-1, q-1). Deterministic.
 * n (bits/8 bytes) and e (minimal big-endian) are appended to the buffers. */

#include "crypto/crypto.h"

enum carta_err carta_tk_cie_ca_key(const char *seed, const uint8_t *d, size_t dlen, size_t bits,
                                   struct carta_buf *n, struct carta_buf *e);

#endif
