/* SPDX-License-Identifier: BSD-3-Clause */
/* How an entry point gets at a session: by handle, with its slot locked and
 * its token brought up to date with the reader. */
#include "pkcs11/core/state.h"

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
		return carta_p11_ready_rv();
	if (idx == 0 || idx > CARTA_P11_MAX_IDS)
		return carta_p11_fail(CKR_SESSION_HANDLE_INVALID, "session 0x%lx: no such slot", h);
	s = &carta_p11.slots[idx - 1];
	carta_p11_mutex_lock(s->lock);
	(void)carta_p11_token_sync_locked(s, false);
	for (ss = s->sessions; ss && ss->handle != h; ss = ss->next)
		;
	if (!ss)
		rv = carta_p11_fail(CKR_SESSION_HANDLE_INVALID, "session 0x%lx not open", h);
	else if (ss->removed || !s->has_token) {
		carta_p11_session_close_locked(s, ss);
		rv = carta_p11_fail(CKR_DEVICE_REMOVED, "session 0x%lx: its card was removed", h);
	}
	if (rv != CKR_OK) {
		carta_p11_mutex_unlock(s->lock);
	} else {
		*slot = s;
		*sess = ss;
	}
	return rv;
}

CK_RV carta_p11_refuse(const char *call, CK_SESSION_HANDLE h, CK_RV what, bool write)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(h, &s, &ss);
	if (rv == CKR_OK && write && !(ss->flags & CKF_RW_SESSION))
		rv = carta_p11_fail(CKR_SESSION_READ_ONLY, "read-only session");
	else if (rv == CKR_OK)
		rv = carta_p11_fail(what, "the card token does not offer %s", call);
	if (s)
		carta_p11_slot_unlock(s);
	return carta_p11_ret(rv, "%s(session 0x%lx)", call, h);
}
