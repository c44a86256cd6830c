/* SPDX-License-Identifier: BSD-3-Clause */
/* The card families, and the choice of a driver for a card: drivers in
 * decreasing ATR score (atr.c), each probed and loaded (card.c) until one
 * takes the card. The order of the table only breaks ties. The bare NFC ATR
 * 3B 80 80 01 01 is shared by the CIE STM2 and ST2022 over NFC: both
 * drivers only probe it (J-Sign first: one SELECT AID that a CIE refuses).
 * A new family is a folder under src/cards/ and a line here. */
#include <stdio.h>

#include "cards/registry.h"
#include "cards/cie/cie.h"
#include "cards/cns/cns.h"

#define MAX_CANDIDATES 16

const struct carta_card_driver *const carta_card_drivers[] = {
	&carta_cns_dnakey_driver,
	&carta_cns_applet_driver,
	&carta_cns_idemia_driver,
	&carta_cns_classic_driver,
	&carta_cns_ds_driver,
	&carta_cie_driver,
	NULL,
};

struct cand {
	const struct carta_card_driver *drv;
	const struct carta_atr_row *row;
	int score;
};

/* Candidates in decreasing score (insertion sort: the list is tiny). */
static size_t candidates(const uint8_t *atr, size_t n, struct cand *out, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; carta_card_drivers[i] && k < cap; i++) {
		struct cand x = { .drv = carta_card_drivers[i] };
		size_t j;

		x.score = carta_atr_score(x.drv, atr, n, &x.row);
		if (x.score <= 0)
			continue;
		for (j = k; j > 0 && out[j - 1].score < x.score; j--)
			out[j] = out[j - 1];
		out[j] = x;
		k++;
	}
	return k;
}

/* Each candidate starts from the transport flags the card was opened with
 * (a driver may set CARTA_TF_EXTENDED, say, before giving up). A driver that
 * recognises a card it cannot serve ends the search (CARTA_E_CARD_UNSUPPORTED):
 * what it recognised is what it said, else its row's family, else its name. */
static enum carta_err try_drivers(struct carta_card *c, char *what, size_t cap)
{
	struct cand cands[MAX_CANDIDATES];
	size_t n = candidates(c->t->atr, c->t->atr_len, cands, MAX_CANDIDATES);
	unsigned flags = c->t->flags;
	enum carta_err rv = CARTA_E_CARD_UNKNOWN;

	for (size_t i = 0; i < n && rv == CARTA_E_CARD_UNKNOWN; i++) {
		c->t->flags = flags;
		c->unsupported[0] = '\0';
		rv = carta_card_try_driver(c, cands[i].drv, cands[i].row);
		if (rv == CARTA_E_CARD_UNSUPPORTED && what && cap)
			snprintf(what, cap, "%s", c->unsupported[0] ? c->unsupported :
			         cands[i].row && cands[i].row->family ? cands[i].row->family :
			                                                 cands[i].drv->name);
	}
	return rv;
}

enum carta_err carta_card_open_ex(struct carta_transport *t, struct carta_card **out,
                                  char *what, size_t cap)
{
	struct carta_card *c = NULL;
	enum carta_err rv;

	if (what && cap)
		what[0] = '\0';
	if (out)
		*out = NULL;
	rv = carta_card_new(t, out ? &c : NULL);
	if (rv != CARTA_OK)
		goto out;
	rv = carta_card_begin(c);
	if (rv == CARTA_OK) {
		rv = try_drivers(c, what, cap);
		carta_card_end(c);
	}
	if (rv == CARTA_OK)
		*out = c;
	else
		carta_card_close(c);
out:
	return rv;
}

enum carta_err carta_card_open(struct carta_transport *t, struct carta_card **out)
{
	return carta_card_open_ex(t, out, NULL, 0);
}

/* The best table-row claim (>= CARTA_SCORE_CLAIM) and how many drivers claim. */
static const char *best_claim(const uint8_t *atr, size_t n, int *claims)
{
	const struct carta_atr_row *row;
	const char *name = NULL;
	int best = CARTA_SCORE_CLAIM - 1;

	*claims = 0;
	for (size_t i = 0; carta_card_drivers[i]; i++) {
		int s = carta_atr_score(carta_card_drivers[i], atr, n, &row);

		if (s >= CARTA_SCORE_CLAIM)
			(*claims)++;
		if (s > best) {
			best = s;
			name = carta_card_drivers[i]->name;
		}
	}
	return name;
}

const char *carta_atr_driver(const uint8_t *atr, size_t n)
{
	int claims;

	return best_claim(atr, n, &claims);
}

/* A PC/SC reader builds a contactless card's ATR itself (3B 8n 80 01 ...),
 * from little the card says: a foreign card can carry the same bytes. */
const char *carta_atr_verdict(const uint8_t *atr, size_t n, bool *sure)
{
	int claims;
	const char *name = best_claim(atr, n, &claims);

	*sure = name && claims == 1 && !carta_atr_contactless(atr, n);
	return name;
}
