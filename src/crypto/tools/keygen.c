/* SPDX-License-Identifier: BSD-3-Clause */
/* Deterministic test keys: the same seed gives the same key on every machine.
 * The randomness is a SHA-256 counter stream over the seed; primality and
 * the key object itself come from OpenSSL. Test tools only. */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/obj_mac.h>
#include <openssl/params.h>
#include <openssl/param_build.h>

#include "crypto/secret.h"
#include "crypto/tools/tk_int.h"

/* stream block i = SHA-256(seed || i as 4 big-endian bytes) */
struct stream {
	const uint8_t *seed;
	size_t seedlen;
	uint32_t ctr;
	uint8_t blk[32];
	size_t pos;
};

static enum carta_err stream_read(struct stream *s, uint8_t *out, size_t n)
{
	enum carta_err rv = CARTA_OK;

	while (n > 0 && rv == CARTA_OK) {
		if (s->pos == sizeof(s->blk)) {
			rv = carta_kdf_counter(CARTA_HASH_SHA256, s->seed, s->seedlen, s->ctr++,
			                       s->blk, sizeof(s->blk));
			s->pos = 0;
			continue;
		}
		*out++ = s->blk[s->pos++];
		n--;
	}
	return rv;
}

enum carta_err carta_tk_key_wrap(EVP_PKEY *pk, struct carta_tk_key **out)
{
	struct carta_tk_key *k = calloc(1, sizeof(*k));

	if (k == NULL) {
		EVP_PKEY_free(pk);
		return CARTA_E_NOMEM;
	}
	k->pk = pk;
	*out = k;
	return CARTA_OK;
}

void carta_tk_key_free(struct carta_tk_key *k)
{
	if (k == NULL)
		return;
	EVP_PKEY_free(k->pk);
	free(k);
}

/* true when p is a prime with gcd(e, p - 1) = 1 */
static bool good_prime(const BIGNUM *p, const BIGNUM *e, BIGNUM *tmp, BN_CTX *ctx)
{
	if (BN_sub(tmp, p, BN_value_one()) != 1 || BN_gcd(tmp, tmp, e, ctx) != 1 || !BN_is_one(tmp))
		return false;
	return BN_check_prime(p, ctx, NULL) == 1;
}

/* A prime of exactly `bits` bits: candidate from the stream with the top two
 * bits set (so that p*q has exactly 2*bits bits) and the low bit set, then
 * the next prime stepping by 2. */
static enum carta_err gen_prime(struct stream *s, size_t bits, const BIGNUM *e, BIGNUM *p,
                                BN_CTX *ctx)
{
	uint8_t buf[512];
	size_t nb = bits / 8;
	BIGNUM *tmp = BN_new();
	enum carta_err rv = CARTA_E_CRYPTO;
	int tries;

	if (tmp == NULL || nb > sizeof(buf)) {
		rv = tmp == NULL ? CARTA_E_NOMEM : CARTA_E_RANGE;
		goto out;
	}
	for (tries = 0; tries < 16; tries++) {
		rv = stream_read(s, buf, nb);
		if (rv != CARTA_OK)
			goto out;
		buf[0] |= 0xC0;
		buf[nb - 1] |= 0x01;
		rv = CARTA_E_CRYPTO;
		if (BN_bin2bn(buf, (int)nb, p) == NULL)
			goto out;
		while ((size_t)BN_num_bits(p) == bits) {
			if (good_prime(p, e, tmp, ctx)) {
				rv = CARTA_OK;
				goto out;
			}
			if (BN_add_word(p, 2) != 1)
				goto out;
		}
		/* ran past 2^bits: take a fresh candidate */
	}
out:
	BN_free(tmp);
	carta_wipe(buf, sizeof(buf));
	return rv;
}

struct rsa_parts {
	BIGNUM *n, *e, *d, *p, *q, *dmp1, *dmq1, *iqmp;
};

/* d = e^-1 mod lcm(p-1, q-1) (FIPS 186-4 B.3.1), and the CRT values. */
static enum carta_err derive_parts(struct rsa_parts *k, BN_CTX *ctx)
{
	BIGNUM *p1 = BN_CTX_get(ctx), *q1 = BN_CTX_get(ctx), *g = BN_CTX_get(ctx);
	BIGNUM *l = BN_CTX_get(ctx);

	if (l == NULL)
		return CARTA_E_NOMEM;
	if (BN_mul(k->n, k->p, k->q, ctx) != 1 || BN_sub(p1, k->p, BN_value_one()) != 1 ||
	    BN_sub(q1, k->q, BN_value_one()) != 1 || BN_gcd(g, p1, q1, ctx) != 1 ||
	    BN_mul(l, p1, q1, ctx) != 1 || BN_div(l, NULL, l, g, ctx) != 1 ||
	    BN_mod_inverse(k->d, k->e, l, ctx) == NULL || BN_mod(k->dmp1, k->d, p1, ctx) != 1 ||
	    BN_mod(k->dmq1, k->d, q1, ctx) != 1 || BN_mod_inverse(k->iqmp, k->q, k->p, ctx) == NULL)
		return CARTA_E_CRYPTO;
	return CARTA_OK;
}

static enum carta_err rsa_pkey(const struct rsa_parts *k, EVP_PKEY **out)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;
	bool priv = k->d != NULL;

	if (bld == NULL ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, k->n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, k->e) != 1 ||
	    (priv && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, k->d) != 1))
		goto out;
	if (k->p != NULL &&
	    (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, k->p) != 1 ||
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, k->q) != 1 ||
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, k->dmp1) != 1 ||
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, k->dmq1) != 1 ||
	     OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, k->iqmp) != 1))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (params == NULL || pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
	    EVP_PKEY_fromdata(pc, out, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
		goto out;
	rv = CARTA_OK;
out:
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	return rv;
}

static void parts_free(struct rsa_parts *k)
{
	BN_free(k->n);
	BN_free(k->e);
	BN_clear_free(k->d);
	BN_clear_free(k->p);
	BN_clear_free(k->q);
	BN_clear_free(k->dmp1);
	BN_clear_free(k->dmq1);
	BN_clear_free(k->iqmp);
}

enum carta_err carta_tk_rsa_from_seed(const char *seed, size_t bits, struct carta_tk_key **out)
{
	struct stream s = { 0 };
	struct rsa_parts k = { 0 };
	BN_CTX *ctx = BN_CTX_new();
	EVP_PKEY *pk = NULL;
	enum carta_err rv = CARTA_E_NOMEM;

	if (seed == NULL || out == NULL || bits < 512 || bits > 4096 || bits % 16 != 0) {
		rv = CARTA_E_ARGS;
		goto out;
	}
	s.seed = (const uint8_t *)seed;
	s.seedlen = strlen(seed);
	s.pos = sizeof(s.blk);
	k.n = BN_new();
	k.e = BN_new();
	k.d = BN_new();
	k.p = BN_new();
	k.q = BN_new();
	k.dmp1 = BN_new();
	k.dmq1 = BN_new();
	k.iqmp = BN_new();
	if (ctx == NULL || k.n == NULL || k.e == NULL || k.d == NULL || k.p == NULL ||
	    k.q == NULL || k.dmp1 == NULL || k.dmq1 == NULL || k.iqmp == NULL ||
	    BN_set_word(k.e, 65537) != 1)
		goto out;
	rv = gen_prime(&s, bits / 2, k.e, k.p, ctx);
	while (rv == CARTA_OK) {
		rv = gen_prime(&s, bits / 2, k.e, k.q, ctx);
		if (rv != CARTA_OK || BN_cmp(k.p, k.q) != 0)
			break;
	}
	if (rv != CARTA_OK)
		goto out;
	if (BN_cmp(k.p, k.q) < 0)
		BN_swap(k.p, k.q);   /* conventional p > q */
	BN_CTX_start(ctx);
	rv = derive_parts(&k, ctx);
	BN_CTX_end(ctx);
	if (rv == CARTA_OK)
		rv = rsa_pkey(&k, &pk);
	if (rv == CARTA_OK)
		rv = carta_tk_key_wrap(pk, out);
out:
	parts_free(&k);
	BN_CTX_free(ctx);
	carta_wipe(&s, sizeof(s));
	return rv;
}

enum carta_err carta_tk_rsa_from_parts(const uint8_t *n, size_t nlen, const uint8_t *e, size_t elen,
                                       const uint8_t *d, size_t dlen, struct carta_tk_key **out)
{
	struct rsa_parts k = { 0 };
	EVP_PKEY *pk = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (n == NULL || nlen == 0 || e == NULL || elen == 0 || (d == NULL && dlen > 0) ||
	    out == NULL || nlen > 4096 || elen > 4096 || dlen > 4096)
		return CARTA_E_ARGS;
	k.n = BN_bin2bn(n, (int)nlen, NULL);
	k.e = BN_bin2bn(e, (int)elen, NULL);
	if (d != NULL && dlen > 0) {
		k.d = BN_bin2bn(d, (int)dlen, NULL);
		if (k.d == NULL)
			goto out;
	}
	if (k.n == NULL || k.e == NULL)
		goto out;
	rv = rsa_pkey(&k, &pk);
	if (rv == CARTA_OK)
		rv = carta_tk_key_wrap(pk, out);
out:
	parts_free(&k);
	return rv;
}

/* EC P-256 public point for scalar d, uncompressed (SEC 1 2.3.3). */
static enum carta_err p256_point(const BIGNUM *d, uint8_t pt[65], BN_CTX *ctx)
{
	EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	EC_POINT *q = g != NULL ? EC_POINT_new(g) : NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (q != NULL && EC_POINT_mul(g, q, d, NULL, NULL, ctx) == 1 &&
	    EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED, pt, 65, ctx) == 65)
		rv = CARTA_OK;
	EC_POINT_free(q);
	EC_GROUP_free(g);
	return rv;
}

enum carta_err carta_tk_ec_p256_from_seed(const char *seed, struct carta_tk_key **out)
{
	/* the P-256 group order n (SEC 2 2.4.2 / FIPS 186-4 D.1.2.3) */
	static const uint8_t order[32] = {
		0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xBC, 0xE6, 0xFA, 0xAD, 0xA7, 0x17, 0x9E, 0x84, 0xF3, 0xB9, 0xCA, 0xC2, 0xFC, 0x63, 0x25, 0x51,
	};
	struct stream s = { 0 };
	uint8_t raw[40], pt[65];
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *d = BN_secure_new(), *nm1 = BN_bin2bn(order, sizeof(order), NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pc = NULL;
	EVP_PKEY *pk = NULL;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (seed == NULL || out == NULL) {
		rv = CARTA_E_ARGS;
		goto out;
	}
	s.seed = (const uint8_t *)seed;
	s.seedlen = strlen(seed);
	s.pos = sizeof(s.blk);
	if (ctx == NULL || d == NULL || nm1 == NULL || bld == NULL)
		goto out;
	/* 64 extra bits make the bias of the reduction negligible (FIPS 186-4 B.4.1):
	 * d = (c mod (n - 1)) + 1, in [1, n-1]. */
	if (stream_read(&s, raw, sizeof(raw)) != CARTA_OK || BN_sub_word(nm1, 1) != 1 ||
	    BN_bin2bn(raw, sizeof(raw), d) == NULL || BN_mod(d, d, nm1, ctx) != 1 ||
	    BN_add_word(d, 1) != 1 || p256_point(d, pt, ctx) != CARTA_OK)
		goto out;
	if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) != 1 ||
	    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt)) != 1)
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	pc = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (params == NULL || pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
	    EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_KEYPAIR, params) != 1)
		goto out;
	rv = carta_tk_key_wrap(pk, out);
out:
	EVP_PKEY_CTX_free(pc);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(d);
	BN_free(nm1);
	BN_CTX_free(ctx);
	carta_wipe(raw, sizeof(raw));
	carta_wipe(&s, sizeof(s));
	return rv;
}
