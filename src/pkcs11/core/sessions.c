/* SPDX-License-Identifier: BSD-3-Clause */
/* Sessions: handle = sequence << 8 | (slot index + 1), kept in their
 * slot's list under the slot lock. When the token goes away its sessions
 * are marked; the next call on one reports CKR_DEVICE_REMOVED and frees it
 * (lookup.c), later calls see CKR_SESSION_HANDLE_INVALID. */
#include <stdlib.h>

#include "pkcs11/core/state.h"
#include "util/log.h"

static void session_free(struct carta_p11_session *ss)
{
	carta_p11_session_end_ops(ss);
	free(ss);
}

static void unlink_locked(struct carta_p11_slot *s, struct carta_p11_session *ss)
{
	struct carta_p11_session **pp;

	for (pp = &s->sessions; *pp; pp = &(*pp)->next) {
		if (*pp == ss) {
			*pp = ss->next;
			break;
		}
	}
	if (!ss->removed) {
		s->n_sessions--;
		if (ss->flags & CKF_RW_SESSION)
			s->n_rw--;
	}
}

void carta_p11_session_close_locked(struct carta_p11_slot *s, struct carta_p11_session *ss)
{
	unlink_locked(s, ss);
	session_free(ss);
	carta_p11_sign_pin_unheld_locked(s);
}

/* The card keeps one login for re-verifying: the AUTH token's. A SIGN
 * token never lends its PIN (card.h struct carta_key.always_auth: a front
 * end never re-presents it by itself), nor forgets the AUTH token's. */
void carta_p11_login_end_locked(struct carta_p11_slot *s)
{
	if (s->has_token && s->tok.role == CARTA_PIN_ROLE_AUTH)
		carta_card_keep_login(s->tok.card, 0, NULL);
	s->login = CARTA_P11_LOGIN_NONE;
	carta_secret_free(&s->puk);
	carta_secret_free(&s->pin);
}

void carta_p11_login_keep_locked(struct carta_p11_slot *s, const CK_UTF8CHAR *v, CK_ULONG n)
{
	carta_secret_free(&s->pin);
	if (!s->has_token || s->tok.role != CARTA_PIN_ROLE_AUTH)
		return;
	carta_card_keep_login(s->tok.card, 0, NULL);
	if (!v || s->tok.user_pin < 0)
		return;
	if (carta_secret_from(v, n, &s->pin) != CARTA_OK) {
		carta_log(CARTA_LOG_ERROR, "pkcs11: no memory to keep the PIN: the login lasts only "
		          "until another application resets the card");
		return;
	}
	carta_card_keep_login(s->tok.card, (size_t)s->tok.user_pin, s->pin);
}

enum carta_err carta_p11_sign_pin_drop_locked(struct carta_p11_slot *s)
{
	enum carta_err e = CARTA_OK;

	if (s->has_token && s->pin_live) {
		carta_log(CARTA_LOG_INFO, "pkcs11: the signature PIN of \"%s\" may still be verified: "
		          "card reset", s->name);
		e = carta_card_logout(s->tok.card);
	}
	s->pin_live = false;
	return e;
}

/* The login state of a token ends with its last session (v2.40 base
 * 5.6, C_CloseSession). An AUTH token's ends for this application only:
 * no reset, the other applications using the card keep theirs
 * (carta_card_logout_own). A SIGN token's PIN is dropped from the card by
 * a reset when it may still be verified, also by a context login without
 * a user login (docs/pkcs11.md "The signature PIN after logout"); the AUTH
 * logins survive it by their kept PIN. */
void carta_p11_last_session_gone_locked(struct carta_p11_slot *s)
{
	bool was = s->login != CARTA_P11_LOGIN_NONE;

	if (s->n_sessions != 0)
		return;
	carta_p11_login_end_locked(s);
	if (!s->has_token)
		return;
	if (s->tok.role == CARTA_PIN_ROLE_SIGN)
		(void)carta_p11_sign_pin_drop_locked(s);
	else if (was)
		(void)carta_card_logout_own(s->tok.card);
}

/* An operation in progress whose context login succeeded: the PIN it
 * verified is still needed for it. */
static bool context_login_held_locked(const struct carta_p11_slot *s)
{
	const struct carta_p11_session *ss;

	for (ss = s->sessions; ss; ss = ss->next)
		if (!ss->removed && ((ss->sign.active && ss->sign.ctx_auth) ||
		                     (ss->decrypt.active && ss->decrypt.ctx_auth)))
			return true;
	return false;
}

void carta_p11_sign_pin_unheld_locked(struct carta_p11_slot *s)
{
	if (s->has_token && s->tok.role == CARTA_PIN_ROLE_SIGN &&
	    s->login != CARTA_P11_LOGIN_USER && !context_login_held_locked(s))
		(void)carta_p11_sign_pin_drop_locked(s);
}

void carta_p11_sessions_close_locked(struct carta_p11_slot *s, bool removed)
{
	struct carta_p11_session *ss, *next;

	for (ss = s->sessions; ss; ss = next) {
		next = ss->next;
		if (removed) {
			carta_p11_session_end_ops(ss);
			ss->removed = true;
		} else {
			session_free(ss);
		}
	}
	if (!removed)
		s->sessions = NULL;
	s->n_sessions = 0;
	s->n_rw = 0;
}

CK_RV carta_p11_session_open_locked(struct carta_p11_slot *s, CK_FLAGS flags,
                                    CK_SESSION_HANDLE *out)
{
	struct carta_p11_session *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return carta_p11_fail(CKR_HOST_MEMORY, "no memory for a session");
	carta_p11_mutex_lock(carta_p11.lock);
	ss->handle = (carta_p11.next_session++ << 8) | (carta_p11_slot_index(s) + 1);
	carta_p11_mutex_unlock(carta_p11.lock);
	ss->flags = flags & (CKF_RW_SESSION | CKF_SERIAL_SESSION);
	ss->next = s->sessions;
	s->sessions = ss;
	s->n_sessions++;
	if (flags & CKF_RW_SESSION)
		s->n_rw++;
	*out = ss->handle;
	return CKR_OK;
}

bool carta_p11_ro_session_exists_locked(const struct carta_p11_slot *s)
{
	const struct carta_p11_session *ss;

	for (ss = s->sessions; ss; ss = ss->next)
		if (!ss->removed && !(ss->flags & CKF_RW_SESSION))
			return true;
	return false;
}
