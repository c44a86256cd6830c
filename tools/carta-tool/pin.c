/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool pin status | verify | change | unblock. Each operation sends one
 * command to the card and never retries: a wrong PIN costs a try, and the
 * user decides whether to spend another. Length rules are checked first. */
#include <string.h>

#include "crypto/secret.h"
#include "tool.h"

#define PIN_CAP 64

int tool_check_pin(const struct carta_pin *p, const char *v, size_t n)
{
	bool digits = true;

	for (size_t i = 0; i < n; i++)
		digits = digits && v[i] >= '0' && v[i] <= '9';
	if (n >= p->min_len && n <= p->max_len && (digits || !p->digits_only))
		return TOOL_EX_OK;
	if (p->digits_only && p->min_len == p->max_len)
		tool_error(_("%s must be %zu digits: nothing was sent to the card"), p->label, p->min_len);
	else if (p->digits_only)
		tool_error(_("%s must be %zu to %zu digits: nothing was sent to the card"),
		           p->label, p->min_len, p->max_len);
	else
		tool_error(_("%s must be %zu to %zu characters: nothing was sent to the card"),
		           p->label, p->min_len, p->max_len);
	return TOOL_EX_REFUSED;
}

/* Read one value under `rule`; *out is NULL unless TOOL_EX_OK. */
static int ask(const struct tool *t, const char *prompt, const struct carta_pin *rule,
               struct carta_secret **out)
{
	struct carta_secret *s = NULL;
	long n;
	int rc = TOOL_EX_FAIL;

	*out = NULL;
	if (carta_secret_new(PIN_CAP, &s) != CARTA_OK)
		goto out;
	n = tool_read_pin(t, prompt, (char *)s->p, s->cap);
	if (n < 0)
		goto out;
	s->len = (size_t)n;
	rc = tool_check_pin(rule, (const char *)s->p, s->len);
out:
	if (rc == TOOL_EX_OK)
		*out = s;
	else
		carta_secret_free(&s);
	return rc;
}

/* The new PIN twice; a typing mistake must not lock the user out. */
static int ask_new(const struct tool *t, const struct carta_pin *rule, struct carta_secret **out)
{
	struct carta_secret *again = NULL;
	int rc = ask(t, _("New PIN: "), rule, out);

	if (rc == TOOL_EX_OK)
		rc = ask(t, _("New PIN again: "), rule, &again);
	if (rc == TOOL_EX_OK && (again->len != (*out)->len ||
	                         !carta_ct_equal(again->p, (*out)->p, again->len))) {
		tool_error("%s", _("the two new PINs differ: nothing was sent to the card"));
		rc = TOOL_EX_REFUSED;
	}
	carta_secret_free(&again);
	if (rc != TOOL_EX_OK) {
		carta_secret_free(&*out);
	}
	return rc;
}

/* Explain a failed operation on `p` (the PIN, or the PUK for unblock). */
static int failed(const struct tool *t, const struct carta_pin *p, enum carta_err rv, int tries)
{
	struct jw w;

	if (rv == CARTA_E_PIN_INCORRECT && tries == 0)
		rv = CARTA_E_PIN_BLOCKED;
	if (rv == CARTA_E_PIN_INCORRECT && tries > 0)
		tool_error(ngettext("wrong %s: %d try left", "wrong %s: %d tries left",
		                    (unsigned long)tries), p->label, tries);
	else if (rv == CARTA_E_PIN_INCORRECT)
		tool_error(_("wrong %s"), p->label);
	else if (rv == CARTA_E_PIN_BLOCKED && p->kind == CARTA_PIN_USER)
		tool_error(_("%s blocked: unblock it with \"carta-tool pin unblock\" and the PUK"),
		           p->label);
	else if (rv == CARTA_E_PIN_BLOCKED)
		tool_error(_("%s blocked: the card can no longer be unblocked; ask the issuer for a new one"),
		           p->label);
	else
		tool_error("%s", tool_err_text(rv));
	if (t->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_bool(&w, "ok", false);
		jw_str(&w, "error", carta_err_str(rv));
		jw_str(&w, "pin", p->label);
		if (tries >= 0)
			jw_int(&w, "tries_left", rv == CARTA_E_PIN_BLOCKED ? 0 : tries);
		jw_end_obj(&w);
		jw_done(&w);
	}
	return tool_err_exit(rv);
}

static int done(const struct tool *t, const char *msg)
{
	struct jw w;

	if (!t->json) {
		printf("%s\n", msg);
		return TOOL_EX_OK;
	}
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	jw_bool(&w, "ok", true);
	jw_end_obj(&w);
	jw_done(&w);
	return TOOL_EX_OK;
}

int tool_verify(const struct tool *t, struct carta_card *c, size_t pin)
{
	const struct carta_pin *p = &carta_card_get_desc(c)->pins[pin];
	struct carta_secret *s = NULL;
	enum carta_err rv;
	int tries = -1, rc = ask(t, _("PIN: "), p, &s);

	if (rc != TOOL_EX_OK)
		return rc;
	rv = carta_card_verify(c, pin, s->p, s->len, &tries);
	carta_secret_free(&s);
	if (rv != CARTA_OK)
		rc = failed(t, p, rv, tries);
	return rc;
}

static int change(const struct tool *t, struct carta_card *c, size_t pin)
{
	const struct carta_pin *p = &carta_card_get_desc(c)->pins[pin];
	struct carta_secret *old = NULL, *nv = NULL;
	enum carta_err rv;
	int tries = -1, rc = ask(t, _("Current PIN: "), p, &old);

	if (rc == TOOL_EX_OK)
		rc = ask_new(t, p, &nv);
	if (rc != TOOL_EX_OK)
		goto out;
	rv = carta_card_change(c, pin, old->p, old->len, nv->p, nv->len, &tries);
	rc = rv == CARTA_OK ? done(t, _("PIN changed.")) : failed(t, p, rv, tries);
out:
	carta_secret_free(&old);
	carta_secret_free(&nv);
	return rc;
}

static int unblock(const struct tool *t, struct carta_card *c, size_t pin)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	struct carta_secret *puk = NULL, *nv = NULL;
	enum carta_err rv;
	int tries = -1, rc;

	if (d->pins[pin].unblocked_by < 0 || (size_t)d->pins[pin].unblocked_by >= d->n_pins) {
		tool_error("%s", _("this card has no PUK to unblock the PIN with"));
		return TOOL_EX_FAIL;
	}
	const struct carta_pin *pk = &d->pins[d->pins[pin].unblocked_by];
	rc = ask(t, _("PUK: "), pk, &puk);
	if (rc == TOOL_EX_OK)
		rc = ask_new(t, &d->pins[pin], &nv);
	if (rc != TOOL_EX_OK)
		goto out;
	rv = carta_card_unblock(c, pin, puk->p, puk->len, nv->p, nv->len, &tries);
	rc = rv == CARTA_OK ? done(t, _("PIN unblocked and set.")) : failed(t, pk, rv, tries);
out:
	carta_secret_free(&puk);
	carta_secret_free(&nv);
	return rc;
}

static void status_line(const struct tool *t, struct jw *w, const struct carta_pin *p,
                        enum carta_err rv, const struct carta_pin_status *st)
{
	bool blocked = rv == CARTA_E_PIN_BLOCKED || (rv == CARTA_OK && st->blocked);
	bool known = rv == CARTA_OK && st->tries_left >= 0;

	if (t->json) {
		jw_obj(w, NULL);
		jw_str(w, "label", p->label);
		jw_str(w, "kind", p->kind == CARTA_PIN_PUK ? "puk" : "pin");
		jw_bool(w, "blocked", blocked);
		if (known && !blocked)
			jw_int(w, "tries_left", st->tries_left);
		else
			jw_int(w, "tries_left", blocked ? 0 : -1);
		jw_bool(w, "verified", rv == CARTA_OK && st->verified);
		jw_end_obj(w);
	} else if (blocked) {
		printf("%s: %s\n", p->label, _("BLOCKED"));
	} else if (known) {
		printf(ngettext("%s: %d try left\n", "%s: %d tries left\n",
		                (unsigned long)st->tries_left), p->label, st->tries_left);
	} else {
		printf("%s: %s\n", p->label, _("tries left not readable without spending one"));
	}
}

static int status(const struct tool *t, struct carta_card *c)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	struct carta_pin_status st;
	struct jw w;
	int rc = TOOL_EX_OK;

	jw_init(&w, stdout);
	if (t->json) {
		jw_obj(&w, NULL);
		jw_arr(&w, "pins");
	}
	for (size_t i = 0; i < d->n_pins; i++) {
		memset(&st, 0, sizeof(st));
		enum carta_err rv = tool_pin_status(c, i, &st);
		status_line(t, &w, &d->pins[i], rv, &st);
		if (d->pins[i].kind == CARTA_PIN_USER && (rv == CARTA_E_PIN_BLOCKED || st.blocked))
			rc = TOOL_EX_BLOCKED;
	}
	if (t->json) {
		jw_end_arr(&w);
		jw_end_obj(&w);
		jw_done(&w);
	}
	return rc;
}

int cmd_pin(struct tool *t)
{
	const char *op = t->nargs == 1 ? t->args[0] : "";
	struct tool_card tc;
	int rc, pin;

	if (strcmp(op, "status") && strcmp(op, "verify") && strcmp(op, "change") && strcmp(op, "unblock")) {
		tool_error("%s", _("usage: carta-tool pin status|verify|change|unblock"));
		return TOOL_EX_USAGE;
	}
	rc = tool_open_card(t, &tc);
	if (rc != TOOL_EX_OK)
		return rc;
	pin = tool_user_pin(carta_card_get_desc(tc.card));
	tc.logout = strcmp(op, "status") != 0;
	if (pin < 0) {
		tool_error("%s", _("this card has no user PIN"));
		rc = TOOL_EX_FAIL;
	} else if (strcmp(op, "status") == 0) {
		rc = status(t, tc.card);
	} else if (strcmp(op, "verify") == 0) {
		rc = tool_verify(t, tc.card, (size_t)pin);
		if (rc == TOOL_EX_OK)
			rc = done(t, _("PIN correct."));
	} else if (strcmp(op, "change") == 0) {
		rc = change(t, tc.card, (size_t)pin);
	} else {
		rc = unblock(t, tc.card, (size_t)pin);
	}
	tool_close_card(&tc);
	return rc;
}
