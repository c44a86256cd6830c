/* SPDX-License-Identifier: BSD-3-Clause */
/* How carta-tool doctor reports: a finding (stable id, what is wrong, the fix)
 * or an ok line, as text or JSON; and the reports about one card that name
 * what the user sees elsewhere: its tokens ("CNS" for logging in, "firma"
 * for signing documents), a blocked PIN of either, a card recognised but not
 * supported (with its ATR, for the report the user is asked to send). Its
 * own file so that the checks (doctor.c, doctor_env.c) both call down into it. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"

void doctor_finding(struct doctor *d, const char *id, const char *msg, const char *fix)
{
	d->problems++;
	if (d->t->json) {
		jw_obj(&d->w, NULL);
		jw_str(&d->w, "id", id);
		jw_str(&d->w, "severity", "problem");
		jw_str(&d->w, "message", msg);
		jw_str(&d->w, "fix", fix);
		jw_end_obj(&d->w);
	} else {
		printf(_("[%s] %s Fix: %s\n"), id, msg, fix);
	}
}

void doctor_info(struct doctor *d, const char *id, const char *msg, const char *advice)
{
	if (d->t->json) {
		jw_obj(&d->w, NULL);
		jw_str(&d->w, "id", id);
		jw_str(&d->w, "severity", "info");
		jw_str(&d->w, "message", msg);
		jw_str(&d->w, "fix", advice);
		jw_end_obj(&d->w);
	} else {
		printf(_("info [%s] %s What to do: %s\n"), id, msg, advice);
	}
}

void doctor_ok(struct doctor *d, const char *msg)
{
	if (!d->t->json)
		printf("ok   %s\n", msg);
}

void doctor_unsupported(struct doctor *d, const char *reader, const char *what, const char *atr)
{
	char msg[1024], buf[128];

	/* a reader's name may be long: truncation is fine */
	if (snprintf(msg, sizeof(msg), _("%s: %s (ATR %s)."), reader,
	             tool_unsupported_text(what, buf, sizeof(buf)), atr) < 0)
		msg[0] = '\0';
	doctor_finding(d, "unsupported-card", msg,
	               _("carta recognises this card but cannot use it yet: use the issuer's middleware for now, and watch the carta project for support."));
}

/* One ok line a token: which it is, what it is for, its PIN's tries. Only
 * on a card with a signature PIN: there the browser shows two tokens and
 * the user must know which to pick (docs/user-guide.md). */
static void token_line(struct doctor *d, struct carta_card *c, const struct tool_token *tk,
                       const char *rd)
{
	const struct carta_card_desc *desc = carta_card_get_desc(c);
	struct tool_pinview v;
	char msg[1024], buf[64];
	bool each = false;

	for (size_t k = 0; k < desc->n_keys && k < CARTA_MAX_KEYS; k++)
		each = each || (desc->keys[k].pin == (int)tk->pin && desc->keys[k].always_auth);
	v.rv = tool_pin_status(c, tk->pin, &v.st);
	snprintf(msg, sizeof(msg), _("%s: token \"%s\" %s: %s, %s%s"), rd, tk->label,
	         tool_role_use(tk->role), desc->pins[tk->pin].label,
	         tool_tries_text(&v, buf, sizeof(buf)), each ? _(", asked at each signature") : "");
	doctor_ok(d, msg);
}

void doctor_tokens(struct doctor *d, struct carta_card *c, const char *rd)
{
	const struct carta_card_desc *desc = carta_card_get_desc(c);
	struct tool_token tk[CARTA_MAX_PINS];
	size_t n = tool_tokens(desc, tk, CARTA_MAX_PINS);
	char msg[1024];

	if (!tool_has_sign_pin(desc))
		return;
	for (size_t i = 0; i < n; i++)
		token_line(d, c, &tk[i], rd);
	if (tool_role_pin(desc, CARTA_PIN_ROLE_AUTH) >= 0)
		return;
	snprintf(msg, sizeof(msg), _("%s: this card only signs documents (token \"%s\"): it has no key for logging in to websites."),
	         rd, n ? tk[0].label : desc->label);
	doctor_info(d, "sign-only-card", msg,
	            _("log in to websites with a CNS or CIE; use this card in a signing program."));
}

void doctor_pin_blocked(struct doctor *d, const struct carta_card_desc *desc, size_t i,
                        const char *rd)
{
	const struct carta_pin *p = &desc->pins[i];
	bool sign = tool_pin_role(desc, i) == CARTA_PIN_ROLE_SIGN;
	char msg[512];

	snprintf(msg, sizeof(msg), _("%s: the %s is blocked."), rd, p->label);
	if (p->kind == CARTA_PIN_USER && sign)
		doctor_finding(d, "sign-pin-blocked", msg,
		               _("unblock it with \"carta-tool pin unblock --sign\" and the signature PUK from the card's letter."));
	else if (p->kind == CARTA_PIN_USER)
		doctor_finding(d, "pin-blocked", msg,
		               _("unblock it with \"carta-tool pin unblock\" and the PUK from the card's letter."));
	else if (sign)
		doctor_finding(d, "sign-puk-blocked", msg,
		               _("the signature PIN cannot be unblocked any more: ask the certification authority that issued the card for a new one."));
	else
		doctor_finding(d, "puk-blocked", msg,
		               _("the card cannot be unblocked any more: ask its issuer for a new one."));
}
