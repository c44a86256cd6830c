/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TEST_VCARD_CIE_HOST_H
#define CARTA_TEST_VCARD_CIE_HOST_H

/* A small, independent terminal for the virtual CIE tests, written from
 * docs/reference/cie.md (3.4-3.6, 8) and docs/reference/cie-constants.md: plain
 * transmit with 61xx, DH, SM wrap/unwrap, DAPP. Test code, not the driver.
 * Included by exactly one test program each (static functions). */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cie/cie.h"
#include "crypto/crypto.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/tlv.h"

/* Production constants (docs/reference/cie-constants.md; italia/cie-middleware-linux,
 * BSD-3-Clause, and pagopa/cie-sdk-android/ios, MIT). */
static const char hex_d_ca[] =
	"186B31488C25DCF85D953D3630C0D073BA1C6AA24581AD254F3B6719C5D72CCA"
	"3E5CDC5A1E5316578D75954FF73B237B532C9F8DE4A2C4C911385A23E63E33E4"
	"7EE45E66EFD49B18E02CFF87598C39109E8F86A66BC330249CE3FCAD655DCDBF"
	"98C9C5E479321AF53B517D041061880A647BBE0FF813683470E6C50094CE81D0"
	"64E204E351BD3AE0A7947D8E91C3FD5C0A15233C349A5215A4E66E21C5D33498"
	"E71991EA24473B29F1475F6FD9BE3996E19BD474FAD1B41EA0DCD2FC16C9BFFA"
	"071BFEC1B22415184811C1985FBFE3E7B4F44A4B3C8DFAB4D90CECFC5E608D67"
	"3E6762C62CB798341271149BA688162EC7D0E3468F65A94AB4AD1AB67E37BFC1";
static const char hex_n_ifd[] =
	"BA2837AB4C6BB827577BFF4EB7B1E49CDDE0F16614D1EF24C1B75CF70FB12CD1"
	"8F4D14E2814BA4877EA800E175906076B562BA535973C5D8B378051D8AFC7407"
	"A1D919529E03C106CDA18D699AFB0D8AB4FDDD9DC719159A50DE9468F02AB103"
	"E282A50E716EC23CDA5BFC4A232B09A4B2C70745939549099B4483CBAE62D009"
	"9674DBF6F39B7223A99D88E33F1A0CDEDEEBBDC35517ABE9880AAB240E1EA166"
	"283A274A9AD93B4B1D19F3679F3E8B5FF6A1E0ED736E84D5ABE03C59E7346B42"
	"18755D75366CBF4136F0A26C3DC70A69ABAAF66E13A1B2FAAD052CA6EC9C51E2"
	"AED14D16E090254DC3F64EA2BD8A836BBA99DEFACBA3A613AEEDD93A9615273D";
static const char hex_d_ifd[] =
	"4716C2A38CCC7A07B415EB1A6175F2AAA0E49CEAF1BA75CBA09A684B04D81118"
	"79D3E2CCD8B94D3C5CF6C55753F0ED9587910B3C77258A01460FE84C2EDE5764"
	"EEBE9C37FB95CD69CEAF09F4B1357C276314AB43EC5B3CEFB0403F868F688E2E"
	"C09A4973E987756F8DA7A101A2CA75A54A8C4CCF9A1B6147E4DE56423AF70B20"
	"67179C5EEB646867863478D752C7F412DB277541575AA0619D30BCCC8D87E617"
	"0B33439A2C93F2D97E18C0A82343A6012A5BB1822808F01B5CFD85673AC0964C"
	"5F3CFD2DAF8142359764A9ADB9E3F76DB613461C1BC913DC9AC0AB50D365F77C"
	"B93194C98AA966D89CDD555125A5E59ECF4FA3F0C3FD610CD3D056439338FD81";

static const uint8_t sn_ifd[8] = { 0x20, 0, 0, 0, 0, 0, 0, 0x01 };   /* docs/reference/cie.md 3.6 */

struct host {
	struct vcard_cie *card;
	bool nxp;
	bool gr_0c;                /* use 0C C0 00 00 00 for GET RESPONSE */
	uint8_t g[256], p[256], q[32];
	size_t glen, plen, qlen;
	uint8_t n_ca[256], e_ca[256], chr_ca[12], cha[7];
	size_t e_ca_len;
	uint8_t x[32], puk_ifd[256], puk_icc[256];
	uint8_t kenc[16], kmac[16], ssc[8];
	bool sm;
	bool last_wrapped;         /* the last SM response carried DO8E */
	uint8_t n82[256];
	uint8_t sn_icc[12];
	uint8_t rnd_icc[8];
	unsigned long apdus;
};

static void hx(const char *s, uint8_t *out, size_t n)
{
	struct carta_buf b = { 0 };

	assert_int_equal(carta_hex_decode(s, strlen(s), &b), CARTA_OK);
	assert_int_equal(b.len, n);
	memcpy(out, b.p, n);
	carta_buf_free(&b);
}

static uint16_t sw_of(const struct carta_buf *r)
{
	assert_true(r->len >= 2);
	return (uint16_t)(r->p[r->len - 2] << 8 | r->p[r->len - 1]);
}

/* One raw APDU; rsp = data + SW. */
static uint16_t raw(struct host *h, const uint8_t *a, size_t n, struct carta_buf *rsp)
{
	carta_buf_clear(rsp);
	h->apdus++;
	assert_int_equal(vcard_cie_apdu(h->card, a, n, rsp), CARTA_OK);
	return sw_of(rsp);
}

/* Transmit with the 61xx rule of docs/reference/cie.md 2.2 / 8 A4; body gets the data. */
static uint16_t xfer(struct host *h, const uint8_t *a, size_t n, struct carta_buf *body)
{
	struct carta_buf r = { 0 };
	uint16_t sw = raw(h, a, n, &r);

	carta_buf_clear(body);
	assert_int_equal(carta_buf_append(body, r.p, r.len - 2), CARTA_OK);
	while ((sw & 0xFF00) == 0x6100) {
		uint8_t gr[5] = { 0x00, 0xC0, 0x00, 0x00, (uint8_t)sw };
		if (h->gr_0c)
			gr[0] = 0x0C;
		sw = raw(h, gr, 5, &r);
		assert_int_equal(carta_buf_append(body, r.p, r.len - 2), CARTA_OK);
	}
	carta_buf_free(&r);
	return sw;
}

static uint16_t plain(struct host *h, const char *hexapdu, struct carta_buf *body)
{
	struct carta_buf a = { 0 };
	uint16_t sw;

	assert_int_equal(carta_hex_decode(hexapdu, strlen(hexapdu), &a), CARTA_OK);
	sw = xfer(h, a.p, a.len, body);
	carta_buf_free(&a);
	return sw;
}

static void ssc_inc(uint8_t s[8])
{
	for (size_t i = 8; i-- > 0;)
		if (++s[i] != 0)
			break;
}

static void mac_of(const struct host *h, const uint8_t *m, size_t n, uint8_t out[8])
{
	struct carta_buf b = { 0 };

	assert_int_equal(carta_buf_append(&b, m, n), CARTA_OK);
	assert_int_equal(carta_pad_m2(&b, 8), CARTA_OK);
	assert_int_equal(carta_retail_mac(h->kmac, b.p, b.len, out), CARTA_OK);
	carta_buf_free(&b);
}

/* Build one SM APDU (docs/reference/cie.md 3.5 command protection). */
static void sm_build(struct host *h, uint8_t cla, uint8_t ins, uint8_t p1, uint8_t p2,
                     const uint8_t *d, size_t n, int le, struct carta_buf *apdu)
{
	struct carta_buf m = { 0 }, dos = { 0 }, enc = { 0 };
	uint8_t hdr[4] = { (uint8_t)(cla | 0x0C), ins, p1, p2 }, mac[8];

	ssc_inc(h->ssc);
	if (n > 0) {
		assert_int_equal(carta_buf_append(&enc, d, n), CARTA_OK);
		assert_int_equal(carta_pad_m2(&enc, 8), CARTA_OK);
		assert_int_equal(carta_3des_cbc(true, h->kenc, enc.p, enc.len, enc.p), CARTA_OK);
		assert_int_equal(carta_tlv_put_header(&dos, 0x87, enc.len + 1), CARTA_OK);
		assert_int_equal(carta_buf_append_byte(&dos, 0x01), CARTA_OK);
		assert_int_equal(carta_buf_append(&dos, enc.p, enc.len), CARTA_OK);
	}
	if (le >= 0) {
		uint8_t do97[3] = { 0x97, 0x01, (uint8_t)le };
		assert_int_equal(carta_buf_append(&dos, do97, 3), CARTA_OK);
	}
	assert_int_equal(carta_buf_append(&m, h->ssc, 8), CARTA_OK);
	assert_int_equal(carta_buf_append(&m, hdr, 4), CARTA_OK);
	assert_int_equal(carta_pad_m2(&m, 8), CARTA_OK);
	assert_int_equal(carta_buf_append(&m, dos.p, dos.len), CARTA_OK);
	mac_of(h, m.p, m.len, mac);
	assert_int_equal(carta_tlv_put(&dos, 0x8E, mac, 8), CARTA_OK);
	carta_buf_clear(apdu);
	assert_true(dos.len <= 255);
	assert_int_equal(carta_buf_append(apdu, hdr, 4), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(apdu, (uint8_t)dos.len), CARTA_OK);
	assert_int_equal(carta_buf_append(apdu, dos.p, dos.len), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(apdu, 0x00), CARTA_OK);
	carta_buf_free(&m);
	carta_buf_free(&dos);
	carta_buf_free(&enc);
}

/* Verify and decrypt an SM response body (docs/reference/cie.md 3.5 response verification). */
static uint16_t sm_open(struct host *h, const struct carta_buf *body, struct carta_buf *out)
{
	struct carta_bytes in = carta_buf_view(body);
	struct carta_buf m = { 0 };
	struct carta_tlv t, t87 = { 0 }, t99 = { 0 }, t8e = { 0 };
	uint8_t mac[8];
	size_t dl = 0;

	while (in.len > 0) {
		assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
		if (t.tag == 0x87)
			t87 = t;
		else if (t.tag == 0x99)
			t99 = t;
		else if (t.tag == 0x8E)
			t8e = t;
		else
			fail_msg("unexpected DO %x", t.tag);
		if (t.tag != 0x8E)
			assert_int_equal(carta_buf_append(&m, t.raw.p, t.raw.len), CARTA_OK);
	}
	assert_int_equal(t99.value.len, 2);   /* DO99 always present (8 E3) */
	assert_int_equal(t8e.value.len, 8);
	ssc_inc(h->ssc);
	{
		struct carta_buf all = { 0 };
		assert_int_equal(carta_buf_append(&all, h->ssc, 8), CARTA_OK);
		assert_int_equal(carta_buf_append(&all, m.p, m.len), CARTA_OK);
		mac_of(h, all.p, all.len, mac);
		carta_buf_free(&all);
	}
	assert_memory_equal(mac, t8e.value.p, 8);
	carta_buf_clear(out);
	if (t87.value.len > 0) {
		assert_int_equal(t87.value.p[0], 0x01);
		assert_int_equal(carta_buf_append(out, t87.value.p + 1, t87.value.len - 1), CARTA_OK);
		assert_int_equal(carta_3des_cbc(false, h->kenc, out->p, out->len, out->p), CARTA_OK);
		assert_int_equal(carta_unpad_m2(out->p, out->len, &dl), CARTA_OK);
		out->len = dl;
	}
	carta_buf_free(&m);
	return (uint16_t)(t99.value.p[0] << 8 | t99.value.p[1]);
}

/* One SM command with chaining in 231-byte chunks (docs/reference/cie.md 3.5 step 7); le < 0
 * means no DO97. Returns the SW of DO99, or the plain transport SW. */
static uint16_t sm(struct host *h, uint8_t ins, uint8_t p1, uint8_t p2, const uint8_t *d,
                   size_t n, int le, struct carta_buf *out)
{
	struct carta_buf apdu = { 0 }, body = { 0 };
	size_t off = 0;
	uint16_t sw = 0;

	do {
		size_t chunk = n - off > 231 ? 231 : n - off;
		bool last = off + chunk == n;
		sm_build(h, last ? 0x00 : 0x10, ins, p1, p2, d + off, chunk, last ? le : -1, &apdu);
		sw = xfer(h, apdu.p, apdu.len, &body);
		h->last_wrapped = body.len > 0;
		if (body.len > 0)
			sw = sm_open(h, &body, out);
		else
			carta_buf_clear(out);
		off += chunk;
		if (!last)
			assert_int_equal(sw, 0x9000);
		if (getenv("VCIE_TRACE"))
			fprintf(stderr, "SM %02X %02X %02X -> %04X\n", ins, p1, p2, sw);
	} while (off < n);
	carta_buf_free(&apdu);
	carta_buf_free(&body);
	return sw;
}

/* ---- protocol steps ---- */

static void value_at(const struct carta_buf *b, const uint32_t *path, size_t n, uint8_t *out,
                     size_t cap, size_t *len)
{
	struct carta_tlv t;

	assert_int_equal(carta_tlv_find_path(carta_buf_view(b), path, n, &t), CARTA_OK);
	assert_true(t.value.len <= cap);
	memcpy(out, t.value.p, t.value.len);
	*len = t.value.len;
}

/* Select the IAS application the way each family needs (docs/reference/cie.md 8 B1). */
static void select_ias(struct host *h)
{
	struct carta_buf b = { 0 };

	if (h->nxp)
		assert_int_equal(plain(h, "00A40000", &b), 0x9000);
	else
		assert_int_equal(plain(h, "00A4040C0DA0000000308000000009816001", &b), 0x9000);
	carta_buf_free(&b);
}

static void select_cie(struct host *h)
{
	struct carta_buf b = { 0 };

	assert_int_equal(plain(h, "00A4040C06A00000000039", &b), 0x9000);
	carta_buf_free(&b);
}

/* Plain READ BINARY loop with Le 80 (docs/reference/cie.md 2.2). */
static uint16_t read_plain(struct host *h, const char *fid, struct carta_buf *out)
{
	struct carta_buf b = { 0 };
	char a[32];
	uint16_t sw;

	snprintf(a, sizeof(a), "00A4020402%s", fid);
	sw = plain(h, a, &b);
	carta_buf_clear(out);
	while (sw == 0x9000) {
		uint8_t rb[5] = { 0x00, 0xB0, (uint8_t)(out->len >> 8), (uint8_t)out->len, 0x80 };
		sw = xfer(h, rb, 5, &b);
		if (sw == 0x9000 || sw == 0x6282)
			assert_int_equal(carta_buf_append(out, b.p, b.len), CARTA_OK);
		if (sw == 0x6282 || sw == 0x6B00)
			sw = 0x9000;
		if (sw == 0x9000 && (b.len < 0x80 || b.len == 0))
			break;
	}
	carta_buf_free(&b);
	return sw;
}

/* The same under SM: SELECT then READ BINARY with DO97 01 80. */
static uint16_t read_sm(struct host *h, uint16_t fid, struct carta_buf *out)
{
	struct carta_buf b = { 0 };
	uint8_t f[2] = { (uint8_t)(fid >> 8), (uint8_t)fid };
	uint16_t sw = sm(h, 0xA4, 0x02, 0x04, f, 2, 0, &b);

	carta_buf_clear(out);
	while (sw == 0x9000) {
		sw = sm(h, 0xB0, (uint8_t)(out->len >> 8), (uint8_t)out->len, NULL, 0, 0x80, &b);
		if (sw == 0x9000 || sw == 0x6282)
			assert_int_equal(carta_buf_append(out, b.p, b.len), CARTA_OK);
		if (sw == 0x6282 || sw == 0x6B00) {
			sw = 0x9000;
			break;
		}
	}
	carta_buf_free(&b);
	return sw;
}

/* DH parameters: three GET DATA (all profiles) or the single form (Gemalto). */
static void get_dh_params(struct host *h, bool single)
{
	static const uint32_t path[] = { 0x70, 0xBFA101, 0xA3 };
	struct carta_buf b = { 0 };
	struct carta_tlv t;

	if (single) {
		assert_int_equal(plain(h, "00CB3FFF0A4D087006BFA10102A380", &b), 0x9000);
		assert_int_equal(carta_tlv_find_path(carta_buf_view(&b), path, 3, &t), CARTA_OK);
		struct carta_buf in = { 0 };
		assert_int_equal(carta_buf_set(&in, t.value.p, t.value.len), CARTA_OK);
		uint32_t p97[] = { 0x97 }, p98[] = { 0x98 }, p99[] = { 0x99 };
		value_at(&in, p97, 1, h->g, sizeof(h->g), &h->glen);
		value_at(&in, p98, 1, h->p, sizeof(h->p), &h->plen);
		value_at(&in, p99, 1, h->q, sizeof(h->q), &h->qlen);
		carta_buf_free(&in);
	} else {
		uint32_t pg[] = { 0x70, 0xBFA101, 0xA3, 0x97 }, pp[] = { 0x70, 0xBFA101, 0xA3, 0x98 },
		         pq[] = { 0x70, 0xBFA101, 0xA3, 0x99 };
		assert_int_equal(plain(h, "00CB3FFF0C4D0A7008BFA10104A3029700", &b), 0x9000);
		value_at(&b, pg, 4, h->g, sizeof(h->g), &h->glen);
		assert_int_equal(plain(h, "00CB3FFF0C4D0A7008BFA10104A3029800", &b), 0x9000);
		value_at(&b, pp, 4, h->p, sizeof(h->p), &h->plen);
		assert_int_equal(plain(h, "00CB3FFF0C4D0A7008BFA10104A3029900", &b), 0x9000);
		value_at(&b, pq, 4, h->q, sizeof(h->q), &h->qlen);
	}
	assert_int_equal(h->plen, 256);
	assert_int_equal(h->qlen, 32);
	assert_int_equal(h->glen, 256);
	carta_buf_free(&b);
}

/* Terminal-CA key (docs/reference/cie.md 3.3): n_CA, e_CA, CHR, CHA. */
static void get_ca_key(struct host *h)
{
	uint32_t pn[] = { 0x70, 0xBFA004, 0x7F49, 0x81 }, pe[] = { 0x70, 0xBFA004, 0x7F49, 0x82 },
	         pc[] = { 0x70, 0xBFA004, 0x7F49, 0x5F20 }, pa[] = { 0x70, 0xBFA004, 0x7F49, 0x5F4C };
	struct carta_buf b = { 0 };
	size_t l = 0;

	assert_int_equal(plain(h, "00CB3FFF0B4D097007BFA004037F4980", &b), 0x9000);
	value_at(&b, pn, 4, h->n_ca, sizeof(h->n_ca), &l);
	assert_int_equal(l, 256);
	value_at(&b, pe, 4, h->e_ca, sizeof(h->e_ca), &h->e_ca_len);
	value_at(&b, pc, 4, h->chr_ca, sizeof(h->chr_ca), &l);
	assert_int_equal(l, 12);
	value_at(&b, pa, 4, h->cha, sizeof(h->cha), &l);
	assert_true(l >= 6);
	carta_buf_free(&b);
}

/* DH (docs/reference/cie.md 3.4): x, PuK.IFD, chained MSE SET KAT, PuK.ICC, K, keys, SSC 1. */
static void dh(struct host *h)
{
	static const uint32_t p91[] = { 0xA6, 0x91 };
	struct carta_buf b = { 0 }, kat = { 0 }, a = { 0 };
	uint8_t k[256];
	size_t l = 0;

	do {
		assert_int_equal(carta_random(h->x, 32), CARTA_OK);
	} while (carta_bn_cmp(h->x, 32, h->q, 32) >= 0);
	assert_int_equal(carta_modexp(h->g, 256, h->x, 32, h->p, 256, h->puk_ifd), CARTA_OK);
	assert_int_equal(carta_buf_append(&kat, (const uint8_t[]){ 0x80, 0x01, 0x9B, 0x83, 0x01,
	                                                           0x81, 0x91, 0x82, 0x01, 0x00 }, 10),
	                 CARTA_OK);
	assert_int_equal(carta_buf_append(&kat, h->puk_ifd, 256), CARTA_OK);
	/* plain chaining: 10 22 41 A6 FF <255>, 00 22 41 A6 0B <11> (docs/reference/cie.md 3.4 step 2) */
	assert_int_equal(carta_buf_append(&a, (const uint8_t[]){ 0x10, 0x22, 0x41, 0xA6, 0xFF }, 5), CARTA_OK);
	assert_int_equal(carta_buf_append(&a, kat.p, 255), CARTA_OK);
	assert_int_equal(xfer(h, a.p, a.len, &b), 0x9000);
	carta_buf_clear(&a);
	assert_int_equal(carta_buf_append(&a, (const uint8_t[]){ 0x00, 0x22, 0x41, 0xA6, 0x0B }, 5), CARTA_OK);
	assert_int_equal(carta_buf_append(&a, kat.p + 255, 11), CARTA_OK);
	assert_int_equal(xfer(h, a.p, a.len, &b), 0x9000);
	assert_int_equal(plain(h, "00CB3FFF064D04A6029100", &b), 0x9000);
	value_at(&b, p91, 2, h->puk_icc, sizeof(h->puk_icc), &l);
	assert_int_equal(l, 256);
	assert_int_equal(carta_modexp(h->puk_icc, 256, h->x, 32, h->p, 256, k), CARTA_OK);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA256, k, 256, 1, h->kenc, 16), CARTA_OK);
	assert_int_equal(carta_kdf_counter(CARTA_HASH_SHA256, k, 256, 2, h->kmac, 16), CARTA_OK);
	memset(h->ssc, 0, 8);
	h->ssc[7] = 1;
	h->sm = true;
	carta_buf_free(&b);
	carta_buf_free(&kat);
	carta_buf_free(&a);
}

static void sha256_parts(const struct carta_bytes *parts, size_t n, uint8_t out[32])
{
	struct carta_buf all = { 0 };
	size_t l = 0;

	for (size_t i = 0; i < n; i++)
		assert_int_equal(carta_buf_append(&all, parts[i].p, parts[i].len), CARTA_OK);
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, all.p, all.len, out, 32, &l), CARTA_OK);
	carta_buf_free(&all);
}

/* The IFD CVC signed with the production d_CA (docs/reference/cie.md 3.6 step 1). */
static void make_cvc(const struct host *h, struct carta_buf *pso)
{
	static const uint8_t oid[9] = { 0x2A, 0x81, 0x22, 0xF4, 0x2A, 0x02, 0x04, 0x01, 0x04 };
	uint8_t c[297], m[256], sig[256], n_ifd[256], d_ca[256];
	struct carta_buf in = { 0 };
	size_t l = 0;

	hx(hex_n_ifd, n_ifd, 256);
	hx(hex_d_ca, d_ca, 256);
	c[0] = 0x8A;
	memcpy(c + 1, h->chr_ca + 4, 8);
	memset(c + 9, 0, 4);
	memcpy(c + 13, sn_ifd, 8);
	memcpy(c + 21, h->cha, 6);
	c[27] = 0x01;
	memcpy(c + 28, oid, 9);
	memcpy(c + 37, n_ifd, 256);
	memcpy(c + 293, (const uint8_t[]){ 0x00, 0x01, 0x00, 0x01 }, 4);
	m[0] = 0x6A;
	memcpy(m + 1, c, 222);
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, c, sizeof(c), m + 223, 32, &l), CARTA_OK);
	m[255] = 0xBC;
	assert_int_equal(carta_modexp(m, 256, d_ca, 256, h->n_ca, 256, sig), CARTA_OK);
	assert_int_equal(carta_tlv_put(&in, 0x5F37, sig, 256), CARTA_OK);
	assert_int_equal(carta_tlv_put(&in, 0x5F38, c + 222, 75), CARTA_OK);
	assert_int_equal(carta_tlv_put(&in, 0x42, h->chr_ca + 4, 8), CARTA_OK);
	carta_buf_clear(pso);
	assert_int_equal(carta_tlv_put(pso, 0x7F21, in.p, in.len), CARTA_OK);
	assert_int_equal(pso->len, 354);
	carta_buf_free(&in);
}

/* DAPP steps 2-9 (docs/reference/cie.md 3.6); returns false if the card refused a step. */
static bool dapp(struct host *h)
{
	static const uint8_t dst[] = { 0x80, 0x01, 0x41, 0x83, 0x01, 0x84 };
	static const uint8_t at[] = { 0x84, 0x01, 0x82, 0x80, 0x01, 0x9B };
	uint8_t chr[14] = { 0x83, 0x0C, 0, 0, 0, 0 }, rnd_ifd[8], m[256], sig[256], d_ifd[256],
	        n_ifd[256], e[3] = { 1, 0, 1 }, hh[32];
	struct carta_buf b = { 0 }, ea = { 0 };
	bool ok = false;

	hx(hex_n_ifd, n_ifd, 256);
	hx(hex_d_ifd, d_ifd, 256);
	memcpy(chr + 6, sn_ifd, 8);
	if (sm(h, 0x22, 0x81, 0xB6, dst, sizeof(dst), 0, &b) != 0x9000)
		goto out;
	make_cvc(h, &b);
	assert_int_equal(carta_buf_set(&ea, b.p, b.len), CARTA_OK);
	if (sm(h, 0x2A, 0x00, 0xAE, ea.p, ea.len, -1, &b) != 0x9000)
		goto out;
	if (sm(h, 0x22, 0x81, 0xA4, chr, sizeof(chr), -1, &b) != 0x9000)
		goto out;
	if (sm(h, 0x84, 0x00, 0x00, NULL, 0, 8, &b) != 0x9000 || b.len != 8)
		goto out;
	memcpy(h->rnd_icc, b.p, 8);
	m[0] = 0x6A;
	m[255] = 0xBC;
	assert_int_equal(carta_random(m + 1, 222), CARTA_OK);
	{
		const struct carta_bytes parts[] = {
			{ m + 1, 222 }, { h->puk_ifd, 256 }, { sn_ifd, 8 }, { h->rnd_icc, 8 },
			{ h->puk_icc, 256 }, { h->g, 256 }, { h->p, 256 }, { h->q, 32 },
		};
		sha256_parts(parts, 8, m + 223);
	}
	assert_int_equal(carta_modexp(m, 256, d_ifd, 256, n_ifd, 256, sig), CARTA_OK);
	carta_buf_clear(&ea);
	assert_int_equal(carta_buf_append(&ea, sn_ifd, 8), CARTA_OK);
	assert_int_equal(carta_buf_append(&ea, sig, 256), CARTA_OK);
	if (sm(h, 0x82, 0x00, 0x00, ea.p, ea.len, -1, &b) != 0x9000)
		goto out;
	if (sm(h, 0x22, 0x41, 0xA4, at, sizeof(at), -1, &b) != 0x9000)
		goto out;
	assert_int_equal(carta_random(rnd_ifd, 8), CARTA_OK);
	if (sm(h, 0x88, 0x00, 0x00, rnd_ifd, 8, -1, &b) != 0x9000 || b.len != 264)
		goto out;
	/* the card's proof with key 82 (public part from EF 1004) */
	assert_int_equal(carta_modexp(b.p + 8, 256, e, 3, h->n82, 256, m), CARTA_OK);
	assert_int_equal(m[0], 0x6A);
	assert_int_equal(m[255], 0xBC);
	{
		const struct carta_bytes parts[] = {
			{ m + 1, 222 }, { h->puk_icc, 256 }, { b.p, 8 }, { rnd_ifd, 8 },
			{ h->puk_ifd, 256 }, { h->g, 256 }, { h->p, 256 }, { h->q, 32 },
		};
		sha256_parts(parts, 8, hh);
	}
	assert_memory_equal(hh, m + 223, 32);
	/* SN.ICC in the answer: the last 8 bytes of EF.SN.ICC's value */
	assert_memory_equal(b.p, h->sn_icc + 4, 8);
	memcpy(h->ssc, h->rnd_icc + 4, 4);
	memcpy(h->ssc + 4, rnd_ifd + 4, 4);
	ok = true;
out:
	carta_buf_free(&b);
	carta_buf_free(&ea);
	return ok;
}

/* Everything before VERIFY: selects, public reads, DH, DAPP. */
static void open_session(struct host *h)
{
	struct carta_buf b = { 0 };
	struct carta_tlv t;
	static const uint32_t pn[] = { 0x30, 0x02 };

	vcard_cie_reset(h->card);
	h->sm = false;
	select_ias(h);
	assert_int_equal(read_plain(h, "D003", &b), 0x9000);
	assert_int_equal(b.len, 12);
	memcpy(h->sn_icc, b.p, 12);
	select_cie(h);
	assert_int_equal(read_plain(h, "1004", &b), 0x9000);
	assert_int_equal(carta_tlv_find_path(carta_buf_view(&b), pn, 2, &t), CARTA_OK);
	assert_int_equal(t.value.len, 257);
	memcpy(h->n82, t.value.p + 1, 256);
	get_dh_params(h, !h->nxp);
	get_ca_key(h);
	dh(h);
	assert_true(dapp(h));
	carta_buf_free(&b);
}

static uint16_t verify_pin(struct host *h, uint8_t ref, const char *pin)
{
	struct carta_buf b = { 0 };
	uint16_t sw = sm(h, 0x20, 0x00, ref, (const uint8_t *)pin, strlen(pin), -1, &b);

	carta_buf_free(&b);
	return sw;
}

static struct vcard_cie *new_card(const char *profile, int style)
{
	struct vcard_config cfg;
	struct vcard_cie *c = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	cfg.seed = "carta-test";
	cfg.sm_error_style = style;
	assert_int_equal(vcard_cie_new(&cfg, &c), CARTA_OK);
	assert_non_null(c);
	return c;
}

#endif
