/* SPDX-License-Identifier: BSD-3-Clause */
/* EF_Dati_personali parser (docs/reference/cns.md 1.9). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cards/cns/personal.h"

/* docs/reference/cns.md 1.9 synthetic example (spaces removed). */
static const char example[] =
	"00005F" "04" "6090" "08" "01012024" "08" "01012030" "05" "ROSSI" "05" "MARIO"
	"08" "01081985" "01" "M" "00" "10" "RSSMRA85M01H501Q" "00" "04" "H501" "00" "00"
	"04" "F205" "00" "00";

static enum carta_err parse(const char *s, size_t n, struct carta_holder *h)
{
	return carta_personal_parse((const uint8_t *)s, n, h);
}

static void test_example(void **state)
{
	struct carta_holder h;
	size_t need = 0;

	(void)state;
	assert_int_equal(strlen(example), 6 + 0x5f);
	assert_int_equal(parse(example, strlen(example), &h), CARTA_OK);
	assert_true(h.present);
	assert_string_equal(h.surname, "ROSSI");
	assert_string_equal(h.given_name, "MARIO");
	assert_string_equal(h.codice_fiscale, "RSSMRA85M01H501Q");
	assert_string_equal(h.birth_date, "01/08/1985");
	assert_string_equal(h.issue_date, "01/01/2024");
	assert_string_equal(h.expiry_date, "01/01/2030");
	assert_string_equal(h.sex, "M");
	assert_string_equal(h.issuer_code, "6090");
	assert_int_equal(carta_personal_needed((const uint8_t *)example, 6, &need), CARTA_OK);
	assert_int_equal(need, 101);
}

/* The real 400-byte file: the body followed by zero padding (docs/reference/cns.md 1.9). */
static void test_zero_padded_400(void **state)
{
	uint8_t file[400];
	struct carta_holder h;

	(void)state;
	memset(file, 0, sizeof(file));
	memcpy(file, example, strlen(example));
	assert_int_equal(carta_personal_parse(file, sizeof(file), &h), CARTA_OK);
	assert_string_equal(h.surname, "ROSSI");
	assert_string_equal(h.codice_fiscale, "RSSMRA85M01H501Q");
}

static void test_body_longer_than_file(void **state)
{
	struct carta_holder h;
	char buf[sizeof(example)];

	(void)state;
	/* announce one byte more than there is */
	memcpy(buf, example, sizeof(example));
	memcpy(buf, "000060", 6);
	assert_int_equal(parse(buf, strlen(buf), &h), CARTA_E_PARSE);
	assert_false(h.present);
	/* truncated file */
	assert_int_equal(parse(example, 50, &h), CARTA_E_PARSE);
	assert_int_equal(parse(example, 5, &h), CARTA_E_PARSE);
	assert_int_equal(parse(example, 0, &h), CARTA_E_PARSE);
	assert_int_equal(carta_personal_parse(NULL, 0, &h), CARTA_E_PARSE);
}

static void test_field_past_end(void **state)
{
	struct carta_holder h;
	/* surname length 0x20 runs past the 0x17-byte body */
	static const char bad[] = "000017" "04" "6090" "08" "01012024" "20" "ROSSI";

	(void)state;
	assert_int_equal(parse(bad, strlen(bad), &h), CARTA_E_PARSE);
	assert_false(h.present);
	assert_string_equal(h.issuer_code, "");
}

static void test_non_hex_lengths(void **state)
{
	struct carta_holder h;
	char buf[sizeof(example)];

	(void)state;
	memcpy(buf, example, sizeof(example));
	buf[3] = 'G';      /* body length */
	assert_int_equal(parse(buf, strlen(buf), &h), CARTA_E_PARSE);
	memcpy(buf, example, sizeof(example));
	buf[6] = 'x';      /* first field length */
	assert_int_equal(parse(buf, strlen(buf), &h), CARTA_E_PARSE);
	memcpy(buf, example, sizeof(example));
	buf[6 + 6 + 10 + 10] = ' ';   /* the surname length */
	assert_int_equal(parse(buf, strlen(buf), &h), CARTA_E_PARSE);
}

static void test_empty_fields(void **state)
{
	struct carta_holder h;
	/* only surname and CF present, every other field empty */
	static const char s[] = "000035" "00" "00" "00" "05" "BIANC" "00" "00" "00" "00"
	                        "10" "BNCLGU80A01H501X" "00" "00" "00" "00" "00" "00" "00";
	static const char none[] = "000020" "00000000000000000000000000000000";

	(void)state;
	assert_int_equal(strlen(s), 6 + 0x35);
	assert_int_equal(parse(s, strlen(s), &h), CARTA_OK);
	assert_string_equal(h.surname, "BIANC");
	assert_string_equal(h.given_name, "");
	assert_string_equal(h.birth_date, "");
	assert_string_equal(h.codice_fiscale, "BNCLGU80A01H501X");
	/* all fields empty: nothing identifies a holder */
	assert_int_equal(parse(none, strlen(none), &h), CARTA_E_PARSE);
	assert_false(h.present);
}

static void test_bad_values(void **state)
{
	struct carta_holder h;
	/* control character in the surname */
	static const char ctl[] = "00000B" "00" "00" "00" "03" "A\001B";
	/* codice fiscale longer than 16 */
	static const char cf[] = "000023" "00" "00" "00" "00" "00" "00" "00" "00"
	                         "11" "RSSMRA85M01H501QX";
	/* a date that is not DDMMYYYY stays unknown */
	static const char date[] = "000013" "00" "06" "1-1-24" "00" "05" "ROSSI";

	(void)state;
	assert_int_equal(parse(ctl, strlen(ctl), &h), CARTA_E_PARSE);
	assert_int_equal(parse(cf, strlen(cf), &h), CARTA_E_PARSE);
	assert_int_equal(parse(date, strlen(date), &h), CARTA_OK);
	assert_string_equal(h.issue_date, "");
	assert_string_equal(h.surname, "ROSSI");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_zero_padded_400),
		cmocka_unit_test(test_body_longer_than_file),
		cmocka_unit_test(test_field_past_end),
		cmocka_unit_test(test_non_hex_lengths),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_bad_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
