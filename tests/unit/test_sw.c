/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "apdu/sw.h"

static void test_mapping(void **state)
{
	static const struct {
		uint16_t sw;
		enum carta_err e;
	} cases[] = {
		{ 0x9000, CARTA_OK }, { 0x6100, CARTA_OK }, { 0x61ff, CARTA_OK },
		{ 0x6282, CARTA_E_EOF }, { 0x63c0, CARTA_E_PIN_INCORRECT },
		{ 0x63c3, CARTA_E_PIN_INCORRECT }, { 0x6300, CARTA_E_PIN_INCORRECT },
		{ 0x6581, CARTA_E_CARD_MEMORY }, { 0x6501, CARTA_E_CARD_MEMORY },
		{ 0x6700, CARTA_E_WRONG_LENGTH }, { 0x6881, CARTA_E_FUNC_NOT_SUPPORTED },
		{ 0x6882, CARTA_E_FUNC_NOT_SUPPORTED }, { 0x6884, CARTA_E_FUNC_NOT_SUPPORTED },
		{ 0x6982, CARTA_E_SECURITY_STATUS }, { 0x6983, CARTA_E_PIN_BLOCKED },
		{ 0x6984, CARTA_E_DATA_INVALID }, { 0x6985, CARTA_E_COND_NOT_SATISFIED },
		{ 0x6986, CARTA_E_COND_NOT_SATISFIED }, { 0x6987, CARTA_E_SM },
		{ 0x6988, CARTA_E_SM }, { 0x6a80, CARTA_E_DATA_INVALID },
		{ 0x6a81, CARTA_E_FUNC_NOT_SUPPORTED }, { 0x6a82, CARTA_E_FILE_NOT_FOUND },
		{ 0x6a83, CARTA_E_REF_NOT_FOUND }, { 0x6a88, CARTA_E_REF_NOT_FOUND },
		{ 0x6a86, CARTA_E_WRONG_PARAMS }, { 0x6a87, CARTA_E_WRONG_PARAMS },
		{ 0x6a00, CARTA_E_WRONG_PARAMS }, { 0x6b00, CARTA_E_WRONG_PARAMS },
		{ 0x6d00, CARTA_E_INS_NOT_SUPPORTED }, { 0x6e00, CARTA_E_CLA_NOT_SUPPORTED },
		{ 0x6f00, CARTA_E_CARD }, { 0x6400, CARTA_E_CARD }, { 0x9001, CARTA_E_CARD },
		{ 0x0000, CARTA_E_CARD }, { 0x6d01, CARTA_E_CARD },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (carta_sw_to_err(cases[i].sw) != cases[i].e)
			fail_msg("SW %04X -> %d, want %d", cases[i].sw, carta_sw_to_err(cases[i].sw),
			         cases[i].e);
	}
}

static void test_tries(void **state)
{
	(void)state;
	assert_int_equal(carta_sw_tries(0x63c0), 0);
	assert_int_equal(carta_sw_tries(0x63c2), 2);
	assert_int_equal(carta_sw_tries(0x63cf), 15);
	assert_int_equal(carta_sw_tries(0x6300), -1);
	assert_int_equal(carta_sw_tries(0x9000), -1);
	assert_int_equal(carta_sw_tries(0x6983), -1);
}

/* The SW classes the CNS PIN code asks about (docs/reference/cns.md 1.6). */
static void test_ref_classes(void **state)
{
	(void)state;
	assert_true(carta_sw_no_ref_data(0x6a88));
	assert_false(carta_sw_no_ref_data(0x6a83));
	assert_false(carta_sw_no_ref_data(0x63c2));
	assert_true(carta_sw_ref_refused(0x6a88));
	assert_true(carta_sw_ref_refused(0x6a86));
	assert_true(carta_sw_ref_refused(0x6d00));
	assert_false(carta_sw_ref_refused(0x6a87));
	assert_false(carta_sw_ref_refused(0x6983));
	assert_false(carta_sw_ref_refused(0x9000));
}

static void test_str(void **state)
{
	(void)state;
	assert_string_equal(carta_sw_str(0x9000), "success");
	assert_non_null(strstr(carta_sw_str(0x6a82), "not found"));
	assert_string_equal(carta_sw_str(0x1234), "unknown status word");
	assert_string_equal(carta_err_str(CARTA_E_PIN_BLOCKED), "PIN blocked");
	assert_string_equal(carta_err_str((enum carta_err)999), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapping),
		cmocka_unit_test(test_tries),
		cmocka_unit_test(test_ref_classes),
		cmocka_unit_test(test_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
