/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/hex.h"

static void test_decode(void **state)
{
	struct carta_buf b = { 0 };
	const char *s;

	(void)state;
	s = "00 a4:04\n0C";
	assert_int_equal(carta_hex_decode(s, strlen(s), &b), CARTA_OK);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.p, "\x00\xa4\x04\x0c", 4);
	/* appends */
	assert_int_equal(carta_hex_decode("FF", 2, &b), CARTA_OK);
	assert_int_equal(b.len, 5);
	assert_int_equal(b.p[4], 0xff);
	/* errors leave the buffer as it was */
	assert_int_equal(carta_hex_decode("ABC", 3, &b), CARTA_E_PARSE);
	assert_int_equal(carta_hex_decode("A B", 3, &b), CARTA_E_PARSE);
	assert_int_equal(carta_hex_decode("zz", 2, &b), CARTA_E_PARSE);
	assert_int_equal(carta_hex_decode("0g", 2, &b), CARTA_E_PARSE);
	assert_int_equal(b.len, 5);
	/* slen bounds the input */
	assert_int_equal(carta_hex_decode("1234", 2, &b), CARTA_OK);
	assert_int_equal(b.len, 6);
	assert_int_equal(b.p[5], 0x12);
	assert_int_equal(carta_hex_decode("", 0, &b), CARTA_OK);
	carta_buf_free(&b);
}

static void test_encode(void **state)
{
	static const uint8_t d[] = { 0x00, 0x9f, 0xa0, 0xff };
	char out[9];

	(void)state;
	assert_int_equal(carta_hex_encode(d, 4, out, sizeof(out)), CARTA_OK);
	assert_string_equal(out, "009fa0ff");
	assert_int_equal(carta_hex_encode(d, 4, out, 8), CARTA_E_BUFFER_SMALL);
	assert_int_equal(carta_hex_encode(d, 0, out, 1), CARTA_OK);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
