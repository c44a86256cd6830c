/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 recognition by ATR (docs/reference/cie.md 1.1). The official middleware
 * matches a multiset of pattern bytes, which lets "80 80 01 01" claim almost
 * any card; here every row is the full PC/SC-synthesised ATR (3B 8n 80 01
 * <historical bytes> TCK) compared under a mask. Where the official pattern
 * covered only the leading historical bytes (NXP, Gemalto, Gemalto2, STM) the
 * bytes after it, and so the TCK, are masked out; the JCOP4 rows are exact. */
#include <string.h>

#include "cards/cie/cie.h"
#include "util/hex.h"

#define PRIO_EXACT 50

/* Index i of chips[] describes row i of carta_cie_atrs[]. */
static const struct carta_cie_chip chips[] = {
	{ "NXP", true, false },
	{ "Gemalto", false, true },
	{ "Gemalto2", false, false },
	{ "STM", false, false },
	{ "STM3", false, false },
	{ "Actalis", true, false },
	{ "Actalis 2023", true, false },
	{ "Bit4id", true, false },
	{ "Bit4id 2023", true, false },
	{ "Bit4id B9547", true, false },
	{ "Actalis B946", true, false },
};

/* The bare NFC ATR "3B 80 80 01 01" (no historical bytes) is what some
 * readers synthesise for STM2 cards, and also for CNS ST2022 over NFC: only
 * the probe can decide (docs/reference/cie.md 1.1). */
static const struct carta_cie_chip chip_stm2 = { "STM2", false, false };
/* Another contactless ATR: a newer chip batch (docs/reference/cie.md 6.4: the tables lag).
 * The probe tries the IAS AID first and falls back to 00 A4 00 00. */
static const struct carta_cie_chip chip_generic = { "unknown chip", false, false };

#define M13 "FF FF FF FF FF FF FF FF FF FF FF FF FF"

const struct carta_atr_row carta_cie_atrs[] = {
	{ "3B 8E 80 01 80 31 80 65 49 54 4E 58 50 12 0F FF 82 90 F0",
	  M13 " 00 00 00 00 00 00", PRIO_EXACT, "CIE 3.0 (NXP)" },
	{ "3B 8F 80 01 80 31 80 65 B0 85 04 00 11 12 0F FF 82 90 00 8A",
	  M13 " 00 00 00 00 00 00 00", PRIO_EXACT, "CIE 3.0 (Gemalto)" },
	{ "3B 8F 80 01 80 31 80 65 B0 85 03 00 EF 12 0F FF 82 90 00 73",
	  M13 " 00 00 00 00 00 00 00", PRIO_EXACT, "CIE 3.0 (Gemalto2)" },
	{ "3B 8B 80 01 80 66 47 50 00 B8 00 7F 82 90 00 2E",
	  "FF FF FF FF FF FF FF FF FF FF FF FF 00 00 00 00", PRIO_EXACT, "CIE 3.0 (STM)" },
	{ "3B 8B 80 01 80 66 47 50 00 B8 00 94 82 90 00 C5", NULL, PRIO_EXACT,
	  "CIE 3.0 (STM3)" },
	{ "3B 8F 80 01 80 31 80 65 49 54 4A 34 41 12 0F FF 82 90 00 88", NULL, PRIO_EXACT,
	  "CIE 3.0 (Actalis)" },
	{ "3B 8F 80 01 80 31 80 65 49 54 4A 34 43 12 0F FF 82 90 00 8A", NULL, PRIO_EXACT,
	  "CIE 3.0 (Actalis 2023)" },
	{ "3B 8F 80 01 80 31 80 65 49 54 4A 34 42 12 0F FF 82 90 00 8B", NULL, PRIO_EXACT,
	  "CIE 3.0 (Bit4id)" },
	{ "3B 8F 80 01 80 31 80 65 49 54 4A 34 44 12 0F FF 82 90 00 8D", NULL, PRIO_EXACT,
	  "CIE 3.0 (Bit4id 2023)" },
	{ "3B 8F 80 01 80 31 80 65 49 54 4A 34 49 12 0F FF 82 90 00 80", NULL, PRIO_EXACT,
	  "CIE 3.0 (Bit4id B9547)" },
	{ "3B 8F 80 01 80 31 80 65 49 54 4A 34 4C 12 0F FF 82 90 00 85", NULL, PRIO_EXACT,
	  "CIE 3.0 (Actalis B946)" },
	{ NULL, NULL, 0, NULL },
};

static const uint8_t bare_stm2[] = { 0x3b, 0x80, 0x80, 0x01, 0x01 };

static bool row_matches(const struct carta_atr_row *r, const uint8_t *atr, size_t n)
{
	struct carta_buf v = { 0 }, m = { 0 };
	bool ok = false;

	if (carta_hex_decode(r->value, strlen(r->value), &v) != CARTA_OK || v.len != n)
		goto out;
	if (r->mask && carta_hex_decode(r->mask, strlen(r->mask), &m) != CARTA_OK)
		goto out;
	if (r->mask && m.len != n)
		goto out;
	ok = true;
	for (size_t i = 0; i < n && ok; i++) {
		uint8_t mk = r->mask ? m.p[i] : 0xffu;

		ok = (atr[i] & mk) == (v.p[i] & mk);
	}
out:
	carta_buf_free(&v);
	carta_buf_free(&m);
	return ok;
}

/* PC/SC part 3 3.1.3.2.3: a contactless card's ATR is 3B 8n 80 01 ... */
static bool contactless(const uint8_t *atr, size_t n)
{
	return n >= 5 && atr[0] == 0x3b && (atr[1] & 0xf0u) == 0x80 && atr[2] == 0x80 &&
	       atr[3] == 0x01;
}

const struct carta_cie_chip *carta_cie_chip_for_atr(const uint8_t *atr, size_t n)
{
	size_t i;

	if (!atr)
		return NULL;
	for (i = 0; carta_cie_atrs[i].value; i++)
		if (row_matches(&carta_cie_atrs[i], atr, n))
			return &chips[i];
	if (n == sizeof(bare_stm2) && memcmp(atr, bare_stm2, n) == 0)
		return &chip_stm2;
	if (contactless(atr, n))
		return &chip_generic;
	return NULL;
}

/* Only for ATRs no row matched (the registry asks the table first): the bare
 * STM2 ATR gets the probe score, any other contactless ATR one less, so that
 * a driver with a closer guess is probed first. */
int carta_cie_match(const uint8_t *atr, size_t n)
{
	const struct carta_cie_chip *chip = carta_cie_chip_for_atr(atr, n);

	if (chip == &chip_stm2)
		return CARTA_SCORE_PROBE;
	if (chip == &chip_generic)
		return CARTA_SCORE_PROBE - 1;
	return 0;
}
