/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 Diffie-Hellman key agreement and secure-messaging start
 * (docs/reference/cie.md 3.2, 3.4, 8.D, 8.E). Both DH commands are plain. */
#include <string.h>

#include "cards/cie/cie.h"
#include "apdu/sw.h"
#include "crypto/crypto.h"
#include "util/log.h"
#include "util/tlv.h"

#define TAG_70 0x70u
#define TAG_DH 0xbfa101u
#define TAG_A3 0xa3u

void carta_cie_dh_free(struct carta_cie_dh *dh)
{
	carta_buf_free(&dh->puk_ifd);
	carta_buf_free(&dh->puk_icc);
}

/* GET DATA 00 CB 3F FF, case 3 without Le (docs/reference/cie.md 8.A5). */
static enum carta_err get_data(struct carta_card *c, const uint8_t *d, size_t n,
                               struct carta_rapdu *r)
{
	struct carta_apdu a = { 0x00, 0xcb, 0x3f, 0xff, d, n, 0 };

	return carta_cie_tx_ok(c, &a, 0, r);
}

static enum carta_err take(struct carta_bytes in, uint32_t tag, struct carta_buf *out)
{
	struct carta_tlv t;
	enum carta_err rv = carta_tlv_find(in, tag, &t);

	if (rv == CARTA_OK && (t.value.len == 0 || t.value.len > CARTA_CIE_MAX_MOD))
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		rv = carta_buf_set(out, t.value.p, t.value.len);
	return rv == CARTA_E_FILE_NOT_FOUND ? CARTA_E_PARSE : rv;
}

/* 70 { BF A1 01 { A3 { 97 g | 98 p | 99 q } } } (docs/reference/cie.md 3.2, 8.D1) */
static enum carta_err dh_inner(const struct carta_buf *resp, struct carta_bytes *a3)
{
	static const uint32_t path[] = { TAG_70, TAG_DH, TAG_A3 };
	struct carta_tlv t;
	enum carta_err rv = carta_tlv_find_path(carta_buf_view(resp), path, 3, &t);

	if (rv == CARTA_OK)
		*a3 = t.value;
	return rv == CARTA_E_FILE_NOT_FOUND ? CARTA_E_PARSE : rv;
}

/* Gemalto: one command for all three values. */
static enum carta_err dh_params_one(struct carta_card *c)
{
	static const uint8_t cmd[] = { 0x4d, 0x08, 0x70, 0x06, 0xbf, 0xa1, 0x01, 0x02, 0xa3, 0x80 };
	struct carta_cie *s = c->priv;
	struct carta_rapdu r;
	struct carta_bytes a3;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = get_data(c, cmd, sizeof(cmd), &r);
	if (rv == CARTA_OK)
		rv = dh_inner(&r.data, &a3);
	if (rv == CARTA_OK)
		rv = take(a3, 0x97, &s->g);
	if (rv == CARTA_OK)
		rv = take(a3, 0x98, &s->p);
	if (rv == CARTA_OK)
		rv = take(a3, 0x99, &s->q);
	carta_rapdu_free(&r);
	return rv;
}

/* The other chips: one command per value. */
static enum carta_err dh_params_three(struct carta_card *c)
{
	uint8_t cmd[] = { 0x4d, 0x0a, 0x70, 0x08, 0xbf, 0xa1, 0x01, 0x04, 0xa3, 0x02, 0x97, 0x00 };
	struct carta_cie *s = c->priv;
	struct carta_buf *dst[3] = { &s->g, &s->p, &s->q };
	struct carta_rapdu r;
	struct carta_bytes a3;
	enum carta_err rv = CARTA_OK;

	carta_rapdu_init(&r);
	for (uint8_t i = 0; i < 3 && rv == CARTA_OK; i++) {
		cmd[10] = (uint8_t)(0x97 + i);
		rv = get_data(c, cmd, sizeof(cmd), &r);
		if (rv == CARTA_OK)
			rv = dh_inner(&r.data, &a3);
		if (rv == CARTA_OK)
			rv = take(a3, cmd[10], dst[i]);
	}
	carta_rapdu_free(&r);
	return rv;
}

static bool transport_err(enum carta_err rv)
{
	return rv == CARTA_E_TRANSPORT || rv == CARTA_E_CARD_REMOVED || rv == CARTA_E_CARD_RESET ||
	       rv == CARTA_E_TIMEOUT;
}

enum carta_err carta_cie_get_dh_params(struct carta_card *c)
{
	struct carta_cie *s = c->priv;
	bool one = s->chip && s->chip->dh_one_cmd;
	enum carta_err rv;

	rv = one ? dh_params_one(c) : dh_params_three(c);
	/* LNX changed which chips take the single form over time (docs/reference/cie.md 1.1) */
	if (rv != CARTA_OK && !transport_err(rv))
		rv = one ? dh_params_three(c) : dh_params_one(c);
	/* the group is checked before it is kept (docs/reference/cie.md 3.2, 3.4: x < q,
	 * PuK = g^x mod p): a corrupted answer kept here would fail every login
	 * until the process ends */
	if (rv == CARTA_OK)
		rv = carta_dh_group_check(s->g.p, s->g.len, s->p.p, s->p.len, s->q.p, s->q.len);
	if (rv != CARTA_OK)
		carta_cie_forget_params(s);
	s->have_dh = rv == CARTA_OK;
	return rv;
}

/* Nothing read for a failed secure channel is kept: the next login reads
 * the DH and CA parameters again (a few plain APDUs, only after a failure). */
void carta_cie_forget_params(struct carta_cie *s)
{
	carta_buf_free(&s->g);
	carta_buf_free(&s->p);
	carta_buf_free(&s->q);
	carta_buf_free(&s->n_ca);
	carta_buf_free(&s->e_ca);
	s->have_dh = false;
	s->have_ca = false;
}

/* x: len(q) random bytes, 1 < x < q (docs/reference/cie.md 3.4 step 1). */
static enum carta_err make_x(const struct carta_buf *q, struct carta_secret *x)
{
	uint8_t mask = 0;
	enum carta_err rv = CARTA_E_CRYPTO;

	/* keep x[0] within the bit length of q[0] so that most draws are < q */
	while (mask < q->p[0])
		mask = (uint8_t)((unsigned)mask << 1 | 1u);
	for (unsigned i = 0; i < 128; i++) {
		rv = carta_random(x->p, q->len);
		if (rv != CARTA_OK)
			break;
		x->p[0] &= mask;
		x->len = q->len;
		if (carta_bn_cmp(x->p, x->len, q->p, q->len) < 0 &&
		    carta_bn_cmp(x->p, x->len, (const uint8_t *)"\x01", 1) > 0)
			return CARTA_OK;
		rv = CARTA_E_CRYPTO;
	}
	return rv;
}

/* MSE SET KAT: 80 01 9B 83 01 81 91 L PuK.IFD, plain and chained in
 * 255-byte blocks by carta_transmit (docs/reference/cie.md 3.4 step 2, 8.E1). */
static enum carta_err mse_kat(struct carta_card *c, const struct carta_buf *puk)
{
	static const uint8_t head[] = { 0x80, 0x01, 0x9b, 0x83, 0x01, 0x81 };
	struct carta_buf d = { 0 };
	struct carta_apdu a = { 0x00, 0x22, 0x41, 0xa6, NULL, 0, 0 };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = carta_buf_append(&d, head, sizeof(head));
	if (rv == CARTA_OK)
		rv = carta_tlv_put(&d, 0x91, puk->p, puk->len);
	a.data = d.p;
	a.lc = d.len;
	if (rv == CARTA_OK)
		rv = carta_transmit_ok(c->t, &a, 0, &r);
	carta_rapdu_free(&r);
	carta_buf_free(&d);
	return rv;
}

/* GET DATA 4D 04 A6 02 91 00 -> A6 { 91 PuK.ICC } (docs/reference/cie.md 3.4 step 3). */
static enum carta_err icc_public(struct carta_card *c, struct carta_buf *puk)
{
	static const uint8_t cmd[] = { 0x4d, 0x04, 0xa6, 0x02, 0x91, 0x00 };
	static const uint32_t path[] = { 0xa6, 0x91 };
	struct carta_cie *s = c->priv;
	struct carta_rapdu r;
	struct carta_tlv t;
	uint8_t pm1[CARTA_CIE_MAX_MOD];
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = get_data(c, cmd, sizeof(cmd), &r);
	if (rv == CARTA_OK)
		rv = carta_tlv_find_path(carta_buf_view(&r.data), path, 2, &t);
	if (rv == CARTA_E_FILE_NOT_FOUND)
		rv = CARTA_E_PARSE;
	/* 1 < PuK.ICC < p - 1 (p is odd, so p - 1 only changes the last byte) */
	if (rv == CARTA_OK) {
		memcpy(pm1, s->p.p, s->p.len);
		pm1[s->p.len - 1]--;
		if (carta_bn_cmp(t.value.p, t.value.len, pm1, s->p.len) >= 0 ||
		    carta_bn_cmp(t.value.p, t.value.len, (const uint8_t *)"\x01", 1) <= 0)
			rv = CARTA_E_CRYPTO;
	}
	if (rv == CARTA_OK)
		rv = carta_buf_set(puk, t.value.p, t.value.len);
	carta_rapdu_free(&r);
	return rv;
}

/* K = PuK.ICC^x mod p in |p| bytes; K_enc, K_mac = SHA-256(K || 1|2)[0..15];
 * SSC = 00..01 (docs/reference/cie.md 3.4 steps 4-6). */
static enum carta_err start_sm(struct carta_card *c, const struct carta_secret *x,
                               const struct carta_buf *puk_icc)
{
	static const uint8_t ssc[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	struct carta_cie *s = c->priv;
	struct carta_secret *k = NULL, *keys = NULL;
	enum carta_err rv;

	rv = carta_secret_new(s->p.len, &k);
	if (rv == CARTA_OK)
		rv = carta_secret_new(32, &keys);
	if (rv == CARTA_OK)
		rv = carta_modexp(puk_icc->p, puk_icc->len, x->p, x->len, s->p.p, s->p.len, k->p);
	if (rv == CARTA_OK)
		rv = carta_kdf_counter(CARTA_HASH_SHA256, k->p, s->p.len, 1, keys->p, 16);
	if (rv == CARTA_OK)
		rv = carta_kdf_counter(CARTA_HASH_SHA256, k->p, s->p.len, 2, keys->p + 16, 16);
	if (rv == CARTA_OK)
		rv = carta_sm_start(&s->sm, keys->p, keys->p + 16, ssc);
	carta_secret_free(&k);
	carta_secret_free(&keys);
	return rv;
}

enum carta_err carta_cie_dh(struct carta_card *c, struct carta_cie_dh *dh)
{
	struct carta_cie *s = c->priv;
	struct carta_secret *x = NULL;
	enum carta_err rv = CARTA_E_INTERNAL;

	if (!s->have_dh || s->p.len == 0 || s->q.len == 0)
		goto out;
	rv = carta_secret_new(s->q.len, &x);
	if (rv == CARTA_OK)
		rv = make_x(&s->q, x);
	if (rv == CARTA_OK)
		rv = carta_buf_reserve(&dh->puk_ifd, s->p.len);
	if (rv == CARTA_OK)
		rv = carta_modexp(s->g.p, s->g.len, x->p, x->len, s->p.p, s->p.len, dh->puk_ifd.p);
	if (rv == CARTA_OK) {
		dh->puk_ifd.len = s->p.len;   /* left-padded to |p| (docs/reference/cie.md 8.I1) */
		s->card_sm = true;
		rv = mse_kat(c, &dh->puk_ifd);
	}
	if (rv == CARTA_OK)
		rv = icc_public(c, &dh->puk_icc);
	if (rv == CARTA_OK)
		rv = start_sm(c, x, &dh->puk_icc);
out:
	carta_secret_free(&x);
	return rv;
}

/* A plain command sent while the card still has an SM session open from
 * before would land in an undefined state: reset as LNX does (docs/reference/cie.md 5). */
static enum carta_err fresh_card(struct carta_card *c)
{
	struct carta_cie *s = c->priv;

	carta_cie_session_end(s);
	if (carta_card_warm_reset(c) == CARTA_OK) {
		s->selected = false;
		s->card_sm = false;
	}
	return carta_cie_select_apps(c);
}

enum carta_err carta_cie_session_start(struct carta_card *c)
{
	struct carta_cie *s = c->priv;
	struct carta_cie_dh dh = { 0 };
	enum carta_err rv;

	rv = s->card_sm ? fresh_card(c) : carta_cie_select_apps(c);
	if (rv == CARTA_OK && !s->have_dh)
		rv = carta_cie_get_dh_params(c);
	if (rv == CARTA_OK && !s->have_ca)
		rv = carta_cie_get_ca_params(c);
	if (rv == CARTA_OK)
		rv = carta_cie_dh(c, &dh);
	if (rv == CARTA_OK)
		rv = carta_cie_dapp(c, &dh);
	if (rv != CARTA_OK) {
		carta_log(CARTA_LOG_ERROR, "CIE: secure channel failed: %s", carta_err_str(rv));
		carta_cie_session_end(s);
		carta_cie_forget_params(s);
	}
	carta_cie_dh_free(&dh);
	return rv;
}
