/* SPDX-License-Identifier: BSD-3-Clause */
/* doctor: another PKCS#11 module showing a card carta serves. Debian's
 * opensc-pkcs11 registers OpenSC with p11-kit, and OpenSC reads a CNS too
 * (tests/e2e/test_opensc_cns.sh), so every p11-kit program lists that card
 * twice; a user may also have added OpenSC to a browser's NSS database next
 * to carta. The other modules are loaded through libp11-kit, as their users
 * load them, and a token is the same card when it has the serial number
 * carta read or sits in the same reader. This is the one carta-tool file
 * that speaks PKCS#11: it looks at other modules, never at carta's. */
#include <stdlib.h>
#include <string.h>

#include <p11-kit/p11-kit.h>

#include "doctor.h"

#define MAX_SLOTS 32
#define MAX_LIBS 8

/* A blank-padded PKCS#11 string, without the blanks. */
static void unpad(char *dst, size_t cap, const unsigned char *src, size_t n)
{
	while (n > 0 && src[n - 1] == ' ')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* slotDescription holds 64 bytes: a longer reader name is cut there. */
static bool same_reader(const char *reader, const char *slot)
{
	size_t n = strlen(slot);

	return n > 0 && strncmp(reader, slot, n) == 0 && (reader[n] == '\0' || n == 64);
}

/* The card of ours that module m shows, or -1 (m is initialized). */
static int claimed(const struct doctor *d, CK_FUNCTION_LIST *m)
{
	CK_SLOT_ID slots[MAX_SLOTS];
	CK_ULONG n = MAX_SLOTS;

	if (m->C_GetSlotList(CK_TRUE, slots, &n) != CKR_OK)
		return -1;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_SLOT_INFO si;
		CK_TOKEN_INFO ti;
		char reader[65], serial[17];

		if (m->C_GetSlotInfo(slots[i], &si) != CKR_OK ||
		    m->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		unpad(reader, sizeof(reader), si.slotDescription, sizeof(si.slotDescription));
		unpad(serial, sizeof(serial), ti.serialNumber, sizeof(ti.serialNumber));
		for (size_t c = 0; c < d->n_cards; c++)
			if ((serial[0] && strcmp(serial, d->cards[c].serial) == 0) ||
			    same_reader(d->cards[c].reader, reader))
				return (int)c;
	}
	return -1;
}

static bool is_carta(const char *file)
{
	const char *base = strrchr(file, '/');

	return strcmp(base ? base + 1 : file, "carta-pkcs11.so") == 0;
}

static void p11kit_dup(struct doctor *d, const struct doctor_card *c, const char *name, const char *file)
{
	char msg[1024], fix[768];

	snprintf(msg, sizeof(msg), _("%s: the card (serial %s) is also shown by %s (p11-kit module \"%s\"), so p11-kit programs (GnuTLS, p11tool, ssh, p11-kit-proxy) list it twice and may pick the other one."),
	         c->reader, c->serial, file, name);
	snprintf(fix, sizeof(fix), _("carta serves this card: hide the other module from p11-kit programs with \"sudo carta-tool p11kit hide %s\" (undo: \"sudo carta-tool p11kit unhide %s\"); cards only that module knows are then hidden from them too."),
	         name, name);
	doctor_finding(d, "duplicate-module", msg, fix);
}

/* p11-kit's registered modules, as a program run by this user loads them. */
static void p11kit_modules(struct doctor *d)
{
	CK_FUNCTION_LIST **mods = p11_kit_modules_load(NULL, 0);

	for (size_t i = 0; mods && mods[i]; i++) {
		char *file = p11_kit_module_get_filename(mods[i]);
		char *name = p11_kit_module_get_name(mods[i]);
		int c;

		if (file && name && !is_carta(file) && p11_kit_module_initialize(mods[i]) == CKR_OK) {
			if ((c = claimed(d, mods[i])) >= 0)
				p11kit_dup(d, &d->cards[c], name, file);
			p11_kit_module_finalize(mods[i]);
		}
		free(file);
		free(name);
	}
	if (mods)
		p11_kit_modules_release(mods);
}

/* One library loaded once however many databases list it. */
struct nss_scan {
	struct doctor *d;
	const struct tool_nssdb *db;
	char libs[MAX_LIBS][1100];
	int card[MAX_LIBS];
	size_t n;
};

static int lib_claims(struct nss_scan *s, const char *lib)
{
	CK_FUNCTION_LIST *m;
	int c = -1;

	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->libs[i], lib) == 0)
			return s->card[i];
	m = p11_kit_module_load(lib, 0);
	if (m && p11_kit_module_initialize(m) == CKR_OK) {
		c = claimed(s->d, m);
		p11_kit_module_finalize(m);
	}
	if (m)
		p11_kit_module_release(m);
	if (s->n < MAX_LIBS) {
		tool_copy(s->libs[s->n], sizeof(s->libs[0]), lib);
		s->card[s->n++] = c;
	}
	return c;
}

static void nss_entry(void *ctx, const char *name, const char *lib)
{
	struct nss_scan *s = ctx;
	char msg[2048], fix[1400];
	int c = lib_claims(s, lib);

	if (c < 0)
		return;
	snprintf(msg, sizeof(msg), _("%s: the card (serial %s) is also shown by the module \"%s\" (%s) in %s, so it appears there twice."),
	         s->d->cards[c].reader, s->d->cards[c].serial, name, lib, s->db->label);
	snprintf(fix, sizeof(fix), _("close the program and remove that module: modutil -dbdir \"sql:%s\" -delete \"%s\""),
	         s->db->dir, name);
	doctor_finding(s->d, "duplicate-nss", msg, fix);
}

/* The NSS databases where carta is registered (elsewhere the other module is
 * the only one, and doctor_browsers says carta is missing). */
static void nss_modules(struct doctor *d)
{
	struct tool_nssdb dbs[TOOL_MAX_DBS];
	struct nss_scan *s = calloc(1, sizeof(*s));
	size_t n = tool_nss_dbs(0, dbs, TOOL_MAX_DBS);
	char names[512];

	if (!s)
		return;
	s->d = d;
	for (size_t i = 0; i < n; i++) {
		if (!dbs[i].exists || tool_nss_find(dbs[i].dir, NULL, names, sizeof(names)) == 0)
			continue;
		s->db = &dbs[i];
		tool_nss_others(dbs[i].dir, nss_entry, s);
	}
	free(s);
}

void doctor_duplicates(struct doctor *d)
{
	if (d->n_cards == 0)
		return;
	p11kit_modules(d);
	nss_modules(d);
}
