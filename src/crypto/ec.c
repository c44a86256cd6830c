/* SPDX-License-Identifier: BSD-3-Clause */
/* ECDSA verification of a card's r||s signature (PKCS#11 2.3.1 CKM_ECDSA output
 * format), for checks and tests. */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/ossl.h"

/* r||s (two halves of equal length) -> DER ECDSA-Sig-Value, appended to out. */
static enum carta_err rs_to_der(const uint8_t *sig, size_t siglen, struct carta_buf *out)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = NULL, *sv = NULL;
	unsigned char *der = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;
	int len;

	if (s == NULL)
		return CARTA_E_NOMEM;
	r = BN_bin2bn(sig, (int)(siglen / 2), NULL);
	sv = BN_bin2bn(sig + siglen / 2, (int)(siglen / 2), NULL);
	if (r == NULL || sv == NULL || ECDSA_SIG_set0(s, r, sv) != 1) {
		BN_free(r);
		BN_free(sv);
		goto out;
	}
	len = i2d_ECDSA_SIG(s, &der);
	if (len > 0)
		rv = carta_buf_append(out, der, (size_t)len);
out:
	OPENSSL_free(der);
	ECDSA_SIG_free(s);
	return rv;
}

enum carta_err carta_ecdsa_verify(const uint8_t *spki_or_cert, size_t n, bool is_cert,
                                  const uint8_t *hash, size_t hlen, const uint8_t *sig,
                                  size_t siglen)
{
	struct carta_buf der = { 0 };
	EVP_PKEY_CTX *c = NULL;
	EVP_PKEY *pk = NULL;
	enum carta_err rv;

	if (spki_or_cert == NULL || hash == NULL || sig == NULL || hlen == 0 ||
	    siglen == 0 || siglen % 2 != 0)
		return CARTA_E_ARGS;
	if (n > CARTA_BUF_MAX || siglen > 264 || hlen > CARTA_HASH_MAX_LEN)
		return CARTA_E_RANGE;
	pk = carta_ossl_pubkey(spki_or_cert, n, is_cert);
	if (pk == NULL || !EVP_PKEY_is_a(pk, "EC")) {
		rv = CARTA_E_PARSE;
		goto out;
	}
	rv = rs_to_der(sig, siglen, &der);
	if (rv != CARTA_OK)
		goto out;
	rv = CARTA_E_CRYPTO;
	c = EVP_PKEY_CTX_new(pk, NULL);
	if (c != NULL && EVP_PKEY_verify_init(c) == 1 &&
	    EVP_PKEY_verify(c, der.p, der.len, hash, hlen) == 1)
		rv = CARTA_OK;
out:
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(pk);
	carta_buf_free(&der);
	return rv;
}
