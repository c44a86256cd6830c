/* SPDX-License-Identifier: BSD-3-Clause */
/* A certificate in the card description carries, beside its DER, what front
 * ends show of it (CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER, the CN for a
 * label). The driver that read the certificate parses it once and hands the
 * result here, so no front end parses X.509 again. */
#include <stdlib.h>
#include <string.h>

#include "cards/card.h"
#include "crypto/x509.h"

static enum carta_err copy_buf(const struct carta_buf *b, uint8_t **out, size_t *n)
{
	free(*out);
	*out = NULL;
	*n = 0;
	if (b->len == 0)
		return CARTA_OK;
	*out = malloc(b->len);
	if (!*out)
		return CARTA_E_NOMEM;
	memcpy(*out, b->p, b->len);
	*n = b->len;
	return CARTA_OK;
}

enum carta_err carta_card_cert_names(struct carta_cert *ct, const struct carta_x509 *x)
{
	enum carta_err rv;
	size_t n = strnlen(x->cn, sizeof(ct->cn) - 1);

	rv = copy_buf(&x->subject, &ct->subject, &ct->subject_len);
	if (rv == CARTA_OK)
		rv = copy_buf(&x->issuer, &ct->issuer, &ct->issuer_len);
	if (rv == CARTA_OK)
		rv = copy_buf(&x->serial, &ct->serial, &ct->serial_len);
	memcpy(ct->cn, x->cn, n);
	ct->cn[n] = '\0';
	return rv;
}

void carta_card_cert_free(struct carta_cert *ct)
{
	free(ct->der);
	free(ct->subject);
	free(ct->issuer);
	free(ct->serial);
	memset(ct, 0, sizeof(*ct));
}
