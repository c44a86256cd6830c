/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool verify FILE.p7m|FILE.p7s|FILE.pdf [--content F] [--extract OUT]
 * [--ca FILE|DIR] [--json]: every signature, nested ones included, who signed
 * and when, with one exit status per result (tool.h). The checks are
 * OpenSSL's (verify_walk.c) or poppler's for a PDF (verify_pdf.c). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "sign.h"
#include "tsl.h"
#include "verify.h"

/* The codice fiscale: the subject serialNumber of a CNS ("TINIT-<CF>", ETSI
 * EN 319 412-1 5.1.3 semantics identifier), else the CN of a CIE ("<CF>")
 * or the first part of a CNS CN ("<CF>/<serial>.<hash>"). */
static bool looks_cf(const char *s, size_t n)
{
	if (n != 16)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static void codice_fiscale(const struct tool_certview *v, char *out, size_t cap)
{
	const char *sn = v->serial_number;
	size_t cn_len = strcspn(v->cn, "/");

	if (strncmp(sn, "TINIT-", 6) == 0)
		sn += 6;
	else if (strncmp(sn, "IT:", 3) == 0)
		sn += 3;
	if (looks_cf(sn, strlen(sn)))
		snprintf(out, cap, "%s", sn);
	else if (looks_cf(v->cn, cn_len))
		snprintf(out, cap, "%.16s", v->cn);
	else
		snprintf(out, cap, "%s", "");
}

struct who {
	char cf[24], name[160], from[16], until[16];
};

static void signer_who(const struct vsigner *s, struct who *w)
{
	struct carta_cert c = { .der = s->cert, .der_len = s->cert_len };
	struct tool_certview v;

	memset(w, 0, sizeof(*w));
	if (!s->cert || tool_cert_view(&c, &v) != CARTA_OK)
		return;
	codice_fiscale(&v, w->cf, sizeof(w->cf));
	if (v.given_name[0] || v.surname[0])
		snprintf(w->name, sizeof(w->name), "%s %s", v.given_name, v.surname);
	else
		snprintf(w->name, sizeof(w->name), "%s", v.cn);
	snprintf(w->from, sizeof(w->from), "%s", v.from);
	snprintf(w->until, sizeof(w->until), "%s", v.until);
}

static const char *check_word(enum vcheck c)
{
	static const char *const w[] = { "no", "yes", "absent", "unchecked" };
	return w[c];
}

static const char *usage_text(const struct vsigner *s)
{
	return s->nonrep ? _("qualified signature (nonRepudiation)")
	                 : _("authentication (digitalSignature): not a qualified signature");
}

static void print_signer(const struct vsigner *s, size_t i, const struct vreport *r, bool ca)
{
	struct who w;

	signer_who(s, &w);
	printf(_("Signature %zu (level %d of %d)\n"), i + 1, s->level + 1, r->levels);
	printf(_("  Signer: %s, codice fiscale %s\n"), w.name[0] ? w.name : "?", w.cf[0] ? w.cf : "?");
	printf(_("  Signing time: %s\n"), s->time[0] ? s->time : _("not given"));
	if (s->valid_then != V_UNCHECKED)
		printf(_("  Certificate: %s (valid %s to %s)\n"),
		       s->valid_then == V_YES ? _("valid at the signing time") : _("NOT valid at the signing time"),
		       w.from, w.until);
	printf(_("  Key usage: %s\n"), usage_text(s));
	printf(_("  Signature: %s\n"), s->sig == V_YES ? _("valid") : _("NOT VALID"));
	if (s->attrs)
		printf(_("  Content digest: %s\n"), s->digest == V_YES ? _("matches")
		       : _("DOES NOT MATCH: the content was changed after signing"));
	printf(_("  signingCertificateV2: %s\n"), s->scv2 == V_YES ? _("names this certificate")
	       : s->scv2 == V_NO ? _("DOES NOT MATCH the certificate") : _("absent (not a CAdES signature)"));
	if (!ca)
		printf("%s", _("  Chain: not checked (give the trust anchors with --ca: the AgID trusted list\n"
		               "  cannot be fetched offline; a local copy of its certificates works)\n"));
	else if (s->chain == V_YES)
		printf("%s", _("  Chain: trusted (--ca)\n"));
	else
		printf(_("  Chain: NOT TRUSTED: %s\n"), s->chain_err[0] ? s->chain_err : "?");
}

static void json_signer(struct jw *j, const struct vsigner *s)
{
	struct who w;

	signer_who(s, &w);
	jw_obj(j, NULL);
	jw_int(j, "level", s->level);
	jw_str(j, "codice_fiscale", w.cf);
	jw_str(j, "name", w.name);
	if (s->time[0])
		jw_str(j, "signing_time", s->time);
	else
		jw_null(j, "signing_time");
	jw_str(j, "valid_at_signing_time", check_word(s->valid_then));
	jw_str(j, "key_usage", s->nonrep ? "qualified" : "authentication");
	jw_bool(j, "signature_valid", s->sig == V_YES);
	jw_str(j, "message_digest", check_word(s->digest));
	jw_str(j, "signing_certificate_v2", check_word(s->scv2));
	jw_str(j, "chain", check_word(s->chain));
	if (s->chain == V_NO)
		jw_str(j, "chain_error", s->chain_err);
	jw_end_obj(j);
}

static int result_exit(const struct vreport *r, bool ca)
{
	if (!verify_intact(r))
		return TOOL_EX_BAD_SIG;
	for (size_t i = 0; i < r->n; i++)
		if ((ca && r->s[i].chain != V_YES) || r->s[i].valid_then == V_NO)
			return TOOL_EX_UNTRUSTED;
	return TOOL_EX_OK;
}

static const char *result_word(int rc)
{
	return rc == TOOL_EX_OK ? "valid" : rc == TOOL_EX_BAD_SIG ? "invalid"
	       : rc == TOOL_EX_UNTRUSTED ? "untrusted" : "bad-input";
}

static void report(const struct tool *t, const char *path, const struct vreport *r, int rc)
{
	struct jw j;

	if (t->json) {
		jw_init(&j, stdout);
		jw_obj(&j, NULL);
		jw_str(&j, "file", path);
		jw_str(&j, "format", r->detached ? "cades-detached" : "cades");
		jw_int(&j, "levels", r->levels);
		jw_arr(&j, "signers");
		for (size_t i = 0; i < r->n; i++)
			json_signer(&j, &r->s[i]);
		jw_end_arr(&j);
		jw_str(&j, "result", result_word(rc));
		jw_end_obj(&j);
		jw_done(&j);
		return;
	}
	printf(_("%s: %zu signature(s), %d level(s)%s\n"), path, r->n, r->levels,
	       r->detached ? _(", detached") : "");
	for (size_t i = 0; i < r->n; i++)
		print_signer(&r->s[i], i, r, t->ca != NULL);
	printf("%s\n", rc == TOOL_EX_OK ? _("Result: every signature is valid")
	       : rc == TOOL_EX_BAD_SIG ? _("Result: INVALID: a signature or the content does not check")
	       : _("Result: the signatures are intact, but a certificate is not trusted or was not valid"));
}

/* --ca LIST.xml: the CA/QC certificates of a trusted list (tsl.c). A list
 * names the CA that issues the qualified certificates, often an
 * intermediate: each one is an anchor by itself (partial chain). */
static bool load_tsl(X509_STORE *st, const char *ca, const uint8_t *in, size_t n)
{
	struct tsl_anchors a;
	bool ok = tsl_anchors_read(in, n, &a) == 0;

	for (int i = 0; ok && i < sk_X509_num(a.certs); i++)
		ok = X509_STORE_add_cert(st, sk_X509_value(a.certs, i)) == 1;
	if (ok)
		ok = X509_STORE_set_flags(st, X509_V_FLAG_PARTIAL_CHAIN) == 1;
	else if (a.err[0])
		tool_error(_("%s: not usable as a trusted list: %s%s%s%s"), ca, gettext(a.err),
		           a.detail[0] ? " (" : "", a.detail, a.detail[0] ? ")" : "");
	/* a list may withdraw every CA it names: valid, and it trusts no one */
	if (ok && sk_X509_num(a.certs) == 0)
		tool_error(_("note: %s: none of its %zu CA/QC services is in status granted: "
		             "no certificate is trusted"), ca, a.ca_qc);
	tsl_anchors_free(&a);
	return ok;
}

static bool load_ca_file(X509_STORE *st, const char *ca)
{
	uint8_t *in = NULL;
	size_t n = 0;
	bool ok;

	if (sign_read_file(ca, &in, &n) != TOOL_EX_OK)
		return false;
	ok = tsl_looks_xml(in, n) ? load_tsl(st, ca, in, n) : X509_STORE_load_file(st, ca) == 1;
	free(in);
	return ok;
}

/* --ca FILE: PEM (one or more certificates) or a trusted list (ETSI TS
 * 119 612 XML, told by its content); DIR: OpenSSL hashed (c_rehash). */
static X509_STORE *load_ca(const char *ca)
{
	X509_STORE *st = X509_STORE_new();
	struct stat sb;
	bool ok = st && stat(ca, &sb) == 0 &&
	          (S_ISDIR(sb.st_mode) ? X509_STORE_load_path(st, ca) == 1 : load_ca_file(st, ca));

	if (!ok) {
		tool_error(_("cannot load the trust anchors in %s"), ca);
		X509_STORE_free(st);
		return NULL;
	}
	return st;
}

static int verify_cades(const struct tool *t, const char *path, const uint8_t *in, size_t n)
{
	uint8_t *content = NULL;
	size_t content_len = 0;
	X509_STORE *store = NULL;
	struct vreport *r = calloc(1, sizeof(*r));
	int rc = TOOL_EX_FAIL;

	if (!r || (t->content && sign_read_file(t->content, &content, &content_len) != TOOL_EX_OK))
		goto out;
	if (t->ca && !(store = load_ca(t->ca)))
		goto out;
	if (verify_walk(in, n, content, content_len, store, r) != 0) {
		tool_error(_("%s: %s"), path, gettext(r->err));
		rc = TOOL_EX_BAD_INPUT;
		goto out;
	}
	rc = result_exit(r, store != NULL);
	report(t, path, r, rc);
	if (t->extract && rc != TOOL_EX_BAD_SIG &&
	    sign_write_file(t->extract, r->content, r->content_len) != TOOL_EX_OK)
		rc = TOOL_EX_FAIL;
	else if (t->extract && rc == TOOL_EX_BAD_SIG)
		tool_error(_("%s not written: the signatures do not check"), t->extract);
out:
	if (r)
		verify_report_free(r);
	free(r);
	free(content);
	X509_STORE_free(store);
	return rc;
}

static bool is_pdf(const char *path, const uint8_t *in, size_t n)
{
	return (n >= 5 && memcmp(in, "%PDF-", 5) == 0) || (n == 0 && sign_has_suffix(path, ".pdf"));
}

int cmd_verify(struct tool *t)
{
	uint8_t *in = NULL;
	size_t n = 0;
	int rc;

	if (t->nargs != 1) {
		tool_error("%s", _("verify: one file (.p7m, .p7s or .pdf)"));
		return TOOL_EX_USAGE;
	}
	rc = sign_read_file(t->args[0], &in, &n);
	if (rc != TOOL_EX_OK)
		return rc;
	rc = is_pdf(t->args[0], in, n) ? verify_pdf(t, t->args[0]) : verify_cades(t, t->args[0], in, n);
	free(in);
	return rc;
}
