/* SPDX-License-Identifier: BSD-3-Clause */
/* The tokens of a card as the PKCS#11 module shows them: one per user PIN
 * ("one token per PIN", include/carta/card.h enum carta_pin_role). A CNS
 * with the digital-signature application (CNS1, DF 3F00 1400, PIN 0x1A:
 * docs/reference/cns.md 1.5) has two: "CNS" for logging in, "firma" for
 * signing documents. list, info, pin and doctor all describe a card this way,
 * so that what the user reads here is what Firefox and pkcs11-tool show. */
#include <string.h>

#include "tool.h"

enum carta_err tool_pin_status(struct carta_card *c, size_t pin, struct carta_pin_status *st)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	enum carta_err rv;

	memset(st, 0, sizeof(*st));
	rv = carta_card_pin_status(c, pin, st);
	/* a right VERIFY resets the counter (ISO/IEC 7816-4 7.5.6) */
	if (rv == CARTA_OK && st->verified && st->tries_left < 0 && pin < d->n_pins)
		st->tries_left = d->pins[pin].max_tries;
	return rv;
}

/* The CNS/CIE PIN first: a signature-only card still has its one PIN. */
int tool_user_pin(const struct carta_card_desc *d)
{
	int auth = tool_role_pin(d, CARTA_PIN_ROLE_AUTH);

	if (auth >= 0)
		return auth;
	for (size_t i = 0; i < d->n_pins; i++)
		if (d->pins[i].kind == CARTA_PIN_USER)
			return (int)i;
	return -1;
}

bool tool_has_sign_pin(const struct carta_card_desc *d)
{
	return tool_role_pin(d, CARTA_PIN_ROLE_SIGN) >= 0;
}

int tool_role_pin(const struct carta_card_desc *d, enum carta_pin_role role)
{
	for (size_t i = 0; i < d->n_pins && i < CARTA_MAX_PINS; i++)
		if (d->pins[i].kind == CARTA_PIN_USER && d->pins[i].role == role)
			return (int)i;
	return -1;
}

/* A PUK opens no token: it belongs to the one of the PIN it unblocks. */
enum carta_pin_role tool_pin_role(const struct carta_card_desc *d, size_t pin)
{
	if (pin >= d->n_pins)
		return CARTA_PIN_ROLE_AUTH;
	if (d->pins[pin].kind == CARTA_PIN_USER)
		return d->pins[pin].role;
	for (size_t i = 0; i < d->n_pins; i++)
		if (d->pins[i].kind == CARTA_PIN_USER && d->pins[i].unblocked_by == (int)pin)
			return d->pins[i].role;
	return CARTA_PIN_ROLE_AUTH;
}

const char *tool_role_id(enum carta_pin_role role)
{
	return role == CARTA_PIN_ROLE_SIGN ? "sign" : "auth";
}

const char *tool_role_use(enum carta_pin_role role)
{
	return role == CARTA_PIN_ROLE_SIGN ? _("for signing documents")
	                                   : _("for logging in to websites");
}

size_t tool_tokens(const struct carta_card_desc *d, struct tool_token *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < d->n_pins && i < CARTA_MAX_PINS && n < cap; i++) {
		const struct carta_pin *p = &d->pins[i];
		if (p->kind != CARTA_PIN_USER)
			continue;
		memset(&out[n], 0, sizeof(out[n]));
		out[n].pin = i;
		out[n].puk = p->unblocked_by >= 0 && (size_t)p->unblocked_by < d->n_pins ?
		             p->unblocked_by : -1;
		out[n].role = p->role;
		/* the module's rule, so that the tool names a token as Firefox
		 * and pkcs11-tool show it */
		carta_card_token_label(d, (int)i, out[n].label, sizeof(out[n].label));
		n++;
	}
	return n;
}

void tool_pin_views(struct carta_card *c, struct tool_pinview *pv, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pv[i].rv = tool_pin_status(c, i, &pv[i].st);
}

bool tool_pinview_blocked(const struct tool_pinview *v)
{
	return v->rv == CARTA_E_PIN_BLOCKED || (v->rv == CARTA_OK && v->st.blocked);
}

const char *tool_tries_text(const struct tool_pinview *v, char *buf, size_t cap)
{
	if (tool_pinview_blocked(v))
		return _("BLOCKED");
	if (v->rv != CARTA_OK || v->st.tries_left < 0)
		return _("not readable without spending a try");
	snprintf(buf, cap, ngettext("%d try left", "%d tries left", (unsigned long)v->st.tries_left),
	         v->st.tries_left);
	return buf;
}

/* "RSA 2048, signatures only" and, for a qualified-signature key, that its
 * PIN is asked before each signature (struct carta_key.always_auth). */
const char *tool_key_text(const struct carta_key *k, char *buf, size_t cap)
{
	const char *use = (k->usage & CARTA_KU_DECRYPT) ? _("signs and deciphers") :
	                  (k->usage & CARTA_KU_NONREP) ? _("qualified signature (non-repudiation)") :
	                                                 _("signs");

	snprintf(buf, cap, "%s %zu, %s%s", k->type == CARTA_KEY_EC ? "EC" : "RSA", k->bits, use,
	         k->always_auth ? _(", PIN asked before each signature") : "");
	return buf;
}

/* {"label", "role", "pin", "tries_left", "blocked", "keys": [labels]} */
void tool_json_token(struct jw *w, const struct carta_card_desc *d, const struct tool_token *tk,
                     const struct tool_pinview *pv)
{
	const struct tool_pinview *v = &pv[tk->pin];

	jw_obj(w, NULL);
	jw_str(w, "label", tk->label);
	jw_str(w, "role", tool_role_id(tk->role));
	jw_str(w, "pin", d->pins[tk->pin].label);
	if (v->rv == CARTA_OK && v->st.tries_left >= 0 && !tool_pinview_blocked(v))
		jw_int(w, "tries_left", v->st.tries_left);
	else if (tool_pinview_blocked(v))
		jw_int(w, "tries_left", 0);
	else
		jw_null(w, "tries_left");
	jw_bool(w, "blocked", tool_pinview_blocked(v));
	jw_arr(w, "keys");
	for (size_t k = 0; k < d->n_keys && k < CARTA_MAX_KEYS; k++)
		if (d->keys[k].pin == (int)tk->pin)
			jw_str(w, NULL, d->keys[k].label);
	jw_end_arr(w);
	jw_end_obj(w);
}
