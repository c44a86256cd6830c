/* SPDX-License-Identifier: BSD-3-Clause */
/* The life of a struct carta_card: created on a transport, a driver tried
 * on it (probe, load), PC/SC transactions (with the driver's reinit after a
 * reset by someone else), closed. Which drivers are tried, in which order,
 * is the registry's choice (registry.c); the card operations are in
 * card_ops.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cards/card.h"
#include "util/log.h"

static void desc_free(struct carta_card_desc *d)
{
	for (size_t i = 0; i < CARTA_MAX_CERTS; i++)
		carta_card_cert_free(&d->certs[i]);
	for (size_t i = 0; i < CARTA_MAX_KEYS; i++) {
		free(d->keys[i].modulus);
		free(d->keys[i].exponent);
		free(d->keys[i].ec_params);
		free(d->keys[i].ec_point);
	}
	memset(d, 0, sizeof(*d));
}

static void release(struct carta_card *c)
{
	if (c->drv && c->drv->release)
		c->drv->release(c);
	c->priv = NULL;
	desc_free(&c->desc);
}

/* A transaction; after a reset by someone else the lock is not taken
 * (SCardBeginTransaction semantics): take it again and let the driver redo
 * its state. The PIN state is gone and is not restored. */
enum carta_err carta_card_begin(struct carta_card *c)
{
	struct carta_transport *t = c->t;
	enum carta_err rv = CARTA_OK;

	rv = carta_transport_begin(t);
	if (rv != CARTA_E_CARD_RESET)
		return rv;
	c->reset_seen = true;
	rv = carta_transport_begin(t);
	if (rv == CARTA_OK && c->drv && c->drv->reinit) {
		rv = c->drv->reinit(c);
		if (rv != CARTA_OK)
			(void)carta_transport_end(t);
	}
	return rv;
}

void carta_card_end(struct carta_card *c)
{
	if (carta_transport_end(c->t) != CARTA_OK)
		carta_log(CARTA_LOG_INFO, "end of transaction failed");
}

void carta_card_desc_changed(struct carta_card *c)
{
	c->generation++;
}

uint32_t carta_card_generation(const struct carta_card *c)
{
	return c ? c->generation : 0;
}

enum carta_err carta_card_warm_reset(struct carta_card *c)
{
	return carta_transport_reset(c->t);
}

/* The token's name when the driver did not choose one: what the card shows
 * without a PIN at load. A later change of the description (a certificate
 * read after login) never renames the token (struct carta_card_desc.label). */
static void default_label(struct carta_card_desc *d)
{
	const struct carta_holder *h = &d->holder;

	if (d->label[0])
		return;
	if (h->present && (h->given_name[0] || h->surname[0]))
		snprintf(d->label, sizeof(d->label), "%s%s%s", h->given_name,
		         h->given_name[0] ? " " : "", h->surname);
	else if (d->n_certs > 0 && d->certs[0].cn[0])
		snprintf(d->label, sizeof(d->label), "%s", d->certs[0].cn);
	else
		snprintf(d->label, sizeof(d->label), "%s", d->family);
}

/* Probe and load with one driver; on failure nothing of it stays. */
enum carta_err carta_card_try_driver(struct carta_card *c, const struct carta_card_driver *d,
                                     const struct carta_atr_row *row)
{
	enum carta_err rv;

	c->drv = d;
	c->atr_row = row;
	rv = d->probe ? d->probe(c) : CARTA_OK;
	if (rv == CARTA_OK)
		rv = d->load(c);
	if (rv == CARTA_OK) {
		carta_log(CARTA_LOG_INFO, "card driver %s (%s)", d->name, c->desc.family);
		snprintf(c->desc.driver, sizeof(c->desc.driver), "%s", d->name);
		default_label(&c->desc);
		return rv;
	}
	release(c);
	c->drv = NULL;
	c->atr_row = NULL;
	return rv;
}

static bool definite_refusal(enum carta_err e)
{
	switch (e) {
	case CARTA_E_CARD_UNKNOWN: case CARTA_E_FILE_NOT_FOUND: case CARTA_E_REF_NOT_FOUND:
	case CARTA_E_INS_NOT_SUPPORTED: case CARTA_E_CLA_NOT_SUPPORTED:
	case CARTA_E_WRONG_PARAMS: case CARTA_E_FUNC_NOT_SUPPORTED:
		return true;
	default:
		return false;
	}
}

enum carta_err carta_card_probe_verdict(enum carta_err e)
{
	return definite_refusal(e) ? CARTA_E_CARD_UNKNOWN : e;
}

bool carta_card_err_transient(enum carta_err e)
{
	switch (e) {
	case CARTA_E_NOMEM: case CARTA_E_NO_SERVICE: case CARTA_E_NO_READER: case CARTA_E_NO_CARD:
	case CARTA_E_CARD_REMOVED: case CARTA_E_CARD_RESET: case CARTA_E_TRANSPORT:
	case CARTA_E_TIMEOUT: case CARTA_E_CANCELLED: case CARTA_E_SHARING: case CARTA_E_CARD:
		return true;
	default:
		return false;
	}
}

enum carta_err carta_card_new(struct carta_transport *t, struct carta_card **out)
{
	struct carta_card *c = NULL;
	enum carta_err rv = CARTA_E_ARGS;

	if (!t || !t->ops || !out)
		goto out;
	rv = CARTA_E_NOMEM;
	c = calloc(1, sizeof(*c));
	if (!c)
		goto out;
	c->t = t;
	c->pin_cache_ttl_ms = CARTA_PIN_CACHE_MS;
	rv = CARTA_OK;
out:
	if (rv == CARTA_OK)
		*out = c;
	else
		carta_transport_close(&t);
	return rv;
}

void carta_card_close(struct carta_card *c)
{
	if (!c)
		return;
	release(c);
	carta_transport_close(&c->t);
	free(c);
}

/* The suffix of the token `pin` opens: "which is which" on a card with a
 * signature PIN; a signature token says so even alone (a "DSD" card). */
static const char *token_suffix(const struct carta_card_desc *d, int pin)
{
	bool sign = false, auth = false;
	size_t i;

	if (pin < 0 || (size_t)pin >= d->n_pins || d->pins[pin].kind != CARTA_PIN_USER)
		return "";
	if (d->pins[pin].role == CARTA_PIN_ROLE_SIGN)
		return " (firma)";
	for (i = 0; i < d->n_pins; i++) {
		if (d->pins[i].kind != CARTA_PIN_USER)
			continue;
		sign |= d->pins[i].role == CARTA_PIN_ROLE_SIGN;
		auth |= d->pins[i].role == CARTA_PIN_ROLE_AUTH;
	}
	return sign && auth ? " (CNS)" : "";
}

void carta_card_token_label(const struct carta_card_desc *d, int pin, char *out, size_t cap)
{
	const char *sfx = token_suffix(d, pin);
	size_t room = CARTA_TOKEN_LABEL_MAX - strlen(sfx);
	size_t n = strnlen(d->label, sizeof(d->label));

	if (cap == 0)
		return;
	if (n > room) {
		n = room;
		while (n > 0 && ((unsigned char)d->label[n] & 0xc0) == 0x80)
			n--;
	}
	snprintf(out, cap, "%.*s%s", (int)n, d->label, sfx);
}

const struct carta_card_desc *carta_card_get_desc(const struct carta_card *c)
{
	return c ? &c->desc : NULL;
}

struct carta_transport *carta_card_transport(struct carta_card *c)
{
	return c ? c->t : NULL;
}

bool carta_card_take_reset(struct carta_card *c)
{
	bool r;

	if (!c)
		return false;
	r = c->reset_seen;
	c->reset_seen = false;
	return r;
}
