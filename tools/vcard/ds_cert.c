/* SPDX-License-Identifier: BSD-3-Clause */
/* The qualified-signature certificate of the CNS1 key set (docs/reference/cns.md 1.5),
 * built with OpenSSL and issued by the same test CA as the CNS certificate.
 * Profile: the AgID rules for qualified certificates (Determinazione AgID 121/2019
 * "Linee guida contenenti le Regole Tecniche e Raccomandazioni afferenti la generazione
 * di certificati elettronici qualificati, firme e sigilli elettronici qualificati e
 * validazioni temporali elettroniche qualificate", which replaced Deliberazione CNIPA
 * 45/2009) over ETSI EN 319 412-2 (natural persons) and EN 319 412-5 (QCStatements);
 * docs/virtual-card.md "Signature key set" lists each choice. Tools only: the
 * virtual card may include OpenSSL (docs/architecture.md). */
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "vcard_int.h"

#define T_2024 1704067200L   /* 2024-01-01: fixed dates keep the DER reproducible */
#define T_2050 2524608000L   /* 2050-01-01 */

/* certificatePolicies: 1.3.76.16.6 = AgID "agIDcert" (Determinazione AgID 121/2019,
 * the OID every Italian qualified certificate names [?: section number not read]);
 * 0.4.0.194112.1.2 = QCP-n-qscd (ETSI EN 319 411-2: qualified, natural person, key in
 * a QSCD: a smart card's key is). */
static const char *const ds_policies[] = { "1.3.76.16.6", "0.4.0.194112.1.2" };

/* QCStatements (ETSI EN 319 412-5 4.2, 4.3; id-etsi-qcs = 0.4.0.1862.1), DER:
 *   SEQUENCE {
 *     SEQUENCE { 0.4.0.1862.1.1 }                  QcCompliance: EU qualified
 *     SEQUENCE { 0.4.0.1862.1.4 }                  QcSSCD: private key in a QSCD
 *     SEQUENCE { 0.4.0.1862.1.6 SEQUENCE { 0.4.0.1862.1.6.1 } }   QcType esign
 *     SEQUENCE { 0.4.0.1862.1.5 SEQUENCE { SEQUENCE {             QcPDS: PdsLocation
 *        IA5String "https://carta.invalid/pds/pds-en.pdf", PrintableString "en" } } }
 *   }
 * (EN 319 412-5 4.3.4: one PDS in English; .invalid because it is a test CA.) */
static const uint8_t qc_statements[] = {
	0x30, 0x61, 0x30, 0x08, 0x06, 0x06, 0x04, 0x00, 0x8E, 0x46, 0x01, 0x01, 0x30, 0x08,
	0x06, 0x06, 0x04, 0x00, 0x8E, 0x46, 0x01, 0x04, 0x30, 0x13, 0x06, 0x06, 0x04, 0x00,
	0x8E, 0x46, 0x01, 0x06, 0x30, 0x09, 0x06, 0x07, 0x04, 0x00, 0x8E, 0x46, 0x01, 0x06,
	0x01, 0x30, 0x36, 0x06, 0x06, 0x04, 0x00, 0x8E, 0x46, 0x01, 0x05, 0x30, 0x2C, 0x30,
	0x2A, 0x16, 0x24, 'h',  't',  't',  'p',  's',  ':',  '/',  '/',  'c',  'a',  'r',
	't',  'a',  '.',  'i',  'n',  'v',  'a',  'l',  'i',  'd',  '/',  'p',  'd',  's',
	'/',  'p',  'd',  's',  '-',  'e',  'n',  '.',  'p',  'd',  'f',  0x13, 0x02, 'e',
	'n',
};

/* The CA's private key, through its PEM (the key object is opaque to the vcard). */
static EVP_PKEY *private_of(const struct carta_tk_key *k)
{
	struct carta_buf pem = { 0 };
	EVP_PKEY *p = NULL;
	BIO *b;

	if (carta_tk_key_pem(k, &pem) == CARTA_OK && pem.len <= 0x7FFFFFFF &&
	    (b = BIO_new_mem_buf(pem.p, (int)pem.len)) != NULL) {
		p = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
		BIO_free(b);
	}
	if (pem.p)
		OPENSSL_cleanse(pem.p, pem.len);
	carta_buf_free(&pem);
	return p;
}

static EVP_PKEY *public_of(const struct carta_tk_key *k)
{
	struct carta_buf der = { 0 };
	const unsigned char *q;
	EVP_PKEY *p = NULL;

	if (carta_tk_spki_der(k, &der) == CARTA_OK && der.len <= 0x7FFFFFFF) {
		q = der.p;
		p = d2i_PUBKEY(NULL, &q, (long)der.len);
	}
	carta_buf_free(&der);
	return p;
}

/* Subject of an Italian qualified certificate (Determinazione AgID 121/2019 over
 * ETSI EN 319 412-2 5.1.3): givenName, surname, serialNumber "TINIT-<codice fiscale>"
 * (EN 319 412-1 5.1.3 semantics identifier: TIN, country IT), dnQualifier (an id the CA
 * gives the holder: here the card id), commonName, C=IT. The CN as "GIVEN SURNAME" [?]. */
static int subject(X509_NAME *n, const char *const f[16], const char *card_id)
{
	char sn[40], cn[128];
	const char *fields[] = { "C", "GN", "SN", "serialNumber", "dnQualifier", "CN" };
	const char *vals[] = { "IT", f[4], f[3], sn, card_id, cn };
	size_t i;

	snprintf(sn, sizeof(sn), "TINIT-%s", f[8]);
	snprintf(cn, sizeof(cn), "%s %s", f[4], f[3]);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!X509_NAME_add_entry_by_txt(n, fields[i], MBSTRING_UTF8,
		                                (const unsigned char *)vals[i], -1, -1, 0))
			return 0;
	return 1;
}

static int add_conf(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	int ok = e && X509_add_ext(x, e, -1);

	X509_EXTENSION_free(e);
	return ok;
}

static int add_policies(X509 *x)
{
	CERTIFICATEPOLICIES *pols = CERTIFICATEPOLICIES_new();
	int ok = pols != NULL;

	for (size_t i = 0; ok && i < sizeof(ds_policies) / sizeof(ds_policies[0]); i++) {
		POLICYINFO *pi = POLICYINFO_new();

		ok = pi && (pi->policyid = OBJ_txt2obj(ds_policies[i], 1)) != NULL &&
		     sk_POLICYINFO_push(pols, pi) > 0;
		if (!ok)
			POLICYINFO_free(pi);
	}
	ok = ok && X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT) == 1;
	CERTIFICATEPOLICIES_free(pols);
	return ok;
}

/* extendedKeyUsage id-kp-documentSigning (RFC 9336: "signing human-readable documents")
 * and nothing else, not critical. Why there is one at all: OpenSC's itacns reads the
 * EKU with X509_get_extended_key_usage, which answers "every purpose" (UINT32_MAX) when
 * the extension is absent; it then counts clientAuth and emailProtection in, gives the
 * key UNWRAP/DECRYPT and signs through MSE B8 + PSO DECIPHER (docs/reference/cns.md 1.5
 * "Key-usage mapping", 1.8), which this key refuses. With an EKU that names neither,
 * OpenSC takes the PSO CDS path (1.8). ds_no_eku leaves the extension out. */
static int add_eku(X509 *x)
{
	EXTENDED_KEY_USAGE *eku = sk_ASN1_OBJECT_new_null();
	ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.5.5.7.3.36", 1);
	int ok = eku && o && sk_ASN1_OBJECT_push(eku, o) > 0;

	if (!ok)
		ASN1_OBJECT_free(o);
	ok = ok && X509_add1_ext_i2d(x, NID_ext_key_usage, eku, 0, X509V3_ADD_DEFAULT) == 1;
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	return ok;
}

static int add_qc(X509 *x)
{
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	int ok = os && ASN1_OCTET_STRING_set(os, qc_statements, (int)sizeof(qc_statements));

	if (ok)
		e = X509_EXTENSION_create_by_NID(NULL, NID_qcStatements, 0, os);
	ok = e && X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	return ok;
}

/* keyUsage nonRepudiation only, critical: the qualified-signature key signs documents,
 * never logs in (no digitalSignature, no EKU clientAuth: issue 13; OpenSC maps it to
 * NONREPUDIATION only, docs/reference/cns.md 1.5 "Key-usage mapping"). */
static int extensions(X509 *x, X509 *ca, bool eku)
{
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, ca, x, NULL, NULL, 0);
	return add_conf(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
	       add_conf(x, &ctx, NID_key_usage, "critical,nonRepudiation") &&
	       (!eku || add_eku(x)) && add_policies(x) &&
	       add_conf(x, &ctx, NID_subject_key_identifier, "hash") &&
	       add_conf(x, &ctx, NID_authority_key_identifier, "keyid:always") && add_qc(x);
}

static uint64_t sig_serial(const char *seed, const char *what)
{
	uint8_t h[CARTA_HASH_MAX_LEN] = { 0 };
	char buf[192];
	size_t hl = 0, i;
	uint64_t s = 0;

	snprintf(buf, sizeof(buf), "%s/%s-serial", seed, what);
	carta_digest(CARTA_HASH_SHA256, (const uint8_t *)buf, strlen(buf), h, sizeof(h), &hl);
	for (i = 0; i < 8; i++)
		s = s << 8 | h[i];
	return (s >> 1) | 1;
}

static enum carta_err fill(X509 *x, X509 *ca, EVP_PKEY *pub, EVP_PKEY *cakey,
                           const struct vcard_identity *id, const char *what,
                           const char *const f[16])
{
	ASN1_INTEGER *sn = ASN1_INTEGER_new();
	int ok = sn && ASN1_INTEGER_set_uint64(sn, sig_serial(id->seed, what)) &&
	         X509_set_version(x, 2) && X509_set_serialNumber(x, sn) &&
	         X509_set_issuer_name(x, X509_get_subject_name(ca)) &&
	         subject(X509_get_subject_name(x), f, id->card_id) &&
	         ASN1_TIME_set(X509_getm_notBefore(x), T_2024) &&
	         ASN1_TIME_set(X509_getm_notAfter(x), T_2050) && X509_set_pubkey(x, pub) &&
	         extensions(x, ca, !id->ds_no_eku) && X509_sign(x, cakey, EVP_sha256()) > 0;

	ASN1_INTEGER_free(sn);
	return ok ? CARTA_OK : CARTA_E_CRYPTO;
}

enum carta_err vcard_sig_cert_make(const struct vcard_identity *id,
                                   const struct carta_tk_key *key, const char *what,
                                   const char *const f[16], struct carta_buf *out)
{
	const unsigned char *q = id->ca_der.p;
	X509 *ca = d2i_X509(NULL, &q, (long)id->ca_der.len), *x = X509_new();
	EVP_PKEY *pub = public_of(key), *cakey = private_of(id->ca_key);
	unsigned char *der = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;
	int n;

	if (ca && x && pub && cakey)
		rv = fill(x, ca, pub, cakey, id, what, f);
	if (rv == CARTA_OK) {
		n = i2d_X509(x, &der);
		rv = n > 0 ? carta_buf_set(out, der, (size_t)n) : CARTA_E_CRYPTO;
	}
	OPENSSL_free(der);
	EVP_PKEY_free(pub);
	EVP_PKEY_free(cakey);
	X509_free(x);
	X509_free(ca);
	return rv;
}
