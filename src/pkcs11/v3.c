/* SPDX-License-Identifier: BSD-3-Clause */
/* The PKCS#11 v3.0 additions the card cannot use: C_LoginUser (no user
 * names on these tokens) and the message-based functions (v3.0 base
 * 5.19-5.22 allow CKR_FUNCTION_NOT_SUPPORTED). C_SessionCancel is in
 * session.c. Each still checks its session first. */
#include "pkcs11/p11.h"

#define UNUSED(x) (void)(x)

static CK_RV no(CK_SESSION_HANDLE h)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(h, &s, &ss);
	if (rv == CKR_OK) {
		rv = CKR_FUNCTION_NOT_SUPPORTED;
		carta_p11_slot_unlock(s);
	}
	return rv;
}


CK_RV C_LoginUser(CK_SESSION_HANDLE hSession, CK_USER_TYPE type, CK_UTF8CHAR *pin, CK_ULONG pinlen, CK_UTF8CHAR *user, CK_ULONG userlen)
{
	UNUSED(type);
	UNUSED(pin);
	UNUSED(pinlen);
	UNUSED(user);
	UNUSED(userlen);
	return no(hSession);
}

CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM *m, CK_OBJECT_HANDLE k)
{
	UNUSED(m);
	UNUSED(k);
	return no(hSession);
}

CK_RV C_EncryptMessage(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl, CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(ad);
	UNUSED(adl);
	UNUSED(in);
	UNUSED(inl);
	UNUSED(out);
	UNUSED(outl);
	return no(hSession);
}

CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(ad);
	UNUSED(adl);
	return no(hSession);
}

CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl, CK_FLAGS flags)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(in);
	UNUSED(inl);
	UNUSED(out);
	UNUSED(outl);
	UNUSED(flags);
	return no(hSession);
}

CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE hSession)
{
	return no(hSession);
}

CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM *m, CK_OBJECT_HANDLE k)
{
	UNUSED(m);
	UNUSED(k);
	return no(hSession);
}

CK_RV C_DecryptMessage(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl, CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(ad);
	UNUSED(adl);
	UNUSED(in);
	UNUSED(inl);
	UNUSED(out);
	UNUSED(outl);
	return no(hSession);
}

CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(ad);
	UNUSED(adl);
	return no(hSession);
}

CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl, CK_FLAGS flags)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(in);
	UNUSED(inl);
	UNUSED(out);
	UNUSED(outl);
	UNUSED(flags);
	return no(hSession);
}

CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE hSession)
{
	return no(hSession);
}

CK_RV C_MessageSignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM *m, CK_OBJECT_HANDLE k)
{
	UNUSED(m);
	UNUSED(k);
	return no(hSession);
}

CK_RV C_SignMessage(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl, CK_BYTE *sig, CK_ULONG *sigl)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(d);
	UNUSED(dl);
	UNUSED(sig);
	UNUSED(sigl);
	return no(hSession);
}

CK_RV C_SignMessageBegin(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl)
{
	UNUSED(p);
	UNUSED(pl);
	return no(hSession);
}

CK_RV C_SignMessageNext(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl, CK_BYTE *sig, CK_ULONG *sigl)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(d);
	UNUSED(dl);
	UNUSED(sig);
	UNUSED(sigl);
	return no(hSession);
}

CK_RV C_MessageSignFinal(CK_SESSION_HANDLE hSession)
{
	return no(hSession);
}

CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE hSession, CK_MECHANISM *m, CK_OBJECT_HANDLE k)
{
	UNUSED(m);
	UNUSED(k);
	return no(hSession);
}

CK_RV C_VerifyMessage(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl, CK_BYTE *sig, CK_ULONG sigl)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(d);
	UNUSED(dl);
	UNUSED(sig);
	UNUSED(sigl);
	return no(hSession);
}

CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl)
{
	UNUSED(p);
	UNUSED(pl);
	return no(hSession);
}

CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE hSession, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl, CK_BYTE *sig, CK_ULONG sigl)
{
	UNUSED(p);
	UNUSED(pl);
	UNUSED(d);
	UNUSED(dl);
	UNUSED(sig);
	UNUSED(sigl);
	return no(hSession);
}

CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE hSession)
{
	return no(hSession);
}
