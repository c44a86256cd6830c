/* SPDX-License-Identifier: BSD-3-Clause */
/* The Bit4id Digital-DNA Key (NXP ChipDoc, docs/reference/cns.md 1.13): its
 * CNS files sit in an applet reached only through PACE with a CAN kept on
 * the card, which carta does not do yet. Its ATR is shared with other CNS
 * lots (docs/reference/cns.md 2.3), so a probe tells it apart; then the card
 * is reported as recognised but not supported, never handed to the classic
 * driver (which would fail on it with a device error). */
#include "cards/cns/cns.h"
#include "cards/iso7816.h"

#define P_DNA 110   /* above the classic row for the same ATR: probed first */

static const struct carta_atr_row rows[] = {
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 15 0C 03 02 01 01 01 43 4E 53 10 31 80 61", NULL, P_DNA, "Digital-DNA Key" },
	{ NULL, NULL, 0, NULL },
};

/* docs/reference/cns.md 1.13: PR #3751 confirms the key by selecting the
 * IAS-ECC AID, 00 A4 04 04 07 A0 00 00 02 47 10 01; the classic CNS lots
 * behind the same ATR have no such application. */
static enum carta_err probe(struct carta_card *c)
{
	static const uint8_t aid[] = { 0xa0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };
	struct carta_apdu a = { 0x00, 0xa4, 0x04, 0x04, aid, sizeof(aid), 0 };
	enum carta_err rv = carta_card_probe_verdict(carta_iso_send(c->t, &a));

	return rv == CARTA_OK ? CARTA_E_CARD_UNSUPPORTED : rv;
}

/* Not reached: the probe never accepts the card. */
static enum carta_err load(struct carta_card *c)
{
	(void)c;
	return CARTA_E_CARD_UNSUPPORTED;
}

const struct carta_card_driver carta_cns_dnakey_driver = {
	.name = "cns-dnakey",
	.atrs = rows,
	.probe = probe,
	.load = load,
	CARTA_CNS_SHARED_OPS,
};
