/* SPDX-License-Identifier: BSD-3-Clause */
/* C_Login, C_Logout, C_InitPIN, C_SetPIN. One VERIFY per C_Login, never
 * retried; lengths are checked before anything is sent. The PUK given to
 * C_Login(CKU_SO) lives in a struct carta_secret until C_InitPIN or
 * C_Logout. Unblock works both ways pkcs11-tool offers: CKU_SO login with
 * the PUK + C_InitPIN, and C_SetPIN(PUK, new PIN) in a session that is not
 * logged in while the PIN is blocked (--unlock-pin). */
#include <string.h>

#include "pkcs11/p11.h"

/* The card layer owns the PIN rules (carta_pin_check): checked here only
 * to answer before any card operation. */
static bool len_ok(const struct carta_p11_token *t, int pin, const CK_UTF8CHAR *v, CK_ULONG n)
{
	return carta_pin_check(&t->desc->pins[pin], v, n) == CARTA_OK;
}

static bool ro_session_exists(const struct carta_p11_slot *s)
{
	const struct carta_p11_session *ss;

	for (ss = s->sessions; ss; ss = ss->next)
		if (!ss->removed && !(ss->flags & CKF_RW_SESSION))
			return true;
	return false;
}

static CK_RV card(struct carta_p11_slot *s, enum carta_err e)
{
	return e == CARTA_OK ? CKR_OK : carta_p11_card_rv_locked(s, e);
}

static CK_RV verify(struct carta_p11_slot *s, int pin, const CK_UTF8CHAR *v, CK_ULONG n)
{
	int tries = -1;

	if (v && !len_ok(&s->tok, pin, v, n))
		return CKR_PIN_LEN_RANGE;
	carta_p11_check_reset_locked(s);
	return card(s, carta_card_verify(s->tok.card, (size_t)pin, v, v ? n : 0, &tries));
}

static CK_RV login_user_locked(struct carta_p11_slot *s, const CK_UTF8CHAR *pin, CK_ULONG n)
{
	CK_RV rv;

	if (s->login == CARTA_P11_LOGIN_USER)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (s->login == CARTA_P11_LOGIN_SO)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (s->tok.user_pin < 0)
		return CKR_USER_PIN_NOT_INITIALIZED;
	rv = verify(s, s->tok.user_pin, pin, n);
	if (rv == CKR_OK) {
		s->login = CARTA_P11_LOGIN_USER;
		/* CIE: the certificate becomes readable only now */
		if (carta_card_generation(s->tok.card) != s->tok.card_gen)
			carta_p11_token_reload_locked(s);
	}
	return rv;
}

static CK_RV login_so_locked(struct carta_p11_slot *s, const CK_UTF8CHAR *puk, CK_ULONG n)
{
	int tries = -1;
	enum carta_err e;

	if (s->login == CARTA_P11_LOGIN_SO)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (s->login == CARTA_P11_LOGIN_USER)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	if (ro_session_exists(s))
		return CKR_SESSION_READ_ONLY_EXISTS;
	if (s->tok.puk < 0)
		return CKR_FUNCTION_NOT_SUPPORTED;
	if (!puk)
		return CKR_ARGUMENTS_BAD;
	if (!len_ok(&s->tok, s->tok.puk, puk, n))
		return CKR_PIN_LEN_RANGE;
	e = carta_card_verify(s->tok.card, (size_t)s->tok.puk, puk, n, &tries);
	/* Cards that check the PUK only inside RESET RETRY COUNTER: keep it
	 * for C_InitPIN, where it is checked. */
	if (e != CARTA_OK && e != CARTA_E_NOT_SUPPORTED && e != CARTA_E_FUNC_NOT_SUPPORTED &&
	    e != CARTA_E_INS_NOT_SUPPORTED)
		return card(s, e);
	carta_secret_free(&s->puk);
	if (carta_secret_from(puk, n, &s->puk) != CARTA_OK)
		return CKR_HOST_MEMORY;
	s->login = CARTA_P11_LOGIN_SO;
	return CKR_OK;
}

static CK_RV login_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                          CK_USER_TYPE type, const CK_UTF8CHAR *pin, CK_ULONG n)
{
	if (!pin && !s->tok.pinpad)
		return CKR_ARGUMENTS_BAD;
	if (type == CKU_USER)
		return login_user_locked(s, pin, n);
	if (type == CKU_SO)
		return login_so_locked(s, pin, n);
	/* CKU_CONTEXT_SPECIFIC: only inside an operation (v2.40 base 5.6) */
	if (!ss->sign.active && !ss->decrypt.active)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (s->login != CARTA_P11_LOGIN_USER)
		return CKR_USER_NOT_LOGGED_IN;
	return verify(s, s->tok.user_pin, pin, n);
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
              CK_ULONG ulPinLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!carta_p11_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (userType != CKU_USER && userType != CKU_SO && userType != CKU_CONTEXT_SPECIFIC)
		return CKR_USER_TYPE_INVALID;
	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	rv = login_locked(s, ss, userType, pPin, ulPinLen);
	carta_p11_slot_unlock(s);
	return rv;
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	enum carta_err e;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	carta_p11_check_reset_locked(s);
	if (s->login == CARTA_P11_LOGIN_NONE)
		rv = CKR_USER_NOT_LOGGED_IN;
	else {
		s->login = CARTA_P11_LOGIN_NONE;
		carta_secret_free(&s->puk);
		e = carta_card_logout(s->tok.card);
		if (e == CARTA_E_CARD_REMOVED || e == CARTA_E_NO_CARD)
			rv = carta_p11_card_rv_locked(s, e);
	}
	carta_p11_slot_unlock(s);
	return rv;
}

static CK_RV unblock(struct carta_p11_slot *s, const uint8_t *puk, size_t pukn,
                     const CK_UTF8CHAR *pin, CK_ULONG n)
{
	int tries = -1;

	return card(s, carta_card_unblock(s->tok.card, (size_t)s->tok.user_pin, puk, pukn,
	                                  pin, pin ? n : 0, &tries));
}

CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	carta_p11_check_reset_locked(s);
	if (s->login != CARTA_P11_LOGIN_SO || !(ss->flags & CKF_RW_SESSION) || !s->puk)
		rv = CKR_USER_NOT_LOGGED_IN;
	else if (!pPin && !s->tok.pinpad)
		rv = CKR_ARGUMENTS_BAD;
	else if (pPin && !len_ok(&s->tok, s->tok.user_pin, pPin, ulPinLen))
		rv = CKR_PIN_LEN_RANGE;
	else {
		rv = unblock(s, s->puk->p, s->puk->len, pPin, ulPinLen);
		carta_secret_free(&s->puk);
		if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED)
			s->login = CARTA_P11_LOGIN_NONE;
	}
	carta_p11_slot_unlock(s);
	return rv;
}

/* Not logged in: a blocked PIN can only be unblocked, so the old value is
 * the PUK (pkcs11-tool --unlock-pin); otherwise it is the PIN itself (the
 * spec's rule, pkcs11-tool --change-pin, NSS PK11_ChangePW). Deciding by
 * the PIN's state never spends a PUK try on a PIN. */
static CK_RV set_pin_public(struct carta_p11_slot *s, const CK_UTF8CHAR *old, CK_ULONG oldn,
                            const CK_UTF8CHAR *nw, CK_ULONG nwn)
{
	struct carta_pin_status st;
	int tries = -1;

	memset(&st, 0, sizeof(st));
	if (carta_card_pin_status(s->tok.card, (size_t)s->tok.user_pin, &st) == CARTA_OK &&
	    st.blocked) {
		if (s->tok.puk < 0)
			return CKR_PIN_LOCKED;
		if (old && !len_ok(&s->tok, s->tok.puk, old, oldn))
			return CKR_PIN_LEN_RANGE;
		return unblock(s, old, old ? oldn : 0, nw, nwn);
	}
	return card(s, carta_card_change(s->tok.card, (size_t)s->tok.user_pin, old,
	                                 old ? oldn : 0, nw, nw ? nwn : 0, &tries));
}

static CK_RV set_pin_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                            const CK_UTF8CHAR *old, CK_ULONG oldn, const CK_UTF8CHAR *nw,
                            CK_ULONG nwn)
{
	int tries = -1;

	carta_p11_check_reset_locked(s);
	if (!(ss->flags & CKF_RW_SESSION))
		return CKR_SESSION_READ_ONLY;
	if ((!old || !nw) && !s->tok.pinpad)
		return CKR_ARGUMENTS_BAD;
	if (s->tok.user_pin < 0)
		return CKR_USER_PIN_NOT_INITIALIZED;
	if (s->login == CARTA_P11_LOGIN_SO)
		return CKR_FUNCTION_NOT_SUPPORTED;   /* a PUK cannot be changed (cns.md 3.5) */
	if (nw && !len_ok(&s->tok, s->tok.user_pin, nw, nwn))
		return CKR_PIN_LEN_RANGE;
	if (s->login == CARTA_P11_LOGIN_NONE)
		return set_pin_public(s, old, oldn, nw, nwn);
	if (old && !len_ok(&s->tok, s->tok.user_pin, old, oldn))
		return CKR_PIN_LEN_RANGE;
	return card(s, carta_card_change(s->tok.card, (size_t)s->tok.user_pin, old,
	                                 old ? oldn : 0, nw, nw ? nwn : 0, &tries));
}

CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
               CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	rv = set_pin_locked(s, ss, pOldPin, ulOldLen, pNewPin, ulNewLen);
	carta_p11_slot_unlock(s);
	return rv;
}
