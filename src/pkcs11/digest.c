/* SPDX-License-Identifier: BSD-3-Clause */
/* Software digests (pkcs11-tool --test uses them): carta_digest_*. */
#include <string.h>

#include "pkcs11/p11.h"

CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	enum carta_hash h;
	CK_RV rv;

	if (!pMechanism)
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	h = carta_p11_hash_of_ckm(pMechanism->mechanism);
	if (ss->digest)
		rv = CKR_OPERATION_ACTIVE;
	else if (h == CARTA_HASH_NONE)
		rv = CKR_MECHANISM_INVALID;
	else if (carta_digest_new(h, &ss->digest) != CARTA_OK)
		rv = CKR_HOST_MEMORY;
	else
		ss->digest_hash = h;
	carta_p11_slot_unlock(s);
	return rv;
}

static void digest_end(struct carta_p11_session *ss)
{
	carta_digest_free(ss->digest);
	ss->digest = NULL;
}

/* Two-call rule: NULL output or short buffer keep the operation. */
static CK_RV digest_out_locked(struct carta_p11_session *ss, const CK_BYTE *in, CK_ULONG n,
                               CK_BYTE *out, CK_ULONG *outlen)
{
	size_t hlen = carta_hash_len(ss->digest_hash), got = 0;
	enum carta_err e = CARTA_OK;
	CK_RV rv;

	if (!out || *outlen < hlen) {
		rv = out ? CKR_BUFFER_TOO_SMALL : CKR_OK;
		*outlen = hlen;
		return rv;
	}
	if (in && n)
		e = carta_digest_update(ss->digest, in, n);
	if (e == CARTA_OK)
		e = carta_digest_final(ss->digest, out, *outlen, &got);
	if (e == CARTA_OK)
		*outlen = got;
	digest_end(ss);
	return carta_p11_rv(e);
}

CK_RV C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
               CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulDigestLen || (!pData && ulDataLen))
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	if (!ss->digest)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else
		rv = digest_out_locked(ss, pData, ulDataLen, pDigest, pulDigestLen);
	carta_p11_slot_unlock(s);
	return rv;
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pPart && ulPartLen)
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	if (!ss->digest)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else if (ulPartLen && (rv = carta_p11_rv(carta_digest_update(ss->digest, pPart,
	                                                             ulPartLen))) != CKR_OK)
		digest_end(ss);
	carta_p11_slot_unlock(s);
	return rv;
}

CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	(void)hKey;   /* only secret keys can be digested; the card has none */
	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	rv = ss->digest ? CKR_KEY_INDIGESTIBLE : CKR_OPERATION_NOT_INITIALIZED;
	digest_end(ss);
	carta_p11_slot_unlock(s);
	return rv;
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulDigestLen)
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv != CKR_OK)
		return rv;
	if (!ss->digest)
		rv = CKR_OPERATION_NOT_INITIALIZED;
	else
		rv = digest_out_locked(ss, NULL, 0, pDigest, pulDigestLen);
	carta_p11_slot_unlock(s);
	return rv;
}
