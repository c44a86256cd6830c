/* SPDX-License-Identifier: BSD-3-Clause */
/* src/crypto/tools: deterministic keys, raw/ECDSA operations, certificates.
 * Results are cross-checked with OpenSSL directly (allowed for crypto tests). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* the private header gives the tests the EVP_PKEY inside a key */
#include "crypto/tools/tk_int.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void modulus(const struct carta_tk_key *k, struct carta_buf *n)
{
	struct carta_buf e = { 0 };

	assert_int_equal(carta_tk_rsa_public(k, n, &e), CARTA_OK);
	assert_int_equal(e.len, 3);
	assert_memory_equal(e.p, "\x01\x00\x01", 3);
	carta_buf_free(&e);
}

static void test_rsa_deterministic(void **state)
{
	struct carta_tk_key *a = NULL, *b = NULL, *c = NULL;
	struct carta_buf na = { 0 }, nb = { 0 }, nc = { 0 };

	(void)state;
	assert_int_equal(carta_tk_rsa_from_seed("carta test 1", 1024, &a), CARTA_OK);
	assert_int_equal(carta_tk_rsa_from_seed("carta test 1", 1024, &b), CARTA_OK);
	assert_int_equal(carta_tk_rsa_from_seed("carta test 2", 1024, &c), CARTA_OK);
	assert_true(carta_tk_key_is_rsa(a));
	assert_int_equal(carta_tk_key_bits(a), 1024);
	modulus(a, &na);
	modulus(b, &nb);
	modulus(c, &nc);
	assert_int_equal(na.len, 128);
	assert_memory_equal(na.p, nb.p, 128);
	assert_false(memcmp(na.p, nc.p, 128) == 0);
	assert_true(EVP_PKEY_eq(a->pk, b->pk) == 1);
	carta_buf_free(&na);
	carta_buf_free(&nb);
	carta_buf_free(&nc);
	carta_tk_key_free(a);
	carta_tk_key_free(b);
	carta_tk_key_free(c);
	assert_int_equal(carta_tk_rsa_from_seed("x", 1000, &a), CARTA_E_ARGS);
	assert_int_equal(carta_tk_rsa_from_seed(NULL, 1024, &a), CARTA_E_ARGS);
	carta_tk_key_free(NULL);
}

/* the tools' private op and the libcarta public op are inverses; OpenSSL's
 * own key check agrees the CRT parts are consistent */
static void test_rsa_2048_roundtrip(void **state)
{
	struct carta_tk_key *k = NULL, *p = NULL;
	struct carta_buf n = { 0 }, e = { 0 };
	uint8_t in[256], sig[256], back[256], sig2[256];
	size_t len = 0, len2 = 0, i;
	double t0 = now_s(), dt;
	EVP_PKEY_CTX *chk;

	(void)state;
	assert_int_equal(carta_tk_rsa_from_seed("carta 2048", 2048, &k), CARTA_OK);
	dt = now_s() - t0;
	assert_true(dt < 3.0);
	assert_int_equal(carta_tk_key_bits(k), 2048);
	chk = EVP_PKEY_CTX_new(k->pk, NULL);
	assert_int_equal(EVP_PKEY_check(chk), 1);
	EVP_PKEY_CTX_free(chk);
	assert_int_equal(carta_tk_rsa_public(k, &n, &e), CARTA_OK);
	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 31 + 1);
	in[0] = 0x00;   /* below n */
	assert_int_equal(carta_tk_rsa_private_raw(k, in, 256, sig, sizeof(sig), &len), CARTA_OK);
	assert_int_equal(len, 256);
	assert_int_equal(carta_rsa_public_raw(n.p, n.len, e.p, e.len, sig, len, back), CARTA_OK);
	assert_memory_equal(back, in, 256);
	/* short input is left-padded */
	assert_int_equal(carta_tk_rsa_private_raw(k, in + 1, 255, sig2, sizeof(sig2), &len2), CARTA_OK);
	assert_memory_equal(sig2, sig, 256);
	assert_int_equal(carta_tk_rsa_private_raw(k, in, 256, sig, 255, &len), CARTA_E_BUFFER_SMALL);
	assert_int_equal(carta_tk_rsa_private_raw(k, n.p, n.len, sig, sizeof(sig), &len), CARTA_E_RANGE);
	/* from (n, e, d): same private operation, without CRT */
	{
		EVP_PKEY *pk = k->pk;
		BIGNUM *d = NULL;
		uint8_t db[256];
		assert_int_equal(EVP_PKEY_get_bn_param(pk, "d", &d), 1);
		assert_int_equal(BN_bn2binpad(d, db, 256), 256);
		BN_clear_free(d);
		assert_int_equal(carta_tk_rsa_from_parts(n.p, n.len, e.p, e.len, db, 256, &p), CARTA_OK);
		assert_int_equal(carta_tk_rsa_private_raw(p, in, 256, sig2, sizeof(sig2), &len2), CARTA_OK);
		assert_memory_equal(sig2, sig, 256);
	}
	carta_buf_free(&n);
	carta_buf_free(&e);
	carta_tk_key_free(k);
	carta_tk_key_free(p);
}

static void test_public_der(void **state)
{
	struct carta_tk_key *k = NULL;
	struct carta_buf der = { 0 }, spki = { 0 };
	const unsigned char *p;
	EVP_PKEY *a, *b;

	(void)state;
	assert_int_equal(carta_tk_rsa_from_seed("der", 1024, &k), CARTA_OK);
	assert_int_equal(carta_tk_rsa_public_der(k, &der), CARTA_OK);
	assert_int_equal(carta_tk_spki_der(k, &spki), CARTA_OK);
	p = der.p;
	a = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)der.len);
	assert_non_null(a);
	p = spki.p;
	b = d2i_PUBKEY(NULL, &p, (long)spki.len);
	assert_non_null(b);
	assert_int_equal(EVP_PKEY_eq(a, b), 1);
	assert_int_equal(EVP_PKEY_eq(a, k->pk), 1);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	carta_buf_free(&der);
	carta_buf_free(&spki);
	carta_tk_key_free(k);
}

static void test_ec(void **state)
{
	struct carta_tk_key *a = NULL, *b = NULL;
	struct carta_buf pa = { 0 }, pb = { 0 }, spki = { 0 };
	uint8_t hash[32], rs[64];
	unsigned char *der = NULL;
	const unsigned char *p;
	ECDSA_SIG *sig = ECDSA_SIG_new();
	EVP_PKEY *pub;
	EVP_PKEY_CTX *c;
	int dlen;

	(void)state;
	assert_int_equal(carta_tk_ec_p256_from_seed("ec seed", &a), CARTA_OK);
	assert_int_equal(carta_tk_ec_p256_from_seed("ec seed", &b), CARTA_OK);
	assert_false(carta_tk_key_is_rsa(a));
	assert_int_equal(carta_tk_key_bits(a), 256);
	assert_int_equal(carta_tk_ec_point(a, &pa), CARTA_OK);
	assert_int_equal(carta_tk_ec_point(b, &pb), CARTA_OK);
	assert_int_equal(pa.len, 65);
	assert_int_equal(pa.p[0], 0x04);
	assert_memory_equal(pa.p, pb.p, 65);
	/* sign, then verify r||s with OpenSSL from the SPKI */
	memset(hash, 0x11, sizeof(hash));
	assert_int_equal(carta_tk_ecdsa_sign(a, hash, 32, rs), CARTA_OK);
	assert_int_equal(ECDSA_SIG_set0(sig, BN_bin2bn(rs, 32, NULL), BN_bin2bn(rs + 32, 32, NULL)), 1);
	dlen = i2d_ECDSA_SIG(sig, &der);
	assert_true(dlen > 0);
	assert_int_equal(carta_tk_spki_der(a, &spki), CARTA_OK);
	p = spki.p;
	pub = d2i_PUBKEY(NULL, &p, (long)spki.len);
	c = EVP_PKEY_CTX_new(pub, NULL);
	assert_int_equal(EVP_PKEY_verify_init(c), 1);
	assert_int_equal(EVP_PKEY_verify(c, der, (size_t)dlen, hash, 32), 1);
	hash[0] ^= 1;
	assert_int_equal(EVP_PKEY_verify(c, der, (size_t)dlen, hash, 32), 0);
	assert_int_equal(carta_tk_rsa_public(a, &pa, &pb), CARTA_E_ARGS);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(pub);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	carta_buf_free(&pa);
	carta_buf_free(&pb);
	carta_buf_free(&spki);
	carta_tk_key_free(a);
	carta_tk_key_free(b);
}

static X509 *parse(const struct carta_buf *der)
{
	const unsigned char *p = der->p;
	X509 *x = d2i_X509(NULL, &p, (long)der->len);

	assert_non_null(x);
	return x;
}

/* the policy OID and the userNotice explicitText are where RFC 5280 puts them */
static void check_policy(X509 *x, const char *oid, const char *notice)
{
	CERTIFICATEPOLICIES *pols = X509_get_ext_d2i(x, NID_certificate_policies, NULL, NULL);
	POLICYINFO *pi;
	POLICYQUALINFO *q;
	char buf[64];

	assert_non_null(pols);
	assert_int_equal(sk_POLICYINFO_num(pols), 1);
	pi = sk_POLICYINFO_value(pols, 0);
	assert_true(OBJ_obj2txt(buf, sizeof(buf), pi->policyid, 1) > 0);
	assert_string_equal(buf, oid);
	assert_int_equal(sk_POLICYQUALINFO_num(pi->qualifiers), 1);
	q = sk_POLICYQUALINFO_value(pi->qualifiers, 0);
	assert_int_equal(OBJ_obj2nid(q->pqualid), NID_id_qt_unotice);
	assert_int_equal(ASN1_STRING_type(q->d.usernotice->exptext), V_ASN1_UTF8STRING);
	assert_int_equal(ASN1_STRING_length(q->d.usernotice->exptext), (int)strlen(notice));
	assert_memory_equal(ASN1_STRING_get0_data(q->d.usernotice->exptext), notice, strlen(notice));
	CERTIFICATEPOLICIES_free(pols);
}

static void make_chain(struct carta_tk_key *ca_key, struct carta_tk_key *user_key,
                       struct carta_buf *ca_der, struct carta_buf *user_der)
{
	static const struct carta_tk_name_entry ca_name[] = { { "C", "IT" }, { "O", "Carta Test" },
	                                                       { "CN", "Carta Test CA" } };
	static const struct carta_tk_name_entry user_name[] = {
		{ "C", "IT" }, { "O", "Carta Test" }, { "CN", "RSSMRA80A01H501U/1234567890.abcd" },
		{ "GN", "MARIO" }, { "SN", "ROSSI" }, { "serialNumber", "IT:RSSMRA80A01H501U" },
	};
	struct carta_tk_cert_spec ca = { 0 }, user = { 0 };

	ca.subject = ca_name;
	ca.n_subject = 3;
	ca.subject_key = ca_key;
	ca.issuer_key = ca_key;
	ca.serial = 1;
	ca.not_before = 1577836800;   /* 2020-01-01 */
	ca.not_after = 2524608000;    /* 2050-01-01 */
	ca.ca = true;
	assert_int_equal(carta_tk_make_cert(&ca, ca_der), CARTA_OK);
	user.subject = user_name;
	user.n_subject = 6;
	user.subject_key = user_key;
	user.issuer_cert_der = ca_der->p;
	user.issuer_cert_der_len = ca_der->len;
	user.issuer_key = ca_key;
	user.serial = 0x1234567890ULL;
	user.not_before = 1577836800;
	user.not_after = 2524608000;
	user.key_usage = "critical,digitalSignature,keyEncipherment";
	user.ext_key_usage = "clientAuth,emailProtection";
	user.policy_oid = "1.3.76.16.2.1";
	user.policy_notice = "Carta Nazionale dei Servizi \xC3\xA8 una prova";
	assert_int_equal(carta_tk_make_cert(&user, user_der), CARTA_OK);
}

static void test_cert_chain(void **state)
{
	struct carta_tk_key *ca_key = NULL, *user_key = NULL;
	struct carta_buf ca_der = { 0 }, user_der = { 0 }, pem = { 0 };
	X509 *ca, *user;
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	const ASN1_INTEGER *serial;
	uint64_t sv = 0;

	(void)state;
	assert_int_equal(carta_tk_rsa_from_seed("ca", 2048, &ca_key), CARTA_OK);
	assert_int_equal(carta_tk_rsa_from_seed("user", 1024, &user_key), CARTA_OK);
	make_chain(ca_key, user_key, &ca_der, &user_der);
	ca = parse(&ca_der);
	user = parse(&user_der);
	/* X509_verify_cert at a fixed time inside the validity period */
	assert_int_equal(X509_STORE_add_cert(store, ca), 1);
	assert_int_equal(X509_STORE_CTX_init(ctx, store, user, NULL), 1);
	X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), 1700000000);
	assert_int_equal(X509_verify_cert(ctx), 1);
	assert_int_equal(X509_get_version(user), X509_VERSION_3);
	assert_true(X509_check_ca(ca) > 0);
	assert_int_equal(X509_check_ca(user), 0);
	assert_true((X509_get_key_usage(ca) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN)) ==
	            (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
	assert_int_equal(X509_get_key_usage(user), KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT);
	assert_int_equal(X509_get_extended_key_usage(user), XKU_SSL_CLIENT | XKU_SMIME);
	check_policy(user, "1.3.76.16.2.1", "Carta Nazionale dei Servizi \xC3\xA8 una prova");
	serial = X509_get0_serialNumber(user);
	assert_int_equal(ASN1_INTEGER_get_uint64(&sv, serial), 1);
	assert_true(sv == 0x1234567890ULL);
	/* the certificate is deterministic (RSA PKCS#1 v1.5 signatures are) */
	{
		struct carta_buf ca2 = { 0 }, user2 = { 0 };
		make_chain(ca_key, user_key, &ca2, &user2);
		assert_int_equal(user2.len, user_der.len);
		assert_memory_equal(user2.p, user_der.p, user_der.len);
		carta_buf_free(&ca2);
		carta_buf_free(&user2);
	}
	assert_int_equal(carta_tk_cert_pem(user_der.p, user_der.len, &pem), CARTA_OK);
	assert_true(pem.len > 27 && memcmp(pem.p, "-----BEGIN CERTIFICATE-----", 27) == 0);
	assert_int_equal(carta_tk_cert_pem(user_der.p, 10, &pem), CARTA_E_PARSE);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(ca);
	X509_free(user);
	carta_buf_free(&ca_der);
	carta_buf_free(&user_der);
	carta_buf_free(&pem);
	carta_tk_key_free(ca_key);
	carta_tk_key_free(user_key);
}

/* server certificate with SAN, EC key signed by the RSA CA; self-signed EC */
static void test_cert_server_ec(void **state)
{
	static const struct carta_tk_name_entry cn[] = { { "CN", "localhost" } };
	struct carta_tk_key *ec = NULL;
	struct carta_tk_cert_spec s = { 0 };
	struct carta_buf der = { 0 }, pem = { 0 };
	GENERAL_NAMES *san;
	X509 *x;
	BIO *bio;
	EVP_PKEY *back;

	(void)state;
	assert_int_equal(carta_tk_ec_p256_from_seed("server", &ec), CARTA_OK);
	s.subject = cn;
	s.n_subject = 1;
	s.subject_key = ec;
	s.serial = 7;
	s.not_before = 1577836800;
	s.not_after = 2524608000;
	s.ext_key_usage = "serverAuth";
	s.san_dns = "localhost";
	s.san_ip = "127.0.0.1";
	assert_int_equal(carta_tk_make_cert(&s, &der), CARTA_OK);
	x = parse(&der);
	assert_int_equal(X509_verify(x, X509_get0_pubkey(x)), 1);   /* self-signed ECDSA */
	san = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	assert_non_null(san);
	assert_int_equal(sk_GENERAL_NAME_num(san), 2);
	assert_int_equal(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	GENERAL_NAMES_free(san);
	X509_free(x);
	/* PKCS#8 PEM reads back as the same key */
	assert_int_equal(carta_tk_key_pem(ec, &pem), CARTA_OK);
	bio = BIO_new_mem_buf(pem.p, (int)pem.len);
	back = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	assert_non_null(back);
	assert_int_equal(EVP_PKEY_eq(back, ec->pk), 1);
	assert_true(memcmp(pem.p, "-----BEGIN PRIVATE KEY-----", 27) == 0);
	EVP_PKEY_free(back);
	BIO_free(bio);
	carta_buf_free(&der);
	carta_buf_free(&pem);
	carta_tk_key_free(ec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsa_deterministic),
		cmocka_unit_test(test_rsa_2048_roundtrip),
		cmocka_unit_test(test_public_der),
		cmocka_unit_test(test_ec),
		cmocka_unit_test(test_cert_chain),
		cmocka_unit_test(test_cert_server_ec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
