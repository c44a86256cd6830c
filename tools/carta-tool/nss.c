/* SPDX-License-Identifier: BSD-3-Clause */
/* Where browsers keep their NSS databases, what their pkcs11.txt lists, and
 * running NSS's own tools (modutil, certutil) to change them. */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tool.h"

extern char **environ;

#ifndef CARTA_MODULE_PATH
#define CARTA_MODULE_PATH "/usr/lib/pkcs11/carta-pkcs11.so"
#endif

const char *tool_module_path(const struct tool *t)
{
	return t->module ? t->module : CARTA_MODULE_PATH;
}

static bool exists(const char *dir, const char *file)
{
	char p[1200];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s", dir, file);
	return stat(p, &sb) == 0;
}

static void add_db(struct tool_nssdb *out, size_t cap, size_t *n, const char *dir,
                   const char *label, unsigned browser)
{
	if (*n >= cap)
		return;
	struct tool_nssdb *d = &out[(*n)++];
	tool_copy(d->dir, sizeof(d->dir), dir);
	tool_copy(d->label, sizeof(d->label), label);
	d->browser = browser;
	d->exists = exists(dir, "cert9.db") || exists(dir, "pkcs11.txt");
}

struct profiles {
	const char *base;        /* the directory of profiles.ini */
	unsigned browser;        /* TOOL_FIREFOX or TOOL_THUNDERBIRD */
	struct tool_nssdb *out;
	size_t cap, *n;
};

static void profile_done(const struct profiles *pr, const char *name, const char *path, bool rel)
{
	char dir[1024], label[1100];
	const char *shown = name[0] ? name : path;
	struct stat sb;

	if (!path[0])
		return;
	snprintf(dir, sizeof(dir), rel ? "%s/%s" : "%.0s%s", pr->base, path);
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return;
	if (pr->browser == TOOL_THUNDERBIRD)
		snprintf(label, sizeof(label), _("Thunderbird profile \"%s\""), shown);
	else
		snprintf(label, sizeof(label), _("Firefox profile \"%s\""), shown);
	add_db(pr->out, pr->cap, pr->n, dir, label, pr->browser);
}

/* profiles.ini: [ProfileN] sections with Name=, Path=, IsRelative= (the
 * [Install...] sections repeat paths and are skipped). Thunderbird writes
 * the same file as Firefox: both are Mozilla's profile manager. */
static void profiles_ini(const struct profiles *pr)
{
	char ini[1100], line[1100], name[256] = "", path[1024] = "";
	bool in_profile = false, rel = true;
	FILE *f;

	snprintf(ini, sizeof(ini), "%s/profiles.ini", pr->base);
	f = fopen(ini, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '[') {
			if (in_profile)
				profile_done(pr, name, path, rel);
			in_profile = strncmp(line, "[Profile", 8) == 0;
			name[0] = path[0] = '\0';
			rel = true;
		} else if (in_profile && strncmp(line, "Name=", 5) == 0) {
			tool_copy(name, sizeof(name), line + 5);
		} else if (in_profile && strncmp(line, "Path=", 5) == 0) {
			tool_copy(path, sizeof(path), line + 5);
		} else if (in_profile && strncmp(line, "IsRelative=", 11) == 0) {
			rel = line[11] == '1';
		}
	}
	if (in_profile)
		profile_done(pr, name, path, rel);
	fclose(f);
}

static void firefox(const char *base, struct tool_nssdb *out, size_t cap, size_t *n)
{
	const struct profiles pr = { base, TOOL_FIREFOX, out, cap, n };
	profiles_ini(&pr);
}

/* Thunderbird's profiles.ini is in ~/.thunderbird: upstream's place on Linux
 * and Debian 12's (its thunderbird package moved ~/.icedove there in 2017). */
static void thunderbird(const char *home, struct tool_nssdb *out, size_t cap, size_t *n)
{
	char base[1024];
	const struct profiles pr = { base, TOOL_THUNDERBIRD, out, cap, n };

	snprintf(base, sizeof(base), "%s/.thunderbird", home);
	profiles_ini(&pr);
}

size_t tool_nss_dbs(unsigned browsers, struct tool_nssdb *out, size_t cap)
{
	const char *home = getenv("HOME");
	char dir[1024];
	size_t n = 0;

	if (!home || !home[0])
		return 0;
	if (!browsers || (browsers & TOOL_FIREFOX)) {
		/* Firefox keeps profiles.ini in $XDG_CONFIG_HOME/mozilla/firefox
		 * since its XDG move, in ~/.mozilla/firefox before it */
		const char *xdg = getenv("XDG_CONFIG_HOME");
		if (xdg && xdg[0] == '/')
			snprintf(dir, sizeof(dir), "%s/mozilla/firefox", xdg);
		else
			snprintf(dir, sizeof(dir), "%s/.config/mozilla/firefox", home);
		firefox(dir, out, cap, &n);
		snprintf(dir, sizeof(dir), "%s/.mozilla/firefox", home);
		firefox(dir, out, cap, &n);
		/* the Ubuntu snap cannot load PKCS#11 modules (OpenSC #2552),
		 * but its profiles are listed so that doctor can say so */
		snprintf(dir, sizeof(dir), "%s/snap/firefox/common/.mozilla/firefox", home);
		firefox(dir, out, cap, &n);
	}
	if (!browsers || (browsers & TOOL_CHROME)) {
		snprintf(dir, sizeof(dir), "%s/.pki/nssdb", home);
		add_db(out, cap, &n, dir, _("Chrome/Chromium (~/.pki/nssdb)"), TOOL_CHROME);
	}
	if (!browsers || (browsers & TOOL_THUNDERBIRD))
		thunderbird(home, out, cap, &n);
	return n;
}

static bool same_module(const char *lib, const char *module)
{
	const char *base = strrchr(lib, '/');

	if (module)
		return strcmp(lib, module) == 0;
	return strcmp(base ? base + 1 : lib, "carta-pkcs11.so") == 0;
}

static void unquote(char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

typedef void entry_fn_t(void *ctx, const char *name, const char *lib);

/* Each entry of DIR/pkcs11.txt (lines up to a blank one: library=, name=);
 * NSS's internal module has an empty library= and is passed on too. */
static void walk(const char *dir, entry_fn_t *each, void *ctx)
{
	char p[1200], line[1200], lib[1100] = "", name[256] = "";
	bool any = false;
	FILE *f;

	snprintf(p, sizeof(p), "%s/pkcs11.txt", dir);
	f = fopen(p, "re");
	if (!f)
		return;
	for (bool more = true; more;) {
		more = fgets(line, sizeof(line), f) != NULL;
		line[more ? strcspn(line, "\r\n") : 0] = '\0';
		if (line[0] == '\0' && any) {
			unquote(lib);
			unquote(name);
			each(ctx, name, lib);
			lib[0] = name[0] = '\0';
			any = false;
		} else if (strncmp(line, "library=", 8) == 0) {
			tool_copy(lib, sizeof(lib), line + 8);
			any = true;
		} else if (strncmp(line, "name=", 5) == 0) {
			tool_copy(name, sizeof(name), line + 5);
			any = true;
		}
	}
	fclose(f);
}

struct find {
	const char *module;
	char *names;
	size_t cap;
	int found;
};

static void find_one(void *ctx, const char *name, const char *lib)
{
	struct find *fd = ctx;
	size_t used = strlen(fd->names);

	if (!lib[0] || !same_module(lib, fd->module))
		return;
	snprintf(fd->names + used, fd->cap - used, "%s%s", used ? "\n" : "", name);
	fd->found++;
}

int tool_nss_find(const char *dir, const char *module, char *names, size_t cap)
{
	struct find fd = { module, names, cap, 0 };

	names[0] = '\0';
	walk(dir, find_one, &fd);
	return fd.found;
}

struct others {
	entry_fn_t *each;
	void *ctx;
};

/* NSS's own modules: the internal one (no library) and the root
 * certificates (libnssckbi.so, or p11-kit-trust.so in its place on Debian):
 * they hold no card. */
static void other_one(void *ctx, const char *name, const char *lib)
{
	const struct others *o = ctx;
	const char *base = strrchr(lib, '/');

	base = base ? base + 1 : lib;
	if (!lib[0] || same_module(lib, NULL) || strcmp(base, "libnssckbi.so") == 0 ||
	    strcmp(base, "p11-kit-trust.so") == 0)
		return;
	o->each(o->ctx, name, lib);
}

void tool_nss_others(const char *dir, entry_fn_t *each, void *ctx)
{
	struct others o = { each, ctx };

	walk(dir, other_one, &o);
}

/* Run a program with stdin from /dev/null (so that modutil can never wait
 * for a key press) and its output captured. Exit status, or 127. */
int tool_run(const char *const argv[], char *out, size_t cap)
{
	posix_spawn_file_actions_t fa;
	int fds[2], status = 0, rc = 127;
	size_t used = 0;
	pid_t pid;

	if (cap)
		out[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) != 0)
		return rc;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ) != 0)
		pid = -1;
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	for (;;) {
		char tmp[512];
		ssize_t r = read(fds[0], tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r && used + 1 < cap; i++)
			out[used++] = tmp[i];
	}
	if (cap)
		out[used] = '\0';
	close(fds[0]);
	if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		rc = WEXITSTATUS(status);
	return rc;
}
