/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 plain and secure-messaging I/O: commands sent plain or under the
 * SM session (carta_cie_tx, carta_cie_send), application selection (docs/reference/cie.md
 * 1.2), the NIS, SELECT EF and READ BINARY loops (docs/reference/cie.md 2.2, 8.B). */
#include <string.h>

#include "cards/cie/cie.h"
#include "apdu/sw.h"
#include "crypto/x509.h"
#include "util/log.h"

#define READ_LE_PLAIN 256u   /* Le 00 (AND); docs/reference/cie.md 8.B4 */
#define READ_LE_SM 128u      /* Le 80 (LNX): the wrapped answer stays below 256 bytes */
#define MAX_READS 128u

enum carta_err carta_cie_tx(struct carta_card *c, const struct carta_apdu *a, unsigned flags,
                            struct carta_rapdu *r)
{
	struct carta_cie *s = c->priv;
	enum carta_err rv;

	if (s && s->sm.active) {
		rv = carta_sm_transmit(&s->sm, c->t, a, flags, r);
		/* sm.c has ended the session on a MAC/format error: nothing the
		 * session established holds any more */
		if (!s->sm.active)
			carta_cie_session_end(s);
		/* 6987/6988: the card itself has no session any more (someone
		 * else's key agreement replaced ours, docs/reference/cie.md 3.5
		 * and 8 E4): a new one needs no reset, and whoever took the card
		 * may have selected another application */
		if (rv == CARTA_OK && (r->sw == 0x6987 || r->sw == 0x6988)) {
			s->card_sm = false;
			s->selected = false;
		}
		return rv;
	}
	return carta_transmit(c->t, a, flags, r);
}

enum carta_err carta_cie_tx_ok(struct carta_card *c, const struct carta_apdu *a, unsigned flags,
                               struct carta_rapdu *r)
{
	enum carta_err rv = carta_cie_tx(c, a, flags, r);

	if (rv == CARTA_OK && r->sw != 0x9000)
		rv = carta_sw_to_err(r->sw);
	return rv;
}

static enum carta_err card_tx(void *ctx, const struct carta_apdu *a, unsigned flags,
                              struct carta_rapdu *r)
{
	return carta_cie_tx_ok(ctx, a, flags, r);
}

enum carta_err carta_cie_send(struct carta_card *c, const struct carta_apdu *a)
{
	return carta_iso_send_via(card_tx, c, a);
}

static enum carta_err select_ias_aid(struct carta_transport *t)
{
	struct carta_apdu a = { 0x00, 0xa4, 0x04, 0x0c, carta_cie_aid_ias,
		                sizeof(carta_cie_aid_ias), 0 };

	return carta_iso_send(t, &a);
}

static enum carta_err select_mf_case1(struct carta_transport *t)
{
	struct carta_apdu a = { 0x00, 0xa4, 0x00, 0x00, NULL, 0, 0 };

	return carta_iso_send(t, &a);
}

/* docs/reference/cie.md 1.2: the JCOP4 families (NXP, Actalis, Bit4id) take the case-1
 * 00 A4 00 00, the others the IAS AID; a 6A82 means the other form. */
enum carta_err carta_cie_select_ias(struct carta_transport *t, const struct carta_cie_chip *chip)
{
	enum carta_err rv;
	bool jcop = chip && chip->jcop;

	rv = jcop ? select_mf_case1(t) : select_ias_aid(t);
	if (rv == CARTA_E_FILE_NOT_FOUND)
		rv = jcop ? select_ias_aid(t) : select_mf_case1(t);
	return rv;
}

enum carta_err carta_cie_select_cie(struct carta_transport *t)
{
	struct carta_apdu a = { 0x00, 0xa4, 0x04, 0x0c, carta_cie_aid_cie,
		                sizeof(carta_cie_aid_cie), 0 };

	return carta_iso_send(t, &a);
}

enum carta_err carta_cie_select_apps(struct carta_card *c)
{
	struct carta_cie *s = c->priv;
	enum carta_err rv = CARTA_OK;

	if (s->selected)
		goto out;
	rv = carta_cie_select_ias(c->t, s->chip);
	if (rv == CARTA_OK)
		rv = carta_cie_select_cie(c->t);
	s->selected = rv == CARTA_OK;
out:
	return rv;
}

static bool nis_ok(const uint8_t *p, size_t n)
{
	if (n != CARTA_CIE_NIS_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

enum carta_err carta_cie_read_nis(struct carta_transport *t, char nis[CARTA_CIE_NIS_LEN + 1])
{
	struct carta_apdu a = { 0x00, 0xb0, 0x81, 0x00, NULL, 0, CARTA_CIE_NIS_LEN };
	uint8_t fid[2] = { 0x10, 0x01 };
	struct carta_apdu sel = { 0x00, 0xa4, 0x02, 0x0c, fid, 2, 0 };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = carta_transmit_ok(t, &a, 0, &r);
	if (rv != CARTA_OK && rv != CARTA_E_TRANSPORT && rv != CARTA_E_CARD_REMOVED) {
		/* no SFI support: select EF 1001 and read it */
		a.p1 = 0x00;
		rv = carta_transmit_ok(t, &sel, 0, &r);
		if (rv == CARTA_OK)
			rv = carta_transmit_ok(t, &a, 0, &r);
	}
	if (rv == CARTA_OK && !nis_ok(r.data.p, r.data.len))
		rv = CARTA_E_CARD_UNKNOWN;
	if (rv == CARTA_OK) {
		memcpy(nis, r.data.p, CARTA_CIE_NIS_LEN);
		nis[CARTA_CIE_NIS_LEN] = '\0';
	}
	carta_rapdu_free(&r);
	return rv;
}

/* One READ BINARY; *eof when the card says the file ended (6282, 6B00 or a
 * short answer). */
static enum carta_err read_once(struct carta_card *c, size_t off, size_t le,
                                struct carta_buf *out, bool *eof)
{
	struct carta_apdu a = { 0x00, 0xb0, (uint8_t)(off >> 8), (uint8_t)off, NULL, 0, le };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = carta_cie_tx(c, &a, 0, &r);
	if (rv != CARTA_OK)
		goto out;
	*eof = r.sw != 0x9000 || r.data.len < le;
	if (r.sw == 0x6b00 && off > 0)
		goto out;   /* offset past the end: the previous read ended it */
	if (r.sw != 0x9000 && r.sw != 0x6282) {
		rv = carta_sw_to_err(r.sw);
		goto out;
	}
	rv = carta_buf_append(out, r.data.p, r.data.len);
out:
	carta_rapdu_free(&r);
	return rv;
}

static enum carta_err select_ef(struct carta_card *c, uint16_t fid)
{
	uint8_t f[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };
	struct carta_apdu a = { 0x00, 0xa4, 0x02, 0x0c, f, 2, 0 };

	return carta_cie_send(c, &a);
}

enum carta_err carta_cie_read_ef(struct carta_card *c, uint16_t fid, size_t max, bool der_stop,
                                 struct carta_buf *out)
{
	struct carta_cie *s = c->priv;
	size_t le = s->sm.active ? READ_LE_SM : READ_LE_PLAIN;
	size_t want = max, total;
	bool eof = false;
	unsigned i;
	enum carta_err rv;

	carta_buf_clear(out);
	rv = select_ef(c, fid);
	for (i = 0; rv == CARTA_OK && !eof && out->len < want; i++) {
		size_t n = want - out->len < le ? want - out->len : le;

		if (i == MAX_READS || out->len > 0x7fffu) {
			rv = CARTA_E_RANGE;
			break;
		}
		rv = read_once(c, out->len, n, out, &eof);
		/* docs/reference/cie.md 9: 1003 may be zero-padded; stop at the DER length */
		if (rv == CARTA_OK && der_stop && want == max &&
		    carta_der_total_len(out->p, out->len, &total) == CARTA_OK) {
			if (total > max) {
				rv = CARTA_E_RANGE;
				break;
			}
			want = total;
		}
	}
	if (rv == CARTA_OK && out->len > want)
		out->len = want;
	if (rv == CARTA_OK && der_stop && out->len != want)
		rv = CARTA_E_PARSE;
	return rv;
}

void carta_cie_session_end(struct carta_cie *s)
{
	carta_sm_end(&s->sm);
	s->pin_verified = false;
	s->puk_verified = false;
	s->mse_sign_set = false;
}
