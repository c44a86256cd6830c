/* SPDX-License-Identifier: BSD-3-Clause */
/* Token per card: connected lazily on first need, cached while the reader's
 * event count stays the same; dropped with its sessions when the card goes.
 * A card error updates the login state here (removal, reset). */
#include <string.h>

#include "pkcs11/core/state.h"
#include "util/log.h"

/* (Re)build what the token shows from the card description: after connect,
 * and after login made more readable (CIE certificate). */
static void token_reload_locked(struct carta_p11_slot *s)
{
	struct carta_p11_token *t = &s->tok;

	t->desc = carta_card_get_desc(t->card);
	t->card_gen = carta_card_generation(t->card);
	carta_p11_objects_build(t, carta_p11_slot_index(s));
}

static void token_load_locked(struct carta_p11_slot *s, struct carta_card *card, uint32_t event)
{
	struct carta_p11_token *t = &s->tok;
	const struct carta_card_desc *d;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->card = card;
	t->event = event;
	carta_p11_mutex_lock(carta_p11.lock);
	t->gen = carta_p11.next_gen++;
	carta_p11_mutex_unlock(carta_p11.lock);
	d = carta_card_get_desc(card);
	t->user_pin = -1;
	t->puk = -1;
	if (d->n_keys > 0 && d->keys[0].pin >= 0 && (size_t)d->keys[0].pin < d->n_pins)
		t->user_pin = d->keys[0].pin;
	for (i = 0; i < d->n_pins && t->user_pin < 0; i++)
		if (d->pins[i].kind == CARTA_PIN_USER)
			t->user_pin = (int)i;
	if (t->user_pin >= 0 && d->pins[t->user_pin].unblocked_by >= 0 &&
	    (size_t)d->pins[t->user_pin].unblocked_by < d->n_pins)
		t->puk = d->pins[t->user_pin].unblocked_by;
	/* the reader's pad (CARTA_TF_PINPAD_VERIFY) and a card whose VERIFY a
	 * pad can build: never for the CIE (SM); CARTA_PINPAD=0 turns it off */
	t->pinpad = t->user_pin >= 0 && carta_card_pinpad(card, (size_t)t->user_pin);
	s->has_token = true;
	carta_p11_login_end_locked(s);
	token_reload_locked(s);
}

void carta_p11_token_reload_locked(struct carta_p11_slot *s)
{
	if (s->has_token)
		token_reload_locked(s);
}

void carta_p11_token_drop_locked(struct carta_p11_slot *s)
{
	carta_p11_login_end_locked(s);
	if (s->has_token) {
		carta_card_close(s->tok.card);
		memset(&s->tok, 0, sizeof(s->tok));
	}
	s->has_token = false;
}

/* Is the card that was there at `event` still in the reader? Asked after a
 * failure: an error while the card was being pulled is its removal. */
static bool card_still_there_locked(struct carta_p11_slot *s, uint32_t event)
{
	bool there;

	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	there = s->present && s->event == event;
	carta_p11_mutex_unlock(carta_p11.lock);
	return there;
}

static bool card_gone(enum carta_err e)
{
	return e == CARTA_E_NO_CARD || e == CARTA_E_NO_READER || e == CARTA_E_CARD_REMOVED;
}

/* Only a definite verdict marks the card: not asked again until the reader
 * sees another card. A card that recognised itself as unsupported is
 * definite at once; "no driver claims it" is believed when the card says it
 * twice in a row, because a one-off refusal of a probe (a 6A82 to the
 * SELECT a driver identifies its card by) reads the same as a foreign card
 * (docs/reliability.md: the same process recovers from a fault at any APDU).
 * A foreign card costs one more identification, once. Any other failure
 * (transport, 6F00, a malformed answer) is tried again at the next call; a
 * card pulled meanwhile is CKR_TOKEN_NOT_PRESENT. */
static void note_verdict_locked(struct carta_p11_slot *s, uint32_t event, enum carta_err e)
{
	if (s->bad_event != event)
		s->unknown_seen = 0;
	s->bad_event = event;
	if (e == CARTA_E_CARD_UNKNOWN)
		s->unknown_seen++;
	s->bad_card = e == CARTA_E_CARD_UNSUPPORTED ||
	              (e == CARTA_E_CARD_UNKNOWN && s->unknown_seen >= 2);
}

static CK_RV connect_failed_locked(struct carta_p11_slot *s, uint32_t event, enum carta_err e)
{
	if (!card_gone(e) && !card_still_there_locked(s, event))
		e = CARTA_E_CARD_REMOVED;
	if (e == CARTA_E_CARD_UNKNOWN || e == CARTA_E_CARD_UNSUPPORTED)
		note_verdict_locked(s, event, e);
	return carta_p11_fail(carta_p11_rv_connect(e), "no token in \"%s\": %s", s->name,
	                      carta_err_str(e));
}

static CK_RV connect_locked(struct carta_p11_slot *s, uint32_t event)
{
	struct carta_transport *tr = NULL;
	struct carta_card *card = NULL;
	enum carta_err e = CARTA_E_NO_SERVICE;
	CK_RV rv = CKR_OK;

	carta_p11_mutex_lock(carta_p11.lock);
	if (carta_p11.readers)
		e = carta_readers_connect(carta_p11.readers, s->name, &tr);
	carta_p11_mutex_unlock(carta_p11.lock);
	if (e == CARTA_OK)
		e = carta_card_open(tr, &card);
	if (e == CARTA_OK)
		token_load_locked(s, card, event);
	else
		rv = connect_failed_locked(s, event, e);
	return rv;
}

CK_RV carta_p11_token_sync_locked(struct carta_p11_slot *s, bool need)
{
	CK_RV rv = CKR_OK;
	uint32_t event;
	bool present;

	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	present = s->present;
	event = s->event;
	carta_p11_mutex_unlock(carta_p11.lock);
	if (s->has_token && (!present || s->tok.event != event)) {
		carta_log(CARTA_LOG_INFO, "pkcs11: card removed from \"%s\"%s: its sessions end",
		          s->name, present ? " (and another put in)" : "");
		carta_p11_sessions_close_locked(s, true);
		carta_p11_token_drop_locked(s);
	}
	if (!present && need)
		rv = carta_p11_fail(CKR_TOKEN_NOT_PRESENT, "no card in \"%s\"", s->name);
	else if (!present)
		rv = CKR_TOKEN_NOT_PRESENT;
	else if (s->has_token || !need)
		rv = CKR_OK;
	else if (s->bad_card && s->bad_event == event)
		rv = carta_p11_fail(CKR_TOKEN_NOT_RECOGNIZED, "the card in \"%s\" is not one carta knows",
		                    s->name);
	else
		rv = connect_locked(s, event);
	return rv;
}

/* Another process reset the card: its security state is gone. A user
 * login with a kept PIN lasts: the next private-key operation verifies it
 * again (carta_card_keep_login). Others (SO, PIN pad) end. */
void carta_p11_check_reset_locked(struct carta_p11_slot *s)
{
	if (s->has_token && carta_card_take_reset(s->tok.card) &&
	    !(s->login == CARTA_P11_LOGIN_USER && s->pin))
		carta_p11_login_end_locked(s);
}

/* A card operation failed with e: removal ends the token and its sessions
 * (marked, not freed: the caller may still hold one). */
CK_RV carta_p11_card_rv_locked(struct carta_p11_slot *s, enum carta_err e)
{
	bool removed = card_gone(e);

	if (e == CARTA_OK)
		return CKR_OK;
	/* a reader may say "transmit failed" for a card pulled mid-command:
	 * once the card is gone the truthful answer is CKR_DEVICE_REMOVED */
	if (!removed && carta_p11_rv_card_op(e) == CKR_DEVICE_ERROR && s->has_token &&
	    !card_still_there_locked(s, s->tok.event)) {
		e = CARTA_E_CARD_REMOVED;
		removed = true;
	}
	carta_p11_check_reset_locked(s);
	if (removed) {
		carta_p11_sessions_close_locked(s, true);
		carta_p11_token_drop_locked(s);
	} else if (e == CARTA_E_CARD_RESET || e == CARTA_E_SECURITY_STATUS) {
		/* the security state went with the reset, and a kept PIN did not
		 * bring it back (refused: changed by someone else) */
		carta_p11_login_end_locked(s);
	}
	return carta_p11_fail(carta_p11_rv_card_op(e), "card in \"%s\": %s%s", s->name,
	                      carta_err_str(e), removed ? " (card removed: its sessions end)" : "");
}
