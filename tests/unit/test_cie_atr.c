/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 ATR table (docs/reference/cie.md 1.1): every row is a well-formed
 * PC/SC contactless ATR with a correct TCK, maps to the right chip family,
 * and the loose multiset match of the official middleware is not copied. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cards/cie/cie.h"
#include "util/hex.h"

static size_t hex(const char *s, uint8_t *out, size_t cap)
{
	struct carta_buf b = { 0 };
	size_t n;

	assert_int_equal(carta_hex_decode(s, strlen(s), &b), CARTA_OK);
	assert_true(b.len <= cap);
	memcpy(out, b.p, b.len);
	n = b.len;
	carta_buf_free(&b);
	return n;
}

static void test_rows_well_formed(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; carta_cie_atrs[i].value; i++) {
		uint8_t atr[33], tck = 0;
		size_t n = hex(carta_cie_atrs[i].value, atr, sizeof(atr));
		const struct carta_cie_chip *chip;

		/* 3B 8K 80 01 <K historical bytes> TCK (PC/SC part 3) */
		assert_int_equal(atr[0], 0x3b);
		assert_int_equal(atr[1] & 0xf0, 0x80);
		assert_int_equal(n, 5u + (atr[1] & 0x0fu));
		for (size_t j = 1; j < n; j++)
			tck ^= atr[j];
		assert_int_equal(tck, 0);
		assert_true(carta_cie_atrs[i].priority >= CARTA_SCORE_CLAIM);
		chip = carta_cie_chip_for_atr(atr, n);
		assert_non_null(chip);
		assert_non_null(strstr(carta_cie_atrs[i].family, chip->name));
		/* the exact rows are not probe-only */
		assert_int_equal(carta_cie_match(atr, n), 0);
	}
	assert_int_equal(i, 11);
}

static void test_families(void **state)
{
	uint8_t atr[33];
	size_t n;
	const struct carta_cie_chip *c;

	(void)state;
	n = hex("3B8E80018031806549544E5850120FFF8290F0", atr, sizeof(atr));
	c = carta_cie_chip_for_atr(atr, n);
	assert_string_equal(c->name, "NXP");
	assert_true(c->jcop);
	assert_false(c->dh_one_cmd);
	/* NXP: the official pattern is only the leading historical bytes, so a
	 * batch with other trailing bytes is still NXP */
	atr[15] = 0x00;
	atr[18] = 0x12;
	assert_string_equal(carta_cie_chip_for_atr(atr, n)->name, "NXP");

	n = hex("3B8F800180318065B08504001112 0FFF8290008A", atr, sizeof(atr));
	c = carta_cie_chip_for_atr(atr, n);
	assert_string_equal(c->name, "Gemalto");
	assert_false(c->jcop);
	assert_true(c->dh_one_cmd);

	n = hex("3B8B80018066475000B8007F8290002E", atr, sizeof(atr));
	assert_string_equal(carta_cie_chip_for_atr(atr, n)->name, "STM");
	n = hex("3B8B80018066475000B800948290 00C5", atr, sizeof(atr));
	assert_string_equal(carta_cie_chip_for_atr(atr, n)->name, "STM3");
	n = hex("3B8F8001803180654954 4A3449120FFF82900080", atr, sizeof(atr));
	c = carta_cie_chip_for_atr(atr, n);
	assert_string_equal(c->name, "Bit4id B9547");
	assert_true(c->jcop);
	/* JCOP4 rows are exact: a wrong TCK is not one of them, but the
	 * historical bytes still name the family, for the probe to confirm */
	atr[n - 1] ^= 0x01;
	assert_string_equal(carta_cie_chip_for_atr(atr, n)->name, "Bit4id B9547");
	assert_int_equal(carta_cie_match(atr, n), CARTA_SCORE_PROBE);
}

/* A reader that builds the ATR with interface bytes of its own around the
 * card's historical bytes (docs/reference/cie.md 1.1): the family comes from
 * the historical bytes (carta_atr_hist), and the CIE driver is only probed. */
static void test_reader_made_atr(void **state)
{
	uint8_t atr[33];
	size_t n;
	const struct carta_cie_chip *c;

	(void)state;
	/* NXP historical bytes (14) after 3B FE 91 00 FF 91 81 71 FE 40 00 */
	n = hex("3B FE 91 00 FF 91 81 71 FE 40 00 80 31 80 65 49 54 4E 58 50 12 0F FF 82 90 00",
	        atr, sizeof(atr));
	c = carta_cie_chip_for_atr(atr, n);
	assert_non_null(c);
	assert_string_equal(c->name, "NXP");
	assert_true(c->jcop);
	assert_int_equal(carta_cie_match(atr, n), CARTA_SCORE_PROBE);
	/* smartcard_list.txt (Debian pcsc-tools 1.6.2) L12914, CIE Comune di Parma */
	n = hex("3B FE 91 00 FF 91 81 71 FE 40 00 41 20 00 51 77 91 80 31 80 65 B0 85 03 00 FB",
	        atr, sizeof(atr));
	c = carta_cie_chip_for_atr(atr, n);
	assert_non_null(c);
	assert_string_equal(c->name, "Gemalto2");
	assert_int_equal(carta_cie_match(atr, n), CARTA_SCORE_PROBE);
	/* a contact ATR whose historical bytes are not a CIE's: nothing */
	n = hex("3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 03 03 01 01 01 43 4E 53 10 31 80 9D", atr,
	        sizeof(atr));
	assert_null(carta_cie_chip_for_atr(atr, n));
	assert_int_equal(carta_cie_match(atr, n), 0);
}

static void test_bare_and_foreign(void **state)
{
	uint8_t atr[33];
	size_t n;

	(void)state;
	/* bare NFC ATR: STM2 or CNS ST2022, only a probe decides */
	n = hex("3B 80 80 01 01", atr, sizeof(atr));
	assert_string_equal(carta_cie_chip_for_atr(atr, n)->name, "STM2");
	assert_int_equal(carta_cie_match(atr, n), CARTA_SCORE_PROBE);
	assert_true(carta_cie_match(atr, n) < CARTA_SCORE_CLAIM);
	/* another contactless card: probe, with the lowest score */
	n = hex("3B 88 80 01 00 00 00 00 00 00 00 00 09", atr, sizeof(atr));
	assert_int_equal(carta_cie_match(atr, n), CARTA_SCORE_PROBE - 1);
	/* a contact CNS card: never the CIE, although its bytes include two 80
	 * and two 01 (the official multiset match would say STM2) */
	n = hex("3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 01 01 44 53 44 10 31 80 92",
	        atr, sizeof(atr));
	assert_null(carta_cie_chip_for_atr(atr, n));
	assert_int_equal(carta_cie_match(atr, n), 0);
	assert_null(carta_cie_chip_for_atr(NULL, 0));
	assert_int_equal(carta_cie_match(atr, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_well_formed),
		cmocka_unit_test(test_families),
		cmocka_unit_test(test_reader_made_atr),
		cmocka_unit_test(test_bare_and_foreign),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
