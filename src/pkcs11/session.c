/* SPDX-License-Identifier: BSD-3-Clause */
/* C_OpenSession, C_CloseSession, C_CloseAllSessions, C_GetSessionInfo,
 * C_SessionCancel over the sessions of core/sessions.c. */
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

static CK_RV open_locked(struct carta_p11_slot *s, CK_FLAGS flags, CK_SESSION_HANDLE *out)
{
	CK_RV rv = carta_p11_token_sync_locked(s, true);

	if (rv == CKR_OK && !(flags & CKF_RW_SESSION) && s->login == CARTA_P11_LOGIN_SO)
		rv = carta_p11_fail(CKR_SESSION_READ_WRITE_SO_EXISTS,
		                    "the SO is logged in: only R/W sessions");
	else if (rv == CKR_OK)
		rv = carta_p11_session_open_locked(s, flags, out);
	return rv;
}

CK_RV C_OpenSession(CK_SLOT_ID slotID, CK_FLAGS flags, CK_VOID_PTR pApplication,
                    CK_NOTIFY Notify, CK_SESSION_HANDLE_PTR phSession)
{
	struct carta_p11_slot *s;
	CK_RV rv;

	(void)pApplication;
	(void)Notify;   /* no callbacks: the module never surrenders */
	if (!phSession)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no handle pointer");
	else if (!(flags & CKF_SERIAL_SESSION))
		rv = carta_p11_args_rv(CKR_SESSION_PARALLEL_NOT_SUPPORTED,
		                       "CKF_SERIAL_SESSION not set (v2.40 base 5.6)");
	else if ((rv = carta_p11_slot_lock(slotID, &s)) == CKR_OK) {
		rv = open_locked(s, flags, phSession);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_OpenSession(slot %lu, %s) -> session 0x%lx", slotID,
	                     (flags & CKF_RW_SESSION) ? "R/W" : "R/O",
	                     rv == CKR_OK ? *phSession : 0UL);
}

CK_RV C_CloseSession(CK_SESSION_HANDLE hSession)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv == CKR_OK) {
		carta_p11_session_close_locked(s, ss);
		carta_p11_last_session_gone_locked(s);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_CloseSession(session 0x%lx)", hSession);
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slotID)
{
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_slot_lock(slotID, &s);
	if (rv == CKR_OK) {
		(void)carta_p11_token_sync_locked(s, false);
		carta_p11_sessions_close_locked(s, false);
		carta_p11_last_session_gone_locked(s);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_CloseAllSessions(slot %lu)", slotID);
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
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no CK_SESSION_INFO to fill");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		memset(pInfo, 0, sizeof(*pInfo));
		pInfo->slotID = carta_p11_slot_index(s);
		pInfo->state = state_locked(s, ss);
		pInfo->flags = ss->flags;
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_GetSessionInfo(session 0x%lx)", hSession);
}

static void cancel_locked(struct carta_p11_session *ss, CK_FLAGS flags)
{
	if (flags & CKF_SIGN)
		carta_p11_op_clear(&ss->sign);
	if (flags & CKF_DECRYPT)
		carta_p11_op_clear(&ss->decrypt);
	if (flags & CKF_DIGEST) {
		carta_digest_free(ss->digest);
		ss->digest = NULL;
	}
	if (flags & CKF_FIND_OBJECTS)
		ss->find_active = false;
}

CK_RV C_SessionCancel(CK_SESSION_HANDLE hSession, CK_FLAGS flags)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv == CKR_OK) {
		cancel_locked(ss, flags);
		carta_p11_sign_pin_unheld_locked(s);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_SessionCancel(session 0x%lx, flags 0x%lx)", hSession, flags);
}
