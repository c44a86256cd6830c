/* SPDX-License-Identifier: BSD-3-Clause */
/* tools/carta-tool/tsl.c: trusted lists (ETSI TS 119 612) built here around
 * certificates made here. Only the certificates of the current
 * ServiceInformation of a CA/QC service in status granted come out: not
 * those of a withdrawn service (the list stays usable), of another service
 * type, of the service's history, or of the list's own ds:Signature;
 * malformed XML, a foreign namespace, a DOCTYPE, a list without CA/QC
 * service or without a readable certificate are refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "tsl.h"

#define NS "http://uri.etsi.org/02231/v2#"
#define CA_QC "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
#define QTST "http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST"
#define GRANTED "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
#define WITHDRAWN "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn"

static X509 *certs[3];
static char *b64[3];         /* base64 of each, broken in 64-column lines */

static X509 *make_ca(const char *cn)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	assert_non_null(k);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, n);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	X509_NAME_free(n);
	EVP_PKEY_free(k);
	return x;
}

static char *to_b64(X509 *x)
{
	unsigned char *der = NULL;
	int n = i2d_X509(x, &der);
	size_t enc_len = (size_t)(n + 2) / 3 * 4;
	char *enc = malloc(enc_len + 1), *out = malloc(enc_len + enc_len / 64 + 2);
	size_t o = 0;

	assert_true(n > 0 && enc && out);
	EVP_EncodeBlock((unsigned char *)enc, der, n);
	for (size_t i = 0; i < enc_len; i++) {
		out[o++] = enc[i];
		if (i % 64 == 63)
			out[o++] = '\n';
	}
	out[o] = '\0';
	OPENSSL_free(der);
	free(enc);
	return out;
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		char cn[32];
		snprintf(cn, sizeof(cn), "carta test CA %d", i);
		certs[i] = make_ca(cn);
		b64[i] = to_b64(certs[i]);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++) {
		X509_free(certs[i]);
		free(b64[i]);
	}
	return 0;
}

/* One TSPService: its type, status and X509Certificate values, and a
 * ServiceHistory entry carrying certificate 2 in status granted. */
static void service(char *out, size_t cap, const char *type, const char *status, const char *c1,
                    const char *c2)
{
	snprintf(out, cap,
	         "<tsl:TSPService><tsl:ServiceInformation>"
	         "<tsl:ServiceTypeIdentifier>%s</tsl:ServiceTypeIdentifier>"
	         "<tsl:ServiceName><tsl:Name xml:lang=\"en\">test</tsl:Name></tsl:ServiceName>"
	         "<tsl:ServiceDigitalIdentity>"
	         "<tsl:DigitalId><tsl:X509Certificate>%s</tsl:X509Certificate></tsl:DigitalId>"
	         "<tsl:DigitalId><tsl:X509SubjectName>CN=x</tsl:X509SubjectName></tsl:DigitalId>"
	         "%s%s%s"
	         "</tsl:ServiceDigitalIdentity>"
	         "<tsl:ServiceStatus>\n  %s\n</tsl:ServiceStatus>"
	         "<tsl:StatusStartingTime>2020-01-01T00:00:00Z</tsl:StatusStartingTime>"
	         "</tsl:ServiceInformation>"
	         "<tsl:ServiceHistory><tsl:ServiceHistoryInstance>"
	         "<tsl:ServiceTypeIdentifier>" CA_QC "</tsl:ServiceTypeIdentifier>"
	         "<tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>%s"
	         "</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>"
	         "<tsl:ServiceStatus>" GRANTED "</tsl:ServiceStatus>"
	         "</tsl:ServiceHistoryInstance></tsl:ServiceHistory>"
	         "</tsl:TSPService>",
	         type, c1, c2 ? "<tsl:DigitalId><tsl:X509Certificate>" : "", c2 ? c2 : "",
	         c2 ? "</tsl:X509Certificate></tsl:DigitalId>" : "", status, b64[2]);
}

/* A list with the given services, and a ds:Signature holding certificate 2. */
static char *list(const char *ns, const char *svc)
{
	size_t cap = strlen(svc) + 4096;
	char *out = malloc(cap);

	assert_non_null(out);
	snprintf(out, cap,
	         "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	         "<tsl:TrustServiceStatusList xmlns:tsl=\"%s\" "
	         "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" TSLTag=\"http://uri.etsi.org/19612/TSLTag\">"
	         "<tsl:SchemeInformation><tsl:TSLVersionIdentifier>5</tsl:TSLVersionIdentifier>"
	         "<tsl:SchemeTerritory>IT</tsl:SchemeTerritory></tsl:SchemeInformation>"
	         "<tsl:TrustServiceProviderList><tsl:TrustServiceProvider>"
	         "<tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang=\"it\">prova</tsl:Name></tsl:TSPName>"
	         "</tsl:TSPInformation><tsl:TSPServices>%s</tsl:TSPServices>"
	         "</tsl:TrustServiceProvider></tsl:TrustServiceProviderList>"
	         "<ds:Signature><ds:KeyInfo><ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate>"
	         "</ds:X509Data></ds:KeyInfo></ds:Signature>"
	         "</tsl:TrustServiceStatusList>\n",
	         ns, svc, b64[2]);
	return out;
}

static int read_list(const char *xml, struct tsl_anchors *a)
{
	int rc = tsl_anchors_read((const uint8_t *)xml, strlen(xml), a);

	assert_non_null(a->certs);
	if (rc != 0) {
		assert_int_equal(sk_X509_num(a->certs), 0);
		assert_true(a->err[0] != '\0');
		assert_non_null(memchr(a->err, '\0', sizeof(a->err)));
	}
	return rc;
}

static void granted_ca_only(void **state)
{
	char svc[2][8192], both[16384];
	struct tsl_anchors a;
	char *xml;

	(void)state;
	service(svc[0], sizeof(svc[0]), CA_QC, GRANTED, b64[0], NULL);
	service(svc[1], sizeof(svc[1]), QTST, GRANTED, b64[1], NULL);
	snprintf(both, sizeof(both), "%s%s", svc[0], svc[1]);
	xml = list(NS, both);
	assert_true(tsl_looks_xml((const uint8_t *)xml, strlen(xml)));
	assert_int_equal(read_list(xml, &a), 0);
	/* certificate 0 alone: not the QTST's (1), not the history's or the
	 * list signature's (2) */
	assert_int_equal(sk_X509_num(a.certs), 1);
	assert_int_equal(X509_cmp(sk_X509_value(a.certs, 0), certs[0]), 0);
	assert_int_equal(a.ca_qc, 1);
	assert_int_equal(a.not_granted, 0);
	assert_int_equal(a.bad_certs, 0);
	tsl_anchors_free(&a);
	assert_null(a.certs);
	free(xml);
}

static void two_certs_one_service(void **state)
{
	char svc[12288];
	struct tsl_anchors a;
	char *xml;

	(void)state;
	service(svc, sizeof(svc), CA_QC, GRANTED, b64[0], b64[1]);
	xml = list(NS, svc);
	assert_int_equal(read_list(xml, &a), 0);
	assert_int_equal(sk_X509_num(a.certs), 2);
	assert_int_equal(X509_cmp(sk_X509_value(a.certs, 0), certs[0]), 0);
	assert_int_equal(X509_cmp(sk_X509_value(a.certs, 1), certs[1]), 0);
	tsl_anchors_free(&a);
	free(xml);
}

/* A withdrawn service: the list is valid, its certificate is read and is
 * no anchor; with a granted service beside it, only the granted one is. */
static void withdrawn_not_anchor(void **state)
{
	char svc[2][8192], both[16384];
	struct tsl_anchors a;
	char *xml;

	(void)state;
	service(svc[0], sizeof(svc[0]), CA_QC, WITHDRAWN, b64[0], NULL);
	service(svc[1], sizeof(svc[1]), CA_QC, GRANTED, b64[1], NULL);
	xml = list(NS, svc[0]);
	assert_int_equal(read_list(xml, &a), 0);
	assert_int_equal(sk_X509_num(a.certs), 0);
	assert_int_equal(a.ca_qc, 1);
	assert_int_equal(a.not_granted, 1);
	assert_int_equal(a.not_granted_certs, 1);
	tsl_anchors_free(&a);
	free(xml);
	snprintf(both, sizeof(both), "%s%s", svc[0], svc[1]);
	xml = list(NS, both);
	assert_int_equal(read_list(xml, &a), 0);
	assert_int_equal(sk_X509_num(a.certs), 1);
	assert_int_equal(X509_cmp(sk_X509_value(a.certs, 0), certs[1]), 0);
	assert_int_equal(a.ca_qc, 2);
	assert_int_equal(a.not_granted, 1);
	tsl_anchors_free(&a);
	free(xml);
}

static void other_type_refused(void **state)
{
	char svc[8192];
	struct tsl_anchors a;
	char *xml;

	(void)state;
	service(svc, sizeof(svc), QTST, GRANTED, b64[0], NULL);
	xml = list(NS, svc);
	assert_int_equal(read_list(xml, &a), -1);
	assert_int_equal(a.ca_qc, 0);
	assert_non_null(strstr(a.err, "no CA/QC service"));
	tsl_anchors_free(&a);
	free(xml);
}

/* Not base64, base64 of no certificate, a certificate with a byte after
 * it: each one counted and skipped; the good one is kept. */
static void bad_certificates_skipped(void **state)
{
	char svc[4][12288], all[4 * 12288], trailing[4096];
	struct tsl_anchors a;
	unsigned char *der = NULL, *buf;
	int n = i2d_X509(certs[1], &der);
	char *xml;

	(void)state;
	buf = malloc((size_t)n + 1);
	memcpy(buf, der, (size_t)n);
	buf[n] = 0;
	EVP_EncodeBlock((unsigned char *)trailing, buf, n + 1);
	service(svc[0], sizeof(svc[0]), CA_QC, GRANTED, "!!not base64!!", NULL);
	service(svc[1], sizeof(svc[1]), CA_QC, GRANTED, "AAAA", NULL);
	service(svc[2], sizeof(svc[2]), CA_QC, GRANTED, trailing, NULL);
	service(svc[3], sizeof(svc[3]), CA_QC, GRANTED, b64[0], NULL);
	snprintf(all, sizeof(all), "%s%s%s", svc[0], svc[1], svc[2]);
	xml = list(NS, all);
	assert_int_equal(read_list(xml, &a), -1);
	assert_int_equal(a.bad_certs, 3);
	assert_string_equal(a.err, "no readable certificate in its CA/QC services");
	assert_int_equal(a.ca_qc, 3);
	tsl_anchors_free(&a);
	free(xml);
	snprintf(all, sizeof(all), "%s%s%s%s", svc[0], svc[1], svc[2], svc[3]);
	xml = list(NS, all);
	assert_int_equal(read_list(xml, &a), 0);
	assert_int_equal(a.bad_certs, 3);
	assert_int_equal(sk_X509_num(a.certs), 1);
	assert_int_equal(X509_cmp(sk_X509_value(a.certs, 0), certs[0]), 0);
	tsl_anchors_free(&a);
	free(xml);
	OPENSSL_free(der);
	free(buf);
}

static void malformed_refused(void **state)
{
	char svc[8192];
	struct tsl_anchors a;
	char *xml;

	(void)state;
	service(svc, sizeof(svc), CA_QC, GRANTED, b64[0], NULL);
	xml = list(NS, svc);
	xml[strlen(xml) / 2] = '\0';           /* cut in the middle */
	assert_int_equal(read_list(xml, &a), -1);
	assert_string_equal(a.err, "not well-formed XML");
	/* where libxml2 saw the end: inside the list, past its first line */
	assert_int_equal(strncmp(a.detail, "line ", 5), 0);
	assert_true(atoi(a.detail + 5) > 1);
	tsl_anchors_free(&a);
	assert_int_equal(read_list("<a><b></a>", &a), -1);
	assert_string_equal(a.err, "not well-formed XML");
	assert_non_null(strstr(a.detail, "line 1: "));
	tsl_anchors_free(&a);
	assert_int_equal(read_list("", &a), -1);
	tsl_anchors_free(&a);
	free(xml);
}

/* The same elements in another namespace (or none) are not a trusted list. */
static void foreign_namespace_refused(void **state)
{
	char svc[8192];
	struct tsl_anchors a;
	char *xml;

	(void)state;
	service(svc, sizeof(svc), CA_QC, GRANTED, b64[0], NULL);
	xml = list("http://example.org/not-etsi#", svc);
	assert_int_equal(read_list(xml, &a), -1);
	assert_non_null(strstr(a.err, "not an ETSI TS 119 612 trusted list"));
	tsl_anchors_free(&a);
	free(xml);
}

/* Entities would let a small file expand without bound; a list has no DTD. */
static void doctype_refused(void **state)
{
	static const char xml[] =
		"<?xml version=\"1.0\"?><!DOCTYPE tsl:TrustServiceStatusList ["
		"<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
		"<tsl:TrustServiceStatusList xmlns:tsl=\"" NS "\">&b;</tsl:TrustServiceStatusList>";
	struct tsl_anchors a;

	(void)state;
	assert_int_equal(read_list(xml, &a), -1);
	assert_non_null(strstr(a.err, "DOCTYPE"));
	tsl_anchors_free(&a);
}

static void looks_xml(void **state)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n";
	static const char blank[] = " \r\n\t";
	static const char xml[] = "\n  <tsl:TrustServiceStatusList/>";

	(void)state;
	assert_false(tsl_looks_xml((const uint8_t *)pem, strlen(pem)));
	assert_false(tsl_looks_xml((const uint8_t *)blank, strlen(blank)));
	assert_false(tsl_looks_xml((const uint8_t *)"", 0));
	assert_false(tsl_looks_xml((const uint8_t *)"\x30\x82", 2));     /* DER */
	assert_true(tsl_looks_xml((const uint8_t *)xml, strlen(xml)));
	assert_true(tsl_looks_xml((const uint8_t *)"\xEF\xBB\xBF<?xml", 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(granted_ca_only),
		cmocka_unit_test(two_certs_one_service),
		cmocka_unit_test(withdrawn_not_anchor),
		cmocka_unit_test(other_type_refused),
		cmocka_unit_test(bad_certificates_skipped),
		cmocka_unit_test(malformed_refused),
		cmocka_unit_test(foreign_namespace_refused),
		cmocka_unit_test(doctype_refused),
		cmocka_unit_test(looks_xml),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
