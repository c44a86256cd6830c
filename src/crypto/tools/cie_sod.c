/* SPDX-License-Identifier: BSD-3-Clause */
/* CMS SignedData for the virtual CIE's SOD, with OpenSSL's CMS API. */
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "crypto/tools/cie_sod.h"
#include "crypto/tools/tk_int.h"

static enum carta_err finish(CMS_ContentInfo *cms, const uint8_t *content, size_t n,
                             struct carta_buf *out)
{
	BIO *in = BIO_new_mem_buf(content, (int)n);
	unsigned char *der = NULL;
	int len;
	enum carta_err e = CARTA_E_CRYPTO;

	if (in == NULL)
		return CARTA_E_NOMEM;
	if (CMS_final(cms, in, NULL, CMS_BINARY) != 1)
		goto out;
	len = i2d_CMS_ContentInfo(cms, &der);
	if (len <= 0)
		goto out;
	e = carta_buf_append(out, der, (size_t)len);
out:
	OPENSSL_free(der);
	BIO_free(in);
	return e;
}

enum carta_err carta_tk_cms_sign(const uint8_t *content, size_t n, const char *econtent_oid,
                                 const uint8_t *cert_der, size_t cert_len,
                                 const struct carta_tk_key *key, struct carta_buf *out)
{
	const unsigned char *cp = cert_der;
	X509 *cert = NULL;
	ASN1_OBJECT *oid = NULL;
	CMS_ContentInfo *cms = NULL;
	enum carta_err e = CARTA_E_CRYPTO;

	if (content == NULL || n == 0 || n > 1u << 20 || econtent_oid == NULL ||
	    cert_der == NULL || cert_len == 0 || cert_len > 1u << 20 || key == NULL || out == NULL)
		return CARTA_E_ARGS;
	cert = d2i_X509(NULL, &cp, (long)cert_len);
	oid = OBJ_txt2obj(econtent_oid, 1);
	if (cert == NULL || oid == NULL)
		goto out;
	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_BINARY);
	if (cms == NULL || CMS_set1_eContentType(cms, oid) != 1)
		goto out;
	if (CMS_add1_signer(cms, cert, key->pk, EVP_sha256(), CMS_BINARY | CMS_NOSMIMECAP) == NULL)
		goto out;
	e = finish(cms, content, n, out);
out:
	CMS_ContentInfo_free(cms);
	ASN1_OBJECT_free(oid);
	X509_free(cert);
	return e;
}
