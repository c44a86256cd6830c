/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: response splitting and the exchange rules against a card whose
 * answers are the fuzzer's bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "apdu/exchange.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	struct carta_transport t;
	const uint8_t *p;
	size_t left;
};

/* Each answer: a 2-byte big-endian length, then that many bytes. The card
 * goes silent (transport error) when the input runs out. */
static enum carta_err fz_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                  struct carta_buf *resp)
{
	struct fz *f = (struct fz *)t;
	size_t len;

	(void)cmd;
	if (n < 4)
		__builtin_trap();  /* the module never sends less than a header */
	carta_buf_clear(resp);
	if (f->left < 2)
		return CARTA_E_TRANSPORT;
	len = (size_t)f->p[0] << 8 | f->p[1];
	f->p += 2;
	f->left -= 2;
	if (len > f->left)
		len = f->left;
	if (carta_buf_append(resp, f->p, len) != CARTA_OK)
		return CARTA_E_NOMEM;
	f->p += len;
	f->left -= len;
	return CARTA_OK;
}

static const struct carta_transport_ops fz_ops = { .transmit = fz_transmit };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t cmdata[1000];
	struct fz f;
	struct carta_apdu a;
	struct carta_rapdu r;
	struct carta_bytes d;
	uint16_t sw;
	unsigned flags;
	enum carta_err rv;

	if (carta_rapdu_split(data, size, &d, &sw) == CARTA_OK && d.len + 2 != size)
		__builtin_trap();
	if (size < 4)
		return 0;
	memset(&f, 0, sizeof(f));
	f.t.ops = &fz_ops;
	f.t.flags = data[0] & (CARTA_TF_T0 | CARTA_TF_EXTENDED);
	flags = (data[0] >> 4) & (CARTA_TX_NO_CHAIN | CARTA_TX_RAW_61 | CARTA_TX_SENSITIVE);
	memset(&a, 0, sizeof(a));
	a.cla = data[1] & 0x0c;
	a.ins = 0xb0;
	a.lc = (size_t)(data[2] & 0x03) * 300;  /* 0, 300, 600, 900: short, chained */
	a.data = cmdata;
	a.le = (size_t)(data[3] & 0x03) == 3 ? 65536 : (size_t)(data[3] & 0x03) * 128;
	f.p = data + 4;
	f.left = size - 4;
	carta_rapdu_init(&r);
	rv = carta_transmit(&f.t, &a, flags, &r);
	if (rv == CARTA_OK && r.data.len > CARTA_TX_MAX_RESP)
		__builtin_trap();
	if (rv != CARTA_OK && (r.data.len != 0 || r.sw != 0))
		__builtin_trap();
	/* bounded: chain blocks + (6Cxx resend + GET RESPONSE rounds), twice with the fallback */
	if (f.t.n_apdu > 2 * (4 + 2 * (CARTA_TX_MAX_GETRESP + 2)))
		__builtin_trap();
	carta_rapdu_free(&r);
	return 0;
}
