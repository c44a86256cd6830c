/* SPDX-License-Identifier: BSD-3-Clause */
/* How carta-tool doctor reports: a finding (stable id, what is wrong, the fix)
 * or an ok line, as text or JSON. Its own file so that the checks
 * (doctor.c, doctor_env.c) both call down into it. */
#include <stdio.h>

#include "doctor.h"

void doctor_finding(struct doctor *d, const char *id, const char *msg, const char *fix)
{
	d->problems++;
	if (d->t->json) {
		jw_obj(&d->w, NULL);
		jw_str(&d->w, "id", id);
		jw_str(&d->w, "severity", "problem");
		jw_str(&d->w, "message", msg);
		jw_str(&d->w, "fix", fix);
		jw_end_obj(&d->w);
	} else {
		printf(_("[%s] %s Fix: %s\n"), id, msg, fix);
	}
}

void doctor_info(struct doctor *d, const char *id, const char *msg, const char *advice)
{
	if (d->t->json) {
		jw_obj(&d->w, NULL);
		jw_str(&d->w, "id", id);
		jw_str(&d->w, "severity", "info");
		jw_str(&d->w, "message", msg);
		jw_str(&d->w, "fix", advice);
		jw_end_obj(&d->w);
	} else {
		printf(_("info [%s] %s What to do: %s\n"), id, msg, advice);
	}
}

void doctor_ok(struct doctor *d, const char *msg)
{
	if (!d->t->json)
		printf("ok   %s\n", msg);
}
