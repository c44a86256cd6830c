/* SPDX-License-Identifier: BSD-3-Clause */
/* CNS / TS-CNS shared logic: selecting, reading what is public once at open
 * (docs/reference/cns.md 1.4, 1.5, 1.9, 1.10, 3.3) and describing keys and PINs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cards/cns/cns.h"
#include "cards/iso7816.h"
#include "cards/cns/personal.h"
#include "crypto/x509.h"
#include "util/log.h"

#define PIN_REF 0x10u
#define PUK_REF 0x11u
#define ST_FLAG 0x80u              /* docs/reference/cns.md 1.6: "search parents" on STIncard */
#define MASK_STINCARD 0x09u
#define ID_FILE_MAX 64u
#define PERSONAL_MAX 1200u         /* 400 on CNS; CIE-sized files at most 04B0 */
#define CERT_MAX 8192u
#define FIRST_READ 256u
#define SHORT_LE_MAX 256u

enum carta_err carta_cns_attach(struct carta_card *c, const struct carta_cns_layout *lay)
{
	struct carta_cns *p = c->priv;
	const uint8_t *h = carta_cns_hist_any(c->t->atr, c->t->atr_len);

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return CARTA_E_NOMEM;
		c->priv = p;
	}
	p->lay = lay;
	p->pin_ref = PIN_REF;
	p->puk_ref = PUK_REF;
	if (h && h[3] == MASK_STINCARD) {
		p->pin_ref |= ST_FLAG;
		p->puk_ref |= ST_FLAG;
	}
	return CARTA_OK;
}

void carta_cns_release(struct carta_card *c)
{
	free(c->priv);
	c->priv = NULL;
}

enum carta_err carta_cns_select(struct carta_card *c, const struct carta_cns_path *path,
                                struct carta_fci *fci)
{
	struct carta_cns *p = c->priv;

	p->key_df_current = false;
	p->se_tmpl = 0;
	return carta_iso_select(c->t, p->lay->sel_p1, path->b, path->len, fci);
}

enum carta_err carta_cns_select_app(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	struct carta_fci fci;
	enum carta_err rv;

	p->se_tmpl = 0;
	if (!p->lay->aid)
		return CARTA_OK;
	p->key_df_current = false;
	rv = carta_iso_select(c->t, CARTA_SEL_AID, p->lay->aid, p->lay->aid_len, &fci);
	/* the application's FCI is not needed: a well-answered 9000 is enough */
	return rv == CARTA_E_PARSE ? CARTA_OK : rv;
}

enum carta_err carta_cns_reinit(struct carta_card *c)
{
	struct carta_cns *p = c->priv;

	p->key_df_current = false;
	p->se_tmpl = 0;
	return carta_cns_select_app(c);
}

/* docs/reference/cns.md 1.3: a CNS 1.1 card takes extended APDUs, yet some
 * lots answer one with 6700 or 6D00. `needed`: the command was extended only
 * because the flag allowed it. Then short APDUs from now on, for this card
 * (the flag lives with its transport): no extra APDU on later operations. */
bool carta_cns_ext_refused(struct carta_card *c, bool needed, enum carta_err rv)
{
	if (!needed || !(c->t->flags & CARTA_TF_EXTENDED) ||
	    (rv != CARTA_E_WRONG_LENGTH && rv != CARTA_E_INS_NOT_SUPPORTED))
		return false;
	carta_log(CARTA_LOG_INFO, "CNS: extended APDU refused (%s): short APDUs from now on",
	          carta_err_str(rv));
	c->t->flags &= ~CARTA_TF_EXTENDED;
	return true;
}

/* Select an EF and read `want` bytes of it (0 = what the FCI says, or up
 * to max). */
static enum carta_err read_ef(struct carta_card *c, const struct carta_cns_path *path,
                              size_t want, size_t max, struct carta_buf *out, size_t *fsize)
{
	struct carta_fci fci;
	enum carta_err rv;

	rv = carta_cns_select(c, path, &fci);
	if (rv != CARTA_OK)
		return rv;
	*fsize = fci.has_size ? fci.size : 0;
	if (fci.has_size && fci.size > max)
		return CARTA_E_PARSE;
	if (want == 0 || (fci.has_size && want > fci.size))
		want = fci.has_size ? fci.size : 0;
	rv = carta_iso_read(c->t, 0, want, max, out);
	/* an extended read is one READ BINARY, so nothing was appended */
	if (carta_cns_ext_refused(c, want == 0 || want > SHORT_LE_MAX, rv))
		rv = carta_iso_read(c->t, 0, want, max, out);
	return rv;
}

static bool all_digits(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

static bool bcd_to_digits(const uint8_t *p, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		if ((p[i] >> 4) > 9 || (p[i] & 0x0f) > 9)
			return false;
		out[2 * i] = (char)('0' + (p[i] >> 4));
		out[2 * i + 1] = (char)('0' + (p[i] & 0x0f));
	}
	return true;
}

/* docs/reference/cns.md 1.10: 16 ASCII digits. The applet's D003 (10 bytes) holds the id
 * as 8 BCD bytes from offset 2 (docs/reference/cns.md 2.4 [?]): accept both encodings. */
enum carta_err carta_cns_card_id(const uint8_t *p, size_t n, bool bcd, char out[17])
{
	out[0] = '\0';
	if (n == 16 && all_digits(p, 16)) {
		memcpy(out, p, 16);
	} else if (bcd && n == 10 && bcd_to_digits(p + 2, 8, out)) {
		/* done */
	} else if (bcd && n == 8 && bcd_to_digits(p, 8, out)) {
		/* done */
	} else {
		return CARTA_E_PARSE;
	}
	out[16] = '\0';
	return CARTA_OK;
}

static enum carta_err load_id(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	struct carta_buf b;
	size_t fsize;
	enum carta_err rv;

	carta_buf_init(&b);
	rv = read_ef(c, &p->lay->id, 0, ID_FILE_MAX, &b, &fsize);
	/* without EF_ID_Carta this is not a CNS of this layout (docs/reference/cns.md 1.5):
	 * a refused SELECT says so; 6F00, a malformed or lost answer does not */
	rv = carta_card_probe_verdict(rv);
	if (rv == CARTA_OK)
		rv = carta_cns_card_id(b.p, b.len, p->lay->id_bcd, c->desc.serial);
	carta_buf_free(&b);
	return rv;
}

/* Read only what the header announces (the file is 400 bytes, zero padded).
 * Missing or malformed holder data is tolerated; a lost or 6F00 answer fails
 * the load, to be read again at the next call: the token's name is chosen
 * once, from the holder's name (carta_card_try_driver). */
static enum carta_err load_personal(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	struct carta_buf b;
	size_t need = 0, fsize = 0;
	enum carta_err rv;

	carta_buf_init(&b);
	rv = read_ef(c, &p->lay->personal, FIRST_READ, PERSONAL_MAX, &b, &fsize);
	if (rv == CARTA_OK)
		rv = carta_personal_needed(b.p, b.len, &need);
	if (rv == CARTA_OK && need > b.len) {
		if (need > PERSONAL_MAX || (fsize && need > fsize))
			rv = CARTA_E_PARSE;
		else
			rv = carta_iso_read(c->t, b.len, need - b.len, PERSONAL_MAX, &b);
	}
	if (rv == CARTA_OK)
		rv = carta_personal_parse(b.p, b.len, &c->desc.holder);
	/* the holder data is optional (OpenSC keeps a generic label too,
	 * docs/reference/cns.md 1.5) */
	if (rv != CARTA_OK)
		carta_log(CARTA_LOG_INFO, "EF_Dati_personali not usable: %s", carta_err_str(rv));
	carta_buf_free(&b);
	return carta_card_err_transient(rv) ? rv : CARTA_OK;
}

/* Read a certificate: the FCI size may cover padding, the DER header says
 * how much is the certificate. One extended read when allowed. */
static enum carta_err read_cert(struct carta_card *c, const struct carta_cns_path *path,
                                struct carta_buf *out)
{
	bool ext = (c->t->flags & CARTA_TF_EXTENDED) != 0;
	size_t total = 0, fsize = 0;
	enum carta_err rv;

	rv = read_ef(c, path, ext ? 0 : FIRST_READ, CERT_MAX, out, &fsize);
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

static enum carta_err try_keyset(struct carta_card *c, size_t i, struct carta_buf *der)
{
	struct carta_cns *p = c->priv;
	enum carta_err rv;

	carta_buf_clear(der);
	rv = read_cert(c, &p->lay->keysets[i]->cert, der);
	if (rv == CARTA_OK)
		p->ks = p->lay->keysets[i];
	return rv;
}

/* First keyset whose certificate exists (docs/reference/cns.md 1.5: 6A82 skips a keyset).
 * The layout's first keyset is where its certificate is (EF_C_Carta, docs/reference/cns.md
 * 1.5, 3.3); the others are tolerances. When every keyset answered 6A82 the first is
 * asked once more: a one-off 6A82 would otherwise leave a token without certificate
 * and key for the life of the card. No extra APDU when a certificate is found. */
static enum carta_err find_keyset(struct carta_card *c, struct carta_buf *der)
{
	struct carta_cns *p = c->priv;
	enum carta_err rv = CARTA_E_FILE_NOT_FOUND;

	for (size_t i = 0; i < p->lay->n_keysets && rv == CARTA_E_FILE_NOT_FOUND; i++)
		rv = try_keyset(c, i, der);
	if (rv == CARTA_E_FILE_NOT_FOUND && p->lay->n_keysets > 0) {
		carta_log(CARTA_LOG_INFO, "CNS: no certificate in any keyset: asking once more");
		rv = try_keyset(c, 0, der);
	}
	return rv;
}

/* Both PINs of docs/reference/cns.md 1.6 / 3.5: PIN 5-8 digits, PUK 8 digits, 3 tries. */
static void add_pins(struct carta_card_desc *d)
{
	struct carta_pin *pin = &d->pins[0], *puk = &d->pins[1];

	snprintf(pin->label, sizeof(pin->label), "PIN");
	pin->kind = CARTA_PIN_USER;
	pin->min_len = 5;
	pin->max_len = 8;
	pin->max_tries = 3;
	pin->unblocked_by = 1;
	pin->digits_only = true;
	pin->pinpad_ok = true;   /* plain VERIFY / CHANGE / RESET RETRY COUNTER */
	snprintf(puk->label, sizeof(puk->label), "PUK");
	puk->kind = CARTA_PIN_PUK;
	puk->min_len = 8;
	puk->max_len = 8;
	puk->max_tries = 3;
	puk->unblocked_by = -1;
	puk->digits_only = true;
	puk->pinpad_ok = true;
	d->n_pins = 2;
}

enum carta_err carta_cns_load(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	struct carta_buf der;
	enum carta_err rv;

	carta_buf_init(&der);
	if (p->lay->extended)
		c->t->flags |= CARTA_TF_EXTENDED;
	carta_cns_describe(c);
	add_pins(&c->desc);
	rv = load_id(c);
	if (rv != CARTA_OK)
		goto out;
	rv = load_personal(c);
	if (rv == CARTA_OK)
		rv = find_keyset(c, &der);
	if (rv == CARTA_E_FILE_NOT_FOUND) {
		/* a CNS without certificate: token with PINs only */
		carta_log(CARTA_LOG_INFO, "CNS: no certificate found");
		rv = CARTA_OK;
		goto out;
	}
	if (rv == CARTA_OK)
		rv = carta_cns_describe_key(c, &der);
out:
	carta_buf_free(&der);
	return rv;
}
