/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool sign/verify without a card: sign_cades.c builds the CAdES-BES
 * structure with a software key standing in for the card (the callback
 * signs what the card would), verify_walk.c walks the result, and OpenSSL's
 * own CMS_verify (with CMS_CADES, which checks signingCertificateV2) is the
 * independent judge. Also: parallel and nested signatures, ECDSA r||s,
 * a refused PIN, altered content, a certificate that signingCertificateV2
 * does not name, garbage and base64 input, and the whole-or-nothing output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sign.h"
#include "verify.h"

/* sign_cades.c and sign_io.c report through carta-tool's tool_error. */
void tool_error(const char *fmt, ...)
{
	(void)fmt;
}

struct signer {
	EVP_PKEY *key;
	X509 *cert;
	uint8_t *der;
	size_t der_len;
	int fail;          /* the callback's answer when not 0 (a wrong PIN...) */
};

static X509 *make_cert(EVP_PKEY *key, const char *cn, long serial, long not_before, unsigned ku)
{
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();
	X509_EXTENSION *ext;
	ASN1_BIT_STRING *bits = ASN1_BIT_STRING_new();

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"IT", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "serialNumber", MBSTRING_ASC,
	                           (const unsigned char *)"TINIT-RSSMRA85M01H501Q", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), not_before);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	for (int bit = 0; bit < 9; bit++)
		if (ku & (1u << bit))
			ASN1_BIT_STRING_set_bit(bits, bit, 1);
	ext = X509V3_EXT_i2d(NID_key_usage, 1, bits);
	X509_add_ext(x, ext, -1);
	assert_true(X509_sign(x, key, EVP_sha256()) > 0);
	X509_EXTENSION_free(ext);
	ASN1_BIT_STRING_free(bits);
	X509_NAME_free(n);
	return x;
}

static void signer_init_at(struct signer *s, EVP_PKEY *key, const char *cn, long serial,
                           long not_before)
{
	unsigned char *der = NULL;
	int n;

	memset(s, 0, sizeof(*s));
	s->key = key;
	assert_non_null(key);
	s->cert = make_cert(key, cn, serial, not_before, 1u << 1 /* nonRepudiation */);
	n = i2d_X509(s->cert, &der);
	assert_true(n > 0);
	s->der = der;
	s->der_len = (size_t)n;
}

static void signer_init(struct signer *s, EVP_PKEY *key, const char *cn, long serial)
{
	signer_init_at(s, key, cn, serial, -3600);
}

static void signer_free(struct signer *s)
{
	OPENSSL_free(s->der);
	X509_free(s->cert);
	EVP_PKEY_free(s->key);
}

/* What the card returns: PKCS#1 v1.5 over SHA-256, or ECDSA r||s. */
static int soft_sign(void *ctx, const uint8_t *tbs, size_t n, uint8_t *sig, size_t *sig_len)
{
	struct signer *s = ctx;
	EVP_MD_CTX *md;
	unsigned char der[256];
	size_t len = sizeof(der);

	if (s->fail)
		return s->fail;
	md = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, s->key), 1);
	if (EVP_PKEY_get_base_id(s->key) == EVP_PKEY_RSA) {
		assert_int_equal(EVP_DigestSign(md, sig, sig_len, tbs, n), 1);
	} else {
		const unsigned char *p = der;
		ECDSA_SIG *es;
		assert_int_equal(EVP_DigestSign(md, der, &len, tbs, n), 1);
		es = d2i_ECDSA_SIG(NULL, &p, (long)len);
		assert_non_null(es);
		assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32), 32);
		assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32), 32);
		*sig_len = 64;
		ECDSA_SIG_free(es);
	}
	EVP_MD_CTX_free(md);
	return TOOL_EX_OK;
}

static int sign_with(struct signer *s, const uint8_t *content, size_t n, const uint8_t *existing,
                     size_t existing_len, bool detached, uint8_t **out, size_t *out_len)
{
	struct cades_req r = {
		.content = content, .content_len = n, .existing = existing,
		.existing_len = existing_len, .detached = detached, .cert = s->der,
		.cert_len = s->der_len, .ec = EVP_PKEY_get_base_id(s->key) == EVP_PKEY_EC,
		.sign = soft_sign, .ctx = s,
	};
	return sign_cades(&r, out, out_len);
}

/* OpenSSL's own verdict, signingCertificateV2 included (CMS_CADES, which
 * builds the signer's chain: the self-signed test certificates are trusted). */
static int openssl_verify(const uint8_t *der, size_t n, const uint8_t *content, size_t cn,
                          X509 *t1, X509 *t2)
{
	const unsigned char *p = der;
	CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)n);
	BIO *dc = content ? BIO_new_mem_buf(content, (int)cn) : NULL;
	X509_STORE *st = X509_STORE_new();
	int ok;

	assert_non_null(cms);
	X509_STORE_add_cert(st, t1);
	if (t2)
		X509_STORE_add_cert(st, t2);
	ok = CMS_verify(cms, NULL, st, dc, NULL, CMS_CADES | CMS_BINARY);
	X509_STORE_free(st);
	if (ok != 1)
		ERR_print_errors_fp(stderr);
	BIO_free(dc);
	CMS_ContentInfo_free(cms);
	return ok;
}

static const uint8_t doc[] = "MARKER the document to be signed\n";

static void check_signer_ok(const struct vsigner *s)
{
	assert_true(s->attrs);
	assert_int_equal(s->sig, V_YES);
	assert_int_equal(s->digest, V_YES);
	assert_int_equal(s->scv2, V_YES);
	assert_int_equal(s->valid_then, V_YES);
	assert_true(s->nonrep);
	assert_true(s->time[0] != '\0');
}

static void test_attached_rsa(void **state)
{
	struct signer s;
	struct vreport *r = calloc(1, sizeof(*r));
	uint8_t *out = NULL;
	size_t n = 0;

	(void)state;
	signer_init(&s, EVP_RSA_gen(2048), "RSSMRA85M01H501Q/1", 1);
	assert_int_equal(sign_with(&s, doc, sizeof(doc), NULL, 0, false, &out, &n), TOOL_EX_OK);
	assert_int_equal(openssl_verify(out, n, NULL, 0, s.cert, NULL), 1);
	assert_int_equal(verify_walk(out, n, NULL, 0, NULL, r), 0);
	assert_int_equal(r->n, 1);
	assert_int_equal(r->levels, 1);
	assert_false(r->detached);
	check_signer_ok(&r->s[0]);
	assert_int_equal(r->s[0].chain, V_UNCHECKED);
	assert_memory_equal(r->s[0].cert, s.der, s.der_len);
	assert_int_equal(r->content_len, sizeof(doc));
	assert_memory_equal(r->content, doc, sizeof(doc));
	assert_true(verify_intact(r));
	verify_report_free(r);
	free(r);
	OPENSSL_free(out);
	signer_free(&s);
}

static void test_detached_and_wrong_content(void **state)
{
	struct signer s;
	struct vreport *r = calloc(1, sizeof(*r));
	static const uint8_t other[] = "another document";
	uint8_t *out = NULL;
	size_t n = 0;

	(void)state;
	signer_init(&s, EVP_RSA_gen(2048), "detached", 2);
	assert_int_equal(sign_with(&s, doc, sizeof(doc), NULL, 0, true, &out, &n), TOOL_EX_OK);
	assert_int_equal(openssl_verify(out, n, doc, sizeof(doc), s.cert, NULL), 1);
	/* no content given: not walkable */
	assert_int_equal(verify_walk(out, n, NULL, 0, NULL, r), -1);
	assert_true(r->detached);
	verify_report_free(r);
	assert_int_equal(verify_walk(out, n, doc, sizeof(doc), NULL, r), 0);
	check_signer_ok(&r->s[0]);
	verify_report_free(r);
	assert_int_equal(verify_walk(out, n, other, sizeof(other), NULL, r), 0);
	assert_int_equal(r->s[0].sig, V_YES);     /* the attributes are intact ... */
	assert_int_equal(r->s[0].digest, V_NO);   /* ... but not over this content */
	assert_false(verify_intact(r));
	verify_report_free(r);
	free(r);
	OPENSSL_free(out);
	signer_free(&s);
}

static void test_parallel_and_nested(void **state)
{
	struct signer a, b;
	struct vreport *r = calloc(1, sizeof(*r));
	uint8_t *one = NULL, *two = NULL, *three = NULL, *nest = NULL;
	size_t n1 = 0, n2 = 0, n3 = 0, nn = 0;

	(void)state;
	signer_init(&a, EVP_RSA_gen(2048), "first", 3);
	signer_init(&b, EVP_EC_gen("P-256"), "second", 4);
	assert_int_equal(sign_with(&a, doc, sizeof(doc), NULL, 0, false, &one, &n1), TOOL_EX_OK);
	/* a parallel ECDSA signer, then the first signer again (its
	 * certificate is already there) */
	assert_int_equal(sign_with(&b, NULL, 0, one, n1, false, &two, &n2), TOOL_EX_OK);
	assert_int_equal(sign_with(&a, NULL, 0, two, n2, false, &three, &n3), TOOL_EX_OK);
	assert_int_equal(openssl_verify(three, n3, NULL, 0, a.cert, b.cert), 1);
	assert_int_equal(verify_walk(three, n3, NULL, 0, NULL, r), 0);
	assert_int_equal(r->n, 3);
	assert_int_equal(r->levels, 1);
	for (size_t i = 0; i < 3; i++)
		check_signer_ok(&r->s[i]);
	assert_memory_equal(r->content, doc, sizeof(doc));
	verify_report_free(r);
	/* nested: the .p7m signed again as content */
	assert_int_equal(sign_with(&b, three, n3, NULL, 0, false, &nest, &nn), TOOL_EX_OK);
	assert_int_equal(openssl_verify(nest, nn, NULL, 0, a.cert, b.cert), 1);
	assert_int_equal(verify_walk(nest, nn, NULL, 0, NULL, r), 0);
	assert_int_equal(r->levels, 2);
	assert_int_equal(r->n, 4);
	assert_int_equal(r->s[0].level, 0);
	assert_int_equal(r->s[3].level, 1);
	assert_true(verify_intact(r));
	assert_int_equal(r->content_len, sizeof(doc));
	assert_memory_equal(r->content, doc, sizeof(doc));
	verify_report_free(r);
	free(r);
	OPENSSL_free(one);
	OPENSSL_free(two);
	OPENSSL_free(three);
	OPENSSL_free(nest);
	signer_free(&a);
	signer_free(&b);
}

static void test_card_refuses(void **state)
{
	struct signer s;
	uint8_t *out = (uint8_t *)"x";
	size_t n = 1;

	(void)state;
	signer_init(&s, EVP_RSA_gen(2048), "refused", 5);
	s.fail = TOOL_EX_PIN_WRONG;
	assert_int_equal(sign_with(&s, doc, sizeof(doc), NULL, 0, false, &out, &n), TOOL_EX_PIN_WRONG);
	assert_null(out);
	assert_int_equal(n, 0);
	/* garbage as the file to add a signature to */
	s.fail = 0;
	assert_int_equal(sign_with(&s, NULL, 0, doc, sizeof(doc), false, &out, &n), TOOL_EX_FAIL);
	assert_null(out);
	signer_free(&s);
}

static uint8_t *find(uint8_t *hay, size_t n, const void *needle, size_t m)
{
	return memmem(hay, n, needle, m);
}

static void test_altered_content(void **state)
{
	struct signer s;
	struct vreport *r = calloc(1, sizeof(*r));
	uint8_t *out = NULL, *p;
	size_t n = 0;

	(void)state;
	signer_init(&s, EVP_RSA_gen(2048), "altered", 6);
	assert_int_equal(sign_with(&s, doc, sizeof(doc), NULL, 0, false, &out, &n), TOOL_EX_OK);
	p = find(out, n, "MARKER", 6);
	assert_non_null(p);
	p[0] = 'N';
	assert_int_not_equal(openssl_verify(out, n, NULL, 0, s.cert, NULL), 1);
	assert_int_equal(verify_walk(out, n, NULL, 0, NULL, r), 0);
	assert_int_equal(r->s[0].sig, V_YES);
	assert_int_equal(r->s[0].digest, V_NO);
	assert_false(verify_intact(r));
	verify_report_free(r);
	free(r);
	OPENSSL_free(out);
	signer_free(&s);
}

/* Two certificates for the same key, issuer and serial, differing only in
 * notBefore (same encoded length): the signature verifies with either, the
 * signer is identified as either, signingCertificateV2 names only the first.
 * Swapping the second in must be caught. */
static void test_scv2_names_another_cert(void **state)
{
	struct signer a, b;
	struct vreport *r = calloc(1, sizeof(*r));
	uint8_t *out = NULL, *p;
	size_t n = 0;

	(void)state;
	signer_init(&a, EVP_RSA_gen(2048), "SAMECN-A", 7);
	EVP_PKEY_up_ref(a.key);
	signer_init_at(&b, a.key, "SAMECN-A", 7, -7200);
	assert_int_equal(a.der_len, b.der_len);
	assert_true(memcmp(a.der, b.der, a.der_len) != 0);
	assert_int_equal(sign_with(&a, doc, sizeof(doc), NULL, 0, false, &out, &n), TOOL_EX_OK);
	p = find(out, n, a.der, a.der_len);
	assert_non_null(p);
	memcpy(p, b.der, b.der_len);
	assert_int_not_equal(openssl_verify(out, n, NULL, 0, b.cert, NULL), 1);
	assert_int_equal(verify_walk(out, n, NULL, 0, NULL, r), 0);
	assert_int_equal(r->s[0].sig, V_YES);
	assert_int_equal(r->s[0].digest, V_YES);
	assert_int_equal(r->s[0].scv2, V_NO);
	assert_false(verify_intact(r));
	verify_report_free(r);
	free(r);
	OPENSSL_free(out);
	signer_free(&a);
	signer_free(&b);
}

static void test_bad_input_and_base64(void **state)
{
	struct signer s;
	struct vreport *r = calloc(1, sizeof(*r));
	uint8_t *out = NULL;
	size_t n = 0;
	BIO *b64 = BIO_push(BIO_new(BIO_f_base64()), BIO_new(BIO_s_mem()));
	BUF_MEM *mem;

	(void)state;
	signer_init(&s, EVP_RSA_gen(2048), "b64", 8);
	assert_int_equal(sign_with(&s, doc, sizeof(doc), NULL, 0, false, &out, &n), TOOL_EX_OK);
	for (size_t cut = 0; cut < n; cut += n / 7 + 1) {
		assert_int_equal(verify_walk(out, cut, NULL, 0, NULL, r), -1);
		assert_true(r->err[0] != '\0');
		verify_report_free(r);
	}
	assert_int_equal(verify_walk(doc, sizeof(doc), NULL, 0, NULL, r), -1);
	verify_report_free(r);
	assert_int_equal(BIO_write(b64, out, (int)n), (int)n);
	assert_int_equal(BIO_flush(b64), 1);
	BIO_get_mem_ptr(BIO_next(b64), &mem);
	assert_int_equal(verify_walk((uint8_t *)mem->data, mem->length, NULL, 0, NULL, r), 0);
	assert_true(verify_intact(r));
	verify_report_free(r);
	BIO_free_all(b64);
	free(r);
	OPENSSL_free(out);
	signer_free(&s);
}

static void test_chain_with_store(void **state)
{
	struct signer s, other;
	struct vreport *r = calloc(1, sizeof(*r));
	X509_STORE *st = X509_STORE_new(), *wrong = X509_STORE_new();
	uint8_t *out = NULL;
	size_t n = 0;

	(void)state;
	signer_init(&s, EVP_RSA_gen(2048), "self-signed", 9);
	signer_init(&other, EVP_RSA_gen(2048), "someone else", 10);
	X509_STORE_add_cert(st, s.cert);
	X509_STORE_add_cert(wrong, other.cert);
	assert_int_equal(sign_with(&s, doc, sizeof(doc), NULL, 0, false, &out, &n), TOOL_EX_OK);
	assert_int_equal(verify_walk(out, n, NULL, 0, st, r), 0);
	assert_int_equal(r->s[0].chain, V_YES);
	verify_report_free(r);
	assert_int_equal(verify_walk(out, n, NULL, 0, wrong, r), 0);
	assert_int_equal(r->s[0].chain, V_NO);
	assert_true(r->s[0].chain_err[0] != '\0');
	assert_true(verify_intact(r));    /* intact, only untrusted */
	verify_report_free(r);
	X509_STORE_free(st);
	X509_STORE_free(wrong);
	free(r);
	OPENSSL_free(out);
	signer_free(&s);
	signer_free(&other);
}

static void test_write_whole_or_nothing(void **state)
{
	char dir[] = "/tmp/carta-sign-test.XXXXXX", path[128], bad[160];
	uint8_t *back = NULL;
	size_t n = 0;
	struct stat sb;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out.p7m", dir);
	assert_int_equal(sign_write_file(path, doc, sizeof(doc)), TOOL_EX_OK);
	assert_int_equal(sign_read_file(path, &back, &n), TOOL_EX_OK);
	assert_int_equal(n, sizeof(doc));
	assert_memory_equal(back, doc, n);
	free(back);
	assert_int_equal(stat(path, &sb), 0);
	{
		mode_t mask = umask(022);
		umask(mask);
		/* as any new file under the umask, not mkstemp's 0600 */
		assert_int_equal(sb.st_mode & 0777, 0666 & ~mask);
	}
	/* a directory that does not exist: an error, and nothing anywhere */
	snprintf(bad, sizeof(bad), "%s/missing/out.p7m", dir);
	assert_int_equal(sign_write_file(bad, doc, sizeof(doc)), TOOL_EX_FAIL);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);   /* empty: no temporary file left */
	assert_true(sign_has_suffix("a.P7M", ".p7m"));
	assert_false(sign_has_suffix("p7m", ".p7m"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attached_rsa),
		cmocka_unit_test(test_detached_and_wrong_content),
		cmocka_unit_test(test_parallel_and_nested),
		cmocka_unit_test(test_card_refuses),
		cmocka_unit_test(test_altered_content),
		cmocka_unit_test(test_scv2_names_another_cert),
		cmocka_unit_test(test_bad_input_and_base64),
		cmocka_unit_test(test_chain_with_store),
		cmocka_unit_test(test_write_whole_or_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
