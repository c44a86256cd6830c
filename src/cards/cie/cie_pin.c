/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 PIN and PUK (docs/reference/cie.md 4, 8.G1, 8.G4, 8.G5): 8 ASCII
 * digits sent as they are, reference 81 (PIN) and 82 (PUK), every command
 * under SM after DH + DAPP. The whole 8 digits are asked for: no half-PIN
 * cache as the official middleware keeps (docs/reference/cie.md 4, 8.I3). */
#include <string.h>

#include "cards/cie/cie.h"
#include "apdu/sw.h"
#include "util/log.h"

#define REF_PIN 0x81u
#define REF_PUK 0x82u
#define PIN_LEN 8u

/* No PIN pad for the CIE: every PIN command travels under secure messaging
 * (the DH + DAPP session keys live in the host), and a reader's pad can only
 * insert digits into a plain APDU template. A NULL PIN is refused with
 * CARTA_E_NOT_SUPPORTED, and cie.c leaves struct carta_pin.pinpad_ok false
 * so that the front end never offers the protected path for a CIE. */
bool carta_cie_pin_ok(const uint8_t *v, size_t n)
{
	if (!v || n != PIN_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return false;
	return true;
}

/* The outcome of a PIN command. A failed one ends the SM session: with plain
 * error status words the card's SSC after the answer is not known (docs/reference/cie.md
 * 3.5), and a fresh session costs less than a desynchronised one. */
static enum carta_err pin_result(struct carta_card *c, enum carta_err rv, uint16_t sw,
                                 int *tries_left)
{
	struct carta_cie *s = c->priv;

	if (tries_left)
		*tries_left = -1;
	if (rv != CARTA_OK)
		goto fail;
	if (sw == 0x9000)
		return CARTA_OK;
	rv = carta_sw_to_err(sw);
	/* 63C0, no try left, is how some cards answer the third wrong VERIFY
	 * where others answer 6983 (docs/reference/cie.md 4, 8.G1): blocked
	 * either way, and unblocked the same way */
	if (rv == CARTA_E_PIN_INCORRECT && (sw & 0xfff0) == 0x63c0 && carta_sw_tries(sw) == 0)
		rv = CARTA_E_PIN_BLOCKED;
	if (rv == CARTA_E_PIN_INCORRECT && tries_left)
		*tries_left = carta_sw_tries(sw);
	if (rv == CARTA_E_PIN_BLOCKED && tries_left)
		*tries_left = 0;
	/* 6700: the card did not like the length; for an 8-digit PIN that is
	 * a wrong PIN as far as the user can tell (docs/reference/cie.md 4 table) */
	if (rv == CARTA_E_WRONG_LENGTH)
		rv = CARTA_E_PIN_INCORRECT;
fail:
	carta_cie_session_end(s);
	return rv;
}

static enum carta_err pin_cmd(struct carta_card *c, uint8_t ins, uint8_t p1, uint8_t p2,
                              const uint8_t *d, size_t n, size_t le, uint16_t *sw)
{
	struct carta_apdu a = { 0x00, ins, p1, p2, d, n, le };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = carta_cie_tx(c, &a, CARTA_TX_SENSITIVE, &r);
	*sw = r.sw;
	carta_rapdu_free(&r);
	return rv;
}

static enum carta_err ensure_session(struct carta_card *c)
{
	struct carta_cie *s = c->priv;

	return s->sm.active ? CARTA_OK : carta_cie_session_start(c);
}

/* What a PIN command's answer says about the tries left of PIN `pin` (0 PIN,
 * 1 PUK), kept for the token flags (cie_cache.c): a success means a full
 * counter (no note), 63Cx x tries, 6983 or 63C0 none; a wrong PIN without a
 * count (6300, 6700) makes the old count untrue; other errors say nothing.
 * No APDU: only what the card already answered. */
static void note_tries(struct carta_cie *s, size_t pin, enum carta_err rv, int tries)
{
	bool kept;

	if (rv == CARTA_OK)
		tries = -1;
	else if (rv == CARTA_E_PIN_BLOCKED)
		tries = 0;
	else if (rv != CARTA_E_PIN_INCORRECT)
		return;
	if (pin == 0) {
		/* a blocked PIN has its own note, which the unlock path reads */
		carta_cie_blocked_mark(s->nis, tries == 0);
		kept = carta_cie_tries_mark(s->nis, 0, tries > 0 ? tries : -1);
	} else {
		kept = carta_cie_tries_mark(s->nis, 1, tries);
	}
	s->tries_mem[pin] = kept ? -1 : tries;
}

/* VERIFY 00 20 00 ref 08 <8 ASCII> under SM. */
static enum carta_err verify_ref(struct carta_card *c, uint8_t ref, const uint8_t *v,
                                 int *tries_left)
{
	struct carta_cie *s = c->priv;
	uint16_t sw = 0;
	int tries = -1;
	enum carta_err rv;

	rv = ensure_session(c);
	if (rv != CARTA_OK)
		return pin_result(c, rv, 0, tries_left);
	rv = pin_cmd(c, 0x20, 0x00, ref, v, PIN_LEN, 0, &sw);
	rv = pin_result(c, rv, sw, &tries);
	note_tries(s, ref == REF_PIN ? 0 : 1, rv, tries);
	if (tries_left)
		*tries_left = tries;
	if (rv == CARTA_OK && ref == REF_PIN)
		s->pin_verified = true;
	if (rv == CARTA_OK && ref == REF_PUK)
		s->puk_verified = true;
	return rv;
}

enum carta_err carta_cie_verify(struct carta_card *c, size_t pin, const uint8_t *v, size_t n,
                                int *tries_left)
{
	struct carta_cie *s = c->priv;
	enum carta_err rv;

	if (tries_left)
		*tries_left = -1;
	if (pin > 1)
		return CARTA_E_ARGS;
	if (!v)
		return CARTA_E_NOT_SUPPORTED;   /* no PIN pad (note before carta_cie_pin_ok) */
	if (!carta_cie_pin_ok(v, n))
		return CARTA_E_PIN_LEN;   /* nothing sent */
	rv = verify_ref(c, pin == 0 ? REF_PIN : REF_PUK, v, tries_left);
	/* docs/reference/cie.md 8.G3: the certificate is readable only now; first login of
	 * this card on this machine, or a cache that did not match the SOD */
	if (rv == CARTA_OK && pin == 0 && !s->cert_from_card && s->cert.len == 0 &&
	    carta_cie_read_cert(c) != CARTA_OK)
		carta_log(CARTA_LOG_ERROR, "CIE: certificate not readable after login");
	return rv;
}

/* docs/reference/cie.md 4: CHANGE REFERENCE DATA 00 24 00 81 10 old || new, after a VERIFY
 * of the old PIN in the same session. */
enum carta_err carta_cie_change(struct carta_card *c, size_t pin, const uint8_t *o, size_t on,
                                const uint8_t *nv, size_t nn, int *tries_left)
{
	struct carta_cie *s = c->priv;
	struct carta_secret *d = NULL;
	uint16_t sw = 0;
	int tries = -1;
	enum carta_err rv;

	if (tries_left)
		*tries_left = -1;
	if (pin != 0 || !o || !nv)
		return CARTA_E_NOT_SUPPORTED;   /* the PUK cannot be changed (docs/reference/cie.md 4); no PIN pad */
	if (!carta_cie_pin_ok(o, on) || !carta_cie_pin_ok(nv, nn))
		return CARTA_E_PIN_LEN;
	if (!s->pin_verified || !s->sm.active) {
		rv = verify_ref(c, REF_PIN, o, tries_left);
		if (rv != CARTA_OK)
			return rv;
	}
	rv = carta_secret_new(2 * PIN_LEN, &d);
	if (rv != CARTA_OK)
		return rv;
	memcpy(d->p, o, PIN_LEN);
	memcpy(d->p + PIN_LEN, nv, PIN_LEN);
	d->len = 2 * PIN_LEN;
	rv = pin_cmd(c, 0x24, 0x00, REF_PIN, d->p, d->len, 0, &sw);
	carta_secret_free(&d);
	rv = pin_result(c, rv, sw, &tries);
	note_tries(s, 0, rv, tries);
	if (tries_left)
		*tries_left = tries;
	if (rv == CARTA_OK)
		carta_log(CARTA_LOG_INFO, "CIE: PIN changed");
	else
		carta_log(CARTA_LOG_ERROR, "CIE: PIN change refused: %s", carta_err_str(rv));
	return rv;
}

/* docs/reference/cie.md 4 and 8.G5: VERIFY PUK, RESET RETRY COUNTER 2C 03 81 (counter
 * only), then 2C 02 81 with the new PIN. */
enum carta_err carta_cie_unblock(struct carta_card *c, size_t pin, const uint8_t *puk,
                                 size_t pn, const uint8_t *nv, size_t nn, int *tries_left)
{
	struct carta_cie *s = c->priv;
	uint16_t sw = 0;
	enum carta_err rv;

	if (tries_left)
		*tries_left = -1;
	if (pin != 0)
		return CARTA_E_ARGS;
	if (!puk)
		return CARTA_E_NOT_SUPPORTED;   /* no PIN pad */
	if (!carta_cie_pin_ok(puk, pn) || (nv && !carta_cie_pin_ok(nv, nn)))
		return CARTA_E_PIN_LEN;
	rv = verify_ref(c, REF_PUK, puk, tries_left);
	if (rv != CARTA_OK)
		return rv;
	rv = pin_cmd(c, 0x2c, 0x03, REF_PIN, NULL, 0, 0, &sw);
	rv = pin_result(c, rv, sw, NULL);
	if (rv == CARTA_OK && nv) {
		rv = pin_cmd(c, 0x2c, 0x02, REF_PIN, nv, PIN_LEN, 0, &sw);
		rv = pin_result(c, rv, sw, NULL);
	}
	/* the PIN is usable again but not verified in this session */
	s->pin_verified = false;
	if (rv == CARTA_OK)
		note_tries(s, 0, CARTA_OK, -1);   /* a full counter, not blocked */
	if (rv != CARTA_OK)
		carta_log(CARTA_LOG_ERROR, "CIE: unblock refused: %s", carta_err_str(rv));
	return rv;
}
