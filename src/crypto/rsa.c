/* SPDX-License-Identifier: BSD-3-Clause */
/* RSA encodings (PKCS#1 v1.5 type 1, EMSA-PSS) and signature verification. */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/secret.h"

enum carta_err carta_pkcs1_type1_pad(const uint8_t *in, size_t n, size_t k, uint8_t *out)
{
	size_t need = 0;

	if ((in == NULL && n > 0) || out == NULL)
		return CARTA_E_ARGS;
	/* RFC 8017 9.2 step 3: at least 8 bytes of FF, so k >= n + 11. */
	if (carta_add_overflow(n, 11, &need) || k < need)
		return CARTA_E_RANGE;
	out[0] = 0x00;
	out[1] = 0x01;
	memset(out + 2, 0xFF, k - n - 3);
	out[k - n - 1] = 0x00;
	if (n > 0)
		memmove(out + k - n, in, n);
	return CARTA_OK;
}

/* dst ^= MGF1(seed, len) (RFC 8017 B.2.1), with the counter KDF as the
 * building block: MGF1 block i is HASH(seed || I2OSP(i, 4)). */
static enum carta_err mgf1_xor(enum carta_hash h, const uint8_t *seed, size_t slen,
                               uint8_t *dst, size_t len)
{
	uint8_t block[CARTA_HASH_MAX_LEN];
	size_t hl = carta_hash_len(h), off = 0, i;
	uint32_t ctr = 0;
	enum carta_err rv = CARTA_OK;

	while (off < len && rv == CARTA_OK) {
		size_t take = len - off < hl ? len - off : hl;
		rv = carta_kdf_counter(h, seed, slen, ctr, block, hl);
		for (i = 0; rv == CARTA_OK && i < take; i++)
			dst[off + i] ^= block[i];
		off += take;
		ctr++;
	}
	carta_wipe(block, sizeof(block));
	return rv;
}

/* EMSA-PSS-ENCODE, RFC 8017 9.1.1, with emBits = mod_bits - 1. */
enum carta_err carta_pss_encode(enum carta_hash h, enum carta_hash mgf_hash, size_t salt_len,
                                const uint8_t *mhash, size_t hlen, size_t mod_bits,
                                uint8_t *out, size_t outcap)
{
	static const uint8_t zeros[8] = { 0 };
	uint8_t hbuf[CARTA_HASH_MAX_LEN];
	struct carta_digest_ctx *c = NULL;
	size_t k, em_bits, em_len, db_len, need = 0, ps_len;
	uint8_t *em, *salt;
	enum carta_err rv;

	if (mhash == NULL || out == NULL || mod_bits < 2 || carta_hash_len(h) == 0 ||
	    carta_hash_len(mgf_hash) == 0 || hlen != carta_hash_len(h))
		return CARTA_E_ARGS;
	if (mod_bits > CARTA_BUF_MAX || salt_len > CARTA_BUF_MAX)
		return CARTA_E_RANGE;
	k = (mod_bits + 7) / 8;
	em_bits = mod_bits - 1;
	em_len = (em_bits + 7) / 8;
	if (outcap < k)
		return CARTA_E_BUFFER_SMALL;
	/* step 3: emLen >= hLen + sLen + 2 */
	if (carta_add_overflow(hlen, salt_len, &need) || carta_add_overflow(need, 2, &need) ||
	    em_len < need)
		return CARTA_E_RANGE;
	/* EM goes at the end of out; a leading 00 fills out when emLen < k. */
	memset(out, 0, k);
	em = out + (k - em_len);
	db_len = em_len - hlen - 1;
	ps_len = db_len - salt_len - 1;
	/* DB = PS || 01 || salt, built in place. */
	em[ps_len] = 0x01;
	salt = em + ps_len + 1;
	rv = carta_random(salt, salt_len);
	if (rv != CARTA_OK)
		goto out;
	/* steps 5-6: H = Hash(00*8 || mHash || salt) */
	rv = carta_digest_new(h, &c);
	if (rv == CARTA_OK)
		rv = carta_digest_update(c, zeros, sizeof(zeros));
	if (rv == CARTA_OK)
		rv = carta_digest_update(c, mhash, hlen);
	if (rv == CARTA_OK)
		rv = carta_digest_update(c, salt, salt_len);
	if (rv == CARTA_OK)
		rv = carta_digest_final(c, hbuf, sizeof(hbuf), NULL);
	if (rv != CARTA_OK)
		goto out;
	/* steps 9-10: maskedDB = DB xor MGF(H, emLen - hLen - 1) */
	rv = mgf1_xor(mgf_hash, hbuf, hlen, em, db_len);
	if (rv != CARTA_OK)
		goto out;
	/* step 11: clear the leftmost 8*emLen - emBits bits */
	em[0] &= (uint8_t)(0xFFu >> (8 * em_len - em_bits));
	memcpy(em + db_len, hbuf, hlen);
	em[em_len - 1] = 0xBC;
out:
	if (rv != CARTA_OK)
		carta_wipe(out, k);
	carta_digest_free(c);
	return rv;
}

static const EVP_MD *md_of(enum carta_hash h)
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

static EVP_PKEY *load_key(const uint8_t *der, size_t n, bool is_cert)
{
	const unsigned char *p = der;
	EVP_PKEY *pk = NULL;

	if (is_cert) {
		X509 *x = d2i_X509(NULL, &p, (long)n);
		if (x != NULL)
			pk = X509_get_pubkey(x);
		X509_free(x);
	} else {
		pk = d2i_PUBKEY(NULL, &p, (long)n);
	}
	return pk;
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
	const EVP_MD *md = md_of(h);
	EVP_PKEY *pk = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (spki_or_cert == NULL || n == 0 || hash == NULL || sig == NULL || siglen == 0 ||
	    (md != NULL && hlen != carta_hash_len(h)) || (md == NULL && h != CARTA_HASH_NONE))
		return CARTA_E_ARGS;
	if (n > CARTA_BUF_MAX)
		return CARTA_E_RANGE;
	pk = load_key(spki_or_cert, n, is_cert);
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
