/* SPDX-License-Identifier: BSD-3-Clause */
/* PDF signatures through poppler: pdfsig -add-signature signs with a key it
 * finds through NSS. carta-tool gives it a temporary NSS database that loads
 * the module, through "p11-kit server" showing only the chosen token
 * (sign_pdf_token.c says why), so the card signs through the same PKCS#11
 * path; no PDF is parsed here.
 *
 * PAdES proper (SubFilter ETSI.CAdES.detached, ETSI EN 319 142-1) is pdfsig's
 * -etsi, which Debian 12's poppler 22.12 refuses with -add-signature ("-etsi
 * is not supported yet with -add-signature", before touching the key). So
 * -etsi is tried first, for a newer poppler, and on that refusal the
 * signature is made without it: SubFilter adbe.pkcs7.detached (ISO 32000-1
 * 12.8.3.3), which every PDF reader checks but which is not a PAdES
 * baseline signature. The result names which one was made.
 *
 * The PIN: pdfsig takes the key's password only as an argument (-kpw), so it
 * is on pdfsig's command line while it runs, where other local users can read
 * it (/proc/PID/cmdline) unless /proc is mounted with hidepid=2. carta-tool
 * says so in its manual; the .p7m route has no such exposure. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sign.h"

int sign_nssdb_make(char *dir, size_t cap, const char *module)
{
	const char *tmp = secure_getenv("TMPDIR");
	char db[1200], out[2048];
	int n = snprintf(dir, cap, "%s/carta-nss.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");

	if (n < 0 || (size_t)n >= cap || !mkdtemp(dir)) {
		tool_error(_("cannot create a temporary NSS database: %s"), strerror(errno));
		return TOOL_EX_FAIL;
	}
	snprintf(db, sizeof(db), "sql:%s", dir);
	{
		const char *mk[] = { "certutil", "-N", "-d", db, "--empty-password", NULL };
		if (tool_run(mk, out, sizeof(out)) != 0) {
			tool_error(_("certutil -N failed (is libnss3-tools installed?): %s"), out);
			return TOOL_EX_FAIL;
		}
	}
	if (module) {
		const char *add[] = { "modutil", "-force", "-dbdir", db, "-add", "carta",
		                      "-libfile", module, NULL };
		if (tool_run(add, out, sizeof(out)) != 0) {
			tool_error(_("modutil -add failed: %s"), out);
			return TOOL_EX_FAIL;
		}
	}
	return TOOL_EX_OK;
}

void sign_nssdb_remove(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[1400];

	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

/* pdfsig's words for what went wrong. carta-tool has verified the PIN
 * through the module before, so a "password" complaint is not a wrong PIN. */
static int pdfsig_fail(int status, const char *out)
{
	tool_error(_("pdfsig could not sign with the card's key (exit %d): %s"), status, out);
	return TOOL_EX_FAIL;
}

static int run_pdfsig(const struct pdf_req *r, const char *db, const char *nick, bool etsi,
                      char *out, size_t cap)
{
	const char *argv[16];
	size_t n = 0;

	argv[n++] = "pdfsig";
	argv[n++] = r->in;
	argv[n++] = r->out_tmp;
	argv[n++] = "-add-signature";
	if (etsi)
		argv[n++] = "-etsi";
	argv[n++] = "-nssdir";
	argv[n++] = db;
	argv[n++] = "-nick";
	argv[n++] = nick;
	/* pdfsig asks for the "NSS database" password when any slot needs a
	 * login (the card's token does), and the key's with -kpw: both are
	 * the PIN here */
	argv[n++] = "-nss-pwd";
	argv[n++] = r->pin;
	argv[n++] = "-kpw";
	argv[n++] = r->pin;
	if (r->reason) {
		argv[n++] = "-reason";
		argv[n++] = r->reason;
	}
	argv[n] = NULL;
	return tool_run(argv, out, cap);
}

int sign_pdf(const struct pdf_req *r, bool *etsi)
{
	char dir[1100], db[1200], nick[200], out[4096];
	struct token_server srv = { .pid = -1 };
	int rc = sign_nssdb_make(dir, sizeof(dir), CARTA_P11KIT_CLIENT), st;

	*etsi = true;
	if (rc == TOOL_EX_OK)
		rc = sign_token_server_start(dir, r->module, r->token_label, &srv);
	if (rc != TOOL_EX_OK)
		goto out;
	snprintf(db, sizeof(db), "sql:%s", dir);
	/* NSS names a token's certificate "TOKEN LABEL:CERTIFICATE LABEL" */
	snprintf(nick, sizeof(nick), "%s:%s", r->token_label, r->cert_label);
	st = run_pdfsig(r, db, nick, true, out, sizeof(out));
	if (st != 0 && strstr(out, "-etsi is not supported")) {
		*etsi = false;
		st = run_pdfsig(r, db, nick, false, out, sizeof(out));
	}
	rc = st == 0 && !strstr(out, "rror") ? TOOL_EX_OK : pdfsig_fail(st, out);
out:
	sign_token_server_stop(&srv);
	sign_nssdb_remove(dir);
	return rc;
}
