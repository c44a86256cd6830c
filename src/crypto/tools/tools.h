/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CRYPTO_TOOLS_H
#define CARTA_CRYPTO_TOOLS_H

/* OpenSSL helpers for test tools only (the virtual card, identity making,
 * tests). Never linked into the PKCS#11 module. Library: carta_crypto_tools. */

#include "crypto/crypto.h"

struct carta_tk_key;   /* an EVP_PKEY: RSA or EC P-256, with its private part */

/* Deterministic key from a seed: the same seed gives the same key, on every
 * machine (a SHA-256 counter stream feeds the candidate primes / the scalar;
 * primality by OpenSSL). e = 65537. bits: 1024, 2048 (3072, 4096 allowed). */
enum carta_err carta_tk_rsa_from_seed(const char *seed, size_t bits, struct carta_tk_key **out);
enum carta_err carta_tk_ec_p256_from_seed(const char *seed, struct carta_tk_key **out);
/* Key from explicit RSA parts (big-endian); d may be given instead of p/q. */
enum carta_err carta_tk_rsa_from_parts(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                                       const uint8_t *d, size_t dlen, struct carta_tk_key **out);
void carta_tk_key_free(struct carta_tk_key *k);

bool carta_tk_key_is_rsa(const struct carta_tk_key *k);
size_t carta_tk_key_bits(const struct carta_tk_key *k);
/* RSA modulus and public exponent, big-endian, appended to the buffers. */
enum carta_err carta_tk_rsa_public(const struct carta_tk_key *k, struct carta_buf *n, struct carta_buf *e);
/* DER RSAPublicKey (PKCS#1) or SubjectPublicKeyInfo, appended. */
enum carta_err carta_tk_rsa_public_der(const struct carta_tk_key *k, struct carta_buf *out);
enum carta_err carta_tk_spki_der(const struct carta_tk_key *k, struct carta_buf *out);
/* EC: uncompressed point 04||X||Y (65 bytes), appended. */
enum carta_err carta_tk_ec_point(const struct carta_tk_key *k, struct carta_buf *out);

/* Raw RSA private operation in^d mod n (in < n, |in| <= |n|), out = |n| bytes. */
enum carta_err carta_tk_rsa_private_raw(const struct carta_tk_key *k, const uint8_t *in, size_t n,
                                        uint8_t *out, size_t outcap, size_t *outlen);
/* ECDSA over a hash: out = r||s, 32 bytes each. */
enum carta_err carta_tk_ecdsa_sign(const struct carta_tk_key *k, const uint8_t *hash, size_t n,
                                   uint8_t out[64]);
/* PEM private key (PKCS#8), for test servers and the OpenSSL cross-checks. */
enum carta_err carta_tk_key_pem(const struct carta_tk_key *k, struct carta_buf *out);

/* X.509 v3 certificate making. */
struct carta_tk_name_entry {
	const char *field;   /* OpenSSL short/long name: "CN", "O", "OU", "C", "GN", "SN",
	                        "serialNumber", "dnQualifier" ... */
	const char *value;   /* UTF-8 */
};
struct carta_tk_cert_spec {
	const struct carta_tk_name_entry *subject;
	size_t n_subject;
	const struct carta_tk_key *subject_key;   /* public part goes in the cert */
	const uint8_t *issuer_cert_der;           /* NULL: self-signed */
	size_t issuer_cert_der_len;
	const struct carta_tk_key *issuer_key;    /* signs (sha256WithRSA / ecdsa-with-SHA256) */
	uint64_t serial;
	long not_before;                          /* seconds since the epoch */
	long not_after;
	bool ca;                                  /* basicConstraints CA:TRUE, KU keyCertSign|cRLSign */
	const char *key_usage;                    /* OpenSSL config syntax, e.g. "critical,digitalSignature,keyEncipherment"; NULL = none */
	const char *ext_key_usage;                /* e.g. "clientAuth,emailProtection"; NULL = none */
	const char *policy_oid;                   /* e.g. "1.3.76.16.2.1"; NULL = none */
	const char *policy_notice;                /* explicitText of a userNotice qualifier; NULL = none */
	const char *san_dns;                      /* subjectAltName DNS (servers); NULL = none */
	const char *san_ip;                       /* subjectAltName IP; NULL = none */
};
enum carta_err carta_tk_make_cert(const struct carta_tk_cert_spec *spec, struct carta_buf *der);
/* DER certificate -> PEM, appended. */
enum carta_err carta_tk_cert_pem(const uint8_t *der, size_t n, struct carta_buf *out);

#endif
