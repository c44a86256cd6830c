/* SPDX-License-Identifier: BSD-3-Clause */
/* ISO 7816-4 secure messaging with 2-key 3DES-CBC (zero IV) and the retail
 * MAC: ICAO Doc 9303-11 section 9.8 and IAS-ECC 7.1 as used by the CIE
 * (docs/reference/cie.md 3.5 and 8.E). Only crypto.h/secret.h touch the keys. */
#include <string.h>

#include "apdu/sm.h"
#include "crypto/crypto.h"
#include "util/log.h"

#define SM_CLA_BITS 0x0Cu   /* ISO 7816-4 5.4.1: b4-b3 = 11, header authenticated */
#define CLA_CHAIN 0x10u     /* ISO 7816-4 5.1.1.1: more blocks follow */
#define SM_BLOCK 231u       /* docs/reference/cie.md 3.5 step 7: the largest data that wraps into Lc' <= 255 */
#define SM_MAC_LEN 8u

static void ssc_inc(uint8_t ssc[8])
{
	int i;

	for (i = 7; i >= 0; i--) {
		ssc[i] = (uint8_t)(ssc[i] + 1);
		if (ssc[i] != 0)
			break;
	}
}

enum carta_err carta_sm_start(struct carta_sm *sm, const uint8_t k_enc[16],
                              const uint8_t k_mac[16], const uint8_t ssc[8])
{
	enum carta_err rv;

	if (sm == NULL || k_enc == NULL || k_mac == NULL || ssc == NULL)
		return CARTA_E_ARGS;
	carta_sm_end(sm);
	rv = carta_secret_from(k_enc, 16, &sm->k_enc);
	if (rv == CARTA_OK)
		rv = carta_secret_from(k_mac, 16, &sm->k_mac);
	if (rv != CARTA_OK) {
		carta_sm_end(sm);
		return rv;
	}
	memcpy(sm->ssc, ssc, 8);
	sm->active = true;
	return CARTA_OK;
}

void carta_sm_end(struct carta_sm *sm)
{
	if (sm == NULL)
		return;
	carta_secret_free(&sm->k_enc);
	carta_secret_free(&sm->k_mac);
	sm->k_enc = NULL;
	sm->k_mac = NULL;
	carta_wipe(sm->ssc, sizeof(sm->ssc));
	sm->active = false;
}

static bool session_ok(const struct carta_sm *sm)
{
	return sm != NULL && sm->active && sm->k_enc != NULL && sm->k_mac != NULL &&
	       sm->k_enc->len == 16 && sm->k_mac->len == 16;
}

/* BER-TLV length field (ISO 7816-4 5.2.2.2): 1, 2 (81 xx) or 3 (82 xx xx) bytes. */
static size_t ber_len_size(size_t len)
{
	return len < 0x80 ? 1 : (len <= 0xFF ? 2 : 3);
}

static enum carta_err put_tl(struct carta_buf *b, uint8_t tag, size_t len)
{
	uint8_t h[4];
	size_t n = 0;

	h[n++] = tag;
	if (len >= 0x100) {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
	} else if (len >= 0x80) {
		h[n++] = 0x81;
	}
	h[n++] = (uint8_t)len;
	return carta_buf_append(b, h, n);
}

/* Even INS: DO87 = 87 L 01 || E(pad(data)); odd INS: DO85 = 85 L E(pad(data))
 * (docs/reference/cie.md 3.5 step 3). The padded plaintext lives only in a carta_secret. */
static enum carta_err put_cryptogram(const struct carta_sm *sm, const struct carta_apdu *p,
                                     size_t clen, struct carta_buf *dos)
{
	struct carta_secret *tmp = NULL;
	bool even = (p->ins & 1u) == 0;
	enum carta_err rv;

	rv = carta_secret_new(clen, &tmp);
	if (rv != CARTA_OK)
		return rv;
	/* method-2 padding: the secret is zeroed, so only the 80 is written */
	memcpy(tmp->p, p->data, p->lc);
	tmp->p[p->lc] = 0x80;
	tmp->len = clen;
	rv = carta_3des_cbc(true, sm->k_enc->p, tmp->p, clen, tmp->p);
	if (rv == CARTA_OK)
		rv = put_tl(dos, even ? 0x87 : 0x85, even ? clen + 1 : clen);
	if (rv == CARTA_OK && even)
		rv = carta_buf_append_byte(dos, 0x01);
	if (rv == CARTA_OK)
		rv = carta_buf_append(dos, tmp->p, clen);
	carta_secret_free(&tmp);
	return rv;
}

/* MAC over pad(SSC || pad(header) || DOs) (ICAO 9303-11 9.8.6.1, docs/reference/cie.md E3). */
static enum carta_err sm_mac(const struct carta_sm *sm, const uint8_t *head, size_t hlen,
                             const uint8_t *dos, size_t dlen, uint8_t mac[8])
{
	struct carta_buf m = { 0 };
	enum carta_err rv;

	rv = carta_buf_append(&m, sm->ssc, sizeof(sm->ssc));
	if (rv == CARTA_OK && hlen > 0) {
		rv = carta_buf_append(&m, head, hlen);
		if (rv == CARTA_OK)
			rv = carta_pad_m2(&m, 8);
	}
	if (rv == CARTA_OK)
		rv = carta_buf_append(&m, dos, dlen);
	if (rv == CARTA_OK)
		rv = carta_pad_m2(&m, 8);
	if (rv == CARTA_OK)
		rv = carta_retail_mac(sm->k_mac->p, m.p, m.len, mac);
	carta_buf_free(&m);
	return rv;
}

/* Size of the protected data field, or 0 when it exceeds a short Lc'. */
static size_t wrapped_lc(const struct carta_apdu *p, size_t clen)
{
	size_t total = 2 + SM_MAC_LEN, vlen;

	if (p->lc > 0) {
		vlen = (p->ins & 1u) == 0 ? clen + 1 : clen;
		total += 1 + ber_len_size(vlen) + vlen;
	}
	if (p->le > 0)
		total += 3;
	return total <= CARTA_APDU_SHORT_MAX_LC ? total : 0;
}

enum carta_err carta_sm_wrap(struct carta_sm *sm, const struct carta_apdu *plain,
                             struct carta_buf *out)
{
	struct carta_buf dos = { 0 };
	uint8_t head[4], mac[SM_MAC_LEN];
	size_t clen, lc2;
	enum carta_err rv = CARTA_E_ARGS;

	if (plain == NULL || out == NULL || (plain->lc > 0 && plain->data == NULL))
		goto out;
	rv = CARTA_E_SM;
	if (!session_ok(sm))
		goto out;
	rv = CARTA_E_RANGE;
	if (plain->lc > SM_BLOCK || plain->le > CARTA_APDU_SHORT_MAX_LE)
		goto out;
	clen = plain->lc > 0 ? (plain->lc / 8 + 1) * 8 : 0;
	lc2 = wrapped_lc(plain, clen);
	if (lc2 == 0)
		goto out;
	carta_buf_clear(out);
	head[0] = (uint8_t)(plain->cla | SM_CLA_BITS);
	head[1] = plain->ins;
	head[2] = plain->p1;
	head[3] = plain->p2;
	ssc_inc(sm->ssc);
	rv = plain->lc > 0 ? put_cryptogram(sm, plain, clen, &dos) : CARTA_OK;
	if (rv == CARTA_OK && plain->le > 0) {
		/* DO97 = 97 01 Le, 256 as 00 (docs/reference/cie.md 3.5 step 4) */
		const uint8_t do97[3] = { 0x97, 0x01, (uint8_t)(plain->le & 0xFF) };
		rv = carta_buf_append(&dos, do97, sizeof(do97));
	}
	if (rv == CARTA_OK)
		rv = sm_mac(sm, head, sizeof(head), dos.p, dos.len, mac);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, head, sizeof(head));
	if (rv == CARTA_OK)
		rv = carta_buf_append_byte(out, (uint8_t)lc2);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, dos.p, dos.len);
	if (rv == CARTA_OK) {
		/* DO8E then Le 00: the card always answers with SM data (docs/reference/cie.md 3.5 step 6) */
		const uint8_t do8e[2] = { 0x8E, SM_MAC_LEN };
		rv = carta_buf_append(out, do8e, sizeof(do8e));
		if (rv == CARTA_OK)
			rv = carta_buf_append(out, mac, sizeof(mac));
		if (rv == CARTA_OK)
			rv = carta_buf_append_byte(out, 0x00);
	}
	if (rv != CARTA_OK)
		carta_buf_clear(out);
out:
	carta_buf_free(&dos);
	return rv;
}


/* The data objects of a protected response, in the only order accepted:
 * [87|85] 99 8E, nothing after 8E (ICAO 9303-11 9.8.6.2, docs/reference/cie.md 3.5). */
struct sm_resp {
	struct carta_bytes crypt;   /* cryptogram without the 01 indicator */
	uint16_t sw;
	const uint8_t *mac;
	size_t mac_off;             /* offset of DO8E: the MAC covers body[0..mac_off) */
};

enum { ST_START, ST_CRYPT, ST_SW, ST_MAC };

static enum carta_err get_tlv(struct carta_cursor *c, uint8_t *tag, struct carta_bytes *v)
{
	uint8_t b = 0, b2 = 0;
	size_t len;

	if (carta_cursor_u8(c, tag) != CARTA_OK || carta_cursor_u8(c, &b) != CARTA_OK)
		return CARTA_E_SM;
	len = b;
	if (b == 0x81 || b == 0x82) {
		if (carta_cursor_u8(c, &b2) != CARTA_OK)
			return CARTA_E_SM;
		len = b2;
		if (b == 0x82) {
			if (carta_cursor_u8(c, &b) != CARTA_OK)
				return CARTA_E_SM;
			len = (len << 8) | b;
		}
	} else if (b >= 0x80) {
		return CARTA_E_SM;
	}
	return carta_cursor_take(c, len, v) == CARTA_OK ? CARTA_OK : CARTA_E_SM;
}

/* One DO against the state machine; st advances, anything out of place fails. */
static enum carta_err take_do(uint8_t tag, struct carta_bytes v, size_t off, int *st,
                              struct sm_resp *r)
{
	if ((tag == 0x87 || tag == 0x85) && *st == ST_START) {
		size_t skip = tag == 0x87 ? 1 : 0;
		/* DO87 must carry the 01 indicator (padding-content byte, 7816-4 5.6.2.1) */
		if (v.len <= skip || (skip == 1 && v.p[0] != 0x01) || (v.len - skip) % 8 != 0)
			return CARTA_E_SM;
		r->crypt.p = v.p + skip;
		r->crypt.len = v.len - skip;
		*st = ST_CRYPT;
	} else if (tag == 0x99 && (*st == ST_START || *st == ST_CRYPT) && v.len == 2) {
		r->sw = (uint16_t)((v.p[0] << 8) | v.p[1]);
		*st = ST_SW;
	} else if (tag == 0x8E && *st == ST_SW && v.len == SM_MAC_LEN) {
		r->mac = v.p;
		r->mac_off = off;
		*st = ST_MAC;
	} else {
		return CARTA_E_SM;
	}
	return CARTA_OK;
}

static enum carta_err parse_resp(const uint8_t *body, size_t n, struct sm_resp *r)
{
	struct carta_cursor c;
	struct carta_bytes v;
	int st = ST_START;
	uint8_t tag = 0;
	enum carta_err rv = CARTA_OK;

	memset(r, 0, sizeof(*r));
	carta_cursor_init(&c, body, n);
	while (rv == CARTA_OK && carta_cursor_left(&c) > 0) {
		size_t off = c.off;
		rv = get_tlv(&c, &tag, &v);
		if (rv == CARTA_OK)
			rv = take_do(tag, v, off, &st, r);
	}
	if (rv == CARTA_OK && st != ST_MAC)
		rv = CARTA_E_SM;
	return rv;
}

/* Decrypt and strip the padding; out->data is written only on success. */
static enum carta_err decrypt_into(const struct carta_sm *sm, struct carta_bytes crypt,
                                   struct carta_buf *out)
{
	struct carta_secret *tmp = NULL;
	size_t dlen = 0;
	enum carta_err rv;

	rv = carta_secret_new(crypt.len, &tmp);
	if (rv != CARTA_OK)
		return rv;
	tmp->len = crypt.len;
	rv = carta_3des_cbc(false, sm->k_enc->p, crypt.p, crypt.len, tmp->p);
	if (rv == CARTA_OK)
		rv = carta_unpad_m2(tmp->p, tmp->len, &dlen) == CARTA_OK ? CARTA_OK : CARTA_E_SM;
	if (rv == CARTA_OK)
		rv = carta_buf_set(out, tmp->p, dlen);
	carta_secret_free(&tmp);
	return rv;
}

enum carta_err carta_sm_unwrap(struct carta_sm *sm, const uint8_t *body, size_t n,
                               struct carta_rapdu *out)
{
	struct sm_resp r;
	uint8_t mac[SM_MAC_LEN];
	enum carta_err rv = CARTA_E_ARGS;

	if (out == NULL || (body == NULL && n > 0))
		goto out;
	rv = CARTA_E_SM;
	if (!session_ok(sm))
		goto out;
	/* SSC counts the response even when it turns out to be bad (docs/reference/cie.md E3.5) */
	ssc_inc(sm->ssc);
	rv = parse_resp(body, n, &r);
	if (rv == CARTA_OK)
		rv = sm_mac(sm, NULL, 0, body, r.mac_off, mac);
	if (rv == CARTA_OK && !carta_ct_equal(mac, r.mac, SM_MAC_LEN))
		rv = CARTA_E_SM;
	if (rv != CARTA_OK)
		goto out;
	if (r.crypt.len > 0)
		rv = decrypt_into(sm, r.crypt, &out->data);
	else
		carta_buf_clear(&out->data);
	if (rv == CARTA_OK)
		out->sw = r.sw;
out:
	return rv;
}

/* Send one wrapped APDU and collect the answer: 61xx (xx != 0) is followed by a
 * plain GET RESPONSE 00 C0 00 00 xx, 6100 by 0C C0 00 00 00 (docs/reference/cie.md 3.5
 * "getResp_SM", 8.A4). The parts are joined into one SM body. */
static enum carta_err wire_exchange(struct carta_transport *t, const struct carta_apdu *a,
                                    unsigned flags, struct carta_rapdu *raw)
{
	struct carta_rapdu part;
	struct carta_apdu gr = { 0 };
	unsigned rounds = 0;
	size_t total;
	enum carta_err rv;

	flags |= CARTA_TX_RAW_61 | CARTA_TX_NO_CHAIN;
	rv = carta_transmit_ex(t, a, flags, 0x0C, raw);
	carta_rapdu_init(&part);
	while (rv == CARTA_OK && (raw->sw >> 8) == 0x61) {
		uint8_t xx = (uint8_t)(raw->sw & 0xFF);
		if (rounds++ == CARTA_TX_MAX_GETRESP) {
			rv = CARTA_E_PARSE;
			break;
		}
		gr.cla = xx != 0 ? 0x00 : 0x0C;
		gr.ins = 0xC0;
		gr.le = xx != 0 ? xx : 256;
		rv = carta_transmit_ex(t, &gr, flags, 0x0C, &part);
		if (rv != CARTA_OK)
			break;
		if (carta_add_overflow(raw->data.len, part.data.len, &total) ||
		    total > CARTA_TX_MAX_RESP) {
			rv = CARTA_E_PARSE;
			break;
		}
		rv = carta_buf_append(&raw->data, part.data.p, part.data.len);
		raw->sw = part.sw;
	}
	carta_rapdu_free(&part);
	return rv;
}

/* Trace the plaintext command at level 3, redacted when the caller says so. */
static void trace_plain(const struct carta_apdu *blk, unsigned flags)
{
	struct carta_buf enc = { 0 };

	if (carta_log_level() < CARTA_LOG_APDU)
		return;
	if (carta_apdu_encode(blk, false, &enc) == CARTA_OK)
		carta_log_apdu_cmd(enc.p, enc.len, (flags & CARTA_TX_SENSITIVE) != 0);
	carta_wipe(enc.p, enc.cap);
	carta_buf_free(&enc);
}

/* One block: wrap, exchange, then apply the transport SW rule of docs/reference/cie.md 3.5:
 * 9000/6282/6B00 or any body => SM-verified answer; otherwise plain SW. */
static enum carta_err send_block(struct carta_sm *sm, struct carta_transport *t,
                                 const struct carta_apdu *blk, unsigned flags,
                                 struct carta_rapdu *r)
{
	struct carta_buf w = { 0 };
	struct carta_rapdu raw;
	struct carta_apdu a = { 0 };
	enum carta_err rv;

	carta_rapdu_init(&raw);
	trace_plain(blk, flags);
	rv = carta_sm_wrap(sm, blk, &w);
	if (rv != CARTA_OK)
		goto out;
	a.cla = w.p[0];
	a.ins = w.p[1];
	a.p1 = w.p[2];
	a.p2 = w.p[3];
	a.lc = w.p[4];
	a.data = w.p + 5;
	a.le = 256;
	rv = wire_exchange(t, &a, flags, &raw);
	if (rv != CARTA_OK)
		goto out;
	if (raw.sw == 0x9000 || raw.sw == 0x6282 || raw.sw == 0x6B00 || raw.data.len > 0) {
		rv = carta_sm_unwrap(sm, raw.data.p, raw.data.len, r);
	} else {
		/* e.g. 63Cx, 6983: no MAC to check, SSC not counted for it */
		carta_buf_clear(&r->data);
		r->sw = raw.sw;
	}
	if (rv == CARTA_OK)
		carta_log(CARTA_LOG_APDU, "< SM plain: %zu bytes, SW %04X%s", r->data.len, r->sw,
		          (flags & CARTA_TX_SENSITIVE) ? " (data redacted)" : "");
out:
	carta_buf_free(&w);
	carta_wipe(raw.data.p, raw.data.cap);
	carta_rapdu_free(&raw);
	return rv;
}

enum carta_err carta_sm_transmit(struct carta_sm *sm, struct carta_transport *t,
                                 const struct carta_apdu *plain, unsigned flags,
                                 struct carta_rapdu *r)
{
	struct carta_apdu blk;
	size_t off = 0;
	bool last;
	enum carta_err rv = CARTA_E_ARGS;

	if (t == NULL || plain == NULL || r == NULL || (plain->lc > 0 && plain->data == NULL))
		return rv;
	carta_buf_clear(&r->data);
	r->sw = 0;
	do {
		/* SM command chaining (docs/reference/cie.md 3.5 step 7): each block is an
		 * independent SM APDU; CLA 10 (1C once protected) on all but the last. */
		blk = *plain;
		last = plain->lc - off <= SM_BLOCK;
		blk.data = plain->lc > 0 ? plain->data + off : NULL;
		blk.lc = last ? plain->lc - off : SM_BLOCK;
		if (!last) {
			blk.cla = (uint8_t)(plain->cla | CLA_CHAIN);
			blk.le = 0;
		}
		rv = send_block(sm, t, &blk, flags, r);
		off += blk.lc;
	} while (rv == CARTA_OK && !last && r->sw == 0x9000);
	if (rv == CARTA_E_SM) {
		carta_log(CARTA_LOG_ERROR, "secure messaging failure: session closed");
		carta_sm_end(sm);
	} else if (rv == CARTA_OK && (r->sw == 0x6987 || r->sw == 0x6988)) {
		/* SM data objects missing or incorrect (docs/reference/cie.md 3.5,
		 * 8 E4): the card has lost this session (another application
		 * opened its own, or a reset): its keys are dead, never MAC with
		 * them again */
		carta_log(CARTA_LOG_INFO, "card answered %04X under secure messaging: session closed",
		          r->sw);
		carta_sm_end(sm);
	}
	if (rv != CARTA_OK) {
		carta_buf_clear(&r->data);
		r->sw = 0;
	}
	return rv;
}
