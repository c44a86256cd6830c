/* SPDX-License-Identifier: BSD-3-Clause */
/* ATR tables: hex rows decoded once, masked comparison, historical bytes. */
#include <pthread.h>
#include <string.h>

#include "cards/card.h"
#include "util/hex.h"
#include "util/log.h"

#define MAX_ROWS 160
#define ATR_MAX 33

struct decoded {
	const struct carta_atr_row *row;
	uint8_t val[ATR_MAX], mask[ATR_MAX];
	size_t len;
	bool bad;             /* row whose hex does not decode: never matches */
};

static struct decoded rows[MAX_ROWS];
static size_t n_rows;
static pthread_once_t once = PTHREAD_ONCE_INIT;

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

static void decode_row(const struct carta_atr_row *r, struct decoded *d)
{
	size_t mlen = 0;

	d->row = r;
	if (!decode_hex(r->value, d->val, &d->len)) {
		d->bad = true;
		return;
	}
	if (!r->mask) {
		memset(d->mask, 0xff, d->len);
		return;
	}
	if (!decode_hex(r->mask, d->mask, &mlen) || mlen != d->len)
		d->bad = true;
}

static void decode_all(void)
{
	for (size_t i = 0; carta_card_drivers[i]; i++) {
		const struct carta_atr_row *r = carta_card_drivers[i]->atrs;

		for (; r && r->value; r++) {
			if (n_rows == MAX_ROWS) {
				carta_log(CARTA_LOG_ERROR, "ATR table too large");
				return;
			}
			decode_row(r, &rows[n_rows]);
			if (rows[n_rows].bad)
				carta_log(CARTA_LOG_ERROR, "bad ATR row %s", r->value);
			n_rows++;
		}
	}
}

static bool row_matches(const struct decoded *d, const uint8_t *atr, size_t n)
{
	if (d->bad || d->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((atr[i] & d->mask[i]) != (d->val[i] & d->mask[i]))
			return false;
	return true;
}

static bool row_of(const struct carta_card_driver *d, const struct carta_atr_row *r)
{
	for (const struct carta_atr_row *x = d->atrs; x && x->value; x++)
		if (x == r)
			return true;
	return false;
}

int carta_atr_score(const struct carta_card_driver *d, const uint8_t *atr, size_t n,
                    const struct carta_atr_row **row)
{
	int best = 0;

	*row = NULL;
	if (!atr || n == 0 || n > ATR_MAX)
		return 0;
	pthread_once(&once, decode_all);
	for (size_t i = 0; i < n_rows; i++) {
		if (!row_of(d, rows[i].row) || !row_matches(&rows[i], atr, n))
			continue;
		if (rows[i].row->priority > best) {
			best = rows[i].row->priority;
			*row = rows[i].row;
		}
	}
	if (best == 0 && d->match)
		best = d->match(atr, n);
	return best;
}

const char *carta_atr_driver(const uint8_t *atr, size_t n)
{
	const struct carta_atr_row *row;
	const char *name = NULL;
	int best = CARTA_SCORE_CLAIM - 1;

	for (size_t i = 0; carta_card_drivers[i]; i++) {
		int s = carta_atr_score(carta_card_drivers[i], atr, n, &row);

		if (s > best) {
			best = s;
			name = carta_card_drivers[i]->name;
		}
	}
	return name;
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
