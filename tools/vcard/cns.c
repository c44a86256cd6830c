/* SPDX-License-Identifier: BSD-3-Clause */
/* The CNS card OS: construction, power cycle and command dispatch
 * (ISO/IEC 7816-4 5.1 class byte and chaining; docs/reference/cns.md 1.8 and 5). */
#include <stdlib.h>
#include <string.h>

#include "vcard_int.h"

#define CHAIN_MAX 65536u

static void pin_init(struct vcard_pin *p, uint8_t ref, const char *value, unsigned tries)
{
	size_t i, n = strlen(value);

	p->ref = ref;
	memset(p->value, 0xFF, sizeof(p->value));
	for (i = 0; i < n && i < 8; i++)
		p->value[i] = (uint8_t)value[i];
	p->max = p->tries = tries ? tries : 3;
	p->verified = false;
}

static enum carta_err identity(const struct vcard_config *cfg, struct vcard_cns *c)
{
	struct vcard_identity_opts o = { 0 };

	if (cfg->identity_dir)
		return vcard_identity_load(cfg->identity_dir, c->ds, c->ic && !c->ic_empty, &c->id);
	o.seed = cfg->seed;
	o.bits = c->prof->rsa_bits;
	o.ec = cfg->ec_key;
	o.expired = cfg->expired_cert;
	o.given = cfg->given_name;
	o.surname = cfg->surname;
	o.cf = cfg->cf;
	o.pin = cfg->pin;
	o.puk = cfg->puk;
	o.ds = c->ds;
	o.ds_pin = cfg->ds_pin;
	o.ds_puk = cfg->ds_puk;
	o.ds_no_eku = cfg->ds_cert_eku < 0;
	o.ic = c->ic;
	return vcard_identity_make(&o, &c->id);
}

/* --ds: the classic CNS1 DF_DS (docs/reference/cns.md 1.5, 3.3) on the MF layouts. The
 * applet cards keep their signature key in another applet (ACe 2025 "ESIGN",
 * docs/reference/cns.md 2.4 item 6; the ChipDoc signature applet, 1.13) whose contents
 * the reference does not give: --ds is refused there rather than invented. The
 * signature-only "dsd" card always has it and has no CNS PIN or key. */
static enum carta_err ds_switches(const struct vcard_config *cfg, struct vcard_cns *c)
{
	enum vcard_layout l = c->prof->layout;

	c->ds = cfg->ds || l == VCARD_LAYOUT_DSD;
	c->cns0 = l != VCARD_LAYOUT_DSD;
	if (c->ds && (l == VCARD_LAYOUT_APPLET || l == VCARD_LAYOUT_CHIPDOC))
		return CARTA_E_ARGS;
	if (cfg->ds_pin_scope < VCARD_DS_SCOPE_LOCAL || cfg->ds_pin_scope > VCARD_DS_SCOPE_ANY)
		return CARTA_E_ARGS;
	if (!c->ds && (cfg->ds_pin || cfg->ds_puk || cfg->ds_pin_per_sign || cfg->ds_pin_scope ||
	               cfg->ds_pin_tries || cfg->ds_puk_tries || cfg->ds_cert_eku))
		return CARTA_E_ARGS;   /* a --ds-* switch without the key set is a test's mistake */
	if (cfg->dsd_personal > 0 && l != VCARD_LAYOUT_DSD)
		return CARTA_E_ARGS;
	/* Infocamere 1204 DF 2FFF in the MF: the classic and IDEMIA layouts */
	c->ic = cfg->infocamere || cfg->infocamere_empty;
	c->ic_empty = cfg->infocamere_empty;
	if (c->ic && l != VCARD_LAYOUT_CLASSIC && l != VCARD_LAYOUT_IDEMIA)
		return CARTA_E_ARGS;
	c->ds_scope = (enum vcard_ds_scope)cfg->ds_pin_scope;
	c->ds_per_sign = cfg->ds_pin_per_sign;
	c->dsd_personal = cfg->dsd_personal > 0;
	return CARTA_OK;
}

/* --no-extended: a card (or a reader/card path) without extended-length
 * support refuses such APDUs; CNS 1.0 profiles always do, with 67 00
 * (docs/reference/cns.md 1.3, 5). The ATR is left alone on purpose. */
static enum carta_err switches(const struct vcard_config *cfg, struct vcard_cns *c)
{
	if (cfg->no_extended && cfg->no_extended != 0x6700 && cfg->no_extended != 0x6D00)
		return CARTA_E_ARGS;
	if (cfg->dnakey_applet_sw && cfg->dnakey_applet_sw != 0x9000 &&
	    cfg->dnakey_applet_sw != 0x6982 && cfg->dnakey_applet_sw != 0x6A82)
		return CARTA_E_ARGS;
	if (cfg->dnakey_applet_sw && c->prof->layout != VCARD_LAYOUT_CHIPDOC)
		return CARTA_E_ARGS;
	if (ds_switches(cfg, c) != CARTA_OK)
		return CARTA_E_ARGS;
	if (cfg->no_extended)
		c->ext_sw = (uint16_t)cfg->no_extended;
	else
		c->ext_sw = c->prof->extended ? 0 : 0x6700;
	c->applet_sw = cfg->dnakey_applet_sw ? (uint16_t)cfg->dnakey_applet_sw : 0x9000;
	return CARTA_OK;
}

enum carta_err vcard_cns_new(const struct vcard_config *cfg, struct vcard_cns **out)
{
	struct vcard_cns *c;
	enum carta_err rv;

	*out = NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return CARTA_E_NOMEM;
	c->prof = vcard_profile_find(cfg->profile ? cfg->profile : "st");
	rv = c->prof ? switches(cfg, c) : CARTA_E_ARGS;
	if (rv == CARTA_OK)
		rv = identity(cfg, c);
	if (rv != CARTA_OK)
		goto out;
	/* BSO 10 = PIN, 11 = PUK, 3 tries each (docs/reference/cns.md 3.4, 3.5). */
	pin_init(&c->pin, 0x10, cfg->pin ? cfg->pin : c->id.pin, cfg->pin_tries);
	pin_init(&c->puk, 0x11, cfg->puk ? cfg->puk : c->id.puk, cfg->puk_tries);
	/* CNS1 PIN 1A / PUK 1B (docs/reference/cns.md 1.5, 3.4), the same 3 tries as the
	 * CNS PIN and PUK (3.5) unless told otherwise. */
	if (c->ds) {
		pin_init(&c->ds_pin, 0x1A, cfg->ds_pin ? cfg->ds_pin : c->id.ds_pin,
		         cfg->ds_pin_tries);
		pin_init(&c->ds_puk, 0x1B, cfg->ds_puk ? cfg->ds_puk : c->id.ds_puk,
		         cfg->ds_puk_tries);
	}
	c->empty_verify = cfg->empty_verify >= 0;
	c->puk_verify = cfg->puk_verify ? cfg->puk_verify > 0 : c->prof->puk_verify;
	rv = vcard_layout_build(c);
	if (rv != CARTA_OK)
		goto out;
	vcard_cns_reset(c);
	*out = c;
	c = NULL;
out:
	vcard_cns_free(c);
	return rv;
}

void vcard_cns_free(struct vcard_cns *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->nfiles; i++)
		carta_buf_free(&c->files[i].data);
	carta_buf_free(&c->chain.data);
	vcard_identity_free(&c->id);
	memset(&c->pin, 0, sizeof(c->pin));
	memset(&c->puk, 0, sizeof(c->puk));
	memset(&c->ds_pin, 0, sizeof(c->ds_pin));
	memset(&c->ds_puk, 0, sizeof(c->ds_puk));
	free(c);
}

/* Power-off and reset clear the security state and the selection. */
void vcard_cns_reset(struct vcard_cns *c)
{
	c->app_root = c->cur_df = c->mf;
	c->cur_ef = VCARD_NONE;
	c->jsign_selected = false;
	c->pin.verified = c->puk.verified = false;
	c->ds_pin.verified = c->ds_puk.verified = false;
	c->se_dst = c->se_ct = -1;
	c->chain.active = false;
	carta_buf_clear(&c->chain.data);
}

static enum carta_err dispatch(struct vcard_cns *c, const struct vcard_capdu *a,
                               struct carta_buf *r)
{
	switch (a->ins) {
	case 0xA4: return vcard_cmd_select(c, a, r);
	case 0xB0: return vcard_cmd_read_binary(c, a, r);
	case 0xD6: return vcard_cmd_update_binary(c, a, r);
	case 0x20: return vcard_cmd_verify(c, a, r);
	case 0x24: return vcard_cmd_change(c, a, r);
	case 0x2C: return vcard_cmd_unblock(c, a, r);
	case 0x22: return vcard_cmd_mse(c, a, r);
	case 0x2A: return vcard_cmd_pso(c, a, r);
	case 0x84: return vcard_cmd_challenge(c, a, r);
	case 0xCA:
		if (c->prof->jsign)
			return vcard_cmd_get_data(c, a, r);
		break;
	default:
		break;
	}
	/* INTERNAL AUTHENTICATE included: not on CNS (docs/reference/cns.md 1.8). */
	return vcard_sw(r, 0x6D00);
}

/* ISO 7816-4 5.1.1.1: CLA bit 5 set = more blocks follow; the card
 * answers 90 00 to each and runs the command on the last block. */
static enum carta_err chain_add(struct vcard_cns *c, const struct vcard_capdu *a,
                                struct carta_buf *r)
{
	size_t total;

	if (c->chain.active && (a->ins != c->chain.ins || a->p1 != c->chain.p1 ||
	                        a->p2 != c->chain.p2)) {
		c->chain.active = false;
		return vcard_sw(r, 0x6883);
	}
	if (!c->chain.active) {
		carta_buf_clear(&c->chain.data);
		c->chain.active = true;
		c->chain.ins = a->ins;
		c->chain.p1 = a->p1;
		c->chain.p2 = a->p2;
	}
	if (carta_add_overflow(c->chain.data.len, a->lc, &total) || total > CHAIN_MAX) {
		c->chain.active = false;
		return vcard_sw(r, 0x6700);
	}
	if (carta_buf_append(&c->chain.data, a->data, a->lc) != CARTA_OK)
		return CARTA_E_NOMEM;
	return vcard_sw(r, 0x9000);
}

static enum carta_err chain_end(struct vcard_cns *c, const struct vcard_capdu *a,
                                struct carta_buf *r)
{
	struct vcard_capdu all = *a;
	enum carta_err rv;

	c->chain.active = false;
	if (a->ins != c->chain.ins || a->p1 != c->chain.p1 || a->p2 != c->chain.p2)
		return dispatch(c, a, r);   /* a new command abandons the chain */
	if (c->chain.data.len + a->lc > CHAIN_MAX)
		return vcard_sw(r, 0x6700);
	rv = carta_buf_append(&c->chain.data, a->data, a->lc);
	if (rv != CARTA_OK)
		return rv;
	all.data = c->chain.data.p;
	all.lc = c->chain.data.len;
	rv = dispatch(c, &all, r);
	carta_buf_clear(&c->chain.data);
	return rv;
}

/* A ChipDoc applet without PACE: its files, PINs and keys are out of reach;
 * only a SELECT by AID or of the MF leaves it (docs/reference/cns.md 1.13) [?]. */
static bool pace_locked(const struct vcard_cns *c, const struct vcard_capdu *a)
{
	bool mf = a->lc == 0 || (a->lc == 2 && a->data[0] == 0x3F && a->data[1] == 0x00);

	if (c->files[c->app_root].pace == VCARD_PACE_NONE || a->ins != 0xA4)
		return c->files[c->app_root].pace != VCARD_PACE_NONE;
	return !(a->p1 == 0x04 || (a->p1 == 0x00 && mf));
}

enum carta_err vcard_cns_apdu(struct vcard_cns *c, const uint8_t *cmd, size_t n,
                              struct carta_buf *resp)
{
	struct vcard_capdu a;

	carta_buf_clear(resp);
	if (vcard_capdu_parse(cmd, n, &a) != CARTA_OK)
		return vcard_sw(resp, 0x6700);
	/* Only the interindustry class without SM or logical channels. */
	if ((a.cla & ~0x10) != 0x00)
		return vcard_sw(resp, 0x6E00);
	/* CNS 1.0 cards take short APDUs only (docs/reference/cns.md 1.3, 5); so does
	 * any profile with --no-extended. */
	if (a.extended && c->ext_sw)
		return vcard_sw(resp, c->ext_sw);
	if (pace_locked(c, &a))
		return vcard_sw(resp, 0x6982);
	if (a.cla & 0x10)
		return chain_add(c, &a, resp);
	if (c->chain.active)
		return chain_end(c, &a, resp);
	return dispatch(c, &a, resp);
}
