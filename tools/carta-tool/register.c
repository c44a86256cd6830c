/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool register / unregister: the module in every Firefox profile's
 * NSS database and in ~/.pki/nssdb (Chrome/Chromium), through NSS's modutil
 * (-force: no "press Enter" prompt). Idempotent; every change is reported. */
#include <errno.h>
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
	} else {
		printf("%s %s (%s)\n", text, db->label, db->dir);
		if (detail && detail[0])
			printf("  %s\n", detail);
	}
	if (strcmp(action, "error") == 0)
		r->errors++;
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

static void reg_one(struct report *r, const struct tool_nssdb *db, const char *module)
{
	char names[512], out[2048] = "";
	bool update;

	if (db->exists && tool_nss_find(db->dir, module, names, sizeof(names)) > 0) {
		say(r, db, "unchanged", _("already registered in"), NULL);
		return;
	}
	if (ensure_db(db, out, sizeof(out)) != 0) {
		say(r, db, "error", _("could not create the NSS database of"), out);
		return;
	}
	/* an older registration under our name (another path) is replaced */
	update = db->exists && tool_nss_find(db->dir, NULL, names, sizeof(names)) > 0;
	if (update)
		(void)modutil(db->dir, "-delete", MODULE_NAME, NULL, out, sizeof(out));
	if (modutil(db->dir, "-add", MODULE_NAME, module, out, sizeof(out)) != 0 ||
	    tool_nss_find(db->dir, module, names, sizeof(names)) == 0) {
		say(r, db, "error", _("modutil failed for"), out);
		return;
	}
	if (update)
		say(r, db, "updated", _("module path updated in"), NULL);
	else
		say(r, db, "added", _("added to"), NULL);
	if (db->browser == TOOL_FIREFOX && access(db->dir, F_OK) == 0) {
		char lock[1100];
		struct stat sb;
		bool fits = snprintf(lock, sizeof(lock), "%s/lock", db->dir) < (int)sizeof(lock);
		if (fits && lstat(lock, &sb) == 0 && !r->t->json)
			printf("  %s\n", _("Firefox seems to be running: restart it to use the card"));
	}
}

static void unreg_one(struct report *r, const struct tool_nssdb *db)
{
	char names[512], out[2048] = "";
	char *save = NULL;

	if (!db->exists || tool_nss_find(db->dir, NULL, names, sizeof(names)) == 0) {
		say(r, db, "unchanged", _("not registered in"), NULL);
		return;
	}
	for (char *nm = strtok_r(names, "\n", &save); nm; nm = strtok_r(NULL, "\n", &save))
		(void)modutil(db->dir, "-delete", nm, NULL, out, sizeof(out));
	if (tool_nss_find(db->dir, NULL, names, sizeof(names)) > 0)
		say(r, db, "error", _("modutil failed for"), out);
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
		tool_error("%s", _("usage: carta-tool register|unregister [--firefox] [--chrome] [--all]"));
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
