/* SPDX-License-Identifier: BSD-3-Clause */
/* Signature-only cards: "DSD" (ST Incard: J-Sign, Postecert, Postcom, the
 * lawyers' cards) or "B4D" (bit4id) where the CNS grammar has "CNS" in the
 * historical bytes (docs/reference/cns.md 2.3). Served when the CNS1 key set
 * of DF_DS is there (1.5): a card with the signature PIN and its key only;
 * else recognised, and said not supported. */
#include <stdio.h>

#include "cards/cns/cns.h"
#include "util/log.h"

#define P_ROW 100
#define P_GRAMMAR 50

/* smartcard_list.txt (Debian pcsc-tools 1.6.2) lines, and docs/reference/cns.md 2.3 */
static const struct carta_atr_row rows[] = {
	{ "3B FF 18 00 00 81 31 FE 55 00 6B 02 09 04 03 01 01 01 44 53 44 10 31 80 68", NULL, P_ROW, "signature card ACA lawyers (DSD)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 02 00 01 01 01 44 53 44 10 31 80 92", NULL, P_ROW, "signature card Postcom (DSD)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 03 03 01 01 01 44 53 44 10 31 80 90", NULL, P_ROW, "signature card Postecert (DSD)" },
	{ "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 44 53 44 10 31 80 97", NULL, P_ROW, "signature card J-Sign (DSD)" },
	{ "3B FF 18 00 00 81 31 FE 45 00 6B 15 0C 03 02 01 01 01 42 34 44 10 31 80 0D", NULL, P_ROW, "signature card bit4id (B4D)" },
	{ NULL, NULL, 0, NULL },
};

/* Unlisted lots with the same grammar. */
static int match(const uint8_t *atr, size_t n)
{
	return carta_cns_hist_ds(atr, n) ? P_GRAMMAR : 0;
}

/* The certificate read in load() is the probe: no APDU here. */
static enum carta_err probe(struct carta_card *c)
{
	(void)c;
	return CARTA_OK;
}

/* Recognised by the ATR, without the one application carta serves on it. */
static enum carta_err unsupported(struct carta_card *c, const uint8_t *h, enum carta_err rv)
{
	carta_log(CARTA_LOG_INFO, "signature-only card: no CNS1 certificate (%s)", carta_err_str(rv));
	snprintf(c->unsupported, sizeof(c->unsupported),
	         "signature-only card (%c%c%c) without the CNS1 application", h[9], h[10], h[11]);
	return CARTA_E_CARD_UNSUPPORTED;
}

/* CNS1 first (its absence settles it), then the CNS files if the card has
 * them: the serial and the holder's name. */
static enum carta_err load(struct carta_card *c)
{
	const uint8_t *h = carta_cns_hist_ds(c->t->atr, c->t->atr_len);
	const struct carta_cns_layout *lay = h && h[12] >= 0x11 ? &carta_cns_layout_ds_11 :
	                                                          &carta_cns_layout_ds_10;
	struct carta_buf der;
	enum carta_err rv;

	if (!h)
		return CARTA_E_CARD_UNKNOWN;
	carta_buf_init(&der);
	rv = carta_cns_attach(c, lay);
	if (rv != CARTA_OK)
		goto out;
	if (lay->extended)
		c->t->flags |= CARTA_TF_EXTENDED;
	carta_cns_describe(c);
	rv = carta_cns_read_keyset_cert(c, lay->sign, &der);
	if (carta_card_probe_verdict(rv) == CARTA_E_CARD_UNKNOWN) {
		rv = unsupported(c, h, rv);
		goto out;
	}
	if (rv == CARTA_OK)
		rv = carta_cns_load_id(c, true);
	if (rv == CARTA_OK)
		rv = carta_cns_load_personal(c);
	if (rv == CARTA_OK)
		rv = carta_cns_add_keyset(c, lay->sign, &der);
	/* a certificate that does not parse leaves no key: nothing to serve */
	if (rv == CARTA_OK && c->desc.n_keys == 0)
		rv = unsupported(c, h, CARTA_E_PARSE);
out:
	carta_buf_free(&der);
	return rv;
}

const struct carta_card_driver carta_cns_ds_driver = {
	.name = "cns-ds",
	.atrs = rows,
	.match = match,
	.probe = probe,
	.load = load,
	CARTA_CNS_SHARED_OPS,
};
