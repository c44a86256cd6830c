/* SPDX-License-Identifier: BSD-3-Clause */
/* Software digests (pkcs11-tool --test uses them): carta_digest_*.
 *
 * The operation's rules (v2.40 base 5.10; v3.0 keeps them):
 * - C_Digest and C_DigestFinal always end the operation, unless they return
 *   CKR_BUFFER_TOO_SMALL or are a successful length query (NULL pDigest);
 *   CKR_ARGUMENTS_BAD (no length pointer) ends it like any other error;
 * - C_DigestUpdate ends it when it fails;
 * - "C_Digest cannot be used to terminate a multi-part operation, and must be
 *   called after C_DigestInit without intervening C_DigestUpdate calls":
 *   C_Digest after C_DigestUpdate is CKR_OPERATION_ACTIVE. The data of a
 *   C_Digest that kept the operation is the whole message, so C_DigestUpdate
 *   or C_DigestFinal after it are CKR_OPERATION_ACTIVE too. Being answers
 *   of C_Digest/C_DigestFinal/C_DigestUpdate that are neither exception,
 *   these end the operation as well. */
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
	ss->digest_parts = CARTA_P11_PARTS_ANY;
}

/* The operation of a call that must end it whatever its arguments: the
 * session's, when the handle is good. */
static void digest_end_for(CK_SESSION_HANDLE h)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;

	if (carta_p11_ready() && carta_p11_session_lock(h, &s, &ss) == CKR_OK) {
		digest_end(ss);
		carta_p11_slot_unlock(s);
	}
}

/* A call of the other form than the one the operation took: refused, and
 * the operation ends (see the top of the file). */
static CK_RV digest_form_locked(struct carta_p11_session *ss, enum carta_p11_parts form)
{
	if (ss->digest_parts == CARTA_P11_PARTS_ANY || ss->digest_parts == form)
		return CKR_OK;
	digest_end(ss);
	if (form == CARTA_P11_PARTS_SINGLE)
		return carta_p11_fail(CKR_OPERATION_ACTIVE, "C_Digest after C_DigestUpdate: only "
		                      "C_DigestFinal ends a multi-part digest; digest ended");
	return carta_p11_fail(CKR_OPERATION_ACTIVE, "C_DigestUpdate or C_DigestFinal after a "
	                      "C_Digest that kept the operation: only C_Digest ends it; digest ended");
}

/* The two exceptions keep the operation: a length query and a short buffer
 * (v2.40 base 5.2); a single-part call then fixes the form. */
static CK_RV digest_out_locked(struct carta_p11_session *ss, const CK_BYTE *in, CK_ULONG n,
                               CK_BYTE *out, CK_ULONG *outlen, enum carta_p11_parts form)
{
	size_t hlen = carta_hash_len(ss->digest_hash), got = 0;
	enum carta_err e = CARTA_OK;
	CK_RV rv;

	if (!ss->digest)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no digest active");
	if ((rv = digest_form_locked(ss, form)) != CKR_OK)
		return rv;
	if (!out || *outlen < hlen) {
		rv = out ? carta_p11_fail(CKR_BUFFER_TOO_SMALL, "room for %lu bytes, digest has %zu",
		                          *outlen, hlen) : CKR_OK;
		*outlen = hlen;
		if (form == CARTA_P11_PARTS_SINGLE)
			ss->digest_parts = form;
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

	/* pData NULL with ulDataLen 0 is the empty message */
	if (!pulDigestLen || (!pData && ulDataLen)) {
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no length pointer, or no data: digest ended");
		digest_end_for(hSession);
	} else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = digest_out_locked(ss, pData, ulDataLen, pDigest, pulDigestLen,
		                       CARTA_P11_PARTS_SINGLE);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_Digest(session 0x%lx, %lu bytes)", hSession, ulDataLen);
}

static CK_RV digest_update_locked(struct carta_p11_session *ss, const CK_BYTE *p, CK_ULONG n)
{
	enum carta_err e;
	CK_RV rv;

	if (!ss->digest)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no digest active");
	if ((rv = digest_form_locked(ss, CARTA_P11_PARTS_MULTI)) != CKR_OK)
		return rv;
	ss->digest_parts = CARTA_P11_PARTS_MULTI;
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

	if (!pPart && ulPartLen) {   /* an error: the operation ends */
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no data: digest ended");
		digest_end_for(hSession);
	} else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
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

	if (!pulDigestLen) {
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no length pointer: digest ended");
		digest_end_for(hSession);
	} else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = digest_out_locked(ss, NULL, 0, pDigest, pulDigestLen, CARTA_P11_PARTS_MULTI);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_DigestFinal(session 0x%lx)", hSession);
}
