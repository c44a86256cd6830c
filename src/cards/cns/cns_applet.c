/* SPDX-License-Identifier: BSD-3-Clause */
/* CNS cards whose files live in a JavaCard application (docs/reference/cns.md
 * 2.4, 1.13): the Actalis ACe 2025 CNS applet (paths relative to the applet,
 * P1=09) and ST2022 over NFC (J-Sign, bare ATR 3B 80 80 01 01). */
#include <string.h>

#include "cards/cns/cns.h"
#include "cards/iso7816.h"

#define P_ROW 100

static const struct carta_atr_row rows[] = {
	{ "3B FF 18 00 FF 81 31 FE 4D 00 6B 04 04 B8 5B 01 F1 01 43 4E 53 10 31 80 9D", NULL, P_ROW, "TS-CNS Actalis ACe 2025 (CNS applet)" },
	{ NULL, NULL, 0, NULL },
};

/* Only the bare ATR of ST2022 over NFC, and only as a probe: the CIE STM2
 * uses the same ATR (docs/reference/cie.md 1.1), so the CIE driver probes first. */
static int match(const uint8_t *atr, size_t n)
{
	static const uint8_t bare[] = { 0x3b, 0x80, 0x80, 0x01, 0x01 };

	return n == sizeof(bare) && memcmp(atr, bare, n) == 0 ? CARTA_SCORE_PROBE + 1 : 0;
}

/* PR #3806: SELECT the J-Sign AID, GET DATA 01 80 = "JSign4". */
static enum carta_err probe_jsign(struct carta_card *c)
{
	struct carta_buf b;
	enum carta_err rv;

	carta_buf_init(&b);
	rv = carta_cns_attach(c, &carta_cns_layout_jsign);
	if (rv == CARTA_OK)
		rv = carta_cns_select_app(c);
	if (rv == CARTA_OK)
		rv = carta_iso_get_data(c->t, 0x01, 0x80, &b);
	/* only a J-Sign card takes its AID: another version names itself in
	 * 6 bytes; an answer of another length is a corrupted one */
	if (rv == CARTA_OK && b.len != 6)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK && memcmp(b.p, "JSign4", 6) != 0)
		rv = CARTA_E_CARD_UNKNOWN;
	carta_buf_free(&b);
	return carta_card_probe_verdict(rv);
}

/* The applet ATR is shared with other lots (docs/reference/cns.md 5): the applet SELECT,
 * needed anyway, decides. */
static enum carta_err probe(struct carta_card *c)
{
	enum carta_err rv;

	if (!c->atr_row)
		return probe_jsign(c);
	rv = carta_cns_attach(c, &carta_cns_layout_applet);
	if (rv == CARTA_OK)
		rv = carta_cns_select_app(c);
	return carta_card_probe_verdict(rv);
}

/* The application was selected by probe(). */
static enum carta_err load(struct carta_card *c)
{
	return carta_cns_load(c);
}

const struct carta_card_driver carta_cns_applet_driver = {
	.name = "cns-applet",
	.atrs = rows,
	.match = match,
	.probe = probe,
	.load = load,
	CARTA_CNS_SHARED_OPS,
};
