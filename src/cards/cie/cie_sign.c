/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 signature (docs/reference/cie.md 5, 8.G2): MSE SET AT with key 81 and
 * algorithm 02, then INTERNAL AUTHENTICATE with the data to be signed; the
 * card applies PKCS#1 v1.5 type-1 padding itself. Under the login's SM
 * session: the official middleware resets and redoes DH + DAPP + VERIFY for
 * every signature (34 APDUs, docs/reference/cie.md 9); one session per login makes it 3,
 * and 2 once the security environment is set (it persists until the session
 * ends or another MSE replaces it, ISO 7816-4 5.3.2; only DAPP sends another
 * MSE SET AT, and DAPP starts a new session). */
#include <string.h>

#include "cards/cie/cie.h"
#include "apdu/sw.h"
#include "util/log.h"

#define MAX_DATA 245u   /* k - 11 for RSA-2048 (docs/reference/cie.md 5) */

/* One signature: the data to be signed and where the result goes. */
struct sign_req {
	const uint8_t *in;
	size_t n;
	uint8_t *out;
	size_t *outlen;
};

static enum carta_err mse_sign(struct carta_card *c, void *arg)
{
	static const uint8_t at[] = { 0x80, 0x01, 0x02, 0x84, 0x01, 0x81 };
	struct carta_apdu a = { 0x00, 0x22, 0x41, 0xa4, at, sizeof(at), 0 };

	(void)arg;
	return carta_cie_send(c, &a);
}

/* INTERNAL AUTHENTICATE 00 88 00 00 Lc data, no Le (docs/reference/cie.md 5). */
static enum carta_err int_auth(struct carta_card *c, void *arg)
{
	const struct sign_req *q = arg;
	struct carta_apdu a = { 0x00, 0x88, 0x00, 0x00, q->in, q->n, 0 };
	struct carta_rapdu r;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = carta_cie_tx_ok(c, &a, 0, &r);
	if (rv == CARTA_OK && r.data.len != CARTA_CIE_RSA_LEN)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK) {
		memcpy(q->out, r.data.p, r.data.len);
		*q->outlen = r.data.len;
	}
	carta_rapdu_free(&r);
	return rv;
}

/* A remembered environment that the card no longer has; outside the SM
 * session there is nothing to redo. */
static bool se_forgotten(struct carta_card *c, enum carta_err rv)
{
	struct carta_cie *s = c->priv;

	return s->sm.active && (rv == CARTA_E_COND_NOT_SATISFIED || rv == CARTA_E_REF_NOT_FOUND);
}

static const struct carta_se_ops se_ops = { mse_sign, int_auth, se_forgotten };

enum carta_err carta_cie_sign(struct carta_card *c, size_t key, enum carta_sign_input kind,
                              const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	struct carta_cie *s = c->priv;
	struct sign_req q = { in, n, out, outlen };
	enum carta_err rv;

	if (key != 0 || !in || !out || !outlen)
		return CARTA_E_ARGS;
	if (kind != CARTA_SIGN_PKCS1_DATA)
		return CARTA_E_NOT_SUPPORTED;   /* no raw RSA, no PSS (docs/reference/cie.md 3.1, 5) */
	if (n == 0 || n > MAX_DATA)
		return CARTA_E_RANGE;
	if (*outlen < CARTA_CIE_RSA_LEN)
		return CARTA_E_BUFFER_SMALL;
	/* after a reset by someone else, or once another application's key
	 * agreement took the card (6987/6988), the session is gone: the front
	 * end's kept PIN verifies again in a fresh one (card_ops.c relogin) */
	if (!s->sm.active || !s->pin_verified)
		return CARTA_E_SECURITY_STATUS;
	rv = carta_se_run(c, s->mse_sign_set, &se_ops, &q);
	s->mse_sign_set = rv == CARTA_OK;
	if (rv != CARTA_OK) {
		carta_log(CARTA_LOG_ERROR, "CIE: signature failed: %s", carta_err_str(rv));
	}
	if (rv == CARTA_E_SECURITY_STATUS)
		carta_cie_session_end(s);   /* the card forgot the PIN: log in again */
	/* the card lost our SM session (6987/6988, cie_io.c): the PIN verified
	 * in it went with it, as after a reset */
	if (rv == CARTA_E_SM && !s->sm.active)
		rv = CARTA_E_SECURITY_STATUS;
	return rv;
}
