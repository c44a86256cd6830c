/* SPDX-License-Identifier: BSD-3-Clause */
/* C_GetTokenInfo, C_InitToken over the tokens of core/tokens.c. */
#include <stdio.h>
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

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
	char label[33];

	memset(ti, 0, sizeof(*ti));
	/* the card layer names the token once (struct carta_card_desc.label):
	 * a login must not rename it, or saved NSS nicknames and pkcs11: URIs
	 * stop matching. A card with two tokens says which is which. */
	carta_p11_token_label(t, label);
	carta_p11_blank_fill(ti->label, sizeof(ti->label), label);
	carta_p11_blank_fill(ti->manufacturerID, sizeof(ti->manufacturerID), t->desc->manufacturer);
	carta_p11_blank_fill(ti->model, sizeof(ti->model), t->desc->model);
	/* both tokens of a card carry its serial: it names the card, and the
	 * labels tell the tokens apart (docs/pkcs11.md "One token per PIN") */
	carta_p11_blank_fill(ti->serialNumber, sizeof(ti->serialNumber), t->desc->serial);
	ti->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_WRITE_PROTECTED;
	/* a signature token's keys ask for the PIN at each use: nothing needs
	 * a C_Login, and NSS then never gives it another token's password
	 * (docs/pkcs11.md "The signature token needs no login") */
	if (!t->no_login)
		ti->flags |= CKF_LOGIN_REQUIRED;
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
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no CK_TOKEN_INFO to fill");
	else if ((rv = carta_p11_slot_lock(slotID, &s)) == CKR_OK) {
		rv = carta_p11_token_sync_locked(s, true);
		if (rv == CKR_OK)
			fill_token_info_locked(s, pInfo);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_GetTokenInfo(slot %lu)", slotID);
}

static CK_RV init_token_locked(struct carta_p11_slot *s)
{
	CK_RV rv = carta_p11_token_sync_locked(s, true);

	if (rv == CKR_OK && s->n_sessions > 0)
		rv = carta_p11_fail(CKR_SESSION_EXISTS, "%lu sessions open", s->n_sessions);
	else if (rv == CKR_OK)   /* the cards cannot be re-personalised */
		rv = carta_p11_fail(CKR_TOKEN_WRITE_PROTECTED, "the card cannot be re-initialised");
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
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no label");
	else if ((rv = carta_p11_slot_lock(slotID, &s)) == CKR_OK) {
		rv = init_token_locked(s);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_InitToken(slot %lu)", slotID);
}
