/* SPDX-License-Identifier: BSD-3-Clause */
/* Terminal-CA key of the virtual CIE for a fixed private exponent
 * (docs/reference/cie-constants.md "Note for the virtual card"). Big-number work by OpenSSL. */
#include <string.h>

#include <openssl/bn.h>

#include "crypto/tools/cie_ca.h"

struct ca_stream {
	const uint8_t *seed;
	size_t seedlen;
	uint32_t ctr;
};

/* Candidate of `bytes` bytes: SHA-256(seed || ctr) blocks, top two bits and the
 * low bit set, then the next prime above it. */
static enum carta_err next_prime(struct ca_stream *s, size_t bytes, BIGNUM *p, BN_CTX *ctx)
{
	uint8_t buf[512];
	enum carta_err e = CARTA_OK;
	int r = 0;

	if (bytes > sizeof(buf))
		return CARTA_E_RANGE;
	for (size_t off = 0; off < bytes && e == CARTA_OK; off += 32) {
		size_t n = bytes - off < 32 ? bytes - off : 32;
		e = carta_kdf_counter(CARTA_HASH_SHA256, s->seed, s->seedlen, s->ctr++, buf + off, n);
	}
	if (e != CARTA_OK)
		return e;
	buf[0] |= 0xC0;
	buf[bytes - 1] |= 0x01;
	if (BN_bin2bn(buf, (int)bytes, p) == NULL)
		return CARTA_E_CRYPTO;
	while ((r = BN_check_prime(p, ctx, NULL)) == 0) {
		if (!BN_add_word(p, 2))
			return CARTA_E_CRYPTO;
	}
	return r == 1 ? CARTA_OK : CARTA_E_CRYPTO;
}

/* lcm(p-1, q-1) into l; true if gcd(d, l) == 1 and d < n. */
static bool usable(const BIGNUM *p, const BIGNUM *q, const BIGNUM *d, const BIGNUM *n,
                   BIGNUM *l, BN_CTX *ctx)
{
	BIGNUM *p1 = BN_CTX_get(ctx), *q1 = BN_CTX_get(ctx), *g = BN_CTX_get(ctx);

	if (g == NULL || BN_cmp(p, q) == 0 || BN_cmp(d, n) >= 0)
		return false;
	if (!BN_sub(p1, p, BN_value_one()) || !BN_sub(q1, q, BN_value_one()) ||
	    !BN_gcd(g, p1, q1, ctx) || !BN_mul(l, p1, q1, ctx) || !BN_div(l, NULL, l, g, ctx) ||
	    !BN_gcd(g, d, l, ctx))
		return false;
	return BN_is_one(g);
}

static enum carta_err put_bn(const BIGNUM *v, size_t len, struct carta_buf *out)
{
	uint8_t buf[512];

	if (len > sizeof(buf) || BN_bn2binpad(v, buf, (int)len) < 0)
		return CARTA_E_CRYPTO;
	return carta_buf_append(out, buf, len);
}

enum carta_err carta_tk_cie_ca_key(const char *seed, const uint8_t *d, size_t dlen, size_t bits,
                                   struct carta_buf *n, struct carta_buf *e)
{
	struct ca_stream s = { (const uint8_t *)seed, 0, 0 };
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *p, *q, *bd, *bn, *l, *be;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (seed == NULL || d == NULL || n == NULL || e == NULL || bits % 16 != 0 ||
	    bits < 512 || bits > 4096 || dlen == 0 || dlen > 512) {
		BN_CTX_free(ctx);
		return CARTA_E_ARGS;
	}
	s.seedlen = strlen(seed);
	if (ctx == NULL)
		return CARTA_E_NOMEM;
	BN_CTX_start(ctx);
	p = BN_CTX_get(ctx);
	q = BN_CTX_get(ctx);
	bd = BN_CTX_get(ctx);
	bn = BN_CTX_get(ctx);
	l = BN_CTX_get(ctx);
	be = BN_CTX_get(ctx);
	if (be == NULL || BN_bin2bn(d, (int)dlen, bd) == NULL)
		goto out;
	rv = next_prime(&s, bits / 16, p, ctx);
	/* keep p, draw q until the pair fits d (a few tries at most) */
	for (int tries = 0; rv == CARTA_OK; tries++) {
		if (tries > 64) {
			rv = CARTA_E_CRYPTO;
			break;
		}
		rv = next_prime(&s, bits / 16, q, ctx);
		if (rv != CARTA_OK)
			break;
		if (!BN_mul(bn, p, q, ctx)) {
			rv = CARTA_E_CRYPTO;
			break;
		}
		BN_CTX_start(ctx);
		bool ok = (size_t)BN_num_bits(bn) == bits && usable(p, q, bd, bn, l, ctx);
		BN_CTX_end(ctx);
		if (ok)
			break;
	}
	if (rv != CARTA_OK)
		goto out;
	rv = CARTA_E_CRYPTO;
	if (BN_mod_inverse(be, bd, l, ctx) == NULL)
		goto out;
	rv = put_bn(bn, bits / 8, n);
	if (rv == CARTA_OK)
		rv = put_bn(be, (size_t)BN_num_bytes(be), e);
out:
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return rv;
}
