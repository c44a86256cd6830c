/* SPDX-License-Identifier: BSD-3-Clause */
/* The CIE certificate: read from EF 1003 after login (docs/reference/cie.md 8.G3),
 * checked against the SOD, cached, and turned into the description (public
 * key, holder data from the subject: CN = codice fiscale, GN, SN; docs/reference/cie.md 5). */
#include <stdlib.h>
#include <string.h>

#include "cards/cie/cie.h"
#include "crypto/x509.h"
#include "util/log.h"

#define CERT_MAX 8192u
#define DG_CERT 0xa3u

/* "TINIT-<codice fiscale>" is the ETSI EN 319 412-1 form of a tax id. */
static const char *strip_tin(const char *v)
{
	return strncmp(v, "TINIT-", 6) == 0 ? v + 6 : v;
}

/* Truncating copy (the fields are fixed-size; the subject is not ours). */
static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = strnlen(src, cap - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void fill_holder(struct carta_holder *h, const struct carta_x509 *x)
{
	const char *cf = strip_tin(x->cn);

	if (strlen(cf) != 16 && x->serial_number[0])
		cf = strip_tin(x->serial_number);
	copy_str(h->codice_fiscale, sizeof(h->codice_fiscale), cf);
	copy_str(h->given_name, sizeof(h->given_name), x->given_name);
	copy_str(h->surname, sizeof(h->surname), x->surname);
	h->present = h->codice_fiscale[0] || h->given_name[0] || h->surname[0];
}

void carta_cie_desc_cert(struct carta_card *c)
{
	struct carta_cie *s = c->priv;
	struct carta_card_desc *d = &c->desc;
	struct carta_key *k = &d->keys[0];
	struct carta_x509 x;
	enum carta_err rv;

	memset(&x, 0, sizeof(x));
	if (s->cert.len == 0)
		return;
	rv = carta_buf_copy_out(&s->cert, &d->certs[0].der, &d->certs[0].der_len);
	if (rv == CARTA_OK)
		rv = carta_x509_parse(s->cert.p, s->cert.len, &x);
	if (rv == CARTA_OK)
		rv = carta_card_cert_names(&d->certs[0], &x);
	if (rv == CARTA_OK && x.key_type != CARTA_X509_KEY_RSA)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		rv = carta_buf_copy_out(&x.modulus, &k->modulus, &k->modulus_len);
	if (rv == CARTA_OK)
		rv = carta_buf_copy_out(&x.exponent, &k->exponent, &k->exponent_len);
	if (rv == CARTA_OK) {
		k->bits = x.bits;
		fill_holder(&d->holder, &x);
		carta_card_desc_changed(c);
	} else {
		carta_log(CARTA_LOG_ERROR, "CIE: certificate not usable: %s", carta_err_str(rv));
	}
	carta_x509_free(&x);
}

enum carta_err carta_cie_read_cert(struct carta_card *c)
{
	struct carta_cie *s = c->priv;
	struct carta_buf der = { 0 };
	enum carta_err rv, sod;

	rv = carta_cie_read_ef(c, 0x1003, CERT_MAX, true, &der);
	if (rv != CARTA_OK)
		goto out;
	sod = s->sod.len ? carta_cie_sod_check(s->sod.p, s->sod.len, DG_CERT, der.p, der.len)
	                 : CARTA_E_FILE_NOT_FOUND;
	/* read under SM from the authenticated chip: shown either way, but only
	 * a certificate the SOD vouches for is cached (load() would refuse it) */
	if (sod == CARTA_OK)
		(void)carta_cie_cache_store(s->nis, der.p, der.len);
	else
		carta_log(CARTA_LOG_ERROR, "CIE: certificate vs SOD: %s", carta_err_str(sod));
	rv = carta_buf_set(&s->cert, der.p, der.len);
	if (rv == CARTA_OK) {
		s->cert_from_card = true;
		carta_cie_desc_cert(c);
	}
out:
	carta_buf_free(&der);
	return rv;
}
