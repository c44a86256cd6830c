/* SPDX-License-Identifier: BSD-3-Clause */
/* X.509 v3 certificate making for test identities (RFC 5280 profile). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/tools/tk_int.h"

/* One extension from OpenSSL's configuration syntax (x509v3_config(5)). */
static enum carta_err add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	enum carta_err rv = CARTA_E_ARGS;

	if (ext != NULL && X509_add_ext(x, ext, -1) == 1)
		rv = CARTA_OK;
	X509_EXTENSION_free(ext);
	return rv;
}

/* certificatePolicies with one policy and, when given, a userNotice whose
 * explicitText is a UTF8String (RFC 5280 4.2.1.4), built from the ASN.1
 * types so that the notice text needs no quoting. */
static enum carta_err add_policy(X509 *x, const char *oid, const char *notice)
{
	CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
	POLICYINFO *pi = POLICYINFO_new();
	POLICYQUALINFO *q = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (pols == NULL || pi == NULL)
		goto out;
	ASN1_OBJECT_free(pi->policyid);
	pi->policyid = OBJ_txt2obj(oid, 1);
	if (pi->policyid == NULL) {
		rv = CARTA_E_ARGS;
		goto out;
	}
	if (notice != NULL) {
		q = POLICYQUALINFO_new();
		if (q == NULL)
			goto out;
		q->pqualid = OBJ_nid2obj(NID_id_qt_unotice);
		q->d.usernotice = USERNOTICE_new();
		if (q->d.usernotice == NULL)
			goto out;
		q->d.usernotice->exptext = ASN1_STRING_type_new(V_ASN1_UTF8STRING);
		if (q->d.usernotice->exptext == NULL ||
		    ASN1_STRING_set(q->d.usernotice->exptext, notice, -1) != 1)
			goto out;
		pi->qualifiers = sk_POLICYQUALINFO_new_null();
		if (pi->qualifiers == NULL || sk_POLICYQUALINFO_push(pi->qualifiers, q) <= 0)
			goto out;
		q = NULL;
	}
	if (sk_POLICYINFO_push(pols, pi) <= 0)
		goto out;
	pi = NULL;
	if (X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT) == 1)
		rv = CARTA_OK;
out:
	POLICYQUALINFO_free(q);
	POLICYINFO_free(pi);
	sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
	return rv;
}

static enum carta_err set_names(X509 *x, const struct carta_tk_cert_spec *spec, X509 *issuer)
{
	X509_NAME *name = X509_get_subject_name(x);
	size_t i;

	for (i = 0; i < spec->n_subject; i++) {
		const struct carta_tk_name_entry *e = &spec->subject[i];
		if (e->field == NULL || e->value == NULL ||
		    X509_NAME_add_entry_by_txt(name, e->field, MBSTRING_UTF8,
		                               (const unsigned char *)e->value, -1, -1, 0) != 1)
			return CARTA_E_ARGS;
	}
	if (X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : name) != 1)
		return CARTA_E_CRYPTO;
	return CARTA_OK;
}

static enum carta_err set_fields(X509 *x, const struct carta_tk_cert_spec *spec, X509 *issuer)
{
	time_t nb = (time_t)spec->not_before, na = (time_t)spec->not_after;

	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), spec->serial) != 1 ||
	    ASN1_TIME_set(X509_getm_notBefore(x), nb) == NULL ||
	    ASN1_TIME_set(X509_getm_notAfter(x), na) == NULL ||
	    X509_set_pubkey(x, spec->subject_key->pk) != 1)
		return CARTA_E_CRYPTO;
	return set_names(x, spec, issuer);
}

static enum carta_err add_extensions(X509 *x, const struct carta_tk_cert_spec *spec, X509 *issuer)
{
	X509V3_CTX ctx;
	char ku[256], san[512];
	enum carta_err rv;
	int len;

	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
	rv = add_ext(x, &ctx, NID_basic_constraints, spec->ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
	if (rv == CARTA_OK)
		rv = add_ext(x, &ctx, NID_subject_key_identifier, "hash");
	if (rv == CARTA_OK && issuer != NULL)
		rv = add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always");
	if (rv != CARTA_OK)
		return rv;
	ku[0] = '\0';
	if (spec->ca)
		len = snprintf(ku, sizeof(ku), "%s%s", spec->key_usage ? spec->key_usage : "critical",
		               ",keyCertSign,cRLSign");
	else
		len = snprintf(ku, sizeof(ku), "%s", spec->key_usage ? spec->key_usage : "");
	if (len < 0 || (size_t)len >= sizeof(ku))
		return CARTA_E_RANGE;
	if (ku[0] != '\0')
		rv = add_ext(x, &ctx, NID_key_usage, ku);
	if (rv == CARTA_OK && spec->ext_key_usage != NULL)
		rv = add_ext(x, &ctx, NID_ext_key_usage, spec->ext_key_usage);
	if (rv == CARTA_OK && spec->policy_oid != NULL)
		rv = add_policy(x, spec->policy_oid, spec->policy_notice);
	if (rv != CARTA_OK || (spec->san_dns == NULL && spec->san_ip == NULL))
		return rv;
	len = snprintf(san, sizeof(san), "%s%s%s%s%s", spec->san_dns ? "DNS:" : "",
	               spec->san_dns ? spec->san_dns : "", spec->san_dns && spec->san_ip ? "," : "",
	               spec->san_ip ? "IP:" : "", spec->san_ip ? spec->san_ip : "");
	if (len < 0 || (size_t)len >= sizeof(san))
		return CARTA_E_RANGE;
	return add_ext(x, &ctx, NID_subject_alt_name, san);
}

enum carta_err carta_tk_make_cert(const struct carta_tk_cert_spec *spec, struct carta_buf *der)
{
	X509 *x = NULL, *issuer = NULL;
	const struct carta_tk_key *signer;
	unsigned char *out = NULL;
	enum carta_err rv = CARTA_E_ARGS;
	int len;

	if (spec == NULL || der == NULL || spec->subject_key == NULL ||
	    (spec->subject == NULL && spec->n_subject > 0))
		goto out;
	/* self-signed without an explicit issuer key: the subject key signs */
	signer = spec->issuer_key != NULL ? spec->issuer_key : spec->subject_key;
	if (spec->issuer_cert_der != NULL) {
		const unsigned char *p = spec->issuer_cert_der;
		rv = CARTA_E_PARSE;
		issuer = d2i_X509(NULL, &p, (long)spec->issuer_cert_der_len);
		if (issuer == NULL || spec->issuer_key == NULL)
			goto out;
	}
	rv = CARTA_E_NOMEM;
	x = X509_new();
	if (x == NULL)
		goto out;
	rv = set_fields(x, spec, issuer);
	if (rv == CARTA_OK)
		rv = add_extensions(x, spec, issuer);
	if (rv != CARTA_OK)
		goto out;
	rv = CARTA_E_CRYPTO;
	/* sha256WithRSAEncryption or ecdsa-with-SHA256, by the signer's key type */
	if (X509_sign(x, signer->pk, EVP_sha256()) <= 0)
		goto out;
	len = i2d_X509(x, &out);
	if (len <= 0 || out == NULL)
		goto out;
	rv = carta_buf_append(der, out, (size_t)len);
out:
	OPENSSL_free(out);
	X509_free(x);
	X509_free(issuer);
	return rv;
}
