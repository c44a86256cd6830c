/* SPDX-License-Identifier: BSD-3-Clause */
/* A certificate in the card description carries, beside its DER, what front
 * ends show of it (CKA_SUBJECT, CKA_ISSUER, CKA_SERIAL_NUMBER, the CN for a
 * label). The driver that read the certificate parses it once and hands the
 * result here, so no front end parses X.509 again. */
#include <stdlib.h>
#include <string.h>

#include "cards/card.h"
#include "crypto/x509.h"

enum carta_err carta_card_cert_names(struct carta_cert *ct, const struct carta_x509 *x)
{
	enum carta_err rv;
	size_t n = strnlen(x->cn, sizeof(ct->cn) - 1);

	rv = carta_buf_copy_out(&x->subject, &ct->subject, &ct->subject_len);
	if (rv == CARTA_OK)
		rv = carta_buf_copy_out(&x->issuer, &ct->issuer, &ct->issuer_len);
	if (rv == CARTA_OK)
		rv = carta_buf_copy_out(&x->serial, &ct->serial, &ct->serial_len);
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
