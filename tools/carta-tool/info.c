/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool info: the ATR decoded, the certificates, and each token (one
 * per user PIN, token.c) with its keys, its PIN and PUK and their tries. */
#include <string.h>

#include "tool.h"

static void text_certs(const struct tool *t, struct carta_card *c, const struct carta_card_desc *d)
{
	struct tool_certview v;

	for (size_t i = 0; i < d->n_certs; i++) {
		const struct carta_cert *ce = &d->certs[i];
		printf("%s %s\n", _("Certificate:"), ce->label);
		if (!ce->der && i == 0 && t->login)
			ce = tool_cert(t, c, NULL);
		if (!ce || !ce->der) {
			printf("  %s\n", _("readable only after the PIN: use --login"));
			continue;
		}
		if (tool_cert_view(ce, &v) != CARTA_OK) {
			printf("  %s\n", _("unreadable (not a valid certificate)"));
			continue;
		}
		printf("  %-18s %s\n", _("Subject:"), v.subject);
		printf("  %-18s %s\n", _("Issuer:"), v.issuer);
		printf("  %-18s %s\n", _("Valid from:"), v.from);
		printf("  %-18s %s%s\n", _("Valid until:"), v.until, v.expired ? _(" (EXPIRED)") : "");
	}
}

static void text_pin(const struct carta_pin *p, const struct tool_pinview *v)
{
	char buf[64];

	printf("  %-18s %s (%zu-%zu): %s\n", p->kind == CARTA_PIN_PUK ? "PUK:" : "PIN:", p->label,
	       p->min_len, p->max_len, tool_tries_text(v, buf, sizeof(buf)));
}

/* A token, its keys (with the certificate each pairs with), PIN and PUK;
 * shown[] marks the PINs printed, so that none is left out or doubled. */
static void text_token(const struct carta_card_desc *d, const struct tool_token *tk,
                       const struct tool_pinview *pv, bool *shown)
{
	char key[160];

	printf("%-20s %s, %s\n", _("Token:"), tk->label, tool_role_use(tk->role));
	for (size_t k = 0; k < d->n_keys && k < CARTA_MAX_KEYS; k++) {
		const struct carta_key *ky = &d->keys[k];
		if (ky->pin != (int)tk->pin)
			continue;
		printf("  %-18s %s: %s\n", _("Key:"), ky->label, tool_key_text(ky, key, sizeof(key)));
		if (ky->cert >= 0 && (size_t)ky->cert < d->n_certs)
			printf("  %-18s %s\n", _("its certificate:"), d->certs[ky->cert].label);
	}
	text_pin(&d->pins[tk->pin], &pv[tk->pin]);
	shown[tk->pin] = true;
	if (tk->puk >= 0 && !shown[tk->puk]) {
		text_pin(&d->pins[tk->puk], &pv[tk->puk]);
		shown[tk->puk] = true;
	}
}

static void text(const struct tool *t, const struct tool_card *tc, const struct tool_pinview *pv)
{
	const struct carta_card_desc *d = carta_card_get_desc(tc->card);
	struct tool_token tk[CARTA_MAX_PINS];
	bool shown[CARTA_MAX_PINS] = { false };
	size_t n_tk = tool_tokens(d, tk, CARTA_MAX_PINS);
	char atr[3 * 33 + 1];

	tool_hex(tc->st.atr, tc->st.atr_len, atr, sizeof(atr));
	printf("%-20s %s\n", _("Reader:"), tc->st.name);
	printf("%-20s %s\n", "ATR:", atr);
	printf("%-20s %s\n", _("Card:"), d->family);
	printf("%-20s %s\n", _("Driver:"), d->driver);
	printf("%-20s %s\n", _("Chip and mask:"), d->manufacturer);
	printf("%-20s %s\n", _("Version:"), d->model);
	printf("%-20s %s\n", _("Serial:"), d->serial);
	text_certs(t, tc->card, d);
	for (size_t i = 0; i < n_tk; i++)
		text_token(d, &tk[i], pv, shown);
	for (size_t i = 0; i < d->n_pins && i < CARTA_MAX_PINS; i++)
		if (!shown[i])
			text_pin(&d->pins[i], &pv[i]);
}

/* The role of the token whose key pairs with certificate `cert`, or NULL. */
static const char *cert_role(const struct carta_card_desc *d, size_t cert)
{
	for (size_t k = 0; k < d->n_keys && k < CARTA_MAX_KEYS; k++)
		if (d->keys[k].cert == (int)cert && d->keys[k].pin >= 0)
			return tool_role_id(tool_pin_role(d, (size_t)d->keys[k].pin));
	return NULL;
}

static void json_cert(struct jw *w, const struct carta_card_desc *d, size_t i)
{
	const struct carta_cert *ce = &d->certs[i];
	struct tool_certview v;
	bool ok = ce->der && tool_cert_view(ce, &v) == CARTA_OK;

	jw_obj(w, NULL);
	jw_str(w, "label", ce->label);
	jw_str(w, "role", cert_role(d, i));
	jw_bool(w, "readable", ok);
	if (ok) {
		jw_str(w, "subject", v.subject);
		jw_str(w, "issuer", v.issuer);
		jw_str(w, "not_before", v.from);
		jw_str(w, "not_after", v.until);
		jw_bool(w, "expired", v.expired);
	}
	jw_end_obj(w);
}

static void json_key(struct jw *w, const struct carta_card_desc *d, const struct carta_key *k)
{
	jw_obj(w, NULL);
	jw_str(w, "label", k->label);
	jw_str(w, "role", k->pin >= 0 ? tool_role_id(tool_pin_role(d, (size_t)k->pin)) : NULL);
	jw_str(w, "type", k->type == CARTA_KEY_EC ? "ec" : "rsa");
	jw_int(w, "bits", (long)k->bits);
	jw_arr(w, "usage");
	if (k->usage & CARTA_KU_SIGN)
		jw_str(w, NULL, "sign");
	if (k->usage & CARTA_KU_NONREP)
		jw_str(w, NULL, "nonrepudiation");
	if (k->usage & CARTA_KU_DECRYPT)
		jw_str(w, NULL, "decrypt");
	jw_end_arr(w);
	jw_bool(w, "always_authenticate", k->always_auth);
	if (k->cert >= 0 && (size_t)k->cert < d->n_certs)
		jw_str(w, "certificate", d->certs[k->cert].label);
	else
		jw_null(w, "certificate");
	jw_end_obj(w);
}

static void json_pin(struct jw *w, const struct carta_card_desc *d, size_t i,
                     const struct tool_pinview *v)
{
	const struct carta_pin *p = &d->pins[i];

	jw_obj(w, NULL);
	jw_str(w, "label", p->label);
	jw_str(w, "kind", p->kind == CARTA_PIN_PUK ? "puk" : "pin");
	jw_str(w, "role", tool_role_id(tool_pin_role(d, i)));
	jw_int(w, "min_len", (long)p->min_len);
	jw_int(w, "max_len", (long)p->max_len);
	jw_bool(w, "blocked", tool_pinview_blocked(v));
	if (v->rv == CARTA_OK && v->st.tries_left >= 0)
		jw_int(w, "tries_left", v->st.tries_left);
	else
		jw_null(w, "tries_left");
	jw_end_obj(w);
}

static void json_lists(struct jw *w, const struct carta_card_desc *d, const struct tool_pinview *pv)
{
	struct tool_token tk[CARTA_MAX_PINS];
	size_t n_tk = tool_tokens(d, tk, CARTA_MAX_PINS);

	jw_arr(w, "certificates");
	for (size_t i = 0; i < d->n_certs && i < CARTA_MAX_CERTS; i++)
		json_cert(w, d, i);
	jw_end_arr(w);
	jw_arr(w, "keys");
	for (size_t i = 0; i < d->n_keys && i < CARTA_MAX_KEYS; i++)
		json_key(w, d, &d->keys[i]);
	jw_end_arr(w);
	jw_arr(w, "pins");
	for (size_t i = 0; i < d->n_pins && i < CARTA_MAX_PINS; i++)
		json_pin(w, d, i, &pv[i]);
	jw_end_arr(w);
	jw_arr(w, "tokens");
	for (size_t i = 0; i < n_tk; i++)
		tool_json_token(w, d, &tk[i], pv);
	jw_end_arr(w);
}

static void json(const struct tool *t, const struct tool_card *tc, const struct tool_pinview *pv)
{
	const struct carta_card_desc *d = carta_card_get_desc(tc->card);
	char atr[3 * 33 + 1];
	struct jw w;

	if (t->login && d->n_certs && !d->certs[0].der)
		(void)tool_cert(t, tc->card, NULL);
	tool_hex(tc->st.atr, tc->st.atr_len, atr, sizeof(atr));
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_str(&w, "reader", tc->st.name);
	jw_str(&w, "atr", atr);
	jw_str(&w, "family", d->family);
	jw_str(&w, "driver", d->driver);
	jw_str(&w, "manufacturer", d->manufacturer);
	jw_str(&w, "model", d->model);
	jw_str(&w, "serial", d->serial);
	json_lists(&w, d, pv);
	jw_end_obj(&w);
	jw_done(&w);
}

int cmd_info(struct tool *t)
{
	struct tool_pinview pv[CARTA_MAX_PINS];
	struct tool_card tc;
	int rc = tool_open_card(t, &tc);

	if (rc != TOOL_EX_OK)
		return rc;
	const struct carta_card_desc *d = carta_card_get_desc(tc.card);
	tool_pin_views(tc.card, pv, d->n_pins < CARTA_MAX_PINS ? d->n_pins : CARTA_MAX_PINS);
	tc.logout = t->login;
	if (t->json)
		json(t, &tc, pv);
	else
		text(t, &tc, pv);
	tool_close_card(&tc);
	return rc;
}
