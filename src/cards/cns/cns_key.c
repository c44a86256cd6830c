/* SPDX-License-Identifier: BSD-3-Clause */
/* Key and certificate objects of a CNS, described from the certificate. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cards/cns/cns.h"
#include "crypto/x509.h"
#include "util/log.h"

/* docs/reference/cns.md 1.5 key-usage mapping, as the card can really use the key: the CNS
 * auth certificate carries EKU clientAuth (or keyEncipherment), and such a
 * key works with PSO DECIPHER, which is also how it signs (docs/reference/cns.md 1.8). */
static unsigned key_usage(const struct carta_x509 *x)
{
	unsigned u = 0;

	if (!x->has_ku)
		return CARTA_KU_SIGN | CARTA_KU_DECRYPT;
	if (x->ku & CARTA_X509_KU_DIGITAL_SIGNATURE)
		u |= CARTA_KU_SIGN;
	if (x->ku & CARTA_X509_KU_NON_REPUDIATION)
		u |= CARTA_KU_SIGN | CARTA_KU_NONREP;
	if (x->ku & (CARTA_X509_KU_KEY_ENCIPHERMENT | CARTA_X509_KU_KEY_AGREEMENT |
	             CARTA_X509_KU_DATA_ENCIPHERMENT) || x->eku_client_auth || x->eku_email)
		u |= CARTA_KU_DECRYPT;
	if (x->eku_client_auth)
		u |= CARTA_KU_SIGN;
	return u;
}

/* Take the buffer's memory into a malloc'd copy owned by the desc. */
static enum carta_err take(struct carta_buf *b, uint8_t **p, size_t *n)
{
	*p = NULL;
	*n = 0;
	if (b->len == 0)
		return CARTA_OK;
	*p = malloc(b->len);
	if (!*p)
		return CARTA_E_NOMEM;
	memcpy(*p, b->p, b->len);
	*n = b->len;
	return CARTA_OK;
}

static enum carta_err fill_key(struct carta_key *k, struct carta_x509 *x)
{
	enum carta_err rv;

	k->type = x->key_type == CARTA_X509_KEY_EC ? CARTA_KEY_EC : CARTA_KEY_RSA;
	k->bits = x->bits;
	k->usage = key_usage(x);
	/* CNS cards do raw RSA on a host-padded block (docs/reference/cns.md 1.3, 1.8). An EC
	 * key (the virtual card's ec_key option only: no real Italian card is
	 * known to carry one) signs a hash with PSO CDS and cannot decipher. */
	if (k->type == CARTA_KEY_RSA) {
		k->caps = CARTA_KC_RAW_RSA;
	} else {
		k->caps = CARTA_KC_ECDSA;
		k->usage &= ~(unsigned)CARTA_KU_DECRYPT;
	}
	rv = take(&x->modulus, &k->modulus, &k->modulus_len);
	if (rv == CARTA_OK)
		rv = take(&x->exponent, &k->exponent, &k->exponent_len);
	if (rv == CARTA_OK)
		rv = take(&x->ec_params, &k->ec_params, &k->ec_params_len);
	if (rv == CARTA_OK)
		rv = take(&x->ec_point, &k->ec_point, &k->ec_point_len);
	return rv;
}

/* CKA_ID = one byte, the key reference, as OpenSC does (01 for CNS0, 02 on
 * IDEMIA 2021): stable across middleware. Labels are the keyset name
 * ("CNS0"), as OpenSC shows them. */
enum carta_err carta_cns_describe_key(struct carta_card *c, struct carta_buf *der)
{
	struct carta_cns *p = c->priv;
	struct carta_card_desc *d = &c->desc;
	struct carta_cert *ct = &d->certs[0];
	struct carta_key *k = &d->keys[0];
	struct carta_x509 x;
	enum carta_err rv;

	rv = carta_x509_parse(der->p, der->len, &x);
	if (rv != CARTA_OK) {
		/* docs/reference/cns.md 1.5: a certificate that does not parse is skipped */
		carta_log(CARTA_LOG_ERROR, "CNS: certificate does not parse: %s",
		          carta_err_str(rv));
		return CARTA_OK;
	}
	rv = take(der, &ct->der, &ct->der_len);
	if (rv == CARTA_OK)
		rv = carta_card_cert_names(ct, &x);
	if (rv != CARTA_OK)
		goto out;
	ct->id[0] = p->ks->key_ref;
	ct->id_len = 1;
	snprintf(ct->label, sizeof(ct->label), "%s", p->ks->label);
	d->n_certs = 1;
	k->id[0] = p->ks->key_ref;
	k->id_len = 1;
	snprintf(k->label, sizeof(k->label), "%s", p->ks->label);
	k->cert = 0;
	k->pin = 0;
	d->n_keys = 1;
	rv = fill_key(k, &x);
out:
	carta_x509_free(&x);
	return rv;
}
