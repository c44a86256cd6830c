/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool p11kit hide|unhide NAME: keep another PKCS#11 module (OpenSC's,
 * when it shows the same card as carta) out of every p11-kit program.
 *
 * p11-kit reads /etc/pkcs11/modules before the packages' directory and fills
 * a same-named file's missing settings from the package's file
 * (docs/reference/test-stack.md 2d; pkcs11.conf(5)). Our file says only
 * "enable-in:" with no program, so the module is loaded in none, the
 * proxy (p11-kit-proxy) included, while the package's file under /usr stays
 * as it was. Undo = delete our file; a file we did not write is never
 * touched. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

/* compiled into libp11-kit (p11-kit's P11_SYSTEM_CONFIG_MODULES) */
#define ETC_MODULES "/etc/pkcs11/modules"
#define MARK "# carta-tool p11kit hide"

/* pkcs11.conf(5): letters, digits, '_', ',', '-', '.'; the first alphanumeric */
static bool valid_name(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 100 || strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == 0)
		return false;
	return strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_,-.") == len &&
	       strcmp(n, "carta") != 0;
}

#ifndef CARTA_P11KIT_DIR
#define CARTA_P11KIT_DIR "/usr/share/p11-kit/modules"
#endif

/* A module a package registered (a typo would write a file that hides nothing). */
static bool packaged(const char *name)
{
	const char *dirs[] = { "/usr/share/p11-kit/modules", CARTA_P11KIT_DIR };
	char p[400];
	struct stat sb;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s.module", dirs[i], name);
		if (stat(p, &sb) == 0)
			return true;
	}
	return false;
}

/* 1: the file is ours; 0: someone else's; -1: none. */
static int ours(const char *path)
{
	char line[256];
	FILE *f = fopen(path, "re");
	int rc = 0;

	if (!f)
		return -1;
	while (rc == 0 && fgets(line, sizeof(line), f))
		rc = strncmp(line, MARK, strlen(MARK)) == 0;
	fclose(f);
	return rc;
}

/* Readable by every user whatever root's umask: p11-kit reads these files
 * in each user's programs. */
static int mkdir_755(const char *dir)
{
	if (mkdir(dir, 0755) == 0)
		return chmod(dir, 0755);
	return errno == EEXIST ? 0 : -1;
}

static int mkdir_p(void)
{
	return mkdir_755("/etc/pkcs11") == 0 && mkdir_755(ETC_MODULES) == 0 ? 0 : -1;
}

/* Written to a temporary file and renamed: p11-kit never reads half of it. */
static int write_file(const char *path, const char *name)
{
	char tmp[400];
	FILE *f;
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s.carta-tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return -1;
	if (fchmod(fd, 0644) != 0) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	fprintf(f, "%s %s: carta serves the same cards, and p11-kit programs\n"
	           "# would show each card twice. Undo: carta-tool p11kit unhide %s\n"
	           "# (or delete this file). The packaged settings still apply; this empty\n"
	           "# list of programs overrides them so that no program loads the module.\n"
	           "enable-in:\n", MARK, name, name);
	rc = fflush(f) == 0 && fsync(fd) == 0 ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	if (rc == 0)
		rc = rename(tmp, path);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

static int hide(const struct tool *t, const char *name, const char *path)
{
	int o = ours(path);

	if (o == 1) {
		if (!t->quiet)
			printf(_("%s is already hidden from p11-kit programs (%s)\n"), name, path);
		return TOOL_EX_OK;
	}
	if (o == -1 && !packaged(name)) {
		tool_error(_("no p11-kit module \"%s\" is installed (see \"p11-kit list-modules\")"), name);
		return TOOL_EX_FAIL;
	}
	if (o == 0) {
		tool_error(_("%s exists and was not written by carta-tool: it is left as it is; edit it yourself (pkcs11.conf(5))"),
		           path);
		return TOOL_EX_FAIL;
	}
	if (mkdir_p() != 0 || write_file(path, name) != 0) {
		tool_error(_("cannot write %s: %s (run it as root: sudo carta-tool p11kit hide %s)"), path,
		           strerror(errno), name);
		return TOOL_EX_FAIL;
	}
	if (!t->quiet)
		printf(_("%s hidden from p11-kit programs: wrote %s (undo: carta-tool p11kit unhide %s)\n"),
		       name, path, name);
	return TOOL_EX_OK;
}

static int unhide(const struct tool *t, const char *name, const char *path)
{
	int o = ours(path);

	if (o == -1) {
		if (!t->quiet)
			printf(_("%s is not hidden by carta-tool (no %s)\n"), name, path);
		return TOOL_EX_OK;
	}
	if (o == 0) {
		tool_error(_("%s was not written by carta-tool: it is left as it is"), path);
		return TOOL_EX_FAIL;
	}
	if (unlink(path) != 0) {
		tool_error(_("cannot remove %s: %s (run it as root: sudo carta-tool p11kit unhide %s)"), path,
		           strerror(errno), name);
		return TOOL_EX_FAIL;
	}
	if (!t->quiet)
		printf(_("%s visible to p11-kit programs again: removed %s\n"), name, path);
	return TOOL_EX_OK;
}

int cmd_p11kit(struct tool *t)
{
	char path[300];
	bool h;

	if (t->nargs != 2 || !(strcmp(t->args[0], "hide") == 0 || strcmp(t->args[0], "unhide") == 0)) {
		tool_error("%s", _("usage: carta-tool p11kit hide|unhide NAME"));
		return TOOL_EX_USAGE;
	}
	h = strcmp(t->args[0], "hide") == 0;
	if (!valid_name(t->args[1])) {
		tool_error(_("\"%s\" is not the name of another p11-kit module (the file name without .module)"),
		           t->args[1]);
		return TOOL_EX_USAGE;
	}
	snprintf(path, sizeof(path), "%s/%s.module", ETC_MODULES, t->args[1]);
	return h ? hide(t, t->args[1], path) : unhide(t, t->args[1], path);
}
