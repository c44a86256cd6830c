/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtual CIE 3.0 against an independent test terminal (test_vcard_cie_host.h)
 * written from docs/reference/cie.md: recognition, files, DH, SM, DAPP with the production
 * d_CA, certificate read, signature, SOD, resets, error styles. */
#include "test_vcard_cie_host.h"

static const uint32_t p_root[] = { 0x30 };

static int setup_nxp(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	h->card = new_card("cie-nxp", 0);
	h->nxp = true;
	*state = h;
	return 0;
}

static int setup_gem(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	h->card = new_card("cie-gemalto", 0);
	*state = h;
	return 0;
}

static int setup_gem_style1(void **state)
{
	struct host *h = calloc(1, sizeof(*h));

	h->card = new_card("cie-gemalto", 1);
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

static void test_atr_and_select(void **state)
{
	static const uint8_t atr_nxp[] = { 0x3B, 0x8E, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0x49, 0x54,
	                                   0x4E, 0x58, 0x50, 0x12, 0x0F, 0xFF, 0x82, 0x90, 0xF0 };
	static const uint8_t atr_gem[] = { 0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xB0, 0x85,
	                                   0x04, 0x00, 0x11, 0x12, 0x0F, 0xFF, 0x82, 0x90, 0x00, 0x8A };
	struct host *h = *state;
	struct carta_buf b = { 0 };
	uint8_t atr[64];
	size_t n = vcard_cie_atr(h->card, atr, sizeof(atr));

	if (h->nxp) {
		assert_int_equal(n, sizeof(atr_nxp));
		assert_memory_equal(atr, atr_nxp, n);
		/* JCOP4: IAS AID unknown, case-1 SELECT works (docs/reference/cie.md 8 B1) */
		assert_int_equal(plain(h, "00A4040C0DA0000000308000000009816001", &b), 0x6A82);
	} else {
		assert_int_equal(n, sizeof(atr_gem));
		assert_memory_equal(atr, atr_gem, n);
		assert_int_equal(plain(h, "00A4040C0DA0000000308000000009816001", &b), 0x9000);
	}
	assert_int_equal(plain(h, "00A40000", &b), 0x9000);
	/* DF_CIE with P2=0C (no data) and P2=04 (FCI) (docs/reference/cie.md 8 B2) */
	assert_int_equal(plain(h, "00A4040C06A00000000039", &b), 0x9000);
	assert_int_equal(b.len, 0);
	assert_int_equal(plain(h, "00A4040406A00000000039", &b), 0x9000);
	assert_true(b.len > 0);
	/* EF with FCP (62 ...) and with P2=0C (docs/reference/cie.md 8 B3) */
	assert_int_equal(plain(h, "00A40204021001", &b), 0x9000);
	assert_int_equal(b.p[0], 0x62);
	assert_int_equal(plain(h, "00A4020C021005", &b), 0x9000);
	assert_int_equal(b.len, 0);
	assert_int_equal(plain(h, "00A4020C021234", &b), 0x6A82);
	/* unknown instruction and class */
	assert_int_equal(plain(h, "00FE0000", &b), 0x6D00);
	assert_int_equal(plain(h, "80A40000", &b), 0x6E00);
	carta_buf_free(&b);
}

static void test_public_files(void **state)
{
	struct host *h = *state;
	struct carta_buf nis = { 0 }, b = { 0 }, sn = { 0 }, k83 = { 0 };
	char hexsn[13];

	select_ias(h);
	assert_int_equal(read_plain(h, "D003", &sn), 0x9000);
	/* 5A 0A <10 BCD>, hex(SN[5..10]) == NIS (docs/reference/cie.md 8 C1) */
	assert_int_equal(sn.len, 12);
	assert_int_equal(sn.p[0], 0x5A);
	assert_int_equal(sn.p[1], 0x0A);
	assert_int_equal(carta_hex_encode(sn.p + 5, 6, hexsn, sizeof(hexsn)), CARTA_OK);
	assert_int_equal(read_plain(h, "D004", &b), 0x9000);
	assert_int_equal(b.p[0], 0x30);
	assert_int_equal(read_plain(h, "2F01", &b), 0x9000);
	assert_true(b.len > 0);
	select_cie(h);
	assert_int_equal(read_plain(h, "1001", &nis), 0x9000);
	assert_int_equal(nis.len, 12);
	for (size_t i = 0; i < 12; i++)
		assert_true(nis.p[i] >= '0' && nis.p[i] <= '9');
	assert_memory_equal(nis.p, hexsn, 12);
	assert_memory_equal(nis.p, vcard_cie_nis(h->card), 12);
	/* D003 also resolves under DF_CIE (docs/reference/cie.md 8 B5) */
	assert_int_equal(read_plain(h, "D003", &b), 0x9000);
	assert_int_equal(b.len, 12);
	/* 1004 / 1005: 30 82 01 0A 02 82 01 01 00 <n> 02 03 01 00 01 (docs/reference/cie.md 8 C3) */
	assert_int_equal(read_plain(h, "1005", &k83), 0x9000);
	assert_int_equal(k83.len, 270);
	assert_memory_equal(k83.p, ((const uint8_t[]){ 0x30, 0x82, 0x01, 0x0A, 0x02, 0x82, 0x01, 0x01, 0x00 }), 9);
	assert_memory_equal(k83.p + 265, ((const uint8_t[]){ 0x02, 0x03, 0x01, 0x00, 0x01 }), 5);
	assert_int_equal(read_plain(h, "1004", &b), 0x9000);
	assert_int_equal(b.len, 270);
	assert_memory_not_equal(b.p, k83.p, 270);
	/* SFI reads without SELECT (docs/reference/cie.md 8 B4): 81 = 1001, 85 = 1005 */
	assert_int_equal(plain(h, "00B081000C", &b), 0x9000);
	assert_memory_equal(b.p, nis.p, 12);
	assert_int_equal(plain(h, "00B0850000", &b), 0x9000);
	assert_int_equal(b.len, 256);
	assert_memory_equal(b.p, k83.p, 256);
	assert_int_equal(plain(h, "00B085F000", &b), 0x6282);
	assert_int_equal(b.len, 30);
	assert_memory_equal(b.p, k83.p + 240, 30);
	/* offset rules: exact Le -> 9000, fewer -> 6282, past the end -> 6B00 */
	assert_int_equal(plain(h, "00A40204021001", &b), 0x9000);
	assert_int_equal(plain(h, "00B000000C", &b), 0x9000);
	assert_int_equal(b.len, 12);
	assert_int_equal(plain(h, "00B0000480", &b), 0x6282);
	assert_int_equal(b.len, 8);
	assert_int_equal(plain(h, "00B0000C80", &b), 0x6B00);
	assert_int_equal(b.len, 0);
	/* 1002 and 1003 are not readable in plain (docs/reference/cie.md 8 G3) */
	assert_int_equal(plain(h, "00A40204021003", &b), 0x9000);
	assert_int_equal(plain(h, "00B0000080", &b), 0x6982);
	assert_int_equal(plain(h, "00A40204021002", &b), 0x9000);
	assert_int_equal(plain(h, "00B0000080", &b), 0x6982);
	carta_buf_free(&nis);
	carta_buf_free(&b);
	carta_buf_free(&sn);
	carta_buf_free(&k83);
}

static void test_dh_forms(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 };
	uint8_t p3[256], g3[256];

	select_ias(h);
	/* PuK.ICC only after MSE SET KAT (docs/reference/cie.md 8 D3) */
	assert_int_equal(plain(h, "00CB3FFF064D04A6029100", &b), 0x6985);
	get_dh_params(h, false);
	memcpy(p3, h->p, 256);
	memcpy(g3, h->g, 256);
	if (h->nxp) {
		assert_int_equal(plain(h, "00CB3FFF0A4D087006BFA10102A380", &b), 0x6A88);
	} else {
		get_dh_params(h, true);
		assert_memory_equal(p3, h->p, 256);
		assert_memory_equal(g3, h->g, 256);
	}
	/* RFC 5114 2.3: p starts 87 A8 E6 1D, q starts 8C F8 36 42 */
	assert_memory_equal(h->p, ((const uint8_t[]){ 0x87, 0xA8, 0xE6, 0x1D }), 4);
	assert_memory_equal(h->q, ((const uint8_t[]){ 0x8C, 0xF8, 0x36, 0x42 }), 4);
	carta_buf_free(&b);
}

/* The terminal-CA trick (docs/reference/cie-constants.md): what d_CA signs, e_CA opens. */
static void test_ca_key_matches_d_ca(void **state)
{
	struct host *h = *state;
	uint8_t d[256], m[256], s[256], back[256];

	select_ias(h);
	get_ca_key(h);
	hx(hex_d_ca, d, 256);
	assert_int_equal(carta_random(m, 256), CARTA_OK);
	m[0] = 0x6A;
	assert_int_equal(carta_modexp(m, 256, d, 256, h->n_ca, 256, s), CARTA_OK);
	assert_int_equal(carta_modexp(s, 256, h->e_ca, h->e_ca_len, h->n_ca, 256, back), CARTA_OK);
	assert_memory_equal(back, m, 256);
	assert_true(h->n_ca[0] >= 0x80);
}

static void test_session_sign_and_cert(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 }, cert = { 0 }, di = { 0 };
	struct carta_bytes want = vcard_cie_holder_cert(h->card);
	struct carta_tlv t;
	uint8_t hash[32], sig[256];
	size_t l = 0;
	static const uint8_t at81[] = { 0x80, 0x01, 0x02, 0x84, 0x01, 0x81 };

	open_session(h);
	/* before VERIFY the certificate stays closed, even under SM */
	assert_int_equal(read_sm(h, 0x1003, &cert), 0x6982);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	assert_int_equal(read_sm(h, 0x1003, &cert), 0x9000);
	/* zero padding after the DER (docs/reference/cie.md 9) */
	assert_true(cert.len >= 2048);
	assert_int_equal(carta_tlv_find(carta_buf_view(&cert), 0x30, &t), CARTA_OK);
	assert_int_equal(t.raw.len, want.len);
	assert_memory_equal(t.raw.p, want.p, want.len);
	for (size_t i = t.raw.len; i < cert.len; i++)
		assert_int_equal(cert.p[i], 0);
	assert_int_equal(read_sm(h, 0x1002, &b), 0x9000);
	assert_true(b.len >= 9);
	/* sign: MSE SET AT 81/02 + INTERNAL AUTHENTICATE, 256 bytes via 61xx (G2) */
	assert_int_equal(sm(h, 0x22, 0x41, 0xA4, at81, sizeof(at81), -1, &b), 0x9000);
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, (const uint8_t *)"hello", 5, hash, 32, &l),
	                 CARTA_OK);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, hash, 32, &di), CARTA_OK);
	for (int round = 0; round < 2; round++) {
		h->gr_0c = round == 1;   /* 00 C0 00 00 xx, then 0C C0 00 00 00 (8 A4) */
		assert_int_equal(sm(h, 0x88, 0x00, 0x00, di.p, di.len, -1, &b), 0x9000);
		assert_int_equal(b.len, 256);
		memcpy(sig, b.p, 256);
		assert_int_equal(carta_rsa_verify_pkcs1(want.p, want.len, true, CARTA_HASH_SHA256, hash,
		                                        32, sig, 256), CARTA_OK);
		sig[10] ^= 1;
		assert_int_not_equal(carta_rsa_verify_pkcs1(want.p, want.len, true, CARTA_HASH_SHA256,
		                                            hash, 32, sig, 256), CARTA_OK);
	}
	/* a full-size input (245 bytes) needs SM chaining (231 + 14) */
	{
		uint8_t big[246];
		memset(big, 0x5A, sizeof(big));
		assert_int_equal(sm(h, 0x88, 0x00, 0x00, big, 245, -1, &b), 0x9000);
		assert_int_equal(b.len, 256);
		assert_int_equal(sm(h, 0x88, 0x00, 0x00, big, 246, -1, &b), 0x6700);
	}
	carta_buf_free(&b);
	carta_buf_free(&cert);
	carta_buf_free(&di);
}

/* SOD (docs/reference/cie.md 8 C4): 77 { ContentInfo signedData, eContentType 2.23.136.1.1.1 }
 * whose LDS hashes match the files. */
static void test_sod_hashes(void **state)
{
	static const uint8_t lds_oid[] = { 0x67, 0x81, 0x08, 0x01, 0x01, 0x01 };
	static const uint32_t p_sd[] = { 0x77, 0x30, 0xA0, 0x30 };
	struct host *h = *state;
	struct carta_buf sod = { 0 }, f[6] = { { 0 } }, lds = { 0 };
	struct carta_tlv sd, t, eci, oid, ec;
	struct carta_bytes in;
	static const char *const fids[] = { "1001", NULL, NULL, "1004", "1005" };
	static const uint8_t dgs[] = { 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0x1B };
	size_t found = 0;

	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	assert_int_equal(read_sm(h, 0x1002, &f[1]), 0x9000);
	f[1].len = 9;
	assert_int_equal(read_sm(h, 0x1003, &f[2]), 0x9000);
	assert_int_equal(carta_tlv_find(carta_buf_view(&f[2]), 0x30, &t), CARTA_OK);
	f[2].len = t.raw.len;
	vcard_cie_reset(h->card);
	select_ias(h);
	assert_int_equal(read_plain(h, "D004", &f[5]), 0x9000);
	select_cie(h);
	for (size_t i = 0; i < 5; i++)
		if (fids[i])
			assert_int_equal(read_plain(h, fids[i], &f[i]), 0x9000);
	assert_int_equal(read_plain(h, "1006", &sod), 0x9000);
	assert_int_equal(sod.p[0], 0x77);
	assert_int_equal(carta_tlv_find_path(carta_buf_view(&sod), p_sd, 4, &sd), CARTA_OK);
	assert_int_equal(carta_tlv_find(sd.value, 0x30, &eci), CARTA_OK);   /* encapContentInfo */
	assert_int_equal(carta_tlv_find(eci.value, 0x06, &oid), CARTA_OK);
	assert_int_equal(oid.value.len, sizeof(lds_oid));
	assert_memory_equal(oid.value.p, lds_oid, sizeof(lds_oid));
	assert_int_equal(carta_tlv_find(eci.value, 0xA0, &t), CARTA_OK);
	assert_int_equal(carta_tlv_find(t.value, 0x04, &ec), CARTA_OK);
	assert_int_equal(carta_buf_set(&lds, ec.value.p, ec.value.len), CARTA_OK);
	assert_int_equal(carta_tlv_find_path(carta_buf_view(&lds), p_root, 1, &t), CARTA_OK);
	in = t.value;
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);   /* version */
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);   /* hash algorithm */
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);   /* hash list */
	in = t.value;
	while (in.len > 0) {
		struct carta_tlv e, dg, hv;
		uint8_t hash[32];
		size_t l = 0, i;
		assert_int_equal(carta_tlv_next(&in, &e), CARTA_OK);
		assert_int_equal(carta_tlv_find(e.value, 0x02, &dg), CARTA_OK);
		assert_int_equal(dg.value.len, 1);   /* 02 01 A1, like real cards (docs/reference/cie.md 9) */
		assert_int_equal(carta_tlv_find(e.value, 0x04, &hv), CARTA_OK);
		for (i = 0; i < 6 && dgs[i] != dg.value.p[0]; i++)
			;
		assert_true(i < 6);
		assert_int_equal(carta_digest(CARTA_HASH_SHA256, f[i].p, i == 0 ? 12 : f[i].len, hash,
		                              32, &l), CARTA_OK);
		assert_int_equal(hv.value.len, 32);
		assert_memory_equal(hash, hv.value.p, 32);
		found++;
	}
	assert_int_equal(found, 6);
	for (size_t i = 0; i < 6; i++)
		carta_buf_free(&f[i]);
	carta_buf_free(&sod);
	carta_buf_free(&lds);
}

/* A wrong MAC: 6988 and the session is gone (docs/reference/cie.md 8 E4). */
static void test_bad_mac_drops_session(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 }, a = { 0 };

	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	sm_build(h, 0x00, 0x84, 0x00, 0x00, NULL, 0, 8, &a);
	a.p[a.len - 2] ^= 0x01;          /* last MAC byte */
	assert_int_equal(xfer(h, a.p, a.len, &b), 0x6988);
	assert_int_equal(b.len, 0);
	/* even a well-formed command is refused now */
	h->ssc[7]--;
	assert_int_equal(sm(h, 0x84, 0x00, 0x00, NULL, 0, 8, &b), 0x6988);
	assert_false(h->last_wrapped);
	/* a new DH and DAPP work, and the PIN must be verified again */
	open_session(h);
	assert_int_equal(read_sm(h, 0x1003, &b), 0x6982);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	assert_int_equal(read_sm(h, 0x1003, &b), 0x9000);
	carta_buf_free(&b);
	carta_buf_free(&a);
}

/* Warm reset clears SM, PIN state and the current DF (docs/reference/cie.md 8). */
static void test_reset_clears_state(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 };

	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	vcard_cie_reset(h->card);
	assert_int_equal(sm(h, 0x84, 0x00, 0x00, NULL, 0, 8, &b), 0x6988);
	/* back in the MF: 1001 is not there without selecting DF_CIE */
	assert_int_equal(plain(h, "00A40204021001", &b), 0x6A82);
	assert_int_equal(plain(h, "00B0000080", &b), 0x6985);
	carta_buf_free(&b);
}

/* DAPP refusals: VERIFY before DAPP, a CVC signed by another key, a bad
 * EXTERNAL AUTHENTICATE signature. */
static void test_dapp_refusals(void **state)
{
	static const uint8_t dst[] = { 0x80, 0x01, 0x41, 0x83, 0x01, 0x84 };
	struct host *h = *state;
	struct carta_buf b = { 0 }, pso = { 0 };

	vcard_cie_reset(h->card);
	select_ias(h);
	assert_int_equal(read_plain(h, "D003", &b), 0x9000);
	memcpy(h->sn_icc, b.p, 12);
	select_cie(h);
	assert_int_equal(read_plain(h, "1004", &b), 0x9000);
	memcpy(h->n82, b.p + 9, 256);
	get_dh_params(h, false);
	get_ca_key(h);
	dh(h);
	/* PIN commands need DAPP first */
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x6982);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 3);
	/* EXTERNAL AUTHENTICATE without a certificate / challenge */
	{
		uint8_t z[264] = { 0 };
		assert_int_equal(sm(h, 0x82, 0x00, 0x00, z, sizeof(z), -1, &b), 0x6985);
	}
	/* a CVC whose signature is broken */
	assert_int_equal(sm(h, 0x22, 0x81, 0xB6, dst, sizeof(dst), 0, &b), 0x9000);
	make_cvc(h, &pso);
	pso.p[20] ^= 0x40;
	assert_int_equal(sm(h, 0x2A, 0x00, 0xAE, pso.p, pso.len, -1, &b), 0x6A80);
	/* the whole DAPP then works in a new session */
	dh(h);
	assert_true(dapp(h));
	assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
	carta_buf_free(&b);
	carta_buf_free(&pso);
}

/* Error styles (docs/reference/cie.md 8 E4): plain SW, or SM-wrapped with the same SW. */
static void test_error_style(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 };

	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "00000000"), 0x63C2);
	assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 2);
	/* which style is this card? */
	{
		/* style 0 does not count the SSC for an unwrapped answer, style 1
		 * does: the host follows what it received and stays in sync */
		bool style1 = h->last_wrapped;
		assert_int_equal(verify_pin(h, 0x81, "1234"), 0x6700);
		assert_int_equal(h->last_wrapped, style1);
		assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 2);
		/* the session continues in both styles */
		assert_int_equal(verify_pin(h, 0x81, "12345678"), 0x9000);
		assert_true(h->last_wrapped);
		assert_int_equal(vcard_cie_pin_tries_left(h->card, false), 3);
		assert_int_equal(read_sm(h, 0x1002, &b), 0x9000);
		/* 6B00 and 6282 bodies are always wrapped (docs/reference/cie.md 8 E4) */
		assert_int_equal(sm(h, 0xB0, 0x00, 0x40, NULL, 0, 0x80, &b), 0x6B00);
		assert_true(h->last_wrapped);
		assert_int_equal(sm(h, 0xB0, 0x00, 0x04, NULL, 0, 0x80, &b), 0x6282);
		assert_true(h->last_wrapped);
		assert_int_equal(b.len, 5);
	}
	carta_buf_free(&b);
}

static void test_error_style_0_plain(void **state)
{
	struct host *h = *state;

	test_error_style(state);
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "00000000"), 0x63C2);
	assert_false(h->last_wrapped);
}

static void test_error_style_1_wrapped(void **state)
{
	struct host *h = *state;

	test_error_style(state);
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, "00000000"), 0x63C2);
	assert_true(h->last_wrapped);
}

/* Key 83 before SM (docs/reference/cie.md 8 H): deterministic PKCS#1 v1.5 over the data,
 * verifiable with EF 1005. */
static void test_key83_plain(void **state)
{
	struct host *h = *state;
	struct carta_buf b = { 0 }, k83 = { 0 }, s1 = { 0 };
	uint8_t m[256], e[3] = { 1, 0, 1 };
	char apdu[64];
	char nis[13];

	select_ias(h);
	select_cie(h);
	assert_int_equal(read_plain(h, "1005", &k83), 0x9000);
	memcpy(nis, vcard_cie_nis(h->card), 13);
	assert_int_equal(plain(h, "002241A4068001028401 83", &b), 0x9000);
	snprintf(apdu, sizeof(apdu), "008800000C");
	for (size_t i = 0; i < 12; i++)
		snprintf(apdu + strlen(apdu), sizeof(apdu) - strlen(apdu), "%02X", (unsigned)nis[i]);
	assert_int_equal(plain(h, apdu, &s1), 0x9000);
	assert_int_equal(s1.len, 256);
	assert_int_equal(plain(h, apdu, &b), 0x9000);
	assert_memory_equal(b.p, s1.p, 256);
	assert_int_equal(carta_modexp(s1.p, 256, e, 3, k83.p + 9, 256, m), CARTA_OK);
	assert_int_equal(m[0], 0x00);
	assert_int_equal(m[1], 0x01);
	assert_int_equal(m[256 - 13], 0x00);
	assert_memory_equal(m + 256 - 12, nis, 12);
	/* with Le (00 88 00 00 Lc data 00) too */
	assert_int_equal(plain(h, "0088000008010203040506070800", &b), 0x9000);
	assert_int_equal(b.len, 256);
	/* key 81 is not usable in plain */
	assert_int_equal(plain(h, "002241A4068001028401 81", &b), 0x9000);
	assert_int_equal(plain(h, "00880000080102030405060708", &b), 0x6982);
	carta_buf_free(&b);
	carta_buf_free(&k83);
	carta_buf_free(&s1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_atr_and_select, setup_nxp, teardown),
		cmocka_unit_test_setup_teardown(test_atr_and_select, setup_gem, teardown),
		cmocka_unit_test_setup_teardown(test_public_files, setup_nxp, teardown),
		cmocka_unit_test_setup_teardown(test_public_files, setup_gem, teardown),
		cmocka_unit_test_setup_teardown(test_dh_forms, setup_nxp, teardown),
		cmocka_unit_test_setup_teardown(test_dh_forms, setup_gem, teardown),
		cmocka_unit_test_setup_teardown(test_ca_key_matches_d_ca, setup_gem, teardown),
		cmocka_unit_test_setup_teardown(test_session_sign_and_cert, setup_nxp, teardown),
		cmocka_unit_test_setup_teardown(test_session_sign_and_cert, setup_gem, teardown),
		cmocka_unit_test_setup_teardown(test_sod_hashes, setup_gem, teardown),
		cmocka_unit_test_setup_teardown(test_bad_mac_drops_session, setup_nxp, teardown),
		cmocka_unit_test_setup_teardown(test_reset_clears_state, setup_gem, teardown),
		cmocka_unit_test_setup_teardown(test_dapp_refusals, setup_nxp, teardown),
		cmocka_unit_test_setup_teardown(test_error_style_0_plain, setup_gem, teardown),
		cmocka_unit_test_setup_teardown(test_error_style_1_wrapped, setup_gem_style1, teardown),
		cmocka_unit_test_setup_teardown(test_key83_plain, setup_nxp, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
