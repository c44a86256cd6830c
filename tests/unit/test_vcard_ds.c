/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtual card's CNS1 qualified-signature key set (--ds, profile dsd):
 * docs/reference/cns.md 1.5 (paths, references), 1.6 (PIN APDUs, the 0x80 flag), 1.8
 * (MSE / PSO CDS), 2.3 (the DSD ATR), docs/virtual-card.md "Signature key set".
 * Signatures are checked with OpenSSL against the qualified certificate read from the
 * card; counters are the card's own. Signature PIN 87654321, PUK 11223344; CNS PIN
 * 12345678. */
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "test_vcard_helpers.h"
#include "vcard_int.h"

#define DS_PIN "38 37 36 35 34 33 32 31"
#define DS_PUK "31 31 32 32 33 33 34 34"
#define CNS_PIN "31 32 33 34 35 36 37 38"
#define BAD "39 39 39 39 39 39 39 39"
#define NEW5 "35 34 33 32 31 FF FF FF"
#define SEL_8110 "00 A4 08 0C 04 14 00 81 10"
#define MSE_DS "00 22 F1 B6 03 83 01 10"

static struct vcard *mk_ds(const char *profile, bool per_sign, int scope)
{
	struct vcard_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	cfg.ds = true;
	cfg.ds_pin_per_sign = per_sign;
	cfg.ds_pin_scope = scope;
	return mk_cfg(&cfg);
}

/* SELECT by path from the MF (P1=08, P2=0C), then READ BINARY in 0xFF chunks
 * (docs/reference/cns.md 1.7) up to the first short answer. */
static void read_path(struct vcard *v, const char *path_hex, struct carta_buf *out)
{
	struct carta_buf chunk = { 0 }, path = { 0 };
	char cmd[64];
	uint8_t sel[32] = { 0x00, 0xA4, 0x08, 0x0C };
	uint16_t sw;

	assert_int_equal(carta_hex_decode(path_hex, strlen(path_hex), &path), CARTA_OK);
	sel[4] = (uint8_t)path.len;
	memcpy(sel + 5, path.p, path.len);
	assert_int_equal(txb(v, sel, 5 + path.len, NULL), 0x9000);
	carta_buf_clear(out);
	for (;;) {
		snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X FF", (unsigned)(out->len >> 8),
		         (unsigned)(out->len & 0xFF));
		sw = tx(v, cmd, &chunk);
		if (sw == 0x6B00)
			break;
		assert_int_equal(sw, 0x9000);
		assert_int_equal(carta_buf_append(out, chunk.p, chunk.len), CARTA_OK);
		if (chunk.len < 0xFF)
			break;
	}
	carta_buf_free(&chunk);
	carta_buf_free(&path);
}

static X509 *ds_cert_from_card(struct vcard *v)
{
	struct carta_buf der = { 0 };
	struct carta_bytes want = vcard_ds_cert(v);
	const unsigned char *q;
	X509 *x;

	read_path(v, "1400 9010", &der);
	assert_int_equal(der.len, want.len);
	assert_memory_equal(der.p, want.p, want.len);
	q = der.p;
	x = d2i_X509(NULL, &q, (long)der.len);
	assert_non_null(x);
	carta_buf_free(&der);
	return x;
}

/* A PKCS#1 v1.5 type-1 block over SHA-256(msg), k bytes: what the host sends for PSO
 * CDS (docs/reference/cns.md 1.8). */
static void block(const char *msg, size_t k, uint8_t *out, uint8_t hash[32])
{
	struct carta_buf di = { 0 };
	size_t hl = 0;

	assert_int_equal(carta_digest(CARTA_HASH_SHA256, (const uint8_t *)msg, strlen(msg), hash,
	                              32, &hl), CARTA_OK);
	assert_int_equal(carta_digestinfo(CARTA_HASH_SHA256, hash, 32, &di), CARTA_OK);
	assert_int_equal(carta_pkcs1_type1_pad(di.p, di.len, k, out), CARTA_OK);
	carta_buf_free(&di);
}

enum form { SHORT, EXTENDED, CHAINED };

/* PSO COMPUTE DIGITAL SIGNATURE with a k-byte block, in one of the three forms. */
static uint16_t pso_cds(struct vcard *v, enum form f, const uint8_t *b, size_t k,
                        struct carta_buf *res)
{
	uint8_t cmd[600];
	size_t n = 0, first;

	if (f == CHAINED) {
		first = k / 2;
		memcpy(cmd, "\x10\x2A\x9E\x9A", 4);
		cmd[4] = (uint8_t)first;
		memcpy(cmd + 5, b, first);
		assert_int_equal(txb(v, cmd, 5 + first, NULL), 0x9000);
		b += first;
		k -= first;
	}
	memcpy(cmd, "\x00\x2A\x9E\x9A", 4);
	n = 4;
	if (f == EXTENDED) {
		cmd[n++] = 0;
		cmd[n++] = (uint8_t)(k >> 8);
	}
	cmd[n++] = (uint8_t)k;
	memcpy(cmd + n, b, k);
	n += k;
	cmd[n++] = 0;
	if (f == EXTENDED)
		cmd[n++] = 0;
	return txb(v, cmd, n, res);
}

/* The card's signature verifies with OpenSSL against the certificate's key. */
static void sign_and_check(struct vcard *v, X509 *x, enum form f, const char *msg)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	size_t k = (size_t)EVP_PKEY_get_size(pk);
	uint8_t b[512], hash[32];
	struct carta_buf sig = { 0 };
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);

	block(msg, k, b, hash);
	assert_int_equal(pso_cds(v, f, b, k, &sig), 0x9000);
	assert_int_equal(sig.len, k);
	assert_non_null(ctx);
	assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
	assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING), 1);
	assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
	assert_int_equal(EVP_PKEY_verify(ctx, sig.p, sig.len, hash, 32), 1);
	EVP_PKEY_CTX_free(ctx);
	carta_buf_free(&sig);
}

/* Without --ds the key set is absent: 6A 82 on its certificate, with or without
 * FCI, also where DF 1400 itself is missing (docs/reference/cns.md 1.5). */
static void t_absent_without_ds(void **st)
{
	const char *profiles[] = { "st", "classic", "idemia", "actalis", "hpc" };

	(void)st;
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		struct vcard *v = mk(profiles[i]);

		expect(v, "00 A4 08 0C 04 14 00 90 10", "6A 82");
		expect(v, "00 A4 08 00 04 14 00 90 10 00", "6A 82");
		expect(v, "00 A4 08 0C 06 14 00 81 10 80 10", "6A 82");
		expect(v, "00 20 00 1A 08 " DS_PIN, "6A 88");
		assert_int_equal(vcard_ds_tries_left(v, false), -1);
		assert_int_equal(vcard_ds_cert(v).len, 0);
		vcard_free(v);
	}
}

/* The other key sets stay absent with --ds (Infocamere 2FFF, IDEMIA 9001 on st). */
static void t_paths_with_ds(void **st)
{
	struct vcard *v = mk_ds("st", false, 0);
	struct carta_buf pub = { 0 }, fci = { 0 };
	X509 *x = ds_cert_from_card(v);
	BIGNUM *n = NULL;
	unsigned char nbuf[256];

	(void)st;
	expect(v, "00 A4 08 0C 04 2F FF 82 28", "6A 82");
	expect(v, "00 A4 08 0C 06 14 00 90 01 20 02", "6A 82");
	/* 8110 is a DF (FCI 82 03 38 ..), 8010 its public key EF */
	assert_int_equal(tx(v, "00 A4 08 00 04 14 00 81 10 00", &fci), 0x9000);
	assert_true(fci.len > 6 && fci.p[0] == 0x6F);
	assert_non_null(memmem(fci.p, fci.len, "\x82\x03\x38", 3));
	read_path(v, "1400 8110 8010", &pub);
	assert_int_equal(EVP_PKEY_get_bn_param(X509_get0_pubkey(x), "n", &n), 1);
	assert_int_equal(BN_bn2binpad(n, nbuf, 256), 256);
	BN_free(n);
	assert_non_null(memmem(pub.p, pub.len, nbuf, 256));   /* the cert's modulus */
	/* the CNS certificate and key set are still there */
	read_path(v, "1100 1101", &pub);
	assert_int_equal(pub.len, vcard_holder_cert(v).len);
	X509_free(x);
	carta_buf_free(&pub);
	carta_buf_free(&fci);
	vcard_free(v);
}

/* PIN 1A from its DF only (default scope), 0x9A on ST masks, its own counter. */
static void t_verify_counters(void **st)
{
	struct vcard *v = mk_ds("st", false, 0);

	(void)st;
	expect(v, "00 20 00 9A 08 " DS_PIN, "6A 88");        /* MF: not found, no try spent */
	expect(v, "00 A4 08 0C 02 14 00", "90 00");
	expect(v, "00 20 00 9A 08 " DS_PIN, "6A 88");        /* DF_DS: not its DF */
	assert_int_equal(vcard_ds_tries_left(v, false), 3);
	expect(v, SEL_8110, "90 00");
	expect(v, "00 20 00 9A", "63 C3");                    /* status query */
	expect(v, "00 20 00 9A 08 " BAD, "63 C2");
	assert_int_equal(vcard_ds_tries_left(v, false), 2);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	expect(v, "00 20 00 90 08 " BAD, "63 C2");           /* CNS PIN: its own counter */
	assert_int_equal(vcard_pin_tries_left(v, false), 2);
	assert_int_equal(vcard_ds_tries_left(v, false), 2);
	expect(v, "00 20 00 9A 08 " CNS_PIN, "63 C1");       /* the CNS PIN is not the DS PIN */
	expect(v, "00 20 00 1A 08 " DS_PIN, "90 00");        /* without the flag too */
	assert_int_equal(vcard_ds_tries_left(v, false), 3);
	assert_int_equal(vcard_pin_tries_left(v, false), 2);
	expect(v, "00 20 00 9A", "90 00");
	expect(v, "00 20 00 9B 08 " DS_PUK, "6A 88");        /* PUK VERIFY: as for 11 */
	vcard_free(v);

	/* non-ST mask: no 0x80 flag (docs/reference/cns.md 1.6) */
	v = mk_ds("classic", false, 0);
	expect(v, SEL_8110, "90 00");
	expect(v, "00 20 00 9A 08 " DS_PIN, "6A 88");
	expect(v, "00 20 00 1A 08 " DS_PIN, "90 00");
	vcard_free(v);
}

static void t_scope_switch(void **st)
{
	struct vcard *v = mk_ds("st", false, VCARD_DS_SCOPE_DS);

	(void)st;
	expect(v, "00 20 00 9A 08 " DS_PIN, "6A 88");
	expect(v, "00 A4 08 0C 02 14 00", "90 00");
	expect(v, "00 20 00 9A 08 " DS_PIN, "90 00");
	expect(v, "00 A4 00 0C 02 3F 00", "90 00");
	expect(v, MSE_DS, "6A 88");
	vcard_free(v);
	v = mk_ds("st", false, VCARD_DS_SCOPE_ANY);
	expect(v, "00 20 00 9A 08 " DS_PIN, "90 00");
	expect(v, MSE_DS, "90 00");
	vcard_free(v);
}

/* MSE SET B6 key 10 + PSO CDS: raw RSA on the full block, verified with OpenSSL; 2048
 * bits on st (extended and chained), 1024 on classic (short), PIN 1A needed. */
static void t_sign(void **st)
{
	struct vcard *v = mk_ds("st", false, 0);
	X509 *x = ds_cert_from_card(v);
	uint8_t b[256], h[32];

	(void)st;
	assert_int_equal(EVP_PKEY_get_bits(X509_get0_pubkey(x)), 2048);
	expect(v, "00 22 F3 03 00", "90 00");
	expect(v, MSE_DS, "6A 88");                           /* from the MF: key not found */
	expect(v, SEL_8110, "90 00");
	expect(v, MSE_DS, "90 00");
	block("x", 256, b, h);
	assert_int_equal(pso_cds(v, EXTENDED, b, 256, NULL), 0x6982);
	expect(v, "00 20 00 90 08 " CNS_PIN, "90 00");       /* the CNS PIN does not open it */
	assert_int_equal(pso_cds(v, EXTENDED, b, 256, NULL), 0x6982);
	expect(v, "00 20 00 9A 08 " DS_PIN, "90 00");
	sign_and_check(v, x, EXTENDED, "contratto.pdf");
	sign_and_check(v, x, CHAINED, "second");              /* PIN kept without per-sign */
	assert_int_equal(pso_cds(v, EXTENDED, b, 100, NULL), 0x6700);   /* bare DigestInfo */
	vcard_reset(v);                                       /* power cycle: forgotten */
	expect(v, SEL_8110, "90 00");
	expect(v, MSE_DS, "90 00");
	assert_int_equal(pso_cds(v, EXTENDED, b, 256, NULL), 0x6982);
	X509_free(x);
	vcard_free(v);

	v = mk_ds("classic", false, 0);
	x = ds_cert_from_card(v);
	assert_int_equal(EVP_PKEY_get_bits(X509_get0_pubkey(x)), 1024);
	expect(v, SEL_8110, "90 00");
	expect(v, MSE_DS, "90 00");
	expect(v, "00 20 00 1A 08 " DS_PIN, "90 00");
	sign_and_check(v, x, SHORT, "short");
	block("x", 128, b, h);
	assert_int_equal(pso_cds(v, EXTENDED, b, 128, NULL), 0x6700);   /* CNS 1.0: short only */
	X509_free(x);
	vcard_free(v);
}

static void t_per_sign(void **st)
{
	struct vcard *v = mk_ds("idemia", true, 0);
	X509 *x = ds_cert_from_card(v);
	uint8_t b[256], h[32];

	(void)st;
	expect(v, SEL_8110, "90 00");
	expect(v, MSE_DS, "90 00");
	expect(v, "00 20 00 1A 08 " DS_PIN, "90 00");
	sign_and_check(v, x, EXTENDED, "one");
	block("two", 256, b, h);
	assert_int_equal(pso_cds(v, EXTENDED, b, 256, NULL), 0x6982);
	expect(v, "00 20 00 1A", "63 C3");                    /* not verified any more */
	expect(v, "00 20 00 1A 08 " DS_PIN, "90 00");
	sign_and_check(v, x, CHAINED, "two");
	X509_free(x);
	vcard_free(v);
}

/* The signature key cannot decipher: MSE B8 with it gets 69 85, and a PSO DECIPHER
 * after MSE B6 10 finds no confidentiality key (69 85). The CNS key is untouched. */
static void t_no_decipher(void **st)
{
	struct vcard *v = mk_ds("st", false, 0);
	uint8_t cmd[300] = { 0x00, 0x2A, 0x80, 0x86, 0x00, 0x01, 0x01, 0x00 };

	(void)st;
	expect(v, SEL_8110, "90 00");
	expect(v, "00 20 00 9A 08 " DS_PIN, "90 00");
	expect(v, "00 22 F1 B8 03 83 01 10", "69 85");
	expect(v, MSE_DS, "90 00");
	expect(v, "00 20 00 90 08 " CNS_PIN, "90 00");       /* past the PIN check */
	memset(cmd + 8, 0x01, 256);
	assert_int_equal(txb(v, cmd, 8 + 256 + 2, NULL), 0x6985);
	expect(v, "00 22 F1 B8 03 83 01 01", "90 00");       /* CNS key 01 still deciphers */
	assert_int_equal(txb(v, cmd, 8 + 256 + 2, NULL), 0x9000);
	vcard_free(v);
}

static void t_change_unblock(void **st)
{
	struct vcard *v = mk_ds("st", false, 0);
	uint8_t pin[8];

	(void)st;
	expect(v, "00 24 00 9A 10 " DS_PIN " " NEW5, "6A 88");   /* from the MF */
	expect(v, SEL_8110, "90 00");
	expect(v, "00 24 00 9A 10 " BAD " " NEW5, "63 C2");
	expect(v, "00 24 00 9A 10 " DS_PIN " " NEW5, "90 00");
	assert_int_equal(vcard_current_ds_pin(v, pin, sizeof(pin)), 5);
	assert_memory_equal(pin, "54321", 5);
	assert_int_equal(vcard_current_pin(v, pin, sizeof(pin)), 8);   /* CNS PIN unchanged */
	assert_memory_equal(pin, "12345678", 8);
	expect(v, "00 24 00 9B 10 " DS_PUK " " DS_PUK, "69 85");   /* PUK unchangeable */
	for (int i = 0; i < 3; i++)
		tx(v, "00 20 00 9A 08 " BAD, NULL);
	expect(v, "00 20 00 9A 08 " NEW5, "69 83");
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	/* RESET RETRY COUNTER: P2 = the PIN's reference, the data the PUK 1B (1.6) */
	expect(v, "00 2C 00 9B 10 " DS_PUK " " NEW5, "6A 88");
	expect(v, "00 2C 00 9A 10 " "38 37 36 35 34 33 32 31" " " NEW5, "63 C2");   /* CNS PUK */
	assert_int_equal(vcard_ds_tries_left(v, true), 2);
	assert_int_equal(vcard_pin_tries_left(v, true), 3);
	expect(v, "00 2C 00 9A 10 " DS_PUK " " DS_PIN, "90 00");
	assert_int_equal(vcard_ds_tries_left(v, false), 3);
	assert_int_equal(vcard_ds_tries_left(v, true), 3);
	expect(v, "00 20 00 9A 08 " DS_PIN, "90 00");
	/* and the CNS PUK does not unblock through 1A's PUK either way */
	expect(v, "00 A4 00 0C 02 3F 00", "90 00");
	expect(v, "00 2C 00 90 10 " DS_PUK " " NEW5, "63 C2");
	assert_int_equal(vcard_pin_tries_left(v, true), 2);
	assert_int_equal(vcard_ds_tries_left(v, true), 3);
	vcard_free(v);
}

/* The signature-only DSD card (docs/reference/cns.md 2.3, 1.13). */
static void t_dsd(void **st)
{
	struct vcard_config cfg;
	struct vcard *v = mk("dsd");
	struct carta_buf id = { 0 };
	uint8_t atr[40];
	size_t n = vcard_atr(v, atr, sizeof(atr)), i;
	uint8_t tck = 0;
	X509 *x = ds_cert_from_card(v);

	(void)st;
	assert_true(bytes_eq_hex(atr, n, "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 "
	                                 "44 53 44 10 31 80 97"));
	for (i = 1; i < n; i++)
		tck ^= atr[i];
	assert_int_equal(tck, 0);
	expect(v, "00 A4 08 0C 04 11 00 11 01", "6A 82");
	expect(v, "00 A4 08 0C 04 11 00 11 02", "6A 82");
	expect(v, "00 A4 00 0C 02 3F 01", "6A 82");
	read_path(v, "1000 1003", &id);
	assert_int_equal(id.len, 16);
	assert_memory_equal(id.p, vcard_card_id(v), 16);
	expect(v, "00 20 00 90 08 " CNS_PIN, "6A 88");       /* no CNS PIN */
	expect(v, "00 22 F1 B8 03 83 01 01", "6A 88");       /* no CNS key */
	expect(v, SEL_8110, "90 00");
	expect(v, "00 22 F1 B6 03 83 01 10", "90 00");
	expect(v, "00 20 00 9A 08 " DS_PIN, "90 00");
	sign_and_check(v, x, SHORT, "dsd");
	X509_free(x);
	carta_buf_free(&id);
	vcard_free(v);

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "dsd";
	cfg.dsd_personal = 1;
	v = mk_cfg(&cfg);
	read_path(v, "1100 1102", &id);
	assert_int_equal(id.len, 400);
	expect(v, "00 A4 08 0C 04 11 00 11 01", "6A 82");
	carta_buf_free(&id);
	vcard_free(v);
}

static bool has_oid(const uint8_t *p, size_t n, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	unsigned char *der = NULL;
	int len = i2d_ASN1_OBJECT(o, &der);
	bool hit = len > 0 && memmem(p, n, der, (size_t)len) != NULL;

	OPENSSL_free(der);
	ASN1_OBJECT_free(o);
	return hit;
}

/* keyUsage nonRepudiation only and critical, no EKU, qcStatements QcCompliance, QcSSCD,
 * QcType esign, QcPDS; policies; issued by the CNS certificate's CA. */
static void t_cert_profile(void **st)
{
	struct vcard *v = mk_ds("classic-siemens", false, 0);
	X509 *x = ds_cert_from_card(v), *ca;
	struct carta_bytes cad = vcard_ca_cert(v);
	const unsigned char *q = cad.p;
	int i = X509_get_ext_by_NID(x, NID_key_usage, -1);
	X509_EXTENSION *qc;
	ASN1_OCTET_STRING *d;
	CERTIFICATEPOLICIES *pol;
	EXTENDED_KEY_USAGE *eku;
	int crit = -1;
	char name[256];

	(void)st;
	ca = d2i_X509(NULL, &q, (long)cad.len);
	assert_non_null(ca);
	assert_true(i >= 0);
	assert_int_equal(X509_EXTENSION_get_critical(X509_get_ext(x, i)), 1);
	assert_int_equal(X509_get_key_usage(x), KU_NON_REPUDIATION);
	/* EKU documentSigning only: no clientAuth, no emailProtection (what OpenSC reads) */
	assert_int_equal(X509_get_extended_key_usage(x) & (XKU_SSL_CLIENT | XKU_SMIME), 0);
	eku = X509_get_ext_d2i(x, NID_ext_key_usage, &crit, NULL);
	assert_non_null(eku);
	assert_int_equal(crit, 0);
	assert_int_equal(sk_ASN1_OBJECT_num(eku), 1);
	OBJ_obj2txt(name, sizeof(name), sk_ASN1_OBJECT_value(eku, 0), 1);
	assert_string_equal(name, "1.3.6.1.5.5.7.3.36");
	sk_ASN1_OBJECT_pop_free(eku, ASN1_OBJECT_free);
	qc = X509_get_ext(x, X509_get_ext_by_NID(x, NID_qcStatements, -1));
	assert_non_null(qc);
	d = X509_EXTENSION_get_data(qc);
	assert_true(has_oid(d->data, (size_t)d->length, "0.4.0.1862.1.1"));
	assert_true(has_oid(d->data, (size_t)d->length, "0.4.0.1862.1.4"));
	assert_true(has_oid(d->data, (size_t)d->length, "0.4.0.1862.1.6.1"));
	assert_true(has_oid(d->data, (size_t)d->length, "0.4.0.1862.1.5"));
	pol = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
	assert_non_null(pol);
	OBJ_obj2txt(name, sizeof(name), sk_POLICYINFO_value(pol, 0)->policyid, 1);
	assert_string_equal(name, "1.3.76.16.6");
	CERTIFICATEPOLICIES_free(pol);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(ca)), 1);
	assert_int_equal(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_serialNumber,
	                                           name, sizeof(name)), 22);
	assert_string_equal(name, "TINIT-RSSMRA85M01H501Q");
	assert_true(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_givenName, name,
	                                      sizeof(name)) > 0);
	assert_string_equal(name, "MARIO");
	/* a different key from the CNS one */
	q = vcard_holder_cert(v).p;
	X509_free(ca);
	ca = d2i_X509(NULL, &q, (long)vcard_holder_cert(v).len);
	assert_int_not_equal(EVP_PKEY_eq(X509_get0_pubkey(ca), X509_get0_pubkey(x)), 1);
	X509_free(ca);
	X509_free(x);
	vcard_free(v);
}

/* --ds-cert-eku none: no extendedKeyUsage extension at all (OpenSSL then reports every
 * purpose, UINT32_MAX), the rest unchanged. */
static void t_cert_no_eku(void **st)
{
	struct vcard_config cfg;
	struct vcard *v;
	X509 *x;

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	cfg.ds = true;
	cfg.ds_cert_eku = -1;
	v = mk_cfg(&cfg);
	x = ds_cert_from_card(v);
	assert_int_equal(X509_get_ext_by_NID(x, NID_ext_key_usage, -1), -1);
	assert_int_equal(X509_get_extended_key_usage(x), UINT32_MAX);
	assert_int_equal(X509_get_key_usage(x), KU_NON_REPUDIATION);
	X509_free(x);
	vcard_free(v);
}

/* Switches that do not fit: refused, not ignored. */
static void t_bad_switches(void **st)
{
	struct vcard_config cfg;
	struct vcard *v = NULL;

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "actalis";
	cfg.ds = true;
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
	cfg.profile = "st";
	cfg.ds = false;
	cfg.ds_pin_per_sign = true;
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
	cfg.ds_pin_per_sign = false;
	cfg.dsd_personal = 1;
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
	cfg.profile = "cie-nxp";
	cfg.dsd_personal = 0;
	cfg.ds = true;
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
	assert_null(v);
}

/* What carta-vcard make-identity does (main.c), for profile st. */
static enum carta_err write_identity(const struct vcard_config *cfg, const char *dir)
{
	struct vcard_identity_opts o = { 0 };
	struct vcard_identity id;
	enum carta_err rv;

	o.seed = cfg->seed;
	o.bits = 2048;
	o.ds = cfg->ds;
	o.ds_pin = cfg->ds_pin;
	rv = vcard_identity_make(&o, &id);
	if (rv == CARTA_OK) {
		rv = vcard_identity_write(&id, dir);
		vcard_identity_free(&id);
	}
	return rv;
}

/* make-identity's files (vcard_identity_write) serve the same key set back, with
 * another PIN value; a directory without them and --ds is refused. */
static void t_identity_dir(void **st)
{
	char dir[] = "/tmp/carta-ds-XXXXXX", cmd[128];
	struct vcard_config cfg;
	struct vcard *a, *b = NULL;

	(void)st;
	assert_non_null(mkdtemp(dir));
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	assert_int_equal(write_identity(&cfg, dir), CARTA_OK);
	cfg.ds = true;
	cfg.identity_dir = dir;
	assert_int_equal(vcard_new(&cfg, &b), CARTA_E_ARGS);   /* no ds files */
	cfg.identity_dir = NULL;
	cfg.seed = "other-seed";
	cfg.ds_pin = "55556666";
	assert_int_equal(write_identity(&cfg, dir), CARTA_OK);
	a = mk_cfg(&cfg);
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	cfg.ds = true;
	cfg.identity_dir = dir;
	b = mk_cfg(&cfg);
	assert_int_equal(vcard_ds_cert(a).len, vcard_ds_cert(b).len);
	assert_memory_equal(vcard_ds_cert(a).p, vcard_ds_cert(b).p, vcard_ds_cert(a).len);
	expect(b, SEL_8110, "90 00");
	expect(b, "00 20 00 9A 08 35 35 35 35 36 36 36 36", "90 00");
	vcard_free(a);
	vcard_free(b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_absent_without_ds), cmocka_unit_test(t_paths_with_ds),
		cmocka_unit_test(t_verify_counters),   cmocka_unit_test(t_scope_switch),
		cmocka_unit_test(t_sign),              cmocka_unit_test(t_per_sign),
		cmocka_unit_test(t_no_decipher),       cmocka_unit_test(t_change_unblock),
		cmocka_unit_test(t_dsd),               cmocka_unit_test(t_cert_profile),
		cmocka_unit_test(t_cert_no_eku),
		cmocka_unit_test(t_bad_switches),      cmocka_unit_test(t_identity_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
