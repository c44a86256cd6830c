/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtual card's Infocamere 1204 key set (--infocamere): docs/reference/cns.md 1.5 row
 * CNS01: certificate in 3F00 2FFF 8228 at offset 5, its length in bytes 1-2 (00 00 =
 * none), key 21 in 2FFF/0000 guarded by the CNS PIN 10; docs/virtual-card.md. */
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "test_vcard_helpers.h"

#define CNS_PIN "31 32 33 34 35 36 37 38"

static struct vcard *mk_ic(const char *profile, bool empty)
{
	struct vcard_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	cfg.infocamere = !empty;
	cfg.infocamere_empty = empty;
	return mk_cfg(&cfg);
}

/* The whole of EF 8228, read in 0xFF chunks (docs/reference/cns.md 1.7). */
static void read_8228(struct vcard *v, struct carta_buf *out)
{
	struct carta_buf chunk = { 0 };
	char cmd[32];
	uint16_t sw;

	expect(v, "00 A4 08 0C 04 2F FF 82 28", "90 00");
	carta_buf_clear(out);
	for (;;) {
		snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X FF", (unsigned)(out->len >> 8),
		         (unsigned)(out->len & 0xFF));
		sw = tx(v, cmd, &chunk);
		if (sw == 0x6B00)
			break;
		assert_int_equal(sw, 0x9000);
		assert_int_equal(carta_buf_append(out, chunk.p, chunk.len), CARTA_OK);
		if (chunk.len < 0xFF)
			break;
	}
	carta_buf_free(&chunk);
}

static void t_layout(void **st)
{
	struct vcard *v = mk_ic("st", false);
	struct carta_bytes want = vcard_infocamere_cert(v);
	struct carta_buf ef = { 0 };
	size_t n;

	(void)st;
	assert_true(want.len > 300);
	read_8228(v, &ef);
	n = (size_t)ef.p[1] << 8 | ef.p[2];
	assert_int_equal(n, want.len);
	assert_int_equal(ef.len, 5 + n);
	assert_memory_equal(ef.p + 5, want.p, n);
	assert_int_not_equal(memcmp(ef.p + 5, vcard_holder_cert(v).p, 16), 0);
	expect(v, "00 A4 08 0C 04 2F FF 00 00", "90 00");
	expect(v, "00 B0 00 00 00", "69 82");                  /* the key file is not read */
	expect(v, "00 A4 08 0C 04 14 00 90 10", "6A 82");      /* no CNS1 without --ds */
	carta_buf_free(&ef);
	vcard_free(v);

	v = mk_ic("classic", true);
	read_8228(v, &ef);
	assert_int_equal(ef.len, 5);
	assert_int_equal(ef.p[1] | ef.p[2], 0);                /* 00 00 = empty */
	assert_int_equal(vcard_infocamere_cert(v).len, 0);
	carta_buf_free(&ef);
	vcard_free(v);
}

/* MSE SET with key 21 from DF 2FFF, the CNS PIN, PSO CDS: verified with OpenSSL against
 * the certificate in 8228; from the MF the key is not found. */
static void t_sign(void **st)
{
	struct vcard *v = mk_ic("classic", false);
	struct carta_bytes der = vcard_infocamere_cert(v);
	const unsigned char *q = der.p;
	X509 *x = d2i_X509(NULL, &q, (long)der.len);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(X509_get0_pubkey(x), NULL);
	struct carta_buf di = { 0 }, sig = { 0 };
	uint8_t cmd[200] = { 0x00, 0x2A, 0x9E, 0x9A, 0x80 }, hash[32];
	size_t hl = 0;

	(void)st;
	assert_non_null(ctx);
	expect(v, "00 22 F1 B6 03 83 01 21", "6A 88");
	expect(v, "00 A4 08 0C 02 2F FF", "90 00");
	expect(v, "00 22 F3 03 00", "90 00");
	expect(v, "00 22 F1 B6 03 83 01 21", "90 00");
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, (const uint8_t *)"ic", 2, hash, 32, &hl),
	                 CARTA_OK);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, hash, 32, &di), CARTA_OK);
	assert_int_equal(carta_pkcs1_type1_pad(di.p, di.len, 128, cmd + 5), CARTA_OK);
	cmd[5 + 128] = 0x00;
	assert_int_equal(txb(v, cmd, 5 + 128 + 1, NULL), 0x6982);
	expect(v, "00 20 00 10 08 " CNS_PIN, "90 00");
	assert_int_equal(txb(v, cmd, 5 + 128 + 1, &sig), 0x9000);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_verify(ctx, sig.p, sig.len, hash, 32), 1);
	EVP_PKEY_CTX_free(ctx);
	X509_free(x);
	carta_buf_free(&di);
	carta_buf_free(&sig);
	vcard_free(v);
}

static void t_refused(void **st)
{
	struct vcard_config cfg;
	struct vcard *v = NULL;
	const char *bad[] = { "actalis", "dnakey", "dsd", "cie-nxp" };

	(void)st;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&cfg, 0, sizeof(cfg));
		cfg.profile = bad[i];
		cfg.infocamere = true;
		assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
		assert_null(v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_layout),
		cmocka_unit_test(t_sign),
		cmocka_unit_test(t_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
