/* SPDX-License-Identifier: BSD-3-Clause */
/* PIN (ref 81) and PUK (ref 82): VERIFY, CHANGE REFERENCE DATA, RESET RETRY
 * COUNTER (docs/reference/cie.md 4, 8 G1, G4, G5). PIN 3 tries, PUK 10, a blocked PUK is
 * permanent. All of them only under SM after DAPP. */
#include <string.h>

#include "cie_int.h"

#include "crypto/secret.h"

/* Under SM with the terminal authenticated (docs/reference/cie.md 3: DH + DAPP precede VERIFY). */
static bool channel_ok(const struct vcard_cie *c, const struct vcard_cie_cmd *cmd)
{
	return cmd->sm && c->sm.keys && c->dapp.ext_ok;
}

static uint16_t tries_sw(int left)
{
	return left <= 0 ? SW_BLOCKED : (uint16_t)(0x63C0u | (unsigned)left);
}

/* Compare against the reference value, spending a try on failure. The try
 * that blocks answers last_try_sw (69 83, or 63 C0 as some real CIEs do);
 * once blocked, every check answers 69 83 (docs/reference/cie.md 8 G1). */
static uint16_t check(const struct vcard_cie *c, const uint8_t ref[CIE_PIN_LEN], int *tries,
                      int max, const uint8_t *v, bool *ok)
{
	*ok = false;
	if (*tries <= 0)
		return SW_BLOCKED;
	if (!carta_ct_equal(ref, v, CIE_PIN_LEN)) {
		(*tries)--;
		return *tries <= 0 ? c->last_try_sw : tries_sw(*tries);
	}
	*tries = max;
	*ok = true;
	return SW_OK;
}

enum carta_err vcard_cie_verify(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                struct vcard_cie_rsp *r)
{
	bool puk = cmd->p2 == 0x82, ok = false;
	int *tries = puk ? &c->puk_tries : &c->pin_tries;

	if (cmd->p1 != 0x00 || (cmd->p2 != 0x81 && cmd->p2 != 0x82)) {
		r->sw = SW_REF;
		return CARTA_OK;
	}
	if (!channel_ok(c, cmd)) {
		r->sw = SW_SECURITY;
		return CARTA_OK;
	}
	if (cmd->lc == 0) {   /* status query, no try spent (ISO 7816-4 11.5.6) */
		bool done = puk ? c->puk_ok : c->pin_ok;
		r->sw = *tries <= 0 ? SW_BLOCKED : done ? SW_OK : tries_sw(*tries);
		return CARTA_OK;
	}
	if (cmd->lc != CIE_PIN_LEN) {
		r->sw = SW_WRONG_LEN;
		return CARTA_OK;
	}
	r->sw = check(c, puk ? c->puk : c->pin, tries, puk ? CIE_PUK_TRIES : CIE_PIN_TRIES,
	              cmd->data, &ok);
	if (puk)
		c->puk_ok = ok;
	else
		c->pin_ok = ok;
	return CARTA_OK;
}

/* 00 24 00 81 <old 8 || new 8>, after VERIFY PIN in the same session (G4). */
enum carta_err vcard_cie_change(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                struct vcard_cie_rsp *r)
{
	bool ok = false;

	if (cmd->p1 != 0x00 || cmd->p2 != 0x81) {
		r->sw = SW_REF;
		return CARTA_OK;
	}
	if (!channel_ok(c, cmd) || !c->pin_ok) {
		r->sw = SW_SECURITY;
		return CARTA_OK;
	}
	if (cmd->lc != 2 * CIE_PIN_LEN) {
		r->sw = SW_WRONG_LEN;
		return CARTA_OK;
	}
	r->sw = check(c, c->pin, &c->pin_tries, CIE_PIN_TRIES, cmd->data, &ok);
	c->pin_ok = ok;
	if (ok)
		memcpy(c->pin, cmd->data + CIE_PIN_LEN, CIE_PIN_LEN);
	return CARTA_OK;
}

/* 00 2C 03 81: reset the counter; 00 2C 02 81 <new 8>: new PIN and counter.
 * Both need the PUK verified in this session (G5). */
enum carta_err vcard_cie_reset_retry(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                     struct vcard_cie_rsp *r)
{
	if ((cmd->p1 != 0x02 && cmd->p1 != 0x03) || cmd->p2 != 0x81) {
		r->sw = SW_P1P2;
		return CARTA_OK;
	}
	if (!channel_ok(c, cmd) || !c->puk_ok) {
		r->sw = SW_SECURITY;
		return CARTA_OK;
	}
	if ((cmd->p1 == 0x03 && cmd->lc != 0) || (cmd->p1 == 0x02 && cmd->lc != CIE_PIN_LEN)) {
		r->sw = SW_WRONG_LEN;
		return CARTA_OK;
	}
	if (cmd->p1 == 0x02)
		memcpy(c->pin, cmd->data, CIE_PIN_LEN);
	c->pin_tries = CIE_PIN_TRIES;
	return CARTA_OK;
}
