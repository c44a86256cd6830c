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

/* A malloc'd copy of the buffer, owned by the desc. */
static enum carta_err take(const struct carta_buf *b, uint8_t **p, size_t *n)
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

/* The qualified-signature key cannot decipher and signs with PSO CDS
 * (docs/reference/cns.md 1.8): KU nonRepudiation gives NONREP|SIGN, never
 * DECRYPT (1.5); and its PIN goes before each signature. */
static void sign_only(struct carta_key *k)
{
	k->usage &= ~(unsigned)CARTA_KU_DECRYPT;
	k->usage |= CARTA_KU_SIGN;
	k->always_auth = true;
}

static enum carta_err fill_key(struct carta_key *k, struct carta_x509 *x,
                               const struct carta_cns_keyset *ks)
{
	enum carta_err rv;

	k->type = x->key_type == CARTA_X509_KEY_EC ? CARTA_KEY_EC : CARTA_KEY_RSA;
	k->bits = x->bits;
	k->usage = key_usage(x);
	if (ks->sign_only)
		sign_only(k);
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
 * IDEMIA 2021, 10 for CNS1): stable across middleware. Labels are the keyset
 * name ("CNS0", "CNS1"), as OpenSC shows them. */
enum carta_err carta_cns_describe_key(struct carta_card *c, const struct carta_cns_keyset *ks,
                                      size_t pin, const struct carta_buf *der)
{
	struct carta_cns *p = c->priv;
	struct carta_card_desc *d = &c->desc;
	struct carta_cert *ct;
	struct carta_key *k;
	struct carta_x509 x;
	enum carta_err rv;

	if (d->n_certs >= CARTA_MAX_CERTS || d->n_keys >= CARTA_MAX_KEYS)
		return CARTA_E_INTERNAL;
	ct = &d->certs[d->n_certs];
	k = &d->keys[d->n_keys];
	rv = carta_x509_parse(der->p, der->len, &x);
	if (rv != CARTA_OK) {
		/* docs/reference/cns.md 1.5: a certificate that does not parse is skipped */
		carta_log(CARTA_LOG_ERROR, "CNS: %s certificate does not parse: %s", ks->label,
		          carta_err_str(rv));
		return CARTA_OK;
	}
	rv = take(der, &ct->der, &ct->der_len);
	if (rv == CARTA_OK)
		rv = carta_card_cert_names(ct, &x);
	if (rv != CARTA_OK)
		goto out;
	ct->id[0] = ks->key_ref;
	ct->id_len = 1;
	snprintf(ct->label, sizeof(ct->label), "%s", ks->label);
	k->id[0] = ks->key_ref;
	k->id_len = 1;
	snprintf(k->label, sizeof(k->label), "%s", ks->label);
	k->cert = (int)d->n_certs;
	k->pin = (int)pin;
	p->key_ks[d->n_keys] = ks;
	d->n_certs++;
	d->n_keys++;
	rv = fill_key(k, &x, ks);
out:
	carta_x509_free(&x);
	return rv;
}
