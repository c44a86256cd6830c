/* SPDX-License-Identifier: BSD-3-Clause */
/* DH domain parameters and terminal-CA key by GET DATA (docs/reference/cie.md 3.2, 3.3,
 * 8 D1-D3), MSE SET KAT and the session keys (3.4, 8 E1-E2), MSE dispatch. */
#include <string.h>

#include "cie_int.h"

#include "crypto/secret.h"
#include "util/tlv.h"

/* GET DATA requests, byte for byte as docs/reference/cie.md 8 D1-D3 lists them. */
static const uint8_t req_g[] = { 0x4D, 0x0A, 0x70, 0x08, 0xBF, 0xA1, 0x01, 0x04, 0xA3, 0x02, 0x97, 0x00 };
static const uint8_t req_p[] = { 0x4D, 0x0A, 0x70, 0x08, 0xBF, 0xA1, 0x01, 0x04, 0xA3, 0x02, 0x98, 0x00 };
static const uint8_t req_q[] = { 0x4D, 0x0A, 0x70, 0x08, 0xBF, 0xA1, 0x01, 0x04, 0xA3, 0x02, 0x99, 0x00 };
static const uint8_t req_all[] = { 0x4D, 0x08, 0x70, 0x06, 0xBF, 0xA1, 0x01, 0x02, 0xA3, 0x80 };
static const uint8_t req_ca[] = { 0x4D, 0x09, 0x70, 0x07, 0xBF, 0xA0, 0x04, 0x03, 0x7F, 0x49, 0x80 };
static const uint8_t req_icc[] = { 0x4D, 0x04, 0xA6, 0x02, 0x91, 0x00 };

static bool is_req(const struct vcard_cie_cmd *cmd, const uint8_t *req, size_t n)
{
	return cmd->lc == n && memcmp(cmd->data, req, n) == 0;
}

/* Wrap `inner` in the given tags, innermost last: tags[0] outermost. */
static enum carta_err nest(const uint32_t *tags, size_t ntags, const struct carta_buf *inner,
                           struct carta_buf *out)
{
	struct carta_buf a = { 0 }, b = { 0 };
	enum carta_err e = carta_buf_set(&a, inner->p, inner->len);

	for (size_t i = ntags; i-- > 0 && e == CARTA_OK;) {
		carta_buf_clear(&b);
		e = carta_tlv_put(&b, tags[i], a.p, a.len);
		if (e == CARTA_OK)
			e = carta_buf_set(&a, b.p, b.len);
	}
	if (e == CARTA_OK)
		e = carta_buf_append(out, a.p, a.len);
	carta_buf_free(&a);
	carta_buf_free(&b);
	return e;
}

static enum carta_err dh_params(const struct vcard_cie_cmd *cmd, struct carta_buf *out)
{
	static const uint32_t path[] = { 0x70, 0xBFA101, 0xA3 };
	struct carta_buf in = { 0 };
	enum carta_err e = CARTA_OK;
	bool all = is_req(cmd, req_all, sizeof(req_all));

	if (all || is_req(cmd, req_g, sizeof(req_g)))
		e = carta_tlv_put(&in, 0x97, vcard_cie_dh_g, CIE_DH_LEN);
	if (e == CARTA_OK && (all || is_req(cmd, req_p, sizeof(req_p))))
		e = carta_tlv_put(&in, 0x98, vcard_cie_dh_p, CIE_DH_LEN);
	if (e == CARTA_OK && (all || is_req(cmd, req_q, sizeof(req_q))))
		e = carta_tlv_put(&in, 0x99, vcard_cie_dh_q, CIE_DH_Q_LEN);
	if (e == CARTA_OK)
		e = nest(path, 3, &in, out);
	carta_buf_free(&in);
	return e;
}

/* 7F49 { 81 n_CA, 82 e_CA, 5F20 CHR, 5F4C CHA } (docs/reference/cie.md 8 D2) */
static enum carta_err ca_key(const struct vcard_cie *c, struct carta_buf *out)
{
	static const uint32_t path[] = { 0x70, 0xBFA004, 0x7F49 };
	struct carta_buf in = { 0 };
	enum carta_err e;

	e = carta_tlv_put(&in, 0x81, c->id.n_ca, CIE_RSA_LEN);
	if (e == CARTA_OK)
		e = carta_tlv_put(&in, 0x82, c->id.e_ca.p, c->id.e_ca.len);
	if (e == CARTA_OK)
		e = carta_tlv_put(&in, 0x5F20, c->id.ca_chr, CIE_CHR_LEN);
	if (e == CARTA_OK)
		e = carta_tlv_put(&in, 0x5F4C, c->id.ca_cha, sizeof(c->id.ca_cha));
	if (e == CARTA_OK)
		e = nest(path, 3, &in, out);
	carta_buf_free(&in);
	return e;
}

enum carta_err vcard_cie_get_data(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                  struct vcard_cie_rsp *r)
{
	static const uint32_t icc_path[] = { 0xA6 };

	if (cmd->p1 != 0x3F || cmd->p2 != 0xFF) {
		r->sw = SW_P1P2;
		return CARTA_OK;
	}
	if (is_req(cmd, req_g, sizeof(req_g)) || is_req(cmd, req_p, sizeof(req_p)) ||
	    is_req(cmd, req_q, sizeof(req_q)))
		return dh_params(cmd, &r->data);
	/* the single-command form is the Gemalto one; JCOP4 cards get the three
	 * separate requests (docs/reference/cie.md 3.2) */
	if (is_req(cmd, req_all, sizeof(req_all)) && !c->nxp)
		return dh_params(cmd, &r->data);
	if (is_req(cmd, req_ca, sizeof(req_ca)))
		return ca_key(c, &r->data);
	if (is_req(cmd, req_icc, sizeof(req_icc))) {
		struct carta_buf v = { 0 };
		enum carta_err e;
		if (!c->dh.kat) {    /* only after MSE SET KAT (docs/reference/cie.md 8 D3) */
			r->sw = SW_COND;
			return CARTA_OK;
		}
		e = carta_tlv_put(&v, 0x91, c->dh.puk_icc, CIE_DH_LEN);
		if (e == CARTA_OK)
			e = nest(icc_path, 1, &v, &r->data);
		carta_buf_free(&v);
		return e;
	}
	r->sw = SW_REF;
	return CARTA_OK;
}

/* Random y in [1, q-1]. */
static enum carta_err pick_y(uint8_t y[CIE_DH_Q_LEN])
{
	static const uint8_t one[1] = { 1 };
	enum carta_err e;

	do {
		e = carta_random(y, CIE_DH_Q_LEN);
	} while (e == CARTA_OK && (carta_bn_cmp(y, CIE_DH_Q_LEN, vcard_cie_dh_q, CIE_DH_Q_LEN) >= 0 ||
	                           carta_bn_cmp(y, CIE_DH_Q_LEN, one, 0) == 0));
	return e;
}

/* 1 < PuK.IFD < p-1 */
static bool puk_ok(const uint8_t *v, size_t n)
{
	static const uint8_t one[1] = { 1 };
	uint8_t pm1[CIE_DH_LEN];

	memcpy(pm1, vcard_cie_dh_p, CIE_DH_LEN);
	pm1[CIE_DH_LEN - 1] = (uint8_t)(pm1[CIE_DH_LEN - 1] - 1u);   /* p is odd */
	return carta_bn_cmp(v, n, one, 1) > 0 && carta_bn_cmp(v, n, pm1, CIE_DH_LEN) < 0;
}

static enum carta_err derive(struct vcard_cie *c, const uint8_t *y)
{
	uint8_t k[CIE_DH_LEN];
	enum carta_err e;

	e = carta_modexp(vcard_cie_dh_g, CIE_DH_LEN, y, CIE_DH_Q_LEN, vcard_cie_dh_p, CIE_DH_LEN,
	                 c->dh.puk_icc);
	if (e == CARTA_OK)
		e = carta_modexp(c->dh.puk_ifd, c->dh.puk_ifd_len, y, CIE_DH_Q_LEN, vcard_cie_dh_p,
		                 CIE_DH_LEN, k);
	/* K in |p| bytes; K_enc/K_mac = SHA-256(K || counter)[0..15] (docs/reference/cie.md 8 E2) */
	if (e == CARTA_OK)
		e = carta_kdf_counter(CARTA_HASH_SHA256, k, CIE_DH_LEN, 1, c->sm.kenc, 16);
	if (e == CARTA_OK)
		e = carta_kdf_counter(CARTA_HASH_SHA256, k, CIE_DH_LEN, 2, c->sm.kmac, 16);
	carta_wipe(k, sizeof(k));
	return e;
}

/* MSE SET KAT: 80 01 9B, 83 01 81, 91 PuK.IFD, in any order (docs/reference/cie.md 8 E1). */
enum carta_err vcard_cie_mse_kat(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                 struct vcard_cie_rsp *r)
{
	struct carta_bytes in = { cmd->data, cmd->lc };
	struct carta_tlv alg, key, pub;
	uint8_t y[CIE_DH_Q_LEN];
	enum carta_err e;

	if (carta_tlv_find(in, 0x80, &alg) != CARTA_OK || carta_tlv_find(in, 0x83, &key) != CARTA_OK ||
	    carta_tlv_find(in, 0x91, &pub) != CARTA_OK || alg.value.len != 1 ||
	    alg.value.p[0] != 0x9B || key.value.len != 1 || key.value.p[0] != 0x81 ||
	    pub.value.len > CIE_DH_LEN || !puk_ok(pub.value.p, pub.value.len)) {
		r->sw = SW_DATA;
		return CARTA_OK;
	}
	vcard_cie_sm_drop(c);   /* a new key agreement starts a new session */
	memcpy(c->dh.puk_ifd, pub.value.p, pub.value.len);
	c->dh.puk_ifd_len = pub.value.len;
	e = pick_y(y);
	if (e == CARTA_OK)
		e = derive(c, y);
	carta_wipe(y, sizeof(y));
	if (e != CARTA_OK) {
		vcard_cie_sm_drop(c);
		return e;
	}
	memset(c->sm.ssc, 0, sizeof(c->sm.ssc));
	c->sm.ssc[7] = 1;    /* docs/reference/cie.md 8 E2 */
	c->sm.keys = true;
	c->dh.kat = true;
	return CARTA_OK;
}

/* MSE SET (docs/reference/cie.md 3.1, 3.4, 3.6, 5): 41 A6 KAT; 81 B6/A4 DAPP; 41 A4 AT. */
enum carta_err vcard_cie_mse(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                             struct vcard_cie_rsp *r)
{
	struct carta_bytes in = { cmd->data, cmd->lc };
	struct carta_tlv alg, key;

	if (cmd->p1 == 0x41 && cmd->p2 == 0xA6)
		return vcard_cie_mse_kat(c, cmd, r);
	if (cmd->p1 == 0x81 && (cmd->p2 == 0xB6 || cmd->p2 == 0xA4))
		return vcard_cie_mse_dapp(c, cmd, r);
	if (cmd->p1 != 0x41 || cmd->p2 != 0xA4) {
		r->sw = SW_P1P2;
		return CARTA_OK;
	}
	if (carta_tlv_validate(in, 1) != CARTA_OK || carta_tlv_find(in, 0x80, &alg) != CARTA_OK ||
	    carta_tlv_find(in, 0x84, &key) != CARTA_OK || alg.value.len != 1 || key.value.len != 1) {
		r->sw = SW_DATA;
		return CARTA_OK;
	}
	/* 82/9B: DAPP internal auth; 81/02 and 83/02: PKCS#1 v1.5 (docs/reference/cie.md 3.1) */
	if (!((key.value.p[0] == 0x82 && alg.value.p[0] == 0x9B) ||
	      (key.value.p[0] == 0x81 && alg.value.p[0] == 0x02) ||
	      (key.value.p[0] == 0x83 && alg.value.p[0] == 0x02))) {
		r->sw = SW_REF;
		return CARTA_OK;
	}
	c->at_key = key.value.p[0];
	c->at_alg = alg.value.p[0];
	return CARTA_OK;
}
