/* SPDX-License-Identifier: BSD-3-Clause */
/* The CIE 3.0 driver against the virtual CIE (tools/vcard, profiles cie-nxp
 * and cie-gemalto, SM error styles 0 and 1) through the in-process reader:
 * open, login, signatures verified with the certificate's key, APDU counts,
 * PIN blocking and PUK unblock, PIN change, the certificate cache, and a
 * debug log free of secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "inproc.h"
#include "cards/cie/cie.h"
#include "crypto/crypto.h"
#include "util/log.h"
#include "vcard.h"

#include "p11_harness.c"

#define PIN "12345678"
#define PUK "87654321"
#define NEWPIN "24681357"

struct cfg {
	const char *profile;
	int sm_style;
};

static const struct cfg cfgs[] = {
	{ "cie-nxp", 0 }, { "cie-nxp", 1 }, { "cie-gemalto", 0 }, { "cie-gemalto", 1 },
};

struct env {
	struct vcard *v;
	struct carta_inproc *ip;
	struct carta_card *c;
	char dir[64];
};

static void rm_tree(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* A fresh connection and driver instance on the same virtual card, as a new
 * process opening the card would have. */
static enum carta_err card_open(struct env *e)
{
	struct carta_readers *rs = carta_inproc_readers(e->ip);
	struct carta_transport *t = NULL;
	enum carta_err rv;

	e->c = calloc(1, sizeof(*e->c));
	assert_non_null(e->c);
	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 0", &t), CARTA_OK);
	e->c->t = t;
	e->c->drv = &carta_cie_driver;
	rv = carta_cie_driver.probe(e->c);
	if (rv == CARTA_OK)
		rv = carta_cie_driver.load(e->c);
	return rv;
}

static void card_close(struct env *e)
{
	struct carta_card_desc *d;

	if (!e->c)
		return;
	carta_cie_driver.release(e->c);
	d = &e->c->desc;
	carta_card_cert_free(&d->certs[0]);
	free(d->keys[0].modulus);
	free(d->keys[0].exponent);
	carta_transport_close(&e->c->t);
	free(e->c);
	e->c = NULL;
}

static void env_new(struct env *e, const struct cfg *cf)
{
	struct vcard_config vc;

	memset(e, 0, sizeof(*e));
	memset(&vc, 0, sizeof(vc));
	vc.profile = cf->profile;
	vc.sm_error_style = cf->sm_style;
	snprintf(e->dir, sizeof(e->dir), "/tmp/carta-cie-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	assert_int_equal(setenv("XDG_CACHE_HOME", e->dir, 1), 0);
	assert_int_equal(vcard_new(&vc, &e->v), CARTA_OK);
	assert_int_equal(carta_inproc_new(1, &e->ip), CARTA_OK);
	assert_int_equal(carta_inproc_insert(e->ip, 0, &vcard_inproc_ops, e->v), CARTA_OK);
	assert_int_equal(card_open(e), CARTA_OK);
}

static void env_free(struct env *e)
{
	card_close(e);
	carta_inproc_free(e->ip);
	vcard_free(e->v);
	rm_tree(e->dir);
}

static unsigned long apdus(const struct env *e)
{
	return e->c->t->n_apdu;
}

static enum carta_err login(struct env *e, const char *pin, int *tries)
{
	return carta_cie_driver.verify(e->c, 0, (const uint8_t *)pin, strlen(pin), tries);
}

/* Sign SHA-256("message i") as a DigestInfo and verify with the holder cert. */
static void sign_and_check(struct env *e, int i, unsigned long max_apdus)
{
	uint8_t msg[32], h[32], sig[512];
	size_t hl, sl = sizeof(sig);
	struct carta_buf di = { 0 };
	struct carta_bytes cert = vcard_holder_cert(e->v);
	unsigned long before = apdus(e);
	int n = snprintf((char *)msg, sizeof(msg), "message %d", i);

	assert_int_equal(carta_digest(CARTA_HASH_SHA256, msg, (size_t)n, h, sizeof(h), &hl),
	                 CARTA_OK);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, h, hl, &di), CARTA_OK);
	assert_int_equal(carta_cie_driver.sign(e->c, 0, CARTA_SIGN_PKCS1_DATA, di.p, di.len, sig,
	                                       &sl),
	                 CARTA_OK);
	assert_true(apdus(e) - before <= max_apdus);
	print_message("    signature %d: %lu exchanges\n", i, apdus(e) - before);
	assert_int_equal(sl, 256);
	assert_int_equal(carta_rsa_verify_pkcs1(cert.p, cert.len, true, CARTA_HASH_SHA256, h, hl,
	                                        sig, sl),
	                 CARTA_OK);
	/* a different hash must not verify: the check can fail */
	h[0] ^= 1;
	assert_int_not_equal(carta_rsa_verify_pkcs1(cert.p, cert.len, true, CARTA_HASH_SHA256, h,
	                                            hl, sig, sl),
	                     CARTA_OK);
	carta_buf_free(&di);
}

static void test_open(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		struct env e;
		const struct carta_card_desc *d;

		env_new(&e, &cfgs[i]);
		d = &e.c->desc;
		assert_non_null(strstr(d->family, "CIE 3.0 ("));
		assert_string_equal(d->serial, vcard_card_id(e.v));
		assert_int_equal(d->n_pins, 2);
		assert_int_equal(d->pins[0].min_len, 8);
		assert_int_equal(d->pins[0].max_len, 8);
		assert_int_equal(d->pins[1].kind, CARTA_PIN_PUK);
		assert_int_equal(d->n_keys, 1);
		assert_int_equal(d->keys[0].caps, CARTA_KC_CARD_PADS);
		assert_memory_equal(d->keys[0].id, "CIE0", 4);
		/* no cache yet: the certificate comes after login */
		assert_null(d->certs[0].der);
		print_message("  %s style %d: %s, open %lu APDUs\n", cfgs[i].profile,
		              cfgs[i].sm_style, d->family, apdus(&e));
		env_free(&e);
	}
}

static void test_login_sign(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		struct env e;
		struct carta_pin_status st;
		struct carta_bytes cert;
		unsigned long before;
		uint8_t sig[256];
		size_t sl = sizeof(sig);
		int tries = 0;

		env_new(&e, &cfgs[i]);
		cert = vcard_holder_cert(e.v);
		/* not logged in: no signature, and nothing sent */
		before = apdus(&e);
		assert_int_equal(carta_cie_driver.sign(e.c, 0, CARTA_SIGN_PKCS1_DATA,
		                                       (const uint8_t *)"x", 1, sig, &sl),
		                 CARTA_E_SECURITY_STATUS);
		assert_int_equal(apdus(&e), before);
		before = apdus(&e);
		assert_int_equal(login(&e, PIN, &tries), CARTA_OK);
		print_message("  %s style %d: first login %lu APDUs (with certificate read)\n",
		              cfgs[i].profile, cfgs[i].sm_style, apdus(&e) - before);
		assert_int_equal(carta_cie_driver.pin_status(e.c, 0, &st), CARTA_OK);
		assert_true(st.verified);
		assert_int_equal(st.tries_left, -1);
		/* the certificate, read under SM, is the card's */
		assert_non_null(e.c->desc.certs[0].der);
		assert_int_equal(e.c->desc.certs[0].der_len, cert.len);
		assert_memory_equal(e.c->desc.certs[0].der, cert.p, cert.len);
		assert_non_null(e.c->desc.keys[0].modulus);
		assert_true(e.c->desc.holder.present);
		assert_int_equal(strlen(e.c->desc.holder.codice_fiscale), 16);
		assert_true(e.c->desc.holder.given_name[0] && e.c->desc.holder.surname[0]);
		for (int k = 1; k <= 3; k++)
			sign_and_check(&e, k, 3);
		/* logout: the card forgets the PIN */
		assert_int_equal(carta_cie_driver.logout(e.c), CARTA_OK);
		sl = sizeof(sig);
		assert_int_equal(carta_cie_driver.sign(e.c, 0, CARTA_SIGN_PKCS1_DATA,
		                                       (const uint8_t *)"x", 1, sig, &sl),
		                 CARTA_E_SECURITY_STATUS);
		before = apdus(&e);
		assert_int_equal(login(&e, PIN, &tries), CARTA_OK);
		print_message("  %s style %d: login %lu APDUs\n", cfgs[i].profile, cfgs[i].sm_style,
		              apdus(&e) - before);
		assert_true(apdus(&e) - before <= 40);
		sign_and_check(&e, 4, 3);
		env_free(&e);
	}
}

static void test_pin_rules_send_nothing(void **state)
{
	struct env e;
	unsigned long before;
	int tries = 0;

	(void)state;
	env_new(&e, &cfgs[0]);
	before = apdus(&e);
	assert_int_equal(login(&e, "1234", &tries), CARTA_E_PIN_LEN);
	assert_int_equal(login(&e, "123456789", &tries), CARTA_E_PIN_LEN);
	assert_int_equal(login(&e, "1234567a", &tries), CARTA_E_PIN_LEN);
	assert_int_equal(carta_cie_driver.change(e.c, 0, (const uint8_t *)PIN, 8,
	                                         (const uint8_t *)"1234", 4, &tries),
	                 CARTA_E_PIN_LEN);
	assert_int_equal(carta_cie_driver.unblock(e.c, 0, (const uint8_t *)"8765", 4,
	                                          (const uint8_t *)PIN, 8, &tries),
	                 CARTA_E_PIN_LEN);
	assert_int_equal(apdus(&e), before);
	assert_int_equal(vcard_pin_tries_left(e.v, false), 3);
	env_free(&e);
}

static void test_block_unblock_change(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		struct env e;
		uint8_t cur[16];
		int tries = 99;

		env_new(&e, &cfgs[i]);
		assert_int_equal(login(&e, "00000000", &tries), CARTA_E_PIN_INCORRECT);
		assert_int_equal(tries, 2);
		assert_int_equal(login(&e, "00000000", &tries), CARTA_E_PIN_INCORRECT);
		assert_int_equal(tries, 1);
		assert_int_equal(login(&e, "00000000", &tries), CARTA_E_PIN_BLOCKED);
		assert_int_equal(tries, 0);
		assert_int_equal(vcard_pin_tries_left(e.v, false), 0);
		assert_int_equal(login(&e, PIN, &tries), CARTA_E_PIN_BLOCKED);
		/* wrong PUK costs a PUK try */
		assert_int_equal(carta_cie_driver.unblock(e.c, 0, (const uint8_t *)"11111111", 8,
		                                          (const uint8_t *)NEWPIN, 8, &tries),
		                 CARTA_E_PIN_INCORRECT);
		assert_int_equal(tries, 9);
		assert_int_equal(vcard_pin_tries_left(e.v, true), 9);
		assert_int_equal(carta_cie_driver.unblock(e.c, 0, (const uint8_t *)PUK, 8,
		                                          (const uint8_t *)NEWPIN, 8, &tries),
		                 CARTA_OK);
		assert_int_equal(vcard_pin_tries_left(e.v, false), 3);
		assert_int_equal(vcard_current_pin(e.v, cur, sizeof(cur)), 8);
		assert_memory_equal(cur, NEWPIN, 8);
		assert_int_equal(login(&e, NEWPIN, &tries), CARTA_OK);
		sign_and_check(&e, 1, 3);
		/* change back, in the logged-in session */
		assert_int_equal(carta_cie_driver.change(e.c, 0, (const uint8_t *)NEWPIN, 8,
		                                         (const uint8_t *)PIN, 8, &tries),
		                 CARTA_OK);
		assert_int_equal(vcard_current_pin(e.v, cur, sizeof(cur)), 8);
		assert_memory_equal(cur, PIN, 8);
		/* change without a session: VERIFY of the old PIN first */
		assert_int_equal(carta_cie_driver.logout(e.c), CARTA_OK);
		assert_int_equal(carta_cie_driver.change(e.c, 0, (const uint8_t *)"99999999", 8,
		                                         (const uint8_t *)NEWPIN, 8, &tries),
		                 CARTA_E_PIN_INCORRECT);
		assert_int_equal(tries, 2);
		assert_int_equal(carta_cie_driver.change(e.c, 0, (const uint8_t *)PIN, 8,
		                                         (const uint8_t *)NEWPIN, 8, &tries),
		                 CARTA_OK);
		assert_int_equal(vcard_current_pin(e.v, cur, sizeof(cur)), 8);
		assert_memory_equal(cur, NEWPIN, 8);
		env_free(&e);
	}
}

static void test_cache(void **state)
{
	struct env e;
	struct carta_bytes cert;
	char path[512];
	struct stat st;
	FILE *f;
	int tries;

	(void)state;
	env_new(&e, &cfgs[2]);
	cert = vcard_holder_cert(e.v);
	assert_int_equal(carta_cie_cache_path(e.c->desc.serial, path, sizeof(path)), CARTA_OK);
	assert_int_not_equal(stat(path, &st), 0);   /* missing: nothing shown */
	assert_null(e.c->desc.certs[0].der);
	assert_int_equal(login(&e, PIN, &tries), CARTA_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal((size_t)st.st_size, cert.len);
	*strrchr(path, '/') = '\0';
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(carta_cie_cache_path(e.c->desc.serial, path, sizeof(path)), CARTA_OK);

	/* a new open: shown before login, and it is the card's certificate */
	card_close(&e);
	assert_int_equal(card_open(&e), CARTA_OK);
	assert_non_null(e.c->desc.certs[0].der);
	assert_memory_equal(e.c->desc.certs[0].der, cert.p, cert.len);
	assert_non_null(e.c->desc.keys[0].modulus);
	assert_true(e.c->desc.holder.present);
	/* login does not read it again */
	{
		unsigned long before = apdus(&e);

		assert_int_equal(login(&e, PIN, &tries), CARTA_OK);
		print_message("  login with a valid cache: %lu APDUs\n", apdus(&e) - before);
	}

	/* tampered: one byte of the signature changed -> never shown */
	card_close(&e);
	f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, (long)cert.len - 5, SEEK_SET), 0);
	assert_int_equal(fputc(cert.p[cert.len - 5] ^ 0x01, f), cert.p[cert.len - 5] ^ 0x01);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(card_open(&e), CARTA_OK);
	assert_null(e.c->desc.certs[0].der);
	/* the next login reads the card again and repairs the cache */
	assert_int_equal(login(&e, PIN, &tries), CARTA_OK);
	assert_non_null(e.c->desc.certs[0].der);
	card_close(&e);
	assert_int_equal(card_open(&e), CARTA_OK);
	assert_non_null(e.c->desc.certs[0].der);
	env_free(&e);
}

static bool log_has(const char *log, const uint8_t *p, size_t n)
{
	char spaced[3 * 64 + 1], up[2 * 64 + 1], low[2 * 64 + 1];

	assert_true(n <= 64);
	for (size_t i = 0; i < n; i++) {
		snprintf(spaced + 3 * i, 4, " %02X", p[i]);
		snprintf(up + 2 * i, 3, "%02X", p[i]);
		snprintf(low + 2 * i, 3, "%02x", p[i]);
	}
	/* a window of 8 bytes is enough to catch any dump of it */
	spaced[3 * (n < 8 ? n : 8)] = '\0';
	up[2 * (n < 8 ? n : 8)] = '\0';
	low[2 * (n < 8 ? n : 8)] = '\0';
	return strstr(log, spaced) || strstr(log, up) || strstr(log, low);
}

/* The DH private value x and the session keys of the last SM session, as
 * the driver hands them to carta_modexp and carta_sm_start: this program is
 * linked with -Wl,--wrap for both (tests/CMakeLists.txt), so libcarta keeps
 * no copy of a secret for tests. x is the exponent of the last carta_modexp
 * before a session starts (K = PuK.ICC^x mod p, docs/reference/cie.md 3.4 step 4: the
 * terminal computes it right before carta_sm_start, with no APDU, so no
 * virtual-card code runs in between). */
static struct {
	bool on;
	uint8_t exp[CARTA_CIE_MAX_MOD], x[CARTA_CIE_MAX_MOD];
	size_t exp_len, x_len;
	uint8_t kenc[16], kmac[16];
	bool have;
} seen;

enum carta_err __real_carta_modexp(const uint8_t *base, size_t blen, const uint8_t *exp,
                                   size_t elen, const uint8_t *m, size_t mlen, uint8_t *out);
enum carta_err __wrap_carta_modexp(const uint8_t *base, size_t blen, const uint8_t *exp,
                                   size_t elen, const uint8_t *m, size_t mlen, uint8_t *out);
enum carta_err __real_carta_sm_start(struct carta_sm *sm, const uint8_t k_enc[16],
                                     const uint8_t k_mac[16], const uint8_t ssc[8]);
enum carta_err __wrap_carta_sm_start(struct carta_sm *sm, const uint8_t k_enc[16],
                                     const uint8_t k_mac[16], const uint8_t ssc[8]);

enum carta_err __wrap_carta_modexp(const uint8_t *base, size_t blen, const uint8_t *exp,
                                   size_t elen, const uint8_t *m, size_t mlen, uint8_t *out)
{
	if (seen.on && exp && elen <= sizeof(seen.exp)) {
		memcpy(seen.exp, exp, elen);
		seen.exp_len = elen;
	}
	return __real_carta_modexp(base, blen, exp, elen, m, mlen, out);
}

enum carta_err __wrap_carta_sm_start(struct carta_sm *sm, const uint8_t k_enc[16],
                                     const uint8_t k_mac[16], const uint8_t ssc[8])
{
	enum carta_err rv = __real_carta_sm_start(sm, k_enc, k_mac, ssc);

	if (seen.on && rv == CARTA_OK) {
		memcpy(seen.x, seen.exp, seen.exp_len);
		seen.x_len = seen.exp_len;
		memcpy(seen.kenc, k_enc, 16);
		memcpy(seen.kmac, k_mac, 16);
		seen.have = true;
	}
	return rv;
}

static void test_log_has_no_secrets(void **state)
{
	struct env e;
	char logpath[] = "/tmp/carta-cie-log-XXXXXX";
	char *log;
	long len;
	FILE *f;
	int fd, tries;

	(void)state;
	fd = mkstemp(logpath);
	assert_true(fd >= 0);
	close(fd);
	setenv("CARTA_DEBUG", "3", 1);
	setenv("CARTA_DEBUG_FILE", logpath, 1);
	carta_log_reinit();
	memset(&seen, 0, sizeof(seen));
	seen.on = true;
	env_new(&e, &cfgs[1]);
	assert_int_equal(login(&e, PIN, &tries), CARTA_OK);
	sign_and_check(&e, 1, 3);
	assert_int_equal(carta_cie_driver.change(e.c, 0, (const uint8_t *)PIN, 8,
	                                         (const uint8_t *)NEWPIN, 8, &tries),
	                 CARTA_OK);
	seen.on = false;
	assert_true(seen.have);
	env_free(&e);
	unsetenv("CARTA_DEBUG");
	unsetenv("CARTA_DEBUG_FILE");
	carta_log_reinit();

	f = fopen(logpath, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	assert_true(len > 1000);   /* the trace is really there */
	log = calloc(1, (size_t)len + 1);
	assert_non_null(log);
	assert_int_equal(fread(log, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_non_null(strstr(log, "00 A4 04 0C"));
	assert_null(strstr(log, PIN));
	assert_null(strstr(log, NEWPIN));
	assert_false(log_has(log, (const uint8_t *)PIN, 8));
	assert_false(log_has(log, (const uint8_t *)NEWPIN, 8));
	assert_true(seen.x_len >= 8);
	assert_false(log_has(log, seen.x, seen.x_len));
	assert_false(log_has(log, seen.kenc, 16));
	assert_false(log_has(log, seen.kmac, 16));
	free(log);
	unlink(logpath);
	carta_wipe(&seen, sizeof(seen));
}

static void test_reset_by_other(void **state)
{
	struct env e;
	uint8_t sig[256];
	size_t sl = sizeof(sig);
	int tries;

	(void)state;
	env_new(&e, &cfgs[0]);
	assert_int_equal(login(&e, PIN, &tries), CARTA_OK);
	carta_inproc_reset_by_other(e.ip, 0);
	/* the transport reports it; the driver re-selects and has no session */
	assert_int_equal(carta_cie_driver.sign(e.c, 0, CARTA_SIGN_PKCS1_DATA,
	                                       (const uint8_t *)"abc", 3, sig, &sl),
	                 CARTA_E_CARD_RESET);
	assert_int_equal(carta_cie_driver.reinit(e.c), CARTA_OK);
	sl = sizeof(sig);
	assert_int_equal(carta_cie_driver.sign(e.c, 0, CARTA_SIGN_PKCS1_DATA,
	                                       (const uint8_t *)"abc", 3, sig, &sl),
	                 CARTA_E_SECURITY_STATUS);
	assert_int_equal(login(&e, PIN, &tries), CARTA_OK);
	sign_and_check(&e, 7, 3);
	env_free(&e);
}

/* The bare NFC ATR 3B 80 80 01 01: a CIE (STM2 family) is claimed by the
 * probe, a CNS applet card with the same ATR is not (docs/reference/cie.md 1.1). */
static void test_bare_atr(void **state)
{
	static const char *const profiles[] = { "cie-gemalto", "cie-nxp" };
	struct vcard_config vc;
	struct env e;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		memset(&e, 0, sizeof(e));
		memset(&vc, 0, sizeof(vc));
		vc.profile = profiles[i];
		vc.atr_hex = "3B80800101";
		snprintf(e.dir, sizeof(e.dir), "/tmp/carta-cie-XXXXXX");
		assert_non_null(mkdtemp(e.dir));
		assert_int_equal(vcard_new(&vc, &e.v), CARTA_OK);
		assert_int_equal(carta_inproc_new(1, &e.ip), CARTA_OK);
		assert_int_equal(carta_inproc_insert(e.ip, 0, &vcard_inproc_ops, e.v), CARTA_OK);
		assert_int_equal(card_open(&e), CARTA_OK);
		assert_string_equal(e.c->desc.family, "CIE 3.0 (STM2)");
		assert_string_equal(e.c->desc.serial, vcard_card_id(e.v));
		env_free(&e);
	}
	memset(&e, 0, sizeof(e));
	memset(&vc, 0, sizeof(vc));
	vc.profile = "actalis";
	vc.atr_hex = "3B80800101";
	snprintf(e.dir, sizeof(e.dir), "/tmp/carta-cie-XXXXXX");
	assert_non_null(mkdtemp(e.dir));
	assert_int_equal(vcard_new(&vc, &e.v), CARTA_OK);
	assert_int_equal(carta_inproc_new(1, &e.ip), CARTA_OK);
	assert_int_equal(carta_inproc_insert(e.ip, 0, &vcard_inproc_ops, e.v), CARTA_OK);
	assert_int_equal(card_open(&e), CARTA_E_CARD_UNKNOWN);
	env_free(&e);
}

/* Through the card API (src/cards/card.c + registry.c): the registry picks
 * this driver, PIN rules are applied before anything is sent, and a reset by
 * another process leaves no usable session. Needs the CIE driver in
 * carta_card_drivers[]. */
static void test_card_api(void **state)
{
	struct env e;
	struct carta_readers *rs;
	struct carta_transport *t = NULL;
	struct carta_card *c = NULL;
	uint8_t sig[256];
	size_t sl = sizeof(sig);
	int tries;

	(void)state;
	env_new(&e, &cfgs[0]);
	assert_string_equal(carta_atr_driver(e.c->t->atr, e.c->t->atr_len), "cie");
	rs = carta_inproc_readers(e.ip);
	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 0", &t), CARTA_OK);
	assert_int_equal(carta_card_open(t, &c), CARTA_OK);
	assert_string_equal(carta_card_get_desc(c)->driver, "cie");
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"1234", 4, &tries),
	                 CARTA_E_PIN_LEN);
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)PIN, 8, &tries), CARTA_OK);
	assert_int_equal(carta_card_sign(c, 0, CARTA_SIGN_PKCS1_DATA, (const uint8_t *)"abc", 3,
	                                 sig, &sl),
	                 CARTA_OK);
	carta_inproc_reset_by_other(e.ip, 0);
	sl = sizeof(sig);
	assert_int_equal(carta_card_sign(c, 0, CARTA_SIGN_PKCS1_DATA, (const uint8_t *)"abc", 3,
	                                 sig, &sl),
	                 CARTA_E_SECURITY_STATUS);
	assert_true(carta_card_take_reset(c));
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)PIN, 8, &tries), CARTA_OK);
	sl = sizeof(sig);
	assert_int_equal(carta_card_sign(c, 0, CARTA_SIGN_PKCS1_DATA, (const uint8_t *)"abc", 3,
	                                 sig, &sl),
	                 CARTA_OK);
	assert_int_equal(carta_card_logout(c), CARTA_OK);
	carta_card_close(c);
	env_free(&e);
}

/* Through the PKCS#11 function list: the certificate object appears after
 * C_Login (and before it on the next start, from the cache), signatures by
 * CKM_SHA256_RSA_PKCS verify, each costs at most 3 card exchanges. */
static CK_OBJECT_HANDLE p11_one(struct h *h, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls)
{
	CK_OBJECT_HANDLE o[4];

	assert_int_equal(h_find(h, s, cls, o, 4), 1);
	return o[0];
}

static void p11_sign(struct h *h, CK_SESSION_HANDLE s, struct vcard *v, int i)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	struct carta_bytes cert = vcard_holder_cert(v);
	CK_BYTE msg[16], sig[512], hash[32];
	CK_ULONG sl = sizeof(sig);
	size_t hl;
	unsigned long before = h_apdus(v);
	int n = snprintf((char *)msg, sizeof(msg), "p11 %d", i);

	assert_int_equal(h->f->C_SignInit(s, &m, p11_one(h, s, CKO_PRIVATE_KEY)), CKR_OK);
	assert_int_equal(h->f->C_Sign(s, msg, (CK_ULONG)n, sig, &sl), CKR_OK);
	print_message("    C_Sign %d: %lu exchanges\n", i, h_apdus(v) - before);
	assert_true(h_apdus(v) - before <= 3);
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, msg, (size_t)n, hash, sizeof(hash), &hl),
	                 CARTA_OK);
	assert_int_equal(carta_rsa_verify_pkcs1(cert.p, cert.len, true, CARTA_HASH_SHA256, hash,
	                                        hl, sig, sl),
	                 CARTA_OK);
}

static void test_pkcs11(void **state)
{
	char dir[] = "/tmp/carta-cie-p11-XXXXXX";
	struct h h;
	struct vcard *v;
	CK_SLOT_ID slots[4];
	CK_ULONG ns = 4, len;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	uint8_t *val;
	unsigned long before;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CACHE_HOME", dir, 1);
	h_init(&h, 1);
	v = h_card(&h, 0, "cie-nxp");
	assert_int_equal(h.f->C_GetSlotList(CK_TRUE, slots, &ns), CKR_OK);
	assert_int_equal(ns, 1);
	assert_int_equal(h.f->C_GetTokenInfo(slots[0], &ti), CKR_OK);
	assert_int_equal(ti.ulMinPinLen, 8);
	assert_int_equal(ti.ulMaxPinLen, 8);
	s = h_open(&h, slots[0], CKF_RW_SESSION);
	assert_int_equal(h_login(&h, s, CKU_USER, "1234"), CKR_PIN_INCORRECT);
	before = h_apdus(v);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	print_message("  C_Login (first, certificate read): %lu APDUs\n", h_apdus(v) - before);
	val = h_attr(&h, s, p11_one(&h, s, CKO_CERTIFICATE), CKA_VALUE, &len);
	assert_int_equal(len, vcard_holder_cert(v).len);
	assert_memory_equal(val, vcard_holder_cert(v).p, len);
	free(val);
	for (int i = 1; i <= 3; i++)
		p11_sign(&h, s, v, i);
	assert_int_equal(h.f->C_Logout(s), CKR_OK);
	assert_int_equal(h.f->C_CloseAllSessions(slots[0]), CKR_OK);
	h_done(&h);

	/* a new start: the certificate is there before login */
	h_init(&h, 1);
	v = h_card(&h, 0, "cie-nxp");
	ns = 4;
	assert_int_equal(h.f->C_GetSlotList(CK_TRUE, slots, &ns), CKR_OK);
	s = h_open(&h, slots[0], 0);
	val = h_attr(&h, s, p11_one(&h, s, CKO_CERTIFICATE), CKA_VALUE, &len);
	assert_int_equal(len, vcard_holder_cert(v).len);
	free(val);
	before = h_apdus(v);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	print_message("  C_Login (cached certificate): %lu APDUs\n", h_apdus(v) - before);
	p11_sign(&h, s, v, 4);
	p11_sign(&h, s, v, 5);
	assert_int_equal(h.f->C_CloseAllSessions(slots[0]), CKR_OK);
	h_done(&h);
	rm_tree(dir);
}

/* The CIE cannot tell its PIN counter; a 6983 it answered is remembered on
 * this machine, so a later process (C_Finalize + C_Initialize here, the card
 * untouched) shows the PIN locked and takes the value of an unlogged
 * C_SetPIN as the PUK: pkcs11-tool --unlock-pin. */
static void test_pkcs11_unlock_later_process(void **state)
{
	char dir[] = "/tmp/carta-cie-unl-XXXXXX";
	struct h h;
	struct vcard *v;
	CK_SLOT_ID slot;
	CK_ULONG ns = 1;
	CK_TOKEN_INFO ti;
	CK_SESSION_HANDLE s;
	uint8_t cur[16];

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CACHE_HOME", dir, 1);
	h_init(&h, 1);
	v = h_card(&h, 0, "cie-gemalto");
	assert_int_equal(h.f->C_GetSlotList(CK_TRUE, &slot, &ns), CKR_OK);
	s = h_open(&h, slot, CKF_RW_SESSION);
	assert_int_equal(h_login(&h, s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&h, s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&h, s, CKU_USER, "00000000"), CKR_PIN_LOCKED);
	assert_int_equal(vcard_pin_tries_left(v, false), 0);

	/* "another process": the module starts again, the card stays */
	assert_int_equal(h.f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(h.f->C_Initialize(NULL), CKR_OK);
	ns = 1;
	assert_int_equal(h.f->C_GetSlotList(CK_TRUE, &slot, &ns), CKR_OK);
	assert_int_equal(h.f->C_GetTokenInfo(slot, &ti), CKR_OK);
	assert_true(ti.flags & CKF_USER_PIN_LOCKED);
	s = h_open(&h, slot, CKF_RW_SESSION);
	assert_int_equal(h.f->C_SetPIN(s, (CK_UTF8CHAR_PTR)PUK, 8, (CK_UTF8CHAR_PTR)NEWPIN, 8),
	                 CKR_OK);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	assert_int_equal(vcard_current_pin(v, cur, sizeof(cur)), 8);
	assert_memory_equal(cur, NEWPIN, 8);
	assert_int_equal(h.f->C_GetTokenInfo(slot, &ti), CKR_OK);
	assert_false(ti.flags & CKF_USER_PIN_LOCKED);
	assert_int_equal(h_login(&h, s, CKU_USER, NEWPIN), CKR_OK);
	h_done(&h);
	rm_tree(dir);
}

/* One slot's token label and serial, blanks cut. */
static void token_names(struct h *h, CK_SLOT_ID slot, char label[33], char serial[17])
{
	CK_TOKEN_INFO ti;
	int n;

	assert_int_equal(h->f->C_GetTokenInfo(slot, &ti), CKR_OK);
	memcpy(label, ti.label, 32);
	for (n = 32; n > 0 && label[n - 1] == ' '; n--)
		;
	label[n] = '\0';
	memcpy(serial, ti.serialNumber, 16);
	for (n = 16; n > 0 && serial[n - 1] == ' '; n--)
		;
	serial[n] = '\0';
}

static CK_SLOT_ID p11_restart(struct h *h)
{
	CK_SLOT_ID slot;
	CK_ULONG ns = 1;

	assert_int_equal(h->f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(h->f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(h->f->C_GetSlotList(CK_TRUE, &slot, &ns), CKR_OK);
	assert_int_equal(ns, 1);
	return slot;
}

/* The token's name and serial never change: before the first login (empty
 * cache), after it (the certificate now known), in a new process with the
 * certificate cached and with the cache gone. NSS nicknames
 * ("<label>:<cert>") and pkcs11:token= URIs saved at any of these moments
 * must keep matching. The label is "CIE <NIS>". */
static void test_pkcs11_label_stable(void **state)
{
	char dir[] = "/tmp/carta-cie-lbl-XXXXXX", want[40], label[33], serial[17], path[4200];
	struct h h;
	struct vcard *v;
	CK_SLOT_ID slot;
	CK_ULONG ns = 1;
	CK_SESSION_HANDLE s;

	(void)state;
	for (size_t k = 0; k < 2; k++) {
		assert_non_null(mkdtemp(dir));
		setenv("XDG_CACHE_HOME", dir, 1);
		h_init(&h, 1);
		v = h_card(&h, 0, k == 0 ? "cie-nxp" : "cie-gemalto");
		snprintf(want, sizeof(want), "CIE %s", vcard_card_id(v));
		ns = 1;
		assert_int_equal(h.f->C_GetSlotList(CK_TRUE, &slot, &ns), CKR_OK);
		token_names(&h, slot, label, serial);
		assert_string_equal(label, want);
		assert_string_equal(serial, vcard_card_id(v));
		s = h_open(&h, slot, 0);
		assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
		/* Firefox on an empty cache: the certificate appears after login */
		assert_int_equal(h_find(&h, s, CKO_CERTIFICATE, &(CK_OBJECT_HANDLE){ 0 }, 1), 1);
		token_names(&h, slot, label, serial);
		assert_string_equal(label, want);
		assert_string_equal(serial, vcard_card_id(v));
		assert_int_equal(h.f->C_Logout(s), CKR_OK);
		token_names(&h, slot, label, serial);
		assert_string_equal(label, want);

		/* a new process, the certificate cached */
		assert_int_equal(carta_cie_cache_path(vcard_card_id(v), path, sizeof(path)), CARTA_OK);
		assert_int_equal(access(path, F_OK), 0);
		slot = p11_restart(&h);
		token_names(&h, slot, label, serial);
		assert_string_equal(label, want);
		assert_string_equal(serial, vcard_card_id(v));
		s = h_open(&h, slot, 0);
		assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
		token_names(&h, slot, label, serial);
		assert_string_equal(label, want);

		/* a new process, the cache gone */
		rm_tree(dir);
		slot = p11_restart(&h);
		token_names(&h, slot, label, serial);
		assert_string_equal(label, want);
		assert_string_equal(serial, vcard_card_id(v));
		h_done(&h);
		rm_tree(dir);
		memcpy(dir + sizeof(dir) - 7, "XXXXXX", 6);
	}
}

static CK_FLAGS token_flags(struct h *h, CK_SLOT_ID slot)
{
	CK_TOKEN_INFO ti;

	assert_int_equal(h->f->C_GetTokenInfo(slot, &ti), CKR_OK);
	return ti.flags;
}

#define USER_TRIES (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY | CKF_USER_PIN_LOCKED)
#define SO_TRIES (CKF_SO_PIN_COUNT_LOW | CKF_SO_PIN_FINAL_TRY | CKF_SO_PIN_LOCKED)

/* The CIE cannot tell its tries without spending one, but a wrong VERIFY's
 * 63Cx did: COUNT_LOW after one wrong PIN, FINAL_TRY after two, in this
 * process and in a later one (the note next to the cache); a correct PIN
 * clears them; without a note a new process shows none. The PUK alike with
 * the SO flags. Reading the flags costs no APDU. */
static void test_pkcs11_tries_flags(void **state)
{
	char dir[] = "/tmp/carta-cie-try-XXXXXX";
	struct h h;
	struct vcard *v;
	CK_SLOT_ID slot;
	CK_ULONG ns = 1;
	CK_SESSION_HANDLE s;
	unsigned long before;

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CACHE_HOME", dir, 1);
	h_init(&h, 1);
	v = h_card(&h, 0, "cie-nxp");
	assert_int_equal(h.f->C_GetSlotList(CK_TRUE, &slot, &ns), CKR_OK);
	assert_int_equal(token_flags(&h, slot) & (USER_TRIES | SO_TRIES), 0);
	s = h_open(&h, slot, CKF_RW_SESSION);
	assert_int_equal(h_login(&h, s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	before = h_apdus(v);
	assert_int_equal(token_flags(&h, slot) & USER_TRIES, CKF_USER_PIN_COUNT_LOW);
	assert_int_equal(h_apdus(v), before);
	assert_int_equal(h_login(&h, s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(v, false), 1);
	before = h_apdus(v);
	assert_int_equal(token_flags(&h, slot) & USER_TRIES,
	                 CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
	assert_int_equal(h_apdus(v), before);

	/* a later process knows it too */
	slot = p11_restart(&h);
	assert_int_equal(token_flags(&h, slot) & USER_TRIES,
	                 CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY);
	s = h_open(&h, slot, CKF_RW_SESSION);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(token_flags(&h, slot) & USER_TRIES, 0);
	assert_int_equal(h.f->C_Logout(s), CKR_OK);

	/* the PUK: a wrong one, then the right one */
	assert_int_equal(h_login(&h, s, CKU_SO, "00000000"), CKR_PIN_INCORRECT);
	assert_int_equal(token_flags(&h, slot) & (USER_TRIES | SO_TRIES), CKF_SO_PIN_COUNT_LOW);
	slot = p11_restart(&h);
	assert_int_equal(token_flags(&h, slot) & SO_TRIES, CKF_SO_PIN_COUNT_LOW);
	s = h_open(&h, slot, CKF_RW_SESSION);
	assert_int_equal(h_login(&h, s, CKU_SO, PUK), CKR_OK);
	assert_int_equal(token_flags(&h, slot) & (USER_TRIES | SO_TRIES), 0);
	assert_int_equal(h.f->C_Logout(s), CKR_OK);

	/* one wrong PIN again, then a new process without the note: no flag */
	assert_int_equal(h_login(&h, s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	assert_int_equal(token_flags(&h, slot) & USER_TRIES, CKF_USER_PIN_COUNT_LOW);
	rm_tree(dir);
	slot = p11_restart(&h);
	assert_int_equal(token_flags(&h, slot) & (USER_TRIES | SO_TRIES), 0);
	s = h_open(&h, slot, 0);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	h_done(&h);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_login_sign),
		cmocka_unit_test(test_pin_rules_send_nothing),
		cmocka_unit_test(test_block_unblock_change),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_log_has_no_secrets),
		cmocka_unit_test(test_reset_by_other),
		cmocka_unit_test(test_bare_atr),
		cmocka_unit_test(test_card_api),
		cmocka_unit_test(test_pkcs11),
		cmocka_unit_test(test_pkcs11_unlock_later_process),
		cmocka_unit_test(test_pkcs11_label_stable),
		cmocka_unit_test(test_pkcs11_tries_flags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
