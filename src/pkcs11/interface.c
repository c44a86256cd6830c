/* SPDX-License-Identifier: BSD-3-Clause */
/* The exported entry points: C_GetFunctionList (v2.40 list) and the v3.0
 * interfaces "PKCS 11" 3.0 and 2.40 (v3.0 base 5.2). */
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

/* CK_FUNCTION_LIST_3_0: the v2.40 list followed by the v3.0 additions, in
 * the order of the v3.0 header. */
struct carta_p11_function_list_3_0 {
	CK_FUNCTION_LIST v2;
	__typeof__(&C_GetInterfaceList) C_GetInterfaceList;
	__typeof__(&C_GetInterface) C_GetInterface;
	__typeof__(&C_LoginUser) C_LoginUser;
	__typeof__(&C_SessionCancel) C_SessionCancel;
	__typeof__(&C_MessageEncryptInit) C_MessageEncryptInit;
	__typeof__(&C_EncryptMessage) C_EncryptMessage;
	__typeof__(&C_EncryptMessageBegin) C_EncryptMessageBegin;
	__typeof__(&C_EncryptMessageNext) C_EncryptMessageNext;
	__typeof__(&C_MessageEncryptFinal) C_MessageEncryptFinal;
	__typeof__(&C_MessageDecryptInit) C_MessageDecryptInit;
	__typeof__(&C_DecryptMessage) C_DecryptMessage;
	__typeof__(&C_DecryptMessageBegin) C_DecryptMessageBegin;
	__typeof__(&C_DecryptMessageNext) C_DecryptMessageNext;
	__typeof__(&C_MessageDecryptFinal) C_MessageDecryptFinal;
	__typeof__(&C_MessageSignInit) C_MessageSignInit;
	__typeof__(&C_SignMessage) C_SignMessage;
	__typeof__(&C_SignMessageBegin) C_SignMessageBegin;
	__typeof__(&C_SignMessageNext) C_SignMessageNext;
	__typeof__(&C_MessageSignFinal) C_MessageSignFinal;
	__typeof__(&C_MessageVerifyInit) C_MessageVerifyInit;
	__typeof__(&C_VerifyMessage) C_VerifyMessage;
	__typeof__(&C_VerifyMessageBegin) C_VerifyMessageBegin;
	__typeof__(&C_VerifyMessageNext) C_VerifyMessageNext;
	__typeof__(&C_MessageVerifyFinal) C_MessageVerifyFinal;
};

static CK_RV info_v240(CK_INFO_PTR info)
{
	return carta_p11_info(info, 40);
}

#define CARTA_P11_V2_FUNCS(getinfo) \
	C_Initialize, C_Finalize, getinfo, C_GetFunctionList, C_GetSlotList, \
	C_GetSlotInfo, C_GetTokenInfo, C_GetMechanismList, C_GetMechanismInfo, \
	C_InitToken, C_InitPIN, C_SetPIN, C_OpenSession, C_CloseSession, \
	C_CloseAllSessions, C_GetSessionInfo, C_GetOperationState, \
	C_SetOperationState, C_Login, C_Logout, C_CreateObject, C_CopyObject, \
	C_DestroyObject, C_GetObjectSize, C_GetAttributeValue, C_SetAttributeValue, \
	C_FindObjectsInit, C_FindObjects, C_FindObjectsFinal, C_EncryptInit, \
	C_Encrypt, C_EncryptUpdate, C_EncryptFinal, C_DecryptInit, C_Decrypt, \
	C_DecryptUpdate, C_DecryptFinal, C_DigestInit, C_Digest, C_DigestUpdate, \
	C_DigestKey, C_DigestFinal, C_SignInit, C_Sign, C_SignUpdate, C_SignFinal, \
	C_SignRecoverInit, C_SignRecover, C_VerifyInit, C_Verify, C_VerifyUpdate, \
	C_VerifyFinal, C_VerifyRecoverInit, C_VerifyRecover, C_DigestEncryptUpdate, \
	C_DecryptDigestUpdate, C_SignEncryptUpdate, C_DecryptVerifyUpdate, \
	C_GenerateKey, C_GenerateKeyPair, C_WrapKey, C_UnwrapKey, C_DeriveKey, \
	C_SeedRandom, C_GenerateRandom, C_GetFunctionStatus, C_CancelFunction, \
	C_WaitForSlotEvent

static CK_FUNCTION_LIST list_v240 = {
	{ 2, 40 },
	CARTA_P11_V2_FUNCS(info_v240)
};

static struct carta_p11_function_list_3_0 list_v30 = {
	{ { 3, 0 }, CARTA_P11_V2_FUNCS(C_GetInfo) },
	C_GetInterfaceList, C_GetInterface, C_LoginUser, C_SessionCancel,
	C_MessageEncryptInit, C_EncryptMessage, C_EncryptMessageBegin, C_EncryptMessageNext,
	C_MessageEncryptFinal, C_MessageDecryptInit, C_DecryptMessage, C_DecryptMessageBegin,
	C_DecryptMessageNext, C_MessageDecryptFinal, C_MessageSignInit, C_SignMessage,
	C_SignMessageBegin, C_SignMessageNext, C_MessageSignFinal, C_MessageVerifyInit,
	C_VerifyMessage, C_VerifyMessageBegin, C_VerifyMessageNext, C_MessageVerifyFinal,
};

static CK_UTF8CHAR iface_name[] = "PKCS 11";

static struct carta_p11_interface ifaces[] = {
	{ iface_name, &list_v30, 0 },
	{ iface_name, &list_v240, 0 },
};
#define N_IFACES (sizeof(ifaces) / sizeof(ifaces[0]))

CARTA_P11_EXPORT CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR ppFunctionList)
{
	CK_RV rv = CKR_OK;

	if (!ppFunctionList)
		rv = carta_p11_fail(CKR_ARGUMENTS_BAD, "no pointer for the list");
	else
		*ppFunctionList = &list_v240;
	return carta_p11_ret(rv, "C_GetFunctionList");
}

CARTA_P11_EXPORT CK_RV C_GetInterfaceList(struct carta_p11_interface *list, CK_ULONG *count)
{
	CK_RV rv = CKR_OK;

	if (!count)
		rv = carta_p11_fail(CKR_ARGUMENTS_BAD, "no count");
	else if (!list)
		*count = N_IFACES;
	else if (*count < N_IFACES) {
		rv = carta_p11_fail(CKR_BUFFER_TOO_SMALL, "room for %lu interfaces, %zu to list",
		                    *count, N_IFACES);
		*count = N_IFACES;
	} else {
		memcpy(list, ifaces, sizeof(ifaces));
		*count = N_IFACES;
	}
	return carta_p11_ret(rv, "C_GetInterfaceList");
}

static bool iface_matches(const struct carta_p11_interface *f, const CK_UTF8CHAR *name,
                          const CK_VERSION *version, CK_FLAGS flags)
{
	const CK_VERSION *v = f->pFunctionList;  /* every list starts with its version */

	if (name && strcmp((const char *)name, (const char *)f->pInterfaceName) != 0)
		return false;
	/* A 2.x request is served by the 2.40 list: CK_FUNCTION_LIST has the
	 * same layout in every 2.x version, so a 2.20 caller can use it. */
	if (version && (version->major != v->major ||
	                (v->major == 2 ? version->minor > v->minor : version->minor != v->minor)))
		return false;
	return (f->flags & flags) == flags;
}

CARTA_P11_EXPORT CK_RV C_GetInterface(CK_UTF8CHAR *name, CK_VERSION *version,
                                      struct carta_p11_interface **iface, CK_FLAGS flags)
{
	CK_RV rv = CKR_ARGUMENTS_BAD;
	size_t i;

	if (iface)
		*iface = NULL;
	for (i = 0; iface && i < N_IFACES && rv != CKR_OK; i++) {
		if (iface_matches(&ifaces[i], name, version, flags)) {
			*iface = &ifaces[i];
			rv = CKR_OK;
		}
	}
	if (rv != CKR_OK)
		rv = carta_p11_fail(rv, "no interface pointer, or none matches");
	return carta_p11_ret(rv, "C_GetInterface(%s, %d.%d)", name ? (const char *)name : "any",
	                     version ? version->major : -1, version ? version->minor : -1);
}
