/* SPDX-License-Identifier: BSD-3-Clause */
/* C_Login, C_Logout, C_InitPIN, C_SetPIN. One VERIFY per C_Login, never
 * retried; lengths are checked before anything is sent. The PUK given to
 * C_Login(CKU_SO) lives in a struct carta_secret until C_InitPIN or
 * C_Logout; so does the user PIN the card accepted, until the login ends,
 * to verify it again after another application reset the card (never a
 * PIN the card has not accepted in this login; docs/pkcs11.md "Sharing the
 * card"). C_Logout ends this application's login only: no reset; on a
 * signature token it drops the signature PIN from the card by a reset
 * (docs/pkcs11.md "The signature PIN after logout"). CKU_CONTEXT_SPECIFIC
 * verifies the PIN of the key of the active operation, which must have
 * CKA_ALWAYS_AUTHENTICATE. Unblock works both ways pkcs11-tool offers: CKU_SO login with
 * the PUK + C_InitPIN, and C_SetPIN(PUK, new PIN) in a session that is not
 * logged in while the PIN is blocked (--unlock-pin). The log says why a
 * call was refused, never a PIN's value. */
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

/* Who asks: C_Login, or a function that sets a PIN (C_SetPIN, C_InitPIN). */
enum pin_use { PIN_LOGIN, PIN_SET };

/* The card layer owns the PIN rules (carta_pin_check): checked here only
 * to answer before any card operation. C_Login says CKR_PIN_INCORRECT
 * (carta_p11_rv_login: CKR_PIN_LEN_RANGE is not among its return values,
 * v2.40 base 5.6), so clients ask again and no try is spent. The functions
 * that set a PIN say CKR_PIN_LEN_RANGE for its length and CKR_PIN_INVALID
 * for a character the card does not take (v2.40 base 5.1.6; C_InitPIN and
 * C_SetPIN in 5.6). */
static CK_RV pin_rules_rv(const struct carta_p11_token *t, int pin, const CK_UTF8CHAR *v,
                          CK_ULONG n, const char *what, enum pin_use use)
{
	const struct carta_pin *p = &t->desc->pins[pin];
	enum carta_err e = carta_pin_check(p, v, n);
	bool len = n < p->min_len || n > p->max_len;
	CK_RV rv;

	if (e == CARTA_OK)
		return CKR_OK;
	if (use == PIN_LOGIN)
		rv = carta_p11_rv_login(e);
	else
		rv = len ? carta_p11_rv(e) : CKR_PIN_INVALID;
	if (len)
		return carta_p11_fail(rv, "%s length %lu outside %zu..%zu: nothing sent to the card",
		                      what, n, p->min_len, p->max_len);
	return carta_p11_fail(rv, "%s of length %lu is not digits only: nothing sent to the card",
	                      what, n);
}

/* A card PIN operation's result; the tries left, when the card said. A
 * PIN pad's value the card's rules refuse is C_Login's CKR_PIN_INCORRECT.
 * A SIGN token's VERIFY, CHANGE REFERENCE DATA or RESET RETRY COUNTER
 * that succeeded leaves a verified reference on the card, which only a
 * reset drops (pin_live). */
static CK_RV pin_op_rv(struct carta_p11_slot *s, enum carta_err e, int tries, enum pin_use use)
{
	CK_RV rv = carta_p11_card_rv_locked(s, e);

	if (rv == CKR_OK && s->tok.role == CARTA_PIN_ROLE_SIGN)
		s->pin_live = true;
	if (rv != CKR_OK && use == PIN_LOGIN)
		rv = carta_p11_rv_login(e);
	if (rv != CKR_OK && tries >= 0)
		rv = carta_p11_fail(rv, "%d tries left", tries);
	return rv;
}

static CK_RV verify(struct carta_p11_slot *s, int pin, const CK_UTF8CHAR *v, CK_ULONG n)
{
	int tries = -1;
	enum carta_err e;
	CK_RV rv;

	if (v && (rv = pin_rules_rv(&s->tok, pin, v, n, "PIN", PIN_LOGIN)) != CKR_OK)
		return rv;
	carta_p11_check_reset_locked(s);
	e = carta_card_verify(s->tok.card, (size_t)pin, v, v ? n : 0, &tries);
	return pin_op_rv(s, e, tries, PIN_LOGIN);
}

static CK_RV login_user_locked(struct carta_p11_slot *s, const CK_UTF8CHAR *pin, CK_ULONG n)
{
	CK_RV rv;

	if (s->login == CARTA_P11_LOGIN_USER)
		return carta_p11_fail(CKR_USER_ALREADY_LOGGED_IN, "user already logged in");
	if (s->login == CARTA_P11_LOGIN_SO)
		return carta_p11_fail(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "the SO is logged in");
	if (s->tok.user_pin < 0)
		return carta_p11_fail(CKR_USER_PIN_NOT_INITIALIZED, "the card has no user PIN");
	rv = verify(s, s->tok.user_pin, pin, n);
	if (rv == CKR_OK) {
		s->login = CARTA_P11_LOGIN_USER;
		/* the card said 9000 to it in this login: kept to verify it again
		 * after another application's reset (docs/pkcs11.md "Sharing
		 * the card") */
		carta_p11_login_keep_locked(s, pin, n);
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
	CK_RV rv;

	if (s->login == CARTA_P11_LOGIN_SO)
		return carta_p11_fail(CKR_USER_ALREADY_LOGGED_IN, "the SO is already logged in");
	if (s->login == CARTA_P11_LOGIN_USER)
		return carta_p11_fail(CKR_USER_ANOTHER_ALREADY_LOGGED_IN, "the user is logged in");
	if (carta_p11_ro_session_exists_locked(s))
		return carta_p11_fail(CKR_SESSION_READ_ONLY_EXISTS, "a R/O session is open");
	if (s->tok.puk < 0)
		return carta_p11_fail(CKR_FUNCTION_NOT_SUPPORTED, "the card has no PUK");
	if (!puk)
		return carta_p11_fail(CKR_ARGUMENTS_BAD, "no PUK (the PIN pad is for the user PIN)");
	if ((rv = pin_rules_rv(&s->tok, s->tok.puk, puk, n, "PUK", PIN_LOGIN)) != CKR_OK)
		return rv;
	e = carta_card_verify(s->tok.card, (size_t)s->tok.puk, puk, n, &tries);
	/* Cards that check the PUK only inside RESET RETRY COUNTER: keep it
	 * for C_InitPIN, where it is checked. */
	if (carta_p11_rv_puk_verify(e) != CKR_OK)
		return pin_op_rv(s, e, tries, PIN_LOGIN);
	carta_secret_free(&s->puk);
	if (carta_secret_from(puk, n, &s->puk) != CARTA_OK)
		return carta_p11_fail(CKR_HOST_MEMORY, "no memory to keep the PUK");
	s->login = CARTA_P11_LOGIN_SO;
	return CKR_OK;
}

/* CKU_CONTEXT_SPECIFIC (v2.40 base 4.9, CKA_ALWAYS_AUTHENTICATE; 5.6):
 * right after C_SignInit/C_DecryptInit on a key with CKA_ALWAYS_AUTHENTICATE
 * = TRUE, a VERIFY of the PIN guarding that key; its success lasts until
 * the operation ends. "C_Login will return CKR_OPERATION_NOT_INITIALIZED,
 * but the active cryptographic operation will not be affected" for a key
 * without it. CKR_PIN_INCORRECT leaves the operation as if C_Login had not
 * been called; CKR_PIN_LOCKED "also logs the user out from the token". The
 * PIN is the caller's buffer: never copied, never kept. */
static CK_RV login_context_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                                  const CK_UTF8CHAR *pin, CK_ULONG n)
{
	struct carta_p11_op *op = ss->sign.active ? &ss->sign : &ss->decrypt;
	int ref;
	CK_RV rv;

	if (!op->active)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no operation active");
	if (!op->always_auth)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "the operation's key has "
		                      "CKA_ALWAYS_AUTHENTICATE false: nothing to authenticate, the "
		                      "operation goes on");
	/* a token that needs no login takes it with or without a CKU_USER
	 * login (docs/pkcs11.md "The signature token needs no login") */
	if (s->login != CARTA_P11_LOGIN_USER && !s->tok.no_login)
		return carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "user not logged in");
	ref = s->tok.desc->keys[op->key].pin;
	if (ref < 0 || (size_t)ref >= s->tok.desc->n_pins)
		ref = s->tok.user_pin;
	rv = verify(s, ref, pin, n);
	if (rv == CKR_OK)
		op->ctx_auth = true;
	else if (rv == CKR_PIN_LOCKED)
		carta_p11_login_end_locked(s);
	return rv;
}

static CK_RV login_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                          CK_USER_TYPE type, const CK_UTF8CHAR *pin, CK_ULONG n)
{
	if (!pin && !s->tok.pinpad)
		return carta_p11_fail(CKR_ARGUMENTS_BAD, "no PIN, and no PIN pad");
	if (type == CKU_USER)
		return login_user_locked(s, pin, n);
	if (type == CKU_SO)
		return login_so_locked(s, pin, n);
	return login_context_locked(s, ss, pin, n);
}

CK_RV C_Login(CK_SESSION_HANDLE hSession, CK_USER_TYPE userType, CK_UTF8CHAR_PTR pPin,
              CK_ULONG ulPinLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv = carta_p11_ready_rv();

	if (rv == CKR_OK && userType != CKU_USER && userType != CKU_SO &&
	    userType != CKU_CONTEXT_SPECIFIC)
		rv = carta_p11_fail(CKR_USER_TYPE_INVALID, "user type %lu", userType);
	else if (rv == CKR_OK && (rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = login_locked(s, ss, userType, pPin, ulPinLen);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_Login(session 0x%lx, %s, %s)", hSession,
	                     carta_p11_user_name(userType), pPin ? "PIN given" : "PIN pad");
}

static CK_RV logout_locked(struct carta_p11_slot *s)
{
	enum carta_err e;

	carta_p11_check_reset_locked(s);
	if (s->login == CARTA_P11_LOGIN_NONE)
		return carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "nobody logged in");
	carta_p11_login_end_locked(s);
	/* AUTH: this application's login only: no reset, which would log out
	 * every other application using the card (docs/pkcs11.md "Sharing the
	 * card"). SIGN: the signature PIN must not stay verified after the
	 * user said "log out": a reset, if it was verified (docs/pkcs11.md
	 * "The signature PIN after logout"). */
	if (s->tok.role == CARTA_PIN_ROLE_SIGN)
		e = carta_p11_sign_pin_drop_locked(s);
	else
		e = carta_card_logout_own(s->tok.card);
	/* the login state is gone whatever the card says, unless the card is */
	if (e == CARTA_E_CARD_REMOVED || e == CARTA_E_NO_CARD)
		return carta_p11_card_rv_locked(s, e);
	return CKR_OK;
}

CK_RV C_Logout(CK_SESSION_HANDLE hSession)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv == CKR_OK) {
		rv = logout_locked(s);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_Logout(session 0x%lx)", hSession);
}

static CK_RV unblock(struct carta_p11_slot *s, const uint8_t *puk, size_t pukn,
                     const CK_UTF8CHAR *pin, CK_ULONG n)
{
	int tries = -1;
	enum carta_err e;

	e = carta_card_unblock(s->tok.card, (size_t)s->tok.user_pin, puk, pukn, pin, pin ? n : 0,
	                       &tries);
	return pin_op_rv(s, e, tries, PIN_SET);
}

static CK_RV init_pin_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                             const CK_UTF8CHAR *pin, CK_ULONG n)
{
	CK_RV rv;

	carta_p11_check_reset_locked(s);
	if (s->login != CARTA_P11_LOGIN_SO || !(ss->flags & CKF_RW_SESSION) || !s->puk)
		return carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "the SO (PUK) is not logged in in a "
		                      "R/W session");
	if (!pin && !s->tok.pinpad)
		return carta_p11_fail(CKR_ARGUMENTS_BAD, "no PIN, and no PIN pad");
	if (pin && (rv = pin_rules_rv(&s->tok, s->tok.user_pin, pin, n, "new PIN",
	                              PIN_SET)) != CKR_OK)
		return rv;
	rv = unblock(s, s->puk->p, s->puk->len, pin, n);
	carta_secret_free(&s->puk);
	if (rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED)
		carta_p11_login_end_locked(s);
	return rv;
}

CK_RV C_InitPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pPin, CK_ULONG ulPinLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv == CKR_OK) {
		rv = init_pin_locked(s, ss, pPin, ulPinLen);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_InitPIN(session 0x%lx, %s)", hSession,
	                     pPin ? "PIN given" : "PIN pad");
}

static CK_RV change(struct carta_p11_slot *s, const CK_UTF8CHAR *old, CK_ULONG oldn,
                    const CK_UTF8CHAR *nw, CK_ULONG nwn)
{
	int tries = -1;
	enum carta_err e;

	e = carta_card_change(s->tok.card, (size_t)s->tok.user_pin, old, old ? oldn : 0, nw,
	                      nw ? nwn : 0, &tries);
	return pin_op_rv(s, e, tries, PIN_SET);
}

/* Not logged in: a blocked PIN can only be unblocked, so the old value is
 * the PUK (pkcs11-tool --unlock-pin); otherwise it is the PIN itself (the
 * spec's rule, pkcs11-tool --change-pin, NSS PK11_ChangePW). Deciding by
 * the PIN's state never spends a PUK try on a PIN. */
static CK_RV set_pin_public(struct carta_p11_slot *s, const CK_UTF8CHAR *old, CK_ULONG oldn,
                            const CK_UTF8CHAR *nw, CK_ULONG nwn)
{
	struct carta_pin_status st;
	CK_RV rv;

	memset(&st, 0, sizeof(st));
	if (carta_card_pin_status(s->tok.card, (size_t)s->tok.user_pin, &st) == CARTA_OK &&
	    st.blocked) {
		if (s->tok.puk < 0)
			return carta_p11_fail(CKR_PIN_LOCKED, "PIN blocked, and the card has no PUK");
		if (old && (rv = pin_rules_rv(&s->tok, s->tok.puk, old, oldn, "PUK",
		                              PIN_SET)) != CKR_OK)
			return rv;
		return unblock(s, old, old ? oldn : 0, nw, nwn);
	}
	return change(s, old, oldn, nw, nwn);
}

static CK_RV set_pin_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                            const CK_UTF8CHAR *old, CK_ULONG oldn, const CK_UTF8CHAR *nw,
                            CK_ULONG nwn)
{
	CK_RV rv;

	carta_p11_check_reset_locked(s);
	if (!(ss->flags & CKF_RW_SESSION))
		return carta_p11_fail(CKR_SESSION_READ_ONLY, "C_SetPIN needs a R/W session");
	if ((!old || !nw) && !s->tok.pinpad)
		return carta_p11_fail(CKR_ARGUMENTS_BAD, "no PIN, and no PIN pad");
	if (s->tok.user_pin < 0)
		return carta_p11_fail(CKR_USER_PIN_NOT_INITIALIZED, "the card has no user PIN");
	if (s->login == CARTA_P11_LOGIN_SO)   /* a PUK cannot be changed (docs/reference/cns.md 3.5) */
		return carta_p11_fail(CKR_FUNCTION_NOT_SUPPORTED, "the PUK cannot be changed");
	if (nw && (rv = pin_rules_rv(&s->tok, s->tok.user_pin, nw, nwn, "new PIN",
	                             PIN_SET)) != CKR_OK)
		return rv;
	if (s->login == CARTA_P11_LOGIN_NONE)
		return set_pin_public(s, old, oldn, nw, nwn);
	if (old && (rv = pin_rules_rv(&s->tok, s->tok.user_pin, old, oldn, "old PIN",
	                              PIN_SET)) != CKR_OK)
		return rv;
	rv = change(s, old, oldn, nw, nwn);
	/* the card took the new PIN as its reference in this login: that one
	 * is kept now (a pad's is not known: nothing kept) */
	if (rv == CKR_OK && s->login == CARTA_P11_LOGIN_USER)
		carta_p11_login_keep_locked(s, nw, nwn);
	return rv;
}

CK_RV C_SetPIN(CK_SESSION_HANDLE hSession, CK_UTF8CHAR_PTR pOldPin, CK_ULONG ulOldLen,
               CK_UTF8CHAR_PTR pNewPin, CK_ULONG ulNewLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv == CKR_OK) {
		rv = set_pin_locked(s, ss, pOldPin, ulOldLen, pNewPin, ulNewLen);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_SetPIN(session 0x%lx)", hSession);
}
