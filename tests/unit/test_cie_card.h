/* SPDX-License-Identifier: BSD-3-Clause */
/* A scripted CIE 3.0 card for test_cie_flow.c (header-only test code): the
 * card side of the secure messaging, DH and DAPP written from
 * docs/reference/cie.md 3.2-3.6 and 8, independently of src/apdu/sm.c and the
 * driver. Each step names the plain command expected after the SM is
 * removed; handlers check what the driver computed and answer like a card. */
#ifndef TEST_CIE_CARD_H
#define TEST_CIE_CARD_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cards/cie/cie.h"
#include "crypto/crypto.h"
#include "crypto/tools/tools.h"
#include "util/hex.h"
#include "util/tlv.h"

struct tc;
typedef void (*handler_t)(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *resp,
                          uint16_t *sw);

struct step {
	const char *hdr;      /* CLA INS P1 P2 of the plain command, chain bit removed */
	const char *data;     /* expected plain data (hex, "" none); NULL: the handler checks */
	int le;               /* expected Le, -1 none */
	handler_t fn;
	const char *resp;     /* plain answer data (hex) when no handler */
	uint16_t sw;
	size_t chunks[3];     /* expected block sizes of a chained command */
};

struct tc {
	struct carta_transport t;   /* first */
	const struct step *steps;
	size_t n, pos;
	size_t chunk[8], nchunk;
	struct carta_buf acc;
	bool sm, sm_after, ssc_after;
	uint8_t kenc[16], kmac[16], ssc[8], rnd_icc[8], rnd_ifd[8];
	struct carta_buf puk_ifd, puk_icc, y;
	unsigned long wire, resets;
};

/* Shared fixture: a DH group, the chip key 82, a CA modulus. */
static struct carta_tk_key *k82, *kdh;
static struct carta_buf n82, e82, pdh, gdh, nca, dummy;
/* RFC 5114 2.3: 2048-bit MODP group with a 256-bit prime order subgroup
 * (docs/reference/cie.md 3.2 suggests it): the driver checks the group */
static const char *const DH_P =
	"87A8E61DB4B6663CFFBBD19C651959998CEEF608660DD0F25D2CEED4435E3B00"
	"E00DF8F1D61957D4FAF7DF4561B2AA3016C3D91134096FAA3BF4296D830E9A7C"
	"209E0C6497517ABD5A8A9D306BCF67ED91F9E6725B4758C022E0B1EF4275BF7B"
	"6C5BFC11D45F9088B941F54EB1E59BB8BC39A0BF12307F5C4FDB70C581B23F76"
	"B63ACAE1CAA6B7902D52526735488A0EF13C6D9A51BFA4AB3AD8347796524D8E"
	"F6A167B5A41825D967E144E5140564251CCACB83E6B486F6B3CA3F7971506026"
	"C0B857F689962856DED4010ABD0BE621C3A3960A54E710C375F26375D7014103"
	"A4B54330C198AF126116D2276E11715F693877FAD7EF09CADB094AE91E1A1597";
static const char *const DH_G =
	"3FB32C9B73134D0B2E77506660EDBD484CA7B18F21EF205407F4793A1A0BA125"
	"10DBC15077BE463FFF4FED4AAC0BB555BE3A6C1B0C6B47B1BC3773BF7E8C6F62"
	"901228F8C28CBB18A55AE31341000A650196F931C77A57F2DDF463E5E9EC144B"
	"777DE62AAAB8A8628AC376D282D6ED3864E67982428EBC831D14348F6F2F9193"
	"B5045AF2767164E1DFC967C1FB3F2E55A4BD1BFFE83B9C80D052B985D182EA0A"
	"DB2A3B7313D3FE14C8484B1E052588B9B7D2BBD2DF016199ECD06E1557CD0915"
	"B3353BBB64E0EC377FD028370DF92B52C7891428CDC67EB6184B523D1DB246C3"
	"2F63078490F00EF8D647D148D47954515E2327CFEF98C582664B4C0F6CC41659";
static const char *const DH_Q =
	"8CF83642A709A097B447997640129DA299B1A47D1EB3750BA308B0FE64F5FBD3";
static uint8_t qdh[32];
static const uint8_t sn_icc[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
/* written out from docs/reference/cie.md 3.6, not taken from the driver */
static const char *const SN_IFD = "2000000000000001";
static const char *const CVC_OID = "2A8122F42A02040104";
static const uint8_t CAR[8] = { 'I', 'T', 'C', 'A', '0', '0', '0', '1' };
static const uint8_t CA_AID[6] = { 0xe8, 0x28, 0xbd, 0x08, 0x0f, 0xa0 };

static void hexb(const char *s, struct carta_buf *b)
{
	carta_buf_clear(b);
	assert_int_equal(carta_hex_decode(s, strlen(s), b), CARTA_OK);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(carta_tk_rsa_from_seed("cie-flow-82", 2048, &k82), CARTA_OK);
	assert_int_equal(carta_tk_rsa_from_seed("cie-flow-dh", 2048, &kdh), CARTA_OK);
	assert_int_equal(carta_tk_rsa_public(k82, &n82, &e82), CARTA_OK);
	{
		struct carta_buf e = { 0 };

		/* n_CA: any 2048-bit modulus above the 6A.. block; the signature is
		 * checked by recomputing it from the expected block */
		assert_int_equal(carta_tk_rsa_public(kdh, &nca, &e), CARTA_OK);
		hexb(DH_Q, &e);
		assert_int_equal(e.len, sizeof(qdh));
		memcpy(qdh, e.p, sizeof(qdh));
		carta_buf_free(&e);
	}
	hexb(DH_P, &pdh);
	hexb(DH_G, &gdh);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	carta_tk_key_free(k82);
	carta_tk_key_free(kdh);
	carta_buf_free(&n82);
	carta_buf_free(&e82);
	carta_buf_free(&pdh);
	carta_buf_free(&gdh);
	carta_buf_free(&nca);
	carta_buf_free(&dummy);
	return 0;
}

/* ---- card-side secure messaging (docs/reference/cie.md 3.5) ---- */

static void ssc_inc(uint8_t s[8])
{
	for (int i = 7; i >= 0 && ++s[i] == 0; i--)
		;
}

static void mac_of(struct tc *tc, struct carta_buf *in, uint8_t out[8])
{
	assert_int_equal(carta_pad_m2(in, 8), CARTA_OK);
	assert_int_equal(carta_retail_mac(tc->kmac, in->p, in->len, out), CARTA_OK);
}

/* Check the MAC, decrypt DO87, read DO97 (docs/reference/cie.md 3.5, 8.E3). */
static void sm_unwrap(struct tc *tc, const uint8_t *cmd, size_t n, struct carta_buf *plain,
                      int *le)
{
	struct carta_bytes body = { cmd + 5, cmd[4] };
	struct carta_buf m = { 0 };
	struct carta_tlv t;
	uint8_t mac[8];
	bool have_mac = false;

	assert_true(n >= 5 && (size_t)cmd[4] + 6 == n && cmd[n - 1] == 0x00);
	assert_int_equal(cmd[0] & 0x0c, 0x0c);
	ssc_inc(tc->ssc);
	carta_buf_append(&m, tc->ssc, 8);
	carta_buf_append(&m, cmd, 4);
	carta_pad_m2(&m, 8);
	*le = -1;
	carta_buf_clear(plain);
	while (body.len > 0) {
		assert_int_equal(carta_tlv_next(&body, &t), CARTA_OK);
		if (t.tag == 0x8e) {
			assert_int_equal(t.value.len, 8);
			assert_int_equal(body.len, 0);
			mac_of(tc, &m, mac);
			assert_memory_equal(mac, t.value.p, 8);
			have_mac = true;
			break;
		}
		carta_buf_append(&m, t.raw.p, t.raw.len);
		if (t.tag == 0x97) {
			assert_int_equal(t.value.len, 1);
			*le = t.value.p[0] ? t.value.p[0] : 256;
		} else {
			size_t dl;

			assert_int_equal(t.tag, 0x87);
			assert_int_equal(t.value.p[0], 0x01);
			carta_buf_set(plain, t.value.p + 1, t.value.len - 1);
			assert_int_equal(carta_3des_cbc(false, tc->kenc, plain->p, plain->len,
			                                 plain->p), CARTA_OK);
			assert_int_equal(carta_unpad_m2(plain->p, plain->len, &dl), CARTA_OK);
			plain->len = dl;
		}
	}
	assert_true(have_mac);
	carta_buf_free(&m);
}

static void sm_wrap(struct tc *tc, const struct carta_buf *data, uint16_t sw,
                    struct carta_buf *out)
{
	struct carta_buf dos = { 0 }, m = { 0 }, enc = { 0 };
	uint8_t mac[8], do99[4] = { 0x99, 0x02, (uint8_t)(sw >> 8), (uint8_t)sw };

	ssc_inc(tc->ssc);
	if (data->len) {
		carta_buf_append(&enc, data->p, data->len);
		carta_pad_m2(&enc, 8);
		carta_3des_cbc(true, tc->kenc, enc.p, enc.len, enc.p);
		carta_buf_append_byte(&m, 0x01);
		carta_buf_append(&m, enc.p, enc.len);
		carta_tlv_put(&dos, 0x87, m.p, m.len);
	}
	carta_buf_append(&dos, do99, 4);
	carta_buf_clear(&m);
	carta_buf_append(&m, tc->ssc, 8);
	carta_buf_append(&m, dos.p, dos.len);
	mac_of(tc, &m, mac);
	carta_buf_clear(out);
	carta_buf_append(out, dos.p, dos.len);
	carta_tlv_put(out, 0x8e, mac, 8);
	carta_buf_append_byte(out, (uint8_t)(sw >> 8));
	carta_buf_append_byte(out, (uint8_t)sw);
	carta_buf_free(&dos);
	carta_buf_free(&m);
	carta_buf_free(&enc);
}

/* ---- the scripted card ---- */

static void check_step(struct tc *tc, const uint8_t *hdr, const struct carta_buf *d, int le,
                       struct carta_buf *resp, uint16_t *sw)
{
	const struct step *st;
	struct carta_buf want = { 0 };
	char got[16];

	if (tc->pos >= tc->n) {
		carta_hex_encode(hdr, 4, got, sizeof(got));
		fail_msg("unexpected command %s after %zu steps", got, tc->n);
	}
	st = &tc->steps[tc->pos++];
	hexb(st->hdr, &want);
	if (memcmp(want.p, hdr, 4) != 0) {
		carta_hex_encode(hdr, 4, got, sizeof(got));
		fail_msg("step %zu: expected %s, got %s", tc->pos - 1, st->hdr, got);
	}
	if (st->data) {
		hexb(st->data, &want);
		assert_int_equal(d->len, want.len);
		assert_memory_equal(d->p, want.p, want.len);
	}
	assert_int_equal(le, st->le);
	for (size_t i = 0; st->chunks[0] && i < 3; i++)
		assert_int_equal(tc->nchunk > i ? tc->chunk[i] : 0, st->chunks[i]);
	*sw = st->sw ? st->sw : 0x9000;
	carta_buf_clear(resp);
	if (st->fn)
		st->fn(tc, d->p, d->len, resp, sw);
	else if (st->resp)
		hexb(st->resp, resp);
	carta_buf_free(&want);
}

static enum carta_err tc_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                  struct carta_buf *out)
{
	struct tc *tc = (struct tc *)t;
	struct carta_buf plain = { 0 }, resp = { 0 };
	uint8_t hdr[4];
	int le = -1;
	uint16_t sw = 0x9000;

	tc->wire++;
	assert_true(n >= 4);
	memcpy(hdr, cmd, 4);
	hdr[0] &= (uint8_t)~0x1cu;
	if (tc->sm) {
		sm_unwrap(tc, cmd, n, &plain, &le);
	} else if (n == 5) {
		le = cmd[4] ? cmd[4] : 256;
	} else if (n > 5) {
		assert_true(n == 5u + cmd[4] || n == 6u + cmd[4]);
		carta_buf_set(&plain, cmd + 5, cmd[4]);
		if (n == 6u + cmd[4])
			le = cmd[n - 1] ? cmd[n - 1] : 256;
	}
	assert_true(tc->nchunk < 8);
	tc->chunk[tc->nchunk++] = plain.len;
	carta_buf_append(&tc->acc, plain.p, plain.len);
	if (cmd[0] & 0x10) {
		carta_buf_clear(&resp);   /* intermediate block: 9000 */
	} else {
		check_step(tc, hdr, &tc->acc, le, &resp, &sw);
		carta_buf_clear(&tc->acc);
		tc->nchunk = 0;
	}
	if (tc->sm) {
		sm_wrap(tc, &resp, sw, out);
	} else {
		carta_buf_set(out, resp.p, resp.len);
		carta_buf_append_byte(out, (uint8_t)(sw >> 8));
		carta_buf_append_byte(out, (uint8_t)sw);
	}
	if (tc->sm_after) {
		tc->sm = true;
		tc->sm_after = false;
	}
	if (tc->ssc_after) {
		memcpy(tc->ssc, tc->rnd_icc + 4, 4);
		memcpy(tc->ssc + 4, tc->rnd_ifd + 4, 4);
		tc->ssc_after = false;
	}
	carta_buf_free(&plain);
	carta_buf_free(&resp);
	return CARTA_OK;
}

static enum carta_err tc_reset(struct carta_transport *t)
{
	struct tc *tc = (struct tc *)t;

	tc->sm = false;
	tc->resets++;
	return CARTA_OK;
}

static const struct carta_transport_ops tc_ops = { .transmit = tc_transmit, .reset = tc_reset };

static void tc_init(struct tc *tc, const char *atr, const struct step *steps, size_t n)
{
	struct carta_buf a = { 0 };

	memset(tc, 0, sizeof(*tc));
	tc->t.ops = &tc_ops;
	hexb(atr, &a);
	memcpy(tc->t.atr, a.p, a.len);
	tc->t.atr_len = a.len;
	tc->steps = steps;
	tc->n = n;
	carta_buf_free(&a);
}

static void tc_script(struct tc *tc, const struct step *steps, size_t n)
{
	assert_int_equal(tc->pos, tc->n);   /* the previous script ran to its end */
	tc->steps = steps;
	tc->n = n;
	tc->pos = 0;
}

static void tc_free(struct tc *tc)
{
	carta_buf_free(&tc->acc);
	carta_buf_free(&tc->puk_ifd);
	carta_buf_free(&tc->puk_icc);
	carta_buf_free(&tc->y);
}

/* ---- handlers: the card's side of docs/reference/cie.md 3.2-3.6 ---- */

static void dh_value(uint8_t tag, struct carta_buf *resp)
{
	struct carta_buf a = { 0 }, b = { 0 }, c = { 0 };

	if (tag == 0x97)
		carta_tlv_put(&a, 0x97, gdh.p, gdh.len);
	if (tag == 0x98)
		carta_tlv_put(&a, 0x98, pdh.p, pdh.len);
	if (tag == 0x99)
		carta_tlv_put(&a, 0x99, qdh, sizeof(qdh));
	if (tag == 0) {
		carta_tlv_put(&a, 0x97, gdh.p, gdh.len);
		carta_tlv_put(&a, 0x98, pdh.p, pdh.len);
		carta_tlv_put(&a, 0x99, qdh, sizeof(qdh));
	}
	carta_tlv_put(&b, 0xa3, a.p, a.len);
	carta_tlv_put(&c, 0xbfa101, b.p, b.len);
	carta_tlv_put(resp, 0x70, c.p, c.len);
	carta_buf_free(&a);
	carta_buf_free(&b);
	carta_buf_free(&c);
}

static void h_g(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	(void)tc, (void)d, (void)n, (void)sw;
	dh_value(0x97, r);
}

static void h_p(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	(void)tc, (void)d, (void)n, (void)sw;
	dh_value(0x98, r);
}

static void h_q(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	(void)tc, (void)d, (void)n, (void)sw;
	dh_value(0x99, r);
}

static void h_gpq(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	(void)tc, (void)d, (void)n, (void)sw;
	dh_value(0, r);
}

static void h_ca(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	static const uint8_t e[] = { 0x01, 0x00, 0x01 };
	uint8_t chr[12] = { 0, 0, 0, 0 }, cha[7];
	struct carta_buf a = { 0 }, b = { 0 }, c = { 0 };

	(void)tc, (void)d, (void)n, (void)sw;
	memcpy(chr + 4, CAR, 8);
	memcpy(cha, CA_AID, 6);
	cha[6] = 0x01;
	carta_tlv_put(&a, 0x81, nca.p, nca.len);
	carta_tlv_put(&a, 0x82, e, sizeof(e));
	carta_tlv_put(&a, 0x5f20, chr, sizeof(chr));
	carta_tlv_put(&a, 0x5f4c, cha, sizeof(cha));
	carta_tlv_put(&b, 0x7f49, a.p, a.len);
	carta_tlv_put(&c, 0xbfa004, b.p, b.len);
	carta_tlv_put(r, 0x70, c.p, c.len);
	carta_buf_free(&a);
	carta_buf_free(&b);
	carta_buf_free(&c);
}

/* MSE SET KAT: 80 01 9B 83 01 81 91 82 01 00 <PuK.IFD, |p| bytes> */
static void h_kat(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	static const uint8_t head[] = { 0x80, 0x01, 0x9b, 0x83, 0x01, 0x81, 0x91, 0x82, 0x01, 0x00 };

	(void)r, (void)sw;
	assert_int_equal(n, sizeof(head) + 256);
	assert_memory_equal(d, head, sizeof(head));
	carta_buf_set(&tc->puk_ifd, d + sizeof(head), 256);
}

/* GET DATA A6: the card's public value; SM starts after the answer. */
static void h_icc(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	static const uint8_t ssc1[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	uint8_t y[32], k[256], pub[256];
	struct carta_buf a = { 0 };

	(void)d, (void)n, (void)sw;
	carta_random(y, sizeof(y));
	y[0] &= 0x7f;
	carta_modexp(gdh.p, gdh.len, y, sizeof(y), pdh.p, pdh.len, pub);
	carta_modexp(tc->puk_ifd.p, tc->puk_ifd.len, y, sizeof(y), pdh.p, pdh.len, k);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA256, k, 256, 1, tc->kenc, 16), CARTA_OK);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA256, k, 256, 2, tc->kmac, 16), CARTA_OK);
	memcpy(tc->ssc, ssc1, 8);
	carta_buf_set(&tc->puk_icc, pub, sizeof(pub));
	carta_tlv_put(&a, 0x91, pub, sizeof(pub));
	carta_tlv_put(r, 0xa6, a.p, a.len);
	tc->sm_after = true;
	carta_buf_free(&a);
}

/* The IFD CVC as docs/reference/cie.md 3.6 step 1 lays it out: 297 bytes. */
static void expected_cvc(struct carta_buf *c)
{
	struct carta_buf x = { 0 };

	carta_buf_clear(c);
	carta_buf_append_byte(c, 0x8a);
	carta_buf_append(c, CAR, 8);
	hexb("00000000", &x);
	carta_buf_append(c, x.p, x.len);
	hexb(SN_IFD, &x);
	carta_buf_append(c, x.p, x.len);
	carta_buf_append(c, CA_AID, 6);
	carta_buf_append_byte(c, 0x01);
	hexb(CVC_OID, &x);
	carta_buf_append(c, x.p, x.len);
	carta_buf_append(c, carta_cie_n_ifd, 256);
	hexb("00010001", &x);
	carta_buf_append(c, x.p, x.len);
	assert_int_equal(c->len, 297);
	carta_buf_free(&x);
}

static void h_pso(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	struct carta_bytes in = { d, n }, body;
	struct carta_tlv t, sig, rem, car;
	struct carta_buf c = { 0 };
	uint8_t blk[256], want[256];
	size_t hl;

	(void)tc, (void)r, (void)sw;
	assert_int_equal(n, 354);
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	assert_int_equal(t.tag, 0x7f21);
	body = t.value;
	assert_int_equal(carta_tlv_next(&body, &sig), CARTA_OK);
	assert_int_equal(carta_tlv_next(&body, &rem), CARTA_OK);
	assert_int_equal(carta_tlv_next(&body, &car), CARTA_OK);
	assert_int_equal(sig.tag, 0x5f37);
	assert_int_equal(sig.value.len, 256);
	assert_int_equal(rem.tag, 0x5f38);
	assert_int_equal(rem.value.len, 75);
	assert_int_equal(car.tag, 0x42);
	assert_memory_equal(car.value.p, CAR, 8);
	expected_cvc(&c);
	assert_memory_equal(rem.value.p, c.p + 222, 75);
	/* ISO 9796-2 scheme 1: 6A || C[0..222) || SHA-256(C) || BC, with d_CA */
	blk[0] = 0x6a;
	memcpy(blk + 1, c.p, 222);
	carta_digest(CARTA_HASH_SHA256, c.p, c.len, blk + 223, 32, &hl);
	blk[255] = 0xbc;
	carta_modexp(blk, 256, carta_cie_d_ca, 256, nca.p, nca.len, want);
	assert_memory_equal(sig.value.p, want, 256);
	carta_buf_free(&c);
}

static void h_chal(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	(void)d, (void)n, (void)sw;
	carta_random(tc->rnd_icc, 8);
	carta_buf_set(r, tc->rnd_icc, 8);
}

static void dapp_hash(struct tc *tc, const uint8_t *prnd, size_t pn, const struct carta_buf *a,
                      const uint8_t *sn, const uint8_t *rnd, const struct carta_buf *b,
                      uint8_t h[32])
{
	struct carta_buf m = { 0 };
	size_t hl;

	(void)tc;
	carta_buf_append(&m, prnd, pn);
	carta_buf_append(&m, a->p, a->len);
	carta_buf_append(&m, sn, 8);
	carta_buf_append(&m, rnd, 8);
	carta_buf_append(&m, b->p, b->len);
	carta_buf_append(&m, gdh.p, gdh.len);
	carta_buf_append(&m, pdh.p, pdh.len);
	carta_buf_append(&m, qdh, sizeof(qdh));
	carta_digest(CARTA_HASH_SHA256, m.p, m.len, h, 32, &hl);
	carta_buf_free(&m);
}

/* EXTERNAL AUTHENTICATE: SN.IFD || SIG, SIG opened with the IFD public key. */
static void h_ext(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	static const uint8_t e[] = { 0x01, 0x00, 0x01 };
	struct carta_buf sn = { 0 };
	uint8_t m[256], h[32];

	(void)r, (void)sw;
	assert_int_equal(n, 264);
	hexb(SN_IFD, &sn);
	assert_memory_equal(d, sn.p, 8);
	assert_int_equal(carta_rsa_public_raw(carta_cie_n_ifd, 256, e, 3, d + 8, 256, m),
	                 CARTA_OK);
	assert_int_equal(m[0], 0x6a);
	assert_int_equal(m[255], 0xbc);
	dapp_hash(tc, m + 1, 222, &tc->puk_ifd, sn.p, tc->rnd_icc, &tc->puk_icc, h);
	assert_memory_equal(m + 223, h, 32);
	carta_buf_free(&sn);
}

/* INTERNAL AUTHENTICATE with RND.IFD: SN.ICC || SIG.ICC by key 82. */
static void h_int(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	uint8_t blk[256], sig[256];
	size_t sl;

	(void)sw;
	assert_int_equal(n, 8);
	memcpy(tc->rnd_ifd, d, 8);
	blk[0] = 0x6a;
	carta_random(blk + 1, 222);
	dapp_hash(tc, blk + 1, 222, &tc->puk_icc, sn_icc, tc->rnd_ifd, &tc->puk_ifd, blk + 223);
	blk[255] = 0xbc;
	assert_int_equal(carta_tk_rsa_private_raw(k82, blk, 256, sig, sizeof(sig), &sl), CARTA_OK);
	carta_buf_set(r, sn_icc, 8);
	carta_buf_append(r, sig, sl);
	tc->ssc_after = true;
}

static void h_sig(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	uint8_t s[256];

	(void)tc, (void)sw;
	memset(s, 0x5a, sizeof(s));
	memcpy(s, d, n < 256 ? n : 256);
	carta_buf_set(r, s, sizeof(s));
}

/* EF 1004: 30 82 01 0A 02 82 01 01 00 <n> 02 03 01 00 01 (docs/reference/cie.md 8.C3) */
static void kpub(struct carta_buf *out)
{
	struct carta_buf in = { 0 }, n = { 0 };

	carta_buf_append_byte(&n, 0x00);
	carta_buf_append(&n, n82.p, n82.len);
	carta_tlv_put(&in, 0x02, n.p, n.len);
	carta_tlv_put(&in, 0x02, e82.p, e82.len);
	carta_buf_clear(out);
	carta_tlv_put(out, 0x30, in.p, in.len);
	carta_buf_free(&in);
	carta_buf_free(&n);
}

static void h_k1(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	struct carta_buf k = { 0 };

	(void)tc, (void)d, (void)n, (void)sw;
	kpub(&k);
	assert_int_equal(k.len, 270);
	carta_buf_set(r, k.p, 256);
	carta_buf_free(&k);
}

static void h_k2(struct tc *tc, const uint8_t *d, size_t n, struct carta_buf *r, uint16_t *sw)
{
	struct carta_buf k = { 0 };

	(void)tc, (void)d, (void)n, (void)sw;
	kpub(&k);
	carta_buf_set(r, k.p + 256, 14);
	carta_buf_free(&k);
}

#endif
