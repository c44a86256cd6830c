/* SPDX-License-Identifier: BSD-3-Clause */
/* Virtual CNS PIN objects: docs/reference/cns.md 1.6, 3.4, 3.5 and the PIN checklist of
 * docs/reference/cns.md 5. PIN 12345678 = 31..38, PUK 87654321 = 38..31. */
#include "test_vcard_helpers.h"

#define PIN_OK "31 32 33 34 35 36 37 38"
#define PIN_BAD "31 31 31 31 31 31 31 31"
#define PUK_OK "38 37 36 35 34 33 32 31"
#define NEW5 "35 34 33 32 31 FF FF FF"   /* "54321" */

static void t_verify_block(void **st)
{
	struct vcard *v = mk("classic");

	(void)st;
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	expect(v, "00 20 00 10 08 " PIN_BAD, "63 C2");
	expect(v, "00 20 00 10 08 " PIN_OK, "90 00");
	assert_int_equal(vcard_pin_tries_left(v, false), 3);   /* a good PIN resets */
	expect(v, "00 20 00 10 08 " PIN_BAD, "63 C2");
	expect(v, "00 20 00 10 08 " PIN_BAD, "63 C1");
	expect(v, "00 20 00 10 08 " PIN_BAD, "63 C0");
	expect(v, "00 20 00 10 08 " PIN_OK, "69 83");             /* blocked */
	assert_int_equal(vcard_pin_tries_left(v, false), 0);
	/* Wrong shapes. */
	expect(v, "00 20 00 10 04 31 32 33 34", "67 00");
	expect(v, "00 20 01 10 08 " PIN_OK, "6A 86");
	expect(v, "00 20 00 12 08 " PIN_OK, "6A 88");
	vcard_free(v);
}

static void t_unblock_and_change(void **st)
{
	struct vcard *v = mk("st");
	uint8_t pin[8];
	size_t n;

	(void)st;
	for (int i = 0; i < 3; i++)
		tx(v, "00 20 00 10 08 " PIN_BAD, NULL);
	expect(v, "00 20 00 10 08 " PIN_OK, "69 83");
	/* RESET RETRY COUNTER: P2 = the PIN reference (docs/reference/cns.md 1.6). */
	expect(v, "00 2C 00 11 10 " PUK_OK " " NEW5, "6A 88");
	expect(v, "00 2C 00 10 10 " PIN_BAD " " NEW5, "63 C2");
	assert_int_equal(vcard_pin_tries_left(v, true), 2);
	expect(v, "00 2C 00 10 10 " PUK_OK " 35 34 33 FF FF FF FF FF", "6A 80");   /* 3 digits */
	expect(v, "00 2C 00 10 10 " PUK_OK " " NEW5, "90 00");
	assert_int_equal(vcard_pin_tries_left(v, true), 3);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	n = vcard_current_pin(v, pin, sizeof(pin));
	assert_int_equal(n, 5);
	assert_memory_equal(pin, "54321", 5);
	expect(v, "00 20 00 10 08 " PIN_OK, "63 C2");
	expect(v, "00 20 00 10 08 " NEW5, "90 00");
	/* CHANGE REFERENCE DATA: old || new, both padded to 8. */
	expect(v, "00 24 00 10 10 " PIN_BAD " " PIN_OK, "63 C2");
	expect(v, "00 24 00 10 10 " NEW5 " " PIN_OK, "90 00");
	expect(v, "00 24 00 10 08 " NEW5, "67 00");
	expect(v, "00 24 00 11 10 " PUK_OK " " PUK_OK, "69 85");   /* PUK unchangeable */
	expect(v, "00 20 00 10 08 " PIN_OK, "90 00");
	/* P1 = 01: PUK only, counter reset. */
	tx(v, "00 20 00 10 08 " PIN_BAD, NULL);
	expect(v, "00 2C 01 10 08 " PUK_OK, "90 00");
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	vcard_free(v);
}

/* A PUK blocked after its tries is terminal (docs/reference/cns.md 3.5). */
static void t_puk_terminal(void **st)
{
	struct vcard *v = mk("idemia");

	(void)st;
	expect(v, "00 2C 00 10 10 " PIN_BAD " " NEW5, "63 C2");
	expect(v, "00 2C 00 10 10 " PIN_BAD " " NEW5, "63 C1");
	expect(v, "00 2C 00 10 10 " PIN_BAD " " NEW5, "63 C0");
	expect(v, "00 2C 00 10 10 " PUK_OK " " NEW5, "69 83");
	vcard_reset(v);
	expect(v, "00 2C 00 10 10 " PUK_OK " " NEW5, "69 83");
	assert_int_equal(vcard_pin_tries_left(v, true), 0);
	expect(v, "00 20 00 10 08 " PIN_OK, "90 00");   /* the PIN itself still works */
	vcard_free(v);
}

/* ST/Incard accepts ref | 0x80 (docs/reference/cns.md 1.6); others do not know it. */
static void t_st_flag(void **st)
{
	struct vcard *s = mk("st"), *c = mk("classic-siemens"), *i = mk("idemia");

	(void)st;
	expect(s, "00 20 00 90 08 " PIN_OK, "90 00");
	expect(s, "00 24 00 90 10 " PIN_OK " " NEW5, "90 00");
	expect(s, "00 20 00 90 08 " PIN_BAD, "63 C2");
	expect(s, "00 2C 00 90 10 " PUK_OK " " PIN_OK, "90 00");
	expect(s, "00 20 00 10 08 " PIN_OK, "90 00");
	expect(c, "00 20 00 90 08 " PIN_OK, "6A 88");
	expect(i, "00 20 00 90 08 " PIN_OK, "6A 88");
	expect(i, "00 2C 00 90 10 " PUK_OK " " PIN_OK, "6A 88");
	vcard_free(s);
	vcard_free(c);
	vcard_free(i);
}

static void t_reset_clears(void **st)
{
	struct vcard *v = mk("st");

	(void)st;
	expect(v, "00 20 00 10 08 " PIN_OK, "90 00");
	expect(v, "00 20 00 10", "90 00");
	vcard_reset(v);
	expect(v, "00 20 00 10", "63 C3");
	vcard_free(v);
}

/* Empty VERIFY and PUK VERIFY switches (docs/virtual-card.md). */
static void t_switches(void **st)
{
	struct vcard_config cfg;
	struct vcard *v, *a;

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "classic";
	cfg.empty_verify = -1;
	cfg.puk_verify = 1;
	cfg.pin_tries = 5;
	cfg.pin = "24680";
	v = mk_cfg(&cfg);
	expect(v, "00 20 00 10", "67 00");
	expect(v, "00 20 00 10 08 " PIN_OK, "63 C4");
	expect(v, "00 20 00 10 08 32 34 36 38 30 FF FF FF", "90 00");
	expect(v, "00 20 00 11 08 " PIN_BAD, "63 C2");
	expect(v, "00 20 00 11 08 " PUK_OK, "90 00");
	vcard_free(v);
	/* Defaults: PUK VERIFY on the applet only (docs/reference/cns.md 1.6 chipdoc). */
	v = mk("st");
	a = mk("actalis");
	expect(v, "00 20 00 11 08 " PUK_OK, "6A 88");
	expect(v, "00 20 00 10 08 " PIN_BAD, "63 C2");
	expect(v, "00 20 00 10", "63 C2");
	/* applet PINs exist only once the CNS applet is selected */
	expect(a, "00 20 00 10 08 " PIN_OK, "6A 88");
	expect(a, "00 A4 04 0C 0C A0 00 00 05 30 00 0B 10 40 01 02 1A", "90 00");
	expect(a, "00 20 00 11 08 " PUK_OK, "90 00");
	expect(a, "00 20 00 10 08 " PIN_OK, "90 00");
	vcard_free(v);
	vcard_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_verify_block),
		cmocka_unit_test(t_unblock_and_change),
		cmocka_unit_test(t_puk_terminal),
		cmocka_unit_test(t_st_flag),
		cmocka_unit_test(t_reset_clears),
		cmocka_unit_test(t_switches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
