/* SPDX-License-Identifier: BSD-3-Clause */
/* Secret buffers, constant-time comparison, wiping and random bytes. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/crypto.h"
#include "crypto/secret.h"

enum carta_err carta_secret_new(size_t cap, struct carta_secret **out)
{
	struct carta_secret *s = NULL;
	enum carta_err rv = CARTA_OK;

	if (out == NULL) {
		rv = CARTA_E_ARGS;
		goto out;
	}
	if (cap > CARTA_BUF_MAX) {
		rv = CARTA_E_RANGE;
		goto out;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL) {
		rv = CARTA_E_NOMEM;
		goto out;
	}
	/* Always allocate at least one byte so p is never NULL. */
	s->p = calloc(1, cap > 0 ? cap : 1);
	if (s->p == NULL) {
		rv = CARTA_E_NOMEM;
		goto out;
	}
	s->cap = cap;
	/* mlock keeps the secret out of swap; it fails under RLIMIT_MEMLOCK,
	 * which is not a reason to refuse to work. */
	s->locked = cap > 0 && mlock(s->p, cap) == 0;
	*out = s;
	s = NULL;
out:
	carta_secret_free(&s);
	return rv;
}

enum carta_err carta_secret_from(const uint8_t *p, size_t n, struct carta_secret **out)
{
	struct carta_secret *s = NULL;
	enum carta_err rv;

	if (p == NULL && n > 0)
		return CARTA_E_ARGS;
	rv = carta_secret_new(n, &s);
	if (rv != CARTA_OK)
		return rv;
	if (n > 0)
		memcpy(s->p, p, n);
	s->len = n;
	*out = s;
	return CARTA_OK;
}

void carta_secret_free(struct carta_secret **sp)
{
	struct carta_secret *s = sp ? *sp : NULL;

	if (s == NULL)
		return;
	*sp = NULL;
	if (s->p != NULL) {
		OPENSSL_cleanse(s->p, s->cap > 0 ? s->cap : 1);
		if (s->locked)
			munlock(s->p, s->cap);
		free(s->p);
	}
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

bool carta_ct_equal(const uint8_t *a, const uint8_t *b, size_t n)
{
	if (n == 0)
		return true;
	if (a == NULL || b == NULL)
		return false;
	return CRYPTO_memcmp(a, b, n) == 0;
}

void carta_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		OPENSSL_cleanse(p, n);
}

enum carta_err carta_random(uint8_t *out, size_t n)
{
	size_t done = 0;

	if (out == NULL && n > 0)
		return CARTA_E_ARGS;
	/* RAND_bytes takes an int: feed it in chunks. */
	while (done < n) {
		size_t chunk = n - done;
		if (chunk > 4096)
			chunk = 4096;
		if (RAND_bytes(out + done, (int)chunk) != 1)
			return CARTA_E_CRYPTO;
		done += chunk;
	}
	return CARTA_OK;
}

size_t carta_ct_mask_nonzero(size_t x)
{
	/* the top bit of x | -x is set exactly when x != 0 */
	size_t bit = (x | ((size_t)0 - x)) >> (sizeof(size_t) * 8 - 1);

	return (size_t)0 - bit;
}

size_t carta_ct_select(size_t mask, size_t a, size_t b)
{
	return (a & mask) | (b & ~mask);
}
