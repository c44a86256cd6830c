/* SPDX-License-Identifier: BSD-3-Clause */
/* Recovery from one bad answer, through the PKCS#11 function list: a
 * wrapping card in front of the virtual card spoils one APDU (a status word,
 * a truncated or corrupted answer, the card pulled, a 61xx whose GET
 * RESPONSE is refused) and the module must recover at the next call, or
 * tell the truth (the card is gone). The wrapping reader performs a pull
 * the way PC/SC shows it: the transmit fails, then the reader is empty. */
#include <stdlib.h>
#include <unistd.h>

#include "p11_harness.c"

#define PIN "12345678"

enum fmode { F_SW, F_PULL, F_TRUNC, F_CORRUPT, F_61 };

struct fault {
	struct vcard *v;
	const uint8_t *pat;   /* the nth command containing pat; NULL: the nth command */
	size_t pat_len;
	unsigned nth, seen;
	enum fmode mode;
	uint16_t sw;
	bool fired, pull_pending, refuse_getresp;
};

struct env {
	struct h h;
	struct fault f;
	struct carta_readers rd;
	struct carta_readers *inner;
	char dir[64];
};

static struct env *the_env;

static bool contains(const uint8_t *p, size_t n, const uint8_t *pat, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp(p + i, pat, m) == 0)
			return true;
	return false;
}

static enum carta_err put_sw(struct carta_buf *resp, uint16_t sw)
{
	uint8_t b[2] = { (uint8_t)(sw >> 8), (uint8_t)sw };

	carta_buf_clear(resp);
	return carta_buf_append(resp, b, 2);
}

static enum carta_err spoil(struct fault *f, const uint8_t *cmd, size_t n, struct carta_buf *r)
{
	enum carta_err rv = CARTA_OK;

	switch (f->mode) {
	case F_SW:
		return put_sw(r, f->sw);
	case F_PULL:
		f->pull_pending = true;
		return CARTA_E_TRANSPORT;
	case F_61:
		(void)vcard_apdu(f->v, cmd, n, r);
		f->refuse_getresp = true;
		return put_sw(r, 0x6100);
	case F_TRUNC:
		rv = vcard_apdu(f->v, cmd, n, r);
		if (rv == CARTA_OK && r->len > 5) {
			memmove(r->p + 3, r->p + r->len - 2, 2);
			r->len = 5;
		}
		return rv;
	case F_CORRUPT:
		rv = vcard_apdu(f->v, cmd, n, r);
		if (rv == CARTA_OK && r->len > 22)
			r->p[r->len - 22] ^= 0x55;
		return rv;
	}
	return rv;
}

static enum carta_err f_apdu(void *card, const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	struct fault *f = card;

	if (f->refuse_getresp && n >= 2 && cmd[1] == 0xc0) {
		f->refuse_getresp = false;
		return put_sw(resp, 0x6d00);
	}
	if (!f->fired && f->nth && (!f->pat || contains(cmd, n, f->pat, f->pat_len)) &&
	    ++f->seen == f->nth) {
		f->fired = true;
		return spoil(f, cmd, n, resp);
	}
	return vcard_apdu(f->v, cmd, n, resp);
}

static void f_reset(void *card)
{
	vcard_inproc_ops.reset(((struct fault *)card)->v);
}

static size_t f_atr(void *card, uint8_t *out, size_t cap)
{
	return vcard_inproc_ops.atr(((struct fault *)card)->v, out, cap);
}

static const struct carta_inproc_card_ops fault_ops = { f_apdu, f_reset, f_atr };

/* The reader: a pending pull happens before the module looks again. */
static void do_pull(void)
{
	if (the_env->f.pull_pending) {
		the_env->f.pull_pending = false;
		carta_inproc_remove(the_env->h.ip, 0);
	}
}

static enum carta_err r_list(struct carta_readers *rs, struct carta_reader_state *out, size_t *n)
{
	(void)rs;
	do_pull();
	return carta_readers_list(the_env->inner, out, n);
}

static enum carta_err r_wait(struct carta_readers *rs, long ms)
{
	(void)rs;
	return carta_readers_wait(the_env->inner, ms);
}

static void r_cancel(struct carta_readers *rs)
{
	(void)rs;
	carta_readers_cancel(the_env->inner);
}

static enum carta_err r_connect(struct carta_readers *rs, const char *name,
                                struct carta_transport **out)
{
	(void)rs;
	do_pull();
	return carta_readers_connect(the_env->inner, name, out);
}

static void r_close(struct carta_readers *rs)
{
	(void)rs;
}

static const struct carta_readers_ops r_ops = { r_list, r_wait, r_cancel, r_connect, r_close };

static struct env *env_new(const char *profile)
{
	struct env *e = calloc(1, sizeof(*e));
	struct vcard_config cfg;

	assert_non_null(e);
	the_env = e;
	snprintf(e->dir, sizeof(e->dir), "/tmp/carta-recover-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	assert_int_equal(setenv("XDG_CACHE_HOME", e->dir, 1), 0);
	assert_int_equal(carta_inproc_new(1, &e->h.ip), CARTA_OK);
	e->inner = carta_inproc_readers(e->h.ip);
	e->rd.ops = &r_ops;
	carta_p11_test_set_readers(&e->rd);
	assert_int_equal(C_GetFunctionList(&e->h.f), CKR_OK);
	/* a failed test before this one may have left the module initialised */
	(void)e->h.f->C_Finalize(NULL);
	assert_int_equal(e->h.f->C_Initialize(NULL), CKR_OK);
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	assert_int_equal(vcard_new(&cfg, &e->f.v), CARTA_OK);
	assert_int_equal(carta_inproc_insert(e->h.ip, 0, &fault_ops, &e->f), CARTA_OK);
	return e;
}

static void env_free(struct env *e)
{
	char cmd[128];

	assert_int_equal(e->h.f->C_Finalize(NULL), CKR_OK);
	carta_inproc_remove(e->h.ip, 0);
	vcard_free(e->f.v);
	carta_inproc_free(e->h.ip);
	carta_p11_test_set_readers(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	the_env = NULL;
}

static void arm(struct env *e, enum fmode m, uint16_t sw, const uint8_t *pat, size_t plen,
                unsigned nth)
{
	e->f.mode = m;
	e->f.sw = sw;
	e->f.pat = pat;
	e->f.pat_len = plen;
	e->f.nth = nth;
	e->f.seen = 0;
	e->f.fired = false;
}

static CK_RV token_info(struct env *e)
{
	CK_TOKEN_INFO ti;

	return e->h.f->C_GetTokenInfo(0, &ti);
}

/* 6F00 to the first APDU of the identification: that call fails, the next
 * one finds the card (before: a CIE was "not recognised" for good). */
static void test_6f00_first_apdu(void **state)
{
	static const char *const profiles[] = { "cie-nxp", "cie-gemalto", "classic", "st" };

	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct env *e = env_new(profiles[i]);

		print_message("  %s\n", profiles[i]);
		arm(e, F_SW, 0x6f00, NULL, 0, 1);
		assert_int_equal(token_info(e), CKR_DEVICE_ERROR);
		assert_int_equal(token_info(e), CKR_OK);
		env_free(e);
	}
}

/* 6A82 once, to the SELECT a CNS driver identifies its card by: it reads
 * like a foreign card, so that call says "not recognised"; the verdict is
 * believed only when the card says it twice, so the next call finds the
 * card (docs/reliability.md: the same process recovers at every index). */
static void test_6a82_probe_once(void **state)
{
	static const char *const profiles[] = { "classic", "st" };

	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct env *e = env_new(profiles[i]);

		print_message("  %s\n", profiles[i]);
		arm(e, F_SW, 0x6a82, NULL, 0, 1);
		assert_int_equal(token_info(e), CKR_TOKEN_NOT_RECOGNIZED);
		assert_int_equal(token_info(e), CKR_OK);
		env_free(e);
	}
}

/* A truncated NIS (the CIE's third APDU, READ BINARY of EF 1001 by SFI). */
static void test_cie_bad_nis(void **state)
{
	static const uint8_t read_nis[] = { 0x00, 0xb0, 0x81, 0x00 };
	struct env *e = env_new("cie-nxp");

	(void)state;
	arm(e, F_TRUNC, 0, read_nis, sizeof(read_nis), 1);
	assert_int_equal(token_info(e), CKR_DEVICE_ERROR);
	assert_int_equal(token_info(e), CKR_OK);
	env_free(e);
}

/* The card pulled during the identification: not present, not "unknown";
 * put back, it is found. */
static void test_pulled_during_identification(void **state)
{
	static const char *const profiles[] = { "cie-nxp", "classic" };

	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct env *e = env_new(profiles[i]);

		print_message("  %s\n", profiles[i]);
		arm(e, F_PULL, 0, NULL, 0, 2);
		assert_int_equal(token_info(e), CKR_TOKEN_NOT_PRESENT);
		assert_int_equal(carta_inproc_insert(e->h.ip, 0, &fault_ops, &e->f), CARTA_OK);
		assert_int_equal(token_info(e), CKR_OK);
		env_free(e);
	}
}

/* A one-off 6A82 on the CNS certificate (SELECT 1100/1101): the token
 * still has its certificate and private key. */
static void test_cns_cert_6a82(void **state)
{
	static const uint8_t sel_cert[] = { 0x04, 0x11, 0x00, 0x11, 0x01 };
	struct env *e = env_new("classic");
	CK_OBJECT_HANDLE o[4];
	CK_SESSION_HANDLE s;

	(void)state;
	arm(e, F_SW, 0x6a82, sel_cert, sizeof(sel_cert), 1);
	(void)token_info(e);
	assert_true(e->f.fired);
	s = h_open(&e->h, 0, 0);
	assert_int_equal(h_find(&e->h, s, CKO_CERTIFICATE, o, 4), 1);
	assert_int_equal(h_login(&e->h, s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(h_find(&e->h, s, CKO_PRIVATE_KEY, o, 4), 1);
	env_free(e);
}

/* A corrupted DH parameter (GET DATA BF A1 01): that login fails, the next
 * one succeeds (before: the bad group was kept and every login failed). */
static void test_cie_dh_corrupted(void **state)
{
	static const uint8_t dh[] = { 0xbf, 0xa1, 0x01 };
	static const char *const profiles[] = { "cie-nxp", "cie-gemalto" };

	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct env *e = env_new(profiles[i]);
		CK_SESSION_HANDLE s;

		print_message("  %s\n", profiles[i]);
		s = h_open(&e->h, 0, 0);
		for (unsigned nth = 1; nth <= 3; nth++) {
			arm(e, F_CORRUPT, 0, dh, sizeof(dh), nth);
			/* the driver may recover at once through the other GET
			 * DATA form (docs/reference/cie.md 1.1); never later */
			if (h_login(&e->h, s, CKU_USER, PIN) == CKR_OK)
				assert_int_equal(e->h.f->C_Logout(s), CKR_OK);
			if (!e->f.fired)
				break;   /* one GET DATA for all three values */
			assert_int_equal(h_login(&e->h, s, CKU_USER, PIN), CKR_OK);
			assert_int_equal(e->h.f->C_Logout(s), CKR_OK);
		}
		env_free(e);
	}
}

static CK_RV sign_once(struct env *e, CK_SESSION_HANDLE s)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key;
	CK_BYTE msg[] = "hello", sig[512];
	CK_ULONG n = sizeof(sig);

	assert_int_equal(h_find(&e->h, s, CKO_PRIVATE_KEY, &key, 1), 1);
	assert_int_equal(e->h.f->C_SignInit(s, &m, key), CKR_OK);
	return e->h.f->C_Sign(s, msg, sizeof(msg) - 1, sig, &n);
}

/* The card pulled mid-C_Sign (the signing command's transmit fails, then
 * the reader is empty): CKR_DEVICE_REMOVED, and a new call is
 * CKR_SESSION_HANDLE_INVALID / CKR_TOKEN_NOT_PRESENT. */
static void test_pulled_mid_sign(void **state)
{
	static const char *const profiles[] = { "classic", "cie-nxp" };
	/* PSO (CNS: the card's raw RSA) / INTERNAL AUTHENTICATE under SM (CIE) */
	static const uint8_t pso[] = { 0x00, 0x2a };
	static const uint8_t pso_sm[] = { 0x0c, 0x88, 0x00, 0x00 };

	(void)state;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct env *e = env_new(profiles[i]);
		CK_SESSION_HANDLE s;

		print_message("  %s\n", profiles[i]);
		s = h_open(&e->h, 0, 0);
		assert_int_equal(h_login(&e->h, s, CKU_USER, PIN), CKR_OK);
		if (i == 0)
			arm(e, F_PULL, 0, pso, sizeof(pso), 1);
		else
			arm(e, F_PULL, 0, pso_sm, sizeof(pso_sm), 1);
		assert_int_equal(sign_once(e, s), CKR_DEVICE_REMOVED);
		assert_true(e->f.fired);
		assert_int_equal(token_info(e), CKR_TOKEN_NOT_PRESENT);
		env_free(e);
	}
}

/* The card answers the signature with 61xx and refuses our GET RESPONSE
 * with 6D00: a device error, not CKR_FUNCTION_NOT_SUPPORTED; the next
 * signature works. */
static void test_getresp_refused(void **state)
{
	static const uint8_t pso[] = { 0x00, 0x2a };
	struct env *e = env_new("classic");
	CK_SESSION_HANDLE s;

	(void)state;
	s = h_open(&e->h, 0, 0);
	assert_int_equal(h_login(&e->h, s, CKU_USER, PIN), CKR_OK);
	arm(e, F_61, 0, pso, sizeof(pso), 1);
	assert_int_equal(sign_once(e, s), CKR_DEVICE_ERROR);
	assert_true(e->f.fired);
	assert_int_equal(sign_once(e, s), CKR_OK);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_6f00_first_apdu),
		cmocka_unit_test(test_6a82_probe_once),
		cmocka_unit_test(test_cie_bad_nis),
		cmocka_unit_test(test_pulled_during_identification),
		cmocka_unit_test(test_cns_cert_6a82),
		cmocka_unit_test(test_cie_dh_corrupted),
		cmocka_unit_test(test_pulled_mid_sign),
		cmocka_unit_test(test_getresp_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
