/* SPDX-License-Identifier: BSD-3-Clause */
/* Classic CNS / TS-CNS file-system cards: ST/Incard, Athena, Siemens/CardOS,
 * G&D, Oberthur/IDEMIA before 2021 (docs/reference/cns.md 1.4, 1.5, 2.3, 3.3). */
#include "cards/cns/cns.h"
#include "cards/iso7816.h"

#define P_ROW 100
#define P_NFC 40

/* docs/reference/cns.md 2.3, every CNS contact ATR but the IDEMIA 2021 and the applet ones. */
static const struct carta_atr_row rows[] = {
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 01 11 01 43 4E 53 11 31 80 8D", NULL, P_ROW, "TS-CNS ST 2021 (CNS 1.1)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 17 17 01 11 01 43 4E 53 11 31 80 8C", NULL, P_ROW, "CNS Trento CPS (CNS 1.1)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 13 01 01 11 01 43 4E 53 11 31 80 9E", NULL, P_ROW, "CNS Ministero della Difesa (CNS 1.1)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 03 03 01 11 01 43 4E 53 11 31 80 8C", NULL, P_ROW, "CNS Infocert (CNS 1.1)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 11 01 43 4E 53 11 31 80 8E", NULL, P_ROW, "CNS InfoCamere (CNS 1.1)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 11 01 43 4E 53 10 31 80 8F", NULL, P_ROW, "CRS Lombardia ST (CNS 1.0)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 01 01 43 4E 53 10 31 80 9F", NULL, P_ROW, "CNS InfoCamere (CNS 1.0)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 03 03 01 01 01 43 4E 53 10 31 80 9D", NULL, P_ROW, "CNS ST Incard (CNS 1.0)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 43 4E 53 10 31 80 9A", NULL, P_ROW, "CNS ST Incard (CNS 1.0)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 13 03 01 01 01 43 4E 53 10 31 80 8D", NULL, P_ROW, "CNS ST Incard (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 04 03 01 01 01 43 4E 53 10 31 80 65", NULL, P_ROW, "CNS Camera di Commercio (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 05 03 01 01 01 43 4E 53 10 31 80 64", NULL, P_ROW, "CNS ST Incard (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 07 03 01 01 01 43 4E 53 10 31 80 66", NULL, P_ROW, "CNS ST Incard (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 14 03 01 01 01 43 4E 53 10 31 80 75", NULL, P_ROW, "CNS Infocert (CNS 1.0)" },
	/* smartcard_list.txt (Debian pcsc-tools 1.6.2) L13178, L13399, L13431: lots the grammar
	 * already took, named here */
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 06 03 01 01 01 43 4E 53 10 31 80 67", NULL, P_ROW, "CNS ST J-Sign3 (CNS 1.0)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 03 00 01 11 01 43 4E 53 11 31 80 8F", NULL, P_ROW, "CNS Arma dei Carabinieri (CNS 1.1)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 13 03 01 11 01 43 4E 53 11 31 80 9C", NULL, P_ROW, "CNS Politecnico di Torino (CNS 1.1)" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 16 13 01 01 01 43 4E 53 10 31 80 67", NULL, P_ROW, "CNS ANPR (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 17 17 01 01 01 43 4E 53 10 31 80 62", NULL, P_ROW, "CNS ST Incard (CNS 1.0)" },
	{ "3B FF 96 00 00 81 31 FE 55 00 6B 02 09 04 03 01 01 01 43 4E 53 10 31 80 EB", NULL, P_ROW, "CNS ST Incard (CNS 1.0)" },
	{ "3B FF 96 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 43 4E 53 10 31 80 14", NULL, P_ROW, "CNS ST Incard (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 10 17 01 21 01 43 4E 53 10 31 80 5E", NULL, P_ROW, "TS-CNS Oberthur (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 21 01 43 4E 53 10 31 80 59", NULL, P_ROW, "TS-CNS Oberthur (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 11 01 43 4E 53 10 31 80 69", NULL, P_ROW, "TS-CNS Oberthur (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 11 05 07 00 01 11 01 43 4E 53 11 31 80 7B", NULL, P_ROW, "CNS Oberthur (CNS 1.1)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 11 05 07 00 01 21 01 43 4E 53 10 31 80 4A", NULL, P_ROW, "CNS Oberthur Cosmo ID ONE (CNS 1.0)" },
	{ "3B DF 18 00 81 31 FE 7D 00 6B 02 0C 01 82 01 11 01 43 4E 53 10 31 80 FC", NULL, P_ROW, "TS-CNS Athena (CNS 1.0)" },
	{ "3B DF 18 00 81 31 FE 7D 00 6B 04 0C 01 84 01 11 01 43 4E 53 10 31 80 FC", NULL, P_ROW, "TS-CNS Athena (CNS 1.0)" },
	{ "3B DF 18 00 81 31 FE 7D 00 6B 15 0C 01 80 01 11 01 43 4E 53 10 31 80 E9", NULL, P_ROW, "TS-CNS Athena AT (CNS 1.0)" },
	{ "3B DF 18 00 81 31 FE 7D 00 6B 15 0C 01 81 01 11 01 43 4E 53 10 31 80 E8", NULL, P_ROW, "TS-CNS Athena (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 15 0C 03 02 01 01 01 43 4E 53 10 31 80 61", NULL, P_ROW, "CNS Bit4id Digital-DNA (CNS 1.0)" },
	{ "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 05 01 11 01 43 4E 53 10 31 80 0C", NULL, P_ROW, "CRS Lombardia Siemens (CNS 1.0)" },
	{ "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 09 01 11 01 43 4E 53 10 31 80 00", NULL, P_ROW, "CRS Sicilia Siemens (CNS 1.0)" },
	{ "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 0A 01 11 01 43 4E 53 10 31 80 03", NULL, P_ROW, "CRS Lombardia Siemens (CNS 1.0)" },
	{ "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 0C 01 11 01 43 4E 53 10 31 80 05", NULL, P_ROW, "TS-CNS Siemens (CNS 1.0)" },
	/* docs/reference/cns.md 2.4 contactless: layout unknown from the ATR, confirmed by probe */
	{ "3B 88 80 01 00 00 00 00 03 81 91 00 1A", NULL, P_NFC, "TS-CNS (contactless)" },
	{ "3B 88 80 01 00 00 00 00 33 81 91 00 2A", NULL, P_NFC, "TS-CNS (contactless)" },
	{ "3B 88 80 01 00 00 00 00 F7 81 C1 00 BE", NULL, P_NFC, "TS-CNS (contactless)" },
	{ "3B 88 80 01 30 AB AB 01 77 81 B7 00 79", NULL, P_NFC, "TS-CNS (contactless)" },
	{ "3B 88 80 01 30 AB AB 01 77 81 B7 10 69", NULL, P_NFC, "TS-CNS (contactless)" },
	{ "3B 8C 80 01 50 00 00 00 00 00 00 00 00 00 00 00 00",
	  "FF FF FF FF FF 00 00 00 00 00 00 00 00 00 00 00 00", P_NFC, "TS-CNS (contactless, type B)" },
	{ NULL, NULL, 0, NULL },
};

/* The CNS grammar of docs/reference/cns.md 1.2 for unlisted lots; the IDEMIA 2021 and
 * applet cards have their own drivers. Other synthesised contactless ATRs
 * (3B 8x 80 01, not the CIE's "80 ..." historical bytes, docs/reference/cie.md 1.1) only
 * get a probe. */
static int match(const uint8_t *atr, size_t n)
{
	const uint8_t *h = carta_cns_hist(atr, n);

	if (h && carta_cns_is_idemia2021(h))
		return 0;
	/* NXP IC with G&D mask is the ACe 2025 JavaCard applet profile (docs/reference/cns.md
	 * 2.3): the applet driver claims it; the classic layout only as fallback */
	if (h && h[2] == 0x04 && h[3] == 0x04)
		return CARTA_SCORE_PROBE;
	if (h)
		return 50;
	/* HPC / operator and hybrid cards: served when the probe (load) finds
	 * the CNS files */
	if (carta_cns_hist_other(atr, n))
		return CARTA_SCORE_PROBE;
	if (carta_cns_is_nfc_atr(atr, n) && n > 5 && atr[4] != 0x80)
		return CARTA_SCORE_PROBE;
	return 0;
}

/* No APDU for a contact ATR: load() fails with CARTA_E_CARD_UNKNOWN if
 * EF_ID_Carta is missing, which is also the probe of the HPC / hybrid cards
 * (docs/reference/cns.md 1.5). Contactless: is there a CNS file system? */
static enum carta_err probe(struct carta_card *c)
{
	static const uint8_t id[] = { 0x10, 0x00, 0x10, 0x03 };
	enum carta_err rv;

	if (!carta_cns_is_nfc_atr(c->t->atr, c->t->atr_len))
		return CARTA_OK;
	rv = carta_iso_select(c->t, CARTA_SEL_PATH, id, sizeof(id), NULL);
	return carta_card_probe_verdict(rv);
}

static enum carta_err load(struct carta_card *c)
{
	const uint8_t *h = carta_cns_hist_any(c->t->atr, c->t->atr_len);
	bool cns11 = h && h[12] >= 0x11;
	enum carta_err rv;

	rv = carta_cns_attach(c, cns11 ? &carta_cns_layout_classic_11 : &carta_cns_layout_classic_10);
	if (rv == CARTA_OK)
		rv = carta_cns_load(c);
	return rv;
}

const struct carta_card_driver carta_cns_classic_driver = {
	.name = "cns",
	.atrs = rows,
	.match = match,
	.probe = probe,
	.load = load,
	CARTA_CNS_SHARED_OPS,
};
