/* SPDX-License-Identifier: BSD-3-Clause */
/* RSA encodings (PKCS#1 v1.5 type 1, EMSA-PSS) and signature verification.
 * The encoders are OpenSSL's own (RSA_padding_add_*): deprecated since 3.0 in
 * favour of EVP operations that need the private key, which lives on the card,
 * so there is no EVP equivalent; they remain supported in 3.x. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <limits.h>
#include <string.h>

#include <openssl/bn.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/ossl.h"
#include "crypto/secret.h"

enum carta_err carta_pkcs1_type1_pad(const uint8_t *in, size_t n, size_t k, uint8_t *out)
{
	size_t need = 0;

	if ((in == NULL && n > 0) || out == NULL)
		return CARTA_E_ARGS;
	/* RFC 8017 9.2 step 3: at least 8 bytes of FF, so k >= n + 11. */
	if (carta_add_overflow(n, 11, &need) || k < need || k > INT_MAX)
		return CARTA_E_RANGE;
	if (RSA_padding_add_PKCS1_type_1(out, (int)k, in, (int)n) != 1)
		return CARTA_E_CRYPTO;
	return CARTA_OK;
}

enum carta_err carta_pkcs1_type2_unpad(const uint8_t *in, size_t k, uint8_t *out, size_t outcap,
                                       size_t *outlen)
{
	int n;

	if (in == NULL || out == NULL || outlen == NULL || k < 11)
		return CARTA_E_ARGS;
	if (k > 2048 || outcap > INT_MAX)
		return CARTA_E_RANGE;
	/* `from` is the whole block including its leading 00 (flen == num) */
	n = RSA_padding_check_PKCS1_type_2(out, (int)outcap, in, (int)k, (int)k);
	if (n < 0)
		return outcap < k - 11 ? CARTA_E_BUFFER_SMALL : CARTA_E_CRYPTO;
	*outlen = (size_t)n;
	return CARTA_OK;
}

/* An RSA public key whose modulus has exactly mod_bits bits: EMSA-PSS
 * (RFC 8017 9.1.1) depends on the modulus length only, and OpenSSL's encoder
 * takes the length from an RSA object. */
static RSA *rsa_of_bits(size_t mod_bits)
{
	BIGNUM *n = BN_new(), *e = BN_new();
	RSA *r = RSA_new();

	if (n == NULL || e == NULL || r == NULL || mod_bits > INT_MAX ||
	    BN_set_bit(n, (int)mod_bits - 1) != 1 || BN_set_word(n, 0) != 1 ||
	    BN_set_bit(n, (int)mod_bits - 1) != 1 || BN_set_bit(n, 0) != 1 ||
	    BN_set_word(e, 65537) != 1 || RSA_set0_key(r, n, e, NULL) != 1) {
		BN_free(n);
		BN_free(e);
		RSA_free(r);
		return NULL;
	}
	return r;
}

/* EMSA-PSS-ENCODE (RFC 8017 9.1.1) by OpenSSL, for a modulus of mod_bits bits. */
enum carta_err carta_pss_encode(enum carta_hash h, enum carta_hash mgf_hash, size_t salt_len,
                                const uint8_t *mhash, size_t hlen, size_t mod_bits,
                                uint8_t *out, size_t outcap)
{
	const EVP_MD *md = carta_ossl_md(h), *mgf = carta_ossl_md(mgf_hash);
	size_t k, em_len, need = 0;
	RSA *r = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (mhash == NULL || out == NULL || mod_bits < 2 || md == NULL || mgf == NULL ||
	    hlen != carta_hash_len(h))
		return CARTA_E_ARGS;
	if (mod_bits > 16384 || salt_len > INT_MAX)
		return CARTA_E_RANGE;
	k = (mod_bits + 7) / 8;
	em_len = (mod_bits - 1 + 7) / 8;
	if (outcap < k)
		return CARTA_E_BUFFER_SMALL;
	/* 9.1.1 step 3: emLen >= hLen + sLen + 2 (checked here for a clear error) */
	if (carta_add_overflow(hlen, salt_len, &need) || carta_add_overflow(need, 2, &need) ||
	    em_len < need)
		return CARTA_E_RANGE;
	r = rsa_of_bits(mod_bits);
	if (r == NULL)
		goto out;
	/* writes RSA_size(r) = k bytes, with a leading 00 when emLen < k */
	if (RSA_padding_add_PKCS1_PSS_mgf1(r, out, mhash, md, mgf, (int)salt_len) == 1)
		rv = CARTA_OK;
out:
	if (rv != CARTA_OK)
		carta_wipe(out, k);
	RSA_free(r);
	return rv;
}

/* One EVP_PKEY_verify with the given padding; true on a valid signature. */
static bool verify_with(EVP_PKEY *pk, int pad, const EVP_MD *md, const uint8_t *hash,
                        size_t hlen, const uint8_t *sig, size_t siglen)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pk, NULL);
	bool ok = false;

	if (c == NULL || EVP_PKEY_verify_init(c) != 1 || EVP_PKEY_CTX_set_rsa_padding(c, pad) != 1)
		goto out;
	if (md != NULL && EVP_PKEY_CTX_set_signature_md(c, md) != 1)
		goto out;
	if (pad == RSA_PKCS1_PSS_PADDING &&
	    (EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_AUTO) != 1 ||
	     EVP_PKEY_CTX_set_rsa_mgf1_md(c, md) != 1))
		goto out;
	ok = EVP_PKEY_verify(c, sig, siglen, hash, hlen) == 1;
out:
	EVP_PKEY_CTX_free(c);
	return ok;
}

/* Accepts PKCS#1 v1.5 (h = NONE: `hash` is the raw data under the type-1
 * padding, typically a DigestInfo) or PSS with MGF1 on the same hash and any
 * salt length. Either valid signature is CARTA_OK; none is CARTA_E_CRYPTO. */
enum carta_err carta_rsa_verify_pkcs1(const uint8_t *spki_or_cert, size_t n, bool is_cert,
                                      enum carta_hash h, const uint8_t *hash, size_t hlen,
                                      const uint8_t *sig, size_t siglen)
{
	const EVP_MD *md = carta_ossl_md(h);
	EVP_PKEY *pk = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (spki_or_cert == NULL || n == 0 || hash == NULL || sig == NULL || siglen == 0 ||
	    (md != NULL && hlen != carta_hash_len(h)) || (md == NULL && h != CARTA_HASH_NONE))
		return CARTA_E_ARGS;
	if (n > CARTA_BUF_MAX)
		return CARTA_E_RANGE;
	pk = carta_ossl_pubkey(spki_or_cert, n, is_cert);
	if (pk == NULL || !EVP_PKEY_is_a(pk, "RSA")) {
		rv = CARTA_E_PARSE;
		goto out;
	}
	if (verify_with(pk, RSA_PKCS1_PADDING, md, hash, hlen, sig, siglen) ||
	    (md != NULL && verify_with(pk, RSA_PKCS1_PSS_PADDING, md, hash, hlen, sig, siglen)))
		rv = CARTA_OK;
out:
	EVP_PKEY_free(pk);
	return rv;
}
