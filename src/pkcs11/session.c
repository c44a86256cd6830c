/* SPDX-License-Identifier: BSD-3-Clause */
/* Sessions: handle = sequence << 8 | (slot index + 1), kept in their
 * slot's list under the slot lock. When the token goes away its sessions
 * are marked; the next call on one reports CKR_DEVICE_REMOVED and frees it,
 * later calls see CKR_SESSION_HANDLE_INVALID. */
#include <stdlib.h>
#include <string.h>

#include "pkcs11/p11.h"

void carta_p11_session_end_ops(struct carta_p11_session *ss)
{
	carta_p11_sign_op_clear(&ss->sign);
	carta_p11_sign_op_clear(&ss->decrypt);
	carta_digest_free(ss->digest);
	ss->digest = NULL;
	ss->find_active = false;
}

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

/* The login state of a token ends with its last session (v2.40 base
 * 5.6, C_CloseSession): the card forgets the PIN too. */
static void last_session_gone_locked(struct carta_p11_slot *s)
{
	if (s->n_sessions == 0 && s->login != CARTA_P11_LOGIN_NONE && s->has_token)
		(void)carta_card_logout(s->tok.card);
	if (s->n_sessions == 0) {
		s->login = CARTA_P11_LOGIN_NONE;
		carta_secret_free(&s->puk);
	}
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

CK_RV carta_p11_session_lock(CK_SESSION_HANDLE h, struct carta_p11_slot **slot,
                             struct carta_p11_session **sess)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	size_t idx = (size_t)(h & 0xff);
	CK_RV rv = CKR_OK;

	*slot = NULL;
	*sess = NULL;
	if (!carta_p11_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (idx == 0 || idx > CARTA_P11_MAX_SLOTS)
		return CKR_SESSION_HANDLE_INVALID;
	s = &carta_p11.slots[idx - 1];
	carta_p11_mutex_lock(s->lock);
	(void)carta_p11_token_sync_locked(s, false);
	for (ss = s->sessions; ss && ss->handle != h; ss = ss->next)
		;
	if (!ss)
		rv = CKR_SESSION_HANDLE_INVALID;
	else if (ss->removed || !s->has_token) {
		unlink_locked(s, ss);
		session_free(ss);
		rv = CKR_DEVICE_REMOVED;
	}
	if (rv != CKR_OK) {
		carta_p11_mutex_unlock(s->lock);
	} else {
		*slot = s;
		*sess = ss;
	}
	return rv;
}

static CK_RV open_locked(struct carta_p11_slot *s, CK_FLAGS flags, CK_SESSION_HANDLE *out)
{
	struct carta_p11_session *ss = calloc(1, sizeof(*ss));

	if (!ss)
		return CKR_HOST_MEMORY;
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

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
                    CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	struct carta_p11_slot *s;
	CK_RV rv;

	(void)pApplication;
	(void)Notify;   /* no callbacks: the module never surrenders */
	if (!phSession)
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!(flags & CKF_SERIAL_SESSION))
		return carta_p11_ready() ? CKR_SESSION_PARALLEL_NOT_SUPPORTED
		                         : CKR_CRYPTOKI_NOT_INITIALIZED;
	rv = carta_p11_slot_lock(slotID, &s);
	if (rv != CKR_OK)
		return rv;
	rv = carta_p11_token_sync_locked(s, true);
	if (rv == CKR_OK && !(flags & CKF_RW_SESSION) && s->login == CARTA_P11_LOGIN_SO)
		rv = CKR_SESSION_READ_WRITE_SO_EXISTS;
	else if (rv == CKR_OK)
		rv = open_locked(s, flags, phSession);
	carta_p11_slot_unlock(s);
	return rv;
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	unlink_locked(s, ss);
	session_free(ss);
	last_session_gone_locked(s);
	carta_p11_slot_unlock(s);
	return rv;
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_slot_lock(slotID, &s);
	if (rv != CKR_OK)
		return rv;
	(void)carta_p11_token_sync_locked(s, false);
	carta_p11_sessions_close_locked(s, false);
	last_session_gone_locked(s);
	carta_p11_slot_unlock(s);
	return rv;
}

/* Logged in: ask the reader (a transaction, no APDU) so that a reset by
 * another process is noticed and the state reported is the card's
 * (carta_card_take_reset). NSS calls this often. */
static CK_STATE state_locked(struct carta_p11_slot *s, const struct carta_p11_session *ss)
{
	bool rw = ss->flags & CKF_RW_SESSION;

	if (s->login != CARTA_P11_LOGIN_NONE)
		(void)carta_card_check_reset(s->tok.card);
	carta_p11_check_reset_locked(s);
	if (s->login == CARTA_P11_LOGIN_SO)
		return CKS_RW_SO_FUNCTIONS;
	if (s->login == CARTA_P11_LOGIN_USER)
		return rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS;
	return rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION;
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE hSession, CK_SESSION_INFO_PTR pInfo)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pInfo)
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	memset(pInfo, 0, sizeof(*pInfo));
	pInfo->slotID = carta_p11_slot_index(s);
	pInfo->state = state_locked(s, ss);
	pInfo->flags = ss->flags;
	carta_p11_slot_unlock(s);
	return rv;
}

CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	if (flags & CKF_SIGN)
		carta_p11_sign_op_clear(&ss->sign);
	if (flags & CKF_DECRYPT)
		carta_p11_sign_op_clear(&ss->decrypt);
	if (flags & CKF_DIGEST) {
		carta_digest_free(ss->digest);
		ss->digest = NULL;
	}
	if (flags & CKF_FIND_OBJECTS)
		ss->find_active = false;
	carta_p11_slot_unlock(s);
	return rv;
}
