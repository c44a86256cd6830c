/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool doctor: why a card does not work, one finding a line with its
 * fix, in the order a user would check: service, reader, card, certificate,
 * PIN, then browsers and p11-kit, then other modules showing the same card. */
#include <string.h>

#include "doctor.h"

static void certs(struct doctor *d, const struct carta_card_desc *desc, const char *rd)
{
	struct tool_certview v;
	char msg[1024];

	if (desc->n_certs > 0 && !desc->certs[0].der && strcmp(desc->driver, "cie") == 0) {
		snprintf(msg, sizeof(msg), _("%s: the CIE shows its certificate after the first PIN login"), rd);
		doctor_ok(d, msg);
		return;
	}
	if (desc->n_certs == 0 || tool_cert_view(&desc->certs[0], &v) != CARTA_OK) {
		snprintf(msg, sizeof(msg), _("%s: the card is recognised (%s) but its certificate cannot be read."),
		         rd, desc->family);
		doctor_finding(d, "cert-unreadable", msg,
		               _("run \"CARTA_DEBUG=3 carta-tool info\" and report the output; the card may be damaged or of a new lot."));
		return;
	}
	if (v.expired) {
		snprintf(msg, sizeof(msg), _("%s: the certificate expired on %s."), rd, v.until);
		doctor_finding(d, "cert-expired", msg,
		               _("ask the card's issuer (ASL/region, Comune for the CIE) for a renewed card or certificate."));
		return;
	}
	snprintf(msg, sizeof(msg), _("%s: certificate valid until %s"), rd, v.until);
	doctor_ok(d, msg);
}

/* The CIE signs only with PKCS#1 v1.5 padded by the card, never RSA-PSS
 * (docs/reference/cie.md 5, 8.I4), and TLS 1.3 allows only PSS for RSA
 * client certificates: a site that accepts only TLS 1.3 refuses a CIE. */
static void cie_tls(struct doctor *d, const struct carta_card_desc *desc, const char *rd)
{
	char msg[1024];

	if (strcmp(desc->driver, "cie") != 0)
		return;
	snprintf(msg, sizeof(msg), _("%s: the CIE cannot make RSA-PSS signatures, so a site that allows only TLS 1.3 refuses it (Firefox: SSL_ERROR_RX_CERTIFICATE_REQUIRED_ALERT or \"nssFailure2\"; Chromium: ERR_SSL_CLIENT_AUTH_NO_COMMON_ALGORITHMS)."),
	         rd);
	doctor_info(d, "cie-no-pss", msg,
	            _("the site must allow TLS 1.2 for CIE logins (tell its administrators); a CNS card can do TLS 1.3."));
}

static void pins(struct doctor *d, struct carta_card *c, const char *rd)
{
	const struct carta_card_desc *desc = carta_card_get_desc(c);
	struct carta_pin_status st;
	char msg[512];

	for (size_t i = 0; i < desc->n_pins; i++) {
		const struct carta_pin *p = &desc->pins[i];
		memset(&st, 0, sizeof(st));
		enum carta_err rv = tool_pin_status(c, i, &st);
		if (rv != CARTA_E_PIN_BLOCKED && !(rv == CARTA_OK && st.blocked))
			continue;
		snprintf(msg, sizeof(msg), _("%s: the %s is blocked."), rd, p->label);
		if (p->kind == CARTA_PIN_USER)
			doctor_finding(d, "pin-blocked", msg,
			               _("unblock it with \"carta-tool pin unblock\" and the PUK from the card's letter."));
		else
			doctor_finding(d, "puk-blocked", msg,
			               _("the card cannot be unblocked any more: ask its issuer for a new one."));
	}
}

static void card(struct doctor *d, struct carta_readers *rs, const struct carta_reader_state *st)
{
	struct carta_transport *tr = NULL;
	struct carta_card *c = NULL;
	char atr[3 * 33 + 1], msg[1024], what[64], buf[128];
	enum carta_err rv = carta_readers_connect(rs, st->name, &tr);

	tool_hex(st->atr, st->atr_len, atr, sizeof(atr));
	if (rv == CARTA_OK)
		rv = carta_card_open_ex(tr, &c, what, sizeof(what));
	if (rv == CARTA_E_CARD_UNSUPPORTED) {
		/* a reader's name may be long: truncation is fine */
		if (snprintf(msg, sizeof(msg), "%s: %s.", st->name,
		             tool_unsupported_text(what, buf, sizeof(buf))) < 0)
			msg[0] = '\0';
		doctor_finding(d, "unsupported-card", msg,
		               _("carta recognises this card but cannot use it yet: use the issuer's middleware for now, and watch the carta project for support."));
		return;
	}
	if (rv == CARTA_E_CARD_UNKNOWN) {
		snprintf(msg, sizeof(msg), _("%s: unknown card, ATR %s."), st->name, atr);
		doctor_finding(d, "unknown-atr", msg,
		               _("report this ATR and the code printed on the card (e.g. ST2021) to the carta project, so that support can be added."));
		return;
	}
	if (rv != CARTA_OK) {
		/* the ATR's guess, said as one: the probe did not confirm it */
		if (tool_atr_verdict(st->atr, st->atr_len, buf, sizeof(buf))[0])
			snprintf(msg, sizeof(msg), _("%s: the card does not answer (%s); from the ATR alone: driver %s."),
			         st->name, tool_err_text(rv), buf);
		else
			snprintf(msg, sizeof(msg), _("%s: the card does not answer (%s)."), st->name,
			         tool_err_text(rv));
		doctor_finding(d, "card-error", msg,
		               _("take the card out and put it back; close other programs using the reader; try another USB port."));
		return;
	}
	const struct carta_card_desc *desc = carta_card_get_desc(c);
	snprintf(msg, sizeof(msg), _("%s: %s, driver %s, serial %s"), st->name, desc->family,
	         desc->driver, desc->serial);
	doctor_ok(d, msg);
	if (d->n_cards < DOCTOR_MAX_CARDS) {
		tool_copy(d->cards[d->n_cards].reader, sizeof(d->cards[0].reader), st->name);
		tool_copy(d->cards[d->n_cards++].serial, sizeof(d->cards[0].serial), desc->serial);
	}
	certs(d, desc, st->name);
	cie_tls(d, desc, st->name);
	pins(d, c, st->name);
	carta_card_close(c);
}

static void readers(struct doctor *d)
{
	struct carta_reader_state st[CARTA_MAX_READERS];
	struct carta_readers *rs = NULL;
	size_t n = 0, cards = 0;
	enum carta_err rv = carta_pcsc_open(&rs);
	int pick = -1;

	if (rv == CARTA_OK)
		rv = carta_readers_list(rs, st, &n);
	if (rv == CARTA_E_NO_SERVICE) {
		doctor_finding(d, "pcscd-unreachable", _("the PC/SC service (pcscd) is not running or not reachable."),
		               _("install and start it: sudo apt install pcscd && sudo systemctl enable --now pcscd.socket"));
		goto out;
	}
	if (rv != CARTA_OK || n == 0) {
		doctor_finding(d, "no-reader", _("no smart card reader is connected."),
		               _("plug the reader in (check it with lsusb); most readers need the CCID driver: sudo apt install libccid"));
		goto out;
	}
	if (d->t->reader && (pick = tool_pick_reader(d->t, st, n)) < 0) {
		char msg[256];
		snprintf(msg, sizeof(msg), _("no reader matches \"%s\"."), d->t->reader);
		doctor_finding(d, "no-reader", msg, _("see the reader names with \"carta-tool list\"."));
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((pick >= 0 && (size_t)pick != i) || !st[i].present)
			continue;
		cards++;
		card(d, rs, &st[i]);
	}
	if (cards == 0)
		doctor_finding(d, "no-card", _("a reader is connected but there is no card in it."),
		               _("insert the card with the chip first and facing up (contactless readers: lay the card flat and keep it still)."));
out:
	carta_readers_close(&rs);
}

int cmd_doctor(struct tool *t)
{
	struct doctor d = { .t = t };

	jw_init(&d.w, stdout);
	if (t->json) {
		jw_obj(&d.w, NULL);
		jw_arr(&d.w, "findings");
	}
	readers(&d);
	doctor_browsers(&d);
	doctor_p11kit(&d);
	doctor_duplicates(&d);
	if (t->json) {
		jw_end_arr(&d.w);
		jw_int(&d.w, "problems", d.problems);
		jw_end_obj(&d.w);
		jw_done(&d.w);
	} else if (d.problems == 0) {
		printf("%s\n", _("No problem found."));
	} else {
		printf(ngettext("%d problem found.\n", "%d problems found.\n", (unsigned long)d.problems),
		       d.problems);
	}
	return d.problems ? TOOL_EX_PROBLEMS : TOOL_EX_OK;
}
