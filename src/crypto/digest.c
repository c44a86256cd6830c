/* SPDX-License-Identifier: BSD-3-Clause */
/* Message digests, DigestInfo and the counter KDF, all through OpenSSL EVP. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/ossl.h"
#include "crypto/secret.h"

struct carta_digest_ctx {
	EVP_MD_CTX *md;
	enum carta_hash h;
};

const EVP_MD *carta_ossl_md(enum carta_hash h)
{
	switch (h) {
	case CARTA_HASH_SHA1:
		return EVP_sha1();
	case CARTA_HASH_SHA224:
		return EVP_sha224();
	case CARTA_HASH_SHA256:
		return EVP_sha256();
	case CARTA_HASH_SHA384:
		return EVP_sha384();
	case CARTA_HASH_SHA512:
		return EVP_sha512();
	case CARTA_HASH_NONE:
		break;
	}
	return NULL;
}

EVP_PKEY *carta_ossl_pubkey(const uint8_t *der, size_t n, bool is_cert)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = NULL;
	X509 *x;

	if (der == NULL || n == 0 || n > CARTA_BUF_MAX)
		return NULL;
	if (!is_cert)
		return d2i_PUBKEY(NULL, &p, (long)n);
	x = d2i_X509(NULL, &p, (long)n);
	if (x != NULL)
		pk = X509_get_pubkey(x);
	X509_free(x);
	return pk;
}

size_t carta_hash_len(enum carta_hash h)
{
	switch (h) {
	case CARTA_HASH_SHA1:
		return 20;
	case CARTA_HASH_SHA224:
		return 28;
	case CARTA_HASH_SHA256:
		return 32;
	case CARTA_HASH_SHA384:
		return 48;
	case CARTA_HASH_SHA512:
		return 64;
	case CARTA_HASH_NONE:
		break;
	}
	return 0;
}

enum carta_err carta_digest(enum carta_hash h, const uint8_t *in, size_t n, uint8_t *out,
                            size_t outcap, size_t *outlen)
{
	struct carta_digest_ctx *c = NULL;
	enum carta_err rv;

	rv = carta_digest_new(h, &c);
	if (rv != CARTA_OK)
		goto out;
	rv = carta_digest_update(c, in, n);
	if (rv != CARTA_OK)
		goto out;
	rv = carta_digest_final(c, out, outcap, outlen);
out:
	carta_digest_free(c);
	return rv;
}

enum carta_err carta_digest_new(enum carta_hash h, struct carta_digest_ctx **out)
{
	const EVP_MD *md = carta_ossl_md(h);
	struct carta_digest_ctx *c = NULL;
	enum carta_err rv = CARTA_OK;

	if (out == NULL || md == NULL) {
		rv = CARTA_E_ARGS;
		goto out;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		rv = CARTA_E_NOMEM;
		goto out;
	}
	c->h = h;
	c->md = EVP_MD_CTX_new();
	if (c->md == NULL) {
		rv = CARTA_E_NOMEM;
		goto out;
	}
	if (EVP_DigestInit_ex(c->md, md, NULL) != 1) {
		rv = CARTA_E_CRYPTO;
		goto out;
	}
	*out = c;
	c = NULL;
out:
	carta_digest_free(c);
	return rv;
}

enum carta_err carta_digest_update(struct carta_digest_ctx *c, const uint8_t *in, size_t n)
{
	if (c == NULL || (in == NULL && n > 0))
		return CARTA_E_ARGS;
	if (n == 0)
		return CARTA_OK;
	if (EVP_DigestUpdate(c->md, in, n) != 1)
		return CARTA_E_CRYPTO;
	return CARTA_OK;
}

enum carta_err carta_digest_final(struct carta_digest_ctx *c, uint8_t *out, size_t outcap,
                                  size_t *outlen)
{
	unsigned int len = 0;
	size_t hlen;

	if (c == NULL || out == NULL)
		return CARTA_E_ARGS;
	hlen = carta_hash_len(c->h);
	if (outcap < hlen)
		return CARTA_E_BUFFER_SMALL;
	if (EVP_DigestFinal_ex(c->md, out, &len) != 1 || len != hlen)
		return CARTA_E_CRYPTO;
	if (outlen != NULL)
		*outlen = hlen;
	return CARTA_OK;
}

void carta_digest_free(struct carta_digest_ctx *c)
{
	if (c == NULL)
		return;
	EVP_MD_CTX_free(c->md);
	free(c);
}

/* DER prefixes of DigestInfo = SEQUENCE { AlgorithmIdentifier { OID, NULL },
 * OCTET STRING hash }, from RFC 8017 section 9.2, note 1. */
static const uint8_t di_sha1[] = { 0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e,
                                   0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14 };
static const uint8_t di_sha224[] = { 0x30, 0x2d, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x04, 0x05, 0x00, 0x04, 0x1c };
static const uint8_t di_sha256[] = { 0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20 };
static const uint8_t di_sha384[] = { 0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30 };
static const uint8_t di_sha512[] = { 0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                     0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40 };

static const uint8_t *di_prefix(enum carta_hash h, size_t *len)
{
	switch (h) {
	case CARTA_HASH_SHA1:
		*len = sizeof(di_sha1);
		return di_sha1;
	case CARTA_HASH_SHA224:
		*len = sizeof(di_sha224);
		return di_sha224;
	case CARTA_HASH_SHA256:
		*len = sizeof(di_sha256);
		return di_sha256;
	case CARTA_HASH_SHA384:
		*len = sizeof(di_sha384);
		return di_sha384;
	case CARTA_HASH_SHA512:
		*len = sizeof(di_sha512);
		return di_sha512;
	case CARTA_HASH_NONE:
		break;
	}
	*len = 0;
	return NULL;
}

enum carta_err carta_digestinfo(enum carta_hash h, const uint8_t *hash, size_t hlen,
                                struct carta_buf *out)
{
	size_t plen = 0, total = 0;
	const uint8_t *prefix = di_prefix(h, &plen);
	enum carta_err rv;

	if (prefix == NULL || hash == NULL || out == NULL || hlen != carta_hash_len(h))
		return CARTA_E_ARGS;
	if (carta_add_overflow(plen, hlen, &total))
		return CARTA_E_RANGE;
	/* Reserve first so a failure never leaves half a DigestInfo behind. */
	rv = carta_buf_reserve(out, total);
	if (rv != CARTA_OK)
		return rv;
	rv = carta_buf_append(out, prefix, plen);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, hash, hlen);
	return rv;
}

/* HASH(secret || counter32be), truncated: ICAO Doc 9303-11 section 9.7.1
 * (counter 1 = K_enc, 2 = K_mac) and the CIE variant with SHA-256
 * (docs/reference/cie.md 3.4). With counter 0, 1, ... it is also RFC 8017 B.2.1 MGF1. */
enum carta_err carta_kdf_counter(enum carta_hash h, const uint8_t *secret, size_t slen,
                                 uint32_t counter, uint8_t *out, size_t outlen)
{
	uint8_t full[CARTA_HASH_MAX_LEN];
	uint8_t ctr[4];
	struct carta_digest_ctx *c = NULL;
	enum carta_err rv;

	if (out == NULL || outlen == 0 || outlen > carta_hash_len(h) ||
	    (secret == NULL && slen > 0)) {
		rv = CARTA_E_ARGS;
		goto out;
	}
	ctr[0] = (uint8_t)(counter >> 24);
	ctr[1] = (uint8_t)(counter >> 16);
	ctr[2] = (uint8_t)(counter >> 8);
	ctr[3] = (uint8_t)counter;
	rv = carta_digest_new(h, &c);
	if (rv == CARTA_OK)
		rv = carta_digest_update(c, secret, slen);
	if (rv == CARTA_OK)
		rv = carta_digest_update(c, ctr, sizeof(ctr));
	if (rv == CARTA_OK)
		rv = carta_digest_final(c, full, sizeof(full), NULL);
	if (rv == CARTA_OK)
		memcpy(out, full, outlen);
out:
	carta_digest_free(c);
	carta_wipe(full, sizeof(full));
	return rv;
}
