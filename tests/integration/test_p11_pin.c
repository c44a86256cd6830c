/* SPDX-License-Identifier: BSD-3-Clause */
/* PIN flows against the card's own counters (vcard_pin_tries_left):
 * wrong PIN and the token flags, lock, length checks with no APDU sent,
 * C_SetPIN, unblock both ways pkcs11-tool offers, login state rules, and
 * the APDU cost of a second login + sign. */
#include "p11_harness.c"

#define PIN "12345678"
#define PUK "87654321"

struct ctx {
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;
};

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	h_init(&c->h, 1);
	c->v = h_card(&c->h, 0, "st");
	c->s = h_open(&c->h, 0, CKF_RW_SESSION);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	h_done(&c->h);
	free(c);
	return 0;
}

static CK_FLAGS flags(struct ctx *c)
{
	CK_TOKEN_INFO ti;

	assert_int_equal(c->h.f->C_GetTokenInfo(0, &ti), CKR_OK);
	return ti.flags;
}

static void block_pin(struct ctx *c)
{
	CK_RV rv;

	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 2);
	assert_true(flags(c) & CKF_USER_PIN_COUNT_LOW);
	assert_false(flags(c) & CKF_USER_PIN_FINAL_TRY);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "00000000"), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 1);
	assert_true(flags(c) & CKF_USER_PIN_FINAL_TRY);
	rv = h_login(&c->h, c->s, CKU_USER, "00000000");
	assert_true(rv == CKR_PIN_INCORRECT || rv == CKR_PIN_LOCKED);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 0);
	assert_true(flags(c) & CKF_USER_PIN_LOCKED);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_PIN_LOCKED);
}

static void test_wrong_pin_and_lock(void **state)
{
	struct ctx *c = *state;

	assert_int_equal(flags(c) & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED), 0);
	block_pin(c);
}

/* A PIN the card's rules refuse (length, or not digits) is CKR_PIN_INCORRECT
 * from C_Login (CKR_PIN_LEN_RANGE is not among its return values, v2.40
 * base 5.6): nothing is sent, no try is spent. */
static void test_malformed_pin_sends_nothing(void **state)
{
	struct ctx *c = *state;
	unsigned long before = h_apdus(c->v);
	int puk_tries = vcard_pin_tries_left(c->v, true);
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key;

	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "1"), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "1234"), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "123456789012345678901"), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "1234abcd"), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&c->h, c->s, CKU_SO, "12"), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&c->h, c->s, CKU_SO, "8765432x"), CKR_PIN_INCORRECT);
	assert_int_equal(h_apdus(c->v), before);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 3);
	assert_int_equal(vcard_pin_tries_left(c->v, true), puk_tries);
	assert_int_equal(c->h.f->C_Login(c->s, CKU_USER, NULL, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(c->h.f->C_Login(c->s, 77, (CK_UTF8CHAR *)PIN, 8), CKR_USER_TYPE_INVALID);

	/* CKU_CONTEXT_SPECIFIC inside a signature with a key that has
	 * CKA_ALWAYS_AUTHENTICATE false: CKR_OPERATION_NOT_INITIALIZED, the
	 * operation unaffected (v2.40 base 4.9), nothing sent; the malformed
	 * PIN on an always-authenticate key: test_p11_ds.c */
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, &key, 1), 1);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, key), CKR_OK);
	before = h_apdus(c->v);
	assert_int_equal(h_login(&c->h, c->s, CKU_CONTEXT_SPECIFIC, "123"),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(h_login(&c->h, c->s, CKU_CONTEXT_SPECIFIC, PIN),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(h_apdus(c->v), before);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, key), CKR_OPERATION_ACTIVE);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 3);
}

/* The functions that set a PIN keep CKR_PIN_LEN_RANGE for its length and
 * say CKR_PIN_INVALID for characters it may not have (v2.40 base 5.1.6,
 * C_InitPIN and C_SetPIN in 5.6); nothing is sent either. */
static void test_set_pin_rules_send_nothing(void **state)
{
	struct ctx *c = *state;
	int puk_tries = vcard_pin_tries_left(c->v, true);
	unsigned long before;

	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_OK);
	before = h_apdus(c->v);
	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)PIN, 8, (CK_UTF8CHAR *)"1", 1),
	                 CKR_PIN_LEN_RANGE);
	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)PIN, 8, (CK_UTF8CHAR *)"1234abcd", 8),
	                 CKR_PIN_INVALID);
	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)"1234", 4, (CK_UTF8CHAR *)"24681357", 8),
	                 CKR_PIN_LEN_RANGE);
	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)"1234567x", 8,
	                                  (CK_UTF8CHAR *)"24681357", 8), CKR_PIN_INVALID);
	assert_int_equal(h_apdus(c->v), before);
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_OK);
	assert_int_equal(h_login(&c->h, c->s, CKU_SO, PUK), CKR_OK);
	before = h_apdus(c->v);
	assert_int_equal(c->h.f->C_InitPIN(c->s, (CK_UTF8CHAR *)"1", 1), CKR_PIN_LEN_RANGE);
	assert_int_equal(h_apdus(c->v), before);
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_OK);
	assert_int_equal(h_login(&c->h, c->s, CKU_SO, PUK), CKR_OK);
	before = h_apdus(c->v);
	assert_int_equal(c->h.f->C_InitPIN(c->s, (CK_UTF8CHAR *)"abcdefgh", 8), CKR_PIN_INVALID);
	assert_int_equal(h_apdus(c->v), before);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 3);
	assert_int_equal(vcard_pin_tries_left(c->v, true), puk_tries);
}

static void test_login_states(void **state)
{
	struct ctx *c = *state;
	CK_SESSION_HANDLE ro = h_open(&c->h, 0, 0);
	CK_SESSION_INFO si;

	assert_int_equal(c->h.f->C_GetSessionInfo(ro, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_PUBLIC_SESSION);
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(h_login(&c->h, c->s, CKU_SO, PUK), CKR_SESSION_READ_ONLY_EXISTS);
	assert_int_equal(h_login(&c->h, c->s, CKU_CONTEXT_SPECIFIC, PIN),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(h_login(&c->h, ro, CKU_USER, PIN), CKR_USER_ALREADY_LOGGED_IN);
	assert_int_equal(c->h.f->C_GetSessionInfo(ro, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RO_USER_FUNCTIONS);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
	assert_int_equal(c->h.f->C_Logout(ro), CKR_OK);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(c->h.f->C_CloseSession(ro), CKR_OK);
	assert_int_equal(h_login(&c->h, c->s, CKU_SO, PUK), CKR_OK);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_SO_FUNCTIONS);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
	assert_int_equal(c->h.f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &ro),
	                 CKR_SESSION_READ_WRITE_SO_EXISTS);
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_OK);
}

static void test_set_pin(void **state)
{
	struct ctx *c = *state;
	uint8_t cur[16];
	CK_SESSION_HANDLE ro = h_open(&c->h, 0, 0);

	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(c->h.f->C_SetPIN(ro, (CK_UTF8CHAR *)PIN, 8, (CK_UTF8CHAR *)"24681357", 8),
	                 CKR_SESSION_READ_ONLY);
	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)PIN, 8, (CK_UTF8CHAR *)"1", 1),
	                 CKR_PIN_LEN_RANGE);
	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)PIN, 8, (CK_UTF8CHAR *)"24681357", 8),
	                 CKR_OK);
	assert_int_equal(vcard_current_pin(c->v, cur, sizeof(cur)), 8);
	assert_memory_equal(cur, "24681357", 8);
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_OK);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "24681357"), CKR_OK);
}

/* pkcs11-tool --init-pin --login --login-type so --so-pin PUK --new-pin N */
static void test_unblock_so_initpin(void **state)
{
	struct ctx *c = *state;
	uint8_t cur[16];

	block_pin(c);
	assert_int_equal(c->h.f->C_InitPIN(c->s, (CK_UTF8CHAR *)"11223344", 8),
	                 CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(h_login(&c->h, c->s, CKU_SO, PUK), CKR_OK);
	assert_int_equal(c->h.f->C_InitPIN(c->s, (CK_UTF8CHAR *)"1", 1), CKR_PIN_LEN_RANGE);
	assert_int_equal(c->h.f->C_InitPIN(c->s, (CK_UTF8CHAR *)"11223344", 8), CKR_OK);
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_OK);
	assert_int_equal(vcard_current_pin(c->v, cur, sizeof(cur)), 8);
	assert_memory_equal(cur, "11223344", 8);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 3);
	assert_false(flags(c) & CKF_USER_PIN_LOCKED);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "11223344"), CKR_OK);
}

/* pkcs11-tool --unlock-pin --puk PUK --new-pin N: C_SetPIN, not logged in */
static void test_unblock_setpin_unlogged(void **state)
{
	struct ctx *c = *state;
	uint8_t cur[16];

	block_pin(c);
	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)PUK, 8, (CK_UTF8CHAR *)"55667788", 8),
	                 CKR_OK);
	assert_int_equal(vcard_current_pin(c->v, cur, sizeof(cur)), 8);
	assert_memory_equal(cur, "55667788", 8);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 3);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "55667788"), CKR_OK);
}

/* Not logged in and not blocked: C_SetPIN(old PIN, new) changes the PIN
 * (pkcs11-tool --change-pin, NSS) and never spends a PUK try. */
static void test_setpin_unlogged_changes(void **state)
{
	struct ctx *c = *state;
	int puk_tries = vcard_pin_tries_left(c->v, true);
	uint8_t cur[16];

	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)PIN, 8, (CK_UTF8CHAR *)"13572468", 8),
	                 CKR_OK);
	assert_int_equal(vcard_current_pin(c->v, cur, sizeof(cur)), 8);
	assert_memory_equal(cur, "13572468", 8);
	assert_int_equal(c->h.f->C_SetPIN(c->s, (CK_UTF8CHAR *)"99999999", 8,
	                                  (CK_UTF8CHAR *)"13572468", 8), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(c->v, false), 2);
	assert_int_equal(vcard_pin_tries_left(c->v, true), puk_tries);
}

/* The second login + sign re-reads nothing: VERIFY and PSO. C_Logout
 * resets nothing (docs/pkcs11.md "Sharing the card"), so the security
 * environment the first signature set is still in force and no MSE is
 * sent; before, the reset cost MSE RESTORE + MSE SET (3-4 APDUs). Any READ
 * BINARY or SELECT would push the count over 2. */
static void test_second_login_sign_apdus(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE key, again;
	uint8_t sig[512];
	CK_ULONG n = sizeof(sig);

	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, &key, 1), 1);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, key), CKR_OK);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)"x", 1, sig, &n), CKR_OK);
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_OK);
	vcard_reset_stats(c->v);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, key), CKR_OK);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)"x", 1, sig, &n), CKR_OK);
	assert_int_equal(h_apdus(c->v), 2);
	/* the handle kept across the logout is the one a new search finds */
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, &again, 1), 1);
	assert_int_equal(again, key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_wrong_pin_and_lock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_pin_sends_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_pin_rules_send_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unblock_so_initpin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unblock_setpin_unlogged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setpin_unlogged_changes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_second_login_sign_apdus, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
