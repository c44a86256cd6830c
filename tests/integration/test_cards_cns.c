/* SPDX-License-Identifier: BSD-3-Clause */
/* The CNS card layer against the virtual cards (tools/vcard) through the
 * in-process transport: every CNS profile, every flow, APDU counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "inproc.h"
#include "carta/card.h"
#include "crypto/crypto.h"
#include "vcard.h"

#define PIN "12345678"
#define PUK "87654321"

struct env {
	struct vcard *v;
	struct carta_inproc *ip;
	struct carta_card *c;
};

static struct carta_card *env_open(struct env *e, const char *profile)
{
	struct vcard_config cfg = { .profile = profile };
	struct carta_reader_state rs[CARTA_MAX_READERS];
	struct carta_readers *r;
	struct carta_transport *t = NULL;
	size_t n = CARTA_MAX_READERS;

	memset(e, 0, sizeof(*e));
	assert_int_equal(vcard_new(&cfg, &e->v), CARTA_OK);
	assert_int_equal(carta_inproc_new(1, &e->ip), CARTA_OK);
	assert_int_equal(carta_inproc_insert(e->ip, 0, &vcard_inproc_ops, e->v), CARTA_OK);
	r = carta_inproc_readers(e->ip);
	assert_int_equal(carta_readers_list(r, rs, &n), CARTA_OK);
	assert_true(n >= 1);
	assert_int_equal(carta_readers_connect(r, rs[0].name, &t), CARTA_OK);
	assert_int_equal(carta_card_open(t, &e->c), CARTA_OK);
	return e->c;
}

static void env_close(struct env *e)
{
	carta_card_close(e->c);
	carta_inproc_free(e->ip);
	vcard_free(e->v);
}

static unsigned long apdus(struct env *e)
{
	return carta_card_transport(e->c)->n_apdu;
}

static void check_desc(struct env *e)
{
	const struct carta_card_desc *d = carta_card_get_desc(e->c);
	struct carta_bytes cert = vcard_holder_cert(e->v);

	assert_int_equal(strlen(d->serial), 16);
	assert_string_equal(d->serial, vcard_card_id(e->v));
	assert_true(d->holder.present);
	assert_true(d->holder.surname[0] != '\0');
	assert_int_equal(strlen(d->holder.codice_fiscale), 16);
	assert_int_equal(d->n_certs, 1);
	assert_int_equal(d->certs[0].der_len, cert.len);
	assert_memory_equal(d->certs[0].der, cert.p, cert.len);
	assert_int_equal(d->n_keys, 1);
	assert_true(d->keys[0].usage & CARTA_KU_SIGN);
	assert_int_equal(d->n_pins, 2);
}

static void sign_and_check(struct env *e)
{
	const struct carta_card_desc *d = carta_card_get_desc(e->c);
	uint8_t hash[32], sig[512];
	size_t siglen = sizeof(sig);
	struct carta_buf di;

	memset(hash, 0xa5, sizeof(hash));
	carta_buf_init(&di);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, hash, 32, &di), CARTA_OK);
	assert_int_equal(carta_card_sign(e->c, 0, CARTA_SIGN_PKCS1_DATA, di.p, di.len, sig, &siglen),
	                 CARTA_OK);
	assert_int_equal(siglen, d->keys[0].bits / 8);
	assert_int_equal(carta_rsa_verify_pkcs1(d->certs[0].der, d->certs[0].der_len, true,
	                                        CARTA_HASH_SHA256, hash, 32, sig, siglen),
	                 CARTA_OK);
	carta_buf_free(&di);
}

static void flow(const char *profile)
{
	struct env e;
	struct carta_pin_status st;
	uint8_t cur[16];
	unsigned long n_open, n_login, n_sign, n_sign2;
	int tries = 0;

	env_open(&e, profile);
	n_open = apdus(&e);
	check_desc(&e);
	/* login + one signature, as a fresh process does it */
	assert_int_equal(carta_card_pin_status(e.c, 0, &st), CARTA_OK);
	assert_false(st.verified);
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)PIN, 8, &tries), CARTA_OK);
	n_login = apdus(&e);
	sign_and_check(&e);
	n_sign = apdus(&e);
	sign_and_check(&e);
	n_sign2 = apdus(&e) - n_sign;
	print_message("%s: open %lu APDUs, open+status+verify %lu, +sign %lu, second sign %lu\n",
	              profile, n_open, n_login, n_sign, n_sign2);
	assert_true(n_open <= 14);
	assert_true(n_sign <= 18);
	/* the security environment stays set: only the PSO, chained or not */
	assert_true(n_sign2 <= 2);

	/* wrong PIN: the card's counter goes down, the driver says how far */
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)"11111111", 8, &tries),
	                 CARTA_E_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(e.v, false), 2);
	assert_int_equal(tries, 2);
	assert_int_equal(carta_card_pin_status(e.c, 0, &st), CARTA_OK);
	assert_true(st.tries_left == 2 || st.tries_left == -1);
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)PIN, 8, &tries), CARTA_OK);
	assert_int_equal(vcard_pin_tries_left(e.v, false), 3);

	/* change PIN */
	assert_int_equal(carta_card_change(e.c, 0, (const uint8_t *)PIN, 8,
	                                   (const uint8_t *)"24680", 5, &tries), CARTA_OK);
	assert_int_equal(vcard_current_pin(e.v, cur, sizeof(cur)), 5);
	assert_memory_equal(cur, "24680", 5);

	/* VERIFY of the PUK alone: done, or NOT_SUPPORTED (the front end then
	 * keeps the PUK for C_InitPIN); never a spent PUK try */
	{
		enum carta_err rv = carta_card_verify(e.c, 1, (const uint8_t *)PUK, 8, &tries);

		assert_true(rv == CARTA_OK || rv == CARTA_E_NOT_SUPPORTED);
		assert_int_equal(vcard_pin_tries_left(e.v, true), 3);
	}

	/* block, then unblock with the PUK and a new PIN */
	for (int i = 0; i < 2; i++)
		assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)"11111", 5, &tries),
		                 CARTA_E_PIN_INCORRECT);
	{
		enum carta_err rv = carta_card_verify(e.c, 0, (const uint8_t *)"11111", 5, &tries);

		assert_true(rv == CARTA_E_PIN_INCORRECT || rv == CARTA_E_PIN_BLOCKED);
	}
	assert_int_equal(vcard_pin_tries_left(e.v, false), 0);
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)"24680", 5, &tries),
	                 CARTA_E_PIN_BLOCKED);
	assert_int_equal(carta_card_pin_status(e.c, 0, &st), CARTA_OK);
	assert_true(st.blocked);
	assert_int_equal(carta_card_unblock(e.c, 0, (const uint8_t *)PUK, 8, (const uint8_t *)PIN,
	                                    8, &tries), CARTA_OK);
	assert_int_equal(vcard_pin_tries_left(e.v, false), 3);
	assert_int_equal(vcard_current_pin(e.v, cur, sizeof(cur)), 8);
	assert_memory_equal(cur, PIN, 8);
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)PIN, 8, &tries), CARTA_OK);
	sign_and_check(&e);

	/* someone else resets the card: the PIN state is gone, not restored */
	carta_inproc_reset_by_other(e.ip, 0);
	{
		uint8_t blk[512], out[512];
		size_t k = carta_card_get_desc(e.c)->keys[0].bits / 8, outlen = sizeof(out);

		memset(blk, 0x33, k);
		blk[0] = 0;
		assert_int_equal(carta_card_sign(e.c, 0, CARTA_SIGN_RAW_BLOCK, blk, k, out, &outlen),
		                 CARTA_E_SECURITY_STATUS);
	}
	assert_true(carta_card_take_reset(e.c));
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)PIN, 8, &tries), CARTA_OK);
	sign_and_check(&e);
	/* logout drops the PIN state */
	assert_int_equal(carta_card_logout(e.c), CARTA_OK);
	assert_int_equal(carta_card_pin_status(e.c, 0, &st), CARTA_OK);
	assert_false(st.verified);
	env_close(&e);
}

static void test_st(void **state) { (void)state; flow("st"); }
static void test_idemia(void **state) { (void)state; flow("idemia"); }
static void test_actalis(void **state) { (void)state; flow("actalis"); }
static void test_classic(void **state) { (void)state; flow("classic"); }
static void test_classic_siemens(void **state) { (void)state; flow("classic-siemens"); }

/* The ST card over NFC: bare ATR, found by the J-Sign probe. */
static void test_st_bare_nfc(void **state)
{
	struct vcard_config cfg = { .profile = "st", .atr_hex = "3B 80 80 01 01" };
	struct env e;
	struct carta_reader_state rs[CARTA_MAX_READERS];
	struct carta_readers *r;
	struct carta_transport *t = NULL;
	size_t n = CARTA_MAX_READERS;

	(void)state;
	memset(&e, 0, sizeof(e));
	assert_int_equal(vcard_new(&cfg, &e.v), CARTA_OK);
	assert_int_equal(carta_inproc_new(1, &e.ip), CARTA_OK);
	assert_int_equal(carta_inproc_insert(e.ip, 0, &vcard_inproc_ops, e.v), CARTA_OK);
	r = carta_inproc_readers(e.ip);
	assert_int_equal(carta_readers_list(r, rs, &n), CARTA_OK);
	assert_int_equal(carta_readers_connect(r, rs[0].name, &t), CARTA_OK);
	assert_int_equal(carta_card_open(t, &e.c), CARTA_OK);
	check_desc(&e);
	print_message("st over NFC (bare ATR): driver %s, open %lu APDUs\n",
	              carta_card_get_desc(e.c)->driver, apdus(&e));
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)PIN, 8, NULL), CARTA_OK);
	sign_and_check(&e);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_st),
		cmocka_unit_test(test_idemia),
		cmocka_unit_test(test_actalis),
		cmocka_unit_test(test_classic),
		cmocka_unit_test(test_classic_siemens),
		cmocka_unit_test(test_st_bare_nfc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
