/* SPDX-License-Identifier: BSD-3-Clause */
/* CNS PIN management and private-key operations (docs/reference/cns.md 1.6, 1.8). */
#include <string.h>

#include "apdu/sw.h"
#include "cards/cns/cns.h"
#include "cards/iso7816.h"
#include "cards/pinpad.h"
#include "crypto/crypto.h"
#include "crypto/secret.h"
#include "util/log.h"

#define SE_CNS 0x03u        /* docs/reference/cns.md 1.8 / 3.4: SE restored before every MSE SET */
#define TMPL_SIGN 0xb6u
#define TMPL_DECIPHER 0xb8u
#define MAX_MOD 512u
#define PSO_SHORT_LC 255u   /* above: extended, or chained (ISO/IEC 7816-4 5.1) */
#define PSO_SHORT_LE 256u

/* A PIN's reference and its PUK's (docs/reference/cns.md 1.6). */
static uint8_t pin_ref(const struct carta_card *c, size_t pin)
{
	return ((const struct carta_cns *)c->priv)->ref[pin];
}

/* The DF of the PIN's key set first (IDEMIA 1400/9002, CNS1 1400/8110,
 * docs/reference/cns.md 1.5, 1.6). */
static enum carta_err enter_pin(struct carta_card *c, size_t pin)
{
	return carta_cns_enter(c, ((struct carta_cns *)c->priv)->pin_ks[pin]);
}

/* docs/reference/cns.md 1.6: on ST Incard the 0x80 flag is expected; a card that answers
 * 6A88 (reference not found) to the flagged reference of a user PIN gets
 * the plain one, for the PIN and its PUK: a reference that is not found
 * costs no try. */
static bool drop_flag(struct carta_card *c, size_t pin, uint16_t sw)
{
	struct carta_cns *p = c->priv;
	const struct carta_pin *pn = &c->desc.pins[pin];

	if (pn->kind != CARTA_PIN_USER || !carta_sw_no_ref_data(sw) || !(p->ref[pin] & 0x80u))
		return false;
	carta_log(CARTA_LOG_INFO, "CNS: PIN reference without the 0x80 flag");
	p->ref[pin] &= 0x7fu;
	if (pn->unblocked_by >= 0 && (size_t)pn->unblocked_by < CARTA_MAX_PINS)
		p->ref[pn->unblocked_by] &= 0x7fu;
	return true;
}

/* The empty VERIFY (00 20 00 ref) never spends a try (ISO 7816-4 11.5.6). */
enum carta_err carta_cns_pin_status(struct carta_card *c, size_t pin, struct carta_pin_status *st)
{
	uint16_t sw = 0;
	int tries = -1;
	enum carta_err rv;

	memset(st, 0, sizeof(*st));
	st->tries_left = -1;
	rv = enter_pin(c, pin);
	if (rv != CARTA_OK)
		return rv;
	rv = carta_iso_verify(c->t, pin_ref(c, pin), NULL, 0, &tries, &sw);
	if (rv != CARTA_OK && drop_flag(c, pin, sw))
		rv = carta_iso_verify(c->t, pin_ref(c, pin), NULL, 0, &tries, &sw);
	if (rv == CARTA_OK) {
		st->verified = true;
	} else if (rv == CARTA_E_PIN_BLOCKED) {
		st->blocked = true;
		st->tries_left = 0;
	} else if (rv == CARTA_E_PIN_INCORRECT) {
		st->tries_left = tries;
		st->blocked = tries == 0;
	} else if (sw == 0) {
		return rv;   /* transport failure */
	}
	/* 6A86, 6700, 6D00 ...: the card cannot tell without a try */
	return CARTA_OK;
}

/* The reader's PIN pad builds the same APDU as carta_iso_verify /
 * carta_iso_change / carta_iso_reset_retry from a template (docs/reference/cns.md 1.6):
 * 8 ASCII digits padded with FF per block. `a` is the PIN typed first (the
 * one verified, the old PIN, the PUK), `b` the new PIN of a modify. */
static enum carta_err pad_cmd(struct carta_card *c, uint8_t ins, uint8_t ref,
                              const struct carta_pin *a, const struct carta_pin *b,
                              int *tries_left, uint16_t *sw)
{
	struct carta_pinpad_req r;
	int tries = -1;
	enum carta_err rv;

	carta_pinpad_iso_req(&r, ins != 0x20, ins, ref, a, b);
	rv = carta_pinpad_run(c->t, &r, &tries, sw);
	if (tries_left)
		*tries_left = tries;
	return rv;
}

static enum carta_err verify_any(struct carta_card *c, size_t pin, const uint8_t *v, size_t n,
                                 int *tries_left, uint16_t *sw)
{
	uint8_t ref = pin_ref(c, pin);

	if (!v)
		return pad_cmd(c, 0x20, ref, &c->desc.pins[pin], NULL, tries_left, sw);
	return carta_iso_verify(c->t, ref, v, n, tries_left, sw);
}

enum carta_err carta_cns_verify(struct carta_card *c, size_t pin, const uint8_t *v, size_t n,
                                int *tries_left)
{
	uint16_t sw = 0;
	enum carta_err rv;

	rv = enter_pin(c, pin);
	if (rv != CARTA_OK)
		return rv;
	/* with a PIN pad, a 6A88 on the flagged reference costs a second entry */
	rv = verify_any(c, pin, v, n, tries_left, &sw);
	if (rv != CARTA_OK && drop_flag(c, pin, sw))
		rv = verify_any(c, pin, v, n, tries_left, &sw);
	/* a card that cannot VERIFY its PUK on its own: the front end keeps the
	 * PUK for RESET RETRY COUNTER (C_InitPIN) */
	if (c->desc.pins[pin].kind == CARTA_PIN_PUK && carta_sw_ref_refused(sw))
		rv = CARTA_E_NOT_SUPPORTED;
	return rv;
}

enum carta_err carta_cns_change(struct carta_card *c, size_t pin, const uint8_t *o, size_t on,
                                const uint8_t *nv, size_t nn, int *tries_left)
{
	uint16_t sw = 0;
	enum carta_err rv;

	/* the PUK cannot be changed (docs/reference/cns.md 3.5) */
	if (c->desc.pins[pin].kind != CARTA_PIN_USER)
		return CARTA_E_NOT_SUPPORTED;
	rv = enter_pin(c, pin);
	if (rv == CARTA_OK && !o)
		rv = pad_cmd(c, 0x24, pin_ref(c, pin), &c->desc.pins[pin], NULL, tries_left, &sw);
	else if (rv == CARTA_OK)
		rv = carta_iso_change(c->t, pin_ref(c, pin), o, on, nv, nn, tries_left);
	return rv;
}

enum carta_err carta_cns_unblock(struct carta_card *c, size_t pin, const uint8_t *puk, size_t pn,
                                 const uint8_t *nv, size_t nn, int *tries_left)
{
	const struct carta_pin *pp = &c->desc.pins[pin];
	uint16_t sw = 0;
	enum carta_err rv;

	if (pp->kind != CARTA_PIN_USER || pp->unblocked_by < 0 || (!nv && puk))
		return CARTA_E_NOT_SUPPORTED;
	rv = enter_pin(c, pin);
	/* P2 = the PIN's reference, data PUK8 || newPIN8 (docs/reference/cns.md 1.6); puk
	 * NULL: both typed on the PIN pad */
	if (rv == CARTA_OK && !puk)
		rv = pad_cmd(c, 0x2c, pin_ref(c, pin), &c->desc.pins[pp->unblocked_by], pp,
		             tries_left, &sw);
	else if (rv == CARTA_OK)
		rv = carta_iso_reset_retry(c->t, pin_ref(c, pin), puk, pn, nv, nn, tries_left);
	return rv;
}

/* The CNS has no command that drops a verified PIN: a warm reset does. */
enum carta_err carta_cns_logout(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	enum carta_err rv;

	p->df_ks = NULL;
	p->se_tmpl = 0;
	rv = carta_card_warm_reset(c);
	if (rv == CARTA_OK || rv == CARTA_E_NOT_SUPPORTED)
		rv = carta_cns_reinit(c);
	return rv;
}

/* One private-key operation: the key, the template (sign or decipher) and
 * the block the PSO takes. */
struct pso_req {
	uint8_t tmpl, key;
	bool decipher;
	const uint8_t *blk;
	size_t len, expect;
	uint8_t *out;
};

static enum carta_err pso_once(struct carta_card *c, const struct pso_req *q)
{
	if (q->decipher)
		return carta_iso_pso_decipher(c->t, q->blk, q->len, q->expect, q->out);
	return carta_iso_pso_cds(c->t, q->blk, q->len, q->expect, q->out);
}

/* A 256-byte block (RSA-2048 raw, decipher with its padding byte) goes in
 * one extended APDU; a card that refuses it gets it chained instead. */
static enum carta_err pso(struct carta_card *c, void *arg)
{
	const struct pso_req *q = arg;
	size_t lc = q->decipher ? q->len + 1 : q->len;
	enum carta_err rv = pso_once(c, q);

	if (carta_cns_ext_refused(c, lc > PSO_SHORT_LC || q->expect > PSO_SHORT_LE, rv))
		rv = pso_once(c, q);
	return rv;
}

static enum carta_err set_env(struct carta_card *c, void *arg)
{
	const struct pso_req *q = arg;
	struct carta_cns *p = c->priv;
	enum carta_err rv;

	p->se_tmpl = 0;
	rv = carta_iso_mse_restore(c->t, SE_CNS);
	if (rv == CARTA_OK)
		rv = carta_iso_mse_set(c->t, q->tmpl, q->key);
	if (rv == CARTA_OK) {
		p->se_tmpl = q->tmpl;
		p->se_key = q->key;
	}
	return rv;
}

/* A PSO refused for want of the environment, never for the PIN. */
static bool se_forgotten(struct carta_card *c, enum carta_err rv)
{
	(void)c;
	return rv == CARTA_E_COND_NOT_SATISFIED || rv == CARTA_E_REF_NOT_FOUND ||
	       rv == CARTA_E_WRONG_PARAMS || rv == CARTA_E_DATA_INVALID;
}

static const struct carta_se_ops se_ops = { set_env, pso, se_forgotten };

/* MSE RESTORE + MSE SET + PSO: DECIPHER for keys the card deciphers with
 * (the CNS auth key, docs/reference/cns.md 1.8), CDS for sign-only keys
 * (CNS1: 00 22 F1 B6 03 83 01 10, then 00 2A 9E 9A on the padded block),
 * from the key set's DF. The environment
 * stays set in the card (ISO 7816-4 7.5.11) until a SELECT or a reset
 * (carta_se_run). */
static enum carta_err private_op(struct carta_card *c, const struct carta_key *k, bool decipher,
                                 const uint8_t *blk, size_t len, size_t expect, uint8_t *out)
{
	struct carta_cns *p = c->priv;
	struct pso_req q = { .tmpl = decipher ? TMPL_DECIPHER : TMPL_SIGN, .key = k->id[0],
	                     .decipher = decipher, .blk = blk, .len = len, .expect = expect,
	                     .out = out };
	enum carta_err rv;

	rv = carta_cns_enter(c, p->key_ks[(size_t)(k - c->desc.keys)]);
	if (rv != CARTA_OK)
		return rv;
	return carta_se_run(c, p->se_tmpl == q.tmpl && p->se_key == q.key, &se_ops, &q);
}

static enum carta_err key_len(struct carta_card *c, size_t key, size_t *len)
{
	const struct carta_key *k;

	if (key >= c->desc.n_keys)
		return CARTA_E_ARGS;
	k = &c->desc.keys[key];
	if (k->type != CARTA_KEY_RSA || !(k->caps & CARTA_KC_RAW_RSA))
		return CARTA_E_NOT_SUPPORTED;
	*len = (k->bits + 7) / 8;
	if (*len == 0 || *len > MAX_MOD)
		return CARTA_E_NOT_SUPPORTED;
	return CARTA_OK;
}

/* ECDSA: MSE SET for signing + PSO CDS over the hash; the answer is r||s,
 * each the field size (bits / 8) long. */
static enum carta_err ecdsa_sign(struct carta_card *c, const struct carta_key *k,
                                 const uint8_t *hash, size_t n, uint8_t *out, size_t *outlen)
{
	size_t len = 2 * ((k->bits + 7) / 8);
	enum carta_err rv;

	if (!(k->caps & CARTA_KC_ECDSA) || len == 0 || len > MAX_MOD)
		return CARTA_E_NOT_SUPPORTED;
	if (n == 0 || n > CARTA_HASH_MAX_LEN)
		return CARTA_E_RANGE;
	if (*outlen < len) {
		*outlen = len;
		return CARTA_E_BUFFER_SMALL;
	}
	rv = private_op(c, k, false, hash, n, len, out);
	if (rv == CARTA_OK)
		*outlen = len;
	return rv;
}

enum carta_err carta_cns_sign(struct carta_card *c, size_t key, enum carta_sign_input kind,
                              const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	uint8_t blk[MAX_MOD];
	size_t len = 0;
	enum carta_err rv;

	if (key < c->desc.n_keys && c->desc.keys[key].type == CARTA_KEY_EC)
		return kind == CARTA_SIGN_ECDSA_HASH ?
		       ecdsa_sign(c, &c->desc.keys[key], in, n, out, outlen) : CARTA_E_NOT_SUPPORTED;
	rv = key_len(c, key, &len);
	if (rv != CARTA_OK)
		goto out;
	rv = CARTA_E_BUFFER_SMALL;
	if (*outlen < len) {
		*outlen = len;
		goto out;
	}
	if (kind == CARTA_SIGN_RAW_BLOCK) {
		rv = n == len ? CARTA_OK : CARTA_E_RANGE;
		if (rv == CARTA_OK)
			memcpy(blk, in, n);
	} else if (kind == CARTA_SIGN_PKCS1_DATA) {
		rv = carta_pkcs1_type1_pad(in, n, len, blk);
	} else {
		rv = CARTA_E_NOT_SUPPORTED;
	}
	if (rv != CARTA_OK)
		goto out;
	rv = private_op(c, &c->desc.keys[key], (c->desc.keys[key].usage & CARTA_KU_DECRYPT) != 0,
	                blk, len, len, out);
	if (rv == CARTA_OK)
		*outlen = len;
out:
	carta_wipe(blk, sizeof(blk));
	return rv;
}

enum carta_err carta_cns_decrypt_raw(struct carta_card *c, size_t key, const uint8_t *in,
                                     size_t n, uint8_t *out, size_t *outlen)
{
	size_t len = 0;
	enum carta_err rv;

	rv = key_len(c, key, &len);
	if (rv != CARTA_OK)
		return rv;
	if (!(c->desc.keys[key].usage & CARTA_KU_DECRYPT))
		return CARTA_E_NOT_SUPPORTED;
	if (*outlen < len) {
		*outlen = len;
		return CARTA_E_BUFFER_SMALL;
	}
	if (n != len)
		return CARTA_E_RANGE;
	rv = private_op(c, &c->desc.keys[key], true, in, n, len, out);
	if (rv == CARTA_OK)
		*outlen = len;
	return rv;
}
