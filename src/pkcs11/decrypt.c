/* SPDX-License-Identifier: BSD-3-Clause */
/* Decryption with keys the card deciphers with (CARTA_KU_DECRYPT): the card
 * does raw RSA (PSO DECIPHER, docs/reference/cns.md 1.8); CKM_RSA_PKCS removes the type-2
 * padding on the host, in constant time (src/crypto). */
#include <string.h>

#include "crypto/crypto.h"
#include "crypto/secret.h"

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

static CK_RV init_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                         const CK_MECHANISM *m, CK_OBJECT_HANDLE key)
{
	const struct carta_p11_object *o = carta_p11_object_find(&s->tok, key);
	const struct carta_key *k;

	if (ss->decrypt.active)
		return carta_p11_fail(CKR_OPERATION_ACTIVE, "a decryption is already active");
	if (o && !carta_p11_object_visible(s, o))
		return carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "user not logged in: private key hidden");
	if (!o || (o->kind != CARTA_P11_OBJ_PRIV && o->kind != CARTA_P11_OBJ_PUB))
		return carta_p11_fail(CKR_KEY_HANDLE_INVALID, "no key with that handle");
	k = &s->tok.desc->keys[o->index];
	if (o->kind != CARTA_P11_OBJ_PRIV || !(k->usage & CARTA_KU_DECRYPT) ||
	    !(k->caps & CARTA_KC_RAW_RSA))
		return carta_p11_fail(CKR_KEY_FUNCTION_NOT_PERMITTED, "the key does not decrypt");
	if (m->mechanism != CKM_RSA_X_509 && m->mechanism != CKM_RSA_PKCS)
		return carta_p11_fail(CKR_MECHANISM_INVALID, "mechanism 0x%lx does not decrypt",
		                      m->mechanism);
	if (s->login != CARTA_P11_LOGIN_USER)
		return carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "user not logged in");
	carta_p11_op_clear(&ss->decrypt);
	ss->decrypt.mech = m->mechanism;
	ss->decrypt.key = o->index;
	ss->decrypt.out_len = (k->bits + 7) / 8;
	ss->decrypt.max_in = ss->decrypt.out_len;
	ss->decrypt.always_auth = k->always_auth;
	ss->decrypt.active = true;
	return CKR_OK;
}

CK_RV C_DecryptInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pMechanism)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no mechanism");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		carta_p11_check_reset_locked(s);
		rv = init_locked(s, ss, pMechanism, hKey);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_DecryptInit(session 0x%lx, 0x%lx, key 0x%lx)", hSession,
	                     pMechanism ? pMechanism->mechanism : 0UL, hKey);
}

/* A card error: the token and login state follow it (removal, reset), and
 * C_Decrypt names it as C_Decrypt's (carta_p11_rv_decrypt, v2.40 base 5.9):
 * the card refusing the input refuses ciphertext. */
static CK_RV card_rv_locked(struct carta_p11_slot *s, enum carta_err e)
{
	CK_RV rv = carta_p11_card_rv_locked(s, e);

	return rv == CKR_OK ? rv : carta_p11_rv_decrypt(e);
}

/* Raw decryption into a scratch block, then the type-2 padding removed. The
 * caller's buffer is at least the modulus length (checked before), so the
 * message always fits. */
static CK_RV decrypt_pkcs1_locked(struct carta_p11_slot *s, struct carta_p11_op *op,
                                  const CK_BYTE *in, CK_ULONG n, CK_BYTE *out, size_t *len)
{
	uint8_t blk[512];
	size_t blen = sizeof(blk);
	enum carta_err e;
	CK_RV rv;

	if (op->out_len > sizeof(blk))
		return carta_p11_fail(CKR_KEY_SIZE_RANGE, "key of %zu bytes too big", op->out_len);
	e = carta_card_decrypt_raw(s->tok.card, op->key, in, n, blk, &blen);
	if (e != CARTA_OK)
		rv = card_rv_locked(s, e);
	else if (carta_pkcs1_type2_unpad(blk, blen, out, *len, len) != CARTA_OK)
		rv = carta_p11_fail(CKR_ENCRYPTED_DATA_INVALID, "no PKCS#1 type 2 block");
	else
		rv = CKR_OK;
	carta_wipe(blk, sizeof(blk));
	return rv;
}

static CK_RV decrypt_locked(struct carta_p11_slot *s, struct carta_p11_op *op,
                            const CK_BYTE *in, CK_ULONG n, CK_BYTE *out, CK_ULONG *outlen)
{
	size_t len;
	enum carta_err e;
	CK_RV rv;

	if (!op->active)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no decryption active");
	if (!out || *outlen < op->out_len) {
		rv = out ? carta_p11_fail(CKR_BUFFER_TOO_SMALL, "room for %lu bytes, need %zu", *outlen,
		                          op->out_len) : CKR_OK;
		*outlen = op->out_len;
		return rv;
	}
	len = *outlen;
	if (op->always_auth && !op->ctx_auth)   /* v2.40 base 4.9 */
		rv = carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "the key wants C_Login(CKU_CONTEXT_SPECIFIC) "
		                    "before each use: decryption ended");
	else if (n != op->out_len)
		rv = carta_p11_fail(CKR_ENCRYPTED_DATA_LEN_RANGE, "%lu bytes, the key's size is %zu", n,
		                    op->out_len);
	else if (op->mech == CKM_RSA_PKCS)
		rv = decrypt_pkcs1_locked(s, op, in, n, out, &len);
	else {
		e = carta_card_decrypt_raw(s->tok.card, op->key, in, n, out, &len);
		rv = card_rv_locked(s, e);
	}
	if (rv == CKR_OK)
		*outlen = len;
	carta_p11_op_clear(op);
	return rv;
}

CK_RV C_Decrypt(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedData, CK_ULONG ulEncryptedDataLen,
                CK_BYTE_PTR pData, CK_ULONG_PTR pulDataLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulDataLen || (!pEncryptedData && ulEncryptedDataLen))
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no length pointer, or no data");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = decrypt_locked(s, &ss->decrypt, pEncryptedData, ulEncryptedDataLen, pData,
		                    pulDataLen);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_Decrypt(session 0x%lx, %lu bytes%s)", hSession,
	                     ulEncryptedDataLen, pData ? "" : ", length query");
}

/* Raw RSA has no multi-part form worth having: the part functions end the
 * operation with CKR_FUNCTION_NOT_SUPPORTED. */
static CK_RV end_decrypt(const char *call, CK_SESSION_HANDLE hSession)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	rv = carta_p11_session_lock(hSession, &s, &ss);
	if (rv == CKR_OK) {
		if (ss->decrypt.active)
			rv = carta_p11_fail(CKR_FUNCTION_NOT_SUPPORTED, "no multi-part decryption");
		else
			rv = carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no decryption active");
		carta_p11_op_clear(&ss->decrypt);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "%s(session 0x%lx)", call, hSession);
}

CK_RV C_DecryptUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pEncryptedPart,
                      CK_ULONG ulEncryptedPartLen, CK_BYTE_PTR pPart, CK_ULONG_PTR pulPartLen)
{
	(void)pEncryptedPart;
	(void)ulEncryptedPartLen;
	(void)pPart;
	(void)pulPartLen;
	return end_decrypt("C_DecryptUpdate", hSession);
}

CK_RV C_DecryptFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pLastPart, CK_ULONG_PTR pulLastPartLen)
{
	(void)pLastPart;
	(void)pulLastPartLen;
	return end_decrypt("C_DecryptFinal", hSession);
}
