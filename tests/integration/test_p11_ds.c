/* SPDX-License-Identifier: BSD-3-Clause */
/* The "firma digitale" key set through the function list (issue 13,
 * docs/pkcs11.md "One token per PIN"): a CNS card with the CNS1 signature
 * application shows two tokens, each with its own PIN, login, sessions and
 * flags; the signature key has CKA_ALWAYS_AUTHENTICATE and signs only
 * after C_Login(CKU_CONTEXT_SPECIFIC) (v2.40 base 4.9). Outcomes are the
 * card's: its own retry counters, the VERIFYs and resets that reached it,
 * and signatures checked with OpenSSL (src/crypto) against its certificates. */
#include "p11_ds_tap.c"

static const char *const profiles[] = { "st", "classic", "idemia" };

struct ctx {
	struct h h;
	struct tap t;
	const char *profile;
	CK_SESSION_HANDLE cns, ds;   /* R/W sessions on slot 0 and on its signature slot */
};

static int setup_profile(void **state, const char *profile, bool per_sign)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	c->profile = profile;
	h_init(&c->h, 2);
	tap_card(&c->h, &c->t, 0, profile, per_sign);
	c->cns = h_open(&c->h, 0, CKF_RW_SESSION);
	c->ds = h_open(&c->h, SIGN_SLOT(0), CKF_RW_SESSION);
	*state = c;
	return 0;
}

static int setup_st(void **state) { return setup_profile(state, profiles[0], false); }
static int setup_classic(void **state) { return setup_profile(state, profiles[1], false); }
static int setup_idemia(void **state) { return setup_profile(state, profiles[2], false); }
static int setup_per_sign(void **state) { return setup_profile(state, profiles[0], true); }

static int teardown(void **state)
{
	struct ctx *c = *state;

	h_done(&c->h);
	free(c);
	return 0;
}

static CK_FLAGS flags_of(struct ctx *c, CK_SLOT_ID slot)
{
	CK_TOKEN_INFO ti;

	assert_int_equal(c->h.f->C_GetTokenInfo(slot, &ti), CKR_OK);
	return ti.flags;
}

static CK_BBOOL bool_attr(struct ctx *c, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                          CK_ATTRIBUTE_TYPE type)
{
	CK_ULONG n = 0;
	uint8_t *v = h_attr(&c->h, s, o, type, &n);
	CK_BBOOL b;

	assert_int_equal(n, sizeof(CK_BBOOL));
	b = *v;
	free(v);
	return b;
}

/* The label without its blank padding. */
static void label_of(struct ctx *c, CK_SLOT_ID slot, char out[33])
{
	CK_TOKEN_INFO ti;
	size_t n = 32;

	assert_int_equal(c->h.f->C_GetTokenInfo(slot, &ti), CKR_OK);
	memcpy(out, ti.label, 32);
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/* Slot ids: reader slots first (their ids unchanged), then the signature
 * slot of reader 0 (32); the card without the key set in reader 1 keeps one
 * token with today's label, and reader 1 gets no signature slot. */
static void test_two_slots(void **state)
{
	struct ctx *c = *state;
	CK_SLOT_ID ids[4];
	CK_ULONG n = 0;
	CK_SLOT_INFO si0, si;
	CK_TOKEN_INFO t0, t1;
	char l0[33], l1[33], plain[33];

	h_card(&c->h, 1, c->profile);
	assert_int_equal(c->h.f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(c->h.f->C_GetSlotList(CK_FALSE, ids, &n), CKR_OK);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 1);
	assert_int_equal(ids[2], SIGN_SLOT(0));
	n = 4;
	assert_int_equal(c->h.f->C_GetSlotList(CK_TRUE, ids, &n), CKR_OK);
	assert_int_equal(n, 3);
	assert_int_equal(c->h.f->C_GetSlotInfo(0, &si0), CKR_OK);
	assert_int_equal(c->h.f->C_GetSlotInfo(SIGN_SLOT(0), &si), CKR_OK);
	assert_memory_equal(si.slotDescription, si0.slotDescription, sizeof(si.slotDescription));
	assert_true(si.flags & CKF_TOKEN_PRESENT);
	assert_int_equal(c->h.f->C_GetSlotInfo(SIGN_SLOT(1), &si), CKR_SLOT_ID_INVALID);
	assert_int_equal(c->h.f->C_GetTokenInfo(SIGN_SLOT(1), &t0), CKR_SLOT_ID_INVALID);

	label_of(c, 0, l0);
	label_of(c, SIGN_SLOT(0), l1);
	label_of(c, 1, plain);
	assert_true(plain[0] != '\0');
	assert_true(strlen(plain) <= 32 - strlen(" (firma)"));   /* MARIO ROSSI: no cut */
	assert_string_equal(l0 + strlen(plain), " (CNS)");
	assert_string_equal(l1 + strlen(plain), " (firma)");
	assert_memory_equal(l0, plain, strlen(plain));
	assert_memory_equal(l1, plain, strlen(plain));
	/* the same card: the same serial, model and manufacturer */
	assert_int_equal(c->h.f->C_GetTokenInfo(0, &t0), CKR_OK);
	assert_int_equal(c->h.f->C_GetTokenInfo(SIGN_SLOT(0), &t1), CKR_OK);
	assert_memory_equal(t0.serialNumber, t1.serialNumber, sizeof(t0.serialNumber));
	assert_memory_equal(t0.model, t1.model, sizeof(t0.model));
	/* the CNS token needs a login; the firma token does not, so that NSS
	 * never presents the CNS password to it (docs/pkcs11.md "The signature
	 * token needs no login") */
	assert_true(t0.flags & CKF_LOGIN_REQUIRED);
	assert_int_equal(t1.flags & CKF_LOGIN_REQUIRED, 0);
	assert_true(t1.flags & CKF_USER_PIN_INITIALIZED);
	assert_int_equal(t1.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY |
	                             CKF_USER_PIN_LOCKED), 0);
	assert_int_equal(t1.ulSessionCount, 1);
	assert_int_equal(t0.ulSessionCount, 1);
}

/* Each token shows its own key and certificate: the CNS key decrypts and
 * has no CKA_ALWAYS_AUTHENTICATE, the qualified key signs only and has it;
 * the holder data stay with the CNS token. */
static void test_objects(void **state)
{
	struct ctx *c = *state;
	struct carta_bytes dsc = vcard_ds_cert(c->t.v), hc = vcard_holder_cert(c->t.v);
	CK_OBJECT_HANDLE k0, k1, o[8];
	CK_MECHANISM_INFO mi;
	CK_SESSION_INFO si;
	CK_ULONG n = 0;
	uint8_t *v;

	assert_int_equal(c->h.f->C_GetSessionInfo(c->ds, &si), CKR_OK);
	assert_int_equal(si.slotID, SIGN_SLOT(0));
	assert_int_equal(h_find(&c->h, c->ds, CKO_CERTIFICATE, o, 8), 1);
	v = h_attr(&c->h, c->ds, o[0], CKA_VALUE, &n);
	assert_int_equal(n, dsc.len);
	assert_memory_equal(v, dsc.p, n);
	free(v);
	assert_int_equal(h_find(&c->h, c->cns, CKO_CERTIFICATE, o, 8), 1);
	v = h_attr(&c->h, c->cns, o[0], CKA_VALUE, &n);
	assert_int_equal(n, hc.len);
	assert_memory_equal(v, hc.p, n);
	free(v);
	assert_int_equal(h_find(&c->h, c->ds, CKO_DATA, o, 8), 0);
	assert_true(h_find(&c->h, c->cns, CKO_DATA, o, 8) > 0);

	assert_int_equal(h_login(&c->h, c->cns, CKU_USER, CNS_PIN), CKR_OK);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	k0 = tap_key(&c->h, c->cns);
	k1 = tap_key(&c->h, c->ds);
	assert_false(bool_attr(c, c->cns, k0, CKA_ALWAYS_AUTHENTICATE));
	assert_true(bool_attr(c, c->ds, k1, CKA_ALWAYS_AUTHENTICATE));
	assert_true(bool_attr(c, c->ds, k1, CKA_SIGN));
	assert_false(bool_attr(c, c->ds, k1, CKA_DECRYPT));
	assert_false(bool_attr(c, c->ds, k1, CKA_UNWRAP));
	/* a handle of the other token is no key here */
	{
		CK_OBJECT_CLASS cls;
		CK_ATTRIBUTE a = { CKA_CLASS, &cls, sizeof(cls) };

		assert_int_equal(c->h.f->C_GetAttributeValue(c->cns, k1, &a, 1),
		                 CKR_OBJECT_HANDLE_INVALID);
	}
	assert_int_equal(c->h.f->C_DecryptInit(c->ds, &(CK_MECHANISM){ CKM_RSA_PKCS, NULL, 0 }, k1),
	                 CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_int_equal(c->h.f->C_GetMechanismInfo(SIGN_SLOT(0), CKM_RSA_PKCS, &mi), CKR_OK);
	assert_true(mi.flags & CKF_SIGN);
	assert_int_equal(mi.flags & CKF_DECRYPT, 0);
}

/* Logins are per token; a wrong PIN on one token spends a try of its own
 * PIN only, as the card's counters and each token's flags say. */
static void test_independent_logins(void **state)
{
	struct ctx *c = *state;
	CK_SESSION_INFO si;

	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, CNS_PIN), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 2);
	assert_int_equal(vcard_pin_tries_left(c->t.v, false), 3);
	assert_true(flags_of(c, SIGN_SLOT(0)) & CKF_USER_PIN_COUNT_LOW);
	assert_int_equal(flags_of(c, 0) & CKF_USER_PIN_COUNT_LOW, 0);
	assert_int_equal(h_login(&c->h, c->cns, CKU_USER, DS_PIN), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_pin_tries_left(c->t.v, false), 2);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 2);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, "11111111"), CKR_PIN_INCORRECT);
	assert_true(flags_of(c, SIGN_SLOT(0)) & CKF_USER_PIN_FINAL_TRY);
	assert_int_equal(flags_of(c, 0) & CKF_USER_PIN_FINAL_TRY, 0);

	assert_int_equal(h_login(&c->h, c->cns, CKU_USER, CNS_PIN), CKR_OK);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->ds, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 3);
	assert_int_equal(vcard_pin_tries_left(c->t.v, false), 3);
	assert_int_equal(flags_of(c, SIGN_SLOT(0)) & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_FINAL_TRY), 0);
	assert_int_equal(c->h.f->C_Logout(c->cns), CKR_OK);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->ds, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->cns, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
}

/* CKU_CONTEXT_SPECIFIC (v2.40 base 4.9): only inside an operation; the
 * signature needs it, a wrong PIN leaves the operation waiting for it, and
 * it lasts for one signature. */
static void test_context_specific(void **state)
{
	struct ctx *c = *state;
	struct carta_bytes dsc = vcard_ds_cert(c->t.v);
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE msg[] = "fattura 2026/0042", sig[512];
	CK_ULONG n = sizeof(sig);
	CK_OBJECT_HANDLE k;
	unsigned long apdus, ver;

	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	k = tap_key(&c->h, c->ds);
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, DS_PIN),
	                 CKR_OPERATION_NOT_INITIALIZED);
	/* no context login: the signature is refused and the operation ends */
	assert_int_equal(c->h.f->C_SignInit(c->ds, &m, k), CKR_OK);
	assert_int_equal(c->h.f->C_Sign(c->ds, msg, sizeof(msg), NULL, &n), CKR_OK);   /* length */
	assert_true(n >= 128);
	apdus = h_apdus(c->t.v);
	assert_int_equal(c->h.f->C_Sign(c->ds, msg, sizeof(msg), sig, &n), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(h_apdus(c->t.v), apdus);
	assert_int_equal(c->h.f->C_Sign(c->ds, msg, sizeof(msg), sig, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);

	/* a malformed PIN sends nothing; a wrong one spends a try; both keep
	 * the operation, which still wants the PIN */
	assert_int_equal(c->h.f->C_SignInit(c->ds, &m, k), CKR_OK);
	apdus = h_apdus(c->t.v);
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, "12"), CKR_PIN_INCORRECT);
	assert_int_equal(h_apdus(c->t.v), apdus);
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, "11111111"), CKR_PIN_INCORRECT);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 2);
	assert_int_equal(vcard_pin_tries_left(c->t.v, false), 3);
	assert_int_equal(c->h.f->C_SignInit(c->ds, &m, k), CKR_OPERATION_ACTIVE);
	ver = atomic_load(&c->t.verify_ds);
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, DS_PIN), CKR_OK);
	assert_int_equal(atomic_load(&c->t.verify_ds), ver + 1);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 3);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->ds, msg, sizeof(msg), sig, &n), CKR_OK);
	{
		uint8_t hash[32];
		size_t hl = 0;

		assert_int_equal(carta_digest(CARTA_HASH_SHA256, msg, sizeof(msg), hash, sizeof(hash),
		                              &hl), CARTA_OK);
		assert_int_equal(carta_rsa_verify_pkcs1(dsc.p, dsc.len, true, CARTA_HASH_SHA256, hash,
		                                        hl, sig, n), CARTA_OK);
	}
	/* used up by that signature */
	assert_int_equal(tap_sign(&c->h, c->ds, k, NULL, dsc, "senza PIN"), CKR_USER_NOT_LOGGED_IN);
	/* multi-part: the context login between C_SignInit and the parts */
	assert_int_equal(c->h.f->C_SignInit(c->ds, &m, k), CKR_OK);
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, DS_PIN), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->ds, msg, 5), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->ds, msg + 5, sizeof(msg) - 5), CKR_OK);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_SignFinal(c->ds, sig, &n), CKR_OK);
	{
		uint8_t hash[32];
		size_t hl = 0;

		assert_int_equal(carta_digest(CARTA_HASH_SHA256, msg, sizeof(msg), hash, sizeof(hash),
		                              &hl), CARTA_OK);
		assert_int_equal(carta_rsa_verify_pkcs1(dsc.p, dsc.len, true, CARTA_HASH_SHA256, hash,
		                                        hl, sig, n), CARTA_OK);
	}
	assert_int_equal(tap_sign(&c->h, c->ds, k, DS_PIN, dsc, "di nuovo"), CKR_OK);
	/* the operation outlives C_Logout, and the context login needs no user
	 * login on the firma token */
	assert_int_equal(c->h.f->C_SignInit(c->ds, &m, k), CKR_OK);
	assert_int_equal(c->h.f->C_Logout(c->ds), CKR_OK);
	ver = atomic_load(&c->t.verify_ds);
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, DS_PIN), CKR_OK);
	assert_int_equal(atomic_load(&c->t.verify_ds), ver + 1);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->ds, msg, sizeof(msg), sig, &n), CKR_OK);
}

/* The card forgets PIN 1A after each signature (--ds-pin-per-sign): each
 * signature with its own context login works. */
static void test_pin_per_sign(void **state)
{
	struct ctx *c = *state;
	struct carta_bytes dsc = vcard_ds_cert(c->t.v);
	CK_OBJECT_HANDLE k;
	int i;

	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	k = tap_key(&c->h, c->ds);
	for (i = 0; i < 3; i++)
		assert_int_equal(tap_sign(&c->h, c->ds, k, DS_PIN, dsc, "uno per volta"), CKR_OK);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 3);
}

/* C_SetPIN changes the signature PIN only; blocked, it is unblocked with
 * its own PUK (CKU_SO + C_InitPIN); the CNS PIN and PUK are untouched. */
static void test_set_and_init_pin(void **state)
{
	struct ctx *c = *state;
	int cns_puk = vcard_pin_tries_left(c->t.v, true);
	uint8_t cur[16];
	size_t n;
	int i;

	assert_int_equal(c->h.f->C_SetPIN(c->ds, (CK_UTF8CHAR *)DS_PIN, 8,
	                                  (CK_UTF8CHAR *)"24682468", 8), CKR_OK);
	n = vcard_current_ds_pin(c->t.v, cur, sizeof(cur));
	assert_int_equal(n, 8);
	assert_memory_equal(cur, "24682468", 8);
	n = vcard_current_pin(c->t.v, cur, sizeof(cur));
	assert_memory_equal(cur, CNS_PIN, 8);
	for (i = 0; i < 3; i++) {
		CK_RV rv = h_login(&c->h, c->ds, CKU_USER, DS_PIN);

		assert_true(rv == CKR_PIN_INCORRECT || (i == 2 && rv == CKR_PIN_LOCKED));
	}
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 0);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, "24682468"), CKR_PIN_LOCKED);
	assert_true(flags_of(c, SIGN_SLOT(0)) & CKF_USER_PIN_LOCKED);
	assert_int_equal(flags_of(c, 0) & CKF_USER_PIN_LOCKED, 0);
	assert_int_equal(h_login(&c->h, c->cns, CKU_USER, CNS_PIN), CKR_OK);
	assert_int_equal(h_login(&c->h, c->ds, CKU_SO, DS_PUK), CKR_OK);
	assert_int_equal(c->h.f->C_InitPIN(c->ds, (CK_UTF8CHAR *)"13571357", 8), CKR_OK);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 3);
	assert_int_equal(vcard_ds_tries_left(c->t.v, true), 3);
	assert_int_equal(vcard_pin_tries_left(c->t.v, true), cns_puk);
	assert_int_equal(vcard_pin_tries_left(c->t.v, false), 3);
	assert_int_equal(c->h.f->C_Logout(c->ds), CKR_OK);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, "13571357"), CKR_OK);
	assert_int_equal(flags_of(c, SIGN_SLOT(0)) & CKF_USER_PIN_LOCKED, 0);
	/* the other way pkcs11-tool offers (--unlock-pin): C_SetPIN(PUK, new)
	 * not logged in, while the PIN is blocked */
	assert_int_equal(c->h.f->C_Logout(c->ds), CKR_OK);
	for (i = 0; i < 3; i++)
		(void)h_login(&c->h, c->ds, CKU_USER, "99999999");
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 0);
	assert_int_equal(c->h.f->C_SetPIN(c->ds, (CK_UTF8CHAR *)DS_PUK, 8,
	                                  (CK_UTF8CHAR *)DS_PIN, 8), CKR_OK);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 3);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	assert_int_equal(vcard_pin_tries_left(c->t.v, false), 3);
}

/* A TLS client login (browsers): the CNS token's login and signatures
 * never send a VERIFY of the signature PIN, nor does listing. */
static void test_cns_sign_no_ds_verify(void **state)
{
	struct ctx *c = *state;
	struct carta_bytes hc = vcard_holder_cert(c->t.v);
	unsigned long resets = atomic_load(&c->t.resets);   /* the card's power-up */
	CK_OBJECT_HANDLE k;
	CK_ULONG n = 0;
	int i;

	assert_int_equal(c->h.f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(h_login(&c->h, c->cns, CKU_USER, CNS_PIN), CKR_OK);
	k = tap_key(&c->h, c->cns);
	for (i = 0; i < 3; i++)
		assert_int_equal(tap_sign(&c->h, c->cns, k, NULL, hc, "ClientHello"), CKR_OK);
	assert_int_equal(c->h.f->C_CloseSession(c->cns), CKR_OK);
	assert_int_equal(atomic_load(&c->t.verify_ds), 0);
	assert_int_equal(atomic_load(&c->t.verify_cns), 1);
	assert_int_equal(atomic_load(&c->t.resets), resets);
}

/* C_Logout of the signature token drops its PIN from the card (a reset),
 * only when it was verified; the CNS login of the same application
 * survives it through its kept PIN (one VERIFY 0x10 more). The CNS
 * token's logout resets nothing. */
static void test_logout_drops_sign_pin(void **state)
{
	struct ctx *c = *state;
	struct carta_bytes hc = vcard_holder_cert(c->t.v), dsc = vcard_ds_cert(c->t.v);
	unsigned long r0 = atomic_load(&c->t.resets);   /* the card's power-up */
	CK_OBJECT_HANDLE k0, k1;
	CK_SESSION_HANDLE s2;

	assert_int_equal(h_login(&c->h, c->cns, CKU_USER, CNS_PIN), CKR_OK);
	k0 = tap_key(&c->h, c->cns);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	k1 = tap_key(&c->h, c->ds);
	assert_int_equal(tap_sign(&c->h, c->ds, k1, DS_PIN, dsc, "atto"), CKR_OK);
	assert_int_equal(c->h.f->C_Logout(c->ds), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 1);
	assert_int_equal(tap_sign(&c->h, c->cns, k0, NULL, hc, "dopo il reset"), CKR_OK);
	assert_int_equal(atomic_load(&c->t.verify_cns), 2);
	/* the signature key needs a new login: the card's PIN state is gone */
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	assert_int_equal(tap_sign(&c->h, c->ds, k1, DS_PIN, dsc, "atto 2"), CKR_OK);
	/* the last session of the signature token closes: a reset as well */
	s2 = h_open(&c->h, SIGN_SLOT(0), 0);
	assert_int_equal(c->h.f->C_CloseSession(c->ds), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 1);
	assert_int_equal(c->h.f->C_CloseSession(s2), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 2);
	/* a signature-token session that never verified: no reset */
	s2 = h_open(&c->h, SIGN_SLOT(0), 0);
	assert_int_equal(c->h.f->C_CloseSession(s2), CKR_OK);
	assert_int_equal(c->h.f->C_Logout(c->cns), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 2);
	/* C_Finalize with the signature PIN verified: a reset too */
	s2 = h_open(&c->h, SIGN_SLOT(0), 0);
	assert_int_equal(h_login(&c->h, s2, CKU_USER, DS_PIN), CKR_OK);
	assert_int_equal(c->h.f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 3);
	assert_int_equal(c->h.f->C_Initialize(NULL), CKR_OK);   /* for the teardown */
}

/* Another application resets the card: the signature token's login ends
 * (its PIN is never kept, nothing re-presents it); the CNS token's lasts
 * and its next signature verifies the kept PIN again. */
static void test_reset_by_other(void **state)
{
	struct ctx *c = *state;
	struct carta_bytes hc = vcard_holder_cert(c->t.v), dsc = vcard_ds_cert(c->t.v);
	CK_OBJECT_HANDLE k0, k1;
	CK_SESSION_INFO si;
	unsigned long ds_verifies;

	assert_int_equal(h_login(&c->h, c->cns, CKU_USER, CNS_PIN), CKR_OK);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	k0 = tap_key(&c->h, c->cns);
	k1 = tap_key(&c->h, c->ds);
	carta_inproc_reset_by_other(c->h.ip, 0);
	ds_verifies = atomic_load(&c->t.verify_ds);
	assert_int_equal(tap_sign(&c->h, c->cns, k0, NULL, hc, "dopo un reset altrui"), CKR_OK);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->ds, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->cns, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
	assert_int_equal(atomic_load(&c->t.verify_ds), ds_verifies);
	/* the key needs its PIN again: nothing was sent for it */
	assert_int_equal(tap_sign(&c->h, c->ds, k1, NULL, dsc, "senza PIN"), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(atomic_load(&c->t.verify_ds), ds_verifies);
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	assert_int_equal(tap_sign(&c->h, c->ds, k1, DS_PIN, dsc, "di nuovo"), CKR_OK);
}

/* The firma token needs no login (docs/pkcs11.md "The signature token
 * needs no login"): its key is public (CKA_PRIVATE false) but each use
 * wants C_Login(CKU_CONTEXT_SPECIFIC), with no CKU_USER login before it,
 * as NSS does it (PK11_Sign: C_SignInit, then the context login for a
 * CKA_ALWAYS_AUTHENTICATE key). The PIN that login verified is dropped from
 * the card when the operation ends, since no login holds it; the CNS login
 * of the same application lasts through its kept PIN. */
static void test_no_login_signature(void **state)
{
	struct ctx *c = *state;
	struct carta_bytes dsc = vcard_ds_cert(c->t.v), hc = vcard_holder_cert(c->t.v);
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE msg[] = "delibera n. 7", sig[512];
	CK_OBJECT_HANDLE k, k0, o[4];
	CK_SESSION_HANDLE s2;
	CK_SESSION_INFO si;
	CK_ULONG n;
	unsigned long apdus, r0;

	k = tap_key(&c->h, c->ds);   /* found without a login */
	assert_false(bool_attr(c, c->ds, k, CKA_PRIVATE));
	assert_true(bool_attr(c, c->ds, k, CKA_ALWAYS_AUTHENTICATE));
	assert_true(bool_attr(c, c->ds, k, CKA_SIGN));
	assert_int_equal(h_find(&c->h, c->cns, CKO_PRIVATE_KEY, o, 4), 0);   /* CNS: hidden */
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, DS_PIN),
	                 CKR_OPERATION_NOT_INITIALIZED);
	apdus = h_apdus(c->t.v);
	assert_int_equal(tap_sign(&c->h, c->ds, k, NULL, dsc, "senza PIN"), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(h_apdus(c->t.v), apdus);
	assert_int_equal(atomic_load(&c->t.verify_ds), 0);

	assert_int_equal(h_login(&c->h, c->cns, CKU_USER, CNS_PIN), CKR_OK);
	k0 = tap_key(&c->h, c->cns);
	assert_true(bool_attr(c, c->cns, k0, CKA_PRIVATE));
	assert_int_equal(tap_sign(&c->h, c->cns, k0, NULL, hc, "ClientHello"), CKR_OK);
	r0 = atomic_load(&c->t.resets);
	assert_int_equal(tap_sign(&c->h, c->ds, k, DS_PIN, dsc, "firmato senza login"), CKR_OK);
	assert_int_equal(atomic_load(&c->t.verify_ds), 1);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 1);   /* the PIN dropped */
	assert_int_equal(c->h.f->C_GetSessionInfo(c->ds, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(tap_sign(&c->h, c->ds, k, NULL, dsc, "di nuovo senza PIN"),
	                 CKR_USER_NOT_LOGGED_IN);
	/* the CNS login survives the reset: its kept PIN, verified once more */
	assert_int_equal(tap_sign(&c->h, c->cns, k0, NULL, hc, "ClientHello 2"), CKR_OK);
	assert_int_equal(atomic_load(&c->t.verify_cns), 2);

	/* multi-part, the same way */
	assert_int_equal(c->h.f->C_SignInit(c->ds, &m, k), CKR_OK);
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, DS_PIN), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->ds, msg, 4), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 1);   /* still in use */
	assert_int_equal(c->h.f->C_SignUpdate(c->ds, msg + 4, sizeof(msg) - 4), CKR_OK);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_SignFinal(c->ds, sig, &n), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 2);
	{
		uint8_t hash[32];
		size_t hl = 0;

		assert_int_equal(carta_digest(CARTA_HASH_SHA256, msg, sizeof(msg), hash, sizeof(hash),
		                              &hl), CARTA_OK);
		assert_int_equal(carta_rsa_verify_pkcs1(dsc.p, dsc.len, true, CARTA_HASH_SHA256, hash,
		                                        hl, sig, n), CARTA_OK);
	}
	/* the context login of an operation still in progress holds the PIN:
	 * another session closing does not drop it under that operation */
	s2 = h_open(&c->h, SIGN_SLOT(0), 0);
	assert_int_equal(c->h.f->C_SignInit(c->ds, &m, k), CKR_OK);
	assert_int_equal(h_login(&c->h, c->ds, CKU_CONTEXT_SPECIFIC, DS_PIN), CKR_OK);
	assert_int_equal(c->h.f->C_CloseSession(s2), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 2);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->ds, msg, sizeof(msg), sig, &n), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 3);
	assert_int_equal(vcard_ds_tries_left(c->t.v, false), 3);
	assert_int_equal(vcard_pin_tries_left(c->t.v, false), 3);
	/* a C_Login(CKU_USER) on the firma token still works (pkcs11-tool -l) */
	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	assert_int_equal(tap_sign(&c->h, c->ds, k, DS_PIN, dsc, "con login"), CKR_OK);
	assert_int_equal(atomic_load(&c->t.resets), r0 + 3);   /* the login holds it */
}

/* C_GetSlotList with a buffer, as first call after C_Initialize (no length
 * query before it): the card is identified by that call, and its
 * signature slot is in the list. */
static void test_slot_list_without_length_query(void **state)
{
	struct ctx c;
	CK_SLOT_ID ids[8];
	CK_ULONG n = 8;
	int present;

	(void)state;
	for (present = 1; present >= 0; present--) {
		memset(&c, 0, sizeof(c));
		h_init(&c.h, 1);
		tap_card(&c.h, &c.t, 0, "st", false);
		n = 8;
		assert_int_equal(c.h.f->C_GetSlotList(present ? CK_TRUE : CK_FALSE, ids, &n), CKR_OK);
		assert_int_equal(n, 2);
		assert_int_equal(ids[0], 0);
		assert_int_equal(ids[1], SIGN_SLOT(0));
		h_done(&c.h);
	}
}

/* The card goes: both tokens' sessions end; the signature slot stays in
 * the list (slots are never removed), empty until a card with the key set
 * comes back. */
static void test_removal(void **state)
{
	struct ctx *c = *state;
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_SESSION_INFO ss;
	CK_SLOT_ID ids[4];
	CK_ULONG n = 4;

	assert_int_equal(h_login(&c->h, c->ds, CKU_USER, DS_PIN), CKR_OK);
	carta_inproc_remove(c->h.ip, 0);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->ds, &ss), CKR_DEVICE_REMOVED);
	assert_int_equal(c->h.f->C_GetSessionInfo(c->cns, &ss), CKR_DEVICE_REMOVED);
	assert_int_equal(c->h.f->C_GetSlotInfo(SIGN_SLOT(0), &si), CKR_OK);
	assert_int_equal(si.flags & CKF_TOKEN_PRESENT, 0);
	assert_int_equal(c->h.f->C_GetTokenInfo(SIGN_SLOT(0), &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(c->h.f->C_GetSlotList(CK_FALSE, ids, &n), CKR_OK);
	assert_int_equal(n, 3);
	/* a card without the key set: no signature token */
	vcard_free(c->h.v[0]);
	c->h.v[0] = NULL;
	h_card(&c->h, 0, c->profile);
	n = 0;
	assert_int_equal(c->h.f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(c->h.f->C_GetTokenInfo(SIGN_SLOT(0), &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(c->h.f->C_OpenSession(SIGN_SLOT(0), CKF_SERIAL_SESSION, NULL, NULL,
	                                       &c->ds), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(c->h.f->C_GetTokenInfo(0, &ti), CKR_OK);
	assert_int_not_equal(ti.label[31], ')');
	c->ds = c->cns = CK_INVALID_HANDLE;

	/* a card with the key set again: the length query of C_GetSlotList
	 * identifies it, so the first list has its signature slot; a client
	 * waiting for events hears of the reader slot, then of the signature
	 * slot */
	while (c->h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ids[0], NULL) == CKR_OK)
		;
	carta_inproc_remove(c->h.ip, 0);
	vcard_free(c->h.v[0]);
	c->h.v[0] = NULL;
	tap_card(&c->h, &c->t, 0, c->profile, false);
	n = 0;
	assert_int_equal(c->h.f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 2);
	assert_int_equal(c->h.f->C_GetSlotList(CK_TRUE, ids, &n), CKR_OK);
	assert_int_equal(ids[1], SIGN_SLOT(0));
	assert_int_equal(c->h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ids[0], NULL), CKR_OK);
	assert_int_equal(ids[0], 0);
	assert_int_equal(c->h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ids[0], NULL), CKR_OK);
	assert_int_equal(ids[0], SIGN_SLOT(0));
	assert_int_equal(c->h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ids[0], NULL), CKR_NO_EVENT);
	carta_inproc_remove(c->h.ip, 0);
	assert_int_equal(c->h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ids[0], NULL), CKR_OK);
	assert_int_equal(ids[0], 0);
	assert_int_equal(c->h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ids[0], NULL), CKR_OK);
	assert_int_equal(ids[0], SIGN_SLOT(0));
	assert_int_equal(c->h.f->C_GetSlotInfo(SIGN_SLOT(0), &si), CKR_OK);
	assert_int_equal(si.flags & CKF_TOKEN_PRESENT, 0);
}

/* The "firma" label keeps its suffix: a long name is cut, at a UTF-8
 * character boundary. The name as the card layer gives it is the label of
 * the same holder's card without the key set (one token: today's label). */
static void test_long_name_label(void **state)
{
	struct vcard_config cfg;
	struct ctx c;
	char plain[33], l0[33], l1[33], want[33];
	size_t cut = 32 - strlen(" (firma)");
	int i;

	(void)state;
	memset(&c, 0, sizeof(c));
	h_init(&c.h, 2);
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	cfg.given_name = "ANNAMARIA";
	cfg.surname = "DE SANTIS CAL\xc3\x92GERO";
	for (i = 0; i < 2; i++) {
		cfg.ds = i == 0;
		assert_int_equal(vcard_new(&cfg, &c.h.v[i]), CARTA_OK);
		assert_int_equal(carta_inproc_insert(c.h.ip, (size_t)i, &vcard_inproc_ops, c.h.v[i]),
		                 CARTA_OK);
	}
	label_of(&c, 1, plain);
	label_of(&c, 0, l0);
	label_of(&c, SIGN_SLOT(0), l1);
	/* the name is longer than the room, and the room ends inside a character */
	assert_true(strlen(plain) > cut);
	assert_int_equal((unsigned char)plain[cut] & 0xc0, 0x80);
	while (((unsigned char)plain[cut] & 0xc0) == 0x80)
		cut--;
	snprintf(want, sizeof(want), "%.*s (firma)", (int)cut, plain);
	assert_string_equal(l1, want);
	assert_int_equal(strlen(l1), cut + strlen(" (firma)"));
	assert_memory_equal(l0, plain, strlen(l0) - strlen(" (CNS)"));
	assert_string_equal(l0 + strlen(l0) - strlen(" (CNS)"), " (CNS)");
	assert_true(strlen(l0) <= 32);
	h_done(&c.h);
}

/* A signature-only card (ST/Incard "DSD"): one token, in the reader's
 * slot, "NAME (firma)" like the firma token of a CNS (the "labels
 * that say which is which"), no login required; its key wants the context
 * login. */
static void test_dsd_one_token(void **state)
{
	struct ctx c;
	struct carta_bytes dsc;
	CK_SLOT_ID ids[4];
	CK_ULONG n = 0;
	CK_OBJECT_HANDLE k;
	unsigned long r0;
	char l[33];

	(void)state;
	memset(&c, 0, sizeof(c));
	h_init(&c.h, 1);
	tap_card(&c.h, &c.t, 0, "dsd", false);
	dsc = vcard_ds_cert(c.t.v);
	r0 = atomic_load(&c.t.resets);
	assert_int_equal(c.h.f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(c.h.f->C_GetSlotList(CK_FALSE, ids, &n), CKR_OK);
	assert_int_equal(ids[0], 0);
	label_of(&c, 0, l);
	assert_true(strlen(l) > strlen(" (firma)"));
	assert_string_equal(l + strlen(l) - strlen(" (firma)"), " (firma)");
	assert_null(strstr(l, "(CNS)"));
	{
		CK_TOKEN_INFO ti;

		assert_int_equal(c.h.f->C_GetTokenInfo(0, &ti), CKR_OK);
		assert_int_equal(ti.flags & CKF_LOGIN_REQUIRED, 0);
	}
	c.ds = h_open(&c.h, 0, 0);
	assert_int_equal(h_login(&c.h, c.ds, CKU_USER, DS_PIN), CKR_OK);
	k = tap_key(&c.h, c.ds);
	assert_true(bool_attr(&c, c.ds, k, CKA_ALWAYS_AUTHENTICATE));
	assert_int_equal(tap_sign(&c.h, c.ds, k, NULL, dsc, "no"), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(tap_sign(&c.h, c.ds, k, DS_PIN, dsc, "firmato"), CKR_OK);
	assert_int_equal(c.h.f->C_CloseSession(c.ds), CKR_OK);
	assert_int_equal(atomic_load(&c.t.resets), r0 + 1);
	h_done(&c.h);
}

#define PER_PROFILE(t) \
	cmocka_unit_test_setup_teardown(t, setup_st, teardown), \
	cmocka_unit_test_setup_teardown(t, setup_classic, teardown), \
	cmocka_unit_test_setup_teardown(t, setup_idemia, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PER_PROFILE(test_two_slots),
		PER_PROFILE(test_objects),
		PER_PROFILE(test_independent_logins),
		PER_PROFILE(test_context_specific),
		PER_PROFILE(test_set_and_init_pin),
		PER_PROFILE(test_cns_sign_no_ds_verify),
		PER_PROFILE(test_logout_drops_sign_pin),
		PER_PROFILE(test_removal),
		PER_PROFILE(test_reset_by_other),
		PER_PROFILE(test_no_login_signature),
		cmocka_unit_test(test_slot_list_without_length_query),
		cmocka_unit_test_setup_teardown(test_pin_per_sign, setup_per_sign, teardown),
		cmocka_unit_test(test_long_name_label),
		cmocka_unit_test(test_dsd_one_token),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
