/* SPDX-License-Identifier: BSD-3-Clause */
/* Virtual card APDU layer: ISO 7816-4 5.1 parsing, class/instruction errors,
 * chaining, GET CHALLENGE / GET DATA, ATRs, stats and fault injection. */
#include "test_vcard_helpers.h"
#include "vcard_int.h"

static void t_parse_cases(void **st)
{
	struct vcard_capdu a;
	const uint8_t c1[] = { 0, 0xA4, 0, 0 };
	const uint8_t c2[] = { 0, 0xB0, 0, 0, 0 };
	const uint8_t c3[] = { 0, 0xA4, 0, 0x0C, 2, 0x3F, 0 };
	const uint8_t c4[] = { 0, 0xA4, 0, 0, 2, 0x3F, 0, 0x10 };
	const uint8_t e2[] = { 0, 0xB0, 0, 0, 0, 0, 0 };
	const uint8_t e3[] = { 0, 0xA4, 0, 0x0C, 0, 0, 2, 0x3F, 0 };
	const uint8_t e4[] = { 0, 0xA4, 0, 0, 0, 0, 2, 0x3F, 0, 0x01, 0x00 };
	const uint8_t bad1[] = { 0, 0xA4, 0, 0, 3, 0x3F, 0 };          /* Lc too big */
	const uint8_t bad2[] = { 0, 0xA4, 0, 0, 0, 0 };                 /* 6 bytes, B1 = 0 */
	const uint8_t bad3[] = { 0, 0xA4, 0, 0, 0, 0, 0, 0x3F };        /* ext Lc = 0 */
	const uint8_t bad4[] = { 0, 0xA4, 0 };

	(void)st;
	assert_int_equal(vcard_capdu_parse(c1, 4, &a), CARTA_OK);
	assert_false(a.le_present);
	assert_int_equal(a.lc, 0);
	assert_int_equal(vcard_capdu_parse(c2, 5, &a), CARTA_OK);
	assert_int_equal(a.ne, 256);
	assert_int_equal(vcard_capdu_parse(c3, 7, &a), CARTA_OK);
	assert_int_equal(a.lc, 2);
	assert_false(a.le_present);
	assert_int_equal(vcard_capdu_parse(c4, 8, &a), CARTA_OK);
	assert_int_equal(a.ne, 16);
	assert_int_equal(vcard_capdu_parse(e2, 7, &a), CARTA_OK);
	assert_true(a.extended);
	assert_int_equal(a.ne, 65536);
	assert_int_equal(vcard_capdu_parse(e3, 9, &a), CARTA_OK);
	assert_int_equal(a.lc, 2);
	assert_int_equal(vcard_capdu_parse(e4, 11, &a), CARTA_OK);
	assert_int_equal(a.ne, 256);
	assert_int_equal(vcard_capdu_parse(bad1, sizeof(bad1), &a), CARTA_E_PARSE);
	assert_int_equal(vcard_capdu_parse(bad2, sizeof(bad2), &a), CARTA_E_PARSE);
	assert_int_equal(vcard_capdu_parse(bad3, sizeof(bad3), &a), CARTA_E_PARSE);
	assert_int_equal(vcard_capdu_parse(bad4, sizeof(bad4), &a), CARTA_E_PARSE);
}

static void t_errors(void **st)
{
	struct vcard *v = mk("st");

	(void)st;
	expect(v, "00 A4 00 00 03 3F 00", "67 00");     /* malformed length */
	expect(v, "80 A4 00 0C 02 3F 00", "6E 00");
	expect(v, "0C A4 00 0C 02 3F 00", "6E 00");
	expect(v, "01 A4 00 0C 02 3F 00", "6E 00");
	expect(v, "00 88 00 00 04 01 02 03 04 00", "6D 00");   /* no INTERNAL AUTHENTICATE */
	expect(v, "00 C0 00 00 00", "6D 00");
	expect(v, "00 A4 00 0C 00 00 02 3F 00", "90 00");    /* extended accepted on CNS 1.1 */
	vcard_free(v);
	v = mk("classic");
	expect(v, "00 A4 00 0C 00 00 02 3F 00", "67 00");    /* but not on CNS 1.0 */
	expect(v, "00 CA 01 80 00", "6D 00");
	vcard_free(v);
}

static void t_chaining(void **st)
{
	struct vcard *v = mk("st");

	(void)st;
	/* A chained SELECT: 3F / 00 ... in two blocks, then 11 00 / 11 01. */
	expect(v, "10 A4 08 0C 02 11 00", "90 00");
	expect(v, "00 A4 08 0C 02 11 01", "90 00");
	expect_sw(v, "00 B0 00 00 04", 0x9000);
	/* An unchained command abandons a pending chain. */
	expect(v, "10 A4 08 0C 02 11 00", "90 00");
	expect(v, "00 A4 00 0C 02 3F 00", "90 00");
	expect(v, "00 A4 02 0C 02 11 01", "6A 82");
	vcard_free(v);
}

static void t_challenge(void **st)
{
	struct vcard *v = mk("idemia");
	struct carta_buf a = { 0 }, b = { 0 };

	(void)st;
	assert_int_equal(tx(v, "00 84 00 00 20", &a), 0x9000);   /* 32: the IDEMIA maximum */
	assert_int_equal(a.len, 32);
	assert_int_equal(tx(v, "00 84 00 00 20", &b), 0x9000);
	assert_memory_not_equal(a.p, b.p, 32);
	expect(v, "00 84 00 00 21", "67 00");
	expect(v, "00 84 00 00 00", "67 00");
	expect(v, "00 84 00 00", "67 00");
	expect(v, "00 84 00 01 08", "6A 86");
	vcard_free(v);
	v = mk("st");
	assert_int_equal(tx(v, "00 84 00 00 00", &a), 0x9000);
	assert_int_equal(a.len, 256);
	carta_buf_free(&a);
	carta_buf_free(&b);
	vcard_free(v);
}

/* ST2022 J-Sign identification (docs/reference/cns.md 1.13, PR #3806). */
static void t_jsign(void **st)
{
	struct vcard *v = mk("st");

	(void)st;
	expect(v, "00 CA 01 80 00", "6A 88");
	expect(v, "00 A4 04 0C 08 A0 00 00 00 95 01 00 4D", "90 00");
	expect(v, "00 CA 01 80 00", "4A 53 69 67 6E 34 90 00");
	expect(v, "00 CA 01 81 00", "6A 88");
	/* the CNS files live under it */
	expect(v, "00 A4 08 0C 04 10 00 10 03", "90 00");
	vcard_reset(v);
	expect(v, "00 CA 01 80 00", "6A 88");
	vcard_free(v);
}

static void t_atrs(void **st)
{
	const char *p[] = { "st", "idemia", "actalis", "classic", "classic-siemens" };
	const char *atr[] = {
		"3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 01 11 01 43 4E 53 11 31 80 8D",
		"3B FF 18 00 00 81 31 FE 45 00 6B 05 05 20 00 01 21 01 43 4E 53 10 31 80 79",
		"3B FF 18 00 FF 81 31 FE 4D 00 6B 04 04 B8 5B 01 F1 01 43 4E 53 10 31 80 9D",
		"3B DF 18 00 81 31 FE 7D 00 6B 02 0C 01 82 01 11 01 43 4E 53 10 31 80 FC",
		"3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 0C 01 11 01 43 4E 53 10 31 80 05",
	};
	struct vcard_config cfg;
	uint8_t b[40];
	size_t n;
	struct vcard *v;

	(void)st;
	for (size_t i = 0; i < 5; i++) {
		v = mk(p[i]);
		n = vcard_atr(v, b, sizeof(b));
		assert_true(bytes_eq_hex(b, n, atr[i]));
		vcard_free(v);
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	cfg.atr_hex = "3B 80 80 01 01";
	v = mk_cfg(&cfg);
	n = vcard_atr(v, b, sizeof(b));
	assert_true(bytes_eq_hex(b, n, "3B 80 80 01 01"));
	vcard_free(v);
	cfg.profile = "nope";
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
}

/* The APDU log counts what the card received and sent. */
static void t_stats_fault(void **st)
{
	struct vcard_config cfg;
	struct vcard_stats s;
	struct vcard *v;

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "classic";
	cfg.fault_at = 3;
	v = mk_cfg(&cfg);
	expect(v, "00 A4 08 0C 04 10 00 10 03", "90 00");       /* 9 in, 2 out */
	expect_sw(v, "00 B0 00 00 FF", 0x9000);                  /* 5 in, 18 out */
	expect(v, "00 A4 00 0C 02 3F 00", "6F 00");              /* the fault */
	expect(v, "00 A4 00 0C 02 3F 00", "90 00");              /* only once */
	vcard_get_stats(v, &s);
	assert_int_equal(s.apdus, 4);
	assert_int_equal(s.bytes_in, 9 + 5 + 7 + 7);
	assert_int_equal(s.bytes_out, 2 + 18 + 2 + 2);
	vcard_reset_stats(v);
	vcard_get_stats(v, &s);
	assert_int_equal(s.apdus, 0);
	vcard_free(v);
}

/* The in-process transport adapter calls the same card. */
static void t_inproc_ops(void **st)
{
	struct vcard *v = mk("st");
	struct carta_buf r = { 0 };
	uint8_t atr[40];
	const uint8_t cmd[] = { 0x00, 0x20, 0x00, 0x10 };

	(void)st;
	assert_int_equal(vcard_inproc_ops.atr(v, atr, sizeof(atr)), 25);
	assert_int_equal(vcard_inproc_ops.apdu(v, cmd, sizeof(cmd), &r), CARTA_OK);
	assert_true(bytes_eq_hex(r.p, r.len, "63 C3"));
	vcard_inproc_ops.reset(v);
	carta_buf_free(&r);
	vcard_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_parse_cases),
		cmocka_unit_test(t_errors),
		cmocka_unit_test(t_chaining),
		cmocka_unit_test(t_challenge),
		cmocka_unit_test(t_jsign),
		cmocka_unit_test(t_atrs),
		cmocka_unit_test(t_stats_fault),
		cmocka_unit_test(t_inproc_ops),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
