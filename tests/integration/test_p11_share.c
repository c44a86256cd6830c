/* SPDX-License-Identifier: BSD-3-Clause */
/* Two applications on one card (docs/pkcs11.md "Sharing the card").
 * Application A is the module, driven through its function list;
 * application B is another connection to the same virtual card through
 * libcarta, as another process using carta would be. What must hold: B's
 * secure-messaging session, B's reset or B's PIN change never leave A with a
 * dead login it cannot recover by itself (A verifies the PIN it kept again,
 * at most once, never a PIN the card refused); A's logout and A closing its
 * last session never log B out; the kept PIN is gone after C_Logout and
 * C_Finalize. */
#include <stdlib.h>
#include <unistd.h>

#include "p11_harness.c"
#include "carta/card.h"
#include "pkcs11/core/state.h"

#define PIN "12345678"
#define NEWPIN "24681357"
#define READER "Carta Virtual Reader 0"

static const char *const shared_profiles[] = { "st", "classic", "idemia", "actalis", "cie-nxp", "cie-gemalto" };

struct app_b {
	struct carta_card *c;
	struct carta_secret *pin;
};

struct share {
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	struct carta_bytes cert;
	char dir[64];
};

static void b_open(struct share *x, struct app_b *b)
{
	struct carta_transport *t = NULL;

	memset(b, 0, sizeof(*b));
	assert_int_equal(carta_readers_connect(carta_inproc_readers(x->h.ip), READER, &t), CARTA_OK);
	assert_int_equal(carta_card_open(t, &b->c), CARTA_OK);
}

/* B logs in, and keeps its PIN as a carta module would (carta_card_keep_login). */
static void b_login(struct app_b *b, const char *pin)
{
	assert_int_equal(carta_card_verify(b->c, 0, (const uint8_t *)pin, strlen(pin), NULL), CARTA_OK);
	carta_secret_free(&b->pin);
	assert_int_equal(carta_secret_from((const uint8_t *)pin, strlen(pin), &b->pin), CARTA_OK);
	carta_card_keep_login(b->c, 0, b->pin);
}

static void b_close(struct app_b *b)
{
	carta_card_close(b->c);
	carta_secret_free(&b->pin);
}

static void check_sig(const struct share *x, const char *msg, const uint8_t *sig, size_t n)
{
	uint8_t hash[32];
	size_t hl = 0;

	assert_int_equal(carta_digest(CARTA_HASH_SHA256, (const uint8_t *)msg, strlen(msg), hash,
	                              sizeof(hash), &hl), CARTA_OK);
	assert_int_equal(carta_rsa_verify_pkcs1(x->cert.p, x->cert.len, true, CARTA_HASH_SHA256,
	                                        hash, hl, sig, n), CARTA_OK);
}

/* B signs with SHA-256; the signature verifies with the certificate. */
static enum carta_err b_sign(struct share *x, struct app_b *b, const char *msg)
{
	uint8_t hash[32], sig[512];
	size_t hl = 0, sl = sizeof(sig);
	struct carta_buf di = { 0 };
	enum carta_err e;

	assert_int_equal(carta_digest(CARTA_HASH_SHA256, (const uint8_t *)msg, strlen(msg), hash,
	                              sizeof(hash), &hl), CARTA_OK);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, hash, hl, &di), CARTA_OK);
	e = carta_card_sign(b->c, 0, CARTA_SIGN_PKCS1_DATA, di.p, di.len, sig, &sl);
	if (e == CARTA_OK)
		check_sig(x, msg, sig, sl);
	carta_buf_free(&di);
	return e;
}

/* A signs with CKM_SHA256_RSA_PKCS: the result, and the signature checked. */
static CK_RV a_sign(struct share *x, const char *msg)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	uint8_t sig[512];
	CK_ULONG n = sizeof(sig);
	CK_RV rv;

	rv = x->h.f->C_SignInit(x->s, &m, x->key);
	if (rv == CKR_OK)
		rv = x->h.f->C_Sign(x->s, (CK_BYTE *)msg, (CK_ULONG)strlen(msg), sig, &n);
	if (rv == CKR_OK)
		check_sig(x, msg, sig, n);
	return rv;
}

static CK_STATE a_state(struct share *x)
{
	CK_SESSION_INFO si;

	assert_int_equal(x->h.f->C_GetSessionInfo(x->s, &si), CKR_OK);
	return si.state;
}

/* A: module up, one R/W session, logged in, the private key found. */
static void a_start(struct share *x, const char *profile)
{
	CK_OBJECT_HANDLE k[2];

	memset(x, 0, sizeof(*x));
	snprintf(x->dir, sizeof(x->dir), "/tmp/carta-share-XXXXXX");
	assert_non_null(mkdtemp(x->dir));
	assert_int_equal(setenv("XDG_CACHE_HOME", x->dir, 1), 0);
	h_init(&x->h, 1);
	x->v = h_card(&x->h, 0, profile);
	x->cert = vcard_holder_cert(x->v);
	x->s = h_open(&x->h, 0, CKF_RW_SESSION);
	assert_int_equal(h_login(&x->h, x->s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(h_find(&x->h, x->s, CKO_PRIVATE_KEY, k, 2), 1);
	x->key = k[0];
}

static void a_done(struct share *x)
{
	char cmd[96];

	h_done(&x->h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", x->dir);
	assert_int_equal(system(cmd), 0);
}

/* CIE: B opens its own SM session (login + sign) between A's signatures,
 * eight times; every signature of A succeeds and verifies, and the card's
 * counter never moves (A verifies again with the PIN the card accepted).
 * Before: A got CKR_DEVICE_ERROR (6987/6988) until the card was reset. */
static void test_cie_other_sm_session(void **state)
{
	const char *profiles[] = { "cie-nxp", "cie-gemalto" };
	struct app_b b;
	struct share x;
	char msg[32];

	(void)state;
	for (size_t p = 0; p < 2; p++) {
		a_start(&x, profiles[p]);
		assert_int_equal(a_sign(&x, "A before B"), CKR_OK);
		b_open(&x, &b);
		for (int i = 0; i < 8; i++) {
			if (i == 0)
				b_login(&b, PIN);
			snprintf(msg, sizeof(msg), "B %d", i);
			assert_int_equal(b_sign(&x, &b, msg), CARTA_OK);
			snprintf(msg, sizeof(msg), "A %d", i);
			assert_int_equal(a_sign(&x, msg), CKR_OK);
			assert_int_equal(a_state(&x), CKS_RW_USER_FUNCTIONS);
		}
		assert_int_equal(vcard_pin_tries_left(x.v, false), 3);
		b_close(&b);
		a_done(&x);
	}
}

/* A and B logged in; A logs out: B keeps signing (no reset). A logs in
 * again and closes its last session: B keeps signing. On the CIE, A's new
 * login replaces B's SM session on the card (one session at a time): B's
 * kept PIN brings it back, with no try spent. Before: A's logout reset the
 * card and B's next signature failed (CNS 6982, CIE no session). */
static void test_logout_keeps_others(void **state)
{
	struct app_b b;
	struct share x;

	(void)state;
	for (size_t p = 0; p < sizeof(shared_profiles) / sizeof(shared_profiles[0]); p++) {
		a_start(&x, shared_profiles[p]);
		b_open(&x, &b);
		b_login(&b, PIN);
		assert_int_equal(a_sign(&x, "A 1"), CKR_OK);
		assert_int_equal(b_sign(&x, &b, "B 1"), CARTA_OK);
		assert_int_equal(x.h.f->C_Logout(x.s), CKR_OK);
		carta_card_keep_login(b.c, 0, NULL);   /* B must not need its PIN again */
		assert_int_equal(b_sign(&x, &b, "B 2"), CARTA_OK);
		assert_int_equal(a_sign(&x, "A refused"), CKR_USER_NOT_LOGGED_IN);
		assert_int_equal(h_login(&x.h, x.s, CKU_USER, PIN), CKR_OK);
		assert_int_equal(a_sign(&x, "A 2"), CKR_OK);
		carta_card_keep_login(b.c, 0, b.pin);
		assert_int_equal(b_sign(&x, &b, "B 3"), CARTA_OK);
		assert_int_equal(x.h.f->C_CloseAllSessions(0), CKR_OK);
		carta_card_keep_login(b.c, 0, NULL);
		assert_int_equal(b_sign(&x, &b, "B 4"), CARTA_OK);
		assert_int_equal(b_sign(&x, &b, "B 5"), CARTA_OK);
		assert_int_equal(vcard_pin_tries_left(x.v, false), 3);
		b_close(&b);
		a_done(&x);
	}
}

/* Another process resets the card between A's signatures: A verifies its
 * kept PIN again inside the signature and signs; the counter is untouched. */
static void test_reset_between_signatures(void **state)
{
	struct share x;
	char msg[32];

	(void)state;
	for (size_t p = 0; p < sizeof(shared_profiles) / sizeof(shared_profiles[0]); p++) {
		a_start(&x, shared_profiles[p]);
		for (int i = 0; i < 4; i++) {
			snprintf(msg, sizeof(msg), "A %d", i);
			assert_int_equal(a_sign(&x, msg), CKR_OK);
			carta_inproc_reset_by_other(x.h.ip, 0);
		}
		assert_int_equal(a_sign(&x, "A last"), CKR_OK);
		assert_int_equal(a_state(&x), CKS_RW_USER_FUNCTIONS);
		assert_int_equal(vcard_pin_tries_left(x.v, false), 3);
		a_done(&x);
	}
}

/* B changes the PIN (and, on the CNS, resets the card as carta-tool does
 * after its PIN operations): A's re-verify with the PIN it kept is refused
 * once, which spends exactly one try (the card cannot be asked whether a
 * value is still right without trying it); A is logged out, its kept PIN is
 * wiped, and nothing more is sent: the counter stays at 2. A logs in with
 * the new PIN and signs. */
static void test_pin_changed_by_other(void **state)
{
	struct app_b b;
	struct share x;

	(void)state;
	for (size_t p = 0; p < sizeof(shared_profiles) / sizeof(shared_profiles[0]); p++) {
		a_start(&x, shared_profiles[p]);
		assert_int_equal(a_sign(&x, "A 1"), CKR_OK);
		b_open(&x, &b);
		assert_int_equal(carta_card_change(b.c, 0, (const uint8_t *)PIN, 8,
		                                   (const uint8_t *)NEWPIN, 8, NULL), CARTA_OK);
		assert_int_equal(carta_card_logout(b.c), CARTA_OK);
		assert_int_equal(a_sign(&x, "A 2"), CKR_USER_NOT_LOGGED_IN);
		assert_int_equal(vcard_pin_tries_left(x.v, false), 2);
		assert_int_equal(a_state(&x), CKS_RW_PUBLIC_SESSION);
		assert_null(carta_p11.slots[0].pin);
		assert_int_equal(a_sign(&x, "A 3"), CKR_USER_NOT_LOGGED_IN);
		carta_inproc_reset_by_other(x.h.ip, 0);
		assert_int_equal(a_sign(&x, "A 4"), CKR_USER_NOT_LOGGED_IN);
		assert_int_equal(vcard_pin_tries_left(x.v, false), 2);
		assert_int_equal(h_login(&x.h, x.s, CKU_USER, NEWPIN), CKR_OK);
		assert_int_equal(vcard_pin_tries_left(x.v, false), 3);
		assert_int_equal(a_sign(&x, "A 5"), CKR_OK);
		b_close(&b);
		a_done(&x);
	}
}

/* The kept PIN lives only while the login does: none before C_Login, none
 * after C_Logout, after the last session closes, after a wrong C_Login, nor
 * after C_Finalize. */
static void test_kept_pin_wiped(void **state)
{
	struct share x;

	(void)state;
	a_start(&x, "st");
	assert_non_null(carta_p11.slots[0].pin);
	assert_int_equal(carta_p11.slots[0].pin->len, 8);
	assert_int_equal(x.h.f->C_Logout(x.s), CKR_OK);
	assert_null(carta_p11.slots[0].pin);
	assert_int_equal(h_login(&x.h, x.s, CKU_USER, "99999999"), CKR_PIN_INCORRECT);
	assert_null(carta_p11.slots[0].pin);
	assert_int_equal(h_login(&x.h, x.s, CKU_USER, PIN), CKR_OK);
	assert_non_null(carta_p11.slots[0].pin);
	assert_int_equal(x.h.f->C_CloseSession(x.s), CKR_OK);
	assert_null(carta_p11.slots[0].pin);
	x.s = h_open(&x.h, 0, CKF_RW_SESSION);
	assert_int_equal(h_login(&x.h, x.s, CKU_USER, PIN), CKR_OK);
	assert_non_null(carta_p11.slots[0].pin);
	assert_int_equal(x.h.f->C_Finalize(NULL), CKR_OK);
	assert_null(carta_p11.slots[0].pin);
	assert_int_equal(x.h.f->C_Initialize(NULL), CKR_OK);
	a_done(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cie_other_sm_session),
		cmocka_unit_test(test_logout_keeps_others),
		cmocka_unit_test(test_reset_between_signatures),
		cmocka_unit_test(test_pin_changed_by_other),
		cmocka_unit_test(test_kept_pin_wiped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
