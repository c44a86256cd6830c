/* SPDX-License-Identifier: BSD-3-Clause */
/* doctor's checks outside the card: browsers' NSS databases and p11-kit. */
#include <string.h>
#include <sys/stat.h>

#include "doctor.h"

#ifndef CARTA_P11KIT_DIR
#define CARTA_P11KIT_DIR "/usr/share/p11-kit/modules"
#endif

void doctor_browsers(struct doctor *d)
{
	struct tool_nssdb dbs[TOOL_MAX_DBS];
	char names[512], msg[1400];
	size_t n = tool_nss_dbs(0, dbs, TOOL_MAX_DBS);

	for (size_t i = 0; i < n; i++) {
		/* Chrome's database is made on first use: none means no Chrome user */
		if (dbs[i].browser == TOOL_CHROME && !dbs[i].exists)
			continue;
		if (strstr(dbs[i].dir, "/snap/")) {
			snprintf(msg, sizeof(msg), _("%s is the Firefox snap, which cannot load PKCS#11 modules."),
			         dbs[i].label);
			doctor_finding(d, "firefox-snap", msg,
			               _("install Firefox from a .deb package (e.g. firefox-esr) and run \"carta-tool register\"."));
			continue;
		}
		if (dbs[i].exists && tool_nss_find(dbs[i].dir, NULL, names, sizeof(names)) > 0) {
			snprintf(msg, sizeof(msg), _("module registered in %s"), dbs[i].label);
			doctor_ok(d, msg);
			continue;
		}
		snprintf(msg, sizeof(msg), _("the carta module is not registered in %s."), dbs[i].label);
		doctor_finding(d, "not-registered", msg,
		               _("close the browser and run \"carta-tool register\"."));
	}
}

/* p11-kit reads /usr/share/p11-kit/modules and /etc/pkcs11/modules (an /etc
 * file overrides the packaged one, docs/reference/test-stack.md 2d). */
static bool module_file(char *path, size_t cap)
{
	const char *dirs[] = { "/etc/pkcs11/modules", CARTA_P11KIT_DIR, "/usr/share/p11-kit/modules" };
	struct stat sb;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, cap, "%s/carta.module", dirs[i]);
		if (stat(path, &sb) == 0)
			return true;
	}
	return false;
}

/* The "module:" line; a relative path is p11-kit's own module dir, trusted. */
static bool module_line(const char *file, char *lib, size_t cap)
{
	char line[1200];
	FILE *f = fopen(file, "re");
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (strncmp(line, "module:", 7) == 0) {
			const char *v = line + 7 + strspn(line + 7, " \t");
			snprintf(lib, cap, "%s", v);
			found = true;
		}
	}
	fclose(f);
	return found;
}

void doctor_p11kit(struct doctor *d)
{
	char path[512], lib[1200], msg[2048];
	struct stat sb;

	if (!module_file(path, sizeof(path))) {
		doctor_finding(d, "p11kit-missing",
		               _("the p11-kit module file carta.module is missing, so p11-kit programs (GnuTLS, p11tool, ssh via p11-kit-proxy) do not see the card."),
		               _("reinstall carta, or write \"module: <path to carta-pkcs11.so>\" into /etc/pkcs11/modules/carta.module."));
		return;
	}
	if (module_line(path, lib, sizeof(lib)) && lib[0] == '/' && stat(lib, &sb) != 0) {
		snprintf(msg, sizeof(msg), _("%s names %s, which does not exist."), path, lib);
		doctor_finding(d, "p11kit-broken", msg,
		               _("reinstall carta, or correct the \"module:\" line."));
		return;
	}
	snprintf(msg, sizeof(msg), _("p11-kit module file %s"), path);
	doctor_ok(d, msg);
}
