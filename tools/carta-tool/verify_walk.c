/* SPDX-License-Identifier: BSD-3-Clause */
/* The walk over a signed file. OpenSSL parses (d2i_CMS_ContentInfo) and does
 * every cryptographic check; this file only decides what to check: each
 * SignerInfo of each level, the content each one covers, and when a level's
 * content is itself a SignedData (a .p7m signed again, "p7m.p7m").
 *
 * Per signer (RFC 5652 5.4 and 11; ETSI EN 319 122-1 level B-B):
 *  - the signature over the DER of the signed attributes, or over the
 *    content when there are none (old PKCS#7 .p7m);
 *  - messageDigest against the content's digest with the signer's algorithm;
 *  - signingCertificateV2 (RFC 5035) against the signer's certificate:
 *    OSSL_ESS_check_signing_certs compares the hash and the issuer/serial;
 *  - the signing time inside the certificate's validity;
 *  - with trust anchors, the path at the signing time. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "verify.h"

static void set_err(struct vreport *r, const char *msg)
{
	snprintf(r->err, sizeof(r->err), "%s", msg);
}

/* Base64 .p7m (some offices send them so), with or without PEM armour. */
static uint8_t *unbase64(const uint8_t *in, size_t n, size_t *out_len)
{
	BIO *b64 = BIO_new(BIO_f_base64()), *mem = BIO_new_mem_buf(in, (int)n);
	uint8_t *out = malloc(n + 1);
	const char *begin = "-----BEGIN";
	int got = 0;

	*out_len = 0;
	if (!b64 || !mem || !out || n > INT32_MAX)
		goto fail;
	if (n > strlen(begin) && memcmp(in, begin, strlen(begin)) == 0) {
		const uint8_t *nl = memchr(in, '\n', n);
		if (!nl)
			goto fail;
		BIO_free(mem);
		mem = BIO_new_mem_buf(nl + 1, (int)(n - (size_t)(nl + 1 - in)));
		if (!mem)
			goto fail;
	}
	mem = BIO_push(b64, mem);
	b64 = NULL;
	got = BIO_read(mem, out, (int)n);
	BIO_free_all(mem);
	if (got <= 0) {
		free(out);
		return NULL;
	}
	*out_len = (size_t)got;
	return out;
fail:
	BIO_free(b64);
	BIO_free(mem);
	free(out);
	return NULL;
}

/* A whole SignedData, nothing after it. */
static CMS_ContentInfo *parse_signed(const uint8_t *in, size_t n)
{
	const unsigned char *p = in;
	CMS_ContentInfo *cms;

	if (n < 2 || in[0] != 0x30 || n > LONG_MAX)
		return NULL;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)n);
	if (cms && (p != in + n || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)) {
		CMS_ContentInfo_free(cms);
		cms = NULL;
	}
	ERR_clear_error();
	return cms;
}

static X509 *signer_cert(CMS_SignerInfo *si, STACK_OF(X509) *certs)
{
	for (int i = 0; i < sk_X509_num(certs); i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0)
			return sk_X509_value(certs, i);
	return NULL;
}

static const EVP_MD *signer_md(CMS_SignerInfo *si)
{
	X509_ALGOR *dig = NULL;
	const ASN1_OBJECT *obj = NULL;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	if (!dig)
		return NULL;
	X509_ALGOR_get0(&obj, NULL, NULL, dig);
	return EVP_get_digestbyobj(obj);
}

/* The signed attribute of that NID as one ASN1_TYPE, or NULL. */
static ASN1_TYPE *attr_type(CMS_SignerInfo *si, int nid)
{
	int i = CMS_signed_get_attr_by_NID(si, nid, -1);
	X509_ATTRIBUTE *a = i >= 0 ? CMS_signed_get_attr(si, i) : NULL;

	return a && X509_ATTRIBUTE_count(a) == 1 ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
}

static enum vcheck check_digest(CMS_SignerInfo *si, const EVP_MD *md, const uint8_t *c, size_t n)
{
	ASN1_TYPE *t = attr_type(si, NID_pkcs9_messageDigest);
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int dl = 0;

	if (!t || t->type != V_ASN1_OCTET_STRING)
		return V_ABSENT;
	if (!md || !EVP_Digest(c, n, d, &dl, md, NULL))
		return V_NO;
	return (size_t)ASN1_STRING_length(t->value.octet_string) == dl &&
	       CRYPTO_memcmp(ASN1_STRING_get0_data(t->value.octet_string), d, dl) == 0 ? V_YES : V_NO;
}

/* No signed attributes: the signature covers the content itself. */
static enum vcheck check_plain_sig(CMS_SignerInfo *si, X509 *x, const EVP_MD *md,
                                   const uint8_t *c, size_t n)
{
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	enum vcheck v = V_NO;

	if (ctx && md && EVP_DigestVerifyInit(ctx, NULL, md, NULL, X509_get0_pubkey(x)) == 1 &&
	    EVP_DigestVerify(ctx, ASN1_STRING_get0_data(sig), (size_t)ASN1_STRING_length(sig), c, n) == 1)
		v = V_YES;
	EVP_MD_CTX_free(ctx);
	return v;
}

static enum vcheck check_scv2(CMS_SignerInfo *si, X509 *x)
{
	ASN1_TYPE *t = attr_type(si, NID_id_smime_aa_signingCertificateV2);
	STACK_OF(X509) *chain;
	ESS_SIGNING_CERT_V2 *sc;
	const unsigned char *p;
	enum vcheck v = V_NO;

	if (!t)
		return CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0
		       ? V_NO : V_ABSENT;
	if (t->type != V_ASN1_SEQUENCE)
		return V_NO;
	p = ASN1_STRING_get0_data(t->value.sequence);
	sc = d2i_ESS_SIGNING_CERT_V2(NULL, &p, ASN1_STRING_length(t->value.sequence));
	chain = sk_X509_new_null();
	if (sc && chain && sk_X509_push(chain, x) &&
	    OSSL_ESS_check_signing_certs(NULL, sc, chain, 1) == 1)
		v = V_YES;
	sk_X509_free(chain);
	ESS_SIGNING_CERT_V2_free(sc);
	return v;
}

/* signingTime, as text and as a time_t for the validity and path checks. */
static bool signing_time(CMS_SignerInfo *si, struct vsigner *s, time_t *when)
{
	ASN1_TYPE *t = attr_type(si, NID_pkcs9_signingTime);
	struct tm tm;

	if (!t || (t->type != V_ASN1_UTCTIME && t->type != V_ASN1_GENERALIZEDTIME) ||
	    !ASN1_TIME_to_tm(t->value.utctime, &tm))
		return false;
	*when = timegm(&tm);
	strftime(s->time, sizeof(s->time), "%Y-%m-%d %H:%M:%S UTC", &tm);
	return true;
}

static enum vcheck check_chain(X509_STORE *store, X509 *x, STACK_OF(X509) *certs, bool timed,
                               time_t when, struct vsigner *s)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	enum vcheck v = V_NO;

	if (!ctx || !X509_STORE_CTX_init(ctx, store, x, certs))
		goto out;
	if (timed)
		X509_STORE_CTX_set_time(ctx, 0, when);
	if (X509_verify_cert(ctx) == 1)
		v = V_YES;
	else
		snprintf(s->chain_err, sizeof(s->chain_err), "%s",
		         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
out:
	X509_STORE_CTX_free(ctx);
	return v;
}

static void keep_cert(struct vsigner *s, X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	uint32_t ku = X509_get_key_usage(x);

	if (n > 0) {
		s->cert = malloc((size_t)n);
		if (s->cert) {
			memcpy(s->cert, der, (size_t)n);
			s->cert_len = (size_t)n;
		}
	}
	OPENSSL_free(der);
	/* UINT32_MAX: no keyUsage extension, any use */
	s->nonrep = ku != UINT32_MAX && (ku & KU_NON_REPUDIATION);
	s->digsig = ku == UINT32_MAX || (ku & KU_DIGITAL_SIGNATURE);
}

static void check_signer(CMS_SignerInfo *si, STACK_OF(X509) *certs, const uint8_t *c, size_t n,
                         X509_STORE *store, struct vsigner *s)
{
	X509 *x = signer_cert(si, certs);
	const EVP_MD *md = signer_md(si);
	time_t when = 0;
	bool timed;

	s->sig = s->digest = s->scv2 = s->valid_then = s->chain = V_UNCHECKED;
	if (!x)
		return;
	keep_cert(s, x);
	timed = signing_time(si, s, &when);
	if (CMS_signed_get_attr_count(si) < 0) {
		s->sig = check_plain_sig(si, x, md, c, n);
		s->digest = V_ABSENT;
		s->scv2 = V_ABSENT;
	} else {
		s->attrs = true;
		CMS_SignerInfo_set1_signer_cert(si, x);
		s->sig = CMS_SignerInfo_verify(si) == 1 ? V_YES : V_NO;
		s->digest = check_digest(si, md, c, n);
		s->scv2 = check_scv2(si, x);
	}
	if (timed)
		s->valid_then = X509_cmp_time(X509_get0_notBefore(x), &when) <= 0 &&
		                X509_cmp_time(X509_get0_notAfter(x), &when) >= 0 ? V_YES : V_NO;
	if (store)
		s->chain = check_chain(store, x, certs, timed, when, s);
	ERR_clear_error();
}

/* One level: every signer; *next is the content when it is a SignedData. */
static int walk_level(CMS_ContentInfo *cms, const uint8_t *c, size_t n, X509_STORE *store,
                      struct vreport *r)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	STACK_OF(X509) *certs = CMS_get1_certs(cms);
	int count = sk_CMS_SignerInfo_num(sis);

	if (count <= 0) {
		set_err(r, "no signature in the file");
		sk_X509_pop_free(certs, X509_free);
		return -1;
	}
	for (int i = 0; i < count && r->n < VERIFY_MAX_SIGNERS; i++) {
		struct vsigner *s = &r->s[r->n++];
		memset(s, 0, sizeof(*s));
		s->level = r->levels;
		check_signer(sk_CMS_SignerInfo_value(sis, i), certs, c, n, store, s);
	}
	sk_X509_pop_free(certs, X509_free);
	return 0;
}

static int keep_content(struct vreport *r, const uint8_t *c, size_t n)
{
	r->content = malloc(n ? n : 1);
	if (!r->content) {
		set_err(r, "out of memory");
		return -1;
	}
	memcpy(r->content, c, n);
	r->content_len = n;
	return 0;
}

/* Level by level; a level's content that parses as a SignedData is the next. */
static int walk(CMS_ContentInfo *cms, const uint8_t *detached, size_t dn, X509_STORE *store,
                struct vreport *r)
{
	int rc = -1;

	while (cms) {
		ASN1_OCTET_STRING **pc = CMS_get0_content(cms);
		const uint8_t *c = pc && *pc ? ASN1_STRING_get0_data(*pc) : detached;
		size_t n = pc && *pc ? (size_t)ASN1_STRING_length(*pc) : dn;
		CMS_ContentInfo *next;

		if (r->levels == 0 && !(pc && *pc))
			r->detached = true;
		if (!c) {
			set_err(r, r->levels ? "a nested signature without content"
			                     : "a detached signature: the signed file is needed (--content)");
			break;
		}
		if (walk_level(cms, c, n, store, r) != 0)
			break;
		r->levels++;
		next = r->levels < VERIFY_MAX_LEVELS && !r->detached ? parse_signed(c, n) : NULL;
		if (!next) {
			rc = keep_content(r, c, n);
			break;
		}
		CMS_ContentInfo_free(cms);
		cms = next;
	}
	CMS_ContentInfo_free(cms);
	return rc;
}

int verify_walk(const uint8_t *in, size_t n, const uint8_t *detached, size_t dn,
                X509_STORE *store, struct vreport *r)
{
	uint8_t *dec = NULL;
	size_t dec_len = 0;
	CMS_ContentInfo *cms;
	int rc;

	memset(r, 0, sizeof(*r));
	cms = parse_signed(in, n);
	if (!cms && n > 0 && in[0] != 0x30) {
		dec = unbase64(in, n, &dec_len);
		cms = dec ? parse_signed(dec, dec_len) : NULL;
	}
	if (!cms) {
		set_err(r, "not a CMS signed file (.p7m/.p7s): truncated, damaged or another format");
		free(dec);
		ERR_clear_error();
		return -1;
	}
	rc = walk(cms, detached, dn, store, r);
	free(dec);
	ERR_clear_error();
	return rc;
}

bool verify_intact(const struct vreport *r)
{
	if (r->n == 0)
		return false;
	for (size_t i = 0; i < r->n; i++) {
		const struct vsigner *s = &r->s[i];
		if (s->sig != V_YES || s->scv2 == V_NO)
			return false;
		/* signed attributes without a messageDigest cover nothing */
		if (s->attrs && s->digest != V_YES)
			return false;
	}
	return true;
}

void verify_report_free(struct vreport *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->s[i].cert);
		r->s[i].cert = NULL;
	}
	free(r->content);
	r->content = NULL;
	r->n = 0;
}
