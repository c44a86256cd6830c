/* SPDX-License-Identifier: BSD-3-Clause */
/* Virtual CNS MSE / PSO (docs/reference/cns.md 1.8, 5): raw RSA on a host-padded block,
 * checked against the holder certificate and the public key EF 3F01. */
#include "crypto/crypto.h"
#include "test_vcard_helpers.h"
#include "util/tlv.h"

#define PIN_OK "00 20 00 10 08 31 32 33 34 35 36 37 38"

/* A PKCS#1 v1.5 type-1 block over SHA-256("carta"), k bytes. */
static void block(size_t k, uint8_t *out, uint8_t hash[32])
{
	struct carta_buf di = { 0 };
	size_t hl = 0;

	assert_int_equal(carta_digest(CARTA_HASH_SHA256, (const uint8_t *)"carta", 5, hash, 32, &hl),
	                 CARTA_OK);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, hash, 32, &di), CARTA_OK);
	assert_int_equal(carta_pkcs1_type1_pad(di.p, di.len, k, out), CARTA_OK);
	carta_buf_free(&di);
}

/* PSO with the block: extended or short form; returns SW, result in *res. */
static uint16_t pso(struct vcard *v, bool decipher, bool ext, const uint8_t *b, size_t k,
                    struct carta_buf *res)
{
	uint8_t cmd[600];
	size_t n = 0, lc = k + (decipher ? 1 : 0);

	cmd[n++] = 0x00;
	cmd[n++] = 0x2A;
	cmd[n++] = decipher ? 0x80 : 0x9E;
	cmd[n++] = decipher ? 0x86 : 0x9A;
	if (ext) {
		cmd[n++] = 0;
		cmd[n++] = (uint8_t)(lc >> 8);
		cmd[n++] = (uint8_t)lc;
	} else {
		cmd[n++] = (uint8_t)lc;
	}
	if (decipher)
		cmd[n++] = 0x00;
	memcpy(cmd + n, b, k);
	n += k;
	cmd[n++] = 0;
	if (ext)
		cmd[n++] = 0;
	return txb(v, cmd, n, res);
}

/* Modulus and exponent from EF 3F01 (DER RSAPublicKey). */
static void pubkey(struct vcard *v, struct carta_buf *mod, struct carta_buf *e)
{
	struct carta_buf d = { 0 }, all = { 0 };
	struct carta_tlv seq, t;
	struct carta_bytes in;
	size_t off = 0;
	char cmd[32];

	expect(v, "00 A4 00 0C 02 3F 01", "90 00");
	for (;;) {
		snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X FF", (unsigned)(off >> 8), (unsigned)off & 0xFF);
		if (tx(v, cmd, &d) != 0x9000)
			break;
		carta_buf_append(&all, d.p, d.len);
		off += d.len;
	}
	in = carta_buf_view(&all);
	assert_int_equal(carta_tlv_next(&in, &seq), CARTA_OK);
	in = seq.value;
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	while (t.value.len && t.value.p[0] == 0) {   /* INTEGER sign byte */
		t.value.p++;
		t.value.len--;
	}
	carta_buf_set(mod, t.value.p, t.value.len);
	assert_int_equal(carta_tlv_next(&in, &t), CARTA_OK);
	carta_buf_set(e, t.value.p, t.value.len);
	carta_buf_free(&d);
	carta_buf_free(&all);
}

static void check_sig(struct vcard *v, const struct carta_buf *mod, const struct carta_buf *e,
                      const uint8_t *blk, const uint8_t hash[32], const struct carta_buf *sig)
{
	struct carta_bytes cert = vcard_holder_cert(v);
	uint8_t back[512];

	assert_int_equal(sig->len, mod->len);
	assert_int_equal(carta_rsa_verify_pkcs1(cert.p, cert.len, true, CARTA_HASH_SHA256, hash, 32,
	                                        sig->p, sig->len), CARTA_OK);
	assert_int_equal(carta_rsa_public_raw(mod->p, mod->len, e->p, e->len, sig->p, sig->len, back),
	                 CARTA_OK);
	assert_memory_equal(back, blk, mod->len);   /* raw RSA: no unpadding */
}

static void t_st_sign_paths(void **st)
{
	struct vcard *v = mk("st");
	struct carta_buf mod = { 0 }, e = { 0 }, s1 = { 0 }, s2 = { 0 };
	uint8_t blk[256], hash[32];

	(void)st;
	pubkey(v, &mod, &e);
	assert_int_equal(mod.len, 256);
	block(256, blk, hash);
	expect(v, "00 22 F3 03 00", "90 00");
	expect(v, "00 22 F3 03", "90 00");
	expect(v, "00 22 F1 B8 03 83 01 01", "90 00");
	assert_int_equal(pso(v, true, true, blk, 256, &s1), 0x6982);   /* no PIN */
	expect(v, PIN_OK, "90 00");
	assert_int_equal(pso(v, true, true, blk, 256, &s1), 0x9000);
	check_sig(v, &mod, &e, blk, hash, &s1);
	/* CDS needs its own template (B6). */
	assert_int_equal(pso(v, false, true, blk, 256, &s2), 0x6985);
	expect(v, "00 22 F1 B6 03 83 01 01", "90 00");
	assert_int_equal(pso(v, false, true, blk, 256, &s2), 0x9000);
	assert_memory_equal(s1.p, s2.p, 256);
	/* A bare DigestInfo is rejected (docs/reference/cns.md 5). */
	assert_int_equal(pso(v, false, true, blk + 256 - 51, 51, &s2), 0x6700);
	/* ISO form 41 with tag 84; unknown key; restore clears the SE. */
	expect(v, "00 22 41 B6 03 84 01 01", "90 00");
	expect(v, "00 22 F1 B6 03 83 01 02", "6A 88");
	expect(v, "00 22 F1 B6 03 84 01 01", "6A 80");
	expect(v, "00 22 F1 A4 03 83 01 01", "6A 86");
	expect(v, "00 22 F3 03", "90 00");
	assert_int_equal(pso(v, false, true, blk, 256, &s2), 0x6985);
	/* The reset drops the PIN. */
	expect(v, "00 22 F1 B8 03 83 01 01", "90 00");
	vcard_reset(v);
	expect(v, "00 22 F1 B8 03 83 01 01", "90 00");
	assert_int_equal(pso(v, true, true, blk, 256, &s2), 0x6982);
	expect(v, "00 2A 9E 9B 01 00 00", "6A 86");
	carta_buf_free(&mod);
	carta_buf_free(&e);
	carta_buf_free(&s1);
	carta_buf_free(&s2);
	vcard_free(v);
}

/* RSA-2048 through command chaining (CLA 10), as the vendor middleware does. */
static void t_chained_decipher(void **st)
{
	struct vcard *v = mk("st");
	struct carta_buf mod = { 0 }, e = { 0 }, s = { 0 };
	uint8_t blk[256], hash[32], cmd[300];

	(void)st;
	pubkey(v, &mod, &e);
	block(256, blk, hash);
	expect(v, PIN_OK, "90 00");
	expect(v, "00 22 F1 B8 03 83 01 01", "90 00");
	memcpy(cmd, "\x10\x2A\x80\x86\xFF\x00", 6);
	memcpy(cmd + 6, blk, 254);
	assert_int_equal(txb(v, cmd, 5 + 255, &s), 0x9000);
	assert_int_equal(s.len, 0);
	memcpy(cmd, "\x00\x2A\x80\x86\x02", 5);
	memcpy(cmd + 5, blk + 254, 2);
	cmd[7] = 0x00;
	assert_int_equal(txb(v, cmd, 8, &s), 0x9000);
	check_sig(v, &mod, &e, blk, hash, &s);
	/* A chain interrupted by another command in chained form: 68 83. */
	expect(v, "10 2A 80 86 01 00", "90 00");
	expect(v, "10 B0 00 00 01 00", "68 83");
	carta_buf_free(&mod);
	carta_buf_free(&e);
	carta_buf_free(&s);
	vcard_free(v);
}

/* CNS 1.0: RSA-1024, short APDUs only (docs/reference/cns.md 1.3, 5). */
static void t_classic_short(void **st)
{
	const char *profiles[] = { "classic", "classic-siemens" };

	(void)st;
	for (size_t i = 0; i < 2; i++) {
		struct vcard *v = mk(profiles[i]);
		struct carta_buf mod = { 0 }, e = { 0 }, s = { 0 };
		uint8_t blk[128], hash[32];

		pubkey(v, &mod, &e);
		assert_int_equal(mod.len, 128);
		block(128, blk, hash);
		expect(v, PIN_OK, "90 00");
		expect(v, "00 22 F3 03 00", "90 00");
		expect(v, "00 22 F1 B8 03 83 01 01", "90 00");
		assert_int_equal(pso(v, true, true, blk, 128, &s), 0x6700);   /* extended */
		assert_int_equal(pso(v, true, false, blk, 128, &s), 0x9000);
		check_sig(v, &mod, &e, blk, hash, &s);
		expect(v, "00 B0 00 00 00 00 10", "67 00");
		carta_buf_free(&mod);
		carta_buf_free(&e);
		carta_buf_free(&s);
		vcard_free(v);
	}
}

/* IDEMIA 2021: key 02 in DF 1400/9002 (docs/reference/cns.md 1.5). */
static void t_idemia_key(void **st)
{
	struct vcard *v = mk("idemia");
	struct carta_bytes cert = vcard_holder_cert(v);
	struct carta_buf s = { 0 };
	uint8_t blk[256], hash[32];

	(void)st;
	block(256, blk, hash);
	expect(v, "00 22 F1 B8 03 83 01 02", "6A 88");   /* key not in the MF */
	expect(v, "00 A4 08 0C 04 14 00 90 02", "90 00");
	expect(v, "00 22 F1 B8 03 83 01 01", "6A 88");
	expect(v, "00 22 F3 03 00", "90 00");
	expect(v, "00 22 F1 B8 03 83 01 02", "90 00");
	expect(v, PIN_OK, "90 00");
	assert_int_equal(pso(v, true, true, blk, 256, &s), 0x9000);
	assert_int_equal(carta_rsa_verify_pkcs1(cert.p, cert.len, true, CARTA_HASH_SHA256, hash, 32,
	                                        s.p, s.len), CARTA_OK);
	carta_buf_free(&s);
	vcard_free(v);
}

/* ACe 2025 applet: key 01 with the F1 or 41 forms [?]. */
static void t_actalis_key(void **st)
{
	struct vcard *v = mk("actalis");
	struct carta_bytes cert = vcard_holder_cert(v);
	struct carta_buf s = { 0 };
	uint8_t blk[256], hash[32];

	(void)st;
	block(256, blk, hash);
	expect(v, "00 22 41 B6 03 84 01 01", "6A 88");   /* applet not selected */
	expect(v, "00 A4 04 0C 0C A0 00 00 05 30 00 0B 10 40 01 02 1A", "90 00");
	expect(v, "00 22 41 B6 03 84 01 01", "90 00");
	expect(v, PIN_OK, "90 00");
	assert_int_equal(pso(v, false, true, blk, 256, &s), 0x9000);
	assert_int_equal(carta_rsa_verify_pkcs1(cert.p, cert.len, true, CARTA_HASH_SHA256, hash, 32,
	                                        s.p, s.len), CARTA_OK);
	carta_buf_free(&s);
	vcard_free(v);
}

/* ec_key: PSO CDS takes a hash and returns r||s; DECIPHER is refused. */
static void t_ec_key(void **st)
{
	struct vcard_config cfg;
	struct vcard *v;
	struct carta_buf s = { 0 };
	uint8_t hash[32] = { 1, 2, 3 };

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	cfg.ec_key = true;
	v = mk_cfg(&cfg);
	expect(v, PIN_OK, "90 00");
	expect(v, "00 22 F1 B6 03 83 01 01", "90 00");
	assert_int_equal(pso(v, false, false, hash, 32, &s), 0x9000);
	assert_int_equal(s.len, 64);
	expect(v, "00 22 F1 B8 03 83 01 01", "90 00");
	assert_int_equal(pso(v, true, false, hash, 32, &s), 0x6A81);
	carta_buf_free(&s);
	vcard_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_st_sign_paths),
		cmocka_unit_test(t_chained_decipher),
		cmocka_unit_test(t_classic_short),
		cmocka_unit_test(t_idemia_key),
		cmocka_unit_test(t_actalis_key),
		cmocka_unit_test(t_ec_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
