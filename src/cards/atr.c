/* SPDX-License-Identifier: BSD-3-Clause */
/* ATR tables of one driver: hex rows decoded, masked comparison, score;
 * and the historical bytes of an ATR. Which driver gets a card is the
 * registry's business (registry.c). */
#include <string.h>

#include "cards/card.h"
#include "util/hex.h"
#include "util/log.h"

#define ATR_MAX 33

/* One table row, decoded. */
struct decoded {
	uint8_t val[ATR_MAX], mask[ATR_MAX];
	size_t len;
};

static bool decode_hex(const char *s, uint8_t *out, size_t *len)
{
	struct carta_buf b;
	bool ok;

	carta_buf_init(&b);
	ok = carta_hex_decode(s, strlen(s), &b) == CARTA_OK && b.len > 0 && b.len <= ATR_MAX;
	if (ok) {
		memcpy(out, b.p, b.len);
		*len = b.len;
	}
	carta_buf_free(&b);
	return ok;
}

/* false for a row whose hex does not decode: it never matches */
static bool decode_row(const struct carta_atr_row *r, struct decoded *d)
{
	size_t mlen = 0;

	if (!decode_hex(r->value, d->val, &d->len))
		return false;
	if (!r->mask) {
		memset(d->mask, 0xff, d->len);
		return true;
	}
	return decode_hex(r->mask, d->mask, &mlen) && mlen == d->len;
}

static bool row_matches(const struct carta_atr_row *r, const uint8_t *atr, size_t n)
{
	struct decoded d;

	if (!decode_row(r, &d)) {
		carta_log(CARTA_LOG_ERROR, "bad ATR row %s", r->value);
		return false;
	}
	if (d.len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((atr[i] & d.mask[i]) != (d.val[i] & d.mask[i]))
			return false;
	return true;
}

/* The rows are decoded at each call: a few dozen short hex strings, once
 * per driver when a card is opened, and no state shared between threads. */
int carta_atr_score(const struct carta_card_driver *d, const uint8_t *atr, size_t n,
                    const struct carta_atr_row **row)
{
	int best = 0;

	*row = NULL;
	if (!atr || n == 0 || n > ATR_MAX)
		return 0;
	for (const struct carta_atr_row *r = d->atrs; r && r->value; r++) {
		if (r->priority > best && row_matches(r, atr, n)) {
			best = r->priority;
			*row = r;
		}
	}
	if (best == 0 && d->match)
		best = d->match(atr, n);
	return best;
}

/* ISO/IEC 7816-3 8.2.2-8.2.3: T0 = Y1|K; each TDi = Yi+1|T. */
enum carta_err carta_atr_hist(const uint8_t *atr, size_t n, const uint8_t **hist, size_t *hlen)
{
	size_t i = 1, k;
	uint8_t y;

	if (!atr || n < 2 || (atr[0] != 0x3b && atr[0] != 0x3f))
		return CARTA_E_PARSE;
	k = atr[1] & 0x0fu;
	y = (uint8_t)(atr[1] >> 4);
	for (;;) {
		size_t cnt = (size_t)((y & 1u) + ((y >> 1) & 1u) + ((y >> 2) & 1u));
		bool td = (y & 8u) != 0;

		i += cnt;
		if (!td)
			break;
		i++;
		if (i >= n)
			return CARTA_E_PARSE;
		y = (uint8_t)(atr[i] >> 4);
	}
	i++;
	if (i > n || n - i < k)
		return CARTA_E_PARSE;
	*hist = atr + i;
	*hlen = k;
	return CARTA_OK;
}

/* PC/SC part 3 3.1.3.2.3: the ATR a reader synthesises for a contactless
 * card, 3B 8n 80 01 <historical bytes> [TCK]. */
bool carta_atr_contactless(const uint8_t *atr, size_t n)
{
	return atr && n >= 4 && atr[0] == 0x3b && (atr[1] & 0xf0u) == 0x80 && atr[2] == 0x80 &&
	       atr[3] == 0x01;
}
