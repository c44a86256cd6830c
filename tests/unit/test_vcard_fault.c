/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-vcard fault injection (docs/virtual-card.md "Fault injection"): the
 * --fault spec parser, and each mode on the APDU it names, once. */
#include "test_vcard_helpers.h"

static const char *SEL_MF = "00 A4 00 00 02 3F 00";   /* answers an FCI + 90 00 */
static const char *CHALLENGE = "00 84 00 00 08";      /* 8 bytes + 90 00 */

static struct vcard *mk_faults(const char *profile, const char *spec)
{
	static struct vcard_fault f[VCARD_MAX_FAULTS];
	struct vcard_config cfg;
	size_t n = 0;

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(vcard_fault_parse(spec, f, VCARD_MAX_FAULTS, &n), CARTA_OK);
	cfg.profile = profile;
	cfg.faults = f;
	cfg.n_faults = n;
	return mk_cfg(&cfg);
}

/* The raw answer to a command given in hex. */
static void raw(struct vcard *v, const char *hex, struct carta_buf *r)
{
	struct carta_buf c = { 0 };

	assert_int_equal(carta_hex_decode(hex, strlen(hex), &c), CARTA_OK);
	assert_int_equal(vcard_apdu(v, c.p, c.len, r), CARTA_OK);
	carta_buf_free(&c);
}

static void parse(void **state)
{
	static const char *bad[] = { "", "sw=6f0@1", "sw=6g00@1", "remove@1", "garbage@0",
		                     "garbage@", "@3", "garbage@3,", "truncated@x", "garbage@1x" };
	struct vcard_fault f[4];
	char s[48];
	size_t n = 0, i;

	(void)state;
	assert_int_equal(vcard_fault_parse("sw=6A82@3,remove-after@12", f, 4, &n), CARTA_OK);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].mode, VCARD_FAULT_SW);
	assert_int_equal(f[0].sw, 0x6A82);
	assert_int_equal(f[0].at, 3);
	assert_int_equal(f[1].mode, VCARD_FAULT_REMOVE_AFTER);
	assert_int_equal(f[1].at, 12);
	vcard_fault_str(&f[0], s, sizeof(s));
	assert_string_equal(s, "sw=6a82@3");
	vcard_fault_str(&f[1], s, sizeof(s));
	assert_string_equal(s, "remove-after@12");
	/* repeatable: appends */
	assert_int_equal(vcard_fault_parse("garbage@1,oversized@2", f, 4, &n), CARTA_OK);
	assert_int_equal(n, 4);
	assert_int_equal(vcard_fault_parse("truncated@5", f, 4, &n), CARTA_E_ARGS);   /* full */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = 0;
		assert_int_equal(vcard_fault_parse(bad[i], f, 4, &n), CARTA_E_ARGS);
	}
}

static void sw_once(void **state)
{
	struct vcard *v = mk_faults("st", "sw=6987@2");
	struct vcard_fault f;
	char fired[64];

	(void)state;
	expect_sw(v, SEL_MF, 0x9000);
	assert_false(vcard_fault_last(v, &f));
	expect(v, SEL_MF, "69 87");             /* no data, not executed */
	assert_true(vcard_fault_last(v, &f));
	assert_int_equal(f.at, 2);
	expect_sw(v, SEL_MF, 0x9000);           /* once */
	vcard_faults_fired(v, fired, sizeof(fired));
	assert_string_equal(fired, "sw=6987@2");
	vcard_free(v);
}

static void fault_at_compat(void **state)
{
	struct vcard_config cfg;
	struct vcard *v;
	char fired[64];

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	cfg.fault_at = 1;
	v = mk_cfg(&cfg);
	expect(v, SEL_MF, "6F 00");
	expect_sw(v, SEL_MF, 0x9000);
	vcard_faults_fired(v, fired, sizeof(fired));
	assert_string_equal(fired, "sw=6f00@1");
	vcard_free(v);
}

static void truncated(void **state)
{
	struct vcard *v = mk_faults("st", "truncated@1");
	struct carta_buf r = { 0 }, d = { 0 };

	(void)state;
	raw(v, SEL_MF, &r);
	assert_int_equal(r.len, 1);
	/* it was executed: the real answer's first byte (FCI tag 6F) */
	assert_int_equal(r.p[0], 0x6F);
	assert_int_equal(tx(v, CHALLENGE, &d), 0x9000);
	assert_int_equal(d.len, 8);
	carta_buf_free(&r);
	carta_buf_free(&d);
	vcard_free(v);
}

static void oversized(void **state)
{
	struct vcard *v = mk_faults("st", "oversized@1,oversized@2");
	struct carta_buf r = { 0 };

	(void)state;
	raw(v, CHALLENGE, &r);
	assert_true(r.len > 258);
	assert_int_equal(r.p[r.len - 2], 0x90);
	assert_int_equal(r.p[r.len - 1], 0x00);
	raw(v, "00 84 00 00 00", &r);           /* Ne = 256: still longer */
	assert_true(r.len - 2 > 256);
	carta_buf_free(&r);
	vcard_free(v);
}

static void garbage(void **state)
{
	struct vcard *a = mk_faults("cie-nxp", "garbage@1"), *b = mk_faults("st", "garbage@1");
	struct carta_buf r = { 0 }, s = { 0 };

	(void)state;
	raw(a, SEL_MF, &r);
	raw(b, SEL_MF, &s);
	assert_true(r.len >= 1 && r.len <= 300);
	/* seeded by the index: reproducible */
	assert_int_equal(r.len, s.len);
	assert_memory_equal(r.p, s.p, r.len);
	carta_buf_free(&r);
	carta_buf_free(&s);
	vcard_free(a);
	vcard_free(b);
}

static void removal(void **state)
{
	struct vcard *v = mk_faults("st", "remove-before@1,remove-after@2");
	struct carta_buf r = { 0 };
	struct vcard_fault f;

	(void)state;
	raw(v, SEL_MF, &r);
	assert_int_equal(r.len, 0);             /* no answer: the transport drops the card */
	assert_true(vcard_fault_last(v, &f));
	assert_int_equal(f.mode, VCARD_FAULT_REMOVE_BEFORE);
	raw(v, SEL_MF, &r);
	assert_true(r.len > 2);                 /* executed and answered, then removed */
	assert_true(vcard_fault_last(v, &f));
	assert_int_equal(f.mode, VCARD_FAULT_REMOVE_AFTER);
	carta_buf_free(&r);
	vcard_free(v);
}

/* The card's own counter, lowest since creation: a wrong PIN then the right one. */
static void pin_low(void **state)
{
	struct vcard *v = mk("st");

	(void)state;
	assert_int_equal(vcard_pin_tries_low(v), 3);
	expect_sw(v, "00 20 00 90 08 31 31 31 31 31 31 31 31", 0x63C2);
	expect_sw(v, "00 20 00 90 08 31 32 33 34 35 36 37 38", 0x9000);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	assert_int_equal(vcard_pin_tries_low(v), 2);
	vcard_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse),     cmocka_unit_test(sw_once),  cmocka_unit_test(fault_at_compat),
		cmocka_unit_test(truncated), cmocka_unit_test(oversized), cmocka_unit_test(garbage),
		cmocka_unit_test(removal),   cmocka_unit_test(pin_low),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
