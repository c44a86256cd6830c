/* SPDX-License-Identifier: BSD-3-Clause */
/* The signature key set against scripted cards (docs/reference/cns.md 1.5,
 * 1.6, 1.8, 2.3): CNS1 in DF_DS probed (present, absent, another error),
 * its PIN 1A/9A and key 10 used from DF 1400/8110 and CNS0's objects found
 * again from the MF, PSO CDS signatures verified with OpenSSL, change and
 * unblock of the signature PIN, Infocamere 1204 (CNS01), and the "DSD" /
 * "B4D" signature-only cards, served or said unsupported. */
#include "test_cards_script.h"

#include "carta/card.h"
#include "cards/card.h"
#include "crypto/crypto.h"
#include "crypto/secret.h"
#include "crypto/tools/tools.h"

#define ATR_ST21 "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 01 11 01 43 4E 53 11 31 80 8D"
#define ATR_ATHENA "3B DF 18 00 81 31 FE 7D 00 6B 02 0C 01 82 01 11 01 43 4E 53 10 31 80 FC"
#define ATR_ST10 "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 03 03 01 01 01 43 4E 53 10 31 80 9D"
#define ATR_IDEMIA "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 20 00 01 21 01 43 4E 53 10 31 80 79"
#define ATR_DSD "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 44 53 44 10 31 80 97"
#define ATR_B4D "3B FF 18 00 00 81 31 FE 45 00 6B 15 0C 03 02 01 01 01 42 34 44 10 31 80 0D"
/* a DSD lot in no table: the grammar alone */
#define ATR_DSD_NEW "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 22 22 01 01 01 44 53 44 10 31 80 00"
#define CARD_ID "7430010024925855"

#define SEL_ID "00A40800041000100300"
#define SEL_PERSONAL "00A40800041100110200"
#define SEL_DS_CERT "00A40800041400901000"
#define SEL_CNS0_CERT "00A40800041100110100"
#define SEL_IDEMIA_CERT "00A408000614009001200200"
#define SEL_DS_DF "00A4080C0414008110"     /* CNS1 PIN and key object, P2=0C */
#define SEL_IDEMIA_DF "00A4080C0414009002"
#define SEL_MF "00A4000C023F00"
#define MSE_RESTORE "0022F30300"

static const char personal_body[] =
	"00005F" "04" "6090" "08" "01012024" "08" "01012030" "05" "ROSSI" "05" "MARIO"
	"08" "01081985" "01" "M" "00" "10" "RSSMRA85M01H501Q" "00" "04" "H501" "00" "00"
	"04" "F205" "00" "00";

static struct {
	struct carta_tk_key *a1024, *a2048, *s1024, *s2048;
	struct carta_buf auth1024, auth2048, ds1024, ds2048;
	uint8_t personal[400];
} g;

static void make_cert(const struct carta_tk_key *k, bool qualified, struct carta_buf *out)
{
	static const struct carta_tk_name_entry auth[] = {
		{ "CN", "RSSMRA85M01H501Q/" CARD_ID ".abc=" }, { "C", "IT" },
	};
	static const struct carta_tk_name_entry qual[] = { { "CN", "ROSSI MARIO" }, { "C", "IT" } };
	struct carta_tk_cert_spec spec = {
		.subject = qualified ? qual : auth, .n_subject = 2, .subject_key = k, .issuer_key = k,
		.serial = qualified ? 8 : 7, .not_before = 1700000000, .not_after = 1900000000,
		.key_usage = qualified ? "critical,nonRepudiation" :
		                         "critical,digitalSignature,keyEncipherment",
		.ext_key_usage = qualified ? NULL : "clientAuth",
		.policy_oid = qualified ? NULL : "1.3.76.16.2.1",
	};

	carta_buf_init(out);
	assert_int_equal(carta_tk_make_cert(&spec, out), CARTA_OK);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(carta_tk_rsa_from_seed("ds-auth-1024", 1024, &g.a1024), CARTA_OK);
	assert_int_equal(carta_tk_rsa_from_seed("ds-auth-2048", 2048, &g.a2048), CARTA_OK);
	assert_int_equal(carta_tk_rsa_from_seed("ds-sign-1024", 1024, &g.s1024), CARTA_OK);
	assert_int_equal(carta_tk_rsa_from_seed("ds-sign-2048", 2048, &g.s2048), CARTA_OK);
	make_cert(g.a1024, false, &g.auth1024);
	make_cert(g.a2048, false, &g.auth2048);
	make_cert(g.s1024, true, &g.ds1024);
	make_cert(g.s2048, true, &g.ds2048);
	memset(g.personal, 0, sizeof(g.personal));
	memcpy(g.personal, personal_body, strlen(personal_body));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	carta_tk_key_free(g.a1024);
	carta_tk_key_free(g.a2048);
	carta_tk_key_free(g.s1024);
	carta_tk_key_free(g.s2048);
	carta_buf_free(&g.auth1024);
	carta_buf_free(&g.auth2048);
	carta_buf_free(&g.ds1024);
	carta_buf_free(&g.ds2048);
	return 0;
}

static void add_fci(struct script *s, const char *select, size_t size)
{
	char fci[64];

	snprintf(fci, sizeof(fci), "6F098002%04zX82030100009000", size);
	script_add(s, select, fci);
}

/* READ BINARY of p[off..end) in 256-byte rounds. */
static void add_reads_from(struct script *s, const uint8_t *p, size_t off, size_t end)
{
	while (off < end) {
		size_t n = end - off < 256 ? end - off : 256;
		uint8_t cmd[5] = { 0x00, 0xb0, (uint8_t)(off >> 8), (uint8_t)off, (uint8_t)n };

		script_add_raw(s, cmd, 5, p + off, n, 0x9000);
		off += n;
	}
}

/* The file `p` of `len` bytes: one extended READ BINARY, or 256-byte rounds. */
static void add_reads(struct script *s, const uint8_t *p, size_t len, bool ext)
{

	if (ext) {
		uint8_t cmd[7] = { 0x00, 0xb0, 0x00, 0x00, 0x00, (uint8_t)(len >> 8), (uint8_t)len };

		script_add_raw(s, cmd, 7, p, len, 0x9000);
		return;
	}
	add_reads_from(s, p, 0, len);
}

static void add_file(struct script *s, const char *sel, const struct carta_buf *f, bool ext)
{
	add_fci(s, sel, f->len);
	add_reads(s, f->p, f->len, ext);
}

static void add_id_personal(struct script *s)
{
	add_fci(s, SEL_ID, 16);
	script_add_raw(s, (const uint8_t *)"\x00\xb0\x00\x00\x10", 5, (const uint8_t *)CARD_ID, 16,
	               0x9000);
	add_fci(s, SEL_PERSONAL, 400);
	script_add_raw(s, (const uint8_t *)"\x00\xb0\x00\x00\x00", 5, g.personal, 256, 0x9000);
}

/* A CNS with CNS1: ID, personal data, the DF_DS certificate, then CNS0's. */
static struct carta_card *open_with_ds(struct script *s, const char *cns0_sel,
                                       const struct carta_buf *auth,
                                       const struct carta_buf *ds, bool ext)
{
	struct carta_card *c = NULL;

	add_id_personal(s);
	add_file(s, SEL_DS_CERT, ds, ext);
	add_file(s, cns0_sel, auth, ext);
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_OK);
	return c;
}

/* The two key sets and the four PINs of a CNS with DF_DS. */
static void check_two_tokens(const struct carta_card *c, const struct carta_buf *ds, size_t bits)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);

	assert_string_equal(d->label, "MARIO ROSSI");
	assert_int_equal(d->n_certs, 2);
	assert_int_equal(d->n_keys, 2);
	assert_int_equal(d->n_pins, 4);
	/* CNS0 as always */
	assert_int_equal(d->keys[0].id[0], 0x01);
	assert_int_equal(d->keys[0].pin, 0);
	assert_false(d->keys[0].always_auth);
	assert_true(d->keys[0].usage & CARTA_KU_DECRYPT);
	assert_int_equal(d->pins[0].role, CARTA_PIN_ROLE_AUTH);
	assert_int_equal(d->pins[0].unblocked_by, 1);
	/* CNS1: key 10, nonRepudiation -> NONREP|SIGN, never DECRYPT */
	assert_string_equal(d->keys[1].label, "CNS1");
	assert_int_equal(d->keys[1].id_len, 1);
	assert_int_equal(d->keys[1].id[0], 0x10);
	assert_int_equal(d->certs[1].id[0], 0x10);
	assert_int_equal(d->keys[1].cert, 1);
	assert_int_equal(d->certs[1].der_len, ds->len);
	assert_memory_equal(d->certs[1].der, ds->p, ds->len);
	assert_int_equal(d->keys[1].usage, CARTA_KU_NONREP | CARTA_KU_SIGN);
	assert_int_equal(d->keys[1].caps, CARTA_KC_RAW_RSA);
	assert_int_equal(d->keys[1].bits, bits);
	assert_true(d->keys[1].always_auth);
	assert_int_equal(d->keys[1].pin, 2);
	assert_int_equal(d->pins[2].kind, CARTA_PIN_USER);
	assert_int_equal(d->pins[2].role, CARTA_PIN_ROLE_SIGN);
	assert_int_equal(d->pins[2].unblocked_by, 3);
	assert_int_equal(d->pins[2].min_len, 5);
	assert_int_equal(d->pins[2].max_len, 8);
	assert_true(d->pins[2].digits_only);
	assert_int_equal(d->pins[3].kind, CARTA_PIN_PUK);
	assert_int_equal(d->pins[3].min_len, 8);
	assert_int_equal(d->pins[3].role, CARTA_PIN_ROLE_SIGN);
}

static void sha256_di(struct carta_buf *di, uint8_t hash[32])
{
	memset(hash, 0x3c, 32);
	carta_buf_init(di);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, hash, 32, di), CARTA_OK);
}

/* MSE SET B6 key 10 and PSO COMPUTE DIGITAL SIGNATURE on the full padded
 * block (docs/reference/cns.md 1.8): mode 0 short, 1 extended, 2 chained. */
static void expect_cds(struct script *s, const struct carta_tk_key *k, const uint8_t *blk,
                       size_t len, int mode, bool with_mse, uint16_t sw)
{
	uint8_t cmd[600], sig[512];
	size_t outlen = 0, rlen = sw == 0x9000 ? len : 0;

	assert_int_equal(carta_tk_rsa_private_raw(k, blk, len, sig, sizeof(sig), &outlen), CARTA_OK);
	if (with_mse) {
		script_add(s, MSE_RESTORE, "9000");
		script_add(s, "0022F1B603830110", "9000");
	}
	if (mode == 0) {
		memcpy(cmd, "\x00\x2a\x9e\x9a", 4);
		cmd[4] = (uint8_t)len;
		memcpy(cmd + 5, blk, len);
		cmd[5 + len] = (uint8_t)len;
		script_add_raw(s, cmd, 6 + len, sig, rlen, sw);
	} else if (mode == 1) {
		memcpy(cmd, "\x00\x2a\x9e\x9a\x00\x01\x00", 7);
		memcpy(cmd + 7, blk, len);
		memcpy(cmd + 7 + len, "\x01\x00", 2);
		script_add_raw(s, cmd, 9 + len, sig, rlen, sw);
	} else {
		memcpy(cmd, "\x10\x2a\x9e\x9a\xff", 5);
		memcpy(cmd + 5, blk, 255);
		script_add_raw(s, cmd, 5 + 255, NULL, 0, 0x9000);
		memcpy(cmd, "\x00\x2a\x9e\x9a\x01", 5);
		cmd[5] = blk[255];
		cmd[6] = 0x00;
		script_add_raw(s, cmd, 7, sig, rlen, sw);
	}
}

/* Sign a SHA-256 DigestInfo with key `key`; the card's answer verifies
 * (OpenSSL) with certificate `cert` of the description. */
static void sign_verified(struct carta_card *c, size_t key, struct script *s,
                          const struct carta_tk_key *k, int mode, bool with_mse)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	const struct carta_cert *ct = &d->certs[d->keys[key].cert];
	size_t len = d->keys[key].bits / 8, outlen = 512;
	uint8_t hash[32], blk[256], out[512];
	struct carta_buf di;

	sha256_di(&di, hash);
	assert_int_equal(carta_pkcs1_type1_pad(di.p, di.len, len, blk), CARTA_OK);
	expect_cds(s, k, blk, len, mode, with_mse, 0x9000);
	assert_int_equal(carta_card_sign(c, key, CARTA_SIGN_PKCS1_DATA, di.p, di.len, out, &outlen),
	                 CARTA_OK);
	assert_int_equal(outlen, len);
	assert_int_equal(carta_rsa_verify_pkcs1(ct->der, ct->der_len, true, CARTA_HASH_SHA256, hash,
	                                        32, out, outlen), CARTA_OK);
	carta_buf_free(&di);
}

/* ST 2021: CNS1 found; VERIFY 9A after SELECT 1400/8110; the signature with
 * PSO CDS in one extended APDU; CNS0 then works from the MF again; change
 * and unblock of the signature PIN, its PUK's status (9B). */
static void test_st2021_ds(void **state)
{
	struct script *s = script_new(ATR_ST21);
	struct carta_card *c;
	struct carta_pin_status st;
	unsigned long n_open;
	int tries = 0;

	(void)state;
	c = open_with_ds(s, SEL_CNS0_CERT, &g.auth2048, &g.ds2048, true);
	n_open = s->t.n_apdu;
	assert_int_equal(n_open, 8);
	check_two_tokens(c, &g.ds2048, 2048);
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020009A08" "3837363534333231", "9000");
	assert_int_equal(carta_card_verify(c, 2, (const uint8_t *)"87654321", 8, &tries), CARTA_OK);
	sign_verified(c, 1, s, g.s2048, 1, true);
	/* CNS0 after a DF_DS operation: its PIN and key from the MF */
	script_add(s, SEL_MF, "9000");
	script_add(s, "0020009008" "3132333435FFFFFF", "9000");
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"12345", 5, &tries), CARTA_OK);
	{
		uint8_t hash[32], blk[256], sig[512], out[256], cmd[300];
		size_t outlen = sizeof(out), n = 0;
		struct carta_buf di;

		sha256_di(&di, hash);
		assert_int_equal(carta_pkcs1_type1_pad(di.p, di.len, 256, blk), CARTA_OK);
		assert_int_equal(carta_tk_rsa_private_raw(g.a2048, blk, 256, sig, sizeof(sig), &n),
		                 CARTA_OK);
		script_add(s, MSE_RESTORE, "9000");
		script_add(s, "0022F1B803830101", "9000");
		memcpy(cmd, "\x00\x2a\x80\x86\x00\x01\x01\x00", 8);
		memcpy(cmd + 8, blk, 256);
		memcpy(cmd + 264, "\x01\x00", 2);
		script_add_raw(s, cmd, 266, sig, 256, 0x9000);
		assert_int_equal(carta_card_sign(c, 0, CARTA_SIGN_PKCS1_DATA, di.p, di.len, out,
		                                 &outlen), CARTA_OK);
		assert_int_equal(carta_rsa_verify_pkcs1(g.auth2048.p, g.auth2048.len, true,
		                                        CARTA_HASH_SHA256, hash, 32, out, outlen),
		                 CARTA_OK);
		carta_buf_free(&di);
	}
	/* the signature PIN's status: back into DF_DS; its PUK 9B */
	c->pin_cache_ttl_ms = 0;
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020009A", "63C2");
	assert_int_equal(carta_card_pin_status(c, 2, &st), CARTA_OK);
	assert_int_equal(st.tries_left, 2);
	script_add(s, "0020009B", "63C3");
	assert_int_equal(carta_card_pin_status(c, 3, &st), CARTA_OK);
	assert_int_equal(st.tries_left, 3);
	script_add(s, "0024009A10" "3837363534333231" "3234363830FFFFFF", "9000");
	assert_int_equal(carta_card_change(c, 2, (const uint8_t *)"87654321", 8,
	                                   (const uint8_t *)"24680", 5, &tries), CARTA_OK);
	script_add(s, "002C009A10" "3131323233333434" "3133353739FFFFFF", "9000");
	assert_int_equal(carta_card_unblock(c, 2, (const uint8_t *)"11223344", 8,
	                                    (const uint8_t *)"13579", 5, &tries), CARTA_OK);
	/* the PUK cannot be changed, nor unblocked */
	assert_int_equal(carta_card_change(c, 3, (const uint8_t *)"11223344", 8,
	                                   (const uint8_t *)"11223345", 8, &tries),
	                 CARTA_E_NOT_SUPPORTED);
	/* a wrong signature PIN: its own counter */
	script_add(s, "0020009A08" "3131313131313131", "63C1");
	assert_int_equal(carta_card_verify(c, 2, (const uint8_t *)"11111111", 8, &tries),
	                 CARTA_E_PIN_INCORRECT);
	assert_int_equal(tries, 1);
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* CNS 1.0, not ST: reference 1A without the flag, short PSO CDS (Lc 80);
 * a 2048-bit CNS1 key on a card without extended APDUs goes chained. */
static void test_athena_ds_short_and_chained(void **state)
{
	struct script *s = script_new(ATR_ATHENA);
	struct carta_card *c;
	int tries = 0;

	(void)state;
	c = open_with_ds(s, SEL_CNS0_CERT, &g.auth1024, &g.ds1024, false);
	check_two_tokens(c, &g.ds1024, 1024);
	assert_false(s->t.flags & CARTA_TF_EXTENDED);
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020001A08" "3837363534333231", "9000");
	assert_int_equal(carta_card_verify(c, 2, (const uint8_t *)"87654321", 8, &tries), CARTA_OK);
	sign_verified(c, 1, s, g.s1024, 0, true);
	/* the environment stays set: the next signature is the PSO alone */
	sign_verified(c, 1, s, g.s1024, 0, false);
	script_done(s);
	carta_card_close(c);
	script_free(s);

	s = script_new(ATR_ATHENA);
	c = open_with_ds(s, SEL_CNS0_CERT, &g.auth1024, &g.ds2048, false);
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020001A08" "3837363534333231", "9000");
	assert_int_equal(carta_card_verify(c, 2, (const uint8_t *)"87654321", 8, &tries), CARTA_OK);
	sign_verified(c, 1, s, g.s2048, 2, true);
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* docs/reference/cns.md 1.5: any answer but 6A82 to the CNS1 probe is
 * reported; nothing more is sent. */
static void test_probe_other_error(void **state)
{
	static const struct { const char *sw; enum carta_err want; } cases[] = {
		{ "6982", CARTA_E_SECURITY_STATUS },
		{ "6A86", CARTA_E_WRONG_PARAMS },
		{ "6F00", CARTA_E_CARD },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct script *s = script_new(ATR_ST10);
		struct carta_card *c = NULL;

		add_id_personal(s);
		script_add(s, SEL_DS_CERT, cases[i].sw);
		assert_int_equal(carta_card_open(&s->t, &c), cases[i].want);
		assert_null(c);
		script_done(s);
		assert_true(s->closed);
		script_free(s);
	}
}

/* DF_DS absent: the CNS as before, two PINs, one key; the probe is the
 * one APDU more. A 90 00 without FCI is another error, not an absence. */
static void test_probe_absent(void **state)
{
	struct script *s = script_new(ATR_ST10);
	struct carta_card *c = NULL;
	const struct carta_card_desc *d;

	(void)state;
	add_id_personal(s);
	script_add(s, SEL_DS_CERT, "6A82");
	add_file(s, SEL_CNS0_CERT, &g.auth1024, false);
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_OK);
	d = carta_card_get_desc(c);
	assert_int_equal(d->n_keys, 1);
	assert_int_equal(d->n_pins, 2);
	assert_int_equal(d->pins[0].role, CARTA_PIN_ROLE_AUTH);
	assert_false(d->keys[0].always_auth);
	/* no DF_DS operation happened: CNS0 sends what it always did */
	script_add(s, "0020009008" "3132333435FFFFFF", "9000");
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"12345", 5, NULL), CARTA_OK);
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* IDEMIA 2021 with CNS1: each key set's DF before its commands, in turn. */
static void test_idemia_ds(void **state)
{
	struct script *s = script_new(ATR_IDEMIA);
	struct carta_card *c;

	(void)state;
	c = open_with_ds(s, SEL_IDEMIA_CERT, &g.auth2048, &g.ds2048, true);
	assert_int_equal(carta_card_get_desc(c)->keys[0].id[0], 0x02);
	assert_int_equal(carta_card_get_desc(c)->keys[1].id[0], 0x10);
	script_add(s, SEL_IDEMIA_DF, "9000");
	script_add(s, "0020001008" "3132333435FFFFFF", "9000");
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"12345", 5, NULL), CARTA_OK);
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020001A08" "3837363534333231", "9000");
	assert_int_equal(carta_card_verify(c, 2, (const uint8_t *)"87654321", 8, NULL), CARTA_OK);
	sign_verified(c, 1, s, g.s2048, 1, true);
	script_add(s, SEL_IDEMIA_DF, "9000");
	script_add(s, "0020001008" "3132333435FFFFFF", "9000");
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"12345", 5, NULL), CARTA_OK);
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* A kept PIN is verified again only for the key it guards, and never for
 * an always_auth key: a signature refused with 6982 stays refused. */
static void test_no_relogin_for_sign_key(void **state)
{
	struct script *s = script_new(ATR_ATHENA);
	struct carta_card *c;
	struct carta_secret *pin = NULL;
	uint8_t hash[32], blk[128], out[128];
	size_t outlen = sizeof(out);
	struct carta_buf di;

	(void)state;
	c = open_with_ds(s, SEL_CNS0_CERT, &g.auth1024, &g.ds1024, false);
	assert_int_equal(carta_secret_from((const uint8_t *)"87654321", 8, &pin), CARTA_OK);
	sha256_di(&di, hash);
	assert_int_equal(carta_pkcs1_type1_pad(di.p, di.len, 128, blk), CARTA_OK);
	for (size_t kept = 0; kept <= 2; kept += 2) {
		carta_card_keep_login(c, kept, pin);
		if (kept == 0)
			script_add(s, SEL_DS_DF, "9000");
		expect_cds(s, g.s1024, blk, 128, 0, kept == 0, 0x6982);
		assert_int_equal(carta_card_sign(c, 1, CARTA_SIGN_PKCS1_DATA, di.p, di.len, out,
		                                 &outlen), CARTA_E_SECURITY_STATUS);
	}
	script_done(s);
	carta_card_keep_login(c, 0, NULL);
	carta_secret_free(&pin);
	carta_buf_free(&di);
	carta_card_close(c);
	script_free(s);
}

/* ST: a card that does not know the flagged 9A gets 1A, PIN and PUK. */
static void test_ds_flag_dropped(void **state)
{
	struct script *s = script_new(ATR_ST10);
	struct carta_card *c;
	struct carta_pin_status st;
	int tries = 0;

	(void)state;
	c = open_with_ds(s, SEL_CNS0_CERT, &g.auth1024, &g.ds1024, false);
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020009A08" "3837363534333231", "6A88");
	script_add(s, "0020001A08" "3837363534333231", "9000");
	assert_int_equal(carta_card_verify(c, 2, (const uint8_t *)"87654321", 8, &tries), CARTA_OK);
	script_add(s, "0020001B", "63C3");
	assert_int_equal(carta_card_pin_status(c, 3, &st), CARTA_OK);
	/* the CNS PIN keeps its own flag */
	script_add(s, SEL_MF, "9000");
	script_add(s, "00200090", "63C3");
	assert_int_equal(carta_card_pin_status(c, 0, &st), CARTA_OK);
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* ST 2022 over NFC (bare ATR, J-Sign application, docs/reference/cns.md
 * 1.13): DF_DS as over the contacts; after a DF_DS command the CNS key's
 * objects are found by selecting the application again, not the MF. */
static void test_jsign_nfc_ds(void **state)
{
	struct script *s = script_new("3B 80 80 01 01");
	struct carta_card *c = NULL;
	const struct carta_card_desc *d;

	(void)state;
	script_add(s, "00A4040008A0000000950100" "4D00", "9000");
	script_add(s, "00CA018000", "4A5369676E34" "9000");
	add_id_personal(s);
	add_file(s, SEL_DS_CERT, &g.ds2048, true);
	add_file(s, SEL_CNS0_CERT, &g.auth2048, true);
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_OK);
	d = carta_card_get_desc(c);
	assert_string_equal(d->driver, "cns-applet");
	check_two_tokens(c, &g.ds2048, 2048);
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020001A08" "3837363534333231", "9000");
	assert_int_equal(carta_card_verify(c, 2, (const uint8_t *)"87654321", 8, NULL), CARTA_OK);
	script_add(s, "00A4040008A0000000950100" "4D00", "9000");
	script_add(s, "0020001008" "3132333435FFFFFF", "9000");
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"12345", 5, NULL), CARTA_OK);
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* The DSD card's open: CNS1 first, then the CNS files where there are any. */
static struct carta_card *open_dsd(struct script *s, const struct carta_buf *ds, bool cns_files)
{
	struct carta_card *c = NULL;

	add_file(s, SEL_DS_CERT, ds, false);
	if (cns_files) {
		add_id_personal(s);
	} else {
		script_add(s, SEL_ID, "6A82");
		script_add(s, SEL_PERSONAL, "6A82");
	}
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_OK);
	return c;
}

/* docs/reference/cns.md 2.3: a "DSD" card with CNS1 is served: the signature
 * PIN (9A on this ST mask) and its key, nothing else. */
static void test_dsd_served(void **state)
{
	struct script *s = script_new(ATR_DSD);
	struct carta_card *c = open_dsd(s, &g.ds1024, false);
	const struct carta_card_desc *d = carta_card_get_desc(c);
	int tries = 0;

	(void)state;
	assert_string_equal(d->driver, "cns-ds");
	assert_string_equal(d->family, "signature card J-Sign (DSD)");
	assert_string_equal(d->serial, "");
	assert_string_equal(d->label, "ROSSI MARIO");   /* the certificate's CN */
	assert_int_equal(d->n_pins, 2);
	assert_int_equal(d->pins[0].role, CARTA_PIN_ROLE_SIGN);
	assert_int_equal(d->pins[0].unblocked_by, 1);
	assert_int_equal(d->pins[1].kind, CARTA_PIN_PUK);
	assert_int_equal(d->n_keys, 1);
	assert_int_equal(d->keys[0].pin, 0);
	assert_int_equal(d->keys[0].id[0], 0x10);
	assert_true(d->keys[0].always_auth);
	assert_int_equal(d->keys[0].usage, CARTA_KU_NONREP | CARTA_KU_SIGN);
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020009A08" "3837363534333231", "9000");
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"87654321", 8, &tries), CARTA_OK);
	sign_verified(c, 0, s, g.s1024, 0, true);
	script_add(s, "002C009A10" "3131323233333434" "3133353739FFFFFF", "9000");
	assert_int_equal(carta_card_unblock(c, 0, (const uint8_t *)"11223344", 8,
	                                    (const uint8_t *)"13579", 5, &tries), CARTA_OK);
	script_done(s);
	carta_card_close(c);
	script_free(s);

	/* with the CNS files: the holder's name and the serial */
	s = script_new(ATR_DSD_NEW);
	c = open_dsd(s, &g.ds1024, true);
	d = carta_card_get_desc(c);
	assert_string_equal(d->driver, "cns-ds");
	assert_string_equal(d->family, "signature card DSD (STIncard)");
	assert_string_equal(d->serial, CARD_ID);
	assert_string_equal(d->label, "MARIO ROSSI");
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* "B4D" (bit4id, Athena mask): no flag, reference 1A. */
static void test_b4d_served(void **state)
{
	struct script *s = script_new(ATR_B4D);
	struct carta_card *c = open_dsd(s, &g.ds1024, false);

	(void)state;
	assert_string_equal(carta_card_get_desc(c)->family, "signature card bit4id (B4D)");
	script_add(s, SEL_DS_DF, "9000");
	script_add(s, "0020001A", "63C3");
	{
		struct carta_pin_status st;

		assert_int_equal(carta_card_pin_status(c, 0, &st), CARTA_OK);
		assert_int_equal(st.tries_left, 3);
	}
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* Without CNS1 the card is recognised and said unsupported, by name; a
 * transport failure stays a transport failure. */
static void test_ds_unsupported(void **state)
{
	static const struct { const char *atr, *sw, *what; } cases[] = {
		{ ATR_DSD, "6A82", "signature-only card (DSD) without the CNS1 application" },
		{ ATR_B4D, "6A82", "signature-only card (B4D) without the CNS1 application" },
		{ ATR_DSD_NEW, "6D00", "signature-only card (DSD) without the CNS1 application" },
	};
	struct script *s;
	struct carta_card *c = NULL;
	char what[96];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = script_new(cases[i].atr);
		script_add(s, SEL_DS_CERT, cases[i].sw);
		assert_int_equal(carta_card_open_ex(&s->t, &c, what, sizeof(what)),
		                 CARTA_E_CARD_UNSUPPORTED);
		assert_null(c);
		assert_string_equal(what, cases[i].what);
		script_done(s);
		assert_true(s->closed);
		script_free(s);
	}
	s = script_new(ATR_DSD);
	script_add_err(s, SEL_DS_CERT, CARTA_E_CARD_REMOVED);
	assert_int_equal(carta_card_open_ex(&s->t, &c, what, sizeof(what)), CARTA_E_CARD_REMOVED);
	assert_string_equal(what, "");
	script_done(s);
	script_free(s);
}

/* docs/reference/cns.md 1.5 CNS01: without CNS0, the Infocamere 1204
 * certificate behind its 5-byte header; key 21 and the CNS PIN (90 on ST)
 * from 2FFF/0000. Its EF with length 00 00 = no key set. */
static void add_no_cns0(struct script *s)
{
	add_id_personal(s);
	script_add(s, SEL_DS_CERT, "6A82");
	script_add(s, SEL_CNS0_CERT, "6A82");
	script_add(s, SEL_IDEMIA_CERT, "6A82");
	script_add(s, SEL_CNS0_CERT, "6A82");
}

static void test_infocamere_1204(void **state)
{
	struct script *s = script_new(ATR_ST10);
	struct carta_card *c = NULL;
	const struct carta_card_desc *d;
	struct carta_buf ef;

	(void)state;
	carta_buf_init(&ef);
	assert_int_equal(carta_buf_append(&ef, (const uint8_t *)"\x01", 1), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(&ef, (uint8_t)(g.auth1024.len >> 8)), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(&ef, (uint8_t)g.auth1024.len), CARTA_OK);
	assert_int_equal(carta_buf_append(&ef, (const uint8_t *)"\x00\x00", 2), CARTA_OK);
	assert_int_equal(carta_buf_append(&ef, g.auth1024.p, g.auth1024.len), CARTA_OK);
	assert_int_equal(carta_buf_append(&ef, (const uint8_t *)"\xff\xff\xff", 3), CARTA_OK);
	add_no_cns0(s);
	add_fci(s, "00A4080004" "2FFF8228" "00", ef.len);
	/* the first 256 bytes, then what the header says is left */
	add_reads_from(s, ef.p, 0, 256);
	add_reads_from(s, ef.p, 256, 5 + g.auth1024.len);
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_OK);
	d = carta_card_get_desc(c);
	assert_int_equal(d->n_keys, 1);
	assert_string_equal(d->keys[0].label, "CNS01");
	assert_int_equal(d->keys[0].id[0], 0x21);
	assert_int_equal(d->certs[0].der_len, g.auth1024.len);
	assert_memory_equal(d->certs[0].der, g.auth1024.p, g.auth1024.len);
	assert_int_equal(d->n_pins, 2);
	assert_int_equal(d->pins[0].role, CARTA_PIN_ROLE_AUTH);
	script_add(s, "00A4080C042FFF0000", "9000");
	script_add(s, "0020009008" "3132333435FFFFFF", "9000");
	assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"12345", 5, NULL), CARTA_OK);
	script_add(s, MSE_RESTORE, "9000");
	script_add(s, "0022F1B803830121", "9000");
	{
		uint8_t blk[128], out[128], cmd[135], sig[256];
		size_t outlen = sizeof(out), n = 0;

		memset(blk, 0x11, sizeof(blk));
		blk[0] = 0;
		assert_int_equal(carta_tk_rsa_private_raw(g.a1024, blk, 128, sig, sizeof(sig), &n),
		                 CARTA_OK);
		memcpy(cmd, "\x00\x2a\x80\x86\x81\x00", 6);
		memcpy(cmd + 6, blk, 128);
		cmd[134] = 0x80;
		script_add_raw(s, cmd, sizeof(cmd), sig, 128, 0x9000);
		assert_int_equal(carta_card_sign(c, 0, CARTA_SIGN_RAW_BLOCK, blk, 128, out, &outlen),
		                 CARTA_OK);
		assert_memory_equal(out, sig, 128);
	}
	script_done(s);
	carta_card_close(c);
	script_free(s);

	/* 00 00: empty, a token with the PINs only */
	s = script_new(ATR_ST10);
	add_no_cns0(s);
	add_fci(s, "00A4080004" "2FFF8228" "00", 5);
	script_add(s, "00B0000005", "0100000000" "9000");
	c = NULL;
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_OK);
	assert_int_equal(carta_card_get_desc(c)->n_keys, 0);
	assert_int_equal(carta_card_get_desc(c)->n_pins, 2);
	script_done(s);
	carta_card_close(c);
	script_free(s);
	carta_buf_free(&ef);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_st2021_ds),
		cmocka_unit_test(test_athena_ds_short_and_chained),
		cmocka_unit_test(test_probe_other_error),
		cmocka_unit_test(test_probe_absent),
		cmocka_unit_test(test_idemia_ds),
		cmocka_unit_test(test_no_relogin_for_sign_key),
		cmocka_unit_test(test_ds_flag_dropped),
		cmocka_unit_test(test_jsign_nfc_ds),
		cmocka_unit_test(test_dsd_served),
		cmocka_unit_test(test_b4d_served),
		cmocka_unit_test(test_ds_unsupported),
		cmocka_unit_test(test_infocamere_1204),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
