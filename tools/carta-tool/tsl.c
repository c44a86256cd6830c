/* SPDX-License-Identifier: BSD-3-Clause */
/* A trusted list as trust anchors (carta-tool verify --ca LIST.xml).
 * libxml2 parses; OpenSSL decodes the base64 and the certificates. This
 * file only follows the path of ETSI TS 119 612 V2.2.1, clause 5 (the
 * namespace "http://uri.etsi.org/02231/v2#" is inherited from ETSI TS
 * 102 231; the lists AgID and the other member states publish, TSL version 5):
 *
 *   TrustServiceStatusList / TrustServiceProviderList / TrustServiceProvider
 *     / TSPServices / TSPService / ServiceInformation
 *       ServiceTypeIdentifier (5.5.1)   .../Svctype/CA/QC: issues qualified certificates
 *       ServiceDigitalIdentity (5.5.3)  / DigitalId / X509Certificate (base64 DER)
 *       ServiceStatus (5.5.4)           .../Svcstatus/granted or .../withdrawn
 *
 * Only the current ServiceInformation counts: ServiceHistory (5.6) is not
 * read, so a CA withdrawn today is not an anchor even for a signature made
 * while it was granted (verify reports it untrusted, never the reverse).
 * The list's own XML signature (ds:Signature, its certificate included) is
 * neither read nor checked: the user takes the file from AgID over HTTPS. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "tsl.h"

#define TSL_NS "http://uri.etsi.org/02231/v2#"
#define SVC_CA_QC "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
#define STATUS_GRANTED "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
/* a certificate's base64; a CA certificate is a few KiB */
#define TSL_MAX_TEXT 65536

static void set_err(struct tsl_anchors *a, const char *msg)
{
	snprintf(a->err, sizeof(a->err), "%s", msg);
}

bool tsl_looks_xml(const uint8_t *in, size_t n)
{
	size_t i = 0;

	if (n >= 3 && in[0] == 0xEF && in[1] == 0xBB && in[2] == 0xBF)
		i = 3;
	while (i < n && (in[i] == ' ' || in[i] == '\t' || in[i] == '\r' || in[i] == '\n'))
		i++;
	return i < n && in[i] == '<';
}

static bool is_el(const xmlNode *x, const char *name)
{
	return x->type == XML_ELEMENT_NODE && x->ns && x->ns->href &&
	       strcmp((const char *)x->ns->href, TSL_NS) == 0 &&
	       strcmp((const char *)x->name, name) == 0;
}

static const xmlNode *child(const xmlNode *x, const char *name)
{
	for (const xmlNode *c = x ? x->children : NULL; c; c = c->next)
		if (is_el(c, name))
			return c;
	return NULL;
}

/* The element's own text and CDATA, blanks dropped, at most cap-1 bytes:
 * entity references are not followed (a list has no DTD, see parse()). */
static bool text(const xmlNode *x, char *out, size_t cap)
{
	size_t n = 0;

	for (const xmlNode *c = x ? x->children : NULL; c; c = c->next) {
		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) || !c->content)
			continue;
		for (const xmlChar *p = c->content; *p; p++) {
			if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
				continue;
			if (n + 1 >= cap)
				return false;
			out[n++] = (char)*p;
		}
	}
	out[n] = '\0';
	return true;
}

static bool text_is(const xmlNode *x, const char *want)
{
	char buf[256];

	return x && text(x, buf, sizeof(buf)) && strcmp(buf, want) == 0;
}

/* One X509Certificate: base64 of a whole DER certificate, nothing after it. */
static X509 *decode_cert(const char *b64)
{
	size_t len = strlen(b64);
	unsigned char *der;
	const unsigned char *p;
	X509 *x = NULL;
	int n;

	if (len == 0 || len % 4 != 0 || len > INT_MAX)
		return NULL;
	der = malloc(len / 4 * 3);
	if (!der)
		return NULL;
	n = EVP_DecodeBlock(der, (const unsigned char *)b64, (int)len);
	/* EVP_DecodeBlock counts the padding as zero bytes */
	if (n > 0 && b64[len - 1] == '=')
		n -= b64[len - 2] == '=' ? 2 : 1;
	p = der;
	if (n > 0)
		x = d2i_X509(NULL, &p, n);
	if (x && p != der + n) {
		X509_free(x);
		x = NULL;
	}
	free(der);
	return x;
}

/* Each X509Certificate of a ServiceDigitalIdentity: an anchor when the
 * service is granted, else only counted (the list is still usable). */
static void take_certs(const xmlNode *sdi, bool granted, struct tsl_anchors *a, char *buf)
{
	for (const xmlNode *d = sdi ? sdi->children : NULL; d; d = d->next) {
		const xmlNode *c = is_el(d, "DigitalId") ? child(d, "X509Certificate") : NULL;
		X509 *x;

		if (!c)
			continue;
		x = text(c, buf, TSL_MAX_TEXT) ? decode_cert(buf) : NULL;
		if (!x) {
			a->bad_certs++;
		} else if (!granted) {
			a->not_granted_certs++;
			X509_free(x);
		} else if (!sk_X509_push(a->certs, x)) {
			a->bad_certs++;
			X509_free(x);
		}
	}
}

static void service(const xmlNode *svc, struct tsl_anchors *a, char *buf)
{
	const xmlNode *si = child(svc, "ServiceInformation");
	bool granted;

	if (!text_is(child(si, "ServiceTypeIdentifier"), SVC_CA_QC))
		return;
	a->ca_qc++;
	granted = text_is(child(si, "ServiceStatus"), STATUS_GRANTED);
	if (!granted)
		a->not_granted++;
	take_certs(child(si, "ServiceDigitalIdentity"), granted, a, buf);
}

static void providers(const xmlNode *list, struct tsl_anchors *a, char *buf)
{
	for (const xmlNode *p = list ? list->children : NULL; p; p = p->next) {
		if (!is_el(p, "TrustServiceProvider"))
			continue;
		for (const xmlNode *s = child(p, "TSPServices") ? child(p, "TSPServices")->children : NULL;
		     s; s = s->next)
			if (is_el(s, "TSPService"))
				service(s, a, buf);
	}
}

/* No network, no DTD loading, no entity substitution; libxml2's own depth
 * and size limits stay on (no XML_PARSE_HUGE). */
static xmlDoc *parse(const uint8_t *in, size_t n, struct tsl_anchors *a)
{
	const xmlError *e;
	xmlDoc *doc;

	if (n > INT_MAX) {
		set_err(a, "the trusted list is too large");
		return NULL;
	}
	xmlResetLastError();
	doc = xmlReadMemory((const char *)in, (int)n, NULL, NULL,
	                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		e = xmlGetLastError();
		set_err(a, "not well-formed XML");
		snprintf(a->detail, sizeof(a->detail), "line %d: %.*s", e ? e->line : 0,
		         e && e->message ? (int)strcspn(e->message, "\n") : 1, e && e->message ? e->message : "?");
		return NULL;
	}
	if (doc->intSubset || doc->extSubset) {
		set_err(a, "a DOCTYPE in a trusted list (ETSI TS 119 612 has none): refused");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

int tsl_anchors_read(const uint8_t *in, size_t n, struct tsl_anchors *a)
{
	xmlDoc *doc = NULL;
	const xmlNode *root;
	char *buf = malloc(TSL_MAX_TEXT);
	int rc = -1;

	memset(a, 0, sizeof(*a));
	a->certs = sk_X509_new_null();
	if (!buf || !a->certs) {
		set_err(a, "out of memory");
		goto out;
	}
	doc = parse(in, n, a);
	if (!doc)
		goto out;
	root = xmlDocGetRootElement(doc);
	if (!root || !is_el(root, "TrustServiceStatusList")) {
		set_err(a, "not an ETSI TS 119 612 trusted list (no TrustServiceStatusList)");
		goto out;
	}
	providers(child(root, "TrustServiceProviderList"), a, buf);
	if (sk_X509_num(a->certs) > 0 || a->not_granted_certs > 0)
		rc = 0;
	else if (a->ca_qc == 0)
		set_err(a, "the trusted list has no CA/QC service (a list of the lists, LOTL, "
		           "only points to the national lists)");
	else
		set_err(a, "no readable certificate in its CA/QC services");
out:
	xmlFreeDoc(doc);
	free(buf);
	return rc;
}

void tsl_anchors_free(struct tsl_anchors *a)
{
	sk_X509_pop_free(a->certs, X509_free);
	a->certs = NULL;
}
