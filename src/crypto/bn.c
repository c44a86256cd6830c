/* SPDX-License-Identifier: BSD-3-Clause */
/* Big-number operations: constant-time modular exponentiation (DH, raw RSA
 * with a private exponent), raw RSA public operation, comparison. */
#include <string.h>

#include <openssl/bn.h>

#include "crypto/crypto.h"

int carta_bn_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	/* Public values only (lengths, moduli): not constant time. */
	while (alen > 0 && a[0] == 0) {
		a++;
		alen--;
	}
	while (blen > 0 && b[0] == 0) {
		b++;
		blen--;
	}
	if (alen != blen)
		return alen < blen ? -1 : 1;
	if (alen == 0)
		return 0;
	{
		int c = memcmp(a, b, alen);
		return c < 0 ? -1 : (c > 0 ? 1 : 0);
	}
}

static bool len_ok(size_t n)
{
	/* BN_bin2bn takes an int; nothing we handle is near 16 MiB anyway. */
	return n <= CARTA_BUF_MAX;
}

enum carta_err carta_modexp(const uint8_t *base, size_t blen, const uint8_t *exp, size_t elen,
                            const uint8_t *m, size_t mlen, uint8_t *out)
{
	BN_CTX *ctx = NULL;
	BIGNUM *bb = NULL, *be = NULL, *bm = NULL, *br = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if ((base == NULL && blen > 0) || (exp == NULL && elen > 0) || m == NULL || mlen == 0 ||
	    out == NULL)
		return CARTA_E_ARGS;
	if (!len_ok(blen) || !len_ok(elen) || !len_ok(mlen))
		return CARTA_E_RANGE;
	ctx = BN_CTX_new();
	bb = BN_new();
	be = BN_secure_new();
	bm = BN_new();
	br = BN_secure_new();
	if (ctx == NULL || bb == NULL || be == NULL || bm == NULL || br == NULL) {
		rv = CARTA_E_NOMEM;
		goto out;
	}
	BN_set_flags(be, BN_FLG_CONSTTIME);
	if (BN_bin2bn(base, (int)blen, bb) == NULL || BN_bin2bn(exp, (int)elen, be) == NULL ||
	    BN_bin2bn(m, (int)mlen, bm) == NULL)
		goto out;
	/* Montgomery needs an odd modulus: true for DH primes and RSA moduli. */
	if (!BN_is_odd(bm)) {
		rv = CARTA_E_ARGS;
		goto out;
	}
	if (BN_nnmod(bb, bb, bm, ctx) != 1)
		goto out;
	if (BN_mod_exp_mont_consttime(br, bb, be, bm, ctx, NULL) != 1)
		goto out;
	/* Fixed-length output: a result with leading zero bytes keeps them
	 * (docs/reference/cie.md 8.I1). */
	if (BN_bn2binpad(br, out, (int)mlen) != (int)mlen)
		goto out;
	rv = CARTA_OK;
out:
	BN_CTX_free(ctx);
	BN_free(bb);
	BN_clear_free(be);
	BN_free(bm);
	BN_clear_free(br);
	return rv;
}

enum carta_err carta_rsa_public_raw(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                                    const uint8_t *in, size_t inlen, uint8_t *out)
{
	if (n == NULL || nlen == 0 || e == NULL || elen == 0 || in == NULL || out == NULL)
		return CARTA_E_ARGS;
	/* RFC 8017 5.2.2 RSAVP1: the representative must be < n. */
	if (carta_bn_cmp(in, inlen, n, nlen) >= 0)
		return CARTA_E_RANGE;
	/* Nothing here is secret, but the constant-time routine is correct for
	 * any odd modulus, which every RSA modulus is. */
	return carta_modexp(in, inlen, e, elen, n, nlen, out);
}

struct dh_bn {
	BN_CTX *ctx;
	BIGNUM *g, *p, *q, *pm1, *r;
};

static void dh_bn_free(struct dh_bn *b)
{
	BN_CTX_free(b->ctx);
	BN_free(b->g);
	BN_free(b->p);
	BN_free(b->q);
	BN_free(b->pm1);
	BN_free(b->r);
}

/* The checks of carta_dh_group_check on numbers already read. */
static enum carta_err dh_group_ok(struct dh_bn *b)
{
	if (!BN_is_odd(b->p) || BN_num_bits(b->p) < 3)
		return CARTA_E_PARSE;
	if (BN_copy(b->pm1, b->p) == NULL || BN_sub_word(b->pm1, 1) != 1)
		return CARTA_E_CRYPTO;
	if (BN_cmp(b->g, BN_value_one()) <= 0 || BN_cmp(b->g, b->pm1) >= 0 ||
	    BN_cmp(b->q, BN_value_one()) <= 0 || BN_cmp(b->q, b->p) >= 0)
		return CARTA_E_PARSE;
	if (BN_mod(b->r, b->pm1, b->q, b->ctx) != 1)
		return CARTA_E_CRYPTO;
	if (!BN_is_zero(b->r))
		return CARTA_E_PARSE;
	if (BN_mod_exp(b->r, b->g, b->q, b->p, b->ctx) != 1)
		return CARTA_E_CRYPTO;
	return BN_is_one(b->r) ? CARTA_OK : CARTA_E_PARSE;
}

enum carta_err carta_dh_group_check(const uint8_t *g, size_t glen, const uint8_t *p, size_t plen,
                                    const uint8_t *q, size_t qlen)
{
	struct dh_bn b = { 0 };
	enum carta_err rv = CARTA_E_ARGS;

	if (g == NULL || p == NULL || q == NULL || glen == 0 || plen == 0 || qlen == 0)
		return rv;
	if (!len_ok(glen) || !len_ok(plen) || !len_ok(qlen))
		return CARTA_E_RANGE;
	rv = CARTA_E_NOMEM;
	b.ctx = BN_CTX_new();
	b.g = BN_bin2bn(g, (int)glen, NULL);
	b.p = BN_bin2bn(p, (int)plen, NULL);
	b.q = BN_bin2bn(q, (int)qlen, NULL);
	b.pm1 = BN_new();
	b.r = BN_new();
	if (b.ctx && b.g && b.p && b.q && b.pm1 && b.r)
		rv = dh_group_ok(&b);
	dh_bn_free(&b);
	return rv;
}
