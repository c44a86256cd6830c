/* SPDX-License-Identifier: BSD-3-Clause */
/* Secure messaging (src/apdu/sm.c) against published and independent vectors:
 * - ICAO Doc 9303 Part 11 (8th ed.), Appendix D "Worked example: Basic Access
 *   Control": D.3 session keys from K_seed, D.4 protected SELECT EF.COM and
 *   READ BINARY commands and responses, byte for byte;
 * - tests/data/sm_vectors.h, CIE-style (docs/reference/cie.md 3.4-3.5) vectors from
 *   tests/data/gen_sm_vectors.py, a separate Python implementation;
 * - error paths, SSC handling, 231-byte chaining and GET RESPONSE rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/sm.h"
#include "crypto/crypto.h"
#include "util/hex.h"

#include "../data/sm_vectors.h"

static struct carta_buf hexbuf(const char *s)
{
	struct carta_buf b = { 0 };
	assert_int_equal(carta_hex_decode(s, strlen(s), &b), CARTA_OK);
	return b;
}

static void assert_hex(const uint8_t *p, size_t n, const char *hex)
{
	struct carta_buf want = hexbuf(hex);
	assert_int_equal(n, want.len);
	assert_memory_equal(p, want.p, n);
	carta_buf_free(&want);
}

/* ---- ICAO Doc 9303-11 Appendix D ---------------------------------------- */

/* D.3: KSenc/KSmac = SHA-1(K_seed || counter)[0..15] with DES parity adjusted;
 * the parity bit (bit 0 of each byte) is ignored in the comparison. */
static void assert_eq_ignoring_parity(const uint8_t *a, const char *hex)
{
	struct carta_buf want = hexbuf(hex);
	size_t i;

	assert_int_equal(want.len, 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(a[i] & 0xFE, want.p[i] & 0xFE);
	carta_buf_free(&want);
}

static const char icao_ks_enc[] = "979EC13B1CBFE9DCD01AB0FED307EAE5";
static const char icao_ks_mac[] = "F1CB1F1FB5ADF208806B89DC579DC1F8";
static const char icao_ssc[] = "887022120C06C226";

static void test_icao_kdf(void **state)
{
	struct carta_buf seed = hexbuf("0036D272F5C350ACAC50C3F572D23600");
	uint8_t k[16];

	(void)state;
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, seed.p, seed.len, 1, k, 16), CARTA_OK);
	assert_eq_ignoring_parity(k, icao_ks_enc);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA1, seed.p, seed.len, 2, k, 16), CARTA_OK);
	assert_eq_ignoring_parity(k, icao_ks_mac);
	carta_buf_free(&seed);
}

static void icao_start(struct carta_sm *sm)
{
	struct carta_buf ke = hexbuf(icao_ks_enc), km = hexbuf(icao_ks_mac), ssc = hexbuf(icao_ssc);

	memset(sm, 0, sizeof(*sm));
	assert_int_equal(carta_sm_start(sm, ke.p, km.p, ssc.p), CARTA_OK);
	carta_buf_free(&ke);
	carta_buf_free(&km);
	carta_buf_free(&ssc);
}

/* wrap `plain`, compare with the published protected APDU */
static void wrap_expect(struct carta_sm *sm, const struct carta_apdu *plain, const char *hex)
{
	struct carta_buf out = { 0 };

	assert_int_equal(carta_sm_wrap(sm, plain, &out), CARTA_OK);
	assert_hex(out.p, out.len, hex);
	carta_buf_free(&out);
}

/* unwrap a published response (body + transport SW), compare data and SW */
static void unwrap_expect(struct carta_sm *sm, const char *resp_hex, const char *data_hex)
{
	struct carta_buf resp = hexbuf(resp_hex);
	struct carta_rapdu r;

	carta_rapdu_init(&r);
	assert_true(resp.len >= 2);
	assert_int_equal(carta_sm_unwrap(sm, resp.p, resp.len - 2, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	if (data_hex[0] == '\0')
		assert_int_equal(r.data.len, 0);
	else
		assert_hex(r.data.p, r.data.len, data_hex);
	carta_rapdu_free(&r);
	carta_buf_free(&resp);
}

static void test_icao_d4(void **state)
{
	static const uint8_t ef_com[] = { 0x01, 0x1E };
	struct carta_apdu sel = { 0x00, 0xA4, 0x02, 0x0C, ef_com, 2, 0 };
	struct carta_apdu rb1 = { 0x00, 0xB0, 0x00, 0x00, NULL, 0, 4 };
	struct carta_apdu rb2 = { 0x00, 0xB0, 0x00, 0x04, NULL, 0, 0x12 };
	struct carta_sm sm;

	(void)state;
	icao_start(&sm);
	/* D.4.1 SELECT EF.COM */
	wrap_expect(&sm, &sel, "0CA4020C158709016375432908C044F68E08BF8B92D635FF24F800");
	assert_hex(sm.ssc, 8, "887022120C06C227");
	unwrap_expect(&sm, "990290008E08FA855A5D4C50A8ED9000", "");
	assert_hex(sm.ssc, 8, "887022120C06C228");
	/* D.4.2 READ BINARY of the first four bytes */
	wrap_expect(&sm, &rb1, "0CB000000D9701048E08ED6705417E96BA5500");
	unwrap_expect(&sm, "8709019FF0EC34F9922651990290008E08AD55CC17140B2DED9000", "60145F01");
	/* D.4.3 READ BINARY of the remaining 18 bytes from offset 4 */
	wrap_expect(&sm, &rb2, "0CB000040D9701128E082EA28A70F3C7B53500");
	unwrap_expect(&sm,
	              "871901FB9235F4E4037F2327DCC8964F1F9B8C30F42C8E2FFF224A990290008E08C8B2787EAEA07D749000",
	              "04303130365F36063034303030305C026175");
	assert_hex(sm.ssc, 8, "887022120C06C22C");
	carta_sm_end(&sm);
	assert_false(sm.active);
	assert_null(sm.k_enc);
}

/* ---- independent CIE-style vectors ------------------------------------- */

static void smv_start(struct carta_sm *sm, const uint8_t ssc[8])
{
	memset(sm, 0, sizeof(*sm));
	assert_int_equal(carta_sm_start(sm, smv_k_enc, smv_k_mac, ssc), CARTA_OK);
}

static void test_cie_kdf(void **state)
{
	uint8_t k[16];

	(void)state;
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA256, smv_shared_k, sizeof(smv_shared_k), 1,
	                                   k, 16), CARTA_OK);
	assert_memory_equal(k, smv_k_enc, 16);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA256, smv_shared_k, sizeof(smv_shared_k), 2,
	                                   k, 16), CARTA_OK);
	assert_memory_equal(k, smv_k_mac, 16);
}

static void test_cie_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < SMV_N; i++) {
		const struct smv *v = &smv_steps[i];
		struct carta_apdu a = { v->cla, v->ins, v->p1, v->p2, v->lc ? v->data : NULL, v->lc, v->le };
		struct carta_buf out = { 0 };
		struct carta_rapdu r;
		struct carta_sm sm;

		smv_start(&sm, v->ssc);
		assert_int_equal(carta_sm_wrap(&sm, &a, &out), CARTA_OK);
		assert_int_equal(out.len, v->cmd_len);
		assert_memory_equal(out.p, v->cmd, v->cmd_len);
		carta_rapdu_init(&r);
		assert_int_equal(carta_sm_unwrap(&sm, v->resp, v->resp_len, &r), CARTA_OK);
		assert_int_equal(r.sw, v->sw);
		assert_int_equal(r.data.len, v->rdata_len);
		if (v->rdata_len > 0)
			assert_memory_equal(r.data.p, v->rdata, v->rdata_len);
		carta_rapdu_free(&r);
		carta_buf_free(&out);
		carta_sm_end(&sm);
	}
}

/* ---- error paths --------------------------------------------------------- */

/* Build a response body for the card side: DOs given, then 8E with the MAC
 * over pad(SSC || DOs) as ICAO 9303-11 9.8.6.2 says (mac_ok=false corrupts it). */
static struct carta_buf make_resp(const uint8_t ssc[8], const char *dos_hex, bool mac_ok)
{
	struct carta_buf dos = hexbuf(dos_hex), m = { 0 }, body = { 0 };
	uint8_t mac[8];

	assert_int_equal(carta_buf_append(&m, ssc, 8), CARTA_OK);
	assert_int_equal(carta_buf_append(&m, dos.p, dos.len), CARTA_OK);
	assert_int_equal(carta_pad_m2(&m, 8), CARTA_OK);
	assert_int_equal(carta_retail_mac(smv_k_mac, m.p, m.len, mac), CARTA_OK);
	if (!mac_ok)
		mac[7] ^= 0x01;
	assert_int_equal(carta_buf_append(&body, dos.p, dos.len), CARTA_OK);
	assert_int_equal(carta_buf_append(&body, (const uint8_t *)"\x8E\x08", 2), CARTA_OK);
	assert_int_equal(carta_buf_append(&body, mac, 8), CARTA_OK);
	carta_buf_free(&dos);
	carta_buf_free(&m);
	return body;
}

/* "87 L 01 || E(block)" for an 8-byte plaintext block given in hex */
static void do87_hex(const char *block_hex, uint8_t ind, char *out, size_t cap)
{
	struct carta_buf blk = hexbuf(block_hex);
	uint8_t c[8];

	assert_int_equal(blk.len, 8);
	assert_int_equal(carta_3des_cbc(true, smv_k_enc, blk.p, 8, c), CARTA_OK);
	assert_int_equal(snprintf(out, cap, "8709%02X", ind), 6);
	assert_int_equal(carta_hex_encode(c, 8, out + 6, cap - 6), CARTA_OK);
	carta_buf_free(&blk);
}

static const uint8_t ssc0[8] = { 0, 0, 0, 0, 0, 0, 0, 0x10 };
static const uint8_t ssc1[8] = { 0, 0, 0, 0, 0, 0, 0, 0x11 };

/* The body must fail with CARTA_E_SM and leave out->data untouched. */
static void expect_sm_error(const struct carta_buf *body)
{
	struct carta_rapdu r;
	struct carta_sm sm;

	smv_start(&sm, ssc0);
	carta_rapdu_init(&r);
	assert_int_equal(carta_sm_unwrap(&sm, body->p, body->len, &r), CARTA_E_SM);
	assert_int_equal(r.data.len, 0);
	assert_int_equal(r.sw, 0);
	/* the SSC still counted the response */
	assert_memory_equal(sm.ssc, ssc1, 8);
	carta_rapdu_free(&r);
	carta_sm_end(&sm);
}

static void test_unwrap_good_then_bad_mac(void **state)
{
	char do87[64], dos[128];
	struct carta_buf good, bad;
	struct carta_rapdu r;
	struct carta_sm sm;

	(void)state;
	do87_hex("4142438000000000", 1, do87, sizeof(do87));
	snprintf(dos, sizeof(dos), "%s99029000", do87);
	good = make_resp(ssc1, dos, true);
	bad = make_resp(ssc1, dos, false);
	/* the helper is right: the good body unwraps to "ABC" */
	smv_start(&sm, ssc0);
	carta_rapdu_init(&r);
	assert_int_equal(carta_sm_unwrap(&sm, good.p, good.len, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.data.len, 3);
	assert_memory_equal(r.data.p, "ABC", 3);
	carta_rapdu_free(&r);
	carta_sm_end(&sm);
	expect_sm_error(&bad);
	/* a right MAC for the wrong SSC (a replay) fails too */
	carta_buf_free(&good);
	good = make_resp(ssc0, dos, true);
	expect_sm_error(&good);
	carta_buf_free(&good);
	carta_buf_free(&bad);
}

static void test_unwrap_malformed(void **state)
{
	/* each DO list gets a correct MAC: only the structure is wrong */
	static const char *const cases[] = {
		"",                      /* missing 99 */
		"9903900000",            /* 99 of the wrong length */
		"99029000" "53020102",   /* unknown DO */
		"530101" "99029000",     /* unknown DO first */
		"99029000" "99029000",   /* 99 twice */
	};
	char do87[64], dos[128];
	struct carta_buf body;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		body = make_resp(ssc1, cases[i], true);
		expect_sm_error(&body);
		carta_buf_free(&body);
	}
	/* bad padding: no 80 in the last block / 80 followed by non-zero */
	do87_hex("4142434445464748", 1, do87, sizeof(do87));
	snprintf(dos, sizeof(dos), "%s99029000", do87);
	body = make_resp(ssc1, dos, true);
	expect_sm_error(&body);
	carta_buf_free(&body);
	do87_hex("4142800001000000", 1, do87, sizeof(do87));
	snprintf(dos, sizeof(dos), "%s99029000", do87);
	body = make_resp(ssc1, dos, true);
	expect_sm_error(&body);
	carta_buf_free(&body);
	/* all-zero block (no 80 at all) */
	do87_hex("0000000000000000", 1, do87, sizeof(do87));
	snprintf(dos, sizeof(dos), "%s99029000", do87);
	body = make_resp(ssc1, dos, true);
	expect_sm_error(&body);
	carta_buf_free(&body);
	/* DO87 without the 01 indicator */
	do87_hex("4142438000000000", 2, do87, sizeof(do87));
	snprintf(dos, sizeof(dos), "%s99029000", do87);
	body = make_resp(ssc1, dos, true);
	expect_sm_error(&body);
	carta_buf_free(&body);
	/* wrong order: 99 before 87 */
	do87_hex("4142438000000000", 1, do87, sizeof(do87));
	snprintf(dos, sizeof(dos), "99029000%s", do87);
	body = make_resp(ssc1, dos, true);
	expect_sm_error(&body);
	carta_buf_free(&body);
}

static void test_unwrap_missing_mac_and_short(void **state)
{
	static const char *const raw[] = {
		"99029000",                              /* no 8E */
		"990290008E0700000000000000",            /* 8E of 7 bytes */
		"990290008E08000000000000",              /* 8E cut short */
		"9902",                                  /* truncated DO */
		"99",                                    /* lone tag */
		"8784",                                  /* bad length form */
	};
	struct carta_buf body, good;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		body = hexbuf(raw[i]);
		expect_sm_error(&body);
		carta_buf_free(&body);
	}
	body.p = NULL;
	body.len = 0;
	expect_sm_error(&body);
	/* trailing bytes after a valid 8E */
	good = make_resp(ssc1, "99029000", true);
	assert_int_equal(carta_buf_append_byte(&good, 0x00), CARTA_OK);
	expect_sm_error(&good);
	carta_buf_free(&good);
}

static void test_wrap_limits(void **state)
{
	uint8_t data[240] = { 0 };
	struct carta_apdu a = { 0x00, 0xD6, 0x00, 0x00, data, 231, 0 };
	struct carta_buf out = { 0 };
	struct carta_sm sm;

	(void)state;
	memset(&sm, 0, sizeof(sm));
	/* never started, ended twice: harmless; wrapping needs a session */
	carta_sm_end(&sm);
	carta_sm_end(&sm);
	assert_int_equal(carta_sm_wrap(&sm, &a, &out), CARTA_E_SM);
	smv_start(&sm, ssc0);
	/* 231 bytes: 87 81 E9 01 <232> 8E 08 <8>, Lc' = 246 */
	assert_int_equal(carta_sm_wrap(&sm, &a, &out), CARTA_OK);
	assert_int_equal(out.len, 5 + 246 + 1);
	assert_int_equal(out.p[4], 246);
	a.lc = 232;
	assert_int_equal(carta_sm_wrap(&sm, &a, &out), CARTA_E_RANGE);
	a.lc = 1;
	a.le = 257;
	assert_int_equal(carta_sm_wrap(&sm, &a, &out), CARTA_E_RANGE);
	a.le = 256;   /* DO97 01 00 */
	assert_int_equal(carta_sm_wrap(&sm, &a, &out), CARTA_OK);
	assert_memory_equal(out.p + 5 + 11, "\x97\x01\x00", 3);
	/* case 1: only DO8E */
	a.lc = 0;
	a.le = 0;
	a.data = NULL;
	assert_int_equal(carta_sm_wrap(&sm, &a, &out), CARTA_OK);
	assert_int_equal(out.len, 5 + 10 + 1);
	assert_int_equal(out.p[0], 0x0C);
	/* the SSC counted each wrap that succeeded (3), not the refused ones */
	assert_int_equal(sm.ssc[7], 0x13);
	carta_buf_free(&out);
	carta_sm_end(&sm);
}

/* ---- carta_sm_transmit through a scripted transport --------------------- */

/* A transport that checks each wire command against a script and answers. */
struct script {
	struct carta_transport t;   /* first member: the ops receive &t */
	struct carta_buf cmd[8], resp[8];
	size_t n, pos;
};

static enum carta_err script_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                      struct carta_buf *resp)
{
	struct script *s = (struct script *)(void *)t;

	assert_true(s->pos < s->n);
	assert_int_equal(n, s->cmd[s->pos].len);
	assert_memory_equal(cmd, s->cmd[s->pos].p, n);
	carta_buf_clear(resp);
	assert_int_equal(carta_buf_append(resp, s->resp[s->pos].p, s->resp[s->pos].len), CARTA_OK);
	s->pos++;
	return CARTA_OK;
}

static const struct carta_transport_ops script_ops = { .transmit = script_transmit };

static void script_init(struct script *s)
{
	memset(s, 0, sizeof(*s));
	s->t.ops = &script_ops;
}

static void script_add(struct script *s, const uint8_t *cmd, size_t cn, const uint8_t *body,
                       size_t bn, uint16_t sw)
{
	assert_true(s->n < 8);
	assert_int_equal(carta_buf_append(&s->cmd[s->n], cmd, cn), CARTA_OK);
	if (bn > 0)
		assert_int_equal(carta_buf_append(&s->resp[s->n], body, bn), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(&s->resp[s->n], (uint8_t)(sw >> 8)), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(&s->resp[s->n], (uint8_t)sw), CARTA_OK);
	s->n++;
}

static void script_free(struct script *s)
{
	size_t i;

	for (i = 0; i < 8; i++) {
		carta_buf_free(&s->cmd[i]);
		carta_buf_free(&s->resp[i]);
	}
}

static struct carta_apdu smv_plain(const struct smv *v)
{
	struct carta_apdu a = { v->cla, v->ins, v->p1, v->p2, v->lc ? v->data : NULL, v->lc, v->le };
	return a;
}

static void test_transmit_simple(void **state)
{
	const struct smv *v = &smv_steps[0];
	struct carta_apdu a = smv_plain(v);
	struct carta_rapdu r;
	struct script s;
	struct carta_sm sm;

	(void)state;
	script_init(&s);
	script_add(&s, v->cmd, v->cmd_len, v->resp, v->resp_len, 0x9000);
	smv_start(&sm, v->ssc);
	carta_rapdu_init(&r);
	assert_int_equal(carta_sm_transmit(&sm, &s.t, &a, CARTA_TX_SENSITIVE, &r), CARTA_OK);
	assert_int_equal(s.pos, 1);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.data.len, 0);
	assert_int_equal(sm.ssc[7], v->ssc[7] + 2);
	assert_true(sm.active);
	carta_rapdu_free(&r);
	carta_sm_end(&sm);
	script_free(&s);
}

/* PSO VERIFY CERTIFICATE of 354 bytes: blocks of 231 + 123, CLA 1C then 0C */
static void test_transmit_chain_vectors(void **state)
{
	const struct smv *b1 = &smv_steps[2], *b2 = &smv_steps[3];
	uint8_t data[354];
	struct carta_apdu a = { 0x00, 0x2A, 0x00, 0xAE, data, sizeof(data), 0 };
	struct carta_rapdu r;
	struct script s;
	struct carta_sm sm;

	(void)state;
	assert_int_equal(b1->lc + b2->lc, sizeof(data));
	memcpy(data, b1->data, b1->lc);
	memcpy(data + b1->lc, b2->data, b2->lc);
	assert_int_equal(b1->cmd[0], 0x1C);
	assert_int_equal(b2->cmd[0], 0x0C);
	script_init(&s);
	script_add(&s, b1->cmd, b1->cmd_len, b1->resp, b1->resp_len, 0x9000);
	script_add(&s, b2->cmd, b2->cmd_len, b2->resp, b2->resp_len, 0x9000);
	smv_start(&sm, b1->ssc);
	carta_rapdu_init(&r);
	assert_int_equal(carta_sm_transmit(&sm, &s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(s.pos, 2);
	assert_int_equal(r.sw, 0x9000);
	carta_rapdu_free(&r);
	carta_sm_end(&sm);
	script_free(&s);
}

/* 61xx: plain GET RESPONSE 00 C0 00 00 xx; 6100: 0C C0 00 00 00 (docs/reference/cie.md 3.5) */
static void getresp_case(uint16_t first_sw, const uint8_t *getresp)
{
	const struct smv *v = &smv_steps[5];
	struct carta_apdu a = smv_plain(v);
	struct carta_rapdu r;
	struct script s;
	struct carta_sm sm;
	size_t cut = 100;

	script_init(&s);
	script_add(&s, v->cmd, v->cmd_len, v->resp, cut, first_sw);
	script_add(&s, getresp, 5, v->resp + cut, v->resp_len - cut, 0x9000);
	smv_start(&sm, v->ssc);
	carta_rapdu_init(&r);
	assert_int_equal(carta_sm_transmit(&sm, &s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(s.pos, 2);
	assert_int_equal(r.sw, v->sw);
	assert_int_equal(r.data.len, v->rdata_len);
	assert_memory_equal(r.data.p, v->rdata, v->rdata_len);
	carta_rapdu_free(&r);
	carta_sm_end(&sm);
	script_free(&s);
}

static void test_transmit_getresp(void **state)
{
	const struct smv *v = &smv_steps[5];
	uint8_t gr_xx[5] = { 0x00, 0xC0, 0x00, 0x00, 0 };
	static const uint8_t gr_00[5] = { 0x0C, 0xC0, 0x00, 0x00, 0x00 };

	(void)state;
	gr_xx[4] = (uint8_t)(v->resp_len - 100);
	getresp_case((uint16_t)(0x6100 | gr_xx[4]), gr_xx);
	getresp_case(0x6100, gr_00);
}

/* 63C2 without a body: returned as is, no MAC, SSC counted the command only */
static void test_transmit_plain_sw(void **state)
{
	const struct smv *v = &smv_steps[0];
	struct carta_apdu a = smv_plain(v);
	struct carta_rapdu r;
	struct script s;
	struct carta_sm sm;

	(void)state;
	script_init(&s);
	script_add(&s, v->cmd, v->cmd_len, NULL, 0, 0x63C2);
	smv_start(&sm, v->ssc);
	carta_rapdu_init(&r);
	assert_int_equal(carta_sm_transmit(&sm, &s.t, &a, CARTA_TX_SENSITIVE, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x63C2);
	assert_int_equal(r.data.len, 0);
	assert_int_equal(sm.ssc[7], v->ssc[7] + 1);
	assert_true(sm.active);
	carta_rapdu_free(&r);
	carta_sm_end(&sm);
	script_free(&s);
}

/* A bad MAC, or 9000 without an SM body, ends the session; nothing more is sent. */
static void sm_failure_case(const uint8_t *body, size_t bn)
{
	const struct smv *v = &smv_steps[0];
	struct carta_apdu a = smv_plain(v);
	struct carta_rapdu r;
	struct script s;
	struct carta_sm sm;

	script_init(&s);
	script_add(&s, v->cmd, v->cmd_len, body, bn, 0x9000);
	smv_start(&sm, v->ssc);
	carta_rapdu_init(&r);
	assert_int_equal(carta_sm_transmit(&sm, &s.t, &a, 0, &r), CARTA_E_SM);
	assert_int_equal(r.data.len, 0);
	assert_int_equal(r.sw, 0);
	assert_false(sm.active);
	assert_null(sm.k_enc);
	assert_int_equal(carta_sm_transmit(&sm, &s.t, &a, 0, &r), CARTA_E_SM);
	assert_int_equal(s.pos, 1);
	carta_rapdu_free(&r);
	carta_sm_end(&sm);
	script_free(&s);
}

static void test_transmit_sm_failures(void **state)
{
	const struct smv *v = &smv_steps[0];
	uint8_t bad[64];

	(void)state;
	assert_true(v->resp_len <= sizeof(bad));
	memcpy(bad, v->resp, v->resp_len);
	bad[v->resp_len - 1] ^= 0x80;
	sm_failure_case(bad, v->resp_len);
	sm_failure_case(NULL, 0);
}

/* A small card for chaining: checks each command MAC, decrypts DO87, joins
 * the blocks, answers with DO99 (fail_at: block that answers 6A80). */
struct minicard {
	struct carta_transport t;
	uint8_t ssc[8];
	uint8_t cla[8];
	size_t n_cmd, fail_at;
	struct carta_buf joined;
};

static void ssc_next(uint8_t ssc[8])
{
	int i;

	for (i = 7; i >= 0 && ++ssc[i] == 0; i--)
		;
}

static void card_check_cmd(struct minicard *c, const uint8_t *cmd, size_t n)
{
	struct carta_buf m = { 0 };
	uint8_t mac[8], plain[240];
	size_t off = 5, len, dlen = 0;

	assert_true(n >= 5 + 10 + 1 && cmd[4] == n - 6);
	ssc_next(c->ssc);
	assert_int_equal(carta_buf_append(&m, c->ssc, 8), CARTA_OK);
	assert_int_equal(carta_buf_append(&m, cmd, 4), CARTA_OK);
	assert_int_equal(carta_pad_m2(&m, 8), CARTA_OK);
	assert_int_equal(carta_buf_append(&m, cmd + 5, n - 5 - 11), CARTA_OK);
	assert_int_equal(carta_pad_m2(&m, 8), CARTA_OK);
	assert_int_equal(carta_retail_mac(smv_k_mac, m.p, m.len, mac), CARTA_OK);
	assert_memory_equal(mac, cmd + n - 9, 8);
	carta_buf_free(&m);
	assert_int_equal(cmd[off++], 0x87);
	len = cmd[off++];
	if (len == 0x81)
		len = cmd[off++];
	assert_int_equal(cmd[off++], 0x01);
	len--;
	assert_true(len <= sizeof(plain));
	assert_int_equal(carta_3des_cbc(false, smv_k_enc, cmd + off, len, plain), CARTA_OK);
	assert_int_equal(carta_unpad_m2(plain, len, &dlen), CARTA_OK);
	assert_int_equal(carta_buf_append(&c->joined, plain, dlen), CARTA_OK);
}

static enum carta_err card_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                    struct carta_buf *resp)
{
	struct minicard *c = (struct minicard *)(void *)t;
	bool fail = c->n_cmd == c->fail_at;
	struct carta_buf body;

	assert_true(c->n_cmd < 8);
	c->cla[c->n_cmd++] = cmd[0];
	card_check_cmd(c, cmd, n);
	ssc_next(c->ssc);
	body = make_resp(c->ssc, fail ? "99026A80" : "99029000", true);
	carta_buf_clear(resp);
	assert_int_equal(carta_buf_append(resp, body.p, body.len), CARTA_OK);
	assert_int_equal(carta_buf_append(resp, (const uint8_t *)"\x90\x00", 2), CARTA_OK);
	carta_buf_free(&body);
	return CARTA_OK;
}

static const struct carta_transport_ops card_ops = { .transmit = card_transmit };

static void chain_case(size_t fail_at, size_t want_cmds, uint16_t want_sw)
{
	uint8_t data[500];
	struct carta_apdu a = { 0x00, 0xDA, 0x01, 0x02, data, sizeof(data), 0 };
	struct minicard c;
	struct carta_rapdu r;
	struct carta_sm sm;
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + 3);
	memset(&c, 0, sizeof(c));
	c.t.ops = &card_ops;
	c.fail_at = fail_at;
	memcpy(c.ssc, ssc0, 8);
	smv_start(&sm, ssc0);
	carta_rapdu_init(&r);
	assert_int_equal(carta_sm_transmit(&sm, &c.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, want_sw);
	assert_int_equal(c.n_cmd, want_cmds);
	/* both sides counted the same number of steps */
	assert_memory_equal(sm.ssc, c.ssc, 8);
	for (i = 0; i + 1 < c.n_cmd; i++)
		assert_int_equal(c.cla[i], 0x1C);
	if (want_cmds == 3) {
		assert_int_equal(c.cla[2], 0x0C);
		assert_int_equal(c.joined.len, sizeof(data));
		assert_memory_equal(c.joined.p, data, sizeof(data));
	}
	carta_rapdu_free(&r);
	carta_buf_free(&c.joined);
	carta_sm_end(&sm);
}

static void test_transmit_chain_500(void **state)
{
	(void)state;
	/* 500 = 231 + 231 + 38: three SM APDUs */
	chain_case(99, 3, 0x9000);
	/* an intermediate block answered 6A80 ends the chain with that SW */
	chain_case(0, 1, 0x6A80);
}

#define SM_TRANSMIT_TESTS \
	cmocka_unit_test(test_transmit_simple), \
	cmocka_unit_test(test_transmit_chain_vectors), \
	cmocka_unit_test(test_transmit_getresp), \
	cmocka_unit_test(test_transmit_plain_sw), \
	cmocka_unit_test(test_transmit_sm_failures), \
	cmocka_unit_test(test_transmit_chain_500),

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icao_kdf),
		cmocka_unit_test(test_icao_d4),
		cmocka_unit_test(test_cie_kdf),
		cmocka_unit_test(test_cie_vectors),
		cmocka_unit_test(test_unwrap_good_then_bad_mac),
		cmocka_unit_test(test_unwrap_malformed),
		cmocka_unit_test(test_unwrap_missing_mac_and_short),
		cmocka_unit_test(test_wrap_limits),
		SM_TRANSMIT_TESTS
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
