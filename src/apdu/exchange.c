/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "apdu/exchange.h"
#include "apdu/sw.h"
#include "crypto/secret.h"
#include "util/log.h"

/* ISO/IEC 7816-4 5.1.1.1: bit 5 of CLA announces "more blocks follow". */
#define CLA_CHAIN 0x10u
#define INS_GET_RESPONSE 0xc0u

/* State of one logical command while it travels as one or more wire APDUs. */
struct tx {
	struct carta_transport *t;
	unsigned flags;
	uint8_t getresp_cla;
	bool sensitive;      /* redact data of every command and answer of this exchange */
	unsigned wire_calls; /* wire APDUs attempted so far */
	struct carta_buf cmd, resp;
};

void carta_rapdu_init(struct carta_rapdu *r)
{
	carta_buf_init(&r->data);
	r->sw = 0;
}

void carta_rapdu_free(struct carta_rapdu *r)
{
	carta_buf_free(&r->data);
	r->sw = 0;
}

static void wipe_free(struct carta_buf *b)
{
	if (b->p)
		carta_wipe(b->p, b->cap);
	carta_buf_free(b);
}

/* One wire APDU: encode, trace, send, count, split. */
static enum carta_err wire(struct tx *x, const struct carta_apdu *a, bool extended,
                           struct carta_bytes *data, uint16_t *sw)
{
	struct carta_transport *t = x->t;
	enum carta_err rv;

	rv = carta_apdu_encode(a, extended, &x->cmd);
	if (rv != CARTA_OK)
		goto out;
	x->wire_calls++;
	carta_log_apdu_cmd(x->cmd.p, x->cmd.len, x->sensitive);
	carta_buf_clear(&x->resp);
	rv = carta_transport_transmit(t, x->cmd.p, x->cmd.len, &x->resp);
	t->n_apdu++;
	t->n_sent += x->cmd.len;
	if (rv != CARTA_OK) {
		carta_log(CARTA_LOG_ERROR, "transmit failed: %s", carta_err_str(rv));
		goto out;
	}
	t->n_recv += x->resp.len;
	carta_log_apdu_resp(x->resp.p, x->resp.len, x->sensitive);
	rv = carta_rapdu_split(x->resp.p, x->resp.len, data, sw);
out:
	return rv;
}

/* Append one part of the answer; the total is bounded by CARTA_TX_MAX_RESP. */
static enum carta_err collect(struct carta_rapdu *r, struct carta_bytes d)
{
	size_t total;

	if (carta_add_overflow(r->data.len, d.len, &total) || total > CARTA_TX_MAX_RESP)
		return CARTA_E_PARSE;
	return carta_buf_append(&r->data, d.p, d.len);
}

/* One command APDU with the response rules: 6Cxx resend once (ISO 7816-3
 * 10.3.3 / 7816-4 5.6 "wrong Le"), 61xx GET RESPONSE rounds, bounded. */
static enum carta_err exchange(struct tx *x, const struct carta_apdu *a, bool extended,
                               struct carta_rapdu *r)
{
	struct carta_apdu cur = *a;
	struct carta_bytes d;
	uint16_t sw;
	unsigned rounds = 0;
	bool resent = false;
	enum carta_err rv;

	/* T=0 carries no Le in a case-4 command: the card answers 61xx (7816-3 12.2.3) */
	if ((x->t->flags & CARTA_TF_T0) && cur.lc > 0 && cur.le > 0)
		cur.le = 0;
	rv = wire(x, &cur, extended, &d, &sw);
	while (rv == CARTA_OK) {
		if ((sw >> 8) == 0x6c && !resent) {
			resent = true;
			cur.le = (sw & 0xff) ? (sw & 0xffu) : 256u;
			rv = wire(x, &cur, extended, &d, &sw);
			continue;
		}
		rv = collect(r, d);
		if (rv != CARTA_OK || (sw >> 8) != 0x61 || (x->flags & CARTA_TX_RAW_61))
			break;
		if (rounds == CARTA_TX_MAX_GETRESP) {
			carta_log(CARTA_LOG_ERROR, "card still answers 61xx after %u GET RESPONSE",
			          rounds);
			rv = CARTA_E_PARSE;
			break;
		}
		rounds++;
		memset(&cur, 0, sizeof(cur));
		cur.cla = x->getresp_cla;
		cur.ins = INS_GET_RESPONSE;
		cur.le = (sw & 0xff) ? (sw & 0xffu) : 256u;
		/* the 6Cxx allowance is per command: GET RESPONSE gets its own */
		resent = false;
		extended = false;
		rv = wire(x, &cur, extended, &d, &sw);
	}
	/* our GET RESPONSE, or one sent for the caller's 61xx (sm.c) */
	if (rv == CARTA_OK && cur.ins == INS_GET_RESPONSE && carta_sw_getresp_refused(sw)) {
		carta_log(CARTA_LOG_ERROR, "GET RESPONSE refused with %04X after 61xx: device fault",
		          sw);
		rv = CARTA_E_CARD;
	}
	if (rv == CARTA_OK)
		r->sw = sw;
	return rv;
}

/* Command chaining (ISO 7816-4 5.1.1.1): 255-byte blocks with CLA | 10 on
 * all but the last; an intermediate answer other than 9000 ends the chain. */
static enum carta_err chain(struct tx *x, const struct carta_apdu *a, struct carta_rapdu *r)
{
	struct carta_apdu blk = *a;
	struct carta_bytes d;
	size_t off = 0;
	uint16_t sw;
	enum carta_err rv;

	while (a->lc - off > CARTA_APDU_SHORT_MAX_LC) {
		blk.cla = (uint8_t)(a->cla | CLA_CHAIN);
		blk.data = a->data + off;
		blk.lc = CARTA_APDU_SHORT_MAX_LC;
		blk.le = 0;
		rv = wire(x, &blk, false, &d, &sw);
		if (rv != CARTA_OK)
			return rv;
		if (sw != 0x9000) {
			r->sw = sw;
			return collect(r, d);
		}
		off += CARTA_APDU_SHORT_MAX_LC;
	}
	blk = *a;
	blk.data = a->data + off;
	blk.lc = a->lc - off;
	return exchange(x, &blk, false, r);
}

/* Without extended APDUs: chain a long data field; an Le above 256 becomes
 * 256 (short Le 00), and the caller reads the rest as it would a short read. */
static enum carta_err send_short(struct tx *x, const struct carta_apdu *a, struct carta_rapdu *r)
{
	struct carta_apdu s = *a;

	if (s.le > CARTA_APDU_SHORT_MAX_LE)
		s.le = CARTA_APDU_SHORT_MAX_LE;
	if (s.lc <= CARTA_APDU_SHORT_MAX_LC)
		return exchange(x, &s, false, r);
	if (x->flags & CARTA_TX_NO_CHAIN)
		return CARTA_E_RANGE;
	return chain(x, &s, r);
}

static enum carta_err dispatch(struct tx *x, const struct carta_apdu *a, struct carta_rapdu *r)
{
	enum carta_err rv;

	if (!carta_apdu_needs_extended(a) || !(x->t->flags & CARTA_TF_EXTENDED))
		return send_short(x, a, r);
	rv = exchange(x, a, true, r);
	/* docs/reference/test-stack.md: readers may refuse extended APDUs although the card takes
	 * them; when the very first wire APDU fails, chain from now on. */
	if (rv == CARTA_E_TRANSPORT && x->wire_calls == 1) {
		carta_log(CARTA_LOG_INFO, "reader refused an extended APDU, using chaining");
		x->t->flags &= ~CARTA_TF_EXTENDED;
		carta_buf_clear(&r->data);
		rv = send_short(x, a, r);
	}
	return rv;
}

enum carta_err carta_transmit_ex(struct carta_transport *t, const struct carta_apdu *a,
                                 unsigned flags, uint8_t getresp_cla, struct carta_rapdu *r)
{
	struct tx x = { .t = t, .flags = flags, .getresp_cla = getresp_cla };
	uint8_t head[2];
	enum carta_err rv = CARTA_E_ARGS;

	if (!t || !a || !r || (a->lc && !a->data))
		goto out;
	carta_buf_clear(&r->data);
	r->sw = 0;
	rv = CARTA_E_RANGE;
	if (a->lc > CARTA_APDU_EXT_MAX_LC || a->le > CARTA_APDU_EXT_MAX_LE)
		goto out;
	head[0] = a->cla;
	head[1] = a->ins;
	x.sensitive = carta_log_apdu_is_sensitive(head, 2, (flags & CARTA_TX_SENSITIVE) != 0);
	carta_buf_init(&x.cmd);
	carta_buf_init(&x.resp);
	rv = dispatch(&x, a, r);
	/* the wire copies may hold a PIN or a secret answer */
	wipe_free(&x.cmd);
	wipe_free(&x.resp);
	if (rv != CARTA_OK) {
		/* no partial data on failure */
		carta_buf_clear(&r->data);
		r->sw = 0;
	}
out:
	return rv;
}

enum carta_err carta_transmit(struct carta_transport *t, const struct carta_apdu *a,
                              unsigned flags, struct carta_rapdu *r)
{
	return carta_transmit_ex(t, a, flags, 0x00, r);
}

enum carta_err carta_transmit_ok(struct carta_transport *t, const struct carta_apdu *a,
                                 unsigned flags, struct carta_rapdu *r)
{
	enum carta_err rv = carta_transmit(t, a, flags, r);

	if (rv != CARTA_OK)
		return rv;
	if (r->sw == 0x9000)
		return CARTA_OK;
	return carta_sw_to_err(r->sw);
}
