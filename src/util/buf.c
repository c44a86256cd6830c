/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

bool carta_add_overflow(size_t a, size_t b, size_t *out)
{
	if (a > CARTA_BUF_MAX || b > CARTA_BUF_MAX - a)
		return true;
	*out = a + b;
	return false;
}

void carta_buf_init(struct carta_buf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void carta_buf_free(struct carta_buf *b)
{
	free(b->p);
	carta_buf_init(b);
}

void carta_buf_clear(struct carta_buf *b)
{
	b->len = 0;
}

/* Doubling growth keeps appends amortised O(1); the cap keeps it bounded. */
enum carta_err carta_buf_reserve(struct carta_buf *b, size_t extra)
{
	size_t need, cap;
	uint8_t *np;

	if (carta_add_overflow(b->len, extra, &need))
		return CARTA_E_RANGE;
	if (need <= b->cap)
		return CARTA_OK;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > CARTA_BUF_MAX / 2 ? CARTA_BUF_MAX : cap * 2;
	np = realloc(b->p, cap);
	if (!np)
		return CARTA_E_NOMEM;
	b->p = np;
	b->cap = cap;
	return CARTA_OK;
}

enum carta_err carta_buf_append(struct carta_buf *b, const uint8_t *p, size_t n)
{
	enum carta_err rv;

	if (n == 0)
		return CARTA_OK;
	if (!p)
		return CARTA_E_ARGS;
	rv = carta_buf_reserve(b, n);
	if (rv != CARTA_OK)
		return rv;
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return CARTA_OK;
}

enum carta_err carta_buf_append_byte(struct carta_buf *b, uint8_t v)
{
	return carta_buf_append(b, &v, 1);
}

enum carta_err carta_buf_set(struct carta_buf *b, const uint8_t *p, size_t n)
{
	carta_buf_clear(b);
	return carta_buf_append(b, p, n);
}

void carta_cursor_init(struct carta_cursor *c, const uint8_t *p, size_t len)
{
	c->p = p;
	c->len = p ? len : 0;
	c->off = 0;
}

size_t carta_cursor_left(const struct carta_cursor *c)
{
	return c->off <= c->len ? c->len - c->off : 0;
}

enum carta_err carta_cursor_u8(struct carta_cursor *c, uint8_t *v)
{
	if (carta_cursor_left(c) < 1)
		return CARTA_E_PARSE;
	*v = c->p[c->off];
	c->off++;
	return CARTA_OK;
}

enum carta_err carta_cursor_u16be(struct carta_cursor *c, uint16_t *v)
{
	if (carta_cursor_left(c) < 2)
		return CARTA_E_PARSE;
	*v = (uint16_t)((unsigned)c->p[c->off] << 8 | c->p[c->off + 1]);
	c->off += 2;
	return CARTA_OK;
}

enum carta_err carta_cursor_take(struct carta_cursor *c, size_t n, struct carta_bytes *out)
{
	if (carta_cursor_left(c) < n)
		return CARTA_E_PARSE;
	out->p = c->p + c->off;
	out->len = n;
	c->off += n;
	return CARTA_OK;
}

enum carta_err carta_buf_copy_out(const struct carta_buf *b, uint8_t **out, size_t *n)
{
	free(*out);
	*out = NULL;
	*n = 0;
	if (b->len == 0)
		return CARTA_OK;
	*out = malloc(b->len);
	if (!*out)
		return CARTA_E_NOMEM;
	memcpy(*out, b->p, b->len);
	*n = b->len;
	return CARTA_OK;
}
