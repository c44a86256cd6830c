/* SPDX-License-Identifier: BSD-3-Clause */
/* ISO/IEC 7816-4 commands in the forms of docs/reference/cns.md 1.6-1.8, and the
 * one "send, keep only the status word" helper every driver uses. */
#include <string.h>

#include "apdu/sw.h"
#include "crypto/secret.h"
#include "cards/iso7816.h"
#include "util/tlv.h"

#define PIN_BLOCK 8u

static enum carta_err fci_size(const struct carta_tlv *t, struct carta_fci *fci)
{
	size_t v = 0;

	if (t->value.len == 0 || t->value.len > 4)
		return CARTA_E_PARSE;
	for (size_t i = 0; i < t->value.len; i++)
		v = (v << 8) | t->value.p[i];
	fci->size = v;
	fci->has_size = true;
	return CARTA_OK;
}

enum carta_err carta_iso_parse_fci(const uint8_t *p, size_t n, struct carta_fci *fci)
{
	struct carta_bytes in = { p, n }, body;
	struct carta_tlv top, t;
	enum carta_err rv;

	memset(fci, 0, sizeof(*fci));
	if (n == 0)
		return CARTA_OK;
	rv = carta_tlv_next(&in, &top);
	if (rv != CARTA_OK)
		return rv;
	if ((top.tag != 0x6f && top.tag != 0x62) || in.len != 0)
		return CARTA_E_PARSE;
	body = top.value;
	while (body.len > 0) {
		rv = carta_tlv_next(&body, &t);
		if (rv != CARTA_OK)
			return rv;
		/* 80 = data bytes, 81 = bytes incl. structural information: either
		 * is the size to read (docs/reference/cns.md 1.7) */
		if ((t.tag == 0x80 || (t.tag == 0x81 && !fci->has_size))) {
			rv = fci_size(&t, fci);
			if (rv != CARTA_OK)
				return rv;
		} else if (t.tag == 0x82 && t.value.len > 0) {
			fci->is_df = t.value.p[0] == 0x38;
		}
	}
	return CARTA_OK;
}

enum carta_err carta_iso_select(struct carta_transport *t, uint8_t p1, const uint8_t *data,
                                size_t n, struct carta_fci *fci)
{
	struct carta_apdu a = { .ins = 0xa4, .p1 = p1, .p2 = 0x0c, .data = data, .lc = n };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	if (fci) {
		a.p2 = 0x00;
		a.le = 256;
	}
	rv = carta_transmit_ok(t, &a, 0, &r);
	if (rv == CARTA_OK && fci)
		rv = carta_iso_parse_fci(r.data.p, r.data.len, fci);
	carta_rapdu_free(&r);
	return rv;
}

/* One READ BINARY of up to `want` bytes at `off`. *eof when the card says
 * there is no more (6282, 6B00 at the end, docs/reference/cns.md 1.7). */
static enum carta_err read_once(struct carta_transport *t, size_t off, size_t want,
                                struct carta_buf *out, bool *eof)
{
	struct carta_apdu a = { .ins = 0xb0, .le = want };
	struct carta_rapdu r;
	enum carta_err rv;

	*eof = false;
	if (off > 0x7fff)
		return CARTA_E_RANGE;
	a.p1 = (uint8_t)(off >> 8);
	a.p2 = (uint8_t)(off & 0xff);
	carta_rapdu_init(&r);
	rv = carta_transmit(t, &a, 0, &r);
	if (rv != CARTA_OK)
		goto out;
	if (r.sw == 0x6282 || r.sw == 0x6b00) {
		*eof = true;
	} else if (r.sw != 0x9000) {
		rv = carta_sw_to_err(r.sw);
		goto out;
	}
	if (r.data.len > want) {
		rv = CARTA_E_PARSE;
		goto out;
	}
	if (r.data.len < want)
		*eof = true;
	rv = carta_buf_append(out, r.data.p, r.data.len);
out:
	carta_rapdu_free(&r);
	return rv;
}

enum carta_err carta_iso_read(struct carta_transport *t, size_t off, size_t len, size_t max,
                              struct carta_buf *out)
{
	bool ext = (t->flags & CARTA_TF_EXTENDED) != 0, eof = false;
	size_t got = 0, limit = len ? len : max;
	enum carta_err rv = CARTA_OK;

	if (limit > max)
		return CARTA_E_RANGE;
	while (!eof && got < limit) {
		size_t before = out->len, want = limit - got;
		size_t cap = ext ? 65535u : 256u;

		if (want > cap)
			want = cap;
		if (off > SIZE_MAX - got)
			return CARTA_E_RANGE;
		rv = read_once(t, off + got, want, out, &eof);
		if (rv != CARTA_OK)
			break;
		got += out->len - before;
	}
	return rv;
}

enum carta_err carta_iso_pin_block(const uint8_t *pin, size_t n, uint8_t out[8])
{
	if (n > PIN_BLOCK || (n && !pin))
		return CARTA_E_PIN_LEN;
	memset(out, 0xff, PIN_BLOCK);
	if (n)
		memcpy(out, pin, n);
	return CARTA_OK;
}

static enum carta_err pin_apdu(struct carta_transport *t, uint8_t ins, uint8_t ref,
                               const uint8_t *data, size_t lc, int *tries, uint16_t *swp)
{
	struct carta_apdu a = { .ins = ins, .p2 = ref, .data = data, .lc = lc };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	if (tries)
		*tries = -1;
	rv = carta_transmit(t, &a, CARTA_TX_SENSITIVE, &r);
	if (rv == CARTA_OK) {
		if (swp)
			*swp = r.sw;
		if (tries)
			*tries = carta_sw_tries(r.sw);
		rv = r.sw == 0x9000 ? CARTA_OK : carta_sw_to_err(r.sw);
	}
	carta_rapdu_free(&r);
	return rv;
}

enum carta_err carta_iso_verify(struct carta_transport *t, uint8_t ref, const uint8_t *pin,
                                size_t n, int *tries, uint16_t *sw)
{
	uint8_t blk[PIN_BLOCK];
	enum carta_err rv;

	if (!pin)
		return pin_apdu(t, 0x20, ref, NULL, 0, tries, sw);
	rv = carta_iso_pin_block(pin, n, blk);
	if (rv == CARTA_OK)
		rv = pin_apdu(t, 0x20, ref, blk, sizeof(blk), tries, sw);
	carta_wipe(blk, sizeof(blk));
	return rv;
}

static enum carta_err two_blocks(struct carta_transport *t, uint8_t ins, uint8_t ref,
                                 const uint8_t *a, size_t an, const uint8_t *b, size_t bn,
                                 int *tries)
{
	uint8_t blk[2 * PIN_BLOCK];
	enum carta_err rv;

	rv = carta_iso_pin_block(a, an, blk);
	if (rv == CARTA_OK)
		rv = carta_iso_pin_block(b, bn, blk + PIN_BLOCK);
	if (rv == CARTA_OK)
		rv = pin_apdu(t, ins, ref, blk, sizeof(blk), tries, NULL);
	carta_wipe(blk, sizeof(blk));
	return rv;
}

enum carta_err carta_iso_change(struct carta_transport *t, uint8_t ref, const uint8_t *o,
                                size_t on, const uint8_t *nv, size_t nn, int *tries)
{
	return two_blocks(t, 0x24, ref, o, on, nv, nn, tries);
}

enum carta_err carta_iso_reset_retry(struct carta_transport *t, uint8_t ref, const uint8_t *puk,
                                     size_t pn, const uint8_t *nv, size_t nn, int *tries)
{
	return two_blocks(t, 0x2c, ref, puk, pn, nv, nn, tries);
}

enum carta_err carta_iso_send_via(carta_tx_t tx, void *ctx, const struct carta_apdu *a)
{
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = tx(ctx, a, 0, &r);
	carta_rapdu_free(&r);
	return rv;
}

static enum carta_err plain_tx(void *ctx, const struct carta_apdu *a, unsigned flags,
                               struct carta_rapdu *r)
{
	return carta_transmit_ok(ctx, a, flags, r);
}

enum carta_err carta_iso_send(struct carta_transport *t, const struct carta_apdu *a)
{
	return carta_iso_send_via(plain_tx, t, a);
}

enum carta_err carta_iso_mse_restore(struct carta_transport *t, uint8_t se)
{
	/* docs/reference/cns.md 1.8: the card wants a trailing 00 ("Lc=0"), sent as a case-2 Le */
	struct carta_apdu a = { .ins = 0x22, .p1 = 0xf3, .p2 = se, .le = 256 };

	return carta_iso_send(t, &a);
}

enum carta_err carta_iso_mse_set(struct carta_transport *t, uint8_t tmpl, uint8_t key)
{
	uint8_t crt[3] = { 0x83, 0x01, key };
	struct carta_apdu a = { .ins = 0x22, .p1 = 0xf1, .p2 = tmpl, .data = crt, .lc = 3 };

	return carta_iso_send(t, &a);
}

static enum carta_err pso(struct carta_transport *t, uint8_t p1, uint8_t p2, const uint8_t *in,
                          size_t n, size_t expect, uint8_t *out)
{
	struct carta_apdu a = { .ins = 0x2a, .p1 = p1, .p2 = p2, .data = in, .lc = n,
	                        .le = expect };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = carta_transmit_ok(t, &a, CARTA_TX_SENSITIVE, &r);
	if (rv == CARTA_OK && r.data.len != expect)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		memcpy(out, r.data.p, expect);
	if (r.data.p)
		carta_wipe(r.data.p, r.data.cap);
	carta_rapdu_free(&r);
	return rv;
}

enum carta_err carta_iso_pso_decipher(struct carta_transport *t, const uint8_t *in, size_t n,
                                      size_t expect, uint8_t *out)
{
	struct carta_buf d;
	enum carta_err rv;

	/* the leading 00 is the padding-indicator byte (ISO 7816-8, docs/reference/cns.md 1.8) */
	carta_buf_init(&d);
	rv = carta_buf_append_byte(&d, 0x00);
	if (rv == CARTA_OK)
		rv = carta_buf_append(&d, in, n);
	if (rv == CARTA_OK)
		rv = pso(t, 0x80, 0x86, d.p, d.len, expect, out);
	if (d.p)
		carta_wipe(d.p, d.cap);
	carta_buf_free(&d);
	return rv;
}

enum carta_err carta_iso_pso_cds(struct carta_transport *t, const uint8_t *in, size_t n,
                                 size_t expect, uint8_t *out)
{
	return pso(t, 0x9e, 0x9a, in, n, expect, out);
}

enum carta_err carta_iso_get_challenge(struct carta_transport *t, size_t chunk, uint8_t *out,
                                       size_t n)
{
	struct carta_apdu a = { .ins = 0x84 };
	struct carta_rapdu r;
	enum carta_err rv = CARTA_OK;
	size_t got = 0;

	if (chunk == 0 || chunk > 256)
		return CARTA_E_ARGS;
	carta_rapdu_init(&r);
	while (rv == CARTA_OK && got < n) {
		a.le = n - got < chunk ? n - got : chunk;
		rv = carta_transmit_ok(t, &a, 0, &r);
		if (rv == CARTA_OK && r.data.len != a.le)
			rv = CARTA_E_PARSE;
		if (rv == CARTA_OK) {
			memcpy(out + got, r.data.p, a.le);
			got += a.le;
		}
	}
	carta_rapdu_free(&r);
	return rv;
}

enum carta_err carta_iso_get_data(struct carta_transport *t, uint8_t p1, uint8_t p2,
                                  struct carta_buf *out)
{
	struct carta_apdu a = { .ins = 0xca, .p1 = p1, .p2 = p2, .le = 256 };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = carta_transmit_ok(t, &a, 0, &r);
	if (rv == CARTA_OK)
		rv = carta_buf_set(out, r.data.p, r.data.len);
	carta_rapdu_free(&r);
	return rv;
}
