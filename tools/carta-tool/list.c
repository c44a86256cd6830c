/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool list: every reader, and for each card its family, the driver
 * that claims it, its serial and its tokens (token.c) with key and PIN. */
#include <string.h>

#include "tool.h"

struct row {
	char atr[3 * 33 + 1];
	char what[64];                  /* recognised but unsupported: what */
	enum carta_err rv;              /* of opening the card */
	struct carta_card_desc d;       /* copied while the card is open */
	struct tool_token tk[CARTA_MAX_PINS];
	size_t n_tk;
	struct tool_pinview pv[CARTA_MAX_PINS];
};

static void probe(struct carta_readers *rs, const struct carta_reader_state *st, struct row *r)
{
	struct carta_transport *tr = NULL;
	struct carta_card *c = NULL;

	memset(r, 0, sizeof(*r));
	tool_hex(st->atr, st->atr_len, r->atr, sizeof(r->atr));
	r->rv = st->present ? CARTA_OK : CARTA_E_NO_CARD;
	if (r->rv == CARTA_OK)
		r->rv = carta_readers_connect(rs, st->name, &tr);
	if (r->rv == CARTA_OK)
		r->rv = carta_card_open_ex(tr, &c, r->what, sizeof(r->what));
	if (r->rv != CARTA_OK)
		return;
	const struct carta_card_desc *d = carta_card_get_desc(c);
	/* the plain fields only: the pointers in certs and keys die with c */
	memcpy(r->d.family, d->family, sizeof(r->d.family));
	memcpy(r->d.driver, d->driver, sizeof(r->d.driver));
	memcpy(r->d.serial, d->serial, sizeof(r->d.serial));
	memcpy(r->d.label, d->label, sizeof(r->d.label));
	memcpy(r->d.pins, d->pins, sizeof(r->d.pins));
	r->d.n_pins = d->n_pins;
	for (size_t k = 0; k < d->n_keys && k < CARTA_MAX_KEYS; k++) {
		struct carta_key *dk = &r->d.keys[k];
		memcpy(dk->label, d->keys[k].label, sizeof(dk->label));
		dk->type = d->keys[k].type;
		dk->bits = d->keys[k].bits;
		dk->usage = d->keys[k].usage;
		dk->pin = d->keys[k].pin;
		dk->always_auth = d->keys[k].always_auth;
	}
	r->d.n_keys = d->n_keys;
	r->n_tk = tool_tokens(d, r->tk, CARTA_MAX_PINS);
	tool_pin_views(c, r->pv, d->n_pins < CARTA_MAX_PINS ? d->n_pins : CARTA_MAX_PINS);
	carta_card_close(c);
}

/* Each token: its name and use, then its key and its PIN's tries. */
static void text_tokens(const struct row *r)
{
	char buf[64], key[160];

	for (size_t i = 0; i < r->n_tk; i++) {
		const struct tool_token *tk = &r->tk[i];
		printf("   %-10s %s, %s\n", _("token:"), tk->label, tool_role_use(tk->role));
		for (size_t k = 0; k < r->d.n_keys; k++)
			if (r->d.keys[k].pin == (int)tk->pin)
				printf("   %-10s %s %s: %s\n", "", _("key"), r->d.keys[k].label,
				       tool_key_text(&r->d.keys[k], key, sizeof(key)));
		printf("   %-10s %s: %s\n", "", r->d.pins[tk->pin].label,
		       tool_tries_text(&r->pv[tk->pin], buf, sizeof(buf)));
	}
}

static void text(size_t i, const struct carta_reader_state *st, const struct row *r)
{
	char buf[128];

	printf("%zu  %s\n", i, st->name);
	if (r->rv == CARTA_E_NO_CARD) {
		printf("   %s\n", _("no card"));
		return;
	}
	if (r->rv == CARTA_OK) {
		printf("   %-10s %s\n", _("card:"), r->d.family);
		printf("   %-10s %s\n", _("driver:"), r->d.driver);
		printf("   %-10s %s\n", _("serial:"), r->d.serial);
		text_tokens(r);
	} else if (r->rv == CARTA_E_CARD_UNSUPPORTED) {
		printf("   %-10s %s\n", _("card:"), tool_unsupported_text(r->what, buf, sizeof(buf)));
	} else {
		printf("   %-10s %s\n", _("card:"), tool_err_text(r->rv));
	}
	printf("   %-10s %s\n", "ATR:", r->atr);
}

static void json(struct jw *w, size_t i, const struct carta_reader_state *st, const struct row *r)
{
	jw_obj(w, NULL);
	jw_int(w, "index", (long)i);
	jw_str(w, "name", st->name);
	jw_bool(w, "card_present", st->present);
	if (st->present) {
		jw_str(w, "atr", r->atr);
		jw_bool(w, "recognised", r->rv == CARTA_OK);
		if (r->rv == CARTA_OK) {
			jw_str(w, "family", r->d.family);
			jw_str(w, "driver", r->d.driver);
			jw_str(w, "serial", r->d.serial);
			jw_arr(w, "tokens");
			for (size_t k = 0; k < r->n_tk; k++)
				tool_json_token(w, &r->d, &r->tk[k], r->pv);
			jw_end_arr(w);
		} else {
			if (r->rv == CARTA_E_CARD_UNSUPPORTED)
				jw_str(w, "family", r->what);
			jw_str(w, "error", carta_err_str(r->rv));
		}
	}
	jw_end_obj(w);
}

int cmd_list(struct tool *t)
{
	struct carta_reader_state st[CARTA_MAX_READERS];
	struct carta_readers *rs = NULL;
	struct row r;
	struct jw w;
	size_t n = 0;
	int rc = tool_readers(&rs, st, &n), pick = -1;

	if (rc != TOOL_EX_OK)
		return rc;
	if (t->reader && (pick = tool_pick_reader(t, st, n)) < 0) {
		tool_error(_("no reader matches \"%s\""), t->reader);
		rc = TOOL_EX_NO_CARD;
		goto out;
	}
	jw_init(&w, stdout);
	if (t->json) {
		jw_obj(&w, NULL);
		jw_arr(&w, "readers");
	}
	for (size_t i = 0; i < n; i++) {
		if (pick >= 0 && (size_t)pick != i)
			continue;
		probe(rs, &st[i], &r);
		if (t->json)
			json(&w, i, &st[i], &r);
		else
			text(i, &st[i], &r);
	}
	if (t->json) {
		jw_end_arr(&w);
		jw_end_obj(&w);
		jw_done(&w);
	} else if (n == 0) {
		printf("%s\n", tool_err_text(CARTA_E_NO_READER));
	}
	if (n == 0)
		rc = TOOL_EX_NO_CARD;
out:
	carta_readers_close(&rs);
	return rc;
}
