/* SPDX-License-Identifier: BSD-3-Clause */
/* Card side of the CIE secure messaging (docs/reference/cie.md 3.5 and 8 E3-E4): unwrap
 * protected commands, wrap responses, keep the send sequence counter. */
#include <string.h>

#include "cie_int.h"

#include "crypto/secret.h"
#include "util/tlv.h"

void vcard_cie_ssc_inc(uint8_t ssc[8])
{
	for (size_t i = 8; i-- > 0;) {
		ssc[i] = (uint8_t)(ssc[i] + 1u);
		if (ssc[i] != 0)
			break;
	}
}

/* A MAC failure ends the session (docs/reference/cie.md 8 E4): keys and every state that
 * depended on them are gone. */
void vcard_cie_sm_drop(struct vcard_cie *c)
{
	carta_wipe(&c->sm, sizeof(c->sm));
	memset(&c->dh, 0, sizeof(c->dh));
	memset(&c->dapp, 0, sizeof(c->dapp));
	c->pin_ok = false;
	c->puk_ok = false;
	c->at_key = 0;
	c->at_alg = 0;
}

/* Retail MAC over pad2(SSC || body) (docs/reference/cie.md 3.5; the outer padding is always
 * applied). */
static enum carta_err mac_over(const struct vcard_cie *c, const uint8_t *body, size_t n,
                               uint8_t mac[8])
{
	struct carta_buf in = { 0 };
	enum carta_err e;

	e = carta_buf_append(&in, c->sm.ssc, sizeof(c->sm.ssc));
	if (e == CARTA_OK)
		e = carta_buf_append(&in, body, n);
	if (e == CARTA_OK)
		e = carta_pad_m2(&in, 8);
	if (e == CARTA_OK)
		e = carta_retail_mac(c->sm.kmac, in.p, in.len, mac);
	carta_buf_free(&in);
	return e;
}

/* The data objects of the command: DO87 (or DO85), DO97, DO8E, in this order. */
struct sm_dos {
	struct carta_tlv d87, d97, d8e;
	bool has87, has97, has8e;
};

static bool parse_dos(struct carta_bytes in, struct sm_dos *d)
{
	struct carta_tlv t;

	memset(d, 0, sizeof(*d));
	while (in.len > 0) {
		if (carta_tlv_next(&in, &t) != CARTA_OK || d->has8e)
			return false;
		if ((t.tag == 0x87 || t.tag == 0x85) && !d->has87 && !d->has97) {
			d->d87 = t;
			d->has87 = true;
		} else if (t.tag == 0x97 && !d->has97) {
			d->d97 = t;
			d->has97 = true;
		} else if (t.tag == 0x8E && t.value.len == 8) {
			d->d8e = t;
			d->has8e = true;
		} else {
			return false;
		}
	}
	return d->has8e;
}

/* Short APDU split: header, the data field, and whether a trailing Le byte exists. */
static bool split_apdu(const uint8_t *apdu, size_t n, struct carta_bytes *field)
{
	size_t lc;

	field->p = NULL;
	field->len = 0;
	if (n == 4 || n == 5)
		return true;
	lc = apdu[4];
	if (lc == 0 || n < 5 + lc || n > 6 + lc)
		return false;
	field->p = apdu + 5;
	field->len = lc;
	return true;
}

static enum carta_err decrypt87(const struct vcard_cie *c, const struct sm_dos *d,
                                struct carta_buf *plain, bool *ok)
{
	const uint8_t *cr = d->d87.value.p;
	size_t n = d->d87.value.len, dlen = 0;
	enum carta_err e;

	*ok = false;
	if (d->d87.tag == 0x87) {   /* padding-content indicator 01 (docs/reference/cie.md 3.5 step 3) */
		if (n < 1 || cr[0] != 0x01)
			return CARTA_OK;
		cr++;
		n--;
	}
	if (n == 0 || n % 8 != 0)
		return CARTA_OK;
	e = carta_buf_set(plain, cr, n);
	if (e != CARTA_OK)
		return e;
	e = carta_3des_cbc(false, c->sm.kenc, plain->p, n, plain->p);
	if (e != CARTA_OK)
		return e;
	if (carta_unpad_m2(plain->p, n, &dlen) != CARTA_OK)
		return CARTA_OK;
	plain->len = dlen;
	*ok = true;
	return CARTA_OK;
}

enum carta_err vcard_cie_sm_unwrap(struct vcard_cie *c, const uint8_t *apdu, size_t n,
                                   struct vcard_cie_cmd *cmd, struct carta_buf *plain,
                                   uint16_t *sw)
{
	struct carta_bytes field;
	struct carta_buf macin = { 0 };
	struct sm_dos d;
	uint8_t mac[8];
	bool ok = false;
	enum carta_err e = CARTA_OK;

	*sw = SW_SM_MAC;
	carta_buf_clear(plain);
	if (!c->sm.keys || !split_apdu(apdu, n, &field) || !parse_dos(field, &d))
		goto out;
	vcard_cie_ssc_inc(c->sm.ssc);
	/* pad2(SSC || header) || DO87 || DO97, then mac_over pads again (docs/reference/cie.md 8 E3) */
	e = carta_buf_append(&macin, apdu, 4);
	if (e == CARTA_OK)
		e = carta_pad_m2(&macin, 8);
	if (e == CARTA_OK && d.has87)
		e = carta_buf_append(&macin, d.d87.raw.p, d.d87.raw.len);
	if (e == CARTA_OK && d.has97)
		e = carta_buf_append(&macin, d.d97.raw.p, d.d97.raw.len);
	/* the SSC block is 8 bytes, so pad2(SSC||hdr) = SSC || pad2(hdr)[0..8) */
	if (e == CARTA_OK)
		e = mac_over(c, macin.p, macin.len, mac);
	if (e != CARTA_OK || !carta_ct_equal(mac, d.d8e.value.p, 8))
		goto out;
	if (d.has87) {
		e = decrypt87(c, &d, plain, &ok);
		if (e != CARTA_OK || !ok)
			goto out;
	}
	cmd->cla = apdu[0];
	cmd->ins = apdu[1];
	cmd->p1 = apdu[2];
	cmd->p2 = apdu[3];
	cmd->data = plain->p;
	cmd->lc = plain->len;
	cmd->has_le = d.has97 && d.d97.value.len >= 1;
	cmd->le = 0;
	if (cmd->has_le) {
		cmd->le = d.d97.value.p[d.d97.value.len - 1];
		if (cmd->le == 0)
			cmd->le = 256;
	}
	cmd->sm = true;
	*sw = 0;
out:
	carta_buf_free(&macin);
	return e;
}

static enum carta_err put_do87(const struct vcard_cie *c, const uint8_t *data, size_t n,
                               struct carta_buf *out)
{
	struct carta_buf pt = { 0 };
	enum carta_err e;

	e = carta_buf_append(&pt, data, n);
	if (e == CARTA_OK)
		e = carta_pad_m2(&pt, 8);
	if (e == CARTA_OK)
		e = carta_3des_cbc(true, c->sm.kenc, pt.p, pt.len, pt.p);
	if (e == CARTA_OK)
		e = carta_tlv_put_header(out, 0x87, pt.len + 1);
	if (e == CARTA_OK)
		e = carta_buf_append_byte(out, 0x01);
	if (e == CARTA_OK)
		e = carta_buf_append(out, pt.p, pt.len);
	carta_buf_free(&pt);
	return e;
}

enum carta_err vcard_cie_sm_wrap(struct vcard_cie *c, const uint8_t *data, size_t n,
                                 uint16_t sw, struct carta_buf *out)
{
	uint8_t do99[4] = { 0x99, 0x02, (uint8_t)(sw >> 8), (uint8_t)sw };
	uint8_t mac[8];
	enum carta_err e = CARTA_OK;

	carta_buf_clear(out);
	vcard_cie_ssc_inc(c->sm.ssc);
	if (n > 0)
		e = put_do87(c, data, n, out);
	if (e == CARTA_OK)
		e = carta_buf_append(out, do99, sizeof(do99));
	if (e == CARTA_OK)
		e = mac_over(c, out->p, out->len, mac);
	if (e == CARTA_OK)
		e = carta_tlv_put(out, 0x8E, mac, sizeof(mac));
	return e;
}
