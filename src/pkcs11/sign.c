/* SPDX-License-Identifier: BSD-3-Clause */
/* Signing: C_SignInit, C_Sign, C_SignUpdate, C_SignFinal. Hash mechanisms
 * hash on the host (carta_digest_*); raw mechanisms accumulate their input
 * up to the mechanism's limit.
 *
 * The operation's rules (v2.40 base 5.11; v3.0 keeps them):
 * - C_Sign and C_SignFinal always end the operation, unless they return
 *   CKR_BUFFER_TOO_SMALL or are a successful length query (NULL pSignature,
 *   v2.40 base 5.2); CKR_ARGUMENTS_BAD ends it like any other error;
 * - C_SignUpdate ends it when it fails;
 * - "C_Sign cannot be used to terminate a multi-part operation, and must be
 *   called after C_SignInit without intervening C_SignUpdate calls": C_Sign
 *   after C_SignUpdate is CKR_OPERATION_ACTIVE. The data of a C_Sign that
 *   kept the operation is the whole message, so C_SignUpdate or C_SignFinal
 *   after it are CKR_OPERATION_ACTIVE too (C_SignFinal would otherwise sign
 *   the empty message). These refusals end the operation by the rule above.
 * - The empty message is a message: pData NULL with ulDataLen 0 is valid and
 *   signed like any other (card_input). */
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

#define MAX_BLOCK 512   /* 4096-bit RSA */

static bool is_ecdsa(CK_MECHANISM_TYPE m)
{
	return m == CKM_ECDSA || m == CKM_ECDSA_SHA1 || m == CKM_ECDSA_SHA224 ||
	       m == CKM_ECDSA_SHA256 || m == CKM_ECDSA_SHA384 || m == CKM_ECDSA_SHA512;
}

static bool is_pss(CK_MECHANISM_TYPE m)
{
	return m == CKM_RSA_PKCS_PSS || m == CKM_SHA1_RSA_PKCS_PSS || m == CKM_SHA224_RSA_PKCS_PSS ||
	       m == CKM_SHA256_RSA_PKCS_PSS || m == CKM_SHA384_RSA_PKCS_PSS ||
	       m == CKM_SHA512_RSA_PKCS_PSS;
}

/* CK_RSA_PKCS_PSS_PARAMS (v2.40 curr 2.1.14): a known hash, equal to the
 * mechanism's own for the SHAx variants, MGF1 with a known hash, and a
 * salt that fits: sLen <= emLen - hLen - 2. */
static CK_RV pss_params(const CK_MECHANISM *m, const struct carta_key *k,
                        struct carta_p11_op *op)
{
	const CK_RSA_PKCS_PSS_PARAMS *p = m->pParameter;
	size_t hlen, emlen = (k->bits + 6) / 8;

	if (!p || m->ulParameterLen != sizeof(*p))
		return carta_p11_fail(CKR_MECHANISM_PARAM_INVALID, "no CK_RSA_PKCS_PSS_PARAMS");
	op->pss_hash = carta_p11_hash_of_ckm(p->hashAlg);
	op->mgf = carta_p11_hash_of_mgf(p->mgf);
	hlen = carta_hash_len(op->pss_hash);
	if (op->pss_hash == CARTA_HASH_NONE || op->mgf == CARTA_HASH_NONE)
		return carta_p11_fail(CKR_MECHANISM_PARAM_INVALID, "PSS: unknown hash or MGF");
	if (m->mechanism != CKM_RSA_PKCS_PSS && op->pss_hash != carta_p11_mech_hash(m->mechanism))
		return carta_p11_fail(CKR_MECHANISM_PARAM_INVALID, "PSS: hash is not the mechanism's");
	if (emlen < hlen + 2 || p->sLen > emlen - hlen - 2)
		return carta_p11_fail(CKR_MECHANISM_PARAM_INVALID, "PSS: salt of %lu bytes does not fit",
		                      p->sLen);
	op->salt = p->sLen;
	return CKR_OK;
}

static size_t max_input(const struct carta_p11_op *op, size_t k)
{
	switch (op->mech) {
	case CKM_RSA_PKCS: return k >= 11 ? k - 11 : 0;
	case CKM_RSA_X_509: return k;
	case CKM_RSA_PKCS_PSS: return carta_hash_len(op->pss_hash);
	default: return CARTA_HASH_MAX_LEN;   /* CKM_ECDSA: a hash */
	}
}

static CK_RV check_key(const struct carta_p11_token *t, const struct carta_p11_object *o,
                       CK_MECHANISM_TYPE m, unsigned usage)
{
	const struct carta_key *k;

	if (!o || (o->kind != CARTA_P11_OBJ_PRIV && o->kind != CARTA_P11_OBJ_PUB))
		return carta_p11_fail(CKR_KEY_HANDLE_INVALID, "no key with that handle");
	k = &t->desc->keys[o->index];
	if (o->kind != CARTA_P11_OBJ_PRIV || !(k->usage & usage))
		return carta_p11_fail(CKR_KEY_FUNCTION_NOT_PERMITTED, "the key does not sign");
	if ((k->type == CARTA_KEY_EC) != is_ecdsa(m))
		return carta_p11_fail(CKR_KEY_TYPE_INCONSISTENT, "mechanism 0x%lx is not for this key type", m);
	if (!carta_p11_key_has_mech(k, m))
		return carta_p11_fail(CKR_MECHANISM_INVALID, "the card cannot do mechanism 0x%lx with this key", m);
	if ((k->bits + 7) / 8 > MAX_BLOCK)
		return carta_p11_fail(CKR_KEY_SIZE_RANGE, "key of %zu bits too big", k->bits);
	return CKR_OK;
}

static CK_RV init_locked(struct carta_p11_slot *s, struct carta_p11_session *ss,
                         const CK_MECHANISM *m, CK_OBJECT_HANDLE key)
{
	const struct carta_p11_object *o = carta_p11_object_find(&s->tok, key);
	struct carta_p11_op *op = &ss->sign;
	const struct carta_key *k;
	size_t bytes;
	CK_RV rv;

	if (op->active)
		return carta_p11_fail(CKR_OPERATION_ACTIVE, "a signature is already active");
	/* a key the caller cannot see says nothing about itself (type, usage) */
	if (o && !carta_p11_object_visible(s, o))
		return carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "user not logged in: private key hidden");
	rv = check_key(&s->tok, o, m->mechanism, CARTA_KU_SIGN | CARTA_KU_NONREP);
	if (rv != CKR_OK)
		return rv;
	/* a token that needs no login: the key is authorised at each use by
	 * C_Login(CKU_CONTEXT_SPECIFIC), checked at C_Sign */
	if (s->login != CARTA_P11_LOGIN_USER && !s->tok.no_login)
		return carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "user not logged in");
	k = &s->tok.desc->keys[o->index];
	carta_p11_op_clear(op);
	if (is_pss(m->mechanism) && (rv = pss_params(m, k, op)) != CKR_OK)
		return rv;
	op->mech = m->mechanism;
	op->key = o->index;
	op->hash = carta_p11_mech_hash(m->mechanism);
	bytes = (k->bits + 7) / 8;
	op->out_len = k->type == CARTA_KEY_EC ? 2 * bytes : bytes;
	op->max_in = max_input(op, bytes);
	op->always_auth = k->always_auth;
	if (op->hash != CARTA_HASH_NONE && carta_digest_new(op->hash, &op->dctx) != CARTA_OK)
		return carta_p11_fail(CKR_HOST_MEMORY, "no memory for a digest");
	op->active = true;
	return CKR_OK;
}

CK_RV C_SignInit(CK_SESSION_HANDLE hSession, CK_MECHANISM_PTR pMechanism, CK_OBJECT_HANDLE hKey)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pMechanism)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no mechanism");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		carta_p11_check_reset_locked(s);
		rv = init_locked(s, ss, pMechanism, hKey);
		if (rv != CKR_OK && rv != CKR_OPERATION_ACTIVE)
			carta_p11_op_clear(&ss->sign);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_SignInit(session 0x%lx, 0x%lx, key 0x%lx)", hSession,
	                     pMechanism ? pMechanism->mechanism : 0UL, hKey);
}

static CK_RV absorb(struct carta_p11_op *op, const CK_BYTE *p, CK_ULONG n)
{
	enum carta_err e;

	if (n == 0)
		return CKR_OK;
	if (!op->dctx && (n > op->max_in || op->acc.len > op->max_in - n))
		return carta_p11_fail(CKR_DATA_LEN_RANGE, "input over %zu bytes for mechanism 0x%lx",
		                      op->max_in, op->mech);
	e = op->dctx ? carta_digest_update(op->dctx, p, n) : carta_buf_append(&op->acc, p, n);
	if (e != CARTA_OK)
		return carta_p11_fail(carta_p11_rv(e), "input: %s", carta_err_str(e));
	return CKR_OK;
}

/* What the card is given (card.h enum carta_sign_input), in blk. */
static CK_RV card_input(struct carta_p11_op *op, const struct carta_key *k,
                        enum carta_sign_input *kind, struct carta_buf *blk)
{
	uint8_t h[CARTA_HASH_MAX_LEN], block[MAX_BLOCK];
	const uint8_t *in = op->acc.p;
	size_t n = op->acc.len, kb = (k->bits + 7) / 8;
	enum carta_err e = CARTA_OK;

	if (op->dctx) {
		e = carta_digest_final(op->dctx, h, sizeof(h), &n);
		in = h;
	}
	if (e == CARTA_OK && is_pss(op->mech)) {
		*kind = CARTA_SIGN_RAW_BLOCK;
		if (n != carta_hash_len(op->pss_hash))
			return carta_p11_fail(CKR_DATA_LEN_RANGE, "PSS: input of %zu bytes is no hash", n);
		e = carta_pss_encode(op->pss_hash, op->mgf, op->salt, in, n, k->bits, block, kb);
		if (e == CARTA_OK)
			e = carta_buf_set(blk, block, kb);
	} else if (e == CARTA_OK && op->mech == CKM_RSA_X_509) {
		/* left-padded with zeros to k bytes (v2.40 curr 2.1.8): the empty
		 * message is the all-zero block */
		*kind = CARTA_SIGN_RAW_BLOCK;
		memset(block, 0, kb);
		if (n)
			memcpy(block + kb - n, in, n);
		e = carta_buf_set(blk, block, kb);
	} else if (e == CARTA_OK && k->type == CARTA_KEY_EC) {
		/* an empty hash is the integer 0 (SEC 1 4.1.3 step 5), as is a
		 * field-size block of zeros: the card is given that */
		*kind = CARTA_SIGN_ECDSA_HASH;
		memset(block, 0, kb);
		e = n ? carta_buf_set(blk, in, n) : carta_buf_set(blk, block, kb);
	} else if (e == CARTA_OK && n == 0) {
		/* CKM_RSA_PKCS on the empty message: PKCS#1 v1.5 type 1 around
		 * nothing (RFC 8017 9.2), padded here since the card API takes no
		 * empty input; a card that pads itself cannot be given it */
		if (!(k->caps & CARTA_KC_RAW_RSA))
			return carta_p11_fail(CKR_DATA_LEN_RANGE, "the card pads itself and takes no "
			                      "empty input for mechanism 0x%lx", op->mech);
		*kind = CARTA_SIGN_RAW_BLOCK;
		e = carta_pkcs1_type1_pad(NULL, 0, kb, block);
		if (e == CARTA_OK)
			e = carta_buf_set(blk, block, kb);
	} else if (e == CARTA_OK) {
		*kind = CARTA_SIGN_PKCS1_DATA;
		e = op->dctx ? carta_digestinfo(op->hash, in, n, blk) : carta_buf_set(blk, in, n);
	}
	if (e != CARTA_OK)
		return carta_p11_fail(carta_p11_rv(e), "encoding the input: %s", carta_err_str(e));
	return CKR_OK;
}

static CK_RV finish_locked(struct carta_p11_slot *s, struct carta_p11_op *op,
                           CK_BYTE *sig, CK_ULONG *siglen)
{
	const struct carta_key *k = &s->tok.desc->keys[op->key];
	struct carta_buf blk = { 0 };
	enum carta_sign_input kind = CARTA_SIGN_RAW_BLOCK;
	size_t outlen = *siglen;
	enum carta_err e;
	CK_RV rv;

	rv = card_input(op, k, &kind, &blk);
	if (rv == CKR_OK) {
		e = carta_card_sign(s->tok.card, op->key, kind, blk.p, blk.len, sig, &outlen);
		rv = carta_p11_card_rv_locked(s, e);
		if (rv == CKR_OK)
			*siglen = outlen;
	}
	carta_p11_check_reset_locked(s);
	carta_buf_free(&blk);
	return rv;
}

/* A call of the other form than the one the operation took: refused, and
 * the operation ends (see the top of the file). */
static CK_RV form_locked(struct carta_p11_op *op, enum carta_p11_parts form)
{
	if (op->parts == CARTA_P11_PARTS_ANY || op->parts == form)
		return CKR_OK;
	carta_p11_op_clear(op);
	if (form == CARTA_P11_PARTS_SINGLE)
		return carta_p11_fail(CKR_OPERATION_ACTIVE, "C_Sign after C_SignUpdate: only "
		                      "C_SignFinal ends a multi-part signature; signature ended");
	return carta_p11_fail(CKR_OPERATION_ACTIVE, "C_SignUpdate or C_SignFinal after a C_Sign "
	                      "that kept the operation: only C_Sign ends it; signature ended");
}

/* The operation of a call that must end it whatever its arguments: the
 * session's, when the handle is good. */
static void end_for(CK_SESSION_HANDLE h)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;

	if (carta_p11_ready() && carta_p11_session_lock(h, &s, &ss) == CKR_OK) {
		carta_p11_op_clear(&ss->sign);
		carta_p11_sign_pin_unheld_locked(s);
		carta_p11_slot_unlock(s);
	}
}

static CK_RV sign_locked(struct carta_p11_slot *s, struct carta_p11_op *op,
                         const CK_BYTE *data, CK_ULONG n, bool single, CK_BYTE *sig,
                         CK_ULONG *siglen)
{
	CK_RV rv;

	if (!op->active)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no signature active");
	if ((rv = form_locked(op, single ? CARTA_P11_PARTS_SINGLE : CARTA_P11_PARTS_MULTI)) != CKR_OK)
		return rv;
	if (!sig || *siglen < op->out_len) {
		/* the length query and the short buffer keep the operation (5.2) */
		rv = sig ? carta_p11_fail(CKR_BUFFER_TOO_SMALL, "room for %lu bytes, signature has %zu",
		                          *siglen, op->out_len) : CKR_OK;
		*siglen = op->out_len;
		if (single)
			op->parts = CARTA_P11_PARTS_SINGLE;
		return rv;
	}
	/* "Failing or omitting to re-authenticate when CKA_ALWAYS_AUTHENTICATE
	 * is set to CK_TRUE will result in CKR_USER_NOT_LOGGED_IN to be
	 * returned from calls using the key" (v2.40 base 4.9); the call ends
	 * the operation like any other error (5.11) */
	if (op->always_auth && !op->ctx_auth)
		rv = carta_p11_fail(CKR_USER_NOT_LOGGED_IN, "the key wants C_Login(CKU_CONTEXT_SPECIFIC) "
		                    "before each signature: signature ended");
	else
		rv = single ? absorb(op, data, n) : CKR_OK;
	if (rv == CKR_OK)
		rv = finish_locked(s, op, sig, siglen);
	carta_p11_op_clear(op);
	return rv;
}

CK_RV C_Sign(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pData, CK_ULONG ulDataLen,
             CK_BYTE_PTR pSignature, CK_ULONG_PTR pulSignatureLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulSignatureLen || (!pData && ulDataLen)) {
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no length pointer, or no data: signature "
		                       "ended");
		end_for(hSession);
	} else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = sign_locked(s, &ss->sign, pData, ulDataLen, true, pSignature, pulSignatureLen);
		carta_p11_sign_pin_unheld_locked(s);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_Sign(session 0x%lx, %lu bytes%s)", hSession, ulDataLen,
	                     pSignature ? "" : ", length query");
}

static CK_RV update_locked(struct carta_p11_op *op, const CK_BYTE *p, CK_ULONG n)
{
	CK_RV rv;

	if (!op->active)
		return carta_p11_fail(CKR_OPERATION_NOT_INITIALIZED, "no signature active");
	if ((rv = form_locked(op, CARTA_P11_PARTS_MULTI)) != CKR_OK)
		return rv;
	rv = absorb(op, p, n);
	if (rv != CKR_OK)
		carta_p11_op_clear(op);
	else
		op->parts = CARTA_P11_PARTS_MULTI;
	return rv;
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pPart, CK_ULONG ulPartLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pPart && ulPartLen) {   /* an error: the operation ends */
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no data: signature ended");
		end_for(hSession);
	} else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = update_locked(&ss->sign, pPart, ulPartLen);
		carta_p11_sign_pin_unheld_locked(s);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_SignUpdate(session 0x%lx, %lu bytes)", hSession, ulPartLen);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE hSession, CK_BYTE_PTR pSignature,
                  CK_ULONG_PTR pulSignatureLen)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulSignatureLen) {
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no length pointer: signature ended");
		end_for(hSession);
	} else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		rv = sign_locked(s, &ss->sign, NULL, 0, false, pSignature, pulSignatureLen);
		carta_p11_sign_pin_unheld_locked(s);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_SignFinal(session 0x%lx%s)", hSession,
	                     pSignature ? "" : ", length query");
}
