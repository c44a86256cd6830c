/* SPDX-License-Identifier: BSD-3-Clause */
/* INTERNAL AUTHENTICATE after MSE SET AT: key 81 signs with the card's own
 * PKCS#1 v1.5 type-1 padding (docs/reference/cie.md 5, 8 G2), key 83 is the pre-SM
 * anti-clone / cache key (8 H), key 82 is the DAPP step (cie_dapp.c). */
#include "cie_int.h"

#include "crypto/secret.h"

static enum carta_err pkcs1_sign(const struct carta_tk_key *k, const struct vcard_cie_cmd *cmd,
                                 struct vcard_cie_rsp *r)
{
	uint8_t blk[CIE_RSA_LEN], sig[CIE_RSA_LEN];
	size_t slen = 0;
	enum carta_err e;

	/* k - 11 = 245 bytes at most (docs/reference/cie.md 5) */
	if (cmd->lc == 0 || cmd->lc > CIE_RSA_LEN - 11) {
		r->sw = SW_WRONG_LEN;
		return CARTA_OK;
	}
	e = carta_pkcs1_type1_pad(cmd->data, cmd->lc, CIE_RSA_LEN, blk);
	if (e == CARTA_OK)
		e = carta_tk_rsa_private_raw(k, blk, CIE_RSA_LEN, sig, sizeof(sig), &slen);
	if (e == CARTA_OK && slen != CIE_RSA_LEN)
		e = CARTA_E_INTERNAL;
	if (e == CARTA_OK)
		e = carta_buf_append(&r->data, sig, CIE_RSA_LEN);
	carta_wipe(blk, sizeof(blk));
	return e;
}

enum carta_err vcard_cie_int_auth(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                  struct vcard_cie_rsp *r)
{
	if (cmd->p1 != 0 || cmd->p2 != 0) {
		r->sw = SW_P1P2;
		return CARTA_OK;
	}
	switch (c->at_key) {
	case 0x82:
		return vcard_cie_int_auth_dapp(c, cmd, r);
	case 0x81:
		/* needs VERIFY PIN in this SM session; 6982 otherwise (docs/reference/cie.md 8 G2) */
		if (!cmd->sm || !c->sm.keys || !c->pin_ok) {
			r->sw = SW_SECURITY;
			return CARTA_OK;
		}
		return pkcs1_sign(c->id.k81, cmd, r);
	case 0x83:
		return pkcs1_sign(c->id.k83, cmd, r);
	default:
		r->sw = SW_COND;   /* no key selected */
		return CARTA_OK;
	}
}
