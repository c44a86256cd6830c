/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_SOD_H
#define CARTA_SOD_H

/* EF.SOD of the CIE 3.0 (docs/reference/cie.md 2.1, 3.7, 8.C4): a CMS SignedData
 * (ICAO 9303-10 LDS Security Object, eContentType 2.23.136.1.1.1), possibly
 * inside an outer TLV, carrying the hash of each "data group". The CIE uses
 * its own numbers (A1 NIS, A2 serial, A3 certificate, A4/A5 chip keys, 1B
 * EF.DH), encoded as 02 01 A1 (not strict DER) or 02 02 00 A1 (docs/reference/cie.md 9).
 * No OpenSSL type leaks out of this header. */

#include "crypto/crypto.h"

#define CARTA_SOD_MAX_DG 32

struct carta_sod_entry {
	unsigned dg;
	uint8_t hash[CARTA_HASH_MAX_LEN];
	size_t len;
};

struct carta_sod {
	enum carta_hash alg;           /* LDS hashAlgorithm */
	int version;                   /* LDSSecurityObject version */
	struct carta_sod_entry e[CARTA_SOD_MAX_DG];
	size_t n;
	bool signature_ok;             /* CMS signature verifies with the embedded
	                                  signer certificate (no chain check) */
};

/* Parse an EF.SOD (trailing bytes after the object are ignored: the file
 * may be padded). CARTA_E_PARSE when it is not an LDS Security Object. */
enum carta_err carta_sod_parse(const uint8_t *p, size_t n, struct carta_sod *out);

/* The entry for data group dg, or NULL. */
const struct carta_sod_entry *carta_sod_find(const struct carta_sod *s, unsigned dg);

/* Does data (the content of data group dg) hash to the SOD's entry?
 * CARTA_OK on a match, CARTA_E_CRYPTO on a mismatch, CARTA_E_FILE_NOT_FOUND
 * when the SOD has no such entry. The comparison is constant time. */
enum carta_err carta_sod_match(const struct carta_sod *s, unsigned dg, const uint8_t *data,
                               size_t n);

#endif
