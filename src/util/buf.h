/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_BUF_H
#define CARTA_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carta/err.h"

/* A read-only view of bytes owned by someone else. */
struct carta_bytes {
	const uint8_t *p;
	size_t len;
};

/* A growable byte buffer that owns its memory. Zero-initialised = empty.
 * Not for secrets: those live in struct carta_secret (src/crypto/secret.h). */
struct carta_buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

/* Hard ceiling for any buffer (16 MiB): nothing a card sends is larger. */
#define CARTA_BUF_MAX ((size_t)16 * 1024 * 1024)

/* true if a + b overflows or exceeds CARTA_BUF_MAX; else *out = a + b */
bool carta_add_overflow(size_t a, size_t b, size_t *out);

void carta_buf_init(struct carta_buf *b);
void carta_buf_free(struct carta_buf *b);   /* frees and re-initialises */
void carta_buf_clear(struct carta_buf *b);  /* len = 0, keeps memory */
enum carta_err carta_buf_reserve(struct carta_buf *b, size_t extra);
enum carta_err carta_buf_append(struct carta_buf *b, const uint8_t *p, size_t n);
enum carta_err carta_buf_append_byte(struct carta_buf *b, uint8_t v);
enum carta_err carta_buf_set(struct carta_buf *b, const uint8_t *p, size_t n);
/* A malloc'd copy of b's bytes for a plain (pointer, length) field: frees
 * *out first; an empty b gives NULL and 0. */
enum carta_err carta_buf_copy_out(const struct carta_buf *b, uint8_t **out, size_t *n);
static inline struct carta_bytes carta_buf_view(const struct carta_buf *b)
{
	struct carta_bytes v = { b->p, b->len };
	return v;
}

/* A bounds-checked cursor over bytes. Every getter fails with CARTA_E_PARSE
 * rather than read past the end. */
struct carta_cursor {
	const uint8_t *p;
	size_t len;
	size_t off;
};
void carta_cursor_init(struct carta_cursor *c, const uint8_t *p, size_t len);
size_t carta_cursor_left(const struct carta_cursor *c);
enum carta_err carta_cursor_u8(struct carta_cursor *c, uint8_t *v);
enum carta_err carta_cursor_u16be(struct carta_cursor *c, uint16_t *v);
enum carta_err carta_cursor_take(struct carta_cursor *c, size_t n, struct carta_bytes *out);

#endif
