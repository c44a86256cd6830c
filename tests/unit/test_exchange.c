/* SPDX-License-Identifier: BSD-3-Clause */
/* Exchange rules of src/apdu/exchange.c against a scripted transport: every
 * wire command must be exactly the one the script expects, in order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "apdu/exchange.h"
#include "apdu/sw.h"
#include "util/hex.h"

struct step {
	struct carta_buf cmd;   /* expected wire command */
	struct carta_buf resp;  /* canned answer (data + SW) */
	enum carta_err err;     /* or a transport error */
};

struct script {
	struct carta_transport t;
	struct step steps[80];
	size_t n, pos;
};

static enum carta_err sc_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                  struct carta_buf *resp)
{
	struct script *s = (struct script *)t;
	struct step *st;

	if (s->pos >= s->n)
		fail_msg("unexpected extra command #%zu", s->pos);
	st = &s->steps[s->pos++];
	assert_int_equal(n, st->cmd.len);
	assert_memory_equal(cmd, st->cmd.p, n);
	carta_buf_clear(resp);
	if (st->err != CARTA_OK)
		return st->err;
	assert_int_equal(carta_buf_append(resp, st->resp.p, st->resp.len), CARTA_OK);
	return CARTA_OK;
}

static const struct carta_transport_ops sc_ops = { .transmit = sc_transmit };

static void sc_init(struct script *s, unsigned flags)
{
	memset(s, 0, sizeof(*s));
	s->t.ops = &sc_ops;
	s->t.flags = flags;
}

static void hex_to(struct carta_buf *b, const char *hex)
{
	assert_int_equal(carta_hex_decode(hex, strlen(hex), b), CARTA_OK);
}

/* Expect command `cmd`, answer `resp` (hex). */
static void expect(struct script *s, const char *cmd, const char *resp)
{
	struct step *st = &s->steps[s->n++];

	assert_true(s->n <= sizeof(s->steps) / sizeof(s->steps[0]));
	hex_to(&st->cmd, cmd);
	hex_to(&st->resp, resp);
}

static void expect_bytes(struct script *s, const struct carta_buf *cmd, const char *resp)
{
	struct step *st = &s->steps[s->n++];

	assert_int_equal(carta_buf_append(&st->cmd, cmd->p, cmd->len), CARTA_OK);
	hex_to(&st->resp, resp);
}

static void expect_err(struct script *s, const struct carta_buf *cmd, enum carta_err e)
{
	struct step *st = &s->steps[s->n++];

	assert_int_equal(carta_buf_append(&st->cmd, cmd->p, cmd->len), CARTA_OK);
	st->err = e;
}

/* All steps consumed, then free. */
static void sc_done(struct script *s)
{
	size_t i;

	assert_int_equal(s->pos, s->n);
	assert_int_equal(s->t.n_apdu, s->n);
	for (i = 0; i < s->n; i++) {
		carta_buf_free(&s->steps[i].cmd);
		carta_buf_free(&s->steps[i].resp);
	}
}

static void test_simple_9000(void **state)
{
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .cla = 0x00, .ins = 0xb0, .le = 4 };

	(void)state;
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	expect(&s, "00B0000004", "01020304 9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.data.len, 4);
	assert_int_equal(s.t.n_sent, 5);
	assert_int_equal(s.t.n_recv, 6);
	sc_done(&s);
	carta_rapdu_free(&r);
}

static void test_getresponse_chain(void **state)
{
	static const uint8_t want[] = { 0xa1, 0xa2, 0xb1, 0xb2, 0xb3, 0xc1, 0xd1, 0xd2 };
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .cla = 0x00, .ins = 0xca, .p1 = 0x01, .le = 256 };

	(void)state;
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	expect(&s, "00CA010000", "A1A2 6103");
	expect(&s, "00C0000003", "B1B2B3 6101");
	expect(&s, "00C0000001", "C1 6100");
	expect(&s, "00C0000000", "D1D2 9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.data.len, sizeof(want));
	assert_memory_equal(r.data.p, want, sizeof(want));
	sc_done(&s);
	carta_rapdu_free(&r);
}

static void test_getresponse_cla(void **state)
{
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .cla = 0x0c, .ins = 0xb0, .le = 256 };

	(void)state;
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	expect(&s, "0CB0000000", "6100");
	expect(&s, "0CC0000000", "AA 9000");
	assert_int_equal(carta_transmit_ex(&s.t, &a, 0, 0x0c, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.data.len, 1);
	sc_done(&s);
	carta_rapdu_free(&r);
}

/* The card announced data (61FF) and refuses the GET RESPONSE (6D00, 6E00):
 * a device fault (CARTA_E_CARD), not "instruction not supported"; the same
 * for a GET RESPONSE the caller sends itself (sm.c). */
static void test_getresponse_refused(void **state)
{
	static const char *const refusals[] = { "6D00", "6E00" };
	struct carta_apdu a = { .cla = 0x00, .ins = 0x2a, .p1 = 0x9e, .p2 = 0x9a, .le = 256 };
	struct carta_apdu gr = { .cla = 0x00, .ins = 0xc0, .le = 0x10 };
	struct script s;
	struct carta_rapdu r;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		sc_init(&s, 0);
		carta_rapdu_init(&r);
		expect(&s, "002A9E9A00", "61FF");
		expect(&s, "00C00000FF", refusals[i]);
		assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_E_CARD);
		assert_int_equal(r.data.len, 0);
		expect(&s, "00C0000010", refusals[i]);
		assert_int_equal(carta_transmit(&s.t, &gr, CARTA_TX_RAW_61, &r), CARTA_E_CARD);
		sc_done(&s);
		carta_rapdu_free(&r);
	}
}

static void test_raw_61(void **state)
{
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0xb0, .le = 256 };

	(void)state;
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	expect(&s, "00B0000000", "AA 6110");
	assert_int_equal(carta_transmit(&s.t, &a, CARTA_TX_RAW_61, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x6110);
	assert_int_equal(r.data.len, 1);
	sc_done(&s);
	carta_rapdu_free(&r);
}

static void test_6c_resend_once(void **state)
{
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0xb0, .le = 256 };

	(void)state;
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	expect(&s, "00B0000000", "6C05");
	expect(&s, "00B0000005", "0102030405 9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.data.len, 5);
	sc_done(&s);

	/* a second 6Cxx is returned as is, not resent again */
	sc_init(&s, 0);
	expect(&s, "00B0000000", "6C05");
	expect(&s, "00B0000005", "6C07");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x6c07);
	assert_int_equal(r.data.len, 0);
	sc_done(&s);

	/* 6C00 means Le = 256 */
	sc_init(&s, 0);
	a.le = 5;
	expect(&s, "00B0000005", "6C00");
	expect(&s, "00B0000000", "9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	sc_done(&s);
	carta_rapdu_free(&r);
}

/* A 300-byte data field: command header + Lc + data built here. */
static void long_cmd(uint8_t cla, const uint8_t *data, size_t off, size_t n, bool ext,
                     struct carta_buf *out)
{
	uint8_t h[] = { cla, 0x2a, 0x80, 0x86 };

	carta_buf_clear(out);
	assert_int_equal(carta_buf_append(out, h, 4), CARTA_OK);
	if (ext) {
		assert_int_equal(carta_buf_append_byte(out, 0), CARTA_OK);
		assert_int_equal(carta_buf_append_byte(out, (uint8_t)(n >> 8)), CARTA_OK);
	}
	assert_int_equal(carta_buf_append_byte(out, (uint8_t)n), CARTA_OK);
	assert_int_equal(carta_buf_append(out, data + off, n), CARTA_OK);
}

static void fill(uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 1);
}

static void test_chaining_300(void **state)
{
	uint8_t data[300];
	struct carta_buf c;
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0x2a, .p1 = 0x80, .p2 = 0x86, .data = data, .lc = 300 };

	(void)state;
	fill(data, sizeof(data));
	carta_buf_init(&c);
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	long_cmd(0x10, data, 0, 255, false, &c);
	expect_bytes(&s, &c, "9000");
	long_cmd(0x00, data, 255, 45, false, &c);
	expect_bytes(&s, &c, "9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	sc_done(&s);

	/* CARTA_TX_NO_CHAIN refuses to split */
	sc_init(&s, 0);
	assert_int_equal(carta_transmit(&s.t, &a, CARTA_TX_NO_CHAIN, &r), CARTA_E_RANGE);
	sc_done(&s);
	carta_buf_free(&c);
	carta_rapdu_free(&r);
}

static void test_extended_300(void **state)
{
	uint8_t data[300];
	struct carta_buf c;
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0x2a, .p1 = 0x80, .p2 = 0x86, .data = data, .lc = 300 };

	(void)state;
	fill(data, sizeof(data));
	carta_buf_init(&c);
	sc_init(&s, CARTA_TF_EXTENDED);
	carta_rapdu_init(&r);
	long_cmd(0x00, data, 0, 300, true, &c);
	expect_bytes(&s, &c, "9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	assert_true(s.t.flags & CARTA_TF_EXTENDED);
	sc_done(&s);
	carta_buf_free(&c);
	carta_rapdu_free(&r);
}

static void test_extended_refused_fallback(void **state)
{
	uint8_t data[300];
	struct carta_buf c;
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0x2a, .p1 = 0x80, .p2 = 0x86, .data = data, .lc = 300 };

	(void)state;
	fill(data, sizeof(data));
	carta_buf_init(&c);
	sc_init(&s, CARTA_TF_EXTENDED);
	carta_rapdu_init(&r);
	long_cmd(0x00, data, 0, 300, true, &c);
	expect_err(&s, &c, CARTA_E_TRANSPORT);
	long_cmd(0x10, data, 0, 255, false, &c);
	expect_bytes(&s, &c, "9000");
	long_cmd(0x00, data, 255, 45, false, &c);
	expect_bytes(&s, &c, "ABCD 9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.data.len, 2);
	assert_false(s.t.flags & CARTA_TF_EXTENDED);
	sc_done(&s);

	/* the flag stays cleared: the next long command chains right away */
	sc_init(&s, s.t.flags);
	long_cmd(0x10, data, 0, 255, false, &c);
	expect_bytes(&s, &c, "9000");
	long_cmd(0x00, data, 255, 45, false, &c);
	expect_bytes(&s, &c, "9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	sc_done(&s);
	carta_buf_free(&c);
	carta_rapdu_free(&r);
}

static void test_chain_error_midway(void **state)
{
	uint8_t data[600];
	struct carta_buf c;
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0x2a, .p1 = 0x80, .p2 = 0x86, .data = data, .lc = 600 };

	(void)state;
	fill(data, sizeof(data));
	carta_buf_init(&c);
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	long_cmd(0x10, data, 0, 255, false, &c);
	expect_bytes(&s, &c, "9000");
	long_cmd(0x10, data, 255, 255, false, &c);
	expect_bytes(&s, &c, "6A80");
	/* the third block (90 bytes) must not be sent: the script has no step */
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x6a80);
	assert_int_equal(carta_sw_to_err(r.sw), CARTA_E_DATA_INVALID);
	sc_done(&s);

	/* and carta_transmit_ok maps it */
	sc_init(&s, 0);
	long_cmd(0x10, data, 0, 255, false, &c);
	expect_bytes(&s, &c, "6882");
	assert_int_equal(carta_transmit_ok(&s.t, &a, 0, &r), CARTA_E_FUNC_NOT_SUPPORTED);
	sc_done(&s);
	carta_buf_free(&c);
	carta_rapdu_free(&r);
}

static void test_getresponse_bound(void **state)
{
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0xb0, .le = 256 };
	unsigned i;

	(void)state;
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	expect(&s, "00B0000000", "AA 6101");
	for (i = 0; i < CARTA_TX_MAX_GETRESP; i++)
		expect(&s, "00C0000001", "AA 6101");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_E_PARSE);
	assert_int_equal(r.data.len, 0);   /* no partial data */
	sc_done(&s);
	carta_rapdu_free(&r);
}

/* A response step of n bytes of 5A followed by sw. */
static void expect_big(struct script *s, const char *cmd, size_t n, uint16_t sw)
{
	struct step *st = &s->steps[s->n++];
	size_t i;

	hex_to(&st->cmd, cmd);
	for (i = 0; i < n; i++)
		assert_int_equal(carta_buf_append_byte(&st->resp, 0x5a), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(&st->resp, (uint8_t)(sw >> 8)), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(&st->resp, (uint8_t)sw), CARTA_OK);
}

static void test_response_bytes_bound(void **state)
{
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0xb0, .le = 65536 };

	(void)state;
	carta_rapdu_init(&r);
	/* exactly CARTA_TX_MAX_RESP bytes in total is fine */
	sc_init(&s, CARTA_TF_EXTENDED);
	expect_big(&s, "00B00000000000", CARTA_TX_MAX_RESP - 256, 0x6100);
	expect_big(&s, "00C0000000", 256, 0x9000);
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.data.len, CARTA_TX_MAX_RESP);
	sc_done(&s);
	/* one byte more is an error, with no partial data */
	sc_init(&s, CARTA_TF_EXTENDED);
	expect_big(&s, "00B00000000000", CARTA_TX_MAX_RESP - 255, 0x6100);
	expect_big(&s, "00C0000000", 256, 0x9000);
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_E_PARSE);
	assert_int_equal(r.data.len, 0);
	assert_int_equal(r.sw, 0);
	sc_done(&s);
	carta_rapdu_free(&r);
}

static void test_le_clamped_without_extended(void **state)
{
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0xb0, .le = 1000 };

	(void)state;
	carta_rapdu_init(&r);
	sc_init(&s, 0);
	expect(&s, "00B0000000", "0102 9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.data.len, 2);
	sc_done(&s);
	sc_init(&s, CARTA_TF_EXTENDED);
	expect(&s, "00B000000003E8", "0102 9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	sc_done(&s);
	carta_rapdu_free(&r);
}

static void test_t0_case4(void **state)
{
	static const uint8_t d[] = { 0x11, 0x22 };
	struct script s;
	struct carta_rapdu r;
	struct carta_apdu a = { .ins = 0x88, .data = d, .lc = 2, .le = 256 };

	(void)state;
	sc_init(&s, CARTA_TF_T0);
	carta_rapdu_init(&r);
	expect(&s, "0088000002 1122", "6104");
	expect(&s, "00C0000004", "01020304 9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x9000);
	assert_int_equal(r.data.len, 4);
	sc_done(&s);

	/* T=1 keeps Le */
	sc_init(&s, 0);
	expect(&s, "0088000002 1122 00", "01020304 9000");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_OK);
	sc_done(&s);
	carta_rapdu_free(&r);
}

static void test_transport_errors(void **state)
{
	struct script s;
	struct carta_rapdu r;
	struct carta_buf c;
	struct carta_apdu a = { .ins = 0xb0, .le = 2 };

	(void)state;
	carta_buf_init(&c);
	hex_to(&c, "00B0000002");
	sc_init(&s, 0);
	carta_rapdu_init(&r);
	expect_err(&s, &c, CARTA_E_CARD_REMOVED);
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_E_CARD_REMOVED);
	sc_done(&s);
	/* a short (non-extended) APDU is never retried on a transport error */
	sc_init(&s, CARTA_TF_EXTENDED);
	expect_err(&s, &c, CARTA_E_TRANSPORT);
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_E_TRANSPORT);
	assert_true(s.t.flags & CARTA_TF_EXTENDED);
	sc_done(&s);
	/* an answer without a SW */
	sc_init(&s, 0);
	expect(&s, "00B0000002", "90");
	assert_int_equal(carta_transmit(&s.t, &a, 0, &r), CARTA_E_PARSE);
	sc_done(&s);
	carta_buf_free(&c);
	carta_rapdu_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_9000),
		cmocka_unit_test(test_getresponse_chain),
		cmocka_unit_test(test_getresponse_cla),
		cmocka_unit_test(test_getresponse_refused),
		cmocka_unit_test(test_raw_61),
		cmocka_unit_test(test_6c_resend_once),
		cmocka_unit_test(test_chaining_300),
		cmocka_unit_test(test_extended_300),
		cmocka_unit_test(test_extended_refused_fallback),
		cmocka_unit_test(test_chain_error_midway),
		cmocka_unit_test(test_getresponse_bound),
		cmocka_unit_test(test_response_bytes_bound),
		cmocka_unit_test(test_le_clamped_without_extended),
		cmocka_unit_test(test_t0_case4),
		cmocka_unit_test(test_transport_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
