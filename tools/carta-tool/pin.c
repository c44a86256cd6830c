/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool pin status | verify | change | unblock [--sign]. Each operation
 * sends one command to the card and never retries: a wrong PIN costs a try,
 * and the user decides whether to spend another. Length rules are checked
 * first. --sign acts on the signature PIN (token "firma", CNS1 PIN 0x1A) and
 * its own PUK (0x1B), docs/reference/cns.md 1.5; without it, the CNS PIN. */
#include <string.h>

#include "crypto/secret.h"
#include "tool.h"

#define PIN_CAP 64

/* The words of one PIN's dialogue: the signature PIN is named as such, so
 * that a user with two PINs knows which one to type. */
struct words {
	const char *pin, *current, *new1, *new2, *puk, *changed, *unblocked, *correct;
};

static struct words words_for(enum carta_pin_role role)
{
	if (role == CARTA_PIN_ROLE_SIGN)
		return (struct words){ _("Signature PIN: "), _("Current signature PIN: "),
		                       _("New signature PIN: "), _("New signature PIN again: "),
		                       _("Signature PUK: "), _("Signature PIN changed."),
		                       _("Signature PIN unblocked and set."), _("Signature PIN correct.") };
	return (struct words){ _("PIN: "), _("Current PIN: "), _("New PIN: "), _("New PIN again: "),
	                       _("PUK: "), _("PIN changed."), _("PIN unblocked and set."),
	                       _("PIN correct.") };
}

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
	struct words wd = words_for(rule->role);
	struct carta_secret *again = NULL;
	int rc = ask(t, wd.new1, rule, out);

	if (rc == TOOL_EX_OK)
		rc = ask(t, wd.new2, rule, &again);
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

static void blocked_msg(const struct carta_pin *p, enum carta_pin_role role)
{
	if (p->kind == CARTA_PIN_USER && role == CARTA_PIN_ROLE_SIGN)
		tool_error(_("%s blocked: unblock it with \"carta-tool pin unblock --sign\" and the signature PUK"),
		           p->label);
	else if (p->kind == CARTA_PIN_USER)
		tool_error(_("%s blocked: unblock it with \"carta-tool pin unblock\" and the PUK"),
		           p->label);
	else
		tool_error(_("%s blocked: the card can no longer be unblocked; ask the issuer for a new one"),
		           p->label);
}

/* Explain a failed operation on pin `i` (the PIN, or the PUK for unblock). */
static int failed(const struct tool *t, const struct carta_card_desc *d, size_t i,
                  enum carta_err rv, int tries)
{
	const struct carta_pin *p = &d->pins[i];
	enum carta_pin_role role = tool_pin_role(d, i);
	struct jw w;

	if (rv == CARTA_E_PIN_INCORRECT && tries == 0)
		rv = CARTA_E_PIN_BLOCKED;
	if (rv == CARTA_E_PIN_INCORRECT && tries > 0)
		tool_error(ngettext("wrong %s: %d try left", "wrong %s: %d tries left",
		                    (unsigned long)tries), p->label, tries);
	else if (rv == CARTA_E_PIN_INCORRECT)
		tool_error(_("wrong %s"), p->label);
	else if (rv == CARTA_E_PIN_BLOCKED)
		blocked_msg(p, role);
	else
		tool_error("%s", tool_err_text(rv));
	if (t->json) {
		jw_init(&w, stdout);
		jw_obj(&w, NULL);
		jw_bool(&w, "ok", false);
		jw_str(&w, "error", carta_err_str(rv));
		jw_str(&w, "pin", p->label);
		jw_str(&w, "role", tool_role_id(role));
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
	const struct carta_card_desc *d = carta_card_get_desc(c);
	const struct carta_pin *p = &d->pins[pin];
	struct carta_secret *s = NULL;
	enum carta_err rv;
	int tries = -1, rc = ask(t, words_for(p->role).pin, p, &s);

	if (rc != TOOL_EX_OK)
		return rc;
	rv = carta_card_verify(c, pin, s->p, s->len, &tries);
	carta_secret_free(&s);
	if (rv != CARTA_OK)
		rc = failed(t, d, pin, rv, tries);
	return rc;
}

static int change(const struct tool *t, struct carta_card *c, size_t pin)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	const struct carta_pin *p = &d->pins[pin];
	struct carta_secret *old = NULL, *nv = NULL;
	enum carta_err rv;
	int tries = -1, rc = ask(t, words_for(p->role).current, p, &old);

	if (rc == TOOL_EX_OK)
		rc = ask_new(t, p, &nv);
	if (rc != TOOL_EX_OK)
		goto out;
	rv = carta_card_change(c, pin, old->p, old->len, nv->p, nv->len, &tries);
	rc = rv == CARTA_OK ? done(t, words_for(p->role).changed) : failed(t, d, pin, rv, tries);
out:
	carta_secret_free(&old);
	carta_secret_free(&nv);
	return rc;
}

/* The PIN's own PUK (struct carta_pin.unblocked_by): the signature PIN has
 * its own, 0x1B beside 0x1A (docs/reference/cns.md 1.5). */
static int unblock(const struct tool *t, struct carta_card *c, size_t pin)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	struct carta_secret *puk = NULL, *nv = NULL;
	enum carta_pin_role role = d->pins[pin].role;
	enum carta_err rv;
	int tries = -1, rc;

	if (d->pins[pin].unblocked_by < 0 || (size_t)d->pins[pin].unblocked_by >= d->n_pins) {
		tool_error("%s", _("this card has no PUK to unblock the PIN with"));
		return TOOL_EX_FAIL;
	}
	size_t k = (size_t)d->pins[pin].unblocked_by;
	rc = ask(t, words_for(role).puk, &d->pins[k], &puk);
	if (rc == TOOL_EX_OK)
		rc = ask_new(t, &d->pins[pin], &nv);
	if (rc != TOOL_EX_OK)
		goto out;
	rv = carta_card_unblock(c, pin, puk->p, puk->len, nv->p, nv->len, &tries);
	rc = rv == CARTA_OK ? done(t, words_for(role).unblocked) : failed(t, d, k, rv, tries);
out:
	carta_secret_free(&puk);
	carta_secret_free(&nv);
	return rc;
}

static void status_line(const struct tool *t, struct jw *w, const struct carta_card_desc *d,
                        size_t i, const struct tool_pinview *v)
{
	const struct carta_pin *p = &d->pins[i];
	bool blocked = tool_pinview_blocked(v);
	bool known = v->rv == CARTA_OK && v->st.tries_left >= 0;
	const char *in = tool_has_sign_pin(d) ? "  " : "";

	if (t->json) {
		jw_obj(w, NULL);
		jw_str(w, "label", p->label);
		jw_str(w, "kind", p->kind == CARTA_PIN_PUK ? "puk" : "pin");
		jw_str(w, "role", tool_role_id(tool_pin_role(d, i)));
		jw_bool(w, "blocked", blocked);
		if (known && !blocked)
			jw_int(w, "tries_left", v->st.tries_left);
		else
			jw_int(w, "tries_left", blocked ? 0 : -1);
		jw_bool(w, "verified", v->rv == CARTA_OK && v->st.verified);
		jw_end_obj(w);
	} else if (blocked) {
		printf("%s%s: %s\n", in, p->label, _("BLOCKED"));
	} else if (known) {
		printf("%s", in);
		printf(ngettext("%s: %d try left\n", "%s: %d tries left\n",
		                (unsigned long)v->st.tries_left), p->label, v->st.tries_left);
	} else {
		printf("%s%s: %s\n", in, p->label, _("tries left not readable without spending one"));
	}
}

/* Should status show pin `i`? All of them, or with --sign those of the
 * signature token. Its heading first, on a card with two kinds of PIN. */
static bool status_shows(const struct tool *t, const struct carta_card_desc *d, size_t i)
{
	return !t->sign || tool_pin_role(d, i) == CARTA_PIN_ROLE_SIGN;
}

static void status_heading(const struct carta_card_desc *d, size_t i)
{
	struct tool_token tk[CARTA_MAX_PINS];
	size_t n = tool_tokens(d, tk, CARTA_MAX_PINS);

	if (!tool_has_sign_pin(d))
		return;
	for (size_t k = 0; k < n; k++)
		if (tk[k].pin == i)
			printf(_("Token \"%s\", %s:\n"), tk[k].label, tool_role_use(tk[k].role));
}

static int status(const struct tool *t, struct carta_card *c)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	struct tool_pinview pv[CARTA_MAX_PINS];
	size_t n = d->n_pins < CARTA_MAX_PINS ? d->n_pins : CARTA_MAX_PINS;
	struct jw w;
	int rc = TOOL_EX_OK;

	tool_pin_views(c, pv, n);
	jw_init(&w, stdout);
	if (t->json) {
		jw_obj(&w, NULL);
		jw_arr(&w, "pins");
	}
	/* each user PIN under its token's heading, followed by its PUK */
	for (size_t i = 0; i < n; i++) {
		const struct carta_pin *p = &d->pins[i];
		if (p->kind != CARTA_PIN_USER || !status_shows(t, d, i))
			continue;
		if (!t->json)
			status_heading(d, i);
		status_line(t, &w, d, i, &pv[i]);
		if (p->unblocked_by >= 0 && (size_t)p->unblocked_by < n)
			status_line(t, &w, d, (size_t)p->unblocked_by, &pv[p->unblocked_by]);
		if (tool_pinview_blocked(&pv[i]))
			rc = TOOL_EX_BLOCKED;
	}
	if (t->json) {
		jw_end_arr(&w);
		jw_end_obj(&w);
		jw_done(&w);
	}
	return rc;
}

/* The PIN the command acts on: the signature PIN with --sign, else the CNS
 * (or CIE) PIN. A signature-only card has no PIN for logging in: say so
 * rather than silently acting on the signature PIN. */
static int pick_pin(const struct tool *t, const struct carta_card_desc *d, int *pin)
{
	*pin = tool_role_pin(d, t->sign ? CARTA_PIN_ROLE_SIGN : CARTA_PIN_ROLE_AUTH);
	if (*pin >= 0)
		return TOOL_EX_OK;
	if (t->sign) {
		tool_error("%s", _("this card has no signature PIN (no \"firma\" token)"));
		return TOOL_EX_FAIL;
	}
	if (tool_has_sign_pin(d)) {
		tool_error("%s", _("this card has only the signature PIN (token \"firma\"): add --sign"));
		return TOOL_EX_USAGE;
	}
	tool_error("%s", _("this card has no user PIN"));
	return TOOL_EX_FAIL;
}

static int run(const struct tool *t, struct carta_card *c, const char *op)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	int pin = -1, rc;

	/* status shows every PIN: a signature-only card needs no --sign for it */
	if (strcmp(op, "status") == 0 && !t->sign && tool_has_sign_pin(d))
		return status(t, c);
	rc = pick_pin(t, d, &pin);
	if (rc != TOOL_EX_OK)
		return rc;
	if (strcmp(op, "status") == 0)
		return status(t, c);
	if (strcmp(op, "verify") == 0) {
		rc = tool_verify(t, c, (size_t)pin);
		return rc == TOOL_EX_OK ? done(t, words_for(d->pins[pin].role).correct) : rc;
	}
	if (strcmp(op, "change") == 0)
		return change(t, c, (size_t)pin);
	return unblock(t, c, (size_t)pin);
}

int cmd_pin(struct tool *t)
{
	const char *op = t->nargs == 1 ? t->args[0] : "";
	struct tool_card tc;
	int rc;

	if (strcmp(op, "status") && strcmp(op, "verify") && strcmp(op, "change") && strcmp(op, "unblock")) {
		tool_error("%s", _("usage: carta-tool pin status|verify|change|unblock [--sign]"));
		return TOOL_EX_USAGE;
	}
	rc = tool_open_card(t, &tc);
	if (rc != TOOL_EX_OK)
		return rc;
	tc.logout = strcmp(op, "status") != 0;
	rc = run(t, tc.card, op);
	tool_close_card(&tc);
	return rc;
}
