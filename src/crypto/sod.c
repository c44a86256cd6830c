/* SPDX-License-Identifier: BSD-3-Clause */
/* EF.SOD parsing (docs/reference/cie.md 2.1, 3.7, 9): OpenSSL reads the CMS
 * SignedData and the hash AlgorithmIdentifier; the LDSSecurityObject
 * (ICAO 9303-10 4.6.2.2) is walked with the TLV reader because real cards
 * encode data-group numbers such as A1 as the one-byte INTEGER 02 01 A1,
 * which a strict DER INTEGER decoder reads as a negative number. */
#include <string.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/secret.h"
#include "crypto/sod.h"
#include "util/tlv.h"

/* id-icao-mrtd-security-ldsSecurityObject (ICAO 9303-10 4.6.2.2) */
#define LDS_OID "2.23.136.1.1.1"

static enum carta_hash hash_of_nid(int nid)
{
	switch (nid) {
	case NID_sha1: return CARTA_HASH_SHA1;
	case NID_sha224: return CARTA_HASH_SHA224;
	case NID_sha256: return CARTA_HASH_SHA256;
	case NID_sha384: return CARTA_HASH_SHA384;
	case NID_sha512: return CARTA_HASH_SHA512;
	default: return CARTA_HASH_NONE;
	}
}

static enum carta_err parse_alg(struct carta_bytes raw, enum carta_hash *h)
{
	const unsigned char *pp = raw.p;
	X509_ALGOR *alg;
	const ASN1_OBJECT *obj = NULL;

	if (raw.len > 1024)
		return CARTA_E_PARSE;
	alg = d2i_X509_ALGOR(NULL, &pp, (long)raw.len);
	if (alg == NULL)
		return CARTA_E_PARSE;
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	*h = hash_of_nid(OBJ_obj2nid(obj));
	X509_ALGOR_free(alg);
	return *h == CARTA_HASH_NONE ? CARTA_E_PARSE : CARTA_OK;
}

/* A small non-negative INTEGER: 02 01 A1 and 02 02 00 A1 both give 0xA1. */
static enum carta_err small_uint(const struct carta_tlv *t, unsigned *v)
{
	const uint8_t *p = t->value.p;
	size_t n = t->value.len;

	if (t->tag != 0x02 || n == 0)
		return CARTA_E_PARSE;
	if (n > 1 && p[0] == 0x00) {
		p++;
		n--;
	}
	if (n > 2)
		return CARTA_E_PARSE;
	*v = n == 2 ? (unsigned)p[0] << 8 | p[1] : p[0];
	return CARTA_OK;
}

static enum carta_err parse_entry(struct carta_bytes in, struct carta_sod *out)
{
	struct carta_tlv num, hash;
	struct carta_sod_entry *e;

	if (out->n == CARTA_SOD_MAX_DG)
		return CARTA_E_RANGE;
	e = &out->e[out->n];
	if (carta_tlv_next(&in, &num) != CARTA_OK || small_uint(&num, &e->dg) != CARTA_OK ||
	    carta_tlv_next(&in, &hash) != CARTA_OK || hash.tag != 0x04 ||
	    hash.value.len != carta_hash_len(out->alg) || in.len != 0)
		return CARTA_E_PARSE;
	memcpy(e->hash, hash.value.p, hash.value.len);
	e->len = hash.value.len;
	out->n++;
	return CARTA_OK;
}

/* LDSSecurityObject ::= SEQUENCE { version INTEGER, hashAlgorithm
 *   AlgorithmIdentifier, dataGroupHashValues SEQUENCE OF DataGroupHash,
 *   ldsVersionInfo OPTIONAL } */
static enum carta_err parse_lds(const uint8_t *p, size_t n, struct carta_sod *out)
{
	struct carta_bytes in = { p, n }, body, list;
	struct carta_tlv t, ver, alg, dgs;
	unsigned v;
	enum carta_err rv;

	if (carta_tlv_next(&in, &t) != CARTA_OK || t.tag != 0x30)
		return CARTA_E_PARSE;
	body = t.value;
	if (carta_tlv_next(&body, &ver) != CARTA_OK || small_uint(&ver, &v) != CARTA_OK ||
	    carta_tlv_next(&body, &alg) != CARTA_OK || alg.tag != 0x30 ||
	    carta_tlv_next(&body, &dgs) != CARTA_OK || dgs.tag != 0x30)
		return CARTA_E_PARSE;
	out->version = (int)v;
	rv = parse_alg(alg.raw, &out->alg);
	list = dgs.value;
	while (rv == CARTA_OK && list.len > 0) {
		rv = carta_tlv_next(&list, &t);
		if (rv == CARTA_OK && t.tag != 0x30)
			rv = CARTA_E_PARSE;
		if (rv == CARTA_OK)
			rv = parse_entry(t.value, out);
	}
	if (rv == CARTA_OK && out->n == 0)
		rv = CARTA_E_PARSE;
	return rv;
}

static CMS_ContentInfo *read_cms(const uint8_t *p, size_t n)
{
	const unsigned char *pp = p;
	struct carta_bytes in = { p, n };
	struct carta_tlv outer;
	CMS_ContentInfo *cms;

	if (n > CARTA_BUF_MAX)
		return NULL;
	cms = d2i_CMS_ContentInfo(NULL, &pp, (long)n);
	if (cms != NULL)
		return cms;
	/* docs/reference/cie.md 2.1: an outer TLV (tag not checked; ICAO uses 77) around it */
	if (carta_tlv_next(&in, &outer) != CARTA_OK)
		return NULL;
	pp = outer.value.p;
	return d2i_CMS_ContentInfo(NULL, &pp, (long)outer.value.len);
}

static bool lds_type(CMS_ContentInfo *cms)
{
	const ASN1_OBJECT *t = CMS_get0_eContentType(cms);
	ASN1_OBJECT *want = OBJ_txt2obj(LDS_OID, 1);
	bool ok = t != NULL && want != NULL && OBJ_cmp(t, want) == 0;

	ASN1_OBJECT_free(want);
	return ok;
}

enum carta_err carta_sod_parse(const uint8_t *p, size_t n, struct carta_sod *out)
{
	CMS_ContentInfo *cms = NULL;
	ASN1_OCTET_STRING **content;
	enum carta_err rv = CARTA_E_PARSE;

	if (!p || !out)
		return CARTA_E_ARGS;
	memset(out, 0, sizeof(*out));
	cms = read_cms(p, n);
	if (cms == NULL || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed || !lds_type(cms))
		goto out;
	content = CMS_get0_content(cms);
	if (content == NULL || *content == NULL)
		goto out;
	rv = parse_lds(ASN1_STRING_get0_data(*content), (size_t)ASN1_STRING_length(*content), out);
	if (rv != CARTA_OK)
		goto out;
	/* Integrity of the SOD itself against its embedded document-signer
	 * certificate; the CSCA chain is not checked (docs/reference/cie.md 3.7: nor by LNX). */
	out->signature_ok = CMS_verify(cms, NULL, NULL, NULL, NULL,
	                               CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1;
out:
	CMS_ContentInfo_free(cms);
	ERR_clear_error();
	if (rv != CARTA_OK)
		memset(out, 0, sizeof(*out));
	return rv;
}

const struct carta_sod_entry *carta_sod_find(const struct carta_sod *s, unsigned dg)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (s->e[i].dg == dg)
			return &s->e[i];
	return NULL;
}

enum carta_err carta_sod_match(const struct carta_sod *s, unsigned dg, const uint8_t *data,
                               size_t n)
{
	const struct carta_sod_entry *e = carta_sod_find(s, dg);
	uint8_t h[CARTA_HASH_MAX_LEN];
	size_t hl = 0;
	enum carta_err rv;

	if (e == NULL)
		return CARTA_E_FILE_NOT_FOUND;
	rv = carta_digest(s->alg, data, n, h, sizeof(h), &hl);
	if (rv != CARTA_OK)
		return rv;
	return hl == e->len && carta_ct_equal(h, e->hash, hl) ? CARTA_OK : CARTA_E_CRYPTO;
}
