/* SPDX-License-Identifier: BSD-3-Clause */
/* IDEMIA 2021 TS-CNS (ACe 2021 lots): certificate in DF 1400/9001, key and
 * PIN in DF 1400/9002, key reference 02, RSA-2048 (docs/reference/cns.md 1.5, 5). */
#include "cards/cns/cns.h"
#include "cards/iso7816.h"

#define P_ROW 100

static const struct carta_atr_row rows[] = {
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 91 20 01 F1 01 43 4E 53 10 31 80 38", NULL, P_ROW, "TS-CNS IDEMIA Cosmo 9.1 (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 20 00 01 F1 01 43 4E 53 10 31 80 A9", NULL, P_ROW, "TS-CNS IDEMIA 2021 (CNS 1.0)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 20 00 01 21 01 43 4E 53 10 31 80 79", NULL, P_ROW, "TS-CNS IDEMIA 2021 (CNS 1.0)" },
	/* the contactless ATR of the IDEMIA card (OpenSC itacns_atrs[], docs/reference/cns.md 1.2) */
	{ "3B 8B 80 01 00 31 C1 64 00 00 00 00 00 00 00 00",
	  "FF FF FF FF FF FF FF FF 00 00 00 00 00 00 00 00", P_ROW, "TS-CNS IDEMIA (contactless)" },
	{ NULL, NULL, 0, NULL },
};

static int match(const uint8_t *atr, size_t n)
{
	const uint8_t *h = carta_cns_hist(atr, n);

	return carta_cns_is_idemia2021(h) ? 60 : 0;
}

/* The ATR is shared with a Spanish IDEMIA card (docs/reference/cns.md 2.3): load() answers
 * CARTA_E_CARD_UNKNOWN when EF_ID_Carta is missing, at no extra APDU. */
static enum carta_err probe(struct carta_card *c)
{
	(void)c;
	return CARTA_OK;
}

static enum carta_err load(struct carta_card *c)
{
	enum carta_err rv = carta_cns_attach(c, &carta_cns_layout_idemia);

	if (rv == CARTA_OK)
		rv = carta_cns_load(c);
	return rv;
}

const struct carta_card_driver carta_cns_idemia_driver = {
	.name = "cns-idemia",
	.atrs = rows,
	.match = match,
	.probe = probe,
	.load = load,
	CARTA_CNS_SHARED_OPS,
};
