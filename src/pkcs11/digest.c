/* SPDX-License-Identifier: BSD-3-Clause */
/* Software digests (pkcs11-tool --test uses them): carta_digest_*. */
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

static CK_RV digest_init_locked(struct carta_p11_session *ss, CK_MECHANISM_TYPE m)
{
	enum carta_hash h = carta_p11_hash_of_ckm(m);

	if (ss->digest)
		return carta_p11_fail(CKR_OPERATION_ACTIVE, "a digest is already active");
	if (h == CARTA_HASH_NONE)
		return carta_p11_fail(CKR_MECHANISM_INVALID, "mechanism 0x%lx is no digest", m);
	if (carta_digest_new(h, &ss->digest) != CARTA_OK)
		return carta_p11_fail(CKR_HOST_MEMORY, "no memory for a digest");
	ss->digest_hash = h;
	return CKR_OK;
}

CK_RV C_DigestInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pMechanism)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no mechanism");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = digest_init_locked(ss, pMechanism->mechanism);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_DigestInit(session 0x%lx, 0x%lx)", hSession,
	                     pMechanism ? pMechanism->mechanism : 0UL);
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

	if (!ss->digest)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no digest active");
	if (!out || *outlen < hlen) {
		rv = out ? carta_p11_fail(CKR_BUFFER_TOO_SMALL, "room for %lu bytes, digest has %zu",
		                          *outlen, hlen) : CKR_OK;
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
	rv = carta_p11_rv(e);
	return rv == CKR_OK ? rv : carta_p11_fail(rv, "digest: %s", carta_err_str(e));
}

CK_RV C_Digest(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
               CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulDigestLen || (!pData && ulDataLen))
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no length pointer, or no data");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = digest_out_locked(ss, pData, ulDataLen, pDigest, pulDigestLen);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_Digest(session 0x%lx, %lu bytes)", hSession, ulDataLen);
}

static CK_RV digest_update_locked(struct carta_p11_session *ss, const CK_BYTE *p, CK_ULONG n)
{
	enum carta_err e;

	if (!ss->digest)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no digest active");
	if (!n)
		return CKR_OK;
	e = carta_digest_update(ss->digest, p, n);
	if (e == CARTA_OK)
		return CKR_OK;
	digest_end(ss);
	return carta_p11_fail(carta_p11_rv(e), "digest: %s", carta_err_str(e));
}

CK_RV C_DigestUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pPart && ulPartLen)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no data");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = digest_update_locked(ss, pPart, ulPartLen);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_DigestUpdate(session 0x%lx, %lu bytes)", hSession, ulPartLen);
}

CK_RV C_DigestKey(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hKey)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv == CKR_OK) {
		/* only secret keys can be digested; the card has none */
		if (ss->digest)
			rv = carta_p11_fail(CKR_KEY_INDIGESTIBLE, "the card has no secret keys");
		else
			rv = carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no digest active");
		digest_end(ss);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_DigestKey(session 0x%lx, key 0x%lx)", hSession, hKey);
}

CK_RV C_DigestFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pDigest, CK_ULONG_PTR pulDigestLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulDigestLen)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no length pointer");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = digest_out_locked(ss, NULL, 0, pDigest, pulDigestLen);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_DigestFinal(session 0x%lx)", hSession);
}
