/* SPDX-License-Identifier: BSD-3-Clause */
/* Token per card: connected lazily on first need, cached while the reader's
 * event count stays the same; dropped with its sessions when the card goes.
 * A card error updates the login state here (removal, reset). */
#include <string.h>

#include "pkcs11/core/state.h"
#include "util/log.h"

/* The tokens of the card in reader slot r: r's, and the signature slot's
 * when the card has two (NULL otherwise). */
static struct carta_p11_slot *sign_token_of(struct carta_p11_slot *r)
{
	struct carta_p11_slot *g = carta_p11_slot_sign(r);

	return g->has_token ? g : NULL;
}

/* (Re)build what the tokens show from the card description: after connect,
 * and after login made more readable (CIE certificate). */
static void token_reload_locked(struct carta_p11_slot *s)
{
	struct carta_p11_slot *r = carta_p11_slot_reader(s);
	struct carta_p11_slot *g = sign_token_of(r);

	r->tok.desc = carta_card_get_desc(r->tok.card);
	r->tok.card_gen = carta_card_generation(r->tok.card);
	carta_p11_objects_build(&r->tok, carta_p11_slot_index(r));
	if (g) {
		g->tok.desc = r->tok.desc;
		g->tok.card_gen = r->tok.card_gen;
		carta_p11_objects_build(&g->tok, carta_p11_slot_index(g));
	}
}

/* The first user PIN of a role, -1 none. */
static int user_pin_of(const struct carta_card_desc *d, enum carta_pin_role role)
{
	size_t i;

	for (i = 0; i < d->n_pins; i++)
		if (d->pins[i].kind == CARTA_PIN_USER && d->pins[i].role == role)
			return (int)i;
	return -1;
}

/* A card's only token: the PIN of its first key, else its first user PIN. */
static int only_pin(const struct carta_card_desc *d)
{
	size_t i;

	if (d->n_keys > 0 && d->keys[0].pin >= 0 && (size_t)d->keys[0].pin < d->n_pins)
		return d->keys[0].pin;
	for (i = 0; i < d->n_pins; i++)
		if (d->pins[i].kind == CARTA_PIN_USER)
			return (int)i;
	return -1;
}

/* The keys a token shows: on a card with two tokens those its PIN guards
 * (the SIGN token) or all the others (the AUTH token); else all. */
static uint32_t keys_of(const struct carta_card_desc *d, bool two, int sign_pin, bool sign)
{
	uint32_t m = 0;
	size_t i;

	for (i = 0; i < d->n_keys && i < CARTA_MAX_KEYS; i++)
		if (!two || (d->keys[i].pin == sign_pin) == sign)
			m |= 1u << i;
	return m;
}

/* A signature token whose every key asks for its PIN before each use
 * (CKA_ALWAYS_AUTHENTICATE) needs no C_Login: its objects are public and a
 * signature is C_SignInit, C_Login(CKU_CONTEXT_SPECIFIC), C_Sign. Without
 * CKF_LOGIN_REQUIRED, NSS never presents another token's password to it
 * while looking for client certificates (docs/pkcs11.md "The signature
 * token needs no login"). */
static bool no_login(const struct carta_card_desc *d, enum carta_pin_role role, uint32_t keys)
{
	size_t i;

	if (role != CARTA_PIN_ROLE_SIGN)
		return false;
	for (i = 0; i < d->n_keys && i < CARTA_MAX_KEYS; i++)
		if ((keys & (1u << i)) && !d->keys[i].always_auth)
			return false;
	return true;
}

static void token_init_locked(struct carta_p11_slot *s, struct carta_card *card, uint32_t event,
                              int pin, uint32_t keys)
{
	struct carta_p11_token *t = &s->tok;
	const struct carta_card_desc *d = carta_card_get_desc(card);

	memset(t, 0, sizeof(*t));
	t->card = card;
	t->event = event;
	carta_p11_mutex_lock(carta_p11.lock);
	t->gen = carta_p11.next_gen++;
	carta_p11_mutex_unlock(carta_p11.lock);
	t->user_pin = pin;
	t->puk = -1;
	t->role = pin >= 0 ? d->pins[pin].role : CARTA_PIN_ROLE_AUTH;
	t->keys = keys;
	t->no_login = no_login(d, t->role, keys);
	if (pin >= 0 && d->pins[pin].unblocked_by >= 0 &&
	    (size_t)d->pins[pin].unblocked_by < d->n_pins)
		t->puk = d->pins[pin].unblocked_by;
	/* the reader's pad (CARTA_TF_PINPAD_VERIFY) and a card whose VERIFY a
	 * pad can build: never for the CIE (SM); CARTA_PINPAD=0 turns it off */
	t->pinpad = pin >= 0 && carta_card_pinpad(card, (size_t)pin);
	s->has_token = true;
	s->pin_live = false;
	carta_p11_login_end_locked(s);
}

/* The signature slot shows its token from now on: listed for good, and an
 * event so that a client waiting for slot events learns of it. */
static void sign_slot_show(struct carta_p11_slot *g, uint32_t event, bool present)
{
	carta_p11_mutex_lock(carta_p11.lock);
	if (present)
		g->listed = true;
	if (g->listed && g->present != present)
		g->event_pending = true;
	g->present = present;
	g->event = event;
	carta_p11_mutex_unlock(carta_p11.lock);
}

/* One token per user PIN (docs/pkcs11.md "One token per PIN"): a card with
 * an AUTH and a SIGN PIN has its SIGN token in the reader's signature slot;
 * any other card has one token, in the reader slot, as before. */
static void token_load_locked(struct carta_p11_slot *r, struct carta_card *card, uint32_t event)
{
	const struct carta_card_desc *d = carta_card_get_desc(card);
	struct carta_p11_slot *g = carta_p11_slot_sign(r);
	int auth = user_pin_of(d, CARTA_PIN_ROLE_AUTH), sign = user_pin_of(d, CARTA_PIN_ROLE_SIGN);
	bool two = auth >= 0 && sign >= 0;

	token_init_locked(r, card, event, two ? auth : only_pin(d), keys_of(d, two, sign, false));
	if (two)
		token_init_locked(g, card, event, sign, keys_of(d, two, sign, true));
	sign_slot_show(g, event, two);
	token_reload_locked(r);
}

void carta_p11_token_reload_locked(struct carta_p11_slot *s)
{
	if (carta_p11_slot_reader(s)->has_token)
		token_reload_locked(s);
}

/* The card goes: both tokens of the reader with it. */
void carta_p11_token_drop_locked(struct carta_p11_slot *s)
{
	struct carta_p11_slot *r = carta_p11_slot_reader(s);
	struct carta_p11_slot *g = carta_p11_slot_sign(r);

	carta_p11_login_end_locked(g);
	carta_p11_login_end_locked(r);
	if (r->has_token)
		carta_card_close(r->tok.card);
	memset(&g->tok, 0, sizeof(g->tok));
	memset(&r->tok, 0, sizeof(r->tok));
	g->has_token = false;
	r->has_token = false;
	g->pin_live = false;
	r->pin_live = false;
	sign_slot_show(g, 0, false);
}

/* Is the card that was there at `event` still in the reader? Asked after a
 * failure: an error while the card was being pulled is its removal. */
static bool card_still_there_locked(struct carta_p11_slot *s, uint32_t event)
{
	struct carta_p11_slot *r = carta_p11_slot_reader(s);
	bool there;

	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	there = r->present && r->event == event;
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

/* The card went (or another came): the sessions of both its tokens end,
 * marked, not freed (a caller may still hold one), and the tokens go. */
static void tokens_gone_locked(struct carta_p11_slot *r)
{
	carta_p11_sessions_close_locked(carta_p11_slot_sign(r), true);
	carta_p11_sessions_close_locked(r, true);
	carta_p11_token_drop_locked(r);
}

/* The reader's card, connected when needed (r: a reader slot). */
static CK_RV reader_sync_locked(struct carta_p11_slot *r, bool need)
{
	CK_RV rv = CKR_OK;
	uint32_t event;
	bool present;

	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	present = r->present;
	event = r->event;
	carta_p11_mutex_unlock(carta_p11.lock);
	if (r->has_token && (!present || r->tok.event != event)) {
		carta_log(CARTA_LOG_INFO, "pkcs11: card removed from \"%s\"%s: its sessions end",
		          r->name, present ? " (and another put in)" : "");
		tokens_gone_locked(r);
	}
	if (!present && need)
		rv = carta_p11_fail(CKR_TOKEN_NOT_PRESENT, "no card in \"%s\"", r->name);
	else if (!present)
		rv = CKR_TOKEN_NOT_PRESENT;
	else if (r->has_token || !need)
		rv = CKR_OK;
	else if (r->bad_card && r->bad_event == event)
		rv = carta_p11_fail(CKR_TOKEN_NOT_RECOGNIZED, "the card in \"%s\" is not one carta knows",
		                    r->name);
	else
		rv = connect_locked(r, event);
	return rv;
}

CK_RV carta_p11_token_sync_locked(struct carta_p11_slot *s, bool need)
{
	CK_RV rv = reader_sync_locked(carta_p11_slot_reader(s), need);

	/* a signature slot: its token is there only with a card that has one */
	if (rv == CKR_OK && carta_p11_slot_is_sign(s) && !s->has_token)
		rv = need ? carta_p11_fail(CKR_TOKEN_NOT_PRESENT, "the card in \"%s\" has no "
		                           "signature PIN", s->name) : CKR_TOKEN_NOT_PRESENT;
	return rv;
}

void carta_p11_tokens_identify(void)
{
	struct carta_p11_slot *r;
	size_t i, n;
	bool look;

	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	n = carta_p11.n_slots;
	carta_p11_mutex_unlock(carta_p11.lock);
	for (i = 0; i < n; i++) {
		r = &carta_p11.slots[i];
		carta_p11_mutex_lock(r->lock);
		carta_p11_mutex_lock(carta_p11.lock);
		look = r->present && !(r->bad_card && r->bad_event == r->event);
		carta_p11_mutex_unlock(carta_p11.lock);
		if (look)   /* no APDU for a card already known */
			(void)reader_sync_locked(r, true);
		carta_p11_mutex_unlock(r->lock);
	}
}

/* The rule is libcarta's, shared with carta-tool (carta_card_token_label). */
void carta_p11_token_label(const struct carta_p11_token *t, char out[33])
{
	carta_card_token_label(t->desc, t->user_pin, out, 33);
}

/* Another process reset the card: its security state is gone. A user
 * login with a kept PIN lasts: the next private-key operation verifies it
 * again (carta_card_keep_login). Others (SO, PIN pad) end. */
static void reset_seen_locked(struct carta_p11_slot *s)
{
	if (!s->has_token)
		return;
	s->pin_live = false;
	if (!(s->login == CARTA_P11_LOGIN_USER && s->pin))
		carta_p11_login_end_locked(s);
}

/* The reset is the card's: seen once, for both its tokens. A SIGN token
 * keeps no PIN, so its login ends. */
void carta_p11_check_reset_locked(struct carta_p11_slot *s)
{
	struct carta_p11_slot *r = carta_p11_slot_reader(s);

	if (r->has_token && carta_card_take_reset(r->tok.card)) {
		reset_seen_locked(r);
		reset_seen_locked(carta_p11_slot_sign(r));
	}
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
		tokens_gone_locked(carta_p11_slot_reader(s));
	} else if (e == CARTA_E_CARD_RESET || e == CARTA_E_SECURITY_STATUS) {
		/* the security state went with the reset, and a kept PIN did not
		 * bring it back (refused: changed by someone else) */
		carta_p11_login_end_locked(s);
	}
	return carta_p11_fail(carta_p11_rv_card_op(e), "card in \"%s\": %s%s", s->name,
	                      carta_err_str(e), removed ? " (card removed: its sessions end)" : "");
}
