/* SPDX-License-Identifier: BSD-3-Clause */
/* The PKCS#11 v3.0 additions the card cannot use: C_LoginUser (no user
 * names on these tokens) and the message-based functions (v3.0 base
 * 5.19-5.22 allow CKR_FUNCTION_NOT_SUPPORTED). C_SessionCancel is in
 * session.c. Each still checks its session first (carta_p11_refuse). */
#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE type, CK_UTF8CHAR *pin, CK_ULONG pinlen,
                  CK_UTF8CHAR *user, CK_ULONG userlen)
{
	(void)type; (void)pin; (void)pinlen; (void)user; (void)userlen;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM *m, CK_OBJECT_HANDLE k)
{
	(void)m; (void)k;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptMessage(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl,
                       CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl)
{
	(void)p; (void)pl; (void)ad; (void)adl; (void)in; (void)inl; (void)out; (void)outl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *ad,
                            CK_ULONG adl)
{
	(void)p; (void)pl; (void)ad; (void)adl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *in,
                           CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl, CK_FLAGS flags)
{
	(void)p; (void)pl; (void)in; (void)inl; (void)out; (void)outl; (void)flags;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE hSession)
{
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM *m, CK_OBJECT_HANDLE k)
{
	(void)m; (void)k;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DecryptMessage(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl,
                       CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl)
{
	(void)p; (void)pl; (void)ad; (void)adl; (void)in; (void)inl; (void)out; (void)outl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *ad,
                            CK_ULONG adl)
{
	(void)p; (void)pl; (void)ad; (void)adl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *in,
                           CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl, CK_FLAGS flags)
{
	(void)p; (void)pl; (void)in; (void)inl; (void)out; (void)outl; (void)flags;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE hSession)
{
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_MessageSignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM *m, CK_OBJECT_HANDLE k)
{
	(void)m; (void)k;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignMessage(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                    CK_BYTE *sig, CK_ULONG *sigl)
{
	(void)p; (void)pl; (void)d; (void)dl; (void)sig; (void)sigl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignMessageBegin(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl)
{
	(void)p; (void)pl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_SignMessageNext(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                        CK_BYTE *sig, CK_ULONG *sigl)
{
	(void)p; (void)pl; (void)d; (void)dl; (void)sig; (void)sigl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_MessageSignFinal(CK_SESSION_HANDLE hSession)
{
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM *m, CK_OBJECT_HANDLE k)
{
	(void)m; (void)k;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyMessage(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                      CK_BYTE *sig, CK_ULONG sigl)
{
	(void)p; (void)pl; (void)d; (void)dl; (void)sig; (void)sigl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl)
{
	(void)p; (void)pl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                          CK_BYTE *sig, CK_ULONG sigl)
{
	(void)p; (void)pl; (void)d; (void)dl; (void)sig; (void)sigl;
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}

CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE hSession)
{
	return carta_p11_refuse(__func__, hSession, CKR_FUNCTION_NOT_SUPPORTED, false);
}
