/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/hex.h"
#include "util/tlv.h"

/* Decode hex into a caller buffer and return a view of it. */
static struct carta_bytes hx(struct carta_buf *b, const char *hex)
{
	carta_buf_clear(b);
	assert_int_equal(carta_hex_decode(hex, strlen(hex), b), CARTA_OK);
	return carta_buf_view(b);
}

static void test_multibyte_tags(void **state)
{
	struct carta_buf b = { 0 };
	struct carta_bytes in;
	struct carta_tlv t;

	(void)state;
	in = hx(&b, "5F20 03 414243  BFA101 00  7F49 02 8100");
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.tag, 0x5f20);
	assert_false(t.constructed);
	assert_int_equal(t.value.len, 3);
	assert_memory_equal(t.value.p, "ABC", 3);
	assert_int_equal(t.raw.len, 6);
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.tag, 0xbfa101);
	assert_true(t.constructed);
	assert_int_equal(t.value.len, 0);
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.tag, 0x7f49);
	assert_true(t.constructed);
	assert_int_equal(t.value.len, 2);
	assert_int_equal(in.len, 0);
	/* four tag bytes is the maximum: 1F 81 82 03 ok, 1F 81 82 83 04 not */
	in = hx(&b, "1F818203 00");
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.tag, 0x1f818203);
	in = hx(&b, "1F81828304 00");
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_E_PARSE);
	carta_buf_free(&b);
}

static void test_long_lengths(void **state)
{
	struct carta_buf b = { 0 }, v = { 0 };
	struct carta_bytes in;
	struct carta_tlv t;
	size_t i;

	(void)state;
	for (i = 0; i < 70000; i++)
		assert_int_equal(carta_buf_append_byte(&v, (uint8_t)i), CARTA_OK);
	/* 81 80 */
	in = hx(&b, "04 8180");
	assert_int_equal(carta_buf_append(&b, v.p, 0x80), CARTA_OK);
	in = carta_buf_view(&b);
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.value.len, 0x80);
	assert_int_equal(t.raw.len, 0x83);
	/* 82 01 00 */
	in = hx(&b, "04 820100");
	assert_int_equal(carta_buf_append(&b, v.p, 0x100), CARTA_OK);
	in = carta_buf_view(&b);
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.value.len, 0x100);
	/* 83 01 11 70 */
	in = hx(&b, "04 83011170");
	assert_int_equal(carta_buf_append(&b, v.p, 0x11170), CARTA_OK);
	in = carta_buf_view(&b);
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.value.len, 0x11170);
	assert_memory_equal(t.value.p, v.p, 0x11170);
	/* non-minimal 81 05 accepted */
	in = hx(&b, "04 8105 0102030405");
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.value.len, 5);
	/* 84 with a huge length runs past the input */
	in = hx(&b, "04 84FFFFFFFF 00");
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_E_PARSE);
	carta_buf_free(&b);
	carta_buf_free(&v);
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"30 80 0400 0000",   /* indefinite length */
		"04 85 0000000001 00", /* 5 length bytes */
		"04 FF",             /* reserved length byte */
		"04 05 010203",      /* value past the end */
		"04 82 01",          /* truncated length */
		"04",                /* missing length */
		"5F",                /* truncated tag */
		"5F 81",             /* truncated tag continuation */
	};
	struct carta_buf b = { 0 };
	struct carta_bytes in;
	struct carta_tlv t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in = hx(&b, bad[i]);
		assert_int_equal(carta_tlv_next(&in, &t), CARTA_E_PARSE);
		in = hx(&b, bad[i]);
		assert_int_equal(carta_tlv_validate(in, CARTA_TLV_MAX_DEPTH), CARTA_E_PARSE);
	}
	carta_buf_free(&b);
}

static void test_empty_and_zero_length(void **state)
{
	struct carta_buf b = { 0 };
	struct carta_bytes in = { NULL, 0 };
	struct carta_tlv t;

	(void)state;
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_E_PARSE);
	assert_int_equal(carta_tlv_validate(in, 4), CARTA_OK);
	assert_int_equal(carta_tlv_find(in, 0x80, &t), CARTA_E_FILE_NOT_FOUND);
	in = hx(&b, "80 00 81 00 A1 00");
	assert_int_equal(carta_tlv_validate(in, 4), CARTA_OK);
	assert_int_equal(carta_tlv_find(in, 0x81, &t), CARTA_OK);
	assert_int_equal(t.value.len, 0);
	assert_int_equal(t.raw.len, 2);
	assert_ptr_equal(t.raw.p, b.p + 2);
	carta_buf_free(&b);
}

static void test_depth_limit(void **state)
{
	struct carta_buf b = { 0 };
	struct carta_bytes in;

	(void)state;
	/* three levels: 30 { 31 { 04 } } */
	in = hx(&b, "30 05 31 03 04 01 AA");
	assert_int_equal(carta_tlv_validate(in, 3), CARTA_OK);
	assert_int_equal(carta_tlv_validate(in, 2), CARTA_E_PARSE);
	assert_int_equal(carta_tlv_validate(in, 0), CARTA_E_PARSE);
	/* a malformed child of a constructed TLV is found */
	in = hx(&b, "30 04 31 03 04 01");
	assert_int_equal(carta_tlv_validate(in, 3), CARTA_E_PARSE);
	/* primitive values are not descended into */
	in = hx(&b, "04 02 3080");
	assert_int_equal(carta_tlv_validate(in, 1), CARTA_OK);
	carta_buf_free(&b);
}

static void test_find_path(void **state)
{
	static const uint32_t path[] = { 0x70, 0xbfa101, 0x5f20 };
	static const uint32_t missing[] = { 0x70, 0x5f20 };
	struct carta_buf b = { 0 };
	struct carta_bytes in;
	struct carta_tlv t;

	(void)state;
	in = hx(&b, "6F 00 70 0D 5F20 01 11 BFA101 05 5F20 02 2233 5F20 01 44");
	assert_int_equal(carta_tlv_find_path(in, path, 3, &t), CARTA_OK);
	assert_int_equal(t.tag, 0x5f20);
	assert_int_equal(t.value.len, 2);
	assert_int_equal(t.value.p[0], 0x22);
	assert_int_equal(carta_tlv_find_path(in, path, 1, &t), CARTA_OK);
	assert_int_equal(t.value.len, 13);
	/* find is one level only: the first 5F20 inside 70 */
	assert_int_equal(carta_tlv_find_path(in, missing, 2, &t), CARTA_OK);
	assert_int_equal(t.value.p[0], 0x11);
	assert_int_equal(carta_tlv_find(in, 0x5f20, &t), CARTA_OK);
	assert_int_equal(t.value.p[0], 0x44);
	assert_int_equal(carta_tlv_find(in, 0x99, &t), CARTA_E_FILE_NOT_FOUND);
	assert_int_equal(carta_tlv_find_path(in, path, 0, &t), CARTA_E_ARGS);
	/* a malformed TLV before the wanted one is a parse error */
	in = hx(&b, "01 81 5F20 01 44");
	assert_int_equal(carta_tlv_find(in, 0x5f20, &t), CARTA_E_PARSE);
	carta_buf_free(&b);
}

static void test_builders(void **state)
{
	static const size_t lens[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000 };
	static const char *const hdr[] = { "0400", "0401", "047F", "048180", "0481FF",
	                                   "04820100", "0482FFFF", "0483010000" };
	struct carta_buf b = { 0 }, want = { 0 }, v = { 0 };
	struct carta_bytes in;
	struct carta_tlv t;
	size_t i;

	(void)state;
	assert_int_equal(carta_buf_reserve(&v, 0x10000), CARTA_OK);
	memset(v.p, 0xa5, 0x10000);
	v.len = 0x10000;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		carta_buf_clear(&b);
		assert_int_equal(carta_tlv_put_header(&b, 0x04, lens[i]), CARTA_OK);
		hx(&want, hdr[i]);
		assert_int_equal(b.len, want.len);
		assert_memory_equal(b.p, want.p, want.len);
		carta_buf_clear(&b);
		assert_int_equal(carta_tlv_put(&b, 0x5f20, v.p, lens[i]), CARTA_OK);
		in = carta_buf_view(&b);
		assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
		assert_int_equal(t.tag, 0x5f20);
		assert_int_equal(t.value.len, lens[i]);
		assert_int_equal(in.len, 0);
	}
	/* multi-byte tags are written big-endian, nested round trip */
	carta_buf_clear(&b);
	assert_int_equal(carta_tlv_put_header(&b, 0xbfa101, 6), CARTA_OK);
	assert_int_equal(carta_tlv_put(&b, 0x7f49, (const uint8_t *)"\x81\x01\x01", 3), CARTA_OK);
	hx(&want, "BFA101 06 7F49 03 810101");
	assert_int_equal(b.len, want.len);
	assert_memory_equal(b.p, want.p, want.len);
	assert_int_equal(carta_tlv_validate(carta_buf_view(&b), 3), CARTA_OK);
	carta_buf_free(&b);
	carta_buf_free(&want);
	carta_buf_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multibyte_tags),
		cmocka_unit_test(test_long_lengths),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_empty_and_zero_length),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_find_path),
		cmocka_unit_test(test_builders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
