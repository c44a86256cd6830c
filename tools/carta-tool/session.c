/* SPDX-License-Identifier: BSD-3-Clause */
/* Readers, card opening and the messages and exit codes every command shares. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

void tool_error(const char *fmt, ...)
{
	va_list ap;

	fputs("carta-tool: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The errors a user meets, in words they can act on; the rest in English
 * from libcarta. */
const char *tool_err_text(enum carta_err e)
{
	switch (e) {
	case CARTA_E_NO_SERVICE: return _("the PC/SC service (pcscd) is not running or not reachable");
	case CARTA_E_NO_READER: return _("no smart card reader found");
	case CARTA_E_NO_CARD: return _("no card in the reader");
	case CARTA_E_CARD_REMOVED: return _("the card was removed");
	case CARTA_E_CARD_UNKNOWN: return _("card not recognised");
	case CARTA_E_CARD_UNSUPPORTED: return _("card recognised but not supported yet");
	case CARTA_E_PIN_INCORRECT: return _("wrong PIN");
	case CARTA_E_PIN_BLOCKED: return _("blocked");
	case CARTA_E_PIN_LEN: return _("the PIN length breaks the card's rules");
	case CARTA_E_SHARING: return _("the reader is in exclusive use by another program");
	case CARTA_E_SECURITY_STATUS: return _("the PIN has not been verified");
	default: return carta_err_str(e);
	}
}

const char *tool_unsupported_text(const char *what, char *buf, size_t cap)
{
	snprintf(buf, cap, _("%s: not supported yet"), what && what[0] ? what : _("this card"));
	return buf;
}

/* Until a probe ran, a name from a shared or reader-made ATR is a guess. */
const char *tool_atr_verdict(const uint8_t *atr, size_t n, char *buf, size_t cap)
{
	bool sure = false;
	const char *name = carta_atr_verdict(atr, n, &sure);

	if (!name)
		snprintf(buf, cap, "%s", "");
	else if (sure)
		snprintf(buf, cap, "%s", name);
	else
		snprintf(buf, cap, _("%s (to be confirmed)"), name);
	return buf;
}

int tool_err_exit(enum carta_err e)
{
	switch (e) {
	case CARTA_OK: return TOOL_EX_OK;
	case CARTA_E_NO_SERVICE: case CARTA_E_NO_READER: case CARTA_E_NO_CARD:
	case CARTA_E_CARD_REMOVED: return TOOL_EX_NO_CARD;
	case CARTA_E_CARD_UNKNOWN: case CARTA_E_CARD_UNSUPPORTED: return TOOL_EX_UNKNOWN;
	case CARTA_E_PIN_INCORRECT: return TOOL_EX_PIN_WRONG;
	case CARTA_E_PIN_BLOCKED: return TOOL_EX_BLOCKED;
	case CARTA_E_PIN_LEN: return TOOL_EX_REFUSED;
	default: return TOOL_EX_FAIL;
	}
}

int tool_readers(struct carta_readers **rs, struct carta_reader_state *st, size_t *n)
{
	enum carta_err rv;

	*rs = NULL;
	*n = 0;
	rv = carta_pcsc_open(rs);
	if (rv == CARTA_OK)
		rv = carta_readers_list(*rs, st, n);
	if (rv != CARTA_OK) {
		tool_error("%s", tool_err_text(rv));
		carta_readers_close(rs);
		return tool_err_exit(rv);
	}
	return TOOL_EX_OK;
}

/* --reader: an index from "list", the exact name, or a part of it. */
int tool_pick_reader(const struct tool *t, const struct carta_reader_state *st, size_t n)
{
	char *end = NULL;
	unsigned long idx;

	if (!t->reader) {
		for (size_t i = 0; i < n; i++)
			if (st[i].present)
				return (int)i;
		return n ? 0 : -1;
	}
	idx = strtoul(t->reader, &end, 10);
	if (end != t->reader && *end == '\0')
		return idx < n ? (int)idx : -1;
	for (size_t i = 0; i < n; i++)
		if (strcmp(st[i].name, t->reader) == 0)
			return (int)i;
	for (size_t i = 0; i < n; i++)
		if (strstr(st[i].name, t->reader))
			return (int)i;
	return -1;
}

static int no_reader(const struct tool *t, size_t n)
{
	if (n == 0)
		tool_error("%s", tool_err_text(CARTA_E_NO_READER));
	else
		tool_error(_("no reader matches \"%s\""), t->reader);
	return TOOL_EX_NO_CARD;
}

int tool_open_card(const struct tool *t, struct tool_card *tc)
{
	struct carta_reader_state st[CARTA_MAX_READERS];
	struct carta_transport *tr = NULL;
	char what[64], msg[128];
	size_t n = 0;
	enum carta_err rv;
	int rc, i;

	memset(tc, 0, sizeof(*tc));
	rc = tool_readers(&tc->rs, st, &n);
	if (rc != TOOL_EX_OK)
		goto out;
	i = tool_pick_reader(t, st, n);
	if (i < 0) {
		rc = no_reader(t, n);
		goto out;
	}
	tc->st = st[i];
	rv = st[i].present ? CARTA_OK : CARTA_E_NO_CARD;
	if (rv == CARTA_OK)
		rv = carta_readers_connect(tc->rs, st[i].name, &tr);
	if (rv == CARTA_OK)
		rv = carta_card_open_ex(tr, &tc->card, what, sizeof(what));
	if (rv == CARTA_E_CARD_UNSUPPORTED)
		tool_error("%s: %s", st[i].name, tool_unsupported_text(what, msg, sizeof(msg)));
	else if (rv != CARTA_OK)
		tool_error("%s: %s", st[i].name, tool_err_text(rv));
	if (rv != CARTA_OK && st[i].present && tool_atr_verdict(st[i].atr, st[i].atr_len, msg,
	                                                        sizeof(msg))[0])
		tool_error(_("from the ATR alone: driver %s"), msg);
	if (rv != CARTA_OK)
		rc = tool_err_exit(rv);
out:
	if (rc != TOOL_EX_OK)
		tool_close_card(tc);
	return rc;
}

/* A PC/SC disconnect leaves the card as it is: without a logout, a PIN
 * verified here would stay verified for any other program. */
void tool_close_card(struct tool_card *tc)
{
	if (tc->card && tc->logout)
		(void)carta_card_logout(tc->card);
	if (tc->card)
		carta_card_close(tc->card);
	carta_readers_close(&tc->rs);
	tc->card = NULL;
	tc->rs = NULL;
}

void tool_copy(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (cap == 0)
		return;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void tool_hex(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; i < n && o + 3 < cap; i++)
		o += (size_t)snprintf(out + o, cap - o, i ? " %02X" : "%02X", p[i]);
	out[o] = '\0';
}

void tool_date(const char *asn1, char *out, size_t cap)
{
	if (strlen(asn1) < 8) {
		snprintf(out, cap, "%s", asn1);
		return;
	}
	snprintf(out, cap, "%.4s-%.2s-%.2s", asn1, asn1 + 4, asn1 + 6);
}

/* Both sides are "YYYYMMDDHHMMSSZ", so the text order is the time order. */
bool tool_expired(const char *not_after)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	if (strlen(not_after) != 15 || !gmtime_r(&t, &tm))
		return false;
	strftime(now, sizeof(now), "%Y%m%d%H%M%SZ", &tm);
	return strcmp(not_after, now) < 0;
}
