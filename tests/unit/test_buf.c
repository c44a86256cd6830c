/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/buf.h"

static void test_overflow(void **state)
{
	size_t r = 7;

	(void)state;
	assert_false(carta_add_overflow(1, 2, &r));
	assert_int_equal(r, 3);
	assert_false(carta_add_overflow(CARTA_BUF_MAX - 1, 1, &r));
	assert_int_equal(r, CARTA_BUF_MAX);
	r = 7;
	assert_true(carta_add_overflow(CARTA_BUF_MAX, 1, &r));
	assert_true(carta_add_overflow(SIZE_MAX, 1, &r));
	assert_true(carta_add_overflow(1, SIZE_MAX, &r));
	assert_true(carta_add_overflow(SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1, &r));
	assert_int_equal(r, 7);
}

static void test_growth(void **state)
{
	struct carta_buf b;
	uint8_t chunk[100];
	size_t i, cap;

	(void)state;
	carta_buf_init(&b);
	assert_null(b.p);
	memset(chunk, 0x5a, sizeof(chunk));
	for (i = 0; i < 100; i++)
		assert_int_equal(carta_buf_append(&b, chunk, sizeof(chunk)), CARTA_OK);
	assert_int_equal(b.len, 10000);
	assert_true(b.cap >= b.len);
	assert_true(b.cap < 2 * b.len + 64);   /* doubling, not unbounded */
	assert_int_equal(b.p[9999], 0x5a);
	cap = b.cap;
	carta_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, cap);
	assert_int_equal(carta_buf_append_byte(&b, 0x11), CARTA_OK);
	assert_int_equal(carta_buf_set(&b, chunk, 3), CARTA_OK);
	assert_int_equal(b.len, 3);
	assert_int_equal(carta_buf_reserve(&b, SIZE_MAX), CARTA_E_RANGE);
	assert_int_equal(carta_buf_reserve(&b, CARTA_BUF_MAX), CARTA_E_RANGE);
	assert_int_equal(b.len, 3);
	assert_int_equal(carta_buf_append(&b, NULL, 0), CARTA_OK);
	assert_int_equal(carta_buf_append(&b, NULL, 1), CARTA_E_ARGS);
	carta_buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.cap, 0);
	carta_buf_free(&b);  /* twice is harmless */
}

static void test_cursor(void **state)
{
	static const uint8_t d[] = { 0x01, 0x02, 0x03, 0x04, 0x05 };
	struct carta_cursor c;
	struct carta_bytes v;
	uint8_t u8;
	uint16_t u16;

	(void)state;
	carta_cursor_init(&c, d, sizeof(d));
	assert_int_equal(carta_cursor_left(&c), 5);
	assert_int_equal(carta_cursor_u8(&c, &u8), CARTA_OK);
	assert_int_equal(u8, 1);
	assert_int_equal(carta_cursor_u16be(&c, &u16), CARTA_OK);
	assert_int_equal(u16, 0x0203);
	assert_int_equal(carta_cursor_take(&c, 3, &v), CARTA_E_PARSE);
	assert_int_equal(carta_cursor_take(&c, 2, &v), CARTA_OK);
	assert_ptr_equal(v.p, d + 3);
	assert_int_equal(v.len, 2);
	assert_int_equal(carta_cursor_left(&c), 0);
	assert_int_equal(carta_cursor_u8(&c, &u8), CARTA_E_PARSE);
	assert_int_equal(carta_cursor_u16be(&c, &u16), CARTA_E_PARSE);
	assert_int_equal(carta_cursor_take(&c, SIZE_MAX, &v), CARTA_E_PARSE);
	assert_int_equal(carta_cursor_take(&c, 0, &v), CARTA_OK);
	carta_cursor_init(&c, d, 1);
	assert_int_equal(carta_cursor_u16be(&c, &u16), CARTA_E_PARSE);
	assert_int_equal(carta_cursor_left(&c), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_cursor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
