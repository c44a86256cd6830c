/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool info: the ATR decoded, the certificates, PIN and PUK tries left. */
#include <string.h>

#include "tool.h"

struct pinview {
	enum carta_err rv;
	struct carta_pin_status st;
};

static void pin_views(struct carta_card *c, struct pinview *pv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		memset(&pv[i], 0, sizeof(pv[i]));
		pv[i].rv = tool_pin_status(c, i, &pv[i].st);
	}
}

static const char *tries_text(const struct pinview *v, char *buf, size_t cap)
{
	if (v->rv == CARTA_E_PIN_BLOCKED || (v->rv == CARTA_OK && v->st.blocked))
		return _("BLOCKED");
	if (v->rv != CARTA_OK || v->st.tries_left < 0)
		return _("not readable without spending a try");
	snprintf(buf, cap, ngettext("%d try left", "%d tries left", (unsigned long)v->st.tries_left),
	         v->st.tries_left);
	return buf;
}

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

static void text(const struct tool *t, const struct tool_card *tc, const struct pinview *pv)
{
	const struct carta_card_desc *d = carta_card_get_desc(tc->card);
	char atr[3 * 33 + 1], buf[64];

	tool_hex(tc->st.atr, tc->st.atr_len, atr, sizeof(atr));
	printf("%-20s %s\n", _("Reader:"), tc->st.name);
	printf("%-20s %s\n", "ATR:", atr);
	printf("%-20s %s\n", _("Card:"), d->family);
	printf("%-20s %s\n", _("Driver:"), d->driver);
	printf("%-20s %s\n", _("Chip and mask:"), d->manufacturer);
	printf("%-20s %s\n", _("Version:"), d->model);
	printf("%-20s %s\n", _("Serial:"), d->serial);
	text_certs(t, tc->card, d);
	for (size_t i = 0; i < d->n_pins; i++)
		printf("%-20s %s (%zu-%zu): %s\n", d->pins[i].kind == CARTA_PIN_PUK ? "PUK:" : "PIN:",
		       d->pins[i].label, d->pins[i].min_len, d->pins[i].max_len,
		       tries_text(&pv[i], buf, sizeof(buf)));
}

static void json_cert(struct jw *w, const struct carta_cert *ce)
{
	struct tool_certview v;

	jw_obj(w, NULL);
	jw_str(w, "label", ce->label);
	jw_bool(w, "readable", ce->der && tool_cert_view(ce, &v) == CARTA_OK);
	if (ce->der && tool_cert_view(ce, &v) == CARTA_OK) {
		jw_str(w, "subject", v.subject);
		jw_str(w, "issuer", v.issuer);
		jw_str(w, "not_before", v.from);
		jw_str(w, "not_after", v.until);
		jw_bool(w, "expired", v.expired);
	}
	jw_end_obj(w);
}

static void json_pin(struct jw *w, const struct carta_pin *p, const struct pinview *v)
{
	jw_obj(w, NULL);
	jw_str(w, "label", p->label);
	jw_str(w, "kind", p->kind == CARTA_PIN_PUK ? "puk" : "pin");
	jw_int(w, "min_len", (long)p->min_len);
	jw_int(w, "max_len", (long)p->max_len);
	jw_bool(w, "blocked", v->rv == CARTA_E_PIN_BLOCKED || (v->rv == CARTA_OK && v->st.blocked));
	if (v->rv == CARTA_OK && v->st.tries_left >= 0)
		jw_int(w, "tries_left", v->st.tries_left);
	else
		jw_null(w, "tries_left");
	jw_end_obj(w);
}

static void json(const struct tool *t, const struct tool_card *tc, const struct pinview *pv)
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
	jw_arr(&w, "certificates");
	for (size_t i = 0; i < d->n_certs; i++)
		json_cert(&w, &d->certs[i]);
	jw_end_arr(&w);
	jw_arr(&w, "pins");
	for (size_t i = 0; i < d->n_pins; i++)
		json_pin(&w, &d->pins[i], &pv[i]);
	jw_end_arr(&w);
	jw_end_obj(&w);
	jw_done(&w);
}

int cmd_info(struct tool *t)
{
	struct pinview pv[CARTA_MAX_PINS];
	struct tool_card tc;
	int rc = tool_open_card(t, &tc);

	if (rc != TOOL_EX_OK)
		return rc;
	const struct carta_card_desc *d = carta_card_get_desc(tc.card);
	pin_views(tc.card, pv, d->n_pins);
	tc.logout = t->login;
	if (t->json)
		json(t, &tc, pv);
	else
		text(t, &tc, pv);
	tool_close_card(&tc);
	return rc;
}
