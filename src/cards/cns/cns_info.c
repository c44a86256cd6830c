/* SPDX-License-Identifier: BSD-3-Clause */
/* What a CNS ATR says: grammar (docs/reference/cns.md 1.2), manufacturers (2.2), version. */
#include <stdio.h>
#include <string.h>

#include "cards/cns/cns.h"
#include "cards/iso7816.h"

/* Mask manufacturer, hist[3] (docs/reference/cns.md 2.2). */
static const char *const masks[] = {
	"Unknown", "Kaitech", "Gemplus", "Ghirlanda", "Giesecke & Devrient",
	"IDEMIA (Oberthur)", "Orga", "Axalto", "Siemens", "STIncard", "GEP",
	"EPS Corp", "Athena", "Gemalto",
};

/* IC manufacturer, hist[2] (ISO/IEC 7816-6 registry, the entries docs/reference/cns.md 2.2
 * lists). */
static const char *ic_name(uint8_t v)
{
	switch (v) {
	case 0x01: return "Motorola";
	case 0x02: return "STMicroelectronics";
	case 0x03: return "Hitachi";
	case 0x04: return "NXP";
	case 0x05: return "Infineon";
	case 0x11: return "Emosyn-EM";
	case 0x15: return "ATMEL";
	default: return "Unknown";
	}
}

static const char *mask_name(uint8_t v)
{
	return v < sizeof(masks) / sizeof(masks[0]) ? masks[v] : "Unknown";
}

/* docs/reference/cns.md 1.2: T0 & 8F == 8F, TD1 & 8F == 81, TD2 == 31, then
 * hist = 00 6B IC mask osH osL app h8 h9 <3 letters> ver 31 80. */
static const uint8_t *grammar(const uint8_t *atr, size_t n)
{
	const uint8_t *h;
	size_t hl, i = 2;

	if (!atr || n < 4 || atr[0] != 0x3b || (atr[1] & 0x8f) != 0x8f)
		return NULL;
	if (carta_atr_hist(atr, n, &h, &hl) != CARTA_OK || hl != 15)
		return NULL;
	/* skip TA1/TB1/TC1 present per T0 */
	i += (size_t)(((atr[1] >> 4) & 1) + ((atr[1] >> 5) & 1) + ((atr[1] >> 6) & 1));
	if (i + 1 >= n || (atr[i] & 0x8f) != 0x81)
		return NULL;
	i += 1 + (size_t)(((atr[i] >> 4) & 1) + ((atr[i] >> 5) & 1) + ((atr[i] >> 6) & 1));
	if (i >= n || atr[i] != 0x31)
		return NULL;
	if (h[0] != 0x00 || h[1] != 0x6b || h[13] != 0x31 || h[14] != 0x80)
		return NULL;
	return h;
}

const uint8_t *carta_cns_hist(const uint8_t *atr, size_t n)
{
	const uint8_t *h = grammar(atr, n);

	return h && memcmp(h + 9, "CNS", 3) == 0 ? h : NULL;
}

/* Trento's health-professional card ("HPC", L16474) and a hybrid regional
 * card ("CIE", L16478) in docs/reference/cns.md 2.3: OpenSC's itacns skips
 * them; the same IDEMIA lot carries the CNS file system on its CNS cards. */
const uint8_t *carta_cns_hist_other(const uint8_t *atr, size_t n)
{
	const uint8_t *h = grammar(atr, n);

	return h && (memcmp(h + 9, "HPC", 3) == 0 || memcmp(h + 9, "CIE", 3) == 0) ? h : NULL;
}

/* docs/reference/cns.md 2.3 "related non-CNS": ST Incard "DSD" (J-Sign,
 * Postecert, Postcom, lawyers' cards) and bit4id "B4D". */
const uint8_t *carta_cns_hist_ds(const uint8_t *atr, size_t n)
{
	const uint8_t *h = grammar(atr, n);

	return h && (memcmp(h + 9, "DSD", 3) == 0 || memcmp(h + 9, "B4D", 3) == 0) ? h : NULL;
}

const uint8_t *carta_cns_hist_any(const uint8_t *atr, size_t n)
{
	const uint8_t *h = carta_cns_hist(atr, n);

	if (!h)
		h = carta_cns_hist_other(atr, n);
	return h ? h : carta_cns_hist_ds(atr, n);
}

/* docs/reference/cns.md 1.2 / 5: Infineon IC, IDEMIA mask, OS >= 0x20. */
bool carta_cns_is_idemia2021(const uint8_t *hist)
{
	return hist && hist[2] == 0x05 && hist[3] == 0x05 && hist[4] >= 0x20;
}

/* PC/SC part 3 synthesised contactless ATR: 3B 8n 80 01 <hist> [TCK]. */
bool carta_cns_is_nfc_atr(const uint8_t *atr, size_t n)
{
	return atr && n >= 5 && atr[0] == 0x3b && (atr[1] & 0xf0) == 0x80 && atr[2] == 0x80 &&
	       atr[3] == 0x01;
}

void carta_cns_describe(struct carta_card *c)
{
	struct carta_card_desc *d = &c->desc;
	const uint8_t *h = carta_cns_hist_any(c->t->atr, c->t->atr_len);

	if (h) {
		snprintf(d->manufacturer, sizeof(d->manufacturer), "IC: %s; mask: %s",
		         ic_name(h[2]), mask_name(h[3]));
		/* hist[12]: version in BCD nibbles, 10 = 1.0, 11 = 1.1 */
		snprintf(d->model, sizeof(d->model), "CNS %u.%u", (unsigned)(h[12] >> 4),
		         (unsigned)(h[12] & 0x0f));
	} else {
		snprintf(d->manufacturer, sizeof(d->manufacturer), "Unknown");
		snprintf(d->model, sizeof(d->model), "CNS");
	}
	if (c->atr_row && c->atr_row->family)
		snprintf(d->family, sizeof(d->family), "%s", c->atr_row->family);
	else if (h && carta_cns_hist_ds(c->t->atr, c->t->atr_len))
		snprintf(d->family, sizeof(d->family), "signature card %c%c%c (%s)", h[9], h[10],
		         h[11], mask_name(h[3]));
	else if (h && !carta_cns_hist(c->t->atr, c->t->atr_len))
		snprintf(d->family, sizeof(d->family), "%c%c%c card, CNS files (%s)", h[9], h[10],
		         h[11], mask_name(h[3]));
	else if (h)
		snprintf(d->family, sizeof(d->family), "CNS (%s)", mask_name(h[3]));
	else
		snprintf(d->family, sizeof(d->family), "CNS (contactless)");
	snprintf(d->driver, sizeof(d->driver), "cns");
}
