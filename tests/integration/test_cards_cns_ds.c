/* SPDX-License-Identifier: BSD-3-Clause */
/* The signature key set (CNS1, docs/reference/cns.md 1.5) of the CNS card
 * layer against the virtual cards with --ds (st, classic, idemia) and the
 * signature-only profile dsd, through the in-process transport: both tokens'
 * PINs with their own counters (read from the card), signatures verified
 * with OpenSSL against the certificate the card carries, change and unblock
 * of the signature PIN, a card that forgets the PIN after each signature,
 * APDU counts. */
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
#define DS_PIN "87654321"
#define DS_PUK "11223344"

struct env {
	struct vcard *v;
	struct carta_inproc *ip;
	struct carta_card *c;
};

static void env_open(struct env *e, const struct vcard_config *cfg)
{
	struct carta_reader_state rs[CARTA_MAX_READERS];
	struct carta_readers *r;
	struct carta_transport *t = NULL;
	size_t n = CARTA_MAX_READERS;

	memset(e, 0, sizeof(*e));
	assert_int_equal(vcard_new(cfg, &e->v), CARTA_OK);
	assert_int_equal(carta_inproc_new(1, &e->ip), CARTA_OK);
	assert_int_equal(carta_inproc_insert(e->ip, 0, &vcard_inproc_ops, e->v), CARTA_OK);
	r = carta_inproc_readers(e->ip);
	assert_int_equal(carta_readers_list(r, rs, &n), CARTA_OK);
	assert_true(n >= 1);
	assert_int_equal(carta_readers_connect(r, rs[0].name, &t), CARTA_OK);
	assert_int_equal(carta_card_open(t, &e->c), CARTA_OK);
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

/* The index of the user PIN with this role, -1 when none. */
static int user_pin(const struct carta_card_desc *d, enum carta_pin_role role)
{
	for (size_t i = 0; i < d->n_pins; i++)
		if (d->pins[i].kind == CARTA_PIN_USER && d->pins[i].role == role)
			return (int)i;
	return -1;
}

/* The key guarded by user PIN `pin`. */
static size_t key_of(const struct carta_card_desc *d, int pin)
{
	for (size_t i = 0; i < d->n_keys; i++)
		if (d->keys[i].pin == pin)
			return i;
	fail_msg("no key for PIN %d", pin);
	return 0;
}

static enum carta_err sign(struct env *e, size_t key)
{
	const struct carta_card_desc *d = carta_card_get_desc(e->c);
	const struct carta_cert *ct = &d->certs[d->keys[key].cert];
	uint8_t hash[32], sig[512];
	size_t siglen = sizeof(sig);
	struct carta_buf di;
	enum carta_err rv;

	memset(hash, 0x5c, sizeof(hash));
	carta_buf_init(&di);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, hash, 32, &di), CARTA_OK);
	rv = carta_card_sign(e->c, key, CARTA_SIGN_PKCS1_DATA, di.p, di.len, sig, &siglen);
	if (rv == CARTA_OK) {
		assert_int_equal(siglen, d->keys[key].bits / 8);
		assert_int_equal(carta_rsa_verify_pkcs1(ct->der, ct->der_len, true, CARTA_HASH_SHA256,
		                                        hash, 32, sig, siglen), CARTA_OK);
	}
	carta_buf_free(&di);
	return rv;
}

/* The signature key set as the card carries it. */
static size_t check_ds(struct env *e, int ds)
{
	const struct carta_card_desc *d = carta_card_get_desc(e->c);
	struct carta_bytes cert = vcard_ds_cert(e->v);
	size_t k;

	assert_true(ds >= 0);
	k = key_of(d, ds);
	assert_int_equal(d->keys[k].id[0], 0x10);
	assert_true(d->keys[k].always_auth);
	assert_int_equal(d->keys[k].usage, CARTA_KU_NONREP | CARTA_KU_SIGN);
	assert_int_equal(d->certs[d->keys[k].cert].der_len, cert.len);
	assert_memory_equal(d->certs[d->keys[k].cert].der, cert.p, cert.len);
	assert_true(d->pins[ds].unblocked_by >= 0);
	return k;
}

/* The signature PIN: wrong (only its own counter moves), right, a signature;
 * change, block, unblock with its PUK. */
static void ds_pin_flow(struct env *e, int ds, size_t k)
{
	struct carta_pin_status st;
	uint8_t cur[16];
	int tries = 0, cns_tries = vcard_pin_tries_left(e->v, false);

	assert_int_equal(carta_card_verify(e->c, (size_t)ds, (const uint8_t *)"11111111", 8, &tries),
	                 CARTA_E_PIN_INCORRECT);
	assert_int_equal(tries, 2);
	assert_int_equal(vcard_ds_tries_left(e->v, false), 2);
	assert_int_equal(vcard_pin_tries_left(e->v, false), cns_tries);
	assert_int_equal(carta_card_pin_status(e->c, (size_t)ds, &st), CARTA_OK);
	assert_true(st.tries_left == 2 || st.tries_left == -1);
	assert_int_equal(carta_card_verify(e->c, (size_t)ds, (const uint8_t *)DS_PIN, 8, &tries),
	                 CARTA_OK);
	assert_int_equal(vcard_ds_tries_left(e->v, false), 3);
	assert_int_equal(sign(e, k), CARTA_OK);
	assert_int_equal(carta_card_change(e->c, (size_t)ds, (const uint8_t *)DS_PIN, 8,
	                                   (const uint8_t *)"13579", 5, &tries), CARTA_OK);
	assert_int_equal(vcard_current_ds_pin(e->v, cur, sizeof(cur)), 5);
	assert_memory_equal(cur, "13579", 5);
	for (int i = 0; i < 3; i++)
		(void)carta_card_verify(e->c, (size_t)ds, (const uint8_t *)"99999", 5, &tries);
	assert_int_equal(vcard_ds_tries_left(e->v, false), 0);
	assert_int_equal(carta_card_unblock(e->c, (size_t)ds, (const uint8_t *)DS_PUK, 8,
	                                    (const uint8_t *)DS_PIN, 8, &tries), CARTA_OK);
	assert_int_equal(vcard_ds_tries_left(e->v, false), 3);
	assert_int_equal(vcard_ds_tries_left(e->v, true), 3);
	assert_int_equal(carta_card_verify(e->c, (size_t)ds, (const uint8_t *)DS_PIN, 8, &tries),
	                 CARTA_OK);
	assert_int_equal(sign(e, k), CARTA_OK);
}

/* A CNS with --ds: two tokens. The CNS key works before and after the
 * signature key, each PIN with its own counter. */
static void cns_with_ds(const char *profile)
{
	struct vcard_config cfg = { .profile = profile, .ds = true };
	struct env e;
	const struct carta_card_desc *d;
	int auth, ds, tries = 0;
	size_t kauth, kds;
	unsigned long n_open;

	env_open(&e, &cfg);
	n_open = apdus(&e);
	d = carta_card_get_desc(e.c);
	assert_int_equal(d->n_keys, 2);
	assert_int_equal(d->n_pins, 4);
	auth = user_pin(d, CARTA_PIN_ROLE_AUTH);
	ds = user_pin(d, CARTA_PIN_ROLE_SIGN);
	assert_int_equal(auth, 0);
	kauth = key_of(d, auth);
	kds = check_ds(&e, ds);
	assert_false(d->keys[kauth].always_auth);
	assert_memory_equal(d->certs[d->keys[kauth].cert].der, vcard_holder_cert(e.v).p,
	                    vcard_holder_cert(e.v).len);
	/* the CNS PIN does not open the signature key */
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)PIN, 8, &tries), CARTA_OK);
	assert_int_equal(sign(&e, kauth), CARTA_OK);
	assert_int_equal(sign(&e, kds), CARTA_E_SECURITY_STATUS);
	ds_pin_flow(&e, ds, kds);
	/* back to the CNS key after DF_DS: a wrong CNS PIN spends only its counter */
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)"11111", 5, &tries),
	                 CARTA_E_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(e.v, false), 2);
	assert_int_equal(vcard_ds_tries_left(e.v, false), 3);
	assert_int_equal(carta_card_verify(e.c, 0, (const uint8_t *)PIN, 8, &tries), CARTA_OK);
	assert_int_equal(sign(&e, kauth), CARTA_OK);
	print_message("%s --ds: open %lu APDUs\n", profile, n_open);
	env_close(&e);
}

static void test_st_ds(void **state) { (void)state; cns_with_ds("st"); }
static void test_classic_ds(void **state) { (void)state; cns_with_ds("classic"); }
static void test_idemia_ds(void **state) { (void)state; cns_with_ds("idemia"); }

/* Without --ds: the same card as before, one key, two PINs. */
static void test_st_without_ds(void **state)
{
	struct vcard_config cfg = { .profile = "st" };
	struct env e;

	(void)state;
	env_open(&e, &cfg);
	assert_int_equal(carta_card_get_desc(e.c)->n_keys, 1);
	assert_int_equal(carta_card_get_desc(e.c)->n_pins, 2);
	print_message("st: open %lu APDUs\n", apdus(&e));
	env_close(&e);
}

/* The signature-only DSD card: the signature token only. */
static void test_dsd(void **state)
{
	struct vcard_config cfg = { .profile = "dsd" };
	struct env e;
	const struct carta_card_desc *d;
	size_t k;

	(void)state;
	env_open(&e, &cfg);
	d = carta_card_get_desc(e.c);
	assert_string_equal(d->driver, "cns-ds");
	assert_int_equal(d->n_pins, 2);
	assert_int_equal(d->n_keys, 1);
	assert_int_equal(user_pin(d, CARTA_PIN_ROLE_AUTH), -1);
	assert_string_equal(d->serial, vcard_card_id(e.v));
	k = check_ds(&e, 0);
	print_message("dsd: open %lu APDUs, family %s, label %s\n", apdus(&e), d->family, d->label);
	ds_pin_flow(&e, 0, k);
	env_close(&e);
}

/* --ds-pin-per-sign: the card forgets the PIN after each signature; the
 * card layer never presents it again on its own (always_auth), even with
 * the PIN kept for the login. */
static void test_pin_per_sign(void **state)
{
	struct vcard_config cfg = { .profile = "st", .ds = true, .ds_pin_per_sign = true };
	struct env e;
	size_t k;

	(void)state;
	env_open(&e, &cfg);
	k = check_ds(&e, 2);
	assert_int_equal(carta_card_verify(e.c, 2, (const uint8_t *)DS_PIN, 8, NULL), CARTA_OK);
	assert_int_equal(sign(&e, k), CARTA_OK);
	assert_int_equal(sign(&e, k), CARTA_E_SECURITY_STATUS);
	assert_int_equal(vcard_ds_tries_left(e.v, false), 3);
	assert_int_equal(carta_card_verify(e.c, 2, (const uint8_t *)DS_PIN, 8, NULL), CARTA_OK);
	assert_int_equal(sign(&e, k), CARTA_OK);
	env_close(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_st_ds),
		cmocka_unit_test(test_classic_ds),
		cmocka_unit_test(test_idemia_ds),
		cmocka_unit_test(test_st_without_ds),
		cmocka_unit_test(test_dsd),
		cmocka_unit_test(test_pin_per_sign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
