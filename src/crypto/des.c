/* SPDX-License-Identifier: BSD-3-Clause */
/* 2-key 3DES CBC, ISO/IEC 9797-1 padding method 2 and MAC algorithm 3
 * (retail MAC), as used by ICAO Doc 9303-11 9.8 and IAS-ECC secure messaging. */
#include <string.h>

#include <openssl/evp.h>

#include "crypto/crypto.h"
#include "crypto/secret.h"

/* One-shot helper: cipher n bytes (a multiple of 8) with padding disabled. */
static enum carta_err run_cipher(const EVP_CIPHER *ciph, bool encrypt, const uint8_t key[16],
                                 const uint8_t *in, size_t n, uint8_t *out)
{
	static const uint8_t zero_iv[8] = { 0 };
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	enum carta_err rv = CARTA_E_CRYPTO;
	int len = 0;

	if (c == NULL) {
		rv = CARTA_E_NOMEM;
		goto out;
	}
	if (EVP_CipherInit_ex(c, ciph, NULL, key, zero_iv, encrypt ? 1 : 0) != 1)
		goto out;
	if (EVP_CIPHER_CTX_set_padding(c, 0) != 1)
		goto out;
	if (n > 0 && EVP_CipherUpdate(c, out, &len, in, (int)n) != 1)
		goto out;
	if ((size_t)len != n)
		goto out;
	rv = CARTA_OK;
out:
	EVP_CIPHER_CTX_free(c);
	return rv;
}

enum carta_err carta_3des_cbc(bool encrypt, const uint8_t key[16], const uint8_t *in, size_t n,
                              uint8_t *out)
{
	if (key == NULL || n % 8 != 0 || ((in == NULL || out == NULL) && n > 0))
		return CARTA_E_ARGS;
	if (n > CARTA_BUF_MAX)
		return CARTA_E_RANGE;
	if (n == 0)
		return CARTA_OK;
	/* EVP des-ede-cbc is the 2-key variant (K1,K2,K1) of NIST SP 800-67. */
	return run_cipher(EVP_des_ede_cbc(), encrypt, key, in, n, out);
}

enum carta_err carta_pad_m2(struct carta_buf *b, size_t block)
{
	enum carta_err rv;

	if (b == NULL || block == 0 || block > 255)
		return CARTA_E_ARGS;
	/* ISO/IEC 9797-1 padding method 2: always one 80, then 00s. */
	rv = carta_buf_append_byte(b, 0x80);
	while (rv == CARTA_OK && b->len % block != 0)
		rv = carta_buf_append_byte(b, 0x00);
	return rv;
}

/* All-ones when x != 0, else 0; no branch on x. */
enum carta_err carta_unpad_m2(const uint8_t *in, size_t n, size_t *datalen)
{
	size_t done = 0, good = 0, pos = 0;
	size_t k;

	if (in == NULL || datalen == NULL || n == 0 || n % 8 != 0)
		return CARTA_E_ARGS;
	*datalen = 0;
	/* Method-2 padding is 1..8 bytes, so the 80 is within the last block.
	 * Scan that whole block from the end, always the same 8 positions,
	 * and keep the first non-zero byte seen: it must be 80. Only masks
	 * depend on the byte values (no early exit, no data-dependent branch). */
	for (k = 0; k < 8; k++) {
		size_t i = n - 1 - k;
		size_t b = in[i];
		size_t nz = carta_ct_mask_nonzero(b);
		size_t is80 = ~carta_ct_mask_nonzero(b ^ 0x80u);
		size_t first = nz & ~done;

		good |= first & is80;
		pos = carta_ct_select(first, i, pos);
		done |= nz;
	}
	if (good == 0)
		return CARTA_E_SM;
	*datalen = pos;
	return CARTA_OK;
}

/* ISO/IEC 9797-1 MAC algorithm 3 with DES and a zero IV: single-DES CBC with
 * K1 over every block but the last, then 3DES-EDE (K1,K2,K1) of the last block
 * XOR the chaining value. That equals the usual "CBC with K1 over all, then
 * D(K2), E(K1)" final transformation. Single DES is obtained as 3DES with
 * K1 = K2 = K3 (NIST SP 800-67 rev. 2 section 3.3.2: keying option 3 is
 * equivalent to single DES), which OpenSSL 3 offers in its default provider. */
enum carta_err carta_retail_mac(const uint8_t key[16], const uint8_t *in, size_t n, uint8_t out[8])
{
	static const uint8_t zero_iv[8] = { 0 };
	uint8_t k1k1[16], chain[8] = { 0 }, last[8];
	EVP_CIPHER_CTX *c = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;
	size_t off, i;
	int len = 0;

	if (key == NULL || in == NULL || out == NULL || n == 0 || n % 8 != 0)
		return CARTA_E_ARGS;
	if (n > CARTA_BUF_MAX)
		return CARTA_E_RANGE;
	memcpy(k1k1, key, 8);
	memcpy(k1k1 + 8, key, 8);
	c = EVP_CIPHER_CTX_new();
	if (c == NULL) {
		rv = CARTA_E_NOMEM;
		goto out;
	}
	if (EVP_EncryptInit_ex(c, EVP_des_ede_cbc(), NULL, k1k1, zero_iv) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1)
		goto out;
	/* Block by block so the chaining value ends up in `chain` without a copy
	 * of the whole input. */
	for (off = 0; off + 8 < n; off += 8) {
		if (EVP_EncryptUpdate(c, chain, &len, in + off, 8) != 1 || len != 8)
			goto out;
	}
	for (i = 0; i < 8; i++)
		last[i] = (uint8_t)(in[n - 8 + i] ^ chain[i]);
	rv = run_cipher(EVP_des_ede_ecb(), true, key, last, 8, out);
out:
	EVP_CIPHER_CTX_free(c);
	carta_wipe(k1k1, sizeof(k1k1));
	carta_wipe(chain, sizeof(chain));
	carta_wipe(last, sizeof(last));
	return rv;
}
