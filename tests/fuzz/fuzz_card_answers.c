/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: carta_card_open and the CNS operations against a card whose
 * answers come from the input. Must never crash, hang or leak. Input: one
 * byte choosing the ATR, then answers as (2-byte length, bytes). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "carta/card.h"
#include "apdu/transport.h"
#include "util/hex.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const atrs[] = {
	"3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 01 11 01 43 4E 53 11 31 80 8D",
	"3B DF 18 00 81 31 FE 7D 00 6B 02 0C 01 82 01 11 01 43 4E 53 10 31 80 FC",
	"3B FF 18 00 00 81 31 FE 45 00 6B 05 05 20 00 01 21 01 43 4E 53 10 31 80 79",
	"3B FF 18 00 FF 81 31 FE 4D 00 6B 04 04 B8 5B 01 F1 01 43 4E 53 10 31 80 9D",
	"3B 80 80 01 01",
	"3B 88 80 01 00 00 00 00 03 81 91 00 1A",
	"3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 0C 01 11 01 43 4E 53 10 31 80 05",
	"3B 8B 80 01 00 31 C1 64 08 92 33 54 00 90 00 F3",
};

struct fake {
	struct carta_transport t;
	const uint8_t *p;
	size_t left;
	unsigned n;
};

static enum carta_err fake_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                    struct carta_buf *resp)
{
	struct fake *f = (struct fake *)t;
	size_t len;

	(void)cmd;
	(void)n;
	carta_buf_clear(resp);
	/* bounded: a driver that loops runs out of answers */
	if (f->left < 2 || ++f->n > 400)
		return CARTA_E_CARD_REMOVED;
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

static enum carta_err fake_ok(struct carta_transport *t)
{
	(void)t;
	return CARTA_OK;
}

static void fake_close(struct carta_transport *t)
{
	(void)t;
}

static const struct carta_transport_ops ops = {
	.transmit = fake_transmit, .begin = fake_ok, .end = fake_ok, .reset = fake_ok,
	.close = fake_close,
};

static void exercise(struct carta_card *c)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	struct carta_pin_status st;
	uint8_t blk[512], out[512];
	size_t outlen = sizeof(out);
	int tries;

	(void)carta_card_pin_status(c, 0, &st);
	(void)carta_card_verify(c, 0, (const uint8_t *)"12345678", 8, &tries);
	memset(blk, 0x42, sizeof(blk));
	if (d->n_keys > 0) {
		size_t k = d->keys[0].bits / 8;

		(void)carta_card_sign(c, 0, CARTA_SIGN_RAW_BLOCK, blk, k <= 512 ? k : 512, out, &outlen);
		outlen = sizeof(out);
		(void)carta_card_sign(c, 0, CARTA_SIGN_PKCS1_DATA, blk, 51, out, &outlen);
	}
	(void)carta_card_change(c, 0, (const uint8_t *)"12345", 5, (const uint8_t *)"54321", 5,
	                        &tries);
	(void)carta_card_unblock(c, 0, (const uint8_t *)"87654321", 8, (const uint8_t *)"12345", 5,
	                         &tries);
	(void)carta_card_logout(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fake *f;
	struct carta_buf atr;
	struct carta_card *c = NULL;
	const char *a;

	if (size < 1)
		return 0;
	f = calloc(1, sizeof(*f));
	if (!f)
		return 0;
	f->t.ops = &ops;
	a = atrs[data[0] % (sizeof(atrs) / sizeof(atrs[0]))];
	carta_buf_init(&atr);
	if (carta_hex_decode(a, strlen(a), &atr) == CARTA_OK && atr.len <= sizeof(f->t.atr)) {
		memcpy(f->t.atr, atr.p, atr.len);
		f->t.atr_len = atr.len;
	}
	carta_buf_free(&atr);
	f->p = data + 1;
	f->left = size - 1;
	if (carta_card_open(&f->t, &c) == CARTA_OK) {
		exercise(c);
		carta_card_close(c);
	}
	free(f);
	return 0;
}
