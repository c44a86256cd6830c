/* SPDX-License-Identifier: BSD-3-Clause */
/* C_GetMechanismList, C_GetMechanismInfo: the tables are in core/mechs.c. */
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static CK_RV mech_list_locked(struct carta_p11_slot *s, CK_MECHANISM_TYPE *list,
                              CK_ULONG *count)
{
	CK_MECHANISM_TYPE all[64];
	size_t n = 0;
	CK_RV rv;

	rv = carta_p11_token_sync_locked(s, true);
	if (rv == CKR_OK)
		n = carta_p11_mechs_all(s->tok.desc, s->tok.keys, all, N(all));
	if (rv == CKR_OK && list && *count < n)
		rv = carta_p11_fail(CKR_BUFFER_TOO_SMALL, "room for %lu mechanisms, %zu to list",
		                    *count, n);
	else if (rv == CKR_OK && list)
		memcpy(list, all, n * sizeof(all[0]));
	if (rv == CKR_OK || rv == CKR_BUFFER_TOO_SMALL)
		*count = n;
	return rv;
}

CK_RV C_GetMechanismList(CK_SLOT_ID slotID, CK_MECHANISM_TYPE_PTR pList, CK_ULONG_PTR pulCount)
{
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulCount)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no count");
	else if ((rv = carta_p11_slot_lock(slotID, &s)) == CKR_OK) {
		rv = mech_list_locked(s, pList, pulCount);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_GetMechanismList(slot %lu)", slotID);
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slotID, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR pInfo)
{
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pInfo)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no CK_MECHANISM_INFO to fill");
	else if ((rv = carta_p11_slot_lock(slotID, &s)) == CKR_OK) {
		rv = carta_p11_token_sync_locked(s, true);
		if (rv == CKR_OK &&
		    (rv = carta_p11_mech_info(s->tok.desc, s->tok.keys, type, pInfo)) != CKR_OK)
			rv = carta_p11_fail(rv, "no key of the token does mechanism 0x%lx", type);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_GetMechanismInfo(slot %lu, 0x%lx)", slotID, type);
}
