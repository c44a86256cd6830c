/* SPDX-License-Identifier: BSD-3-Clause */
/* PEM output and one-line names for carta-tool (see pem.h). */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/pem.h"

/* Copy what a memory BIO holds into out (appended). */
static enum carta_err bio_take(BIO *b, struct carta_buf *out)
{
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);

	if (n < 0 || !p)
		return CARTA_E_INTERNAL;
	return carta_buf_append(out, (const uint8_t *)p, (size_t)n);
}

enum carta_err carta_pem_cert(const uint8_t *der, size_t n, struct carta_buf *out)
{
	const unsigned char *q = der;
	X509 *x = NULL;
	BIO *b = NULL;
	enum carta_err rv = CARTA_E_PARSE;

	if (!der || !out || n == 0 || n > LONG_MAX)
		return CARTA_E_ARGS;
	x = d2i_X509(NULL, &q, (long)n);
	if (!x || q != der + n)
		goto out;
	rv = CARTA_E_NOMEM;
	b = BIO_new(BIO_s_mem());
	if (!b || PEM_write_bio_X509(b, x) != 1)
		goto out;
	rv = bio_take(b, out);
out:
	BIO_free(b);
	X509_free(x);
	return rv;
}

/* Forward order (as written in the certificate), short names, ", "
 * separators, UTF-8 left unescaped so Italian names print as they are. */
#define NAME_FLAGS (XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | ASN1_STRFLGS_RFC2253 \
                    | XN_FLAG_DUMP_UNKNOWN_FIELDS)
#define NAME_UTF8 (NAME_FLAGS & ~(unsigned long)ASN1_STRFLGS_ESC_MSB)

enum carta_err carta_name_text(const uint8_t *der, size_t n, char *out, size_t cap)
{
	const unsigned char *q = der;
	X509_NAME *name = NULL;
	struct carta_buf text = { 0 };
	BIO *b = NULL;
	enum carta_err rv = CARTA_E_PARSE;

	if (!der || !out || cap == 0 || n == 0 || n > LONG_MAX)
		return CARTA_E_ARGS;
	out[0] = '\0';
	name = d2i_X509_NAME(NULL, &q, (long)n);
	if (!name || q != der + n)
		goto out;
	rv = CARTA_E_NOMEM;
	b = BIO_new(BIO_s_mem());
	if (!b || X509_NAME_print_ex(b, name, 0, NAME_UTF8) < 0)
		goto out;
	rv = bio_take(b, &text);
	if (rv != CARTA_OK)
		goto out;
	if (text.len < cap) {
		memcpy(out, text.p, text.len);
		out[text.len] = '\0';
	} else {
		memcpy(out, text.p, cap - 1);
		out[cap - 1] = '\0';
		rv = CARTA_E_BUFFER_SMALL;
	}
out:
	carta_buf_free(&text);
	BIO_free(b);
	X509_NAME_free(name);
	return rv;
}
