/* SPDX-License-Identifier: BSD-3-Clause */
/* PIN and PUK of the virtual CIE (docs/reference/cie.md 4, 8 G1, G2, G4, G5) through the
 * independent test terminal. */
#include "test_vcard_cie_host.h"

#include "vcard.h"

static int setup(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	h->card = new_card("cie-nxp", 0);
	h->nxp = true;
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct host *h = *state;

	vcard_cie_free(h->card);
	free(h);
	return 0;
}

static void test_pin_tries_and_block(void **state)
{
	struct host *h = *state;

	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "1234567"), 0x6700);   /* no try spent */
	assert_int_equal(verify_pin(h, 0x81, "123456789"), 0x6700);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 3);
	/* status query with empty data spends nothing */
	assert_int_equal(verify_pin(h, 0x81, ""), 0x63C3);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x63C2);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x63C1);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x6983);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 0);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x6983);
	/* blocked survives a reset */
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x6983);
	/* a right PIN resets the counter */
	vcard_cie_free(h->card);
	h->card = new_card("cie-nxp", 0);
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x63C2);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 3);
	assert_int_equal(verify_pin(h, 0x81, ""), 0x9000);
}

static void test_sign_needs_pin(void **state)
{
	static const uint8_t at81[] = { 0x80, 0x01, 0x02, 0x84, 0x01, 0x81 };
	struct host *h = *state;
	struct carta_buf b = { 0 };
	uint8_t d[32] = { 1 };

	open_session(h);
	assert_int_equal(sm(h, 0x22, 0x41, 0xA4, at81, sizeof(at81), -1, &b), 0x9000);
	assert_int_equal(sm(h, 0x88, 0x00, 0x00, d, sizeof(d), -1, &b), 0x6982);
	assert_int_equal(read_sm(h, 0x1003, &b), 0x6982);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	assert_int_equal(read_sm(h, 0x1003, &b), 0x9000);
	assert_int_equal(sm(h, 0x88, 0x00, 0x00, d, sizeof(d), -1, &b), 0x9000);
	assert_int_equal(b.len, 256);
	/* a reset forgets the PIN: new session, no signature without VERIFY */
	open_session(h);
	assert_int_equal(sm(h, 0x22, 0x41, 0xA4, at81, sizeof(at81), -1, &b), 0x9000);
	assert_int_equal(sm(h, 0x88, 0x00, 0x00, d, sizeof(d), -1, &b), 0x6982);
	carta_buf_free(&b);
}

static void test_change_pin(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 };
	uint8_t cur[16];

	open_session(h);
	assert_int_equal(sm(h, 0x24, 0x00, 0x81, (const uint8_t *)"1234567811223344", 16, -1, &b),
	                 0x6982);   /* needs VERIFY first (G4) */
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	assert_int_equal(sm(h, 0x24, 0x00, 0x81, (const uint8_t *)"12345678112233", 14, -1, &b),
	                 0x6700);
	assert_int_equal(sm(h, 0x24, 0x00, 0x81, (const uint8_t *)"1234567811223344", 16, -1, &b),
	                 0x9000);
	assert_int_equal(vcard_cie_current_pin(h->card, cur, sizeof(cur)), 8);
	assert_memory_equal(cur, "11223344", 8);
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x63C2);
	assert_int_equal(verify_pin(h, 0x81, "11223344"), 0x9000);
	carta_buf_free(&b);
}

static void block_pin(struct host *h)
{
	for (int i = 0; i < 3; i++)
		verify_pin(h, 0x81, "00000000");
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 0);
}

static void test_unblock_with_puk(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 };
	uint8_t cur[8];

	open_session(h);
	block_pin(h);
	/* 2C needs the PUK in this session (G5); 00 2C 03 81 goes with DO97 01 00 */
	assert_int_equal(sm(h, 0x2C, 0x03, 0x81, NULL, 0, 0, &b), 0x6982);
	assert_int_equal(verify_pin(h, 0x82, "00000000"), 0x63C9);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, true), 9);
	assert_int_equal(verify_pin(h, 0x82, "87654321"), 0x9000);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, true), 10);
	assert_int_equal(sm(h, 0x2C, 0x03, 0x81, NULL, 0, 0, &b), 0x9000);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 3);
	/* block again, then set a new PIN with 2C 02 81 */
	block_pin(h);
	assert_int_equal(sm(h, 0x2C, 0x02, 0x81, (const uint8_t *)"1234", 4, -1, &b), 0x6700);
	assert_int_equal(sm(h, 0x2C, 0x02, 0x81, (const uint8_t *)"55667788", 8, -1, &b), 0x9000);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 3);
	assert_int_equal(vcard_cie_current_pin(h->card, cur, sizeof(cur)), 8);
	assert_memory_equal(cur, "55667788", 8);
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "55667788"), 0x9000);
	/* the PUK state does not survive the reset */
	assert_int_equal(sm(h, 0x2C, 0x03, 0x81, NULL, 0, 0, &b), 0x6982);
	carta_buf_free(&b);
}

static void test_puk_blocks_for_good(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 };

	open_session(h);
	for (int i = 9; i >= 1; i--)
		assert_int_equal(verify_pin(h, 0x82, "00000000"), 0x63C0 | i);
	assert_int_equal(verify_pin(h, 0x82, "00000000"), 0x6983);
	assert_int_equal(verify_pin(h, 0x82, "87654321"), 0x6983);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, true), 0);
	open_session(h);
	assert_int_equal(verify_pin(h, 0x82, "87654321"), 0x6983);
	assert_int_equal(sm(h, 0x2C, 0x03, 0x81, NULL, 0, 0, &b), 0x6982);
	/* the user PIN still works */
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	carta_buf_free(&b);
}

static void test_config_overrides(void **state)
{
	struct host *h = *state;
	struct vcard_config cfg;
	struct vcard_cie *c = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "cie-gemalto";
	cfg.pin = "24681357";
	cfg.puk = "11112222";
	cfg.seed = "another-seed";
	assert_int_equal(vcard_cie_new(&cfg, &c), CARTA_OK);
	vcard_cie_free(h->card);
	h->card = c;
	h->nxp = false;
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x63C2);
	assert_int_equal(verify_pin(h, 0x81, "24681357"), 0x9000);
	assert_int_equal(verify_pin(h, 0x82, "11112222"), 0x9000);
	assert_string_not_equal(vcard_cie_nis(c), "");
	cfg.profile = "cie-unknown";
	c = NULL;
	assert_int_equal(vcard_cie_new(&cfg, &c), CARTA_E_NOT_SUPPORTED);
	assert_null(c);
	cfg.profile = "cie-nxp";
	cfg.pin = "1234";
	assert_int_equal(vcard_cie_new(&cfg, &c), CARTA_E_ARGS);
}

/* cie_last_try_sw / --cie-last-try-sw: some real CIEs answer the wrong VERIFY
 * that spends the last try with 63 C0 instead of 69 83; both mean blocked
 * (docs/reference/cie.md 8 G1, 4). After it, 69 83 as always, and the PUK unblocks. */
static struct vcard_cie *card_with(unsigned last_try_sw)
{
	struct vcard_config cfg;
	struct vcard_cie *c = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "cie-nxp";
	cfg.cie_last_try_sw = last_try_sw;
	assert_int_equal(vcard_cie_new(&cfg, &c), CARTA_OK);
	return c;
}

static int setup_63c0(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	h->card = card_with(0x63C0);
	h->nxp = true;
	*state = h;
	return 0;
}

static void test_pin_last_try_63c0(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 };

	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x63C2);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x63C1);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x63C0);   /* the last try */
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 0);
	/* from now on 69 83, for a wrong, a right and an empty VERIFY alike */
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x6983);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x6983);
	assert_int_equal(verify_pin(h, 0x81, ""), 0x6983);
	/* unblock with the PUK (docs/reference/cie.md 4, 8 G5) restores it */
	assert_int_equal(verify_pin(h, 0x82, "87654321"), 0x9000);
	assert_int_equal(sm(h, 0x2C, 0x03, 0x81, NULL, 0, 0, &b), 0x9000);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 3);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	carta_buf_free(&b);
}

static void test_puk_last_try_63c0(void **state)
{
	struct host *h = *state;

	open_session(h);
	for (int i = 9; i >= 1; i--)
		assert_int_equal(verify_pin(h, 0x82, "00000000"), 0x63C0 | i);
	assert_int_equal(verify_pin(h, 0x82, "00000000"), 0x63C0);
	assert_int_equal(verify_pin(h, 0x82, "87654321"), 0x6983);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, true), 0);
}

static void test_default_and_bad_values(void **state)
{
	struct vcard_config cfg;
	struct vcard_cie *c = NULL;
	struct vcard *v = NULL;
	struct host *h = *state;

	vcard_cie_free(h->card);
	h->card = card_with(0x6983);
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x63C2);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x63C1);
	assert_int_equal(verify_pin(h, 0x81, "11111111"), 0x6983);
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "cie-gemalto";
	cfg.cie_last_try_sw = 0x6300;
	assert_int_equal(vcard_cie_new(&cfg, &c), CARTA_E_ARGS);
	/* a CIE-only switch on a CNS profile is refused, not ignored */
	cfg.profile = "st";
	cfg.cie_last_try_sw = 0x63C0;
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
	assert_null(v);
	/* through the public API the same card answers the same */
	cfg.profile = "cie-nxp";
	assert_int_equal(vcard_new(&cfg, &v), CARTA_OK);
	vcard_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pin_tries_and_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sign_needs_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unblock_with_puk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_puk_blocks_for_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_overrides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_last_try_63c0, setup_63c0, teardown),
		cmocka_unit_test_setup_teardown(test_puk_last_try_63c0, setup_63c0, teardown),
		cmocka_unit_test_setup_teardown(test_default_and_bad_values, setup_63c0, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
