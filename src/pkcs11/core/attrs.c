/* SPDX-License-Identifier: BSD-3-Clause */
/* Attribute values of the objects (objects.c): what C_GetAttributeValue
 * (attr.c) returns and C_FindObjects (find.c) matches. */
#include <string.h>

#include "pkcs11/core/state.h"

static CK_RV ul(struct carta_p11_attrval *v, CK_ULONG x)
{
	v->store.ul = x;
	v->p = &v->store.ul;
	v->len = sizeof(CK_ULONG);
	return CKR_OK;
}

static CK_RV bo(struct carta_p11_attrval *v, bool b)
{
	v->store.b = b ? CK_TRUE : CK_FALSE;
	v->p = &v->store.b;
	v->len = sizeof(CK_BBOOL);
	return CKR_OK;
}

static CK_RV by(struct carta_p11_attrval *v, const void *p, size_t n)
{
	v->p = p;
	v->len = p ? n : 0;
	return CKR_OK;
}

static CK_RV str(struct carta_p11_attrval *v, const char *s)
{
	return by(v, s, strlen(s));
}

static const struct carta_cert *key_cert(const struct carta_p11_token *t,
                                         const struct carta_key *k)
{
	if (k->cert >= 0 && (size_t)k->cert < t->desc->n_certs && t->desc->certs[k->cert].der)
		return &t->desc->certs[k->cert];
	return NULL;
}

/* Label of a key or certificate: the card's, else the certificate's CN. */
static CK_RV label(struct carta_p11_attrval *v, const char *own, const struct carta_cert *c)
{
	if (own[0])
		return str(v, own);
	return str(v, c ? c->cn : "");
}

static CK_RV rsa_pub(const struct carta_key *k, CK_ATTRIBUTE_TYPE type,
                     struct carta_p11_attrval *v)
{
	if (k->type != CARTA_KEY_RSA)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	if (type == CKA_MODULUS_BITS)
		return ul(v, k->bits);
	if (type == CKA_MODULUS && k->modulus)
		return by(v, k->modulus, k->modulus_len);
	if (type == CKA_PUBLIC_EXPONENT && k->exponent)
		return by(v, k->exponent, k->exponent_len);
	return CKR_ATTRIBUTE_TYPE_INVALID;
}

static CK_RV ec_pub(const struct carta_key *k, CK_ATTRIBUTE_TYPE type,
                    struct carta_p11_attrval *v)
{
	if (k->type != CARTA_KEY_EC)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	if (type == CKA_EC_PARAMS && k->ec_params)
		return by(v, k->ec_params, k->ec_params_len);
	if (type == CKA_EC_POINT && k->ec_point)
		return by(v, k->ec_point, k->ec_point_len);
	return CKR_ATTRIBUTE_TYPE_INVALID;
}

static CK_RV key_common(const struct carta_p11_token *t, const struct carta_key *k,
                        CK_ATTRIBUTE_TYPE type, struct carta_p11_attrval *v)
{
	const struct carta_cert *c = key_cert(t, k);
	size_t n;

	switch (type) {
	case CKA_KEY_TYPE: return ul(v, k->type == CARTA_KEY_EC ? CKK_EC : CKK_RSA);
	case CKA_ID: return by(v, k->id, k->id_len);
	case CKA_LABEL: return label(v, k->label, c);
	case CKA_START_DATE: case CKA_END_DATE: return by(v, "", 0);
	case CKA_DERIVE: case CKA_LOCAL: return bo(v, false);
	case CKA_KEY_GEN_MECHANISM: return ul(v, CK_UNAVAILABLE_INFORMATION);
	case CKA_SUBJECT: return c ? by(v, c->subject, c->subject_len) : by(v, "", 0);
	case CKA_ALLOWED_MECHANISMS:
		n = carta_p11_mechs_for_key(k, v->store.mechs, sizeof(v->store.mechs) /
		                            sizeof(v->store.mechs[0]));
		return by(v, v->store.mechs, n * sizeof(CK_MECHANISM_TYPE));
	default:
		break;
	}
	return k->type == CARTA_KEY_EC ? ec_pub(k, type, v) : rsa_pub(k, type, v);
}

static CK_RV priv_attr(const struct carta_p11_token *t, const struct carta_key *k,
                       CK_ATTRIBUTE_TYPE type, struct carta_p11_attrval *v)
{
	switch (type) {
	case CKA_CLASS: return ul(v, CKO_PRIVATE_KEY);
	/* public on a token that needs no login: each use asks for the PIN
	 * (CKA_ALWAYS_AUTHENTICATE; docs/pkcs11.md "The signature token needs
	 * no login") */
	case CKA_PRIVATE: return bo(v, !t->no_login);
	case CKA_SENSITIVE: case CKA_ALWAYS_SENSITIVE: case CKA_NEVER_EXTRACTABLE:
		return bo(v, true);
	case CKA_SIGN: return bo(v, (k->usage & (CARTA_KU_SIGN | CARTA_KU_NONREP)) != 0);
	case CKA_DECRYPT:
		return bo(v, (k->usage & CARTA_KU_DECRYPT) && (k->caps & CARTA_KC_RAW_RSA));
	case CKA_SIGN_RECOVER: case CKA_UNWRAP: case CKA_EXTRACTABLE: case CKA_WRAP_WITH_TRUSTED:
		return bo(v, false);
	/* the card wants the PIN before each signature (card.h, qualified
	 * signature keys): CKU_CONTEXT_SPECIFIC, v2.40 base 4.9 */
	case CKA_ALWAYS_AUTHENTICATE: return bo(v, k->always_auth);
	case CKA_EC_POINT:
		return CKR_ATTRIBUTE_TYPE_INVALID;
	case CKA_PRIVATE_EXPONENT: case CKA_PRIME_1: case CKA_PRIME_2: case CKA_EXPONENT_1:
	case CKA_EXPONENT_2: case CKA_COEFFICIENT: case CKA_VALUE:
		return CKR_ATTRIBUTE_SENSITIVE;
	default:
		return key_common(t, k, type, v);
	}
}

static CK_RV pub_attr(const struct carta_p11_token *t, const struct carta_key *k,
                      CK_ATTRIBUTE_TYPE type, struct carta_p11_attrval *v)
{
	switch (type) {
	case CKA_CLASS: return ul(v, CKO_PUBLIC_KEY);
	/* the public half encrypts what the card's key deciphers */
	case CKA_ENCRYPT: return bo(v, (k->usage & CARTA_KU_DECRYPT) != 0);
	case CKA_PRIVATE: case CKA_VERIFY_RECOVER: case CKA_WRAP: case CKA_TRUSTED:
		return bo(v, false);
	case CKA_VERIFY: return bo(v, true);
	default:
		return key_common(t, k, type, v);
	}
}

static CK_RV cert_attr(const struct carta_p11_token *t, size_t c, CK_ATTRIBUTE_TYPE type,
                       struct carta_p11_attrval *v)
{
	const struct carta_cert *cert = &t->desc->certs[c];
	bool x = cert->der != NULL;

	switch (type) {
	case CKA_CLASS: return ul(v, CKO_CERTIFICATE);
	case CKA_CERTIFICATE_TYPE: return ul(v, CKC_X_509);
	case CKA_CERTIFICATE_CATEGORY: return ul(v, 1);   /* token user */
	case CKA_JAVA_MIDP_SECURITY_DOMAIN: return ul(v, 0);
	case CKA_PRIVATE: case CKA_TRUSTED: return bo(v, false);
	case CKA_VALUE: return by(v, cert->der, cert->der_len);
	case CKA_ID: return by(v, cert->id, cert->id_len);
	case CKA_LABEL: return label(v, cert->label, x ? cert : NULL);
	case CKA_START_DATE: case CKA_END_DATE: case CKA_URL:
	case CKA_HASH_OF_SUBJECT_PUBLIC_KEY: case CKA_HASH_OF_ISSUER_PUBLIC_KEY:
		return by(v, "", 0);
	case CKA_SUBJECT: if (x) return by(v, cert->subject, cert->subject_len); break;
	case CKA_ISSUER: if (x) return by(v, cert->issuer, cert->issuer_len); break;
	case CKA_SERIAL_NUMBER: if (x) return by(v, cert->serial, cert->serial_len); break;
	default: break;
	}
	return CKR_ATTRIBUTE_TYPE_INVALID;
}

static CK_RV data_attr(const struct carta_p11_token *t, size_t f, CK_ATTRIBUTE_TYPE type,
                       struct carta_p11_attrval *v)
{
	switch (type) {
	case CKA_CLASS: return ul(v, CKO_DATA);
	case CKA_PRIVATE: return bo(v, false);
	case CKA_LABEL: return str(v, carta_p11_data_label(f));
	case CKA_APPLICATION: return str(v, "carta");
	case CKA_OBJECT_ID: return by(v, "", 0);
	case CKA_VALUE: return str(v, carta_p11_data_value(t->desc, f));
	default: return CKR_ATTRIBUTE_TYPE_INVALID;
	}
}

CK_RV carta_p11_attr(const struct carta_p11_token *t, const struct carta_p11_object *o,
                     CK_ATTRIBUTE_TYPE type, struct carta_p11_attrval *v)
{
	v->p = NULL;
	v->len = 0;
	switch (type) {
	case CKA_TOKEN: return bo(v, true);
	case CKA_MODIFIABLE: case CKA_COPYABLE: case CKA_DESTROYABLE: return bo(v, false);
	default: break;
	}
	switch (o->kind) {
	case CARTA_P11_OBJ_PRIV: return priv_attr(t, &t->desc->keys[o->index], type, v);
	case CARTA_P11_OBJ_PUB: return pub_attr(t, &t->desc->keys[o->index], type, v);
	case CARTA_P11_OBJ_CERT: return cert_attr(t, o->index, type, v);
	case CARTA_P11_OBJ_DATA: return data_attr(t, o->index, type, v);
	}
	return CKR_ATTRIBUTE_TYPE_INVALID;
}
