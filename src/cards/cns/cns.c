/* SPDX-License-Identifier: BSD-3-Clause */
/* CNS / TS-CNS shared logic: selecting, reading what is public once at open
 * (docs/reference/cns.md 1.4, 1.5, 1.9, 1.10, 3.3) and describing keys and PINs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cards/cns/cns.h"
#include "cards/iso7816.h"
#include "cards/cns/personal.h"
#include "util/log.h"

#define MASK_STINCARD 0x09u
#define ID_FILE_MAX 64u
#define PERSONAL_MAX 1200u         /* 400 on CNS; CIE-sized files at most 04B0 */
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
	/* docs/reference/cns.md 1.6: "search parents" flag on STIncard masks */
	p->st_flag = h && h[3] == MASK_STINCARD;
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
	enum carta_err rv;

	p->df_ks = NULL;
	p->se_tmpl = 0;
	rv = carta_iso_select(c->t, p->lay->sel_p1, path->b, path->len, fci);
	/* a path from the MF leaves its DF current; a refused one changes
	 * nothing (ISO/IEC 7816-4 7.1.1) */
	if (rv == CARTA_OK)
		p->away = false;
	return rv;
}

enum carta_err carta_cns_select_mf(struct carta_card *c)
{
	static const uint8_t mf[] = { 0x3f, 0x00 };
	struct carta_cns *p = c->priv;
	enum carta_err rv;

	p->df_ks = NULL;
	p->se_tmpl = 0;
	rv = carta_iso_select(c->t, CARTA_SEL_FID, mf, sizeof(mf), NULL);
	if (rv == CARTA_OK)
		p->away = false;
	return rv;
}

enum carta_err carta_cns_select_app(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	struct carta_fci fci;
	enum carta_err rv;

	p->se_tmpl = 0;
	if (!p->lay->aid)
		return CARTA_OK;
	p->df_ks = NULL;
	rv = carta_iso_select(c->t, CARTA_SEL_AID, p->lay->aid, p->lay->aid_len, &fci);
	/* the application's FCI is not needed: a well-answered 9000 is enough */
	return rv == CARTA_E_PARSE ? CARTA_OK : rv;
}

enum carta_err carta_cns_reinit(struct carta_card *c)
{
	struct carta_cns *p = c->priv;

	/* after a reset the MF is current (ISO/IEC 7816-4 7.1.1) */
	p->df_ks = NULL;
	p->away = false;
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

enum carta_err carta_cns_read_ef(struct carta_card *c, const struct carta_cns_path *path,
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

enum carta_err carta_cns_load_id(struct carta_card *c, bool optional)
{
	struct carta_cns *p = c->priv;
	struct carta_buf b;
	size_t fsize;
	enum carta_err rv;

	carta_buf_init(&b);
	rv = carta_cns_read_ef(c, &p->lay->id, 0, ID_FILE_MAX, &b, &fsize);
	/* without EF_ID_Carta this is not a CNS of this layout (docs/reference/cns.md 1.5):
	 * a refused SELECT says so; 6F00, a malformed or lost answer does not */
	rv = carta_card_probe_verdict(rv);
	if (rv == CARTA_OK)
		rv = carta_cns_card_id(b.p, b.len, p->lay->id_bcd, c->desc.serial);
	/* a signature-only card need not carry the CNS files (docs/reference/cns.md
	 * 2.3): no serial then */
	if (optional && rv == CARTA_E_CARD_UNKNOWN) {
		carta_log(CARTA_LOG_INFO, "CNS: no EF_ID_Carta");
		rv = CARTA_OK;
	}
	carta_buf_free(&b);
	return rv;
}

/* Read only what the header announces (the file is 400 bytes, zero padded).
 * Missing or malformed holder data is tolerated; a lost or 6F00 answer fails
 * the load, to be read again at the next call: the token's name is chosen
 * once, from the holder's name (carta_card_try_driver). */
enum carta_err carta_cns_load_personal(struct carta_card *c)
{
	struct carta_cns *p = c->priv;
	struct carta_buf b;
	size_t need = 0, fsize = 0;
	enum carta_err rv;

	carta_buf_init(&b);
	rv = carta_cns_read_ef(c, &p->lay->personal, FIRST_READ, PERSONAL_MAX, &b, &fsize);
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
