/* SPDX-License-Identifier: BSD-3-Clause */
/* C_FindObjectsInit/C_FindObjects/C_FindObjectsFinal: an object matches
 * when it has every attribute of the template with exactly that value. */
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

static bool matches(const struct carta_p11_token *t, const struct carta_p11_object *o,
                    const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	struct carta_p11_attrval v;
	CK_ULONG i;

	for (i = 0; i < n; i++) {
		if (carta_p11_attr(t, o, tmpl[i].type, &v) != CKR_OK)
			return false;
		if (v.len != tmpl[i].ulValueLen)
			return false;
		if (v.len && (!tmpl[i].pValue || memcmp(v.p, tmpl[i].pValue, v.len) != 0))
			return false;
	}
	return true;
}

static void search_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                          const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	const struct carta_p11_object *o;
	size_t i;

	ss->n_found = 0;
	ss->pos_found = 0;
	for (i = 0; i < s->tok.n_objs; i++) {
		o = &s->tok.objs[i];
		if (carta_p11_object_visible(s, o) && matches(&s->tok, o, tmpl, n))
			ss->found[ss->n_found++] = o->handle;
	}
	ss->find_active = true;
}

static CK_RV find_init_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                              const CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	/* a reset by another process logged us out: private keys go away now */
	carta_p11_check_reset_locked(s);
	if (ss->find_active)
		return carta_p11_fail(CKR_OPERATION_ACTIVE, "a search is already active");
	search_locked(s, ss, tmpl, n);
	return CKR_OK;
}

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE hSession, CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pTemplate && ulCount)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no template");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = find_init_locked(s, ss, pTemplate, ulCount);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_FindObjectsInit(session 0x%lx, %lu attributes)", hSession,
	                     ulCount);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE_PTR phObject,
                    CK_ULONG ulMaxObjectCount, CK_ULONG_PTR pulObjectCount)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_ULONG n = 0;
	CK_RV rv;

	if (!phObject || !pulObjectCount)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no handle array or count");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		if (!ss->find_active)
			rv = carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no search active");
		else {
			while (n < ulMaxObjectCount && ss->pos_found < ss->n_found)
				phObject[n++] = ss->found[ss->pos_found++];
			*pulObjectCount = n;
		}
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_FindObjects(session 0x%lx) -> %lu objects", hSession, n);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE hSession)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv == CKR_OK) {
		if (!ss->find_active)
			rv = carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no search active");
		ss->find_active = false;
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_FindObjectsFinal(session 0x%lx)", hSession);
}
