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

/* What each family puts in its historical bytes (docs/reference/cie.md 1.1, the
 * pattern bytes of the official table, index into chips[]). Searched in the
 * historical bytes (ISO/IEC 7816-3, carta_atr_hist) of an ATR no row matched:
 * some readers build the ATR with interface bytes of their own (3B FE 91 00
 * FF 91 81 71 FE 40 ... in smartcard_list.txt, a CIE of Parma) around what the
 * card sent. The Gemalto signatures stop at the IAS-ECC product bytes
 * (65 B0 85 0x 00): the Parma ATR has no EF after them. Foreign IAS-ECC cards
 * share those bytes, so these only get the card probed. */
static const struct {
	const char *sig;
	size_t chip;
} sigs[] = {
	{ "65 49 54 4E 58 50", 0 },
	{ "65 B0 85 04 00", 1 },
	{ "65 B0 85 03 00", 2 },
	{ "66 47 50 00 B8 00 7F", 3 },
	{ "66 47 50 00 B8 00 94", 4 },
	{ "65 49 54 4A 34 41", 5 },
	{ "65 49 54 4A 34 43", 6 },
	{ "65 49 54 4A 34 42", 7 },
	{ "65 49 54 4A 34 44", 8 },
	{ "65 49 54 4A 34 49", 9 },
	{ "65 49 54 4A 34 4C", 10 },
};

static bool contains(const uint8_t *h, size_t hn, const char *hex)
{
	struct carta_buf b = { 0 };
	bool found = false;

	if (carta_hex_decode(hex, strlen(hex), &b) == CARTA_OK && b.len > 0)
		for (size_t i = 0; i + b.len <= hn && !found; i++)
			found = memcmp(h + i, b.p, b.len) == 0;
	carta_buf_free(&b);
	return found;
}

static const struct carta_cie_chip *chip_by_hist(const uint8_t *atr, size_t n)
{
	const uint8_t *h;
	size_t hn;

	if (carta_atr_hist(atr, n, &h, &hn) != CARTA_OK)
		return NULL;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (contains(h, hn, sigs[i].sig))
			return &chips[sigs[i].chip];
	return NULL;
}

const struct carta_cie_chip *carta_cie_chip_for_atr(const uint8_t *atr, size_t n)
{
	const struct carta_cie_chip *chip;
	size_t i;

	if (!atr)
		return NULL;
	for (i = 0; carta_cie_atrs[i].value; i++)
		if (row_matches(&carta_cie_atrs[i], atr, n))
			return &chips[i];
	if (n == sizeof(bare_stm2) && memcmp(atr, bare_stm2, n) == 0)
		return &chip_stm2;
	chip = chip_by_hist(atr, n);
	if (chip)
		return chip;
	if (carta_atr_contactless(atr, n))
		return &chip_generic;
	return NULL;
}

/* Only for ATRs no row matched (the registry asks the table first): the bare
 * STM2 ATR and a family's historical bytes in another ATR get the probe
 * score, any other contactless ATR one less, so that a driver with a closer
 * guess is probed first. */
int carta_cie_match(const uint8_t *atr, size_t n)
{
	const struct carta_cie_chip *chip = carta_cie_chip_for_atr(atr, n);

	for (size_t i = 0; atr && carta_cie_atrs[i].value; i++)
		if (row_matches(&carta_cie_atrs[i], atr, n))
			return 0;
	if (chip == &chip_generic)
		return CARTA_SCORE_PROBE - 1;
	return chip ? CARTA_SCORE_PROBE : 0;
}
