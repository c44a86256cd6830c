/* SPDX-License-Identifier: BSD-3-Clause */
/* --json output: RFC 8259 strings, commas tracked per nesting level. */
#include <string.h>

#include "tool.h"

void jw_init(struct jw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->first[0] = true;
}

static void string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* Separator and key for a new value at the current level. */
static void item(struct jw *w, const char *key)
{
	if (!w->first[w->depth])
		fputc(',', w->f);
	w->first[w->depth] = false;
	if (key) {
		string(w->f, key);
		fputc(':', w->f);
	}
}

static void open(struct jw *w, const char *key, char c)
{
	item(w, key);
	fputc(c, w->f);
	if (w->depth < (int)(sizeof(w->first) / sizeof(w->first[0])) - 1)
		w->depth++;
	w->first[w->depth] = true;
}

void jw_obj(struct jw *w, const char *key) { open(w, key, '{'); }
void jw_arr(struct jw *w, const char *key) { open(w, key, '['); }

void jw_end_obj(struct jw *w)
{
	fputc('}', w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_end_arr(struct jw *w)
{
	fputc(']', w->f);
	if (w->depth > 0)
		w->depth--;
}

void jw_str(struct jw *w, const char *key, const char *v)
{
	item(w, key);
	if (v)
		string(w->f, v);
	else
		fputs("null", w->f);
}

void jw_int(struct jw *w, const char *key, long v)
{
	item(w, key);
	fprintf(w->f, "%ld", v);
}

void jw_bool(struct jw *w, const char *key, bool v)
{
	item(w, key);
	fputs(v ? "true" : "false", w->f);
}

void jw_null(struct jw *w, const char *key)
{
	item(w, key);
	fputs("null", w->f);
}

void jw_done(struct jw *w)
{
	fputc('\n', w->f);
	fflush(w->f);
}
