/* SPDX-License-Identifier: BSD-3-Clause */
/* X.509 facts for the card layer, all parsing done by OpenSSL. */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/x509.h"

static void buf_free_all(struct carta_x509 *x)
{
	carta_buf_free(&x->modulus);
	carta_buf_free(&x->exponent);
	carta_buf_free(&x->ec_params);
	carta_buf_free(&x->ec_point);
	carta_buf_free(&x->subject);
	carta_buf_free(&x->issuer);
	carta_buf_free(&x->serial);
}

void carta_x509_free(struct carta_x509 *x)
{
	if (!x)
		return;
	buf_free_all(x);
	memset(x, 0, sizeof(*x));
}

static enum carta_err put_bn(const EVP_PKEY *pk, const char *name, struct carta_buf *out)
{
	BIGNUM *bn = NULL;
	enum carta_err rv = CARTA_E_PARSE;
	int len;

	if (!EVP_PKEY_get_bn_param(pk, name, &bn))
		goto out;
	len = BN_num_bytes(bn);
	if (len <= 0)
		goto out;
	rv = carta_buf_reserve(out, (size_t)len);
	if (rv != CARTA_OK)
		goto out;
	if (BN_bn2bin(bn, out->p) != len) {
		rv = CARTA_E_CRYPTO;
		goto out;
	}
	out->len = (size_t)len;
out:
	BN_free(bn);
	return rv;
}

/* The output of an i2d call (len, *der) into a carta_buf; frees *der. */
static enum carta_err put_der(int len, unsigned char **der, struct carta_buf *out)
{
	enum carta_err rv = CARTA_E_PARSE;

	if (len > 0 && *der)
		rv = carta_buf_set(out, *der, (size_t)len);
	OPENSSL_free(*der);
	*der = NULL;
	return rv;
}

static enum carta_err ec_key(X509 *cert, const EVP_PKEY *pk, struct carta_x509 *x)
{
	const ASN1_OBJECT *alg;
	const void *pval;
	const X509_ALGOR *palg = NULL;
	int ptype, len;
	unsigned char pt[133], *der = NULL;
	size_t ptlen = 0;
	enum carta_err rv;

	if (!X509_PUBKEY_get0_param(NULL, NULL, NULL, (X509_ALGOR **)&palg,
	                            X509_get_X509_PUBKEY(cert)) || !palg)
		return CARTA_E_PARSE;
	X509_ALGOR_get0(&alg, &ptype, &pval, palg);
	if (ptype != V_ASN1_OBJECT)
		return CARTA_E_NOT_SUPPORTED;  /* explicit curve parameters */
	len = i2d_ASN1_OBJECT(pval, &der);
	rv = put_der(len, &der, &x->ec_params);
	if (rv != CARTA_OK)
		return rv;
	if (!EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &ptlen)
	    || ptlen == 0 || ptlen > 127)
		return CARTA_E_PARSE;
	/* CKA_EC_POINT is the DER OCTET STRING of the point */
	rv = carta_buf_append_byte(&x->ec_point, 0x04);
	if (rv == CARTA_OK)
		rv = carta_buf_append_byte(&x->ec_point, (uint8_t)ptlen);
	if (rv == CARTA_OK)
		rv = carta_buf_append(&x->ec_point, pt, ptlen);
	return rv;
}

static enum carta_err pub_key(X509 *cert, struct carta_x509 *x)
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	enum carta_err rv = CARTA_E_NOT_SUPPORTED;

	if (!pk)
		return CARTA_E_PARSE;
	if (EVP_PKEY_get_bits(pk) <= 0)
		return CARTA_E_PARSE;
	x->bits = (size_t)EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA) {
		x->key_type = CARTA_X509_KEY_RSA;
		rv = put_bn(pk, OSSL_PKEY_PARAM_RSA_N, &x->modulus);
		if (rv == CARTA_OK)
			rv = put_bn(pk, OSSL_PKEY_PARAM_RSA_E, &x->exponent);
	} else if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
		x->key_type = CARTA_X509_KEY_EC;
		rv = ec_key(cert, pk, x);
	}
	return rv;
}

static void name_entry(const X509_NAME *n, int nid, char *out, size_t cap)
{
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	unsigned char *utf8 = NULL;
	int len;

	out[0] = '\0';
	if (i < 0)
		return;
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
	if (len > 0 && (size_t)len < cap && !memchr(utf8, 0, (size_t)len)) {
		memcpy(out, utf8, (size_t)len);
		out[len] = '\0';
	}
	OPENSSL_free(utf8);
}

static void put_time(const ASN1_TIME *t, char out[16])
{
	ASN1_GENERALIZEDTIME *g = ASN1_TIME_to_generalizedtime(t, NULL);
	int len;

	out[0] = '\0';
	if (!g)
		return;
	len = ASN1_STRING_length(g);
	if (len == 15) {
		memcpy(out, ASN1_STRING_get0_data(g), 15);
		out[15] = '\0';
	}
	ASN1_GENERALIZEDTIME_free(g);
}

static enum carta_err names(X509 *cert, struct carta_x509 *x)
{
	const X509_NAME *subj = X509_get_subject_name(cert);
	unsigned char *der = NULL;
	enum carta_err rv;

	int len;

	len = i2d_X509_NAME(subj, &der);
	rv = put_der(len, &der, &x->subject);
	if (rv == CARTA_OK) {
		len = i2d_X509_NAME(X509_get_issuer_name(cert), &der);
		rv = put_der(len, &der, &x->issuer);
	}
	if (rv == CARTA_OK) {
		len = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &der);
		rv = put_der(len, &der, &x->serial);
	}
	if (rv != CARTA_OK)
		return rv;
	name_entry(subj, NID_commonName, x->cn, sizeof(x->cn));
	name_entry(subj, NID_givenName, x->given_name, sizeof(x->given_name));
	name_entry(subj, NID_surname, x->surname, sizeof(x->surname));
	name_entry(subj, NID_serialNumber, x->serial_number, sizeof(x->serial_number));
	put_time(X509_get0_notBefore(cert), x->not_before);
	put_time(X509_get0_notAfter(cert), x->not_after);
	return CARTA_OK;
}

static void usages(X509 *cert, struct carta_x509 *x)
{
	uint32_t fl = X509_get_extension_flags(cert);

	if (fl & EXFLAG_KUSAGE) {
		x->has_ku = true;
		x->ku = (unsigned)X509_get_key_usage(cert) & 0xffffu;
	}
	if (fl & EXFLAG_XKUSAGE) {
		uint32_t xku = X509_get_extended_key_usage(cert);

		x->eku_client_auth = (xku & XKU_SSL_CLIENT) != 0;
		x->eku_email = (xku & XKU_SMIME) != 0;
	}
}

enum carta_err carta_x509_parse(const uint8_t *der, size_t n, struct carta_x509 *x)
{
	const unsigned char *p = der;
	X509 *cert = NULL;
	enum carta_err rv = CARTA_E_PARSE;

	memset(x, 0, sizeof(*x));
	if (!der || n == 0 || n > (size_t)INT32_MAX)
		goto out;
	cert = d2i_X509(NULL, &p, (long)n);
	if (!cert || p != der + n)
		goto out;
	/* caches the extensions; fails on malformed ones */
	if (X509_check_purpose(cert, -1, 0) != 1)
		goto out;
	rv = pub_key(cert, x);
	if (rv == CARTA_OK)
		rv = names(cert, x);
	if (rv == CARTA_OK)
		usages(cert, x);
out:
	X509_free(cert);
	if (rv != CARTA_OK)
		carta_x509_free(x);
	return rv;
}

enum carta_err carta_der_total_len(const uint8_t *p, size_t n, size_t *total)
{
	size_t len = 0, hdr, nb;

	if (!p || n < 2 || p[0] != 0x30)
		return CARTA_E_PARSE;
	if (p[1] < 0x80) {
		*total = 2u + p[1];
		return CARTA_OK;
	}
	nb = p[1] & 0x7fu;
	if (nb == 0 || nb > 3 || n < 2 + nb)
		return CARTA_E_PARSE;
	for (size_t i = 0; i < nb; i++)
		len = (len << 8) | p[2 + i];
	hdr = 2 + nb;
	*total = hdr + len;
	return CARTA_OK;
}
