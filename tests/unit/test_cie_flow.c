/* SPDX-License-Identifier: BSD-3-Clause */
/* The CIE 3.0 driver against a scripted card (test-local): every command the
 * driver sends is compared, after removing the secure messaging, with the
 * bytes of docs/reference/cie.md 1.2, 2.2, 3.2-3.6, 4, 5 and 8; chained commands
 * must arrive in the documented blocks (KAT 255 + 11, PSO VERIFY CERTIFICATE
 * 231 + 123, EXTERNAL AUTHENTICATE 231 + 33). The card side of the SM, DH and
 * DAPP is written here from the reference, independently of src/apdu/sm.c
 * and the driver: the IFD signatures are checked with the public key, the
 * CVC against a block built here from docs/reference/cie.md 3.6. */
#include "test_cie_card.h"

#define NO_LE -1
#define SEL_CIE { "00A4040C", "A00000000039", NO_LE, NULL, NULL, 0, { 0 } }
#define SEL_IAS_AID { "00A4040C", "A0000000308000000009816001", NO_LE, NULL, NULL, 0, { 0 } }
#define SEL_MF { "00A40000", "", NO_LE, NULL, NULL, 0, { 0 } }
#define READ_NIS { "00B08100", "", 12, NULL, "313233343536373839303132", 0, { 0 } }

/* Plain reads of load() after the IAS selection. */
#define LOAD_TAIL                                                                         \
	{ "00A4020C", "D003", NO_LE, NULL, NULL, 0, { 0 } },                                \
	{ "00B00000", "", 64, NULL, "5A0A000000123456789012", 0, { 0 } },                   \
	SEL_CIE, READ_NIS,                                                                  \
	{ "00A4020C", "1004", NO_LE, NULL, NULL, 0, { 0 } },                                \
	{ "00B00000", "", 256, h_k1, NULL, 0, { 0 } },                                      \
	{ "00B00100", "", 14, h_k2, NULL, 0, { 0 } },                                       \
	{ "00A4020C", "1005", NO_LE, NULL, NULL, 0x6a82, { 0 } },                           \
	{ "00A4020C", "1006", NO_LE, NULL, NULL, 0x6a82, { 0 } }

static const struct step open_nxp[] = {
	SEL_MF, SEL_CIE, READ_NIS,   /* probe: JCOP4 case-1 select (docs/reference/cie.md 1.2) */
	SEL_MF, LOAD_TAIL,
};

static const struct step open_gemalto[] = {
	SEL_IAS_AID, SEL_CIE, READ_NIS,
	SEL_IAS_AID, LOAD_TAIL,
};

#define GD "00CB3FFF"
#define CA_STEP { GD, "4D097007BFA004037F4980", NO_LE, h_ca, NULL, 0, { 0 } }
#define SM_STEPS                                                                            \
	{ "002241A6", NULL, NO_LE, h_kat, NULL, 0, { 255, 11, 0 } },                            \
	{ GD, "4D04A6029100", NO_LE, h_icc, NULL, 0, { 0 } },                                   \
	{ "002281B6", "800141830184", 256, NULL, NULL, 0, { 0 } },                              \
	{ "002A00AE", NULL, NO_LE, h_pso, NULL, 0, { 231, 123, 0 } },                           \
	{ "002281A4", "830C000000002000000000000001", NO_LE, NULL, NULL, 0, { 0 } },            \
	{ "00840000", "", 8, h_chal, NULL, 0, { 0 } },                                          \
	{ "00820000", NULL, NO_LE, h_ext, NULL, 0, { 231, 33, 0 } },                            \
	{ "002241A4", "84018280019B", NO_LE, NULL, NULL, 0, { 0 } },                            \
	{ "00880000", NULL, NO_LE, h_int, NULL, 0, { 0 } }
#define VERIFY_OK { "00200081", "3132333435363738", NO_LE, NULL, NULL, 0, { 0 } }
#define CERT_READ                                                                           \
	{ "00A4020C", "1003", NO_LE, NULL, NULL, 0, { 0 } },                                    \
	{ "00B00000", "", 128, NULL, CERT_HEAD, 0, { 0 } },                                      \
	{ "00B00080", "", 72, NULL, CERT_TAIL, 0, { 0 } }
#define GET_G { GD, "4D0A7008BFA10104A3029700", NO_LE, h_g, NULL, 0, { 0 } }
#define GET_P { GD, "4D0A7008BFA10104A3029800", NO_LE, h_p, NULL, 0, { 0 } }
#define GET_Q { GD, "4D0A7008BFA10104A3029900", NO_LE, h_q, NULL, 0, { 0 } }

/* A 200-byte DER object: 30 81 C5 + 197 bytes; the file is padded beyond it,
 * so the reads must stop at the DER length (docs/reference/cie.md 9). */
#define CERT_HEAD \
	"3081C511111111111111111111111111111111111111111111111111111111111111111111111111" \
	"11111111111111111111111111111111111111111111111111111111111111111111111111111111" \
	"11111111111111111111111111111111111111111111111111111111111111111111111111111111" \
	"1111111111111111"
#define CERT_TAIL \
	"22222222222222222222222222222222222222222222222222222222222222222222222222222222" \
	"2222222222222222222222222222222222222222222222222222222222222222"

static const struct step login_three[] = {
	GET_G, GET_P, GET_Q, CA_STEP, SM_STEPS, VERIFY_OK, CERT_READ,
};

static const struct step login_one[] = {
	{ GD, "4D087006BFA10102A380", NO_LE, h_gpq, NULL, 0, { 0 } },
	CA_STEP, SM_STEPS, VERIFY_OK, CERT_READ,
};

/* Gemalto's single form refused: the three-command form instead. */
static const struct step login_fallback[] = {
	{ GD, "4D087006BFA10102A380", NO_LE, NULL, NULL, 0x6a88, { 0 } },
	GET_G, GET_P, GET_Q, CA_STEP, SM_STEPS,
	{ "00200081", "3030303030303030", NO_LE, NULL, NULL, 0x63c2, { 0 } },
};

/* After a failed VERIFY: reset (the card's SM state is unknown), select
 * again, a new session with the cached DH and CA parameters. */
static const struct step relogin_gemalto[] = {
	SEL_IAS_AID, SEL_CIE, SM_STEPS, VERIFY_OK, CERT_READ,
};

/* docs/reference/cie.md 5: MSE SET AT key 81 alg 02, INTERNAL AUTHENTICATE, no Le. */
static const struct step sign_first[] = {
	{ "002241A4", "800102840181", NO_LE, NULL, NULL, 0, { 0 } },
	{ "00880000", "3031300D060960864801650304020105000420AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	              "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NO_LE, h_sig, NULL, 0, { 0 } },
};

static const struct step sign_again[] = {
	{ "00880000", NULL, NO_LE, h_sig, NULL, 0, { 0 } },
};

static void open_card(struct tc *tc, struct carta_card *c)
{
	memset(c, 0, sizeof(*c));
	c->t = &tc->t;
	c->drv = &carta_cie_driver;
	assert_int_equal(carta_cie_driver.probe(c), CARTA_OK);
	assert_int_equal(carta_cie_driver.load(c), CARTA_OK);
	assert_string_equal(c->desc.serial, "123456789012");
}

static void close_card(struct carta_card *c)
{
	carta_cie_driver.release(c);
	free(c->desc.certs[0].der);
	free(c->desc.keys[0].modulus);
	free(c->desc.keys[0].exponent);
}

static void do_sign(struct carta_card *c, unsigned long *wires)
{
	uint8_t di[51], sig[256];
	size_t sl = sizeof(sig);
	struct carta_buf h = { 0 };
	struct tc *tc = (struct tc *)c->t;
	unsigned long before = tc->wire;

	hexb("3031300D060960864801650304020105000420", &h);
	memcpy(di, h.p, 19);
	memset(di + 19, 0xaa, 32);
	assert_int_equal(carta_cie_driver.sign(c, 0, CARTA_SIGN_PKCS1_DATA, di, sizeof(di), sig,
	                                       &sl),
	                 CARTA_OK);
	assert_int_equal(sl, 256);
	assert_memory_equal(sig, di, sizeof(di));
	*wires = tc->wire - before;
	carta_buf_free(&h);
}

static void flow(const char *atr, const struct step *open, size_t on, const struct step *login,
                 size_t ln, const char *family)
{
	struct tc tc;
	struct carta_card c;
	unsigned long w;
	int tries = 0;

	setenv("XDG_CACHE_HOME", "/nonexistent-carta-test", 1);
	tc_init(&tc, atr, open, on);
	open_card(&tc, &c);
	assert_string_equal(c.desc.family, family);
	assert_null(c.desc.certs[0].der);
	tc_script(&tc, login, ln);
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"12345678", 8, &tries),
	                 CARTA_OK);
	/* the certificate stopped at its DER length */
	assert_int_equal(c.desc.certs[0].der_len, 200);
	tc_script(&tc, sign_first, 2);
	do_sign(&c, &w);
	assert_int_equal(w, 2);
	tc_script(&tc, sign_again, 1);
	do_sign(&c, &w);
	assert_int_equal(w, 1);   /* the environment is kept in the session */
	assert_int_equal(tc.pos, tc.n);
	/* logout: warm reset, no session left, nothing sent to sign */
	assert_int_equal(carta_cie_driver.logout(&c), CARTA_OK);
	assert_int_equal(tc.resets, 1);
	{
		uint8_t sig[256];
		size_t sl = sizeof(sig);

		assert_int_equal(carta_cie_driver.sign(&c, 0, CARTA_SIGN_PKCS1_DATA,
		                                       (const uint8_t *)"x", 1, sig, &sl),
		                 CARTA_E_SECURITY_STATUS);
	}
	close_card(&c);
	tc_free(&tc);
}

static void test_flow_nxp(void **state)
{
	(void)state;
	flow("3B8E80018031806549544E5850120FFF8290F0", open_nxp,
	     sizeof(open_nxp) / sizeof(open_nxp[0]), login_three,
	     sizeof(login_three) / sizeof(login_three[0]), "CIE 3.0 (NXP)");
}

static void test_flow_gemalto(void **state)
{
	(void)state;
	flow("3B8F800180318065B08504001112 0FFF8290008A", open_gemalto,
	     sizeof(open_gemalto) / sizeof(open_gemalto[0]), login_one,
	     sizeof(login_one) / sizeof(login_one[0]), "CIE 3.0 (Gemalto)");
}

static void test_dh_fallback_wrong_pin(void **state)
{
	struct tc tc;
	struct carta_card c;
	int tries = 0;

	(void)state;
	setenv("XDG_CACHE_HOME", "/nonexistent-carta-test", 1);
	tc_init(&tc, "3B8F800180318065B08504001112 0FFF8290008A", open_gemalto,
	        sizeof(open_gemalto) / sizeof(open_gemalto[0]));
	open_card(&tc, &c);
	tc_script(&tc, login_fallback, sizeof(login_fallback) / sizeof(login_fallback[0]));
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"00000000", 8, &tries),
	                 CARTA_E_PIN_INCORRECT);
	assert_int_equal(tries, 2);
	assert_int_equal(tc.resets, 0);
	tc_script(&tc, relogin_gemalto, sizeof(relogin_gemalto) / sizeof(relogin_gemalto[0]));
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"12345678", 8, &tries),
	                 CARTA_OK);
	assert_int_equal(tc.resets, 1);
	assert_int_equal(tc.pos, tc.n);
	close_card(&c);
	tc_free(&tc);
}

/* A card that answers the third wrong VERIFY with 63C0 (no try left) rather
 * than 6983 (docs/reference/cie.md 4, 8.G1): the PIN is blocked either way.
 * The driver says so (CARTA_E_PIN_BLOCKED), its PIN status shows it without
 * an APDU (the token's LOCKED flag, and the unlock path of an unlogged
 * C_SetPIN), and the unblock with the PUK goes through: VERIFY PUK, 2C 03,
 * 2C 02 (docs/reference/cie.md 4, 8.G5). */
static const struct step login_63c0[] = {
	GET_G, GET_P, GET_Q, CA_STEP, SM_STEPS,
	{ "00200081", "3030303030303030", NO_LE, NULL, NULL, 0x63c0, { 0 } },
};

static const struct step unblock_nxp[] = {
	SEL_MF, SEL_CIE, SM_STEPS,
	{ "00200082", "3837363534333231", NO_LE, NULL, NULL, 0, { 0 } },
	{ "002C0381", "", NO_LE, NULL, NULL, 0, { 0 } },
	{ "002C0281", "3131323233333434", NO_LE, NULL, NULL, 0, { 0 } },
};

static void test_last_try_63c0(void **state)
{
	struct carta_pin_status st;
	struct tc tc;
	struct carta_card c;
	int tries = 5;
	unsigned long wire;

	(void)state;
	setenv("XDG_CACHE_HOME", "/nonexistent-carta-test", 1);
	tc_init(&tc, "3B8E80018031806549544E5850120FFF8290F0", open_nxp,
	        sizeof(open_nxp) / sizeof(open_nxp[0]));
	open_card(&tc, &c);
	tc_script(&tc, login_63c0, sizeof(login_63c0) / sizeof(login_63c0[0]));
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"00000000", 8, &tries),
	                 CARTA_E_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	assert_int_equal(tc.pos, tc.n);
	wire = tc.wire;
	memset(&st, 0, sizeof(st));
	assert_int_equal(carta_cie_driver.pin_status(&c, 0, &st), CARTA_OK);
	assert_true(st.blocked);
	assert_int_equal(st.tries_left, 0);
	assert_int_equal(tc.wire, wire);   /* remembered, not asked */
	tc_script(&tc, unblock_nxp, sizeof(unblock_nxp) / sizeof(unblock_nxp[0]));
	assert_int_equal(carta_cie_driver.unblock(&c, 0, (const uint8_t *)"87654321", 8,
	                                          (const uint8_t *)"11223344", 8, &tries),
	                 CARTA_OK);
	assert_int_equal(tc.pos, tc.n);
	assert_int_equal(carta_cie_driver.pin_status(&c, 0, &st), CARTA_OK);
	assert_false(st.blocked);
	assert_int_equal(st.tries_left, -1);
	close_card(&c);
	tc_free(&tc);
}

/* 63C2 then 63C1: the tries left are kept for the token flags (COUNT_LOW,
 * FINAL_TRY) at no APDU; a correct VERIFY forgets them. */
static const struct step wrong_again_nxp[] = {
	SEL_MF, SEL_CIE, SM_STEPS,
	{ "00200081", "3030303030303030", NO_LE, NULL, NULL, 0x63c1, { 0 } },
};

static const struct step right_nxp[] = {
	SEL_MF, SEL_CIE, SM_STEPS, VERIFY_OK, CERT_READ,
};

static void test_tries_remembered(void **state)
{
	static const struct step first[] = {
		GET_G, GET_P, GET_Q, CA_STEP, SM_STEPS,
		{ "00200081", "3030303030303030", NO_LE, NULL, NULL, 0x63c2, { 0 } },
	};
	struct carta_pin_status st;
	struct tc tc;
	struct carta_card c;
	int tries = 5;
	unsigned long wire;

	(void)state;
	setenv("XDG_CACHE_HOME", "/nonexistent-carta-test", 1);
	tc_init(&tc, "3B8E80018031806549544E5850120FFF8290F0", open_nxp,
	        sizeof(open_nxp) / sizeof(open_nxp[0]));
	open_card(&tc, &c);
	assert_int_equal(carta_cie_driver.pin_status(&c, 0, &st), CARTA_OK);
	assert_int_equal(st.tries_left, -1);
	tc_script(&tc, first, sizeof(first) / sizeof(first[0]));
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"00000000", 8, &tries),
	                 CARTA_E_PIN_INCORRECT);
	assert_int_equal(tries, 2);
	wire = tc.wire;
	assert_int_equal(carta_cie_driver.pin_status(&c, 0, &st), CARTA_OK);
	assert_int_equal(st.tries_left, 2);
	assert_false(st.blocked);
	assert_int_equal(tc.wire, wire);
	tc_script(&tc, wrong_again_nxp, sizeof(wrong_again_nxp) / sizeof(wrong_again_nxp[0]));
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"00000000", 8, &tries),
	                 CARTA_E_PIN_INCORRECT);
	wire = tc.wire;
	assert_int_equal(carta_cie_driver.pin_status(&c, 0, &st), CARTA_OK);
	assert_int_equal(st.tries_left, 1);
	assert_int_equal(tc.wire, wire);
	tc_script(&tc, right_nxp, sizeof(right_nxp) / sizeof(right_nxp[0]));
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"12345678", 8, &tries),
	                 CARTA_OK);
	assert_int_equal(carta_cie_driver.pin_status(&c, 0, &st), CARTA_OK);
	assert_int_equal(st.tries_left, -1);
	assert_false(st.blocked);
	assert_int_equal(tc.pos, tc.n);
	close_card(&c);
	tc_free(&tc);
}

/* Wrong PIN lengths and non-digits: refused before anything is sent. */
static void test_pin_rules(void **state)
{
	struct tc tc;
	struct carta_card c;
	int tries = 0;

	(void)state;
	setenv("XDG_CACHE_HOME", "/nonexistent-carta-test", 1);
	tc_init(&tc, "3B8E80018031806549544E5850120FFF8290F0", open_nxp,
	        sizeof(open_nxp) / sizeof(open_nxp[0]));
	open_card(&tc, &c);
	tc_script(&tc, NULL, 0);
	tc.wire = 0;
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"1234", 4, &tries),
	                 CARTA_E_PIN_LEN);
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"123456789", 9, &tries),
	                 CARTA_E_PIN_LEN);
	assert_int_equal(carta_cie_driver.verify(&c, 0, (const uint8_t *)"1234567\0", 8, &tries),
	                 CARTA_E_PIN_LEN);
	assert_int_equal(carta_cie_driver.change(&c, 0, (const uint8_t *)"12345678", 8,
	                                         (const uint8_t *)"123", 3, &tries),
	                 CARTA_E_PIN_LEN);
	assert_int_equal(carta_cie_driver.unblock(&c, 0, (const uint8_t *)"12345678", 8,
	                                          (const uint8_t *)"1234567890", 10, &tries),
	                 CARTA_E_PIN_LEN);
	assert_int_equal(tc.wire, 0);
	close_card(&c);
	tc_free(&tc);
}

/* Tolerance: a JCOP4 ATR whose card refuses 00 A4 00 00 with 6A82 gets the
 * IAS AID. On the bare NFC ATR: a CIE (STM2) is claimed, a CNS applet that
 * has an MF but no DF_CIE is not, nor a card without a 12-digit NIS. */
static void test_probe(void **state)
{
	static const struct step fallback[] = {
		{ "00A40000", "", NO_LE, NULL, NULL, 0x6a82, { 0 } },
		SEL_IAS_AID, SEL_CIE, READ_NIS,
	};
	static const struct step stm2[] = { SEL_IAS_AID, SEL_CIE, READ_NIS };
	static const struct step cns[] = {
		{ "00A4040C", "A0000000308000000009816001", NO_LE, NULL, NULL, 0x6a82, { 0 } },
		SEL_MF,
		{ "00A4040C", "A00000000039", NO_LE, NULL, NULL, 0x6a82, { 0 } },
	};
	static const struct step bad_nis[] = {
		SEL_IAS_AID, SEL_CIE,
		{ "00B08100", "", 12, NULL, "3132333435363738393031FF", 0, { 0 } },
	};
	/* a transient answer is no verdict: the card is asked again later */
	static const struct step sel_6f00[] = {
		SEL_IAS_AID,
		{ "00A4040C", "A00000000039", NO_LE, NULL, NULL, 0x6f00, { 0 } },
	};
	static const struct step sel_6d00[] = {
		SEL_IAS_AID,
		{ "00A4040C", "A00000000039", NO_LE, NULL, NULL, 0x6d00, { 0 } },
	};
	struct {
		const char *atr;
		const struct step *s;
		size_t n;
		enum carta_err want;
	} cases[] = {
		{ "3B80800101", sel_6f00, 2, CARTA_E_CARD },
		{ "3B80800101", sel_6d00, 2, CARTA_E_CARD_UNKNOWN },
		{ "3B8F80018031806549544A3441120FFF82900088", fallback, 4, CARTA_OK },
		{ "3B80800101", stm2, 3, CARTA_OK },
		{ "3B80800101", cns, 3, CARTA_E_CARD_UNKNOWN },
		/* both CIE selects taken: a malformed NIS is a corrupted answer */
		{ "3B80800101", bad_nis, 3, CARTA_E_PARSE },
		{ "3BFF1800FF8131FE55006B02090200010101445344103180 92", NULL, 0,
		  CARTA_E_CARD_UNKNOWN },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tc tc;
		struct carta_card c;

		tc_init(&tc, cases[i].atr, cases[i].s, cases[i].n);
		memset(&c, 0, sizeof(c));
		c.t = &tc.t;
		assert_int_equal(carta_cie_driver.probe(&c), cases[i].want);
		assert_int_equal(tc.pos, tc.n);
		tc_free(&tc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_nxp),
		cmocka_unit_test(test_flow_gemalto),
		cmocka_unit_test(test_dh_fallback_wrong_pin),
		cmocka_unit_test(test_pin_rules),
		cmocka_unit_test(test_last_try_63c0),
		cmocka_unit_test(test_tries_remembered),
		cmocka_unit_test(test_probe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
