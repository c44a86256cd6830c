/* SPDX-License-Identifier: BSD-3-Clause */
/* Token per card: connected lazily on first need, cached while the reader's
 * event count stays the same; C_GetTokenInfo, C_InitToken. */
#include <stdio.h>
#include <string.h>

#include "pkcs11/p11.h"

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
	s->login = CARTA_P11_LOGIN_NONE;
	token_reload_locked(s);
}

void carta_p11_token_reload_locked(struct carta_p11_slot *s)
{
	if (s->has_token)
		token_reload_locked(s);
}

void carta_p11_token_drop_locked(struct carta_p11_slot *s)
{
	if (s->has_token) {
		carta_card_close(s->tok.card);
		memset(&s->tok, 0, sizeof(s->tok));
	}
	s->has_token = false;
	s->login = CARTA_P11_LOGIN_NONE;
	carta_secret_free(&s->puk);
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
	else if (e == CARTA_E_CARD_UNKNOWN) {
		s->bad_card = true;
		s->bad_event = event;
		rv = CKR_TOKEN_NOT_RECOGNIZED;
	} else if (e == CARTA_E_NO_CARD || e == CARTA_E_CARD_REMOVED || e == CARTA_E_NO_READER)
		rv = CKR_TOKEN_NOT_PRESENT;
	else
		rv = carta_p11_rv(e);
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
		carta_p11_sessions_close_locked(s, true);
		carta_p11_token_drop_locked(s);
	}
	if (!present)
		rv = CKR_TOKEN_NOT_PRESENT;
	else if (s->has_token || !need)
		rv = CKR_OK;
	else if (s->bad_card && s->bad_event == event)
		rv = CKR_TOKEN_NOT_RECOGNIZED;
	else
		rv = connect_locked(s, event);
	return rv;
}

/* Another process reset the card: its security state is gone. */
void carta_p11_check_reset_locked(struct carta_p11_slot *s)
{
	if (s->has_token && carta_card_take_reset(s->tok.card)) {
		s->login = CARTA_P11_LOGIN_NONE;
		carta_secret_free(&s->puk);
	}
}

/* A card operation failed with e: removal ends the token and its sessions
 * (marked, not freed: the caller may still hold one). */
CK_RV carta_p11_card_rv_locked(struct carta_p11_slot *s, enum carta_err e)
{
	carta_p11_check_reset_locked(s);
	if (e == CARTA_E_NO_CARD || e == CARTA_E_NO_READER)
		e = CARTA_E_CARD_REMOVED;
	if (e == CARTA_E_CARD_RESET)        /* the security state went with the reset */
		e = CARTA_E_SECURITY_STATUS;
	if (e == CARTA_E_CARD_REMOVED) {
		carta_p11_sessions_close_locked(s, true);
		carta_p11_token_drop_locked(s);
	} else if (e == CARTA_E_SECURITY_STATUS) {
		s->login = CARTA_P11_LOGIN_NONE;
	}
	return carta_p11_rv(e);
}

static void token_label(const struct carta_p11_token *t, char *out, size_t n)
{
	const struct carta_holder *h = &t->desc->holder;

	if (h->present && (h->given_name[0] || h->surname[0]))
		snprintf(out, n, "%s%s%s", h->given_name, h->given_name[0] ? " " : "", h->surname);
	else if (t->desc->n_certs > 0 && t->desc->certs[0].cn[0])
		snprintf(out, n, "%s", t->desc->certs[0].cn);
	else
		snprintf(out, n, "%s", t->desc->family);
}

static CK_FLAGS pin_flags(struct carta_p11_slot *s, int pin, bool so)
{
	struct carta_pin_status st;
	CK_FLAGS f = 0;
	int max;

	if (pin < 0 || carta_card_pin_status(s->tok.card, (size_t)pin, &st) != CARTA_OK)
		return 0;
	max = s->tok.desc->pins[pin].max_tries;
	if (st.blocked || st.tries_left == 0)
		f |= so ? CKF_SO_PIN_LOCKED : CKF_USER_PIN_LOCKED;
	else if (st.tries_left == 1)
		f |= so ? CKF_SO_PIN_FINAL_TRY : CKF_USER_PIN_FINAL_TRY;
	if (!st.blocked && st.tries_left > 0 && max > 0 && st.tries_left < max)
		f |= so ? CKF_SO_PIN_COUNT_LOW : CKF_USER_PIN_COUNT_LOW;
	return f;
}

static void fill_token_info_locked(struct carta_p11_slot *s, CK_TOKEN_INFO *ti)
{
	const struct carta_p11_token *t = &s->tok;
	char label[160];

	memset(ti, 0, sizeof(*ti));
	token_label(t, label, sizeof(label));
	carta_p11_pad(ti->label, sizeof(ti->label), label);
	carta_p11_pad(ti->manufacturerID, sizeof(ti->manufacturerID), t->desc->manufacturer);
	carta_p11_pad(ti->model, sizeof(ti->model), t->desc->model);
	carta_p11_pad(ti->serialNumber, sizeof(ti->serialNumber), t->desc->serial);
	ti->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED |
	            CKF_WRITE_PROTECTED;
	if (t->pinpad)
		ti->flags |= CKF_PROTECTED_AUTHENTICATION_PATH;
	ti->flags |= pin_flags(s, t->user_pin, false);
	ti->flags |= pin_flags(s, t->puk, true);
	carta_p11_check_reset_locked(s);
	ti->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	ti->ulMaxRwSessionCount = CK_EFFECTIVELY_INFINITE;
	ti->ulSessionCount = s->n_sessions;
	ti->ulRwSessionCount = s->n_rw;
	if (t->user_pin >= 0) {
		ti->ulMinPinLen = t->desc->pins[t->user_pin].min_len;
		ti->ulMaxPinLen = t->desc->pins[t->user_pin].max_len;
	}
	ti->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	ti->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	ti->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	ti->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	memset(ti->utcTime, ' ', sizeof(ti->utcTime));  /* no clock on the card */
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slotID, CK_TOKEN_INFO_PTR pInfo)
{
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pInfo)
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	rv = carta_p11_slot_lock(slotID, &s);
	if (rv != CKR_OK)
		return rv;
	rv = carta_p11_token_sync_locked(s, true);
	if (rv == CKR_OK)
		fill_token_info_locked(s, pInfo);
	carta_p11_slot_unlock(s);
	return rv;
}

CK_RV C_InitToken(CK_SLOT_ID slotID, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen,
                  CK_UTF8CHAR_PTR pLabel)
{
	struct carta_p11_slot *s;
	CK_RV rv;

	(void)pPin;
	(void)ulPinLen;
	if (!pLabel)
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	rv = carta_p11_slot_lock(slotID, &s);
	if (rv != CKR_OK)
		return rv;
	rv = carta_p11_token_sync_locked(s, true);
	if (rv == CKR_OK && s->n_sessions > 0)
		rv = CKR_SESSION_EXISTS;
	else if (rv == CKR_OK)
		rv = CKR_TOKEN_WRITE_PROTECTED;   /* the cards cannot be re-personalised */
	carta_p11_slot_unlock(s);
	return rv;
}
