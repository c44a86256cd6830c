/* SPDX-License-Identifier: BSD-3-Clause */
/* no_extended / --no-extended: a CNS card (or reader/card path) that refuses
 * every extended-length APDU with 67 00 or 6D 00 and otherwise works with short
 * APDUs and command chaining (docs/reference/cns.md 1.3, 1.8, 5). The ATR keeps its
 * CNS 1.1 version byte: that is the case the switch exists for. */
#include "test_vcard_helpers.h"

#define PIN_OK "00 20 00 10 08 31 32 33 34 35 36 37 38"

static struct vcard *mk_noext(const char *profile, unsigned sw)
{
	struct vcard_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	cfg.no_extended = sw;
	return mk_cfg(&cfg);
}

/* A block below any modulus (top byte 00), so raw RSA always takes it. */
static void test_block(uint8_t *b, size_t k)
{
	for (size_t i = 0; i < k; i++)
		b[i] = (uint8_t)(i * 7 + 1);
	b[0] = 0x00;
	b[1] = 0x01;
}

/* Extended PSO DECIPHER: 00 2A 80 86 00 01 01 00 <256> 01 00 */
static uint16_t decipher_ext(struct vcard *v, const uint8_t *blk, struct carta_buf *out)
{
	uint8_t cmd[4 + 3 + 257 + 2] = { 0x00, 0x2A, 0x80, 0x86, 0x00, 0x01, 0x01, 0x00 };

	memcpy(cmd + 8, blk, 256);
	cmd[264] = 0x01;
	cmd[265] = 0x00;
	return txb(v, cmd, sizeof(cmd), out);
}

/* The same as two short blocks with CLA 10 (255 + 2 bytes, Le 00). */
static uint16_t decipher_chained(struct vcard *v, const uint8_t *blk, struct carta_buf *out)
{
	uint8_t cmd[5 + 255];

	memcpy(cmd, "\x10\x2A\x80\x86\xFF\x00", 6);
	memcpy(cmd + 6, blk, 254);
	assert_int_equal(txb(v, cmd, sizeof(cmd), NULL), 0x9000);
	memcpy(cmd, "\x00\x2A\x80\x86\x02", 5);
	memcpy(cmd + 5, blk + 254, 2);
	cmd[7] = 0x00;
	return txb(v, cmd, 8, out);
}

static void t_refused_with_chosen_sw(void **st)
{
	const unsigned sws[] = { 0x6700, 0x6D00 };
	uint8_t atr[40];

	(void)st;
	for (size_t i = 0; i < 2; i++) {
		struct vcard *v = mk_noext("st", sws[i]);
		size_t n = vcard_atr(v, atr, sizeof(atr));

		/* the ATR still says CNS 1.1 (version byte 11, docs/reference/cns.md 1.2) */
		assert_true(bytes_eq_hex(atr, n, "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 01 "
		                                 "11 01 43 4E 53 11 31 80 8D"));
		/* case 3E, 2E and 4E are refused; the short forms work */
		expect_sw(v, "00 A4 08 0C 00 00 04 10 00 10 03", (uint16_t)sws[i]);
		expect_sw(v, "00 A4 08 0C 04 10 00 10 03", 0x9000);
		expect_sw(v, "00 B0 00 00 00 00 10", (uint16_t)sws[i]);
		expect_sw(v, "00 A4 08 00 00 00 04 11 00 11 01 00 00", (uint16_t)sws[i]);
		/* a chained block in extended form too */
		expect_sw(v, "10 A4 08 0C 00 00 02 11 00", (uint16_t)sws[i]);
		vcard_free(v);
	}
}

/* Short READ BINARY with Le 00 returns 256 bytes and 90 00 directly: the
 * CNS profiles never answer 61xx (no GET RESPONSE: 6D 00). */
static void t_short_read_256(void **st)
{
	struct vcard *v = mk_noext("st", 0x6D00);
	struct carta_buf d = { 0 };

	(void)st;
	expect_sw(v, "00 A4 08 0C 04 11 00 11 01", 0x9000);
	assert_int_equal(tx(v, "00 B0 00 00 00", &d), 0x9000);
	assert_int_equal(d.len, 256);
	assert_memory_equal(d.p, vcard_holder_cert(v).p, 256);
	assert_int_equal(tx(v, "00 B0 01 00 00", &d), 0x9000);
	assert_memory_equal(d.p, vcard_holder_cert(v).p + 256, d.len);
	expect_sw(v, "00 C0 00 00 00", 0x6D00);
	carta_buf_free(&d);
	vcard_free(v);
}

/* RSA-2048 without extended APDUs: command chaining gives the same raw result. */
static void t_chained_decipher(void **st)
{
	struct vcard *ref = mk("st"), *v = mk_noext("st", 0x6700);
	struct carta_buf want = { 0 }, got = { 0 };
	uint8_t blk[256];

	(void)st;
	test_block(blk, sizeof(blk));
	expect(ref, PIN_OK, "90 00");
	expect(ref, "00 22 F1 B8 03 83 01 01", "90 00");
	assert_int_equal(decipher_ext(ref, blk, &want), 0x9000);
	assert_int_equal(want.len, 256);
	expect(v, PIN_OK, "90 00");
	expect(v, "00 22 F1 B8 03 83 01 01", "90 00");
	assert_int_equal(decipher_ext(v, blk, &got), 0x6700);
	assert_int_equal(decipher_chained(v, blk, &got), 0x9000);
	assert_int_equal(got.len, 256);
	assert_memory_equal(got.p, want.p, 256);
	carta_buf_free(&want);
	carta_buf_free(&got);
	vcard_free(ref);
	vcard_free(v);
}

/* Every CNS profile takes it; CNS 1.0 ones change only the status word. */
static void t_every_cns_profile(void **st)
{
	const char *p[] = { "st", "idemia", "actalis", "classic", "classic-siemens", "hpc", "dnakey" };
	struct vcard_config cfg;
	struct vcard *v = NULL;

	(void)st;
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		v = mk_noext(p[i], 0x6D00);
		expect_sw(v, "00 A4 00 0C 00 00 02 3F 00", 0x6D00);
		expect_sw(v, "00 A4 00 0C 02 3F 00", 0x9000);
		vcard_free(v);
	}
	v = mk("classic");
	expect_sw(v, "00 A4 00 0C 00 00 02 3F 00", 0x6700);   /* the CNS 1.0 default */
	vcard_free(v);
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	cfg.no_extended = 0x6A86;
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
	cfg.profile = "cie-nxp";   /* CNS only: refused, not ignored */
	cfg.no_extended = 0x6700;
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_refused_with_chosen_sw),
		cmocka_unit_test(t_short_read_256),
		cmocka_unit_test(t_chained_decipher),
		cmocka_unit_test(t_every_cns_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
