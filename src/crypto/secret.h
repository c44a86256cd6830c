/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_SECRET_H
#define CARTA_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carta/err.h"

/* Holder of anything secret: PINs, PUKs, session keys, DH private values.
 * Memory is mlock'd when possible and wiped with OPENSSL_cleanse on free.
 * A PIN is bytes + length, never a NUL-terminated string. */
struct carta_secret {
	uint8_t *p;
	size_t len;
	size_t cap;
	bool locked;
};

/* New secret with capacity `cap` (len 0). */
enum carta_err carta_secret_new(size_t cap, struct carta_secret **out);
/* New secret holding a copy of p[0..n). */
enum carta_err carta_secret_from(const uint8_t *p, size_t n, struct carta_secret **out);
/* Wipe, unlock and free *s, and set *s to NULL; NULL or *s NULL is fine. */
void carta_secret_free(struct carta_secret **s);
/* Constant-time equality of two byte strings of the same length n. */
bool carta_ct_equal(const uint8_t *a, const uint8_t *b, size_t n);
/* Constant-time building blocks (no branch, no table lookup on the values):
 * carta_ct_mask_nonzero(x) is all-ones when x != 0, else 0;
 * carta_ct_select(mask, a, b) is a when mask is all-ones, b when it is 0. */
size_t carta_ct_mask_nonzero(size_t x);
size_t carta_ct_select(size_t mask, size_t a, size_t b);

/* Wipe memory that held a secret (OPENSSL_cleanse): the one way carta wipes. */
void carta_wipe(void *p, size_t n);

#endif
