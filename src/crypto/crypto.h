/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CRYPTO_H
#define CARTA_CRYPTO_H

#include "util/buf.h"

/* The only interface to OpenSSL for libcarta. Everything here is a thin,
 * bounds-checked wrapper: no cryptographic primitive is written by hand. */

enum carta_hash {
	CARTA_HASH_NONE = 0,
	CARTA_HASH_SHA1,
	CARTA_HASH_SHA224,
	CARTA_HASH_SHA256,
	CARTA_HASH_SHA384,
	CARTA_HASH_SHA512,
};
#define CARTA_HASH_MAX_LEN 64u

size_t carta_hash_len(enum carta_hash h);   /* 0 for NONE */

enum carta_err carta_digest(enum carta_hash h, const uint8_t *in, size_t n, uint8_t *out,
                            size_t outcap, size_t *outlen);

/* Multi-part digest (C_SignUpdate). */
struct carta_digest_ctx;
enum carta_err carta_digest_new(enum carta_hash h, struct carta_digest_ctx **out);
enum carta_err carta_digest_update(struct carta_digest_ctx *c, const uint8_t *in, size_t n);
enum carta_err carta_digest_final(struct carta_digest_ctx *c, uint8_t *out, size_t outcap,
                                  size_t *outlen);
void carta_digest_free(struct carta_digest_ctx *c);

/* DER DigestInfo (RFC 8017 9.2 note 1) for `hash` of algorithm h, appended to out. */
enum carta_err carta_digestinfo(enum carta_hash h, const uint8_t *hash, size_t hlen,
                                struct carta_buf *out);

/* EMSA-PKCS1-v1_5 type-1 block: 00 01 FF..FF 00 || in, k bytes (k >= n + 11). */
enum carta_err carta_pkcs1_type1_pad(const uint8_t *in, size_t n, size_t k, uint8_t *out);

/* Remove EME-PKCS1-v1_5 (type 2) padding from a k-byte decrypted block in
 * constant time (OpenSSL's RSA_padding_check_PKCS1_type_2). CARTA_E_CRYPTO on
 * bad padding, CARTA_E_BUFFER_SMALL if the message does not fit outcap. */
enum carta_err carta_pkcs1_type2_unpad(const uint8_t *in, size_t k, uint8_t *out, size_t outcap,
                                       size_t *outlen);

/* EMSA-PSS encoding (RFC 8017 9.1.1) of an already computed hash mhash,
 * MGF1 with mgf_hash, salt of salt_len random bytes, for a modulus of mod_bits
 * bits; out receives k = ceil(mod_bits/8) bytes (leading 00 when needed). */
enum carta_err carta_pss_encode(enum carta_hash h, enum carta_hash mgf_hash, size_t salt_len,
                                const uint8_t *mhash, size_t hlen, size_t mod_bits,
                                uint8_t *out, size_t outcap);

/* Raw RSA public operation s^e mod n, output left-padded to nlen bytes. */
enum carta_err carta_rsa_public_raw(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                                    const uint8_t *in, size_t inlen, uint8_t *out);

/* Verify an RSA signature (PKCS#1 v1.5 over a DigestInfo, or PSS) with the
 * public key of a DER certificate or SubjectPublicKeyInfo. For tests and checks. */
enum carta_err carta_rsa_verify_pkcs1(const uint8_t *spki_or_cert, size_t n, bool is_cert,
                                      enum carta_hash h, const uint8_t *hash, size_t hlen,
                                      const uint8_t *sig, size_t siglen);

/* Verify an ECDSA signature given as r||s (the PKCS#11 CKM_ECDSA format) over
 * `hash` with the EC public key of a DER certificate or SubjectPublicKeyInfo. */
enum carta_err carta_ecdsa_verify(const uint8_t *spki_or_cert, size_t n, bool is_cert,
                                  const uint8_t *hash, size_t hlen, const uint8_t *sig,
                                  size_t siglen);

/* 2-key 3DES (K1,K2,K1) CBC with zero IV, n a multiple of 8 (no padding added).
 * in and out may be the same buffer. */
enum carta_err carta_3des_cbc(bool encrypt, const uint8_t key[16], const uint8_t *in, size_t n,
                              uint8_t *out);

/* ISO/IEC 9797-1 padding method 2: append 80 then 00 to a multiple of `block`. */
enum carta_err carta_pad_m2(struct carta_buf *b, size_t block);
/* Remove method-2 padding in constant time with respect to the padding content;
 * n must be a non-zero multiple of 8. CARTA_E_SM if the padding is malformed. */
enum carta_err carta_unpad_m2(const uint8_t *in, size_t n, size_t *datalen);

/* ISO/IEC 9797-1 MAC algorithm 3 (retail MAC) with DES, zero IV, over input
 * already padded to a multiple of 8; 8-byte result. */
enum carta_err carta_retail_mac(const uint8_t key[16], const uint8_t *in, size_t n, uint8_t out[8]);

/* out = first outlen bytes of HASH(secret || counter as 4 big-endian bytes)
 * (the ICAO 9303-11 9.7.1 / CIE key derivation). outlen <= hash length. */
enum carta_err carta_kdf_counter(enum carta_hash h, const uint8_t *secret, size_t slen,
                                 uint32_t counter, uint8_t *out, size_t outlen);

/* base^exp mod m, left-padded to mlen bytes (DH, and raw RSA with a private
 * exponent). Uses BN_mod_exp_mont_consttime. */
enum carta_err carta_modexp(const uint8_t *base, size_t blen, const uint8_t *exp, size_t elen,
                            const uint8_t *m, size_t mlen, uint8_t *out);

/* Cryptographically strong random bytes (RAND_bytes). */
enum carta_err carta_random(uint8_t *out, size_t n);

/* A DH group (g, p, q) as a card sent it, checked before it is used or
 * kept: p odd and > 3, 1 < g < p - 1, 1 < q < p, q divides p - 1 and
 * g^q mod p == 1 (g generates the subgroup of order q). CARTA_E_PARSE when
 * not (a corrupted answer), CARTA_E_NOMEM/CARTA_E_CRYPTO for OpenSSL. */
enum carta_err carta_dh_group_check(const uint8_t *g, size_t glen, const uint8_t *p, size_t plen,
                                    const uint8_t *q, size_t qlen);

/* Compare big-endian unsigned integers a and b (any lengths): -1, 0, 1. */
int carta_bn_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
