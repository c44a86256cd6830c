/* SPDX-License-Identifier: BSD-3-Clause */
/* The load of a CNS and its key sets (docs/reference/cns.md 1.5): which exist
 * on the card, their certificates, the PINs that guard them, and the DF each
 * one's commands are sent from. */
#include <stdio.h>
#include <string.h>

#include "cards/cns/cns.h"
#include "crypto/x509.h"
#include "util/log.h"

#define CERT_MAX 8192u
#define FIRST_READ 256u
#define ST_FLAG 0x80u              /* docs/reference/cns.md 1.6: "search parents" on STIncard */
#define IC_HEADER 5u               /* Infocamere 1204: 5-byte header, length in bytes 1-2 */

/* Read a certificate: the FCI size may cover padding, the DER header says
 * how much is the certificate. One extended read when allowed. */
static enum carta_err read_der(struct carta_card *c, const struct carta_cns_path *path,
                               struct carta_buf *out)
{
	bool ext = (c->t->flags & CARTA_TF_EXTENDED) != 0;
	size_t total = 0, fsize = 0;
	enum carta_err rv;

	rv = carta_cns_read_ef(c, path, ext ? 0 : FIRST_READ, CERT_MAX, out, &fsize);
	if (rv == CARTA_OK)
		rv = carta_der_total_len(out->p, out->len, &total);
	if (rv == CARTA_OK && (total > CERT_MAX || (fsize && total > fsize)))
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK && total > out->len)
		rv = carta_iso_read(c->t, out->len, total - out->len, CERT_MAX, out);
	if (rv == CARTA_OK && out->len < total)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		out->len = total;
	return rv;
}

/* docs/reference/cns.md 1.5 CNS01: the certificate from offset 5, its length
 * big-endian in bytes 1-2; 00 00 = no certificate. */
static enum carta_err read_headed(struct carta_card *c, const struct carta_cns_path *path,
                                  struct carta_buf *out)
{
	bool ext = (c->t->flags & CARTA_TF_EXTENDED) != 0;
	size_t len, fsize = 0;
	enum carta_err rv;

	rv = carta_cns_read_ef(c, path, ext ? 0 : FIRST_READ, CERT_MAX, out, &fsize);
	if (rv == CARTA_OK && out->len < IC_HEADER)
		rv = CARTA_E_PARSE;
	if (rv != CARTA_OK)
		return rv;
	len = (size_t)out->p[1] << 8 | out->p[2];
	if (len == 0)
		return CARTA_E_FILE_NOT_FOUND;
	if (len > CERT_MAX - IC_HEADER || (fsize && IC_HEADER + len > fsize))
		return CARTA_E_PARSE;
	if (IC_HEADER + len > out->len)
		rv = carta_iso_read(c->t, out->len, IC_HEADER + len - out->len, CERT_MAX, out);
	if (rv == CARTA_OK && out->len < IC_HEADER + len)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK) {
		memmove(out->p, out->p + IC_HEADER, len);
		out->len = len;
	}
	return rv;
}

enum carta_err carta_cns_read_keyset_cert(struct carta_card *c, const struct carta_cns_keyset *ks,
                                          struct carta_buf *der)
{
	struct carta_cns *p = c->priv;
	enum carta_err rv;

	carta_buf_clear(der);
	rv = ks->cert_header ? read_headed(c, &ks->cert, der) : read_der(c, &ks->cert, der);
	/* DF_DS (or 2FFF) is now current: CNS0's objects in the MF need the MF again */
	if (rv == CARTA_OK && ks->key_df.len > 0)
		p->away = true;
	return rv;
}

/* The PIN (and its PUK) of key set ks: the one already described with the
 * same role and reference, else two new entries. Rules of docs/reference/cns.md
 * 1.6 / 3.5 for both PINs (the reference gives none of its own to the
 * signature PIN): PIN 5-8 digits, PUK 8 digits, 3 tries. */
static enum carta_err add_pin(struct carta_card *c, const struct carta_cns_keyset *ks, size_t *idx)
{
	struct carta_cns *p = c->priv;
	struct carta_card_desc *d = &c->desc;
	bool sign = ks->role == CARTA_PIN_ROLE_SIGN;
	struct carta_pin *pin, *puk;
	uint8_t flag = p->st_flag ? ST_FLAG : 0;

	for (size_t i = 0; i < d->n_pins; i++)
		if (d->pins[i].kind == CARTA_PIN_USER && d->pins[i].role == ks->role &&
		    (p->ref[i] & 0x7fu) == ks->pin_ref) {
			*idx = i;
			return CARTA_OK;
		}
	if (d->n_pins + 2 > CARTA_MAX_PINS)
		return CARTA_E_INTERNAL;
	*idx = d->n_pins;
	pin = &d->pins[d->n_pins];
	puk = &d->pins[d->n_pins + 1];
	snprintf(pin->label, sizeof(pin->label), "%s", sign ? "PIN firma" : "PIN");
	pin->kind = CARTA_PIN_USER;
	pin->min_len = 5;
	pin->max_len = 8;
	pin->max_tries = 3;
	pin->unblocked_by = (int)d->n_pins + 1;
	pin->role = ks->role;
	pin->digits_only = true;
	pin->pinpad_ok = true;   /* plain VERIFY / CHANGE / RESET RETRY COUNTER */
	snprintf(puk->label, sizeof(puk->label), "%s", sign ? "PUK firma" : "PUK");
	puk->kind = CARTA_PIN_PUK;
	puk->min_len = 8;
	puk->max_len = 8;
	puk->max_tries = 3;
	puk->unblocked_by = -1;
	puk->role = ks->role;
	puk->digits_only = true;
	puk->pinpad_ok = true;
	p->ref[*idx] = (uint8_t)(ks->pin_ref | flag);
	p->ref[*idx + 1] = (uint8_t)((ks->pin_ref + 1u) | flag);
	p->pin_ks[*idx] = ks;
	p->pin_ks[*idx + 1] = ks;
	d->n_pins += 2;
	return CARTA_OK;
}

enum carta_err carta_cns_add_keyset(struct carta_card *c, const struct carta_cns_keyset *ks,
                                    const struct carta_buf *der)
{
	size_t pin = 0;
	enum carta_err rv;

	rv = add_pin(c, ks, &pin);
	if (rv == CARTA_OK && der)
		rv = carta_cns_describe_key(c, ks, pin, der);
	return rv;
}

/* The first of the layout's CNS0 key sets whose certificate exists
 * (docs/reference/cns.md 1.5: 6A82 skips a key set). The layout's first
 * is where its certificate is (EF_C_Carta, 1.5, 3.3); the others are
 * tolerances. When every one answered 6A82 the first is asked once more: a
 * one-off 6A82 would otherwise leave a token without certificate and key
 * for the life of the card. No extra APDU when a certificate is found. */
static enum carta_err find_auth(struct carta_card *c, struct carta_buf *der,
                                const struct carta_cns_keyset **found)
{
	const struct carta_cns_layout *lay = ((struct carta_cns *)c->priv)->lay;
	enum carta_err rv = CARTA_E_FILE_NOT_FOUND;

	for (size_t i = 0; i < lay->n_keysets && rv == CARTA_E_FILE_NOT_FOUND; i++) {
		*found = lay->keysets[i];
		rv = carta_cns_read_keyset_cert(c, lay->keysets[i], der);
	}
	if (rv == CARTA_E_FILE_NOT_FOUND && lay->n_keysets > 0) {
		carta_log(CARTA_LOG_INFO, "CNS: no certificate in any keyset: asking once more");
		*found = lay->keysets[0];
		rv = carta_cns_read_keyset_cert(c, lay->keysets[0], der);
	}
	if (rv == CARTA_E_FILE_NOT_FOUND && lay->fallback) {
		*found = lay->fallback;
		rv = carta_cns_read_keyset_cert(c, lay->fallback, der);
	}
	return rv;
}

/* The authentication key set: a CNS without certificate keeps its PINs. */
static enum carta_err load_auth(struct carta_card *c)
{
	const struct carta_cns_layout *lay = ((struct carta_cns *)c->priv)->lay;
	const struct carta_cns_keyset *ks = NULL;
	struct carta_buf der;
	enum carta_err rv;

	if (lay->n_keysets == 0)
		return CARTA_OK;
	carta_buf_init(&der);
	rv = find_auth(c, &der, &ks);
	if (rv == CARTA_E_FILE_NOT_FOUND) {
		carta_log(CARTA_LOG_INFO, "CNS: no certificate found");
		rv = carta_cns_add_keyset(c, lay->keysets[0], NULL);
	} else if (rv == CARTA_OK) {
		rv = carta_cns_add_keyset(c, ks, &der);
	}
	carta_buf_free(&der);
	return rv;
}

/* CNS1 is probed first: the CNS0 certificate read after it leaves the card
 * where every earlier version of carta left it (DF 1100), so nothing else
 * changes for the CNS0 key. 6A82, also for a missing DF_DS, = no signature
 * key set; any other refusal fails the load, as it aborts OpenSC's binding
 * (docs/reference/cns.md 1.5 "Other keyset facts"). */
enum carta_err carta_cns_load_keysets(struct carta_card *c)
{
	const struct carta_cns_layout *lay = ((struct carta_cns *)c->priv)->lay;
	struct carta_buf ds;
	bool has_ds = false;
	enum carta_err rv = CARTA_OK;

	carta_buf_init(&ds);
	if (lay->sign) {
		rv = carta_cns_read_keyset_cert(c, lay->sign, &ds);
		has_ds = rv == CARTA_OK;
		if (rv == CARTA_E_FILE_NOT_FOUND)
			rv = CARTA_OK;
		else if (rv != CARTA_OK)
			carta_log(CARTA_LOG_ERROR, "CNS: the signature certificate (DF_DS) answered %s",
			          carta_err_str(rv));
	}
	if (rv == CARTA_OK)
		rv = load_auth(c);
	if (rv == CARTA_OK && has_ds)
		rv = carta_cns_add_keyset(c, lay->sign, &ds);
	carta_buf_free(&ds);
	return rv;
}

/* A key set's PIN and key objects are found from its DF (docs/reference/cns.md
 * 1.5, 1.6: IDEMIA 1400/9002, CNS1 1400/8110, CNS01 2FFF/0000), selected once
 * with P2=0C; the MF's (CNS0 classic) from wherever the load left the card,
 * as before, or from the MF again once a key set's DF was entered (OpenSC
 * works from the MF: its binding ends with SELECT 3F00, 1.5). */
/* Where the MF's objects are found again: the MF, or on a card whose files
 * live under an application (J-Sign over NFC, docs/reference/cns.md 1.13) that
 * application, selected again, which a SELECT 3F00 might leave. */
static enum carta_err go_home(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	enum carta_err rv;

	if (!p->lay->aid)
		return carta_cns_select_mf(c);
	rv = carta_cns_select_app(c);
	if (rv == CARTA_OK)
		p->away = false;
	return rv;
}

enum carta_err carta_cns_enter(struct carta_card *c, const struct carta_cns_keyset *ks)
{
	struct carta_cns *p = c->priv;
	enum carta_err rv;

	if (!ks || p->df_ks == ks)
		return CARTA_OK;
	if (ks->key_df.len == 0)
		return p->away ? go_home(c) : CARTA_OK;
	rv = carta_cns_select(c, &ks->key_df, NULL);
	if (rv == CARTA_OK) {
		p->df_ks = ks;
		p->away = true;
	}
	return rv;
}

enum carta_err carta_cns_load(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	enum carta_err rv;

	if (p->lay->extended)
		c->t->flags |= CARTA_TF_EXTENDED;
	carta_cns_describe(c);
	rv = carta_cns_load_id(c, false);
	if (rv == CARTA_OK)
		rv = carta_cns_load_personal(c);
	if (rv == CARTA_OK)
		rv = carta_cns_load_keysets(c);
	return rv;
}
