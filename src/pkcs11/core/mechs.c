/* SPDX-License-Identifier: BSD-3-Clause */
/* Mechanisms are what the card can really do (docs/design.md): from each key's
 * type and caps. Card operations are CKF_HW; digests are software. The
 * tables behind C_GetMechanismList/Info (mech.c), key checks and attributes. */
#include <string.h>

#include "pkcs11/core/state.h"

static const CK_MECHANISM_TYPE rsa_pkcs[] = {
	CKM_RSA_PKCS, CKM_SHA1_RSA_PKCS, CKM_SHA224_RSA_PKCS, CKM_SHA256_RSA_PKCS,
	CKM_SHA384_RSA_PKCS, CKM_SHA512_RSA_PKCS,
};
static const CK_MECHANISM_TYPE rsa_raw[] = {
	CKM_RSA_X_509, CKM_RSA_PKCS_PSS, CKM_SHA1_RSA_PKCS_PSS, CKM_SHA224_RSA_PKCS_PSS,
	CKM_SHA256_RSA_PKCS_PSS, CKM_SHA384_RSA_PKCS_PSS, CKM_SHA512_RSA_PKCS_PSS,
};
static const CK_MECHANISM_TYPE ecdsa[] = {
	CKM_ECDSA, CKM_ECDSA_SHA1, CKM_ECDSA_SHA224, CKM_ECDSA_SHA256, CKM_ECDSA_SHA384,
	CKM_ECDSA_SHA512,
};
static const CK_MECHANISM_TYPE digests[] = {
	CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384, CKM_SHA512,
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

static size_t add(CK_MECHANISM_TYPE *out, size_t n, size_t cap, const CK_MECHANISM_TYPE *m,
                  size_t count)
{
	size_t i, j;
	bool dup;

	for (i = 0; i < count; i++) {
		dup = false;
		for (j = 0; j < n && !dup; j++)
			dup = out[j] == m[i];
		if (!dup && n < cap)
			out[n++] = m[i];
	}
	return n;
}

size_t carta_p11_mechs_for_key(const struct carta_key *k, CK_MECHANISM_TYPE *out, size_t cap)
{
	size_t n = 0;

	if (k->type == CARTA_KEY_RSA && (k->caps & (CARTA_KC_RAW_RSA | CARTA_KC_CARD_PADS)))
		n = add(out, n, cap, rsa_pkcs, N(rsa_pkcs));
	if (k->type == CARTA_KEY_RSA && (k->caps & CARTA_KC_RAW_RSA))
		n = add(out, n, cap, rsa_raw, N(rsa_raw));
	if (k->type == CARTA_KEY_EC && (k->caps & CARTA_KC_ECDSA))
		n = add(out, n, cap, ecdsa, N(ecdsa));
	return n;
}

size_t carta_p11_mechs_all(const struct carta_card_desc *d, uint32_t keys,
                           CK_MECHANISM_TYPE *out, size_t cap)
{
	CK_MECHANISM_TYPE km[32];
	size_t i, n = 0;

	for (i = 0; i < d->n_keys && i < CARTA_MAX_KEYS; i++)
		if (keys & (1u << i))
			n = add(out, n, cap, km, carta_p11_mechs_for_key(&d->keys[i], km, N(km)));
	return add(out, n, cap, digests, N(digests));
}

bool carta_p11_key_has_mech(const struct carta_key *k, CK_MECHANISM_TYPE m)
{
	CK_MECHANISM_TYPE km[32];
	size_t i, n = carta_p11_mechs_for_key(k, km, N(km));

	for (i = 0; i < n; i++)
		if (km[i] == m)
			return true;
	return false;
}

CK_RV carta_p11_mech_info(const struct carta_card_desc *d, uint32_t keys, CK_MECHANISM_TYPE m,
                          CK_MECHANISM_INFO *info)
{
	CK_RV rv = CKR_MECHANISM_INVALID;
	size_t i;

	memset(info, 0, sizeof(*info));
	for (i = 0; i < N(digests); i++)
		if (digests[i] == m) {
			info->flags = CKF_DIGEST;
			rv = CKR_OK;
		}
	for (i = 0; i < d->n_keys && i < CARTA_MAX_KEYS; i++) {
		if (!(keys & (1u << i)) || !carta_p11_key_has_mech(&d->keys[i], m))
			continue;
		if (rv != CKR_OK || d->keys[i].bits < info->ulMinKeySize)
			info->ulMinKeySize = d->keys[i].bits;
		if (d->keys[i].bits > info->ulMaxKeySize)
			info->ulMaxKeySize = d->keys[i].bits;
		info->flags |= CKF_HW | CKF_SIGN;
		if ((m == CKM_RSA_X_509 || m == CKM_RSA_PKCS) &&
		    (d->keys[i].usage & CARTA_KU_DECRYPT))
			info->flags |= CKF_DECRYPT;
		if (d->keys[i].type == CARTA_KEY_EC)
			info->flags |= CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
		rv = CKR_OK;
	}
	return rv;
}

enum carta_hash carta_p11_mech_hash(CK_MECHANISM_TYPE m)
{
	switch (m) {
	case CKM_SHA1_RSA_PKCS: case CKM_SHA1_RSA_PKCS_PSS: case CKM_ECDSA_SHA1:
		return CARTA_HASH_SHA1;
	case CKM_SHA224_RSA_PKCS: case CKM_SHA224_RSA_PKCS_PSS: case CKM_ECDSA_SHA224:
		return CARTA_HASH_SHA224;
	case CKM_SHA256_RSA_PKCS: case CKM_SHA256_RSA_PKCS_PSS: case CKM_ECDSA_SHA256:
		return CARTA_HASH_SHA256;
	case CKM_SHA384_RSA_PKCS: case CKM_SHA384_RSA_PKCS_PSS: case CKM_ECDSA_SHA384:
		return CARTA_HASH_SHA384;
	case CKM_SHA512_RSA_PKCS: case CKM_SHA512_RSA_PKCS_PSS: case CKM_ECDSA_SHA512:
		return CARTA_HASH_SHA512;
	default:
		return CARTA_HASH_NONE;
	}
}

enum carta_hash carta_p11_hash_of_ckm(CK_MECHANISM_TYPE m)
{
	switch (m) {
	case CKM_SHA_1: return CARTA_HASH_SHA1;
	case CKM_SHA224: return CARTA_HASH_SHA224;
	case CKM_SHA256: return CARTA_HASH_SHA256;
	case CKM_SHA384: return CARTA_HASH_SHA384;
	case CKM_SHA512: return CARTA_HASH_SHA512;
	default: return CARTA_HASH_NONE;
	}
}

enum carta_hash carta_p11_hash_of_mgf(CK_ULONG mgf)
{
	switch (mgf) {
	case CKG_MGF1_SHA1: return CARTA_HASH_SHA1;
	case CKG_MGF1_SHA224: return CARTA_HASH_SHA224;
	case CKG_MGF1_SHA256: return CARTA_HASH_SHA256;
	case CKG_MGF1_SHA384: return CARTA_HASH_SHA384;
	case CKG_MGF1_SHA512: return CARTA_HASH_SHA512;
	default: return CARTA_HASH_NONE;
	}
}
