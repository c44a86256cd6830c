/* SPDX-License-Identifier: BSD-3-Clause */
/* ATR coverage: every CNS ATR of docs/reference/cns.md 2.3 and 2.4 is claimed by
 * exactly one driver; the non-CNS Italian ATRs and the CIE 3.0 ATRs of
 * docs/reference/cie.md 1.1 by none of the CNS drivers; bare NFC ATRs go to probing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cards/registry.h"
#include "cards/cns/cns.h"
#include "util/hex.h"

struct want {
	const char *atr;
	const char *driver;
};

/* docs/reference/cns.md 2.3 (contact) and 2.4 (contactless), with the driver expected. */
static const struct want cns_atrs[] = {
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 01 11 01 43 4E 53 11 31 80 8D", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 17 17 01 11 01 43 4E 53 11 31 80 8C", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 13 01 01 11 01 43 4E 53 11 31 80 9E", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 03 03 01 11 01 43 4E 53 11 31 80 8C", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 11 01 43 4E 53 11 31 80 8E", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 11 01 43 4E 53 10 31 80 8F", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 01 01 43 4E 53 10 31 80 9F", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 03 03 01 01 01 43 4E 53 10 31 80 9D", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 43 4E 53 10 31 80 9A", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 13 03 01 01 01 43 4E 53 10 31 80 8D", "cns" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 04 03 01 01 01 43 4E 53 10 31 80 65", "cns" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 05 03 01 01 01 43 4E 53 10 31 80 64", "cns" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 07 03 01 01 01 43 4E 53 10 31 80 66", "cns" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 14 03 01 01 01 43 4E 53 10 31 80 75", "cns" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 16 13 01 01 01 43 4E 53 10 31 80 67", "cns" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 17 17 01 01 01 43 4E 53 10 31 80 62", "cns" },
	{ "3B FF 96 00 00 81 31 FE 55 00 6B 02 09 04 03 01 01 01 43 4E 53 10 31 80 EB", "cns" },
	{ "3B FF 96 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 43 4E 53 10 31 80 14", "cns" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 91 20 01 F1 01 43 4E 53 10 31 80 38", "cns-idemia" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 20 00 01 F1 01 43 4E 53 10 31 80 A9", "cns-idemia" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 20 00 01 21 01 43 4E 53 10 31 80 79", "cns-idemia" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 10 17 01 21 01 43 4E 53 10 31 80 5E", "cns" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 21 01 43 4E 53 10 31 80 59", "cns" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 11 01 43 4E 53 10 31 80 69", "cns" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 11 05 07 00 01 11 01 43 4E 53 11 31 80 7B", "cns" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 11 05 07 00 01 21 01 43 4E 53 10 31 80 4A", "cns" },
	{ "3B FF 18 00 FF 81 31 FE 4D 00 6B 04 04 B8 5B 01 F1 01 43 4E 53 10 31 80 9D", "cns-applet" },
	{ "3B DF 18 00 81 31 FE 7D 00 6B 02 0C 01 82 01 11 01 43 4E 53 10 31 80 FC", "cns" },
	{ "3B DF 18 00 81 31 FE 7D 00 6B 04 0C 01 84 01 11 01 43 4E 53 10 31 80 FC", "cns" },
	{ "3B DF 18 00 81 31 FE 7D 00 6B 15 0C 01 80 01 11 01 43 4E 53 10 31 80 E9", "cns" },
	{ "3B DF 18 00 81 31 FE 7D 00 6B 15 0C 01 81 01 11 01 43 4E 53 10 31 80 E8", "cns" },
	{ "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 05 01 11 01 43 4E 53 10 31 80 0C", "cns" },
	{ "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 09 01 11 01 43 4E 53 10 31 80 00", "cns" },
	{ "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 0A 01 11 01 43 4E 53 10 31 80 03", "cns" },
	{ "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 0C 01 11 01 43 4E 53 10 31 80 05", "cns" },
	/* 2.4 contactless */
	{ "3B 8B 80 01 00 31 C1 64 08 92 33 54 00 90 00 F3", "cns-idemia" },
	{ "3B 8B 80 01 00 31 C1 64 09 29 14 54 00 90 00 6E", "cns-idemia" },
	{ "3B 88 80 01 00 00 00 00 03 81 91 00 1A", "cns" },
	{ "3B 88 80 01 00 00 00 00 33 81 91 00 2A", "cns" },
	{ "3B 88 80 01 00 00 00 00 F7 81 C1 00 BE", "cns" },
	{ "3B 88 80 01 30 AB AB 01 77 81 B7 00 79", "cns" },
	{ "3B 88 80 01 30 AB AB 01 77 81 B7 10 69", "cns" },
	/* a type-B variant "3B 8C 80 01 50 ..." (only the prefix is in 2.4) */
	{ "3B 8C 80 01 50 12 34 56 78 00 00 00 00 00 81 81 2A", "cns" },
};

/* Not CNS (docs/reference/cns.md 2.3 "related non-CNS", 1.13) and CIE 3.0 (docs/reference/cie.md 1.1). */
static const char *const not_cns[] = {
	"3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 12 02 48 50 43 10 31 80 6C", /* HPC: probe */
	"3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 21 01 43 49 45 10 31 80 48", /* hybrid: probe */
	"3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 44 53 44 10 31 80 97", /* DSD */
	"3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 13 03 01 00 01 50 53 45 10 31 80 94", /* PSE */
	"3B FF 18 00 00 81 31 FE 45 00 6B 15 0C 03 02 01 01 01 42 34 44 10 31 80 0D", /* B4D */
	"3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 01 01 44 53 44 10 31 80 92", /* Incrypto34 DSD */
	"3B F4 18 00 FF 81 31 80 55 00 31 80 00 C7",                                   /* CIE v1 */
	"3B E9 00 FF C1 10 31 FE 55 00 64 05 00 C8 02 31 80 00 47",                    /* CIE CardOS */
	"3B FC 98 00 FF C1 10 31 FE 55 C8 03 49 6E 66 6F 63 61 6D 65 72 65 28",       /* Infocamere */
	/* CIE 3.0, docs/reference/cie.md 1.1 */
	"3B 8E 80 01 80 31 80 65 49 54 4E 58 50 12 0F FF 82 90 F0",
	"3B 8F 80 01 80 31 80 65 B0 85 04 00 11 12 0F FF 82 90 00 8A",
	"3B 8F 80 01 80 31 80 65 B0 85 03 00 EF 12 0F FF 82 90 00 73",
	"3B 8B 80 01 80 66 47 50 00 B8 00 7F 82 90 00 2E",
	"3B 8B 80 01 80 66 47 50 00 B8 00 94 82 90 00 C5",
	"3B 8F 80 01 80 31 80 65 49 54 4A 34 41 12 0F FF 82 90 00 88",
	"3B 8F 80 01 80 31 80 65 49 54 4A 34 43 12 0F FF 82 90 00 8A",
	"3B 8F 80 01 80 31 80 65 49 54 4A 34 42 12 0F FF 82 90 00 8B",
	"3B 8F 80 01 80 31 80 65 49 54 4A 34 44 12 0F FF 82 90 00 8D",
	"3B 8F 80 01 80 31 80 65 49 54 4A 34 49 12 0F FF 82 90 00 80",
	"3B 8F 80 01 80 31 80 65 49 54 4A 34 4C 12 0F FF 82 90 00 85",
	"3B 80 80 01 01",   /* CIE STM2; also ST2022 over NFC: probe only */
};

static const struct carta_card_driver *const cns_drivers[] = {
	&carta_cns_classic_driver, &carta_cns_idemia_driver, &carta_cns_applet_driver,
};

static size_t decode(const char *hex, uint8_t *out)
{
	struct carta_buf b;
	size_t n;

	carta_buf_init(&b);
	assert_int_equal(carta_hex_decode(hex, strlen(hex), &b), CARTA_OK);
	assert_true(b.len <= 33);
	memcpy(out, b.p, b.len);
	n = b.len;
	carta_buf_free(&b);
	return n;
}

static void test_every_cns_atr_one_driver(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cns_atrs) / sizeof(cns_atrs[0]); i++) {
		uint8_t atr[33];
		size_t n = decode(cns_atrs[i].atr, atr);
		const struct carta_atr_row *row;
		const char *name = carta_atr_driver(atr, n);
		int claims = 0;

		for (size_t d = 0; carta_card_drivers[d]; d++)
			if (carta_atr_score(carta_card_drivers[d], atr, n, &row) >= CARTA_SCORE_CLAIM)
				claims++;
		if (claims != 1 || !name || strcmp(name, cns_atrs[i].driver) != 0)
			fail_msg("%s: %d claims, driver %s (want %s)", cns_atrs[i].atr, claims,
			         name ? name : "none", cns_atrs[i].driver);
	}
}

static void test_not_cns_unclaimed(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(not_cns) / sizeof(not_cns[0]); i++) {
		uint8_t atr[33];
		size_t n = decode(not_cns[i], atr);
		const struct carta_atr_row *row;

		for (size_t d = 0; d < sizeof(cns_drivers) / sizeof(cns_drivers[0]); d++) {
			int s = carta_atr_score(cns_drivers[d], atr, n, &row);

			if (s >= CARTA_SCORE_CLAIM)
				fail_msg("%s claimed by %s (score %d)", not_cns[i], cns_drivers[d]->name, s);
		}
	}
}

/* Only the bare ATR reaches a CNS driver, and then only for a probe. */
static void test_cie_atrs_not_even_probed(void **state)
{
	(void)state;
	for (size_t i = 9; i + 1 < sizeof(not_cns) / sizeof(not_cns[0]); i++) {
		uint8_t atr[33];
		size_t n = decode(not_cns[i], atr);
		const struct carta_atr_row *row;

		for (size_t d = 0; d < sizeof(cns_drivers) / sizeof(cns_drivers[0]); d++)
			assert_int_equal(carta_atr_score(cns_drivers[d], atr, n, &row), 0);
	}
}

static void test_bare_nfc_goes_to_probe(void **state)
{
	static const uint8_t bare[] = { 0x3b, 0x80, 0x80, 0x01, 0x01 };
	const struct carta_atr_row *row;
	int s;

	(void)state;
	s = carta_atr_score(&carta_cns_applet_driver, bare, sizeof(bare), &row);
	assert_true(s > 0 && s < CARTA_SCORE_CLAIM);
	assert_null(row);
	/* the J-Sign probe comes before the classic file-system probe */
	assert_true(s > carta_atr_score(&carta_cns_classic_driver, bare, sizeof(bare), &row));
	/* nobody names it from the ATR alone */
	assert_null(carta_atr_driver(bare, sizeof(bare)));
}

/* The CNS grammar heuristic (docs/reference/cns.md 1.2) for an unlisted lot. */
static void test_grammar_heuristic(void **state)
{
	uint8_t atr[33];
	size_t n;
	const uint8_t *h;

	(void)state;
	/* an ST lot not in the tables (OS 2222) */
	n = decode("3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 22 22 01 11 01 43 4E 53 11 31 80 00", atr);
	assert_string_equal(carta_atr_driver(atr, n), "cns");
	h = carta_cns_hist(atr, n);
	assert_non_null(h);
	assert_int_equal(h[12], 0x11);
	/* an IDEMIA 2021 lot not in the tables (OS 0x30) */
	n = decode("3B FF 18 00 00 81 31 FE 45 00 6B 05 05 30 00 01 21 01 43 4E 53 10 31 80 00", atr);
	assert_string_equal(carta_atr_driver(atr, n), "cns-idemia");
	/* same grammar, application "CIE": nobody */
	n = decode("3B FF 18 00 00 81 31 FE 45 00 6B 05 05 30 00 01 21 01 43 49 45 10 31 80 00", atr);
	assert_null(carta_atr_driver(atr, n));
	/* truncated ATR: historical bytes missing */
	n = decode("3B FF 18 00 FF 81 31 FE 55 00 6B 02 09", atr);
	assert_null(carta_atr_driver(atr, n));
	assert_null(carta_atr_driver(atr, 0));
}

static void test_hist_bytes(void **state)
{
	uint8_t atr[33];
	size_t n, hl = 0;
	const uint8_t *h = NULL;

	(void)state;
	n = decode("3B DF 18 00 81 31 FE 7D 00 6B 02 0C 01 82 01 11 01 43 4E 53 10 31 80 FC", atr);
	assert_int_equal(carta_atr_hist(atr, n, &h, &hl), CARTA_OK);
	assert_int_equal(hl, 15);
	assert_int_equal(h[0], 0x00);
	assert_int_equal(h[3], 0x0c);
	n = decode("3B 80 80 01 01", atr);
	assert_int_equal(carta_atr_hist(atr, n, &h, &hl), CARTA_OK);
	assert_int_equal(hl, 0);
	assert_int_equal(carta_atr_hist(atr, 3, &h, &hl), CARTA_E_PARSE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_cns_atr_one_driver),
		cmocka_unit_test(test_not_cns_unclaimed),
		cmocka_unit_test(test_cie_atrs_not_even_probed),
		cmocka_unit_test(test_bare_nfc_goes_to_probe),
		cmocka_unit_test(test_grammar_heuristic),
		cmocka_unit_test(test_hist_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
