/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "apdu/apdu.h"
#include "util/hex.h"

static uint8_t big[65536];

/* Encode and compare with hex (only the first `cmp` bytes when data is long). */
static void enc_eq(const struct carta_apdu *a, bool ext, const char *hex)
{
	struct carta_buf out = { 0 }, want = { 0 };

	assert_int_equal(carta_apdu_encode(a, ext, &out), CARTA_OK);
	assert_int_equal(carta_hex_decode(hex, strlen(hex), &want), CARTA_OK);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.p, want.p, want.len);
	carta_buf_free(&out);
	carta_buf_free(&want);
}

static void test_short_cases(void **state)
{
	static const uint8_t d[] = { 0x3f, 0x00 };
	struct carta_apdu a = { .cla = 0x00, .ins = 0xa4, .p1 = 0x00, .p2 = 0x0c };

	(void)state;
	enc_eq(&a, false, "00A4000C");                    /* case 1 */
	a.le = 0x10;
	enc_eq(&a, false, "00A4000C10");                  /* case 2 */
	a.le = 256;
	enc_eq(&a, false, "00A4000C00");                  /* Le 256 -> 00 */
	a.le = 0;
	a.data = d;
	a.lc = 2;
	enc_eq(&a, false, "00A4000C023F00");              /* case 3 */
	a.le = 256;
	enc_eq(&a, false, "00A4000C023F0000");            /* case 4 */
	assert_false(carta_apdu_needs_extended(&a));
}

static void test_extended_cases(void **state)
{
	static const uint8_t d[] = { 0x3f, 0x00 };
	struct carta_apdu a = { .cla = 0x00, .ins = 0xb0, .p1 = 0x00, .p2 = 0x00 };

	(void)state;
	enc_eq(&a, true, "00B00000");                     /* case 1: no body */
	a.le = 0x1234;
	enc_eq(&a, true, "00B00000001234");               /* case 2E: 00 HH LL */
	a.le = 65536;
	enc_eq(&a, true, "00B00000000000");               /* 65536 -> 0000 */
	a.le = 0;
	a.data = d;
	a.lc = 2;
	enc_eq(&a, true, "00B00000 000002 3F00");         /* case 3E */
	a.le = 65536;
	enc_eq(&a, true, "00B00000 000002 3F00 0000");    /* case 4E: Le HH LL */
	a.le = 257;
	enc_eq(&a, true, "00B00000 000002 3F00 0101");
}

static void test_boundaries(void **state)
{
	struct carta_buf out = { 0 };
	struct carta_apdu a = { .cla = 0x00, .ins = 0xd6, .data = big };

	(void)state;
	a.lc = 255;
	assert_false(carta_apdu_needs_extended(&a));
	assert_int_equal(carta_apdu_encode(&a, false, &out), CARTA_OK);
	assert_int_equal(out.len, 4 + 1 + 255);
	assert_int_equal(out.p[4], 0xff);
	a.lc = 256;
	assert_true(carta_apdu_needs_extended(&a));
	assert_int_equal(carta_apdu_encode(&a, false, &out), CARTA_E_RANGE);
	assert_int_equal(out.len, 0);
	assert_int_equal(carta_apdu_encode(&a, true, &out), CARTA_OK);
	assert_int_equal(out.len, 4 + 3 + 256);
	assert_memory_equal(out.p + 4, "\x00\x01\x00", 3);
	a.lc = 65535;
	assert_int_equal(carta_apdu_encode(&a, true, &out), CARTA_OK);
	assert_int_equal(out.len, 4 + 3 + 65535);
	assert_memory_equal(out.p + 4, "\x00\xff\xff", 3);
	a.lc = 65536;
	assert_int_equal(carta_apdu_encode(&a, true, &out), CARTA_E_RANGE);
	a.lc = 0;
	a.le = 256;
	assert_false(carta_apdu_needs_extended(&a));
	a.le = 257;
	assert_true(carta_apdu_needs_extended(&a));
	assert_int_equal(carta_apdu_encode(&a, false, &out), CARTA_E_RANGE);
	a.le = 65536;
	assert_int_equal(carta_apdu_encode(&a, true, &out), CARTA_OK);
	a.le = 65537;
	assert_int_equal(carta_apdu_encode(&a, true, &out), CARTA_E_RANGE);
	/* data pointer required with lc */
	a.le = 0;
	a.lc = 1;
	a.data = NULL;
	assert_int_equal(carta_apdu_encode(&a, false, &out), CARTA_E_ARGS);
	carta_buf_free(&out);
}

static void test_rapdu_split(void **state)
{
	static const uint8_t r[] = { 0x01, 0x02, 0x63, 0xc2 };
	struct carta_bytes d;
	uint16_t sw;

	(void)state;
	assert_int_equal(carta_rapdu_split(r, 4, &d, &sw), CARTA_OK);
	assert_int_equal(sw, 0x63c2);
	assert_int_equal(d.len, 2);
	assert_ptr_equal(d.p, r);
	assert_int_equal(carta_rapdu_split(r + 2, 2, &d, &sw), CARTA_OK);
	assert_int_equal(d.len, 0);
	assert_int_equal(carta_rapdu_split(r, 1, &d, &sw), CARTA_E_PARSE);
	assert_int_equal(carta_rapdu_split(r, 0, &d, &sw), CARTA_E_PARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_cases),
		cmocka_unit_test(test_extended_cases),
		cmocka_unit_test(test_boundaries),
		cmocka_unit_test(test_rapdu_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
