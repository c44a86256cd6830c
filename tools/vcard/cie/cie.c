/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtual CIE 3.0: card object, transport rules (chaining, 61xx, SM or
 * plain), dispatch, warm reset. Behaviour: docs/reference/cie.md section 8. */
#include <stdlib.h>
#include <string.h>

#include "cie_int.h"

#include "crypto/secret.h"
#include "util/hex.h"

/* docs/reference/cie.md 1.1 / 8 A1 */
static const uint8_t atr_nxp[] = { 0x3B, 0x8E, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0x49, 0x54,
                                   0x4E, 0x58, 0x50, 0x12, 0x0F, 0xFF, 0x82, 0x90, 0xF0 };
static const uint8_t atr_gemalto[] = { 0x3B, 0x8F, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xB0,
                                       0x85, 0x04, 0x00, 0x11, 0x12, 0x0F, 0xFF, 0x82, 0x90,
                                       0x00, 0x8A };

static enum carta_err set_secret(const char *v, const char *def, uint8_t out[CIE_PIN_LEN])
{
	const char *s = v ? v : def;

	if (strlen(s) != CIE_PIN_LEN)
		return CARTA_E_ARGS;
	memcpy(out, s, CIE_PIN_LEN);
	return CARTA_OK;
}

static enum carta_err set_atr(struct vcard_cie *c, const struct vcard_config *cfg)
{
	struct carta_buf b = { 0 };
	enum carta_err e = CARTA_OK;

	if (cfg->atr_hex == NULL) {
		c->atr_len = c->nxp ? sizeof(atr_nxp) : sizeof(atr_gemalto);
		memcpy(c->atr, c->nxp ? atr_nxp : atr_gemalto, c->atr_len);
		return CARTA_OK;
	}
	e = carta_hex_decode(cfg->atr_hex, strlen(cfg->atr_hex), &b);
	if (e == CARTA_OK && (b.len < 2 || b.len > sizeof(c->atr)))
		e = CARTA_E_ARGS;
	if (e == CARTA_OK) {
		memcpy(c->atr, b.p, b.len);
		c->atr_len = b.len;
	}
	carta_buf_free(&b);
	return e;
}

/* Some real CIEs answer the wrong VERIFY that spends the last try with 63 C0
 * instead of 69 83; both mean "now blocked" (docs/reference/cie.md 8 G1, 4). */
static enum carta_err last_try_sw(unsigned want, uint16_t *out)
{
	if (want != 0 && want != SW_BLOCKED && want != 0x63C0u)
		return CARTA_E_ARGS;
	*out = want ? (uint16_t)want : (uint16_t)SW_BLOCKED;
	return CARTA_OK;
}

enum carta_err vcard_cie_new(const struct vcard_config *cfg, struct vcard_cie **out)
{
	struct vcard_cie *c = NULL;
	struct vcard_cie_meta m;
	struct vcard_config dc;
	enum carta_err e = CARTA_OK;

	if (cfg == NULL || cfg->profile == NULL || out == NULL)
		return CARTA_E_ARGS;
	*out = NULL;
	if (cfg->identity_dir != NULL) {
		/* the settings make-identity recorded; keys re-derived from its seed */
		e = vcard_cie_dir_config(cfg, &m, &dc);
		if (e != CARTA_OK)
			goto out;
		cfg = &dc;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		e = CARTA_E_NOMEM;
		goto out;
	}
	if (strcmp(cfg->profile, "cie-nxp") == 0) {
		c->nxp = true;
	} else if (strcmp(cfg->profile, "cie-gemalto") != 0) {
		e = CARTA_E_NOT_SUPPORTED;
		goto out;
	}
	c->sm_error_style = cfg->sm_error_style;
	e = last_try_sw(cfg->cie_last_try_sw, &c->last_try_sw);
	if (e != CARTA_OK)
		goto out;
	c->pin_tries = CIE_PIN_TRIES;
	c->puk_tries = CIE_PUK_TRIES;
	e = set_secret(cfg->pin, "12345678", c->pin);
	if (e == CARTA_OK)
		e = set_secret(cfg->puk, "87654321", c->puk);
	if (e == CARTA_OK)
		e = set_atr(c, cfg);
	if (e == CARTA_OK)
		e = vcard_cie_identity_make(cfg, c->nxp, &c->id);
	if (e != CARTA_OK)
		goto out;
	vcard_cie_reset(c);
	*out = c;
	c = NULL;
out:
	vcard_cie_free(c);
	carta_wipe(&m, sizeof(m));
	return e;
}

void vcard_cie_free(struct vcard_cie *c)
{
	if (c == NULL)
		return;
	vcard_cie_identity_free(&c->id);
	carta_buf_free(&c->chain);
	carta_buf_free(&c->pending);
	carta_wipe(c, sizeof(*c));
	free(c);
}

/* Warm reset: SM session, PIN state and current DF are gone (docs/reference/cie.md 8). */
void vcard_cie_reset(struct vcard_cie *c)
{
	if (c == NULL)
		return;
	vcard_cie_sm_drop(c);
	c->df = CIE_DF_MF;
	c->ef = -1;
	c->chaining = false;
	carta_buf_clear(&c->chain);
	carta_buf_clear(&c->pending);
	c->pending_off = 0;
}

size_t vcard_cie_atr(const struct vcard_cie *c, uint8_t *out, size_t cap)
{
	if (c == NULL || out == NULL || cap < c->atr_len)
		return 0;
	memcpy(out, c->atr, c->atr_len);
	return c->atr_len;
}

int vcard_cie_pin_tries_left(const struct vcard_cie *c, bool puk)
{
	if (c == NULL)
		return -1;
	return puk ? c->puk_tries : c->pin_tries;
}

size_t vcard_cie_current_pin(const struct vcard_cie *c, uint8_t *out, size_t cap)
{
	if (c == NULL || out == NULL || cap < CIE_PIN_LEN)
		return 0;
	memcpy(out, c->pin, CIE_PIN_LEN);
	return CIE_PIN_LEN;
}

struct carta_bytes vcard_cie_holder_cert(const struct vcard_cie *c)
{
	struct carta_bytes b = { NULL, 0 };

	if (c != NULL)
		b = carta_buf_view(&c->id.holder_cert);
	return b;
}

struct carta_bytes vcard_cie_ca_cert(const struct vcard_cie *c)
{
	struct carta_bytes b = { NULL, 0 };

	if (c != NULL)
		b = carta_buf_view(&c->id.ca_cert);
	return b;
}

const char *vcard_cie_nis(const struct vcard_cie *c)
{
	return c ? c->id.nis : "";
}

static enum carta_err dispatch(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                               struct vcard_cie_rsp *r)
{
	switch (cmd->ins) {
	case 0xA4: return vcard_cie_select(c, cmd, r);
	case 0xB0: return vcard_cie_read_binary(c, cmd, r);
	case 0xCB: return vcard_cie_get_data(c, cmd, r);
	case 0x22: return vcard_cie_mse(c, cmd, r);
	case 0x2A: return vcard_cie_pso_verify_cert(c, cmd, r);
	case 0x84: return vcard_cie_get_challenge(c, cmd, r);
	case 0x82: return vcard_cie_ext_auth(c, cmd, r);
	case 0x88: return vcard_cie_int_auth(c, cmd, r);
	case 0x20: return vcard_cie_verify(c, cmd, r);
	case 0x24: return vcard_cie_change(c, cmd, r);
	case 0x2C: return vcard_cie_reset_retry(c, cmd, r);
	default:
		r->sw = SW_INS;
		return CARTA_OK;
	}
}

/* ISO command chaining (docs/reference/cie.md 8 A3): CLA bit 10 marks a non-final block. The
 * blocks are joined and the command runs on the final one; each intermediate
 * block is answered 9000. *run is false while the chain is incomplete. */
static enum carta_err chain(struct vcard_cie *c, struct vcard_cie_cmd *cmd,
                            struct vcard_cie_rsp *r, bool *run)
{
	bool more = (cmd->cla & 0x10) != 0;
	enum carta_err e = CARTA_OK;

	*run = false;
	if (c->chaining && (cmd->ins != c->chain_ins || cmd->p1 != c->chain_p1 ||
	                    cmd->p2 != c->chain_p2)) {
		c->chaining = false;          /* a different command breaks the chain */
		carta_buf_clear(&c->chain);
	}
	if (!more && !c->chaining) {
		*run = true;
		return CARTA_OK;
	}
	if (!c->chaining)
		carta_buf_clear(&c->chain);   /* first block of a new chain */
	e = carta_buf_append(&c->chain, cmd->data, cmd->lc);
	if (e != CARTA_OK || c->chain.len > 4096) {
		c->chaining = false;
		carta_buf_clear(&c->chain);
		r->sw = SW_WRONG_LEN;
		return e;
	}
	if (more) {
		c->chaining = true;
		c->chain_ins = cmd->ins;
		c->chain_p1 = cmd->p1;
		c->chain_p2 = cmd->p2;
		r->sw = SW_OK;
		return CARTA_OK;
	}
	c->chaining = false;
	cmd->data = c->chain.p;
	cmd->lc = c->chain.len;
	*run = true;
	return CARTA_OK;
}

static bool parse_plain(const uint8_t *a, size_t n, struct vcard_cie_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->cla = a[0];
	cmd->ins = a[1];
	cmd->p1 = a[2];
	cmd->p2 = a[3];
	if (n == 4)
		return true;
	if (n == 5) {
		cmd->has_le = true;
		cmd->le = a[4] ? a[4] : 256u;
		return true;
	}
	if (a[4] == 0 || n < 5u + a[4] || n > 6u + a[4])
		return false;            /* extended APDUs are not supported (docs/reference/cie.md 8 A3) */
	cmd->lc = a[4];
	cmd->data = a + 5;
	if (n == 6u + a[4]) {
		cmd->has_le = true;
		cmd->le = a[n - 1] ? a[n - 1] : 256u;
	}
	return true;
}

/* Errors under SM: plain SW (style 0) or SM-wrapped with the same transport
 * SW (style 1); 9000/6282/6B00 always wrapped (docs/reference/cie.md 8 E4). */
static bool always_wrapped(uint16_t sw)
{
	return sw == SW_OK || sw == SW_EOF || sw == SW_OFFSET;
}

static enum carta_err run_sm(struct vcard_cie *c, const uint8_t *a, size_t n,
                             struct carta_buf *body, uint16_t *sw)
{
	struct vcard_cie_cmd cmd;
	struct vcard_cie_rsp r = { 0 };
	struct carta_buf plain = { 0 };
	bool run = false;
	enum carta_err e;

	memset(&cmd, 0, sizeof(cmd));
	e = vcard_cie_sm_unwrap(c, a, n, &cmd, &plain, sw);
	if (e != CARTA_OK || *sw != 0) {
		vcard_cie_sm_drop(c);     /* 6988 and the session is gone */
		*sw = SW_SM_MAC;
		goto out;
	}
	r.sw = SW_OK;
	e = chain(c, &cmd, &r, &run);
	if (e == CARTA_OK && run)
		e = dispatch(c, &cmd, &r);
	if (e != CARTA_OK)
		goto out;
	*sw = r.sw;
	if (always_wrapped(r.sw) || c->sm_error_style == 1) {
		if (c->sm.keys)       /* a handler may have ended the session */
			e = vcard_cie_sm_wrap(c, r.data.p, r.data.len, r.sw, body);
	}
	if (e == CARTA_OK && r.reseed)
		memcpy(c->sm.ssc, r.next_ssc, sizeof(c->sm.ssc));
out:
	carta_buf_free(&r.data);
	carta_wipe(plain.p, plain.len);
	carta_buf_free(&plain);
	return e;
}

static enum carta_err run_plain(struct vcard_cie *c, const uint8_t *a, size_t n,
                                struct carta_buf *body, uint16_t *sw)
{
	struct vcard_cie_cmd cmd;
	struct vcard_cie_rsp r = { 0 };
	bool run = false;
	enum carta_err e = CARTA_OK;

	if (!parse_plain(a, n, &cmd)) {
		*sw = SW_WRONG_LEN;
		return CARTA_OK;
	}
	r.sw = SW_OK;
	e = chain(c, &cmd, &r, &run);
	if (e == CARTA_OK && run)
		e = dispatch(c, &cmd, &r);
	if (e == CARTA_OK)
		e = carta_buf_set(body, r.data.p, r.data.len);
	*sw = r.sw;
	carta_buf_free(&r.data);
	return e;
}

/* Send up to 256 bytes of the pending body; 61xx announces the rest (docs/reference/cie.md 8 A4). */
static enum carta_err emit(struct vcard_cie *c, size_t le, struct carta_buf *resp)
{
	size_t left = c->pending.len - c->pending_off;
	size_t n = left < le ? left : le;
	uint16_t sw = c->pending_sw;
	enum carta_err e;

	e = carta_buf_append(resp, c->pending.p + c->pending_off, n);
	c->pending_off += n;
	left -= n;
	if (left > 0)
		sw = (uint16_t)(0x6100u | (left > 255 ? 0u : left));
	else
		carta_buf_clear(&c->pending);
	if (e == CARTA_OK)
		e = carta_buf_append_byte(resp, (uint8_t)(sw >> 8));
	if (e == CARTA_OK)
		e = carta_buf_append_byte(resp, (uint8_t)sw);
	return e;
}

static enum carta_err get_response(struct vcard_cie *c, const uint8_t *a, size_t n,
                                   struct carta_buf *resp)
{
	size_t le = 256;

	if (n == 5 && a[4] != 0)
		le = a[4];
	if (c->pending_off >= c->pending.len || c->pending.len == 0) {
		carta_buf_clear(&c->pending);
		return carta_buf_append(resp, (const uint8_t[]){ 0x69, 0x85 }, 2);
	}
	return emit(c, le, resp);
}

enum carta_err vcard_cie_apdu(struct vcard_cie *c, const uint8_t *cmd, size_t n,
                              struct carta_buf *resp)
{
	uint16_t sw = SW_OK;
	enum carta_err e = CARTA_OK;

	if (c == NULL || resp == NULL || (cmd == NULL && n > 0))
		return CARTA_E_ARGS;
	carta_buf_clear(resp);
	if (n < 4) {
		sw = SW_WRONG_LEN;
		goto status;
	}
	/* GET RESPONSE, plain 00 C0 and also 0C C0 00 00 00 (docs/reference/cie.md 8 A4) */
	if (cmd[1] == 0xC0 && (cmd[0] == 0x00 || cmd[0] == 0x0C) && n <= 5)
		return get_response(c, cmd, n, resp);
	carta_buf_clear(&c->pending);
	c->pending_off = 0;
	if ((cmd[0] & 0xE3) != 0) {
		sw = SW_CLA;
		goto status;
	}
	if ((cmd[0] & 0x0C) == 0x0C)
		e = run_sm(c, cmd, n, &c->pending, &sw);
	else if ((cmd[0] & 0x0C) == 0)
		e = run_plain(c, cmd, n, &c->pending, &sw);
	else
		sw = SW_CLA;
	if (e != CARTA_OK) {
		carta_buf_clear(&c->pending);
		sw = SW_INTERNAL;
		e = CARTA_OK;
	}
	c->pending_sw = sw;
	return emit(c, 256, resp);
status:
	e = carta_buf_append_byte(resp, (uint8_t)(sw >> 8));
	if (e == CARTA_OK)
		e = carta_buf_append_byte(resp, (uint8_t)sw);
	return e;
}

/* Shared helpers. */
bool vcard_cie_num_eq(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	return carta_bn_cmp(a, alen, b, blen) == 0;
}
