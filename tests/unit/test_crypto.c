/* SPDX-License-Identifier: BSD-3-Clause */
/* src/crypto: digests, DigestInfo, DES/retail MAC, padding, KDF, constant-time
 * helpers, secrets and random bytes, against published known answers. RSA,
 * PSS and modexp are in test_crypto_rsa.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* tests may include OpenSSL to cross-check (X509_SIG parses a DigestInfo) */
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "crypto/secret.h"
#include "util/hex.h"

static struct carta_buf hexbuf(const char *s)
{
	struct carta_buf b = { 0 };
	assert_int_equal(carta_hex_decode(s, strlen(s), &b), CARTA_OK);
	return b;
}

static void assert_hex(const uint8_t *p, size_t n, const char *hex)
{
	struct carta_buf want = hexbuf(hex);
	assert_int_equal(n, want.len);
	assert_memory_equal(p, want.p, n);
	carta_buf_free(&want);
}

/* FIPS 180-4 / NIST CSRC example values for the message "abc". */
static const struct {
	enum carta_hash h;
	size_t len;
	const char *abc;
} kat[] = {
	{ CARTA_HASH_SHA1, 20, "a9993e364706816aba3e25717850c26c9cd0d89d" },
	{ CARTA_HASH_SHA224, 28, "23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7" },
	{ CARTA_HASH_SHA256, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ CARTA_HASH_SHA384, 48,
	  "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
	{ CARTA_HASH_SHA512, 64,
	  "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
	  "454d4423643ce80e2a9ac94fa54ca49f" },
};

static void test_digest_kat(void **state)
{
	uint8_t out[CARTA_HASH_MAX_LEN];
	size_t i, len = 0;

	(void)state;
	assert_int_equal(carta_hash_len(CARTA_HASH_NONE), 0);
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		assert_int_equal(carta_hash_len(kat[i].h), kat[i].len);
		assert_int_equal(carta_digest(kat[i].h, (const uint8_t *)"abc", 3, out, sizeof(out), &len),
		                 CARTA_OK);
		assert_hex(out, len, kat[i].abc);
		/* exactly the hash length fits; one less does not */
		assert_int_equal(carta_digest(kat[i].h, (const uint8_t *)"abc", 3, out, kat[i].len, &len),
		                 CARTA_OK);
		assert_int_equal(carta_digest(kat[i].h, (const uint8_t *)"abc", 3, out, kat[i].len - 1, &len),
		                 CARTA_E_BUFFER_SMALL);
	}
	/* empty message (FIPS 180-4 SHA-256 of "") with and without a pointer */
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, NULL, 0, out, sizeof(out), &len), CARTA_OK);
	assert_hex(out, len, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, (const uint8_t *)"", 0, out, sizeof(out), &len),
	                 CARTA_OK);
	assert_hex(out, len, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(carta_digest(CARTA_HASH_NONE, (const uint8_t *)"abc", 3, out, sizeof(out), &len),
	                 CARTA_E_ARGS);
	assert_int_equal(carta_digest(CARTA_HASH_SHA1, NULL, 3, out, sizeof(out), &len), CARTA_E_ARGS);
	assert_int_equal(carta_digest(CARTA_HASH_SHA1, (const uint8_t *)"abc", 3, NULL, 20, &len),
	                 CARTA_E_ARGS);
}

static void test_digest_multipart(void **state)
{
	struct carta_digest_ctx *c = NULL;
	uint8_t out[CARTA_HASH_MAX_LEN];
	size_t len = 0;

	(void)state;
	assert_int_equal(carta_digest_new(CARTA_HASH_SHA512, &c), CARTA_OK);
	assert_int_equal(carta_digest_update(c, (const uint8_t *)"a", 1), CARTA_OK);
	assert_int_equal(carta_digest_update(c, NULL, 0), CARTA_OK);
	assert_int_equal(carta_digest_update(c, (const uint8_t *)"bc", 2), CARTA_OK);
	assert_int_equal(carta_digest_update(c, NULL, 5), CARTA_E_ARGS);
	assert_int_equal(carta_digest_final(c, out, 63, &len), CARTA_E_BUFFER_SMALL);
	assert_int_equal(carta_digest_final(c, out, sizeof(out), &len), CARTA_OK);
	assert_hex(out, len, kat[4].abc);
	carta_digest_free(c);
	carta_digest_free(NULL);
	c = NULL;
	assert_int_equal(carta_digest_new(CARTA_HASH_NONE, &c), CARTA_E_ARGS);
	assert_null(c);
}

/* The DigestInfo must be what OpenSSL's own DER parser reads back as
 * { algorithm = hash OID with NULL parameters, digest }. */
static void test_digestinfo(void **state)
{
	static const int nids[] = { NID_sha1, NID_sha224, NID_sha256, NID_sha384, NID_sha512 };
	uint8_t hash[CARTA_HASH_MAX_LEN];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(hash); i++)
		hash[i] = (uint8_t)(0xA0 + i);
	for (i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
		struct carta_buf di = { 0 };
		const unsigned char *p;
		const X509_ALGOR *alg = NULL;
		const ASN1_OCTET_STRING *dig = NULL;
		const ASN1_OBJECT *obj = NULL;
		int ptype = -1;
		X509_SIG *sig;

		assert_int_equal(carta_buf_append_byte(&di, 0x55), CARTA_OK);  /* appends */
		assert_int_equal(carta_digestinfo(kat[i].h, hash, kat[i].len, &di), CARTA_OK);
		assert_int_equal(di.p[0], 0x55);
		assert_int_equal(di.len, 1 + (kat[i].h == CARTA_HASH_SHA1 ? 15u : 19u) + kat[i].len);
		p = di.p + 1;
		sig = d2i_X509_SIG(NULL, &p, (long)(di.len - 1));
		assert_non_null(sig);
		assert_ptr_equal(p, di.p + di.len);
		X509_SIG_get0(sig, &alg, &dig);
		X509_ALGOR_get0(&obj, &ptype, NULL, alg);
		assert_int_equal(OBJ_obj2nid(obj), nids[i]);
		assert_int_equal(ptype, V_ASN1_NULL);
		assert_int_equal(ASN1_STRING_length(dig), (int)kat[i].len);
		assert_memory_equal(ASN1_STRING_get0_data(dig), hash, kat[i].len);
		X509_SIG_free(sig);
		/* wrong hash length: refused, buffer untouched */
		assert_int_equal(carta_digestinfo(kat[i].h, hash, kat[i].len + 1, &di), CARTA_E_ARGS);
		assert_int_equal(di.len, 1 + (kat[i].h == CARTA_HASH_SHA1 ? 15u : 19u) + kat[i].len);
		carta_buf_free(&di);
	}
	{
		struct carta_buf di = { 0 };
		assert_int_equal(carta_digestinfo(CARTA_HASH_NONE, hash, 0, &di), CARTA_E_ARGS);
		assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, NULL, 32, &di), CARTA_E_ARGS);
		assert_int_equal(di.len, 0);
		carta_buf_free(&di);
	}
}

static void test_type1_pad(void **state)
{
	uint8_t in[20], out[64];
	size_t i;

	(void)state;
	memset(in, 0x5A, sizeof(in));
	/* k = n + 11: exactly 8 bytes of FF (RFC 8017 9.2 step 3) */
	memset(out, 0xEE, sizeof(out));
	assert_int_equal(carta_pkcs1_type1_pad(in, 20, 31, out), CARTA_OK);
	assert_int_equal(out[0], 0x00);
	assert_int_equal(out[1], 0x01);
	for (i = 2; i < 10; i++)
		assert_int_equal(out[i], 0xFF);
	assert_int_equal(out[10], 0x00);
	assert_memory_equal(out + 11, in, 20);
	assert_int_equal(out[31], 0xEE);   /* nothing written past k */
	/* k = n + 10 is one short */
	assert_int_equal(carta_pkcs1_type1_pad(in, 20, 30, out), CARTA_E_RANGE);
	/* empty input, a longer block */
	assert_int_equal(carta_pkcs1_type1_pad(NULL, 0, 64, out), CARTA_OK);
	assert_int_equal(out[1], 0x01);
	assert_int_equal(out[62], 0xFF);
	assert_int_equal(out[63], 0x00);
	assert_int_equal(carta_pkcs1_type1_pad(NULL, 1, 64, out), CARTA_E_ARGS);
	assert_int_equal(carta_pkcs1_type1_pad(in, SIZE_MAX - 5, 64, out), CARTA_E_RANGE);
	assert_int_equal(carta_pkcs1_type1_pad(in, 20, 64, NULL), CARTA_E_ARGS);
}

/* ICAO Doc 9303-11 Appendix D.3: E_IFD = 3DES-CBC(K_enc, S), M_IFD = retail
 * MAC(K_mac, pad(E_IFD)). */
static void test_3des_and_mac_icao(void **state)
{
	struct carta_buf kenc = hexbuf("AB94FDECF2674FDFB9B391F85D7F76F2");
	struct carta_buf kmac = hexbuf("7962D9ECE03D1ACD4C76089DCE131543");
	struct carta_buf s = hexbuf("781723860C06C2264608F919887022120B795240CB7049B01C19B33E32804F0B");
	uint8_t buf[32], copy[32], mac[8];

	(void)state;
	assert_int_equal(carta_3des_cbc(true, kenc.p, s.p, 32, buf), CARTA_OK);
	assert_hex(buf, 32, "72C29C2371CC9BDB65B779B8E8D37B29ECC154AA56A8799FAE2F498F76ED92F2");
	memcpy(copy, buf, 32);
	/* in place, decrypting back */
	assert_int_equal(carta_3des_cbc(false, kenc.p, buf, 32, buf), CARTA_OK);
	assert_memory_equal(buf, s.p, 32);
	{
		struct carta_buf padded = { 0 };
		assert_int_equal(carta_buf_append(&padded, copy, 32), CARTA_OK);
		assert_int_equal(carta_pad_m2(&padded, 8), CARTA_OK);
		assert_int_equal(padded.len, 40);
		assert_int_equal(carta_retail_mac(kmac.p, padded.p, padded.len, mac), CARTA_OK);
		assert_hex(mac, 8, "5F1448EEA8AD90A7");
		/* any change of the input changes the MAC */
		padded.p[0] ^= 1;
		assert_int_equal(carta_retail_mac(kmac.p, padded.p, padded.len, mac), CARTA_OK);
		assert_false(memcmp(mac, "\x5F\x14\x48\xEE\xA8\xAD\x90\xA7", 8) == 0);
		carta_buf_free(&padded);
	}
	assert_int_equal(carta_3des_cbc(true, kenc.p, s.p, 7, buf), CARTA_E_ARGS);
	assert_int_equal(carta_3des_cbc(true, kenc.p, NULL, 0, NULL), CARTA_OK);
	assert_int_equal(carta_retail_mac(kmac.p, s.p, 0, mac), CARTA_E_ARGS);
	assert_int_equal(carta_retail_mac(kmac.p, s.p, 12, mac), CARTA_E_ARGS);
	carta_buf_free(&kenc);
	carta_buf_free(&kmac);
	carta_buf_free(&s);
}

/* One-block retail MAC = 3DES-EDE ECB of the block (no CBC part) and a MAC
 * with K1 = K2 equals single-DES CBC-MAC: cross-check both degenerate forms. */
static void test_retail_mac_structure(void **state)
{
	static const uint8_t key[16] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,
	                                 0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10 };
	uint8_t k11[16], blocks[24], mac[8], enc[24];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(blocks); i++)
		blocks[i] = (uint8_t)(i * 13);
	assert_int_equal(carta_retail_mac(key, blocks, 8, mac), CARTA_OK);
	assert_int_equal(carta_3des_cbc(true, key, blocks, 8, enc), CARTA_OK);
	assert_memory_equal(mac, enc, 8);
	memcpy(k11, key, 8);
	memcpy(k11 + 8, key, 8);
	assert_int_equal(carta_retail_mac(k11, blocks, 24, mac), CARTA_OK);
	assert_int_equal(carta_3des_cbc(true, k11, blocks, 24, enc), CARTA_OK);
	assert_memory_equal(mac, enc + 16, 8);
}

static void test_pad_m2(void **state)
{
	struct carta_buf b = { 0 };

	(void)state;
	assert_int_equal(carta_pad_m2(&b, 8), CARTA_OK);
	assert_hex(b.p, b.len, "8000000000000000");
	carta_buf_clear(&b);
	assert_int_equal(carta_buf_append(&b, (const uint8_t *)"1234567", 7), CARTA_OK);
	assert_int_equal(carta_pad_m2(&b, 8), CARTA_OK);
	assert_hex(b.p, b.len, "3132333435363780");
	/* aligned input gets a whole block */
	assert_int_equal(carta_pad_m2(&b, 8), CARTA_OK);
	assert_int_equal(b.len, 16);
	assert_int_equal(b.p[8], 0x80);
	assert_int_equal(carta_pad_m2(&b, 0), CARTA_E_ARGS);
	assert_int_equal(carta_pad_m2(NULL, 8), CARTA_E_ARGS);
	carta_buf_clear(&b);
	assert_int_equal(carta_pad_m2(&b, 16), CARTA_OK);
	assert_int_equal(b.len, 16);
	carta_buf_free(&b);
}

static void unpad_case(const char *hex, enum carta_err want, size_t want_len)
{
	struct carta_buf b = hexbuf(hex);
	size_t len = 99;

	assert_int_equal(carta_unpad_m2(b.p, b.len, &len), want);
	assert_int_equal(len, want == CARTA_OK ? want_len : 0);
	carta_buf_free(&b);
}

static void test_unpad_m2(void **state)
{
	size_t len = 0;

	(void)state;
	unpad_case("8000000000000000", CARTA_OK, 0);
	unpad_case("3132333435363780", CARTA_OK, 7);
	unpad_case("31323334353637388000000000000000", CARTA_OK, 8);
	unpad_case("31328000000000008000000000000000", CARTA_OK, 8);
	unpad_case("0000000000000080", CARTA_OK, 7);
	unpad_case("0000000000000000", CARTA_E_SM, 0);          /* all-zero tail */
	unpad_case("3132333435363738", CARTA_E_SM, 0);          /* missing 80 */
	unpad_case("3132338000000100", CARTA_E_SM, 0);          /* 80 then non-zero */
	/* data may itself end in 80 00: only the last 80 is padding */
	unpad_case("3132338000800000", CARTA_OK, 5);
	unpad_case("31323334353680000000000000000000", CARTA_E_SM, 0); /* 80 not in last block */
	unpad_case("31323334353637FF", CARTA_E_SM, 0);
	assert_int_equal(carta_unpad_m2((const uint8_t *)"12345678", 0, &len), CARTA_E_ARGS);
	assert_int_equal(carta_unpad_m2((const uint8_t *)"123456789012", 12, &len), CARTA_E_ARGS);
	assert_int_equal(carta_unpad_m2(NULL, 8, &len), CARTA_E_ARGS);
}

/* ICAO Doc 9303-11 Appendix D.2: K_seed -> K_enc, K_mac (parity ignored). */
static void test_kdf(void **state)
{
	struct carta_buf seed = hexbuf("239AB9CB282DAF66231DC5A4DF6BFBAE");
	struct carta_buf kenc = hexbuf("AB94FDECF2674FDFB9B391F85D7F76F2");
	struct carta_buf kmac = hexbuf("7962D9ECE03D1ACD4C76089DCE131543");
	uint8_t out[CARTA_HASH_MAX_LEN], full[CARTA_HASH_MAX_LEN], in[20];
	size_t i, len = 0;

	(void)state;
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, seed.p, seed.len, 1, out, 16), CARTA_OK);
	for (i = 0; i < 16; i++)
		assert_int_equal(out[i] & 0xFE, kenc.p[i] & 0xFE);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, seed.p, seed.len, 2, out, 16), CARTA_OK);
	for (i = 0; i < 16; i++)
		assert_int_equal(out[i] & 0xFE, kmac.p[i] & 0xFE);
	/* full length = the plain digest of secret || counter */
	memcpy(in, seed.p, 16);
	memcpy(in + 16, "\x00\x00\x01\x02", 4);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA256, seed.p, 16, 0x102, out, 32), CARTA_OK);
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, in, 20, full, sizeof(full), &len), CARTA_OK);
	assert_memory_equal(out, full, 32);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, seed.p, 16, 1, out, 20), CARTA_OK);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, seed.p, 16, 1, out, 21), CARTA_E_ARGS);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, seed.p, 16, 1, out, 0), CARTA_E_ARGS);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_NONE, seed.p, 16, 1, out, 16), CARTA_E_ARGS);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, NULL, 16, 1, out, 16), CARTA_E_ARGS);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, NULL, 0, 1, out, 16), CARTA_OK);
	carta_buf_free(&seed);
	carta_buf_free(&kenc);
	carta_buf_free(&kmac);
}

static void test_ct_and_wipe(void **state)
{
	uint8_t a[16], b[16];

	(void)state;
	memset(a, 7, sizeof(a));
	memset(b, 7, sizeof(b));
	assert_true(carta_ct_equal(a, b, 16));
	b[15] = 8;
	assert_false(carta_ct_equal(a, b, 16));
	assert_true(carta_ct_equal(a, b, 15));
	assert_true(carta_ct_equal(NULL, NULL, 0));
	assert_false(carta_ct_equal(NULL, b, 1));
	carta_wipe(a, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_memory_equal(a, b, 16);
	carta_wipe(NULL, 10);
	/* masks and selection, at the edges of size_t */
	assert_true(carta_ct_mask_nonzero(0) == 0);
	assert_true(carta_ct_mask_nonzero(1) == SIZE_MAX);
	assert_true(carta_ct_mask_nonzero(SIZE_MAX) == SIZE_MAX);
	assert_true(carta_ct_mask_nonzero((size_t)1 << (sizeof(size_t) * 8 - 1)) == SIZE_MAX);
	assert_true(carta_ct_select(SIZE_MAX, 5, 9) == 5);
	assert_true(carta_ct_select(0, 5, 9) == 9);
	assert_true(carta_ct_select(carta_ct_mask_nonzero(3), 0x80, 0) == 0x80);
}

static void test_secret(void **state)
{
	struct carta_secret *s = NULL;
	static const uint8_t pin[8] = { '1', '2', '3', '4', '5', '6', '7', '8' };

	(void)state;
	assert_int_equal(carta_secret_new(32, &s), CARTA_OK);
	assert_non_null(s->p);
	assert_int_equal(s->len, 0);
	assert_int_equal(s->cap, 32);
	carta_secret_free(&s);
	assert_int_equal(carta_secret_from(pin, sizeof(pin), &s), CARTA_OK);
	assert_int_equal(s->len, 8);
	assert_memory_equal(s->p, pin, 8);
	assert_ptr_not_equal(s->p, pin);
	carta_secret_free(&s);
	assert_int_equal(carta_secret_new(0, &s), CARTA_OK);
	assert_non_null(s->p);
	carta_secret_free(&s);
	assert_int_equal(carta_secret_new(CARTA_BUF_MAX + 1, &s), CARTA_E_RANGE);
	assert_null(s);
	assert_int_equal(carta_secret_from(NULL, 3, &s), CARTA_E_ARGS);
	assert_int_equal(carta_secret_new(8, NULL), CARTA_E_ARGS);
	carta_secret_free(NULL);
}

static void test_random_and_cmp(void **state)
{
	uint8_t a[32], b[32], big[5000];

	(void)state;
	assert_int_equal(carta_random(a, sizeof(a)), CARTA_OK);
	assert_int_equal(carta_random(b, sizeof(b)), CARTA_OK);
	assert_false(memcmp(a, b, sizeof(a)) == 0);
	assert_int_equal(carta_random(big, sizeof(big)), CARTA_OK);
	assert_int_equal(carta_random(NULL, 0), CARTA_OK);
	assert_int_equal(carta_random(NULL, 1), CARTA_E_ARGS);
	assert_int_equal(carta_bn_cmp((const uint8_t *)"\x00\x00\x05", 3, (const uint8_t *)"\x05", 1), 0);
	assert_int_equal(carta_bn_cmp((const uint8_t *)"\x01\x00", 2, (const uint8_t *)"\xFF", 1), 1);
	assert_int_equal(carta_bn_cmp((const uint8_t *)"\xFE", 1, (const uint8_t *)"\x00\xFF", 2), -1);
	assert_int_equal(carta_bn_cmp(NULL, 0, (const uint8_t *)"\x00", 1), 0);
	assert_int_equal(carta_bn_cmp((const uint8_t *)"\x01", 1, NULL, 0), 1);
}

/* A card's DH group is checked before use: p = 23, q = 11 (q | p - 1), g = 4
 * of order 11; then one value at a time made wrong. */
static void test_dh_group_check(void **state)
{
	static const struct {
		uint8_t g, p, q;
		enum carta_err want;
	} cases[] = {
		{ 4, 23, 11, CARTA_OK },
		{ 5, 23, 11, CARTA_E_PARSE },   /* order 22: 5^11 = -1 */
		{ 4, 23, 7, CARTA_E_PARSE },    /* 7 does not divide 22 */
		{ 1, 23, 11, CARTA_E_PARSE },
		{ 22, 23, 11, CARTA_E_PARSE },  /* p - 1 */
		{ 4, 24, 11, CARTA_E_PARSE },   /* even p */
		{ 4, 23, 23, CARTA_E_PARSE },   /* q >= p */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(carta_dh_group_check(&cases[i].g, 1, &cases[i].p, 1, &cases[i].q, 1),
		                 cases[i].want);
	assert_int_equal(carta_dh_group_check(NULL, 0, NULL, 0, NULL, 0), CARTA_E_ARGS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dh_group_check),
		cmocka_unit_test(test_digest_kat),
		cmocka_unit_test(test_digest_multipart),
		cmocka_unit_test(test_digestinfo),
		cmocka_unit_test(test_type1_pad),
		cmocka_unit_test(test_3des_and_mac_icao),
		cmocka_unit_test(test_retail_mac_structure),
		cmocka_unit_test(test_pad_m2),
		cmocka_unit_test(test_unpad_m2),
		cmocka_unit_test(test_kdf),
		cmocka_unit_test(test_ct_and_wipe),
		cmocka_unit_test(test_secret),
		cmocka_unit_test(test_random_and_cmp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
