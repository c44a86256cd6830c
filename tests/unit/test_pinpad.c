/* SPDX-License-Identifier: BSD-3-Clause */
/* PC/SC part 10 PIN pad structures: the bytes src/cards/pinpad.c builds for
 * the CNS (PIN_VERIFY_STRUCTURE 2.5.2, PIN_MODIFY_STRUCTURE 2.5.3, fields
 * as in pcsc-lite reader.h, little-endian), the emulated pad of the
 * in-process reader reading them back, and the pad's status words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "inproc.h"
#include "apdu/sw.h"
#include "cards/pinpad.h"

static const struct carta_pin cns_pin = { .label = "PIN", .kind = CARTA_PIN_USER, .min_len = 5,
                                          .max_len = 8, .max_tries = 3, .unblocked_by = 1,
                                          .digits_only = true, .pinpad_ok = true };
static const struct carta_pin cns_puk = { .label = "PUK", .kind = CARTA_PIN_PUK, .min_len = 8,
                                          .max_len = 8, .max_tries = 3, .unblocked_by = -1,
                                          .digits_only = true, .pinpad_ok = true };

/* VERIFY PIN ref 10 (docs/reference/cns.md 1.6): 00 20 00 10 08 FF*8 as the template. */
static const uint8_t verify_10[] = {
	0x1e,             /* bTimerOut: 30 s */
	0x1e,             /* bTimerOut2 */
	0x82,             /* bmFormatString: bytes, position 0, left, ASCII */
	0x08,             /* bmPINBlockString: no length field, block 8 bytes */
	0x00,             /* bmPINLengthFormat */
	0x08, 0x05,       /* wPINMaxExtraDigit 0x0508 LE: max 8, min 5 */
	0x02,             /* bEntryValidationCondition: validation key */
	0x01,             /* bNumberMessage */
	0x09, 0x04,       /* wLangId 0x0409 LE */
	0x00,             /* bMsgIndex */
	0x00, 0x00, 0x00, /* bTeoPrologue */
	0x0d, 0x00, 0x00, 0x00, /* ulDataLength 13 LE */
	0x00, 0x20, 0x00, 0x10, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

/* CHANGE REFERENCE DATA ref 90 (ST Incard, docs/reference/cns.md 1.6): 00 24 00 90 10 FF*16. */
static const uint8_t modify_90[] = {
	0x1e, 0x1e,       /* bTimerOut, bTimerOut2 */
	0x82,             /* bmFormatString */
	0x08,             /* bmPINBlockString */
	0x00,             /* bmPINLengthFormat */
	0x00,             /* bInsertionOffsetOld */
	0x08,             /* bInsertionOffsetNew */
	0x08, 0x05,       /* wPINMaxExtraDigit: max 8, min 5 */
	0x03,             /* bConfirmPIN: current PIN inserted + new PIN confirmed */
	0x02,             /* bEntryValidationCondition */
	0x03,             /* bNumberMessage */
	0x09, 0x04,       /* wLangId */
	0x00, 0x01, 0x02, /* bMsgIndex1..3 */
	0x00, 0x00, 0x00, /* bTeoPrologue */
	0x15, 0x00, 0x00, 0x00, /* ulDataLength 21 */
	0x00, 0x24, 0x00, 0x90, 0x10,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
};

static size_t build(bool modify, uint8_t ins, uint8_t ref, const struct carta_pin *a,
                    const struct carta_pin *b, uint8_t *out, size_t cap)
{
	struct carta_pinpad_req r;
	size_t len = 0;

	carta_pinpad_iso_req(&r, modify, ins, ref, a, b);
	assert_int_equal(carta_pinpad_build(&r, out, cap, &len), CARTA_OK);
	return len;
}

static void test_verify_bytes(void **state)
{
	uint8_t b[64];
	size_t n;

	(void)state;
	n = build(false, 0x20, 0x10, &cns_pin, NULL, b, sizeof(b));
	assert_int_equal(n, sizeof(verify_10));
	assert_int_equal(n, CARTA_PINPAD_VERIFY_HDR + 13);
	assert_memory_equal(b, verify_10, n);
}

static void test_modify_bytes(void **state)
{
	uint8_t b[64];
	size_t n;

	(void)state;
	n = build(true, 0x24, 0x90, &cns_pin, NULL, b, sizeof(b));
	assert_int_equal(n, sizeof(modify_90));
	assert_int_equal(n, CARTA_PINPAD_MODIFY_HDR + 21);
	assert_memory_equal(b, modify_90, n);
	/* unblock: RESET RETRY COUNTER, PUK (8) then the new PIN (5-8) */
	n = build(true, 0x2c, 0x10, &cns_puk, &cns_pin, b, sizeof(b));
	assert_int_equal(b[7], 8);
	assert_int_equal(b[8], 5);
	assert_int_equal(b[CARTA_PINPAD_MODIFY_HDR + 1], 0x2c);
	assert_int_equal(b[CARTA_PINPAD_MODIFY_HDR + 3], 0x10);
}

static void test_build_rejects(void **state)
{
	struct carta_pinpad_req r;
	uint8_t b[64];
	size_t len = 0;

	(void)state;
	carta_pinpad_iso_req(&r, false, 0x20, 0x10, &cns_pin, NULL);
	assert_int_equal(carta_pinpad_build(&r, b, 31, &len), CARTA_E_BUFFER_SMALL);
	r.min_len = 9;
	assert_int_equal(carta_pinpad_build(&r, b, sizeof(b), &len), CARTA_E_ARGS);
	r.min_len = 5;
	r.block = 16;
	assert_int_equal(carta_pinpad_build(&r, b, sizeof(b), &len), CARTA_E_ARGS);
	r.block = 8;
	r.max_len = 9;
	assert_int_equal(carta_pinpad_build(&r, b, sizeof(b), &len), CARTA_E_ARGS);
}

static uint16_t pad(bool modify, const uint8_t *in, size_t n, const char *typed, uint8_t *apdu,
                    size_t *alen)
{
	uint16_t sw = 0xffff;

	assert_int_equal(carta_inproc_pinpad_apdu(modify, in, n, typed, typed == NULL, apdu, 260, alen,
	                                       &sw), CARTA_OK);
	return sw;
}

static void test_pad_reads_verify(void **state)
{
	static const uint8_t want[] = { 0x00, 0x20, 0x00, 0x10, 0x08, '1', '2', '3', '4', '5',
	                                0xff, 0xff, 0xff };
	static const uint8_t want8[] = { 0x00, 0x20, 0x00, 0x10, 0x08, '8', '7', '6', '5', '4',
	                                 '3', '2', '1' };
	uint8_t a[260];
	size_t n = 0;

	(void)state;
	assert_int_equal(pad(false, verify_10, sizeof(verify_10), "12345", a, &n), 0);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(a, want, n);
	assert_int_equal(pad(false, verify_10, sizeof(verify_10), "87654321", a, &n), 0);
	assert_memory_equal(a, want8, sizeof(want8));
	assert_int_equal(pad(false, verify_10, sizeof(verify_10), "1234", a, &n), 0x6403);
	assert_int_equal(n, 0);
	assert_int_equal(pad(false, verify_10, sizeof(verify_10), "123456789", a, &n), 0x6403);
	assert_int_equal(pad(false, verify_10, sizeof(verify_10), NULL, a, &n), 0x6401);
	assert_int_equal(pad(false, verify_10, sizeof(verify_10), "", a, &n), 0x6400);
}

static void test_pad_reads_modify(void **state)
{
	uint8_t want[5 + 16] = { 0x00, 0x24, 0x00, 0x90, 0x10, '1', '2', '3', '4', '5',
	                         0xff, 0xff, 0xff, '8', '7', '6', '5', '4', '3', '2', '1' };
	uint8_t a[260];
	size_t n = 0;

	(void)state;
	assert_int_equal(pad(true, modify_90, sizeof(modify_90), "12345,87654321", a, &n), 0);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(a, want, n);
	assert_int_equal(pad(true, modify_90, sizeof(modify_90), "12345,87654321,87654321", a, &n),
	                 0);
	assert_memory_equal(a, want, n);
	assert_int_equal(pad(true, modify_90, sizeof(modify_90), "12345,87654321,87654322", a, &n),
	                 0x6402);
	assert_int_equal(pad(true, modify_90, sizeof(modify_90), "12345,1234", a, &n), 0x6403);
	assert_int_equal(pad(true, modify_90, sizeof(modify_90), "12345", a, &n), 0x6400);
	assert_int_equal(pad(true, modify_90, sizeof(modify_90), NULL, a, &n), 0x6401);
}

/* Every malformed structure is refused (6B80) and nothing is built. */
static void bad(bool modify, const uint8_t *ref, size_t n, size_t at, uint8_t v)
{
	uint8_t s[64], a[260];
	size_t alen = 7;

	memcpy(s, ref, n);
	s[at] = v;
	assert_int_equal(pad(modify, s, n, "12345,12345", a, &alen), 0x6b80);
	assert_int_equal(alen, 0);
}

static void test_pad_strict(void **state)
{
	uint8_t a[260], s[64];
	size_t n = 0;

	(void)state;
	bad(false, verify_10, sizeof(verify_10), 2, 0x86);   /* right-justified */
	bad(false, verify_10, sizeof(verify_10), 2, 0x81);   /* BCD */
	bad(false, verify_10, sizeof(verify_10), 2, 0xc2);   /* position 8: block overflows Lc */
	bad(false, verify_10, sizeof(verify_10), 3, 0x48);   /* a length field */
	bad(false, verify_10, sizeof(verify_10), 5, 0x04);   /* max < min */
	bad(false, verify_10, sizeof(verify_10), 5, 0x09);   /* max > block */
	bad(false, verify_10, sizeof(verify_10), 7, 0x00);   /* no validation condition */
	bad(false, verify_10, sizeof(verify_10), 13, 0x01);  /* a T=1 prologue */
	bad(false, verify_10, sizeof(verify_10), 15, 0x0c);  /* ulDataLength */
	bad(false, verify_10, sizeof(verify_10), 18, 0x01);  /* ulDataLength, high byte */
	bad(false, verify_10, sizeof(verify_10), 23, 0x07);  /* Lc */
	bad(true, modify_90, sizeof(modify_90), 6, 0x04);    /* blocks overlap */
	bad(true, modify_90, sizeof(modify_90), 6, 0x09);    /* new block past Lc */
	bad(true, modify_90, sizeof(modify_90), 9, 0x04);    /* bConfirmPIN */
	bad(true, modify_90, sizeof(modify_90), 20, 0x16);   /* ulDataLength */
	bad(true, modify_90, sizeof(modify_90), 2, 0x8a);    /* a PIN position as well */
	/* truncated, or a verify read as a modify */
	assert_int_equal(pad(false, verify_10, sizeof(verify_10) - 1, "12345", a, &n), 0x6b80);
	assert_int_equal(pad(false, verify_10, 10, "12345", a, &n), 0x6b80);
	assert_int_equal(pad(true, verify_10, sizeof(verify_10), "12345,12345", a, &n), 0x6b80);
	/* position in bits (bit 7 clear): 0 is fine */
	memcpy(s, verify_10, sizeof(verify_10));
	s[2] = 0x02;
	assert_int_equal(pad(false, s, sizeof(verify_10), "12345", a, &n), 0);
}

static void test_pad_sw(void **state)
{
	(void)state;
	assert_int_equal(carta_sw_pinpad_to_err(0x9000), CARTA_OK);
	assert_int_equal(carta_sw_pinpad_to_err(0x6400), CARTA_E_TIMEOUT);
	assert_int_equal(carta_sw_pinpad_to_err(0x6401), CARTA_E_CANCELLED);
	assert_int_equal(carta_sw_pinpad_to_err(0x6402), CARTA_E_PIN_INCORRECT);
	assert_int_equal(carta_sw_pinpad_to_err(0x6403), CARTA_E_PIN_LEN);
	assert_int_equal(carta_sw_pinpad_to_err(0x6b80), CARTA_E_NOT_SUPPORTED);
	assert_int_equal(carta_sw_pinpad_to_err(0x63c2), CARTA_E_PIN_INCORRECT);
	assert_int_equal(carta_sw_pinpad_to_err(0x6983), CARTA_E_PIN_BLOCKED);
}

/* A card that keeps the last APDU and answers with a set SW. */
struct rec {
	uint8_t last[64];
	size_t n;
	unsigned apdus;
	uint16_t sw;
};

static enum carta_err rec_apdu(void *card, const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	struct rec *r = card;
	uint8_t sw[2] = { (uint8_t)(r->sw >> 8), (uint8_t)(r->sw & 0xff) };

	r->apdus++;
	r->n = n < sizeof(r->last) ? n : sizeof(r->last);
	memcpy(r->last, cmd, r->n);
	return carta_buf_set(resp, sw, 2);
}

static size_t rec_atr(void *card, uint8_t *out, size_t cap)
{
	(void)card;
	if (cap < 2)
		return 0;
	out[0] = 0x3b;
	out[1] = 0x00;
	return 2;
}

static const struct carta_inproc_card_ops rec_ops = { rec_apdu, NULL, rec_atr };

static struct carta_transport *connect0(struct carta_inproc *ip)
{
	struct carta_readers *rs = carta_inproc_readers(ip);
	struct carta_transport *t = NULL;

	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 0", &t), CARTA_OK);
	return t;
}

static void test_run_through_reader(void **state)
{
	static const uint8_t want[] = { 0x00, 0x20, 0x00, 0x10, 0x08, '1', '2', '3', '4', '5',
	                                '6', 0xff, 0xff };
	struct carta_inproc *ip = NULL;
	struct carta_transport *t;
	struct carta_pinpad_req r;
	struct rec card = { .sw = 0x9000 };
	int tries = 9;
	uint16_t sw = 0;

	(void)state;
	assert_int_equal(carta_inproc_new(1, &ip), CARTA_OK);
	assert_int_equal(carta_inproc_insert(ip, 0, &rec_ops, &card), CARTA_OK);
	/* no pad: no flags, no control */
	t = connect0(ip);
	assert_int_equal(t->flags & (CARTA_TF_PINPAD_VERIFY | CARTA_TF_PINPAD_MODIFY), 0);
	assert_false(carta_transport_has_control(t));
	carta_pinpad_iso_req(&r, false, 0x20, 0x10, &cns_pin, NULL);
	assert_int_equal(carta_pinpad_run(t, &r, &tries, &sw), CARTA_E_ARGS);
	carta_transport_close(&t);

	assert_int_equal(carta_inproc_set_pinpad(ip, 0, "12a"), CARTA_E_ARGS);
	assert_int_equal(carta_inproc_set_pinpad(ip, 0, "123456"), CARTA_OK);
	t = connect0(ip);
	assert_int_equal(t->flags & (CARTA_TF_PINPAD_VERIFY | CARTA_TF_PINPAD_MODIFY),
	                 CARTA_TF_PINPAD_VERIFY | CARTA_TF_PINPAD_MODIFY);
	assert_int_equal(t->ioctl_verify, CARTA_INPROC_IOCTL_VERIFY);
	assert_int_equal(t->ioctl_modify, CARTA_INPROC_IOCTL_MODIFY);
	assert_int_equal(carta_pinpad_run(t, &r, &tries, &sw), CARTA_OK);
	assert_int_equal(sw, 0x9000);
	assert_int_equal(card.n, sizeof(want));
	assert_memory_equal(card.last, want, sizeof(want));

	card.sw = 0x63c1;
	assert_int_equal(carta_pinpad_run(t, &r, &tries, &sw), CARTA_E_PIN_INCORRECT);
	assert_int_equal(tries, 1);
	card.sw = 0x6983;
	assert_int_equal(carta_pinpad_run(t, &r, &tries, &sw), CARTA_E_PIN_BLOCKED);
	assert_int_equal(tries, 0);
	/* cancel and timeout never reach the card */
	card.apdus = 0;
	assert_int_equal(carta_inproc_set_pinpad(ip, 0, NULL), CARTA_OK);
	assert_int_equal(carta_pinpad_run(t, &r, &tries, &sw), CARTA_E_CANCELLED);
	assert_int_equal(sw, 0x6401);
	assert_int_equal(carta_inproc_set_pinpad(ip, 0, ""), CARTA_OK);
	assert_int_equal(carta_pinpad_run(t, &r, &tries, &sw), CARTA_E_TIMEOUT);
	assert_int_equal(card.apdus, 0);
	/* an unknown control code */
	{
		struct carta_buf out = { 0 };

		assert_int_equal(carta_transport_control(t, 0x42000001u, verify_10, sizeof(verify_10), &out),
		                 CARTA_E_NOT_SUPPORTED);
		carta_buf_free(&out);
	}
	carta_transport_close(&t);
	carta_inproc_remove(ip, 0);
	carta_inproc_free(ip);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_bytes),
		cmocka_unit_test(test_modify_bytes),
		cmocka_unit_test(test_build_rejects),
		cmocka_unit_test(test_pad_reads_verify),
		cmocka_unit_test(test_pad_reads_modify),
		cmocka_unit_test(test_pad_strict),
		cmocka_unit_test(test_pad_sw),
		cmocka_unit_test(test_run_through_reader),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
