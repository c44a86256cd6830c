/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool verify FILE.pdf: poppler's pdfsig checks each signature (the
 * byte ranges, the CMS inside, and with --ca the certificate through NSS);
 * its report is read back and shown with the same words and exit codes as a
 * .p7m's. Without --ca, pdfsig runs with -nocert: the chain is not checked,
 * as for a .p7m. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sign.h"
#include "tsl.h"

#define PDF_MAX_SIGS 32

struct pdfsig_entry {
	char name[160], time[64], sig[96], cert[96];
};

/* certutil -A one DER certificate as a trust anchor. */
static int import_der(const char *db, const char *dir, const char *path, const uint8_t *der,
                      size_t n, int *count)
{
	char tmp[1300], nick[32], out[1024];
	int rc = TOOL_EX_OK;

	snprintf(tmp, sizeof(tmp), "%s/ca.in", dir);
	snprintf(nick, sizeof(nick), "carta-ca-%d", ++*count);
	if (sign_write_file(tmp, der, n) != TOOL_EX_OK)
		return TOOL_EX_FAIL;
	const char *argv[] = { "certutil", "-A", "-d", db, "-n", nick, "-t", "C,C,C", "-i", tmp, NULL };
	if (tool_run(argv, out, sizeof(out)) != 0) {
		tool_error(_("cannot load the trust anchors in %s: %s"), path, out);
		rc = TOOL_EX_FAIL;
	}
	unlink(tmp);
	return rc;
}

/* A trusted list (tsl.c): each CA/QC certificate in status granted. */
static int import_tsl(const char *db, const char *dir, const char *path, const uint8_t *in,
                      size_t n, int *count)
{
	struct tsl_anchors a;
	int rc = TOOL_EX_OK;

	if (tsl_anchors_read(in, n, &a) != 0) {
		tool_error(_("%s: not usable as a trusted list: %s%s%s%s"), path, gettext(a.err),
		           a.detail[0] ? " (" : "", a.detail, a.detail[0] ? ")" : "");
		rc = TOOL_EX_FAIL;
	}
	for (int i = 0; rc == TOOL_EX_OK && i < sk_X509_num(a.certs); i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(sk_X509_value(a.certs, i), &der);
		rc = len > 0 ? import_der(db, dir, path, der, (size_t)len, count) : TOOL_EX_FAIL;
		OPENSSL_free(der);
	}
	tsl_anchors_free(&a);
	return rc;
}

/* certutil -A each certificate of one file: PEM blocks one by one, DER, or
 * the certificates of a trusted list. */
static int import_file(const char *db, const char *dir, const char *path, int *count)
{
	static const char begin[] = "-----BEGIN CERTIFICATE-----", end[] = "-----END CERTIFICATE-----";
	uint8_t *data = NULL;
	size_t n = 0;
	char *p, *e, tmp[1300], nick[32], out[1024];
	int rc = sign_read_file(path, &data, &n);

	if (rc != TOOL_EX_OK)
		return rc;
	if (tsl_looks_xml(data, n)) {
		rc = import_tsl(db, dir, path, data, n, count);
		free(data);
		return rc;
	}
	data[n] = '\0';   /* sign_read_file leaves one byte spare */
	p = strstr((char *)data, begin);
	for (; rc == TOOL_EX_OK && (p || *count == 0); p = e ? strstr(e, begin) : NULL) {
		bool pem = p != NULL;
		e = pem ? strstr(p, end) : NULL;
		snprintf(tmp, sizeof(tmp), "%s/ca.in", dir);
		snprintf(nick, sizeof(nick), "carta-ca-%d", ++*count);
		if ((pem && !e) ||
		    sign_write_file(tmp, pem ? (uint8_t *)p : data, pem ? (size_t)(e + sizeof(end) - 1 - p) : n) != TOOL_EX_OK) {
			rc = TOOL_EX_FAIL;
			break;
		}
		const char *argv[] = { "certutil", "-A", "-d", db, "-n", nick, "-t", "C,C,C",
		                       "-i", tmp, pem ? "-a" : NULL, NULL };
		if (tool_run(argv, out, sizeof(out)) != 0) {
			tool_error(_("cannot load the trust anchors in %s: %s"), path, out);
			rc = TOOL_EX_FAIL;
		}
		unlink(tmp);
		if (!pem)
			break;
	}
	free(data);
	return rc;
}

static int import_ca(const char *db, const char *dir, const char *ca)
{
	struct stat sb;
	struct dirent *e;
	DIR *d;
	char p[1400];
	int count = 0, rc = TOOL_EX_OK;

	if (stat(ca, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return import_file(db, dir, ca, &count);
	d = opendir(ca);
	while (d && rc == TOOL_EX_OK && (e = readdir(d)) != NULL) {
		snprintf(p, sizeof(p), "%s/%s", ca, e->d_name);
		if (e->d_name[0] != '.' && stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
			rc = import_file(db, dir, p, &count);
	}
	if (d)
		closedir(d);
	return d ? rc : TOOL_EX_FAIL;
}

static void field(const char *line, const char *key, char *dst, size_t cap)
{
	const char *v = strstr(line, key);

	if (v == line)
		snprintf(dst, cap, "%.*s", (int)strcspn(v + strlen(key), "\n"), v + strlen(key));
}

/* "Signature #N:" opens an entry; "  - Key: value" lines fill it. */
static size_t parse(char *out, struct pdfsig_entry *s, size_t cap)
{
	size_t n = 0;

	for (char *l = strtok(out, "\n"); l; l = strtok(NULL, "\n")) {
		if (strncmp(l, "Signature #", 11) == 0 && n < cap) {
			memset(&s[n++], 0, sizeof(s[0]));
			continue;
		}
		if (n == 0)
			continue;
		l += strspn(l, " -");
		field(l, "Signer Certificate Common Name: ", s[n - 1].name, sizeof(s[0].name));
		field(l, "Signing Time: ", s[n - 1].time, sizeof(s[0].time));
		field(l, "Signature Validation: ", s[n - 1].sig, sizeof(s[0].sig));
		field(l, "Certificate Validation: ", s[n - 1].cert, sizeof(s[0].cert));
	}
	return n;
}

static int result(const struct pdfsig_entry *s, size_t n, bool ca)
{
	int rc = TOOL_EX_OK;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(s[i].sig, "Signature is Valid.") != 0)
			return TOOL_EX_BAD_SIG;
		if (ca && strcmp(s[i].cert, "Certificate is Trusted.") != 0)
			rc = TOOL_EX_UNTRUSTED;
	}
	return rc;
}

static void show(const struct tool *t, const char *path, const struct pdfsig_entry *s, size_t n, int rc)
{
	struct jw j;

	if (t->json) {
		jw_init(&j, stdout);
		jw_obj(&j, NULL);
		jw_str(&j, "file", path);
		jw_str(&j, "format", "pades");
		jw_arr(&j, "signers");
		for (size_t i = 0; i < n; i++) {
			jw_obj(&j, NULL);
			jw_str(&j, "name", s[i].name);
			jw_str(&j, "signing_time", s[i].time);
			jw_bool(&j, "signature_valid", strcmp(s[i].sig, "Signature is Valid.") == 0);
			jw_str(&j, "poppler_signature", s[i].sig);
			jw_str(&j, "poppler_certificate", t->ca ? s[i].cert : "unchecked");
			jw_end_obj(&j);
		}
		jw_end_arr(&j);
		jw_str(&j, "result", rc == TOOL_EX_OK ? "valid" : rc == TOOL_EX_BAD_SIG ? "invalid" : "untrusted");
		jw_end_obj(&j);
		jw_done(&j);
		return;
	}
	printf(_("%s: %zu signature(s) (PDF, checked by poppler's pdfsig)\n"), path, n);
	for (size_t i = 0; i < n; i++) {
		printf(_("Signature %zu\n  Signer: %s\n  Signing time: %s\n  Signature: %s (%s)\n"), i + 1,
		       s[i].name, s[i].time, strcmp(s[i].sig, "Signature is Valid.") == 0 ? _("valid") : _("NOT VALID"),
		       s[i].sig);
		if (t->ca)
			printf(_("  Chain: %s\n"), s[i].cert);
		else
			printf("%s", _("  Chain: not checked (give the trust anchors with --ca)\n"));
	}
	printf("%s\n", rc == TOOL_EX_OK ? _("Result: every signature is valid")
	       : rc == TOOL_EX_BAD_SIG ? _("Result: INVALID: a signature or the content does not check")
	       : _("Result: the signatures are intact, but a certificate is not trusted or was not valid"));
}

int verify_pdf(const struct tool *t, const char *path)
{
	static char out[32768];
	struct pdfsig_entry s[PDF_MAX_SIGS];
	char dir[1100], db[1200];
	size_t n;
	int rc = sign_nssdb_make(dir, sizeof(dir), NULL);

	if (rc != TOOL_EX_OK)
		goto out;
	snprintf(db, sizeof(db), "sql:%s", dir);
	if (t->ca && (rc = import_ca(db, dir, t->ca)) != TOOL_EX_OK)
		goto out;
	{
		const char *argv[] = { "pdfsig", "-nssdir", db, "-no-ocsp", t->ca ? path : "-nocert",
		                       t->ca ? NULL : path, NULL };
		(void)tool_run(argv, out, sizeof(out));
	}
	n = parse(out, s, PDF_MAX_SIGS);
	if (n == 0) {
		tool_error(_("%s: no signature found by pdfsig (or not a PDF it can read)"), path);
		rc = TOOL_EX_BAD_INPUT;
		goto out;
	}
	rc = result(s, n, t->ca != NULL);
	show(t, path, s, n, rc);
out:
	sign_nssdb_remove(dir);
	return rc;
}
