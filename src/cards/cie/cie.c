/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 driver (docs/reference/cie.md): recognition, what is public (NIS, SN.ICC,
 * chip keys, SOD), the description, logout and reset handling. The secure
 * channel is in cie_dh.c / cie_dapp.c, PINs in cie_pin.c, signing in
 * cie_sign.c, the certificate cache in cie_cache.c.
 *
 * Objects: one RSA-2048 key and its certificate with CKA_ID "CIE0"
 * (43 49 45 30), the id the official middleware uses (docs/reference/cie.md 5), so that an
 * application that remembered the key by id finds it again with carta. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cards/cie/cie.h"
#include "crypto/x509.h"
#include "util/log.h"
#include "util/tlv.h"

#define FILE_MAX 16384u
#define SN_ICC_MAX 64u
#define DG_NIS 0xa1u
#define DG_KPUB82 0xa4u
#define DG_KPUB83 0xa5u

static const uint8_t key_id[4] = { 'C', 'I', 'E', '0' };

/* A NIS that is not 12 digits, read from a card that took both CIE selects,
 * is a corrupted answer, not another card: asked again at the next call. */
static enum carta_err nis_read(struct carta_transport *t, char nis[CARTA_CIE_NIS_LEN + 1])
{
	enum carta_err rv = carta_cie_read_nis(t, nis);

	return rv == CARTA_E_CARD_UNKNOWN ? CARTA_E_PARSE : rv;
}

/* Probe (docs/reference/cie.md 1.2, 2.1): the CIE application must answer the IAS select
 * (per family, with the fallback), the DF_CIE select and give a 12-digit NIS.
 * A CNS applet on the shared bare NFC ATR fails the DF_CIE select (6A82): a
 * definite "not mine"; 6F00, a removed card or a malformed answer is not
 * (carta_card_probe_verdict). */
static enum carta_err probe(struct carta_card *c)
{
	const struct carta_cie_chip *chip = carta_cie_chip_for_atr(c->t->atr, c->t->atr_len);
	char nis[CARTA_CIE_NIS_LEN + 1];
	enum carta_err rv;

	if (!chip)
		return CARTA_E_CARD_UNKNOWN;
	rv = carta_cie_select_ias(c->t, chip);
	if (rv == CARTA_OK)
		rv = carta_cie_select_cie(c->t);
	if (rv == CARTA_OK)
		rv = nis_read(c->t, nis);
	return carta_card_probe_verdict(rv);
}

/* EF 1004: SEQUENCE { INTEGER n, INTEGER e } (docs/reference/cie.md 8.C3); a
 * SubjectPublicKeyInfo is taken as well. */
static enum carta_err parse_kpub(const struct carta_buf *raw, struct carta_buf *n,
                                 struct carta_buf *e)
{
	struct carta_bytes in = carta_buf_view(raw), body;
	struct carta_tlv seq, a, b;
	enum carta_err rv = CARTA_E_PARSE;

	if (carta_tlv_next(&in, &seq) != CARTA_OK || seq.tag != 0x30)
		return rv;
	body = seq.value;
	if (carta_tlv_next(&body, &a) != CARTA_OK || carta_tlv_next(&body, &b) != CARTA_OK)
		return rv;
	if (a.tag == 0x30 && b.tag == 0x03 && b.value.len > 1) {
		struct carta_buf inner = { (uint8_t *)b.value.p + 1, b.value.len - 1, 0 };

		return parse_kpub(&inner, n, e);
	}
	if (a.tag != 0x02 || b.tag != 0x02)
		return rv;
	while (a.value.len > 0 && a.value.p[0] == 0) {
		a.value.p++;
		a.value.len--;
	}
	if (a.value.len < 64 || a.value.len > CARTA_CIE_MAX_MOD || b.value.len == 0)
		return rv;
	rv = carta_buf_set(n, a.value.p, a.value.len);
	if (rv == CARTA_OK)
		rv = carta_buf_set(e, b.value.p, b.value.len);
	return rv;
}

/* The SOD is checked against what was read in plain; a mismatch is logged
 * (LNX only prints it for the older SOD profile, docs/reference/cie.md 3.7). */
static void sod_note(const struct carta_cie *s, unsigned dg, const uint8_t *p, size_t n)
{
	enum carta_err rv = carta_cie_sod_check(s->sod.p, s->sod.len, dg, p, n);

	if (rv != CARTA_OK)
		carta_log(CARTA_LOG_ERROR, "CIE: SOD entry %02X: %s", dg, carta_err_str(rv));
}

/* Plain reads (docs/reference/cie.md 2.3 / 8.H): SN.ICC under the IAS application, then
 * the NIS, the chip keys and the SOD under DF_CIE. */
static enum carta_err read_public(struct carta_card *c)
{
	struct carta_cie *s = c->priv;
	struct carta_buf k82 = { 0 };
	enum carta_err rv;

	rv = carta_cie_select_ias(c->t, s->chip);
	/* docs/reference/cie.md 2.1: D003 is [single source]: a card without it is still a CIE */
	if (rv == CARTA_OK && carta_cie_read_ef(c, 0xd003, SN_ICC_MAX, false, &s->sn_icc) != CARTA_OK)
		carta_buf_clear(&s->sn_icc);
	if (rv == CARTA_OK)
		rv = carta_cie_select_cie(c->t);
	if (rv == CARTA_OK)
		rv = nis_read(c->t, s->nis);
	if (rv == CARTA_OK)
		rv = carta_cie_read_ef(c, 0x1004, FILE_MAX, true, &k82);
	if (rv == CARTA_OK)
		rv = parse_kpub(&k82, &s->n82, &s->e82);
	if (rv == CARTA_OK && carta_cie_read_ef(c, 0x1005, FILE_MAX, true, &s->kpub83) != CARTA_OK)
		carta_buf_clear(&s->kpub83);
	if (rv == CARTA_OK && carta_cie_read_ef(c, 0x1006, FILE_MAX, false, &s->sod) != CARTA_OK)
		carta_buf_clear(&s->sod);
	if (rv == CARTA_OK && s->sod.len > 0) {
		sod_note(s, DG_NIS, (const uint8_t *)s->nis, CARTA_CIE_NIS_LEN);
		sod_note(s, DG_KPUB82, k82.p, k82.len);
		if (s->kpub83.len > 0)
			sod_note(s, DG_KPUB83, s->kpub83.p, s->kpub83.len);
	}
	s->selected = rv == CARTA_OK;
	carta_buf_free(&k82);
	return rv;
}

static void fill_pins(struct carta_card_desc *d)
{
	/* docs/reference/cie.md 4: 8 digits each; PIN blocked after 3 tries, PUK after 10.
	 * pinpad_ok false: PIN commands go under SM, no pad can build them. */
	struct carta_pin pin = { .label = "PIN", .kind = CARTA_PIN_USER, .min_len = 8, .max_len = 8,
	                         .max_tries = 3, .unblocked_by = 1, .role = CARTA_PIN_ROLE_AUTH,
	                         .digits_only = true, .pinpad_ok = false };
	struct carta_pin puk = { .label = "PUK", .kind = CARTA_PIN_PUK, .min_len = 8, .max_len = 8,
	                         .max_tries = 10, .unblocked_by = -1, .digits_only = true,
	                         .pinpad_ok = false };

	d->pins[0] = pin;
	d->pins[1] = puk;
	d->n_pins = 2;
}

static void fill_desc(struct carta_card *c)
{
	struct carta_cie *s = c->priv;
	struct carta_card_desc *d = &c->desc;
	struct carta_key *k = &d->keys[0];

	snprintf(d->family, sizeof(d->family), "CIE 3.0 (%s)", s->chip->name);
	/* The token's name must not change at login, yet the holder's name is in
	 * the certificate the CIE shows only after the PIN (docs/reference/cie.md
	 * 2.3, 8.G3): a label from it would differ before and after the first
	 * login, and between processes with and without the cache. The NIS is
	 * read in plain at every open (docs/reference/cie.md 2.1): the same label
	 * in every process, one per card (two CIEs in two readers stay apart),
	 * and what the official middleware puts after "CIE" on Windows
	 * (docs/reference/cie.md 5, token label), so a user recognises it. */
	snprintf(d->label, sizeof(d->label), "CIE %s", s->nis);
	snprintf(d->serial, sizeof(d->serial), "%s", s->nis);
	snprintf(d->manufacturer, sizeof(d->manufacturer), "IC: %s; IAS-ECC", s->chip->name);
	snprintf(d->model, sizeof(d->model), "CIE 3.0");
	fill_pins(d);
	memcpy(k->id, key_id, sizeof(key_id));
	k->id_len = sizeof(key_id);
	snprintf(k->label, sizeof(k->label), "CIE0");
	k->type = CARTA_KEY_RSA;
	k->bits = 2048;
	k->usage = CARTA_KU_SIGN;
	k->caps = CARTA_KC_CARD_PADS;
	k->cert = 0;
	k->pin = 0;
	d->n_keys = 1;
	memcpy(d->certs[0].id, key_id, sizeof(key_id));
	d->certs[0].id_len = sizeof(key_id);
	snprintf(d->certs[0].label, sizeof(d->certs[0].label), "CIE0");
	d->n_certs = 1;   /* der stays NULL until the certificate is known */
}

static enum carta_err load(struct carta_card *c)
{
	struct carta_cie *s;
	enum carta_err rv = CARTA_E_NOMEM;

	s = calloc(1, sizeof(*s));
	if (!s)
		goto out;
	c->priv = s;
	s->tries_mem[0] = s->tries_mem[1] = -1;
	rv = CARTA_E_CARD_UNKNOWN;
	s->chip = carta_cie_chip_for_atr(c->t->atr, c->t->atr_len);
	if (!s->chip)
		goto out;
	rv = read_public(c);
	if (rv != CARTA_OK)
		goto out;
	fill_desc(c);
	if (s->sod.len > 0 && carta_cie_cache_load(s->nis, s->sod.p, s->sod.len, &s->cert) ==
	                      CARTA_OK)
		carta_cie_desc_cert(c);
	carta_log(CARTA_LOG_INFO, "CIE: %s, NIS %s, certificate %s", c->desc.family, s->nis,
	          s->cert.len ? "from the cache" : "after login");
out:
	return rv;
}

static enum carta_err pin_status(struct carta_card *c, size_t pin, struct carta_pin_status *st)
{
	struct carta_cie *s = c->priv;
	int tries;

	if (pin > 1)
		return CARTA_E_ARGS;
	/* docs/reference/cie.md 4: no CIE source reads the counters without spending a try;
	 * the tries left are known only from what a wrong PIN was answered
	 * earlier (63Cx, 6983, 63C0), kept in cie_cache.c: no APDU here */
	tries = s->tries_mem[pin] >= 0 ? s->tries_mem[pin] : carta_cie_tries_seen(s->nis, pin);
	st->blocked = tries == 0 || (pin == 0 && carta_cie_blocked_seen(s->nis));
	st->tries_left = st->blocked ? 0 : tries;
	st->verified = s->sm.active && (pin == 0 ? s->pin_verified : s->puk_verified);
	return CARTA_OK;
}

/* This application's logout (card.h carta_card_logout_own): the SM keys
 * are wiped, and the PIN verified under them is of no use to anyone: every
 * command that needs it must come under this session (docs/reference/cie.md
 * 8.G2), and another application's key agreement replaces the session on the
 * card. No reset: the other applications keep their logins. The card still
 * holds the dead session, as it does whenever another application starts
 * its own; a new key agreement replaces it, so the next session here needs
 * no reset either. */
static enum carta_err logout_own(struct carta_card *c)
{
	struct carta_cie *s = c->priv;

	carta_cie_session_end(s);
	s->card_sm = false;
	return CARTA_OK;
}

/* End the session and warm-reset: the card forgets the PIN (docs/reference/cie.md 8). */
static enum carta_err logout(struct carta_card *c)
{
	struct carta_cie *s = c->priv;
	enum carta_err rv;

	carta_cie_session_end(s);
	rv = carta_card_warm_reset(c);
	if (rv == CARTA_E_NOT_SUPPORTED)
		rv = CARTA_OK;
	s->selected = false;
	s->card_sm = false;
	return rv;
}

/* Someone else reset the card: the SM session and the PIN state are gone,
 * and whoever reset it may have verified the PIN since (a full counter):
 * the tries this process saw are no longer evidence. */
static enum carta_err reinit(struct carta_card *c)
{
	struct carta_cie *s = c->priv;

	carta_cie_session_end(s);
	s->tries_mem[0] = s->tries_mem[1] = -1;
	s->selected = false;
	s->card_sm = false;
	return carta_cie_select_apps(c);
}

static void release(struct carta_card *c)
{
	struct carta_cie *s = c->priv;

	if (!s)
		return;
	carta_cie_session_end(s);
	carta_buf_free(&s->sn_icc);
	carta_buf_free(&s->n82);
	carta_buf_free(&s->e82);
	carta_buf_free(&s->kpub83);
	carta_buf_free(&s->sod);
	carta_buf_free(&s->g);
	carta_buf_free(&s->p);
	carta_buf_free(&s->q);
	carta_buf_free(&s->n_ca);
	carta_buf_free(&s->e_ca);
	carta_buf_free(&s->cert);
	free(s);
	c->priv = NULL;
}

const struct carta_card_driver carta_cie_driver = {
	.name = "cie",
	.atrs = carta_cie_atrs,
	.match = carta_cie_match,
	.probe = probe,
	.load = load,
	.pin_status = pin_status,
	.verify = carta_cie_verify,
	.change = carta_cie_change,
	.unblock = carta_cie_unblock,
	.logout = logout,
	.logout_own = logout_own,
	.sign = carta_cie_sign,
	.decrypt_raw = NULL,
	.reinit = reinit,
	.release = release,
};
