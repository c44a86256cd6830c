/* SPDX-License-Identifier: BSD-3-Clause */
/* Test-tool key accessors and private-key operations (virtual card side). */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/secret.h"
#include "crypto/tools/tk_int.h"

bool carta_tk_key_is_rsa(const struct carta_tk_key *k)
{
	return k != NULL && EVP_PKEY_is_a(k->pk, "RSA");
}

size_t carta_tk_key_bits(const struct carta_tk_key *k)
{
	int b = k != NULL ? EVP_PKEY_get_bits(k->pk) : 0;
	return b > 0 ? (size_t)b : 0;
}

static enum carta_err append_bn_param(const EVP_PKEY *pk, const char *name, struct carta_buf *b)
{
	BIGNUM *bn = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;
	int len;

	if (EVP_PKEY_get_bn_param(pk, name, &bn) != 1)
		goto out;
	len = BN_num_bytes(bn);
	rv = carta_buf_reserve(b, (size_t)len);
	if (rv != CARTA_OK)
		goto out;
	if (BN_bn2bin(bn, b->p + b->len) != len) {
		rv = CARTA_E_CRYPTO;
		goto out;
	}
	b->len += (size_t)len;
out:
	BN_free(bn);
	return rv;
}

enum carta_err carta_tk_rsa_public(const struct carta_tk_key *k, struct carta_buf *n, struct carta_buf *e)
{
	enum carta_err rv;

	if (!carta_tk_key_is_rsa(k) || n == NULL || e == NULL)
		return CARTA_E_ARGS;
	rv = append_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_N, n);
	if (rv == CARTA_OK)
		rv = append_bn_param(k->pk, OSSL_PKEY_PARAM_RSA_E, e);
	return rv;
}

/* Append an i2d_* result allocated by OpenSSL. */
static enum carta_err append_der(unsigned char *der, int len, struct carta_buf *out)
{
	enum carta_err rv = CARTA_E_CRYPTO;

	if (der != NULL && len > 0)
		rv = carta_buf_append(out, der, (size_t)len);
	OPENSSL_free(der);
	return rv;
}

enum carta_err carta_tk_rsa_public_der(const struct carta_tk_key *k, struct carta_buf *out)
{
	unsigned char *der = NULL;
	int len;

	if (!carta_tk_key_is_rsa(k) || out == NULL)
		return CARTA_E_ARGS;
	/* for RSA, i2d_PublicKey is the PKCS#1 RSAPublicKey (RFC 8017 A.1.1) */
	len = i2d_PublicKey(k->pk, &der);
	return append_der(der, len, out);
}

enum carta_err carta_tk_spki_der(const struct carta_tk_key *k, struct carta_buf *out)
{
	unsigned char *der = NULL;
	int len;

	if (k == NULL || out == NULL)
		return CARTA_E_ARGS;
	len = i2d_PUBKEY(k->pk, &der);
	return append_der(der, len, out);
}

enum carta_err carta_tk_ec_point(const struct carta_tk_key *k, struct carta_buf *out)
{
	uint8_t pt[65];
	size_t len = 0;

	if (k == NULL || out == NULL || !EVP_PKEY_is_a(k->pk, "EC"))
		return CARTA_E_ARGS;
	if (EVP_PKEY_get_octet_string_param(k->pk, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt,
	                                    sizeof(pt), &len) != 1 ||
	    len != sizeof(pt) || pt[0] != 0x04)
		return CARTA_E_CRYPTO;
	return carta_buf_append(out, pt, len);
}

enum carta_err carta_tk_rsa_private_raw(const struct carta_tk_key *k, const uint8_t *in, size_t n,
                                        uint8_t *out, size_t outcap, size_t *outlen)
{
	uint8_t block[512];
	EVP_PKEY_CTX *c = NULL;
	size_t kl, siglen;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (!carta_tk_key_is_rsa(k) || in == NULL || out == NULL || outlen == NULL)
		return CARTA_E_ARGS;
	kl = (size_t)EVP_PKEY_get_size(k->pk);
	if (kl == 0 || kl > sizeof(block) || n > kl)
		return CARTA_E_RANGE;
	if (outcap < kl)
		return CARTA_E_BUFFER_SMALL;
	/* RSA_NO_PADDING wants exactly |n| bytes: left-pad with zeros. */
	memset(block, 0, kl - n);
	memcpy(block + (kl - n), in, n);
	siglen = outcap;
	c = EVP_PKEY_CTX_new(k->pk, NULL);
	if (c == NULL || EVP_PKEY_sign_init(c) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(c, RSA_NO_PADDING) != 1)
		goto out;
	/* OpenSSL refuses an input >= n ("data too large for modulus"). */
	if (EVP_PKEY_sign(c, out, &siglen, block, kl) != 1 || siglen != kl) {
		rv = CARTA_E_RANGE;
		goto out;
	}
	*outlen = kl;
	rv = CARTA_OK;
out:
	EVP_PKEY_CTX_free(c);
	carta_wipe(block, sizeof(block));
	return rv;
}

enum carta_err carta_tk_ecdsa_sign(const struct carta_tk_key *k, const uint8_t *hash, size_t n,
                                   uint8_t out[64])
{
	uint8_t der[80];
	size_t dlen = sizeof(der);
	const unsigned char *p = der;
	EVP_PKEY_CTX *c = NULL;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r = NULL, *s = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (k == NULL || hash == NULL || n == 0 || out == NULL || !EVP_PKEY_is_a(k->pk, "EC"))
		return CARTA_E_ARGS;
	c = EVP_PKEY_CTX_new(k->pk, NULL);
	if (c == NULL || EVP_PKEY_sign_init(c) != 1 || EVP_PKEY_sign(c, der, &dlen, hash, n) != 1)
		goto out;
	/* ECDSA-Sig-Value (RFC 3279 2.2.3) to the PKCS#11 r || s form */
	sig = d2i_ECDSA_SIG(NULL, &p, (long)dlen);
	if (sig == NULL)
		goto out;
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, out, 32) != 32 || BN_bn2binpad(s, out + 32, 32) != 32)
		goto out;
	rv = CARTA_OK;
out:
	ECDSA_SIG_free(sig);
	EVP_PKEY_CTX_free(c);
	return rv;
}

/* Append everything written to a memory BIO. */
static enum carta_err append_bio(BIO *bio, struct carta_buf *out)
{
	char *data = NULL;
	long len = BIO_get_mem_data(bio, &data);

	if (len <= 0 || data == NULL)
		return CARTA_E_CRYPTO;
	return carta_buf_append(out, (const uint8_t *)data, (size_t)len);
}

enum carta_err carta_tk_key_pem(const struct carta_tk_key *k, struct carta_buf *out)
{
	BIO *bio = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (k == NULL || out == NULL)
		return CARTA_E_ARGS;
	bio = BIO_new(BIO_s_mem());
	/* PEM_write_bio_PrivateKey writes PKCS#8 "PRIVATE KEY" in OpenSSL 3 */
	if (bio != NULL && PEM_write_bio_PrivateKey(bio, k->pk, NULL, NULL, 0, NULL, NULL) == 1)
		rv = append_bio(bio, out);
	BIO_free(bio);
	return rv;
}

enum carta_err carta_tk_cert_pem(const uint8_t *der, size_t n, struct carta_buf *out)
{
	const unsigned char *p = der;
	X509 *x = NULL;
	BIO *bio = NULL;
	enum carta_err rv = CARTA_E_PARSE;

	if (der == NULL || n == 0 || out == NULL || n > CARTA_BUF_MAX)
		return CARTA_E_ARGS;
	x = d2i_X509(NULL, &p, (long)n);
	if (x == NULL)
		goto out;
	rv = CARTA_E_CRYPTO;
	bio = BIO_new(BIO_s_mem());
	if (bio != NULL && PEM_write_bio_X509(bio, x) == 1)
		rv = append_bio(bio, out);
out:
	BIO_free(bio);
	X509_free(x);
	return rv;
}
