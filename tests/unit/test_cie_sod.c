/* SPDX-License-Identifier: BSD-3-Clause */
/* EF.SOD parsing (src/crypto/sod.c, docs/reference/cie.md 3.7 and 9) and the CIE
 * certificate cache (src/cards/cie/cie_cache.c). The test SODs are real CMS
 * SignedData made here with OpenSSL (test fixture only), with data-group
 * numbers encoded as 02 01 A1 (what real cards do) and 02 02 00 A1 (DER). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include "cards/cie/cie.h"
#include "crypto/sod.h"
#include "crypto/tools/tools.h"
#include "util/tlv.h"

static struct carta_tk_key *key;
static struct carta_buf cert;     /* DS certificate, also the "holder" cert */
static EVP_PKEY *pkey;
static X509 *x509;

static int setup(void **state)
{
	static const struct carta_tk_name_entry subj[] = { { "CN", "Test DS" } };
	struct carta_tk_cert_spec spec;
	struct carta_buf pem = { 0 };
	const unsigned char *p;
	BIO *b;

	(void)state;
	assert_int_equal(carta_tk_rsa_from_seed("cie-sod-test", 1024, &key), CARTA_OK);
	memset(&spec, 0, sizeof(spec));
	spec.subject = subj;
	spec.n_subject = 1;
	spec.subject_key = key;
	spec.issuer_key = key;
	spec.serial = 7;
	spec.not_before = 1700000000;
	spec.not_after = 2000000000;
	assert_int_equal(carta_tk_make_cert(&spec, &cert), CARTA_OK);
	assert_int_equal(carta_tk_key_pem(key, &pem), CARTA_OK);
	b = BIO_new_mem_buf(pem.p, (int)pem.len);
	pkey = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	p = cert.p;
	x509 = d2i_X509(NULL, &p, (long)cert.len);
	assert_non_null(pkey);
	assert_non_null(x509);
	carta_buf_free(&pem);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(pkey);
	X509_free(x509);
	carta_tk_key_free(key);
	carta_buf_free(&cert);
	return 0;
}

struct dg {
	unsigned num;
	const uint8_t *data;
	size_t len;
};

/* LDSSecurityObject with the given hash; long_int: 02 02 00 A1 form. */
static void make_lds(enum carta_hash h, bool long_int, const struct dg *dgs, size_t n,
                     struct carta_buf *out)
{
	static const uint8_t oid256[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
		                          0x03, 0x04, 0x02, 0x01 };
	struct carta_buf alg = { 0 }, list = { 0 }, body = { 0 };
	uint8_t v0[] = { 0x02, 0x01, 0x00 };

	assert_int_equal(carta_buf_append(&alg, oid256, sizeof(oid256)), CARTA_OK);
	if (h == CARTA_HASH_SHA512)
		alg.p[10] = 0x03;   /* 2.16.840.1.101.3.4.2.3 */
	for (size_t i = 0; i < n; i++) {
		struct carta_buf e = { 0 };
		uint8_t hv[64], num[4] = { 0x02, 0x01, (uint8_t)dgs[i].num };
		size_t hl;

		if (long_int && dgs[i].num >= 0x80) {
			num[1] = 0x02;
			num[2] = 0x00;
			num[3] = (uint8_t)dgs[i].num;
		}
		assert_int_equal(carta_digest(h, dgs[i].data, dgs[i].len, hv, sizeof(hv), &hl),
		                 CARTA_OK);
		assert_int_equal(carta_buf_append(&e, num, 2u + num[1]), CARTA_OK);
		assert_int_equal(carta_tlv_put(&e, 0x04, hv, hl), CARTA_OK);
		assert_int_equal(carta_tlv_put(&list, 0x30, e.p, e.len), CARTA_OK);
		carta_buf_free(&e);
	}
	assert_int_equal(carta_buf_append(&body, v0, sizeof(v0)), CARTA_OK);
	assert_int_equal(carta_tlv_put(&body, 0x30, alg.p, alg.len), CARTA_OK);
	assert_int_equal(carta_tlv_put(&body, 0x30, list.p, list.len), CARTA_OK);
	carta_buf_clear(out);
	assert_int_equal(carta_tlv_put(out, 0x30, body.p, body.len), CARTA_OK);
	carta_buf_free(&alg);
	carta_buf_free(&list);
	carta_buf_free(&body);
}

/* CMS SignedData over the LDS object, eContentType 2.23.136.1.1.1, wrapped
 * in 77 when wrap is set. */
static void make_sod(const struct carta_buf *lds, const char *ctype, bool wrap,
                     struct carta_buf *out)
{
	BIO *in = BIO_new_mem_buf(lds->p, (int)lds->len);
	CMS_ContentInfo *cms;
	ASN1_OBJECT *type = OBJ_txt2obj(ctype, 1);
	unsigned char *der = NULL;
	int len;

	cms = CMS_sign(x509, pkey, NULL, NULL, CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP);
	assert_non_null(cms);
	assert_non_null(type);
	assert_int_equal(CMS_set1_eContentType(cms, type), 1);
	ASN1_OBJECT_free(type);
	assert_int_equal(CMS_final(cms, in, NULL, CMS_BINARY), 1);
	len = i2d_CMS_ContentInfo(cms, &der);
	assert_true(len > 0);
	carta_buf_clear(out);
	if (wrap)
		assert_int_equal(carta_tlv_put(out, 0x77, der, (size_t)len), CARTA_OK);
	else
		assert_int_equal(carta_buf_append(out, der, (size_t)len), CARTA_OK);
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
}

static const uint8_t nis[] = "123456789012";

static void check_sod(enum carta_hash h, bool long_int, bool wrap)
{
	struct dg dgs[] = { { 0xa1, nis, 12 }, { 0xa3, NULL, 0 }, { 0x1b, nis, 3 } };
	struct carta_buf lds = { 0 }, sod = { 0 };
	struct carta_sod s;
	uint8_t zeros[300] = { 0 };

	dgs[1].data = cert.p;
	dgs[1].len = cert.len;
	make_lds(h, long_int, dgs, 3, &lds);
	make_sod(&lds, "2.23.136.1.1.1", wrap, &sod);
	/* the file may be padded after the object */
	assert_int_equal(carta_buf_append(&sod, zeros, sizeof(zeros)), CARTA_OK);
	assert_int_equal(carta_sod_parse(sod.p, sod.len, &s), CARTA_OK);
	assert_int_equal(s.alg, h);
	assert_int_equal(s.n, 3);
	assert_true(s.signature_ok);
	assert_non_null(carta_sod_find(&s, 0xa1));
	assert_non_null(carta_sod_find(&s, 0x1b));
	assert_null(carta_sod_find(&s, 0xa2));
	assert_int_equal(carta_sod_match(&s, 0xa1, nis, 12), CARTA_OK);
	assert_int_equal(carta_sod_match(&s, 0xa3, cert.p, cert.len), CARTA_OK);
	assert_int_equal(carta_sod_match(&s, 0xa1, nis, 11), CARTA_E_CRYPTO);
	assert_int_equal(carta_sod_match(&s, 0xa3, nis, 12), CARTA_E_CRYPTO);
	assert_int_equal(carta_sod_match(&s, 0xa5, nis, 12), CARTA_E_FILE_NOT_FOUND);
	assert_int_equal(carta_cie_sod_check(sod.p, sod.len, 0xa3, cert.p, cert.len), CARTA_OK);
	carta_buf_free(&lds);
	carta_buf_free(&sod);
}

static void test_sod_real_card_int(void **state)
{
	(void)state;
	check_sod(CARTA_HASH_SHA256, false, true);
	check_sod(CARTA_HASH_SHA512, false, false);
}

static void test_sod_der_int(void **state)
{
	(void)state;
	check_sod(CARTA_HASH_SHA256, true, false);
	check_sod(CARTA_HASH_SHA512, true, true);
}

static void test_sod_rejects(void **state)
{
	struct dg dgs[] = { { 0xa1, nis, 12 } };
	struct carta_buf lds = { 0 }, sod = { 0 };
	struct carta_sod s;
	uint8_t junk[64];
	size_t i;

	(void)state;
	memset(junk, 0x30, sizeof(junk));
	assert_int_equal(carta_sod_parse(junk, sizeof(junk), &s), CARTA_E_PARSE);
	assert_int_equal(carta_sod_parse(junk, 0, &s), CARTA_E_PARSE);
	/* a SignedData that is not an LDS Security Object */
	make_lds(CARTA_HASH_SHA256, false, dgs, 1, &lds);
	make_sod(&lds, "1.2.840.113549.1.7.1", true, &sod);
	assert_int_equal(carta_sod_parse(sod.p, sod.len, &s), CARTA_E_PARSE);
	/* a changed hash inside a signed SOD: parsed, but the signature fails */
	make_sod(&lds, "2.23.136.1.1.1", true, &sod);
	for (i = 0; i + 2 < sod.len; i++)
		if (sod.p[i] == 0x04 && sod.p[i + 1] == 0x20 && i > 3 && sod.p[i - 1] == 0xa1)
			break;
	assert_true(i + 2 < sod.len);
	sod.p[i + 2] ^= 0x01;
	assert_int_equal(carta_sod_parse(sod.p, sod.len, &s), CARTA_OK);
	assert_false(s.signature_ok);
	assert_int_equal(carta_sod_match(&s, 0xa1, nis, 12), CARTA_E_CRYPTO);
	/* truncated */
	assert_int_equal(carta_sod_parse(sod.p, sod.len / 2, &s), CARTA_E_PARSE);
	carta_buf_free(&lds);
	carta_buf_free(&sod);
}

/* ---- certificate cache ---- */

static void sod_for_cert(struct carta_buf *sod)
{
	struct dg dgs[] = { { 0xa1, nis, 12 }, { 0xa3, NULL, 0 } };
	struct carta_buf lds = { 0 };

	dgs[1].data = cert.p;
	dgs[1].len = cert.len;
	make_lds(CARTA_HASH_SHA256, false, dgs, 2, &lds);
	make_sod(&lds, "2.23.136.1.1.1", true, sod);
	carta_buf_free(&lds);
}

static void test_cache(void **state)
{
	char dir[] = "/tmp/carta-cie-cache-XXXXXX", path[512], cmd[600];
	struct carta_buf sod = { 0 }, got = { 0 };
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/xdg", dir);
	setenv("XDG_CACHE_HOME", path, 1);
	sod_for_cert(&sod);
	/* missing */
	assert_int_equal(carta_cie_cache_load("123456789012", sod.p, sod.len, &got),
	                 CARTA_E_FILE_NOT_FOUND);
	assert_int_equal(got.len, 0);
	/* stored: 0700 directories, 0600 file, no temporary left */
	assert_int_equal(carta_cie_cache_store("123456789012", cert.p, cert.len), CARTA_OK);
	assert_int_equal(carta_cie_cache_path("123456789012", path, sizeof(path)), CARTA_OK);
	assert_non_null(strstr(path, "/xdg/carta/cie-123456789012.der"));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(cmd, sizeof(cmd), "test $(ls %s/xdg/carta | wc -l) -eq 1", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s/xdg/carta", dir);
	assert_int_equal(stat(cmd, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* valid */
	assert_int_equal(carta_cie_cache_load("123456789012", sod.p, sod.len, &got), CARTA_OK);
	assert_int_equal(got.len, cert.len);
	assert_memory_equal(got.p, cert.p, cert.len);
	/* another card's SOD (same card number, other certificate): refused */
	{
		struct dg dgs[] = { { 0xa3, nis, 12 } };
		struct carta_buf lds = { 0 }, other = { 0 };

		make_lds(CARTA_HASH_SHA256, false, dgs, 1, &lds);
		make_sod(&lds, "2.23.136.1.1.1", true, &other);
		assert_int_equal(carta_cie_cache_load("123456789012", other.p, other.len, &got),
		                 CARTA_E_CRYPTO);
		assert_int_equal(got.len, 0);
		carta_buf_free(&lds);
		carta_buf_free(&other);
	}
	/* tampered on disk: refused */
	f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, 40, SEEK_SET), 0);
	assert_true(fputc(cert.p[40] ^ 0x80, f) != EOF);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(carta_cie_cache_load("123456789012", sod.p, sod.len, &got),
	                 CARTA_E_CRYPTO);
	assert_int_equal(got.len, 0);
	/* appended bytes: not a single DER object, refused */
	assert_int_equal(carta_cie_cache_store("123456789012", cert.p, cert.len), CARTA_OK);
	f = fopen(path, "ab");
	assert_non_null(f);
	fputc(0, f);
	fclose(f);
	assert_int_equal(carta_cie_cache_load("123456789012", sod.p, sod.len, &got),
	                 CARTA_E_PARSE);
	/* a NIS is 12 digits: nothing else reaches the file system */
	assert_int_equal(carta_cie_cache_path("../../etc/x", path, sizeof(path)), CARTA_E_ARGS);
	assert_int_equal(carta_cie_cache_store("12345678901", cert.p, cert.len), CARTA_E_ARGS);
	/* relative XDG_CACHE_HOME is ignored: ~/.cache/carta */
	setenv("XDG_CACHE_HOME", "relative", 1);
	setenv("HOME", dir, 1);
	assert_int_equal(carta_cie_cache_path("123456789012", path, sizeof(path)), CARTA_OK);
	snprintf(cmd, sizeof(cmd), "%s/.cache/carta/cie-123456789012.der", dir);
	assert_string_equal(path, cmd);
	assert_int_equal(carta_cie_cache_store("123456789012", cert.p, cert.len), CARTA_OK);
	assert_int_equal(carta_cie_cache_load("123456789012", sod.p, sod.len, &got), CARTA_OK);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	carta_buf_free(&sod);
	carta_buf_free(&got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sod_real_card_int),
		cmocka_unit_test(test_sod_der_int),
		cmocka_unit_test(test_sod_rejects),
		cmocka_unit_test(test_cache),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
