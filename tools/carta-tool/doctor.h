/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TOOL_DOCTOR_H
#define CARTA_TOOL_DOCTOR_H

#include "tool.h"

/* A card carta read, for doctor_duplicates: another module showing the same
 * serial, or a token in the same reader, claims it too. */
#define DOCTOR_MAX_CARDS 8
struct doctor_card {
	char reader[128];
	char serial[64];
};

/* One finding: a stable keyword (tests and scripts match it; never
 * translated), what is wrong, and what to do. */
struct doctor {
	const struct tool *t;
	struct jw w;
	int problems;
	struct doctor_card cards[DOCTOR_MAX_CARDS];
	size_t n_cards;
};

void doctor_finding(struct doctor *d, const char *id, const char *msg, const char *fix);
void doctor_ok(struct doctor *d, const char *msg);
/* Something the user should know about a working set-up, with its stable id
 * and what to do when it bites: not a problem (the exit status stays 0);
 * in --json a finding with "severity": "info" (the others: "problem"). */
void doctor_info(struct doctor *d, const char *id, const char *msg, const char *advice);
/* doctor_env.c: browsers' NSS databases and the p11-kit module file. */
void doctor_browsers(struct doctor *d);
void doctor_p11kit(struct doctor *d);
/* doctor_modules.c: other PKCS#11 modules (p11-kit's, and those added to a
 * browser's NSS database next to carta) that show a card carta serves. */
void doctor_duplicates(struct doctor *d);

#endif
