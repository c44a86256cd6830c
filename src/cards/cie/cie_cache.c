/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 certificate cache (docs/reference/cie.md 2.3, 8.I3). EF 1003 is readable
 * only after PIN + SM, yet applications choose a TLS client certificate
 * before they log in. After the first login the certificate (public data) is
 * kept in $XDG_CACHE_HOME/carta/cie-<NIS>.der; on later opens it is shown
 * before login only when its hash equals the SOD's entry A3, read from the
 * card at that open, so a file changed on disk is never shown. Unlike the
 * official middleware nothing secret (no half PIN) is cached. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cards/cie/cie.h"
#include "crypto/sod.h"
#include "crypto/x509.h"
#include "util/fileio.h"
#include "util/log.h"

#define CERT_MAX 8192u    /* a CIE certificate is about 1.5-2 KB */
#define DG_CERT 0xa3u

static bool nis_ok(const char *nis)
{
	size_t n = strlen(nis);

	if (n != CARTA_CIE_NIS_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (nis[i] < '0' || nis[i] > '9')
			return false;
	return true;
}

/* XDG Base Directory: a relative $XDG_CACHE_HOME is invalid and ignored. */
static enum carta_err cache_dir(char *out, size_t cap)
{
	const char *x = secure_getenv("XDG_CACHE_HOME");
	const char *h = secure_getenv("HOME");
	int n;

	if (x && x[0] == '/')
		n = snprintf(out, cap, "%s/carta", x);
	else if (h && h[0] == '/')
		n = snprintf(out, cap, "%s/.cache/carta", h);
	else
		return CARTA_E_NOT_SUPPORTED;
	return n > 0 && (size_t)n < cap ? CARTA_OK : CARTA_E_RANGE;
}

enum carta_err carta_cie_cache_path(const char *nis, char *out, size_t cap)
{
	char dir[4096];
	enum carta_err rv;
	int n;

	if (!nis || !nis_ok(nis))
		return CARTA_E_ARGS;
	rv = cache_dir(dir, sizeof(dir));
	if (rv != CARTA_OK)
		return rv;
	n = snprintf(out, cap, "%s/cie-%s.der", dir, nis);
	return n > 0 && (size_t)n < cap ? CARTA_OK : CARTA_E_RANGE;
}

enum carta_err carta_cie_sod_check(const uint8_t *sod, size_t sodlen, unsigned dg,
                                   const uint8_t *data, size_t n)
{
	struct carta_sod s;
	enum carta_err rv;

	rv = carta_sod_parse(sod, sodlen, &s);
	if (rv == CARTA_OK)
		rv = carta_sod_match(&s, dg, data, n);
	return rv;
}

static enum carta_err read_file(const char *path, struct carta_buf *out)
{
	struct stat st;
	ssize_t got;
	enum carta_err rv = CARTA_E_FILE_NOT_FOUND;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return rv;
	rv = CARTA_E_PARSE;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (size_t)st.st_size > CERT_MAX)
		goto out;
	rv = carta_buf_reserve(out, (size_t)st.st_size + 1);
	if (rv != CARTA_OK)
		goto out;
	/* one byte more than the size: a file that grew is not a certificate */
	got = read(fd, out->p, (size_t)st.st_size + 1);
	rv = got == (ssize_t)st.st_size ? CARTA_OK : CARTA_E_PARSE;
	if (rv == CARTA_OK)
		out->len = (size_t)got;
out:
	close(fd);
	return rv;
}

enum carta_err carta_cie_cache_load(const char *nis, const uint8_t *sod, size_t sodlen,
                                    struct carta_buf *cert)
{
	char path[4200];
	size_t total = 0;
	enum carta_err rv;

	carta_buf_clear(cert);
	rv = carta_cie_cache_path(nis, path, sizeof(path));
	if (rv == CARTA_OK)
		rv = read_file(path, cert);
	if (rv == CARTA_OK && (carta_der_total_len(cert->p, cert->len, &total) != CARTA_OK ||
	                       total != cert->len))
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		rv = carta_cie_sod_check(sod, sodlen, DG_CERT, cert->p, cert->len);
	if (rv != CARTA_OK) {
		if (rv != CARTA_E_FILE_NOT_FOUND)
			carta_log(CARTA_LOG_ERROR, "CIE: cached certificate %s rejected: %s", path,
			          carta_err_str(rv));
		carta_buf_clear(cert);
	}
	return rv;
}

/* mkdir -p for the last two levels (XDG_CACHE_HOME or ~/.cache, then carta),
 * 0700: the cache is per user. */
static enum carta_err make_dirs(char *dir)
{
	char *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*slash = '/';
			return CARTA_E_NOT_SUPPORTED;
		}
		*slash = '/';
	}
	return mkdir(dir, 0700) == 0 || errno == EEXIST ? CARTA_OK : CARTA_E_NOT_SUPPORTED;
}

/* Written to a temporary file (mkstemp: 0600) and renamed over the old one,
 * so a reader never sees half a certificate. */
enum carta_err carta_cie_cache_store(const char *nis, const uint8_t *der, size_t n)
{
	char dir[4096], path[4200], tmp[4300];
	enum carta_err rv;
	int fd = -1, k;

	rv = carta_cie_cache_path(nis, path, sizeof(path));
	if (rv == CARTA_OK)
		rv = cache_dir(dir, sizeof(dir));
	if (rv == CARTA_OK)
		rv = make_dirs(dir);
	if (rv != CARTA_OK)
		goto out;
	k = snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	rv = CARTA_E_RANGE;
	if (k <= 0 || (size_t)k >= sizeof(tmp))
		goto out;
	rv = CARTA_E_NOT_SUPPORTED;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto out;
	rv = carta_write_all(fd, der, n) ? CARTA_OK : CARTA_E_NOT_SUPPORTED;
	if (rv == CARTA_OK && fsync(fd) != 0)
		rv = CARTA_E_NOT_SUPPORTED;
	if (close(fd) != 0 && rv == CARTA_OK)
		rv = CARTA_E_NOT_SUPPORTED;
	fd = -1;
	if (rv == CARTA_OK && rename(tmp, path) != 0)
		rv = CARTA_E_NOT_SUPPORTED;
	if (rv != CARTA_OK)
		unlink(tmp);
out:
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	if (rv != CARTA_OK)
		carta_log(CARTA_LOG_ERROR, "CIE: cannot write the certificate cache: %s",
		          carta_err_str(rv));
	return rv;
}

/* The CIE cannot report its PIN counter without spending a try
 * (docs/reference/cie.md 4), yet the answer to a wrong VERIFY tells it: 63Cx,
 * x tries left; a third wrong VERIFY answers 6983 like an already blocked PIN
 * does, or 63C0 on some cards. So the driver keeps what the card last said,
 * next to the certificate cache (public state, never a PIN), per NIS:
 *   cie-<NIS>.pin-blocked  the PIN is blocked (6983 or 63C0), until a VERIFY
 *                          or an unblock succeeds;
 *   cie-<NIS>.pin-tries    "x": a wrong PIN left x > 0 tries, until a VERIFY,
 *   cie-<NIS>.puk-tries    a change or an unblock succeeds (the PUK: 0 too).
 * Kept across processes because the user who typed a wrong PIN in one
 * program (pkcs11-tool, a signing application) types the next in another
 * (Firefox): the warning before the last try must be there too, and an
 * unlock in a later process (pkcs11-tool --unlock-pin) must know that the
 * value it is given is the PUK. Nothing is written without such evidence,
 * so a new process on an untouched card shows no count. A correct PIN typed
 * into another middleware leaves the note stale until carta sees a
 * correct PIN: the flags then warn once too often, never too late. */
static enum carta_err note_path(const char *nis, const char *what, char *out, size_t cap)
{
	char dir[4096];
	enum carta_err rv;
	int n;

	if (!nis || !nis_ok(nis))
		return CARTA_E_ARGS;
	rv = cache_dir(dir, sizeof(dir));
	if (rv != CARTA_OK)
		return rv;
	n = snprintf(out, cap, "%s/cie-%s.%s", dir, nis, what);
	return n > 0 && (size_t)n < cap ? CARTA_OK : CARTA_E_RANGE;
}

/* Write the note (content: n bytes of text, possibly none), or remove it
 * (text NULL). True when the file system now says it. */
static bool note_set(const char *path, const char *text)
{
	char dir[4096];
	bool ok;
	int fd;

	if (!text)
		return unlink(path) == 0 || errno == ENOENT;
	if (cache_dir(dir, sizeof(dir)) != CARTA_OK || make_dirs(dir) != CARTA_OK)
		return false;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	ok = carta_write_all(fd, text, strlen(text));
	return close(fd) == 0 && ok;
}

bool carta_cie_blocked_seen(const char *nis)
{
	char path[4200];

	return note_path(nis, "pin-blocked", path, sizeof(path)) == CARTA_OK &&
	       access(path, F_OK) == 0;
}

void carta_cie_blocked_mark(const char *nis, bool blocked)
{
	char path[4200];

	if (note_path(nis, "pin-blocked", path, sizeof(path)) == CARTA_OK &&
	    !note_set(path, blocked ? "" : NULL))
		carta_log(CARTA_LOG_ERROR, "CIE: cannot %s %s", blocked ? "write" : "clear", path);
}

int carta_cie_tries_seen(const char *nis, size_t pin)
{
	char path[4200], text[4];
	ssize_t got;
	int fd, tries = -1;

	if (pin > 1 || note_path(nis, pin == 0 ? "pin-tries" : "puk-tries", path, sizeof(path)) !=
	               CARTA_OK)
		return -1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	got = read(fd, text, sizeof(text));
	close(fd);
	/* one or two digits and a newline: 63Cx counts up to 15 */
	if (got >= 2 && got <= 3 && text[got - 1] == '\n' && text[0] >= '0' && text[0] <= '9') {
		tries = text[0] - '0';
		if (got == 3)
			tries = text[1] >= '0' && text[1] <= '9' ? tries * 10 + (text[1] - '0') : -1;
	}
	return tries >= 0 && tries <= 15 ? tries : -1;
}

bool carta_cie_tries_mark(const char *nis, size_t pin, int tries)
{
	char path[4200], text[8];

	if (pin > 1 || tries > 15 ||
	    note_path(nis, pin == 0 ? "pin-tries" : "puk-tries", path, sizeof(path)) != CARTA_OK)
		return false;
	if (tries >= 0)
		snprintf(text, sizeof(text), "%d\n", tries);
	if (note_set(path, tries >= 0 ? text : NULL))
		return true;
	carta_log(CARTA_LOG_ERROR, "CIE: cannot %s %s", tries >= 0 ? "write" : "clear", path);
	return false;
}
