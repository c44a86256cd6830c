/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool register / unregister: the module in every Firefox and
 * Thunderbird profile's NSS database and in ~/.pki/nssdb (Chrome/Chromium),
 * through NSS's modutil (-force: no "press Enter" prompt). Idempotent; every
 * change is reported, and with --quiet (the desktop login's run) only errors.
 * A database already listing the module is only read (pkcs11.txt), never
 * opened through NSS, so the run at each login costs a few file reads. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

#define MODULE_NAME "carta"

struct report {
	struct jw w;
	const struct tool *t;
	int errors;
};

static void say(struct report *r, const struct tool_nssdb *db, const char *action,
                const char *text, const char *detail)
{
	if (r->t->json) {
		jw_obj(&r->w, NULL);
		jw_str(&r->w, "target", db->label);
		jw_str(&r->w, "dir", db->dir);
		jw_str(&r->w, "action", action);
		if (detail && detail[0])
			jw_str(&r->w, "detail", detail);
		jw_end_obj(&r->w);
	} else if (strcmp(action, "error") == 0) {
		fprintf(stderr, "carta-tool: %s %s (%s)\n", text, db->label, db->dir);
		if (detail && detail[0])
			fprintf(stderr, "  %s\n", detail);
	} else if (!r->t->quiet) {
		printf("%s %s (%s)\n", text, db->label, db->dir);
		if (detail && detail[0])
			printf("  %s\n", detail);
	}
	if (strcmp(action, "error") == 0)
		r->errors++;
}

/* The program owning the database is running: Firefox and Thunderbird keep a
 * "lock" symlink in the profile while they run, Chrome/Chromium a
 * SingletonLock in its configuration directory. */
static bool running(const struct tool_nssdb *db)
{
	const char *chrome[] = { ".config/chromium", ".config/google-chrome" };
	const char *home = getenv("HOME");
	char p[1200];
	struct stat sb;

	if (db->browser != TOOL_CHROME) {
		snprintf(p, sizeof(p), "%s/lock", db->dir);
		return lstat(p, &sb) == 0;
	}
	for (size_t i = 0; home && i < sizeof(chrome) / sizeof(chrome[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s/SingletonLock", home, chrome[i]);
		if (lstat(p, &sb) == 0)
			return true;
	}
	return false;
}

static int mkdirs(const char *dir)
{
	char p[1024];

	tool_copy(p, sizeof(p), dir);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

/* A profile Firefox has not started yet, or a first ~/.pki/nssdb: an empty
 * database without a password, as Firefox and Chrome create it. */
static int ensure_db(const struct tool_nssdb *db, char *out, size_t cap)
{
	char sql[1100];
	const char *argv[] = { "certutil", "-N", "-d", sql, "--empty-password", NULL };

	if (db->exists)
		return 0;
	if (mkdirs(db->dir) != 0) {
		if (snprintf(out, cap, "%s: %s", db->dir, strerror(errno)) < 0)
			out[0] = '\0';
		return -1;
	}
	if (snprintf(sql, sizeof(sql), "sql:%s", db->dir) >= (int)sizeof(sql))
		return -1;
	return tool_run(argv, out, cap) == 0 ? 0 : -1;
}

static int modutil(const char *dir, const char *op, const char *name, const char *lib,
                   char *out, size_t cap)
{
	char sql[1100];
	const char *add[] = { "modutil", "-dbdir", sql, op, name, "-libfile", lib, "-force", NULL };
	const char *del[] = { "modutil", "-dbdir", sql, op, name, "-force", NULL };

	snprintf(sql, sizeof(sql), "sql:%s", dir);
	return tool_run(lib ? add : del, out, cap);
}

/* Every entry of ours, whatever its name or path: a moved module (from
 * /usr/local to /usr) or one whose file is gone leaves one to replace. */
static void delete_ours(const char *dir, char *out, size_t cap)
{
	char names[512], *save = NULL;

	if (tool_nss_find(dir, NULL, names, sizeof(names)) == 0)
		return;
	for (char *nm = strtok_r(names, "\n", &save); nm; nm = strtok_r(NULL, "\n", &save))
		(void)modutil(dir, "-delete", nm, NULL, out, cap);
}

/* modutil failed. A browser that holds its database open can make it fail
 * (SQLite locked: modutil gives up after about 2 s); that is no failure of
 * the login-time run, which comes again at the next login, so it is said
 * without --quiet and counted as an error only when the browser is not
 * running. */
static void failed(struct report *r, const struct tool_nssdb *db, const char *out)
{
	if (running(db))
		say(r, db, "busy", _("in use by its running program, not changed (close it and run this again):"), NULL);
	else
		say(r, db, "error", _("modutil failed for"), out);
}

static void reg_one(struct report *r, const struct tool_nssdb *db, const char *module)
{
	char names[512], out[2048] = "";
	bool update;

	if (db->exists && tool_nss_find(db->dir, module, names, sizeof(names)) == 1 &&
	    tool_nss_find(db->dir, NULL, names, sizeof(names)) == 1) {
		say(r, db, "unchanged", _("already registered in"), NULL);
		return;
	}
	if (ensure_db(db, out, sizeof(out)) != 0) {
		say(r, db, "error", _("could not create the NSS database of"), out);
		return;
	}
	update = db->exists && tool_nss_find(db->dir, NULL, names, sizeof(names)) > 0;
	if (update)
		delete_ours(db->dir, out, sizeof(out));
	if (modutil(db->dir, "-add", MODULE_NAME, module, out, sizeof(out)) != 0 ||
	    tool_nss_find(db->dir, module, names, sizeof(names)) != 1) {
		failed(r, db, out);
		return;
	}
	if (update)
		say(r, db, "updated", _("module path updated in"), NULL);
	else
		say(r, db, "added", _("added to"), NULL);
	if (db->browser != TOOL_CHROME && running(db) && !r->t->json && !r->t->quiet)
		printf("  %s\n", _("the program seems to be running: restart it to use the card"));
}

static void unreg_one(struct report *r, const struct tool_nssdb *db)
{
	char names[512], out[2048] = "";

	if (!db->exists || tool_nss_find(db->dir, NULL, names, sizeof(names)) == 0) {
		say(r, db, "unchanged", _("not registered in"), NULL);
		return;
	}
	delete_ours(db->dir, out, sizeof(out));
	if (tool_nss_find(db->dir, NULL, names, sizeof(names)) > 0)
		failed(r, db, out);
	else
		say(r, db, "removed", _("removed from"), NULL);
}

static int run(struct tool *t, bool add)
{
	struct tool_nssdb dbs[TOOL_MAX_DBS];
	const char *module = tool_module_path(t);
	struct report r = { .t = t };
	size_t n;

	if (t->nargs != 0) {
		tool_error("%s", _("usage: carta-tool register|unregister [--firefox] [--chrome] [--thunderbird] [--all] [--quiet]"));
		return TOOL_EX_USAGE;
	}
	if (add && access(module, R_OK) != 0) {
		tool_error(_("module not found: %s (use --module PATH)"), module);
		return TOOL_EX_FAIL;
	}
	n = tool_nss_dbs(t->browsers, dbs, TOOL_MAX_DBS);
	jw_init(&r.w, stdout);
	if (t->json) {
		jw_obj(&r.w, NULL);
		jw_str(&r.w, "module", module);
		jw_arr(&r.w, "changes");
	}
	for (size_t i = 0; i < n; i++) {
		if (add)
			reg_one(&r, &dbs[i], module);
		else
			unreg_one(&r, &dbs[i]);
	}
	if (t->json) {
		jw_end_arr(&r.w);
		jw_end_obj(&r.w);
		jw_done(&r.w);
	}
	if ((t->browsers & TOOL_FIREFOX) && !(t->browsers & TOOL_CHROME) && n == 0) {
		tool_error("%s", _("no Firefox profile found: start Firefox once, then run this again"));
		return TOOL_EX_FAIL;
	}
	return r.errors ? TOOL_EX_FAIL : TOOL_EX_OK;
}

int cmd_register(struct tool *t) { return run(t, true); }
int cmd_unregister(struct tool *t) { return run(t, false); }
