/* SPDX-License-Identifier: BSD-3-Clause */
/* CAdES-BES with OpenSSL's CMS API and a key that lives on the card.
 *
 * The signed attributes are those of a CAdES baseline B-B signature (ETSI EN
 * 319 122-1, "CAdES baseline signatures", level B-B): content-type,
 * message-digest, signing-time and signing-certificate-v2 (RFC 5035 ESSCertIDv2
 * over the signer's certificate with SHA-256), the format and the SHA-256
 * digest the Italian rules ask of a .p7m (Deliberazione CNIPA 21 maggio 2009
 * n. 45, as amended by Determinazione DigitPA 69/2010).
 *
 * Why this route: OpenSSL 3.0 signs a SignerInfo only with an EVP_PKEY that
 * holds the private key. A card key would need a custom RSA_METHOD (deprecated
 * in 3.0) or a provider (a few hundred lines of keymgmt and signature
 * dispatch). Instead OpenSSL builds everything (CMS_add1_signer with
 * CMS_PARTIAL | CMS_CADES adds the ESSCertIDv2), carta-tool adds the three
 * other attributes, encodes the attribute SET in DER with OpenSSL's own
 * template (PKCS7_ATTR_SIGN, the same SET OF X509_ATTRIBUTE as CMS's), lets
 * the card sign those bytes through the module and sets the signature value;
 * the encoded file is then checked by the verify walk (OpenSSL again) before
 * anything is written (sign.c). */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include "sign.h"

/* The content of a parsed SignedData, or NULL when detached. */
static const ASN1_OCTET_STRING *econtent(CMS_ContentInfo *cms)
{
	ASN1_OCTET_STRING **p = CMS_get0_content(cms);

	return p ? *p : NULL;
}

/* A new SignedData with no signer yet. CMS_final would refuse it (no
 * signer), so the eContent is set here; a detached one has none
 * (RFC 5652 5.2: eContent absent). */
static CMS_ContentInfo *new_signed_data(const struct cades_req *r)
{
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
	ASN1_OCTET_STRING **pos = cms ? CMS_get0_content(cms) : NULL;

	if (!cms || r->content_len > INT_MAX)
		goto fail;
	if (r->detached)
		return CMS_set_detached(cms, 1) ? cms : NULL;
	if (!pos || !*pos || !ASN1_OCTET_STRING_set(*pos, r->content, (int)r->content_len))
		goto fail;
	/* the content is here, not to be streamed in later */
	(*pos)->flags &= ~ASN1_STRING_FLAG_CONT;
	return cms;
fail:
	CMS_ContentInfo_free(cms);
	return NULL;
}

static CMS_ContentInfo *load_existing(const struct cades_req *r)
{
	const unsigned char *p = r->existing;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)r->existing_len);

	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed ||
	    p != r->existing + r->existing_len) {
		tool_error("%s", _("the file to add a signature to is not a CMS signed file (.p7m/.p7s)"));
		CMS_ContentInfo_free(cms);
		return NULL;
	}
	if (!econtent(cms) && !r->content) {
		tool_error("%s", _("a detached signature (.p7s): give the signed file with --content"));
		CMS_ContentInfo_free(cms);
		return NULL;
	}
	return cms;
}

/* content-type, message-digest and signing-time (RFC 5652 11.1-11.3). */
static bool add_attrs(CMS_ContentInfo *cms, CMS_SignerInfo *si, const uint8_t *c, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	ASN1_TIME *now = X509_gmtime_adj(NULL, 0);
	bool ok = now && EVP_Digest(c, n, md, &md_len, EVP_sha256(), NULL) &&
	          CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT,
	                                      CMS_get0_eContentType(cms), -1) &&
	          CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING,
	                                      md, (int)md_len) &&
	          CMS_signed_add1_attr_by_NID(si, NID_pkcs9_signingTime, now->type, now, -1);

	ASN1_TIME_free(now);
	return ok;
}

/* The DER the signature covers: the attributes as a SET OF, sorted (RFC 5652
 * 5.4: "the DER encoding of the SignedAttributes value"). */
static int attrs_der(CMS_SignerInfo *si, unsigned char **der)
{
	STACK_OF(X509_ATTRIBUTE) *sk = sk_X509_ATTRIBUTE_new_null();
	int n = -1;

	*der = NULL;
	if (!sk)
		return -1;
	for (int i = 0; i < CMS_signed_get_attr_count(si); i++)
		if (!sk_X509_ATTRIBUTE_push(sk, CMS_signed_get_attr(si, i)))
			goto out;
	n = ASN1_item_i2d((ASN1_VALUE *)sk, der, ASN1_ITEM_rptr(PKCS7_ATTR_SIGN));
out:
	sk_X509_ATTRIBUTE_free(sk);  /* the attributes belong to si */
	return n;
}

/* r||s from CKM_ECDSA -> ECDSA-Sig-Value DER (RFC 5753 section 2.1.1). */
static bool ecdsa_der(const uint8_t *rs, size_t n, uint8_t *out, size_t *out_len)
{
	ECDSA_SIG *s = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)(n / 2), NULL), *ss = BN_bin2bn(rs + n / 2, (int)(n / 2), NULL);
	unsigned char *p = NULL;
	int len;
	bool ok = false;

	if (!s || !r || !ss || n % 2 || !ECDSA_SIG_set0(s, r, ss)) {
		BN_free(r);
		BN_free(ss);
		goto out;
	}
	len = i2d_ECDSA_SIG(s, &p);
	if (len > 0 && (size_t)len <= *out_len) {
		memcpy(out, p, (size_t)len);
		*out_len = (size_t)len;
		ok = true;
	}
	OPENSSL_free(p);
out:
	ECDSA_SIG_free(s);
	return ok;
}

/* The card signs the attributes' DER; its signature becomes the SignerInfo's. */
static int card_sign(const struct cades_req *r, CMS_SignerInfo *si)
{
	unsigned char *der = NULL;
	uint8_t sig[1024], raw[512];
	size_t sig_len = sizeof(raw);
	int n = attrs_der(si, &der), rc = TOOL_EX_FAIL;

	if (n <= 0)
		goto out;
	rc = r->sign(r->ctx, der, (size_t)n, raw, &sig_len);
	if (rc != TOOL_EX_OK)
		goto out;
	rc = TOOL_EX_FAIL;
	if (r->ec) {
		size_t rs = sig_len;
		sig_len = sizeof(sig);
		if (!ecdsa_der(raw, rs, sig, &sig_len))
			goto out;
	} else {
		memcpy(sig, raw, sig_len);
	}
	/* Not checked here: CMS_SignerInfo_verify encodes the attributes in
	 * the order they sit in memory (insertion order), while the file holds
	 * them sorted; the caller checks the file as written. */
	if (ASN1_STRING_set(CMS_SignerInfo_get0_signature(si), sig, (int)sig_len))
		rc = TOOL_EX_OK;
out:
	OPENSSL_free(der);
	return rc;
}

/* A parallel signer by the same certificate: it is in the CMS already. */
static bool has_cert(CMS_ContentInfo *cms, X509 *cert)
{
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	bool found = false;

	for (int i = 0; i < sk_X509_num(certs) && !found; i++)
		found = X509_cmp(sk_X509_value(certs, i), cert) == 0;
	sk_X509_pop_free(certs, X509_free);
	return found;
}

static int add_signer(const struct cades_req *r, CMS_ContentInfo *cms, X509 *cert)
{
	const unsigned flags = CMS_PARTIAL | CMS_CADES | CMS_NOSMIMECAP | CMS_BINARY |
	                       (has_cert(cms, cert) ? CMS_NOCERTS : 0u);
	const ASN1_OCTET_STRING *ec = econtent(cms);
	const uint8_t *c = ec ? ASN1_STRING_get0_data(ec) : r->content;
	size_t n = ec ? (size_t)ASN1_STRING_length(ec) : r->content_len;
	/* The public key stands in for the private one: OpenSSL only compares
	 * it with the certificate's, the card does the signing. */
	CMS_SignerInfo *si = CMS_add1_signer(cms, cert, X509_get0_pubkey(cert), EVP_sha256(), flags);

	if (!si || !add_attrs(cms, si, c, n))
		return TOOL_EX_FAIL;
	return card_sign(r, si);
}

int sign_cades(const struct cades_req *r, uint8_t **out, size_t *out_len)
{
	const unsigned char *p = r->cert;
	X509 *cert = d2i_X509(NULL, &p, (long)r->cert_len);
	CMS_ContentInfo *cms = NULL;
	unsigned char *der = NULL;
	int len, rc = TOOL_EX_FAIL;

	*out = NULL;
	*out_len = 0;
	if (!cert) {
		tool_error("%s", _("the card's certificate cannot be read"));
		goto out;
	}
	cms = r->existing ? load_existing(r) : new_signed_data(r);
	if (!cms)
		goto out;
	rc = add_signer(r, cms, cert);
	if (rc != TOOL_EX_OK)
		goto out;
	len = i2d_CMS_ContentInfo(cms, &der);
	rc = TOOL_EX_FAIL;
	if (len <= 0)
		goto out;
	*out = der;
	*out_len = (size_t)len;
	rc = TOOL_EX_OK;
out:
	if (rc != TOOL_EX_OK && ERR_peek_error())
		tool_error("OpenSSL: %s", ERR_error_string(ERR_get_error(), NULL));
	ERR_clear_error();
	CMS_ContentInfo_free(cms);
	X509_free(cert);
	return rc;
}
