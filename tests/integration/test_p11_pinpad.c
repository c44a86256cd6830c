/* SPDX-License-Identifier: BSD-3-Clause */
/* PIN pad readers (PC/SC part 10) through the real function list: a CNS in
 * an in-process reader whose emulated pad "types" the digits. The token
 * offers CKF_PROTECTED_AUTHENTICATION_PATH, C_Login / C_SetPIN with NULL
 * PINs go through the pad, and the card's own counters and PIN are the
 * oracle. A CIE (PIN commands under SM) never gets the protected path; a
 * reader without a pad refuses a NULL PIN. */
#include "p11_harness.c"

#define PIN "12345678"
#define PUK "87654321"

static CK_FLAGS token_flags(struct h *h)
{
	CK_TOKEN_INFO ti;

	assert_int_equal(h->f->C_GetTokenInfo(0, &ti), CKR_OK);
	return ti.flags;
}

static CK_RV pad_login(struct h *h, CK_SESSION_HANDLE s)
{
	return h->f->C_Login(s, CKU_USER, NULL, 0);
}

/* One reader with a pad that types `typed`, a card of `profile` in it. */
static struct vcard *pad_setup(struct h *h, const char *profile, const char *typed)
{
	h_init(h, 1);
	assert_int_equal(carta_inproc_set_pinpad(h->ip, 0, typed), CARTA_OK);
	return h_card(h, 0, profile);
}

/* A signature made after the pad login verifies against the holder
 * certificate: the card's security state really holds the PIN. */
static void sign_and_check(struct h *h, struct vcard *v, CK_SESSION_HANDLE s)
{
	static const uint8_t msg[] = "firmato dopo il PIN pad";
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key;
	struct carta_bytes cert = vcard_holder_cert(v);
	uint8_t sig[512], hash[32];
	CK_ULONG sl = sizeof(sig);
	size_t hl = 0;

	assert_int_equal(h_find(h, s, CKO_PRIVATE_KEY, &key, 1), 1);
	assert_int_equal(h->f->C_SignInit(s, &m, key), CKR_OK);
	assert_int_equal(h->f->C_Sign(s, (CK_BYTE *)msg, sizeof(msg), sig, &sl), CKR_OK);
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, msg, sizeof(msg), hash, sizeof(hash), &hl),
	                 CARTA_OK);
	assert_int_equal(carta_rsa_verify_pkcs1(cert.p, cert.len, true, CARTA_HASH_SHA256, hash, hl,
	                                        sig, sl), CARTA_OK);
}

static void test_cns_pad_login(void **state)
{
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;

	(void)state;
	v = pad_setup(&h, "st", PIN);
	assert_true(token_flags(&h) & CKF_PROTECTED_AUTHENTICATION_PATH);
	s = h_open(&h, 0, 0);
	assert_int_equal(pad_login(&h, s), CKR_OK);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	sign_and_check(&h, v, s);
	assert_int_equal(h.f->C_Logout(s), CKR_OK);
	/* a PIN given by value still goes the normal way on a pad reader */
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, NULL), CARTA_OK);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	sign_and_check(&h, v, s);
	h_done(&h);
}

static void test_cns_pad_wrong_cancel_timeout(void **state)
{
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;

	(void)state;
	v = pad_setup(&h, "st", "11111111");
	s = h_open(&h, 0, 0);
	assert_int_equal(pad_login(&h, s), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(v, false), 2);
	assert_true(token_flags(&h) & CKF_USER_PIN_COUNT_LOW);
	/* Cancel on the pad: CKR_FUNCTION_CANCELED, no try spent */
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, NULL), CARTA_OK);
	assert_int_equal(pad_login(&h, s), CKR_FUNCTION_CANCELED);
	assert_int_equal(vcard_pin_tries_left(v, false), 2);
	/* nobody types: the pad times out, no try spent either */
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, ""), CARTA_OK);
	assert_int_not_equal(pad_login(&h, s), CKR_OK);
	assert_int_equal(vcard_pin_tries_left(v, false), 2);
	/* too short for the card's rules: the pad refuses, nothing sent; C_Login
	 * says CKR_PIN_INCORRECT (it has no CKR_PIN_LEN_RANGE, v2.40 base 5.6) */
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, "1234"), CARTA_OK);
	assert_int_equal(pad_login(&h, s), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(v, false), 2);
	/* the right PIN resets the counter */
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, PIN), CARTA_OK);
	assert_int_equal(pad_login(&h, s), CKR_OK);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	h_done(&h);
}

static void assert_card_pin(struct vcard *v, const char *want)
{
	uint8_t cur[16];
	size_t n = vcard_current_pin(v, cur, sizeof(cur));

	assert_int_equal(n, strlen(want));
	assert_memory_equal(cur, want, n);
}

static void test_cns_pad_set_pin(void **state)
{
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;

	(void)state;
	v = pad_setup(&h, "st", PIN ",24680");
	s = h_open(&h, 0, CKF_RW_SESSION);
	assert_int_equal(h.f->C_SetPIN(s, NULL, 0, NULL, 0), CKR_OK);
	assert_card_pin(v, "24680");
	/* the confirmation differs from the new PIN: nothing reaches the card */
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, "24680,13579,13570"), CARTA_OK);
	assert_int_equal(h.f->C_SetPIN(s, NULL, 0, NULL, 0), CKR_PIN_INCORRECT);
	assert_card_pin(v, "24680");
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	/* the pad takes both PINs or neither */
	assert_int_equal(h.f->C_SetPIN(s, NULL, 0, (CK_UTF8CHAR *)"13579", 5), CKR_ARGUMENTS_BAD);
	assert_int_equal(h.f->C_SetPIN(s, (CK_UTF8CHAR *)"24680", 5, NULL, 0), CKR_ARGUMENTS_BAD);
	/* logged in through the pad, changed again through the pad */
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, "24680"), CARTA_OK);
	assert_int_equal(pad_login(&h, s), CKR_OK);
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, "24680," PIN "," PIN), CARTA_OK);
	assert_int_equal(h.f->C_SetPIN(s, NULL, 0, NULL, 0), CKR_OK);
	assert_card_pin(v, PIN);
	sign_and_check(&h, v, s);
	h_done(&h);
}

/* Blocked PIN, not logged in: C_SetPIN(NULL, NULL) unblocks with the PUK
 * and the new PIN both typed on the pad. */
static void test_cns_pad_unblock(void **state)
{
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;
	int i;
	CK_RV rv;

	(void)state;
	v = pad_setup(&h, "st", "99999999");
	s = h_open(&h, 0, CKF_RW_SESSION);
	for (i = 0; i < 3; i++) {
		rv = pad_login(&h, s);
		assert_true(rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED);
	}
	assert_int_equal(vcard_pin_tries_left(v, false), 0);
	assert_true(token_flags(&h) & CKF_USER_PIN_LOCKED);
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, PUK ",97531"), CARTA_OK);
	assert_int_equal(h.f->C_SetPIN(s, NULL, 0, NULL, 0), CKR_OK);
	assert_card_pin(v, "97531");
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	assert_int_equal(carta_inproc_set_pinpad(h.ip, 0, "97531"), CARTA_OK);
	assert_int_equal(pad_login(&h, s), CKR_OK);
	sign_and_check(&h, v, s);
	h_done(&h);
}

/* The CIE's VERIFY travels under secure messaging: no pad can build it. */
static void test_cie_in_pad_reader(void **state)
{
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;

	(void)state;
	v = pad_setup(&h, "cie-nxp", PIN);
	assert_false(token_flags(&h) & CKF_PROTECTED_AUTHENTICATION_PATH);
	s = h_open(&h, 0, CKF_RW_SESSION);
	assert_int_equal(pad_login(&h, s), CKR_ARGUMENTS_BAD);
	assert_int_equal(h.f->C_SetPIN(s, NULL, 0, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	h_done(&h);
}

static void test_no_pad(void **state)
{
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;

	(void)state;
	h_init(&h, 1);
	v = h_card(&h, 0, "st");
	assert_false(token_flags(&h) & CKF_PROTECTED_AUTHENTICATION_PATH);
	s = h_open(&h, 0, CKF_RW_SESSION);
	assert_int_equal(pad_login(&h, s), CKR_ARGUMENTS_BAD);
	assert_int_equal(h.f->C_SetPIN(s, NULL, 0, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	h_done(&h);
}

/* CARTA_PINPAD=0: a reader that wrongly advertises a pad (docs/reference/cns.md 4 item 1)
 * is treated as a plain one. */
static void test_pad_switched_off(void **state)
{
	struct h h;
	CK_SESSION_HANDLE s;

	(void)state;
	assert_int_equal(setenv("CARTA_PINPAD", "0", 1), 0);
	pad_setup(&h, "st", PIN);
	assert_false(token_flags(&h) & CKF_PROTECTED_AUTHENTICATION_PATH);
	s = h_open(&h, 0, 0);
	assert_int_equal(pad_login(&h, s), CKR_ARGUMENTS_BAD);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	h_done(&h);
	assert_int_equal(unsetenv("CARTA_PINPAD"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cns_pad_login),
		cmocka_unit_test(test_cns_pad_wrong_cancel_timeout),
		cmocka_unit_test(test_cns_pad_set_pin),
		cmocka_unit_test(test_cns_pad_unblock),
		cmocka_unit_test(test_cie_in_pad_reader),
		cmocka_unit_test(test_no_pad),
		cmocka_unit_test(test_pad_switched_off),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
