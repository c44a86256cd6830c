/* SPDX-License-Identifier: BSD-3-Clause */
/* DAPP, IAS-ECC device authentication with privacy protection, card side
 * (docs/reference/cie.md 3.6 and 8 F1-F8). */
#include <string.h>

#include "cie_int.h"

#include "util/tlv.h"

#define CVC_LEN 297u    /* 8A || CAR 8 || CHR 12 || CHA 7 || OID 9 || n 256 || e 4 */
#define REC_LEN 222u    /* recoverable part m1: |n| - 34 */

/* Raw RSA public operation: the signature recovery of both DAPP checks (the
 * CA's CVC signature, the IFD's authentication). */
enum carta_err vcard_cie_rsa_pub(const uint8_t *n, const uint8_t *e, size_t elen,
                                 const uint8_t *in, size_t inlen, uint8_t out[CIE_RSA_LEN])
{
	if (inlen == 0 || carta_bn_cmp(in, inlen, n, CIE_RSA_LEN) >= 0)
		return CARTA_E_CRYPTO;
	return carta_modexp(in, inlen, e, elen, n, CIE_RSA_LEN, out);
}

/* 81 B6 { 80 01 41, 83 01 84 } selects the CA key for PSO VERIFY CERTIFICATE;
 * 81 A4 (or B6) { 83 0C CHR } selects the IFD key for EXTERNAL AUTHENTICATE. */
enum carta_err vcard_cie_mse_dapp(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                  struct vcard_cie_rsp *r)
{
	struct carta_bytes in = { cmd->data, cmd->lc };
	struct carta_tlv ref, alg;

	if (carta_tlv_validate(in, 1) != CARTA_OK || carta_tlv_find(in, 0x83, &ref) != CARTA_OK) {
		r->sw = SW_DATA;
		return CARTA_OK;
	}
	if (ref.value.len == CIE_CHR_LEN) {
		if (!c->dapp.cert_ok || memcmp(ref.value.p, c->dapp.ifd_chr, CIE_CHR_LEN) != 0) {
			r->sw = SW_REF;
			return CARTA_OK;
		}
		c->dapp.chr_set = true;
		c->dapp.ext_ok = false;
		return CARTA_OK;
	}
	if (cmd->p2 != 0xB6 || ref.value.len != 1 || ref.value.p[0] != 0x84 ||
	    carta_tlv_find(in, 0x80, &alg) != CARTA_OK || alg.value.len != 1 ||
	    alg.value.p[0] != 0x41) {
		r->sw = SW_REF;
		return CARTA_OK;
	}
	c->dapp.dst_ok = true;
	c->dapp.cert_ok = false;
	c->dapp.chr_set = false;
	return CARTA_OK;
}

/* ISO 9796-2 scheme 1 recovery: 6A || m1 || SHA-256(m1 || rest) || BC. */
static bool recover(const uint8_t rec[CIE_RSA_LEN], const uint8_t *rest, size_t rlen,
                    uint8_t *msg, size_t cap, size_t *mlen)
{
	uint8_t h[32];
	size_t hl = 0;

	if (rec[0] != 0x6A || rec[CIE_RSA_LEN - 1] != 0xBC || REC_LEN + rlen > cap)
		return false;
	memcpy(msg, rec + 1, REC_LEN);
	if (rlen > 0)
		memcpy(msg + REC_LEN, rest, rlen);
	*mlen = REC_LEN + rlen;
	if (carta_digest(CARTA_HASH_SHA256, msg, *mlen, h, sizeof(h), &hl) != CARTA_OK)
		return false;
	return memcmp(h, rec + 1 + REC_LEN, 32) == 0;
}

/* The certificate body per docs/reference/cie.md 8 F2.4: n_IFD at offset 37. */
static bool parse_cvc(struct vcard_cie *c, const uint8_t *m, size_t n)
{
	if (n != CVC_LEN || m[0] != 0x8A ||
	    memcmp(m + 1, c->id.ca_chr + 4, CIE_CAR_LEN) != 0 ||
	    memcmp(m + 21, c->id.ca_cha, 6) != 0 ||
	    memcmp(m + 28, vcard_cie_cvc_oid, sizeof(vcard_cie_cvc_oid)) != 0)
		return false;
	memcpy(c->dapp.ifd_chr, m + 9, CIE_CHR_LEN);
	memcpy(c->dapp.n_ifd, m + 37, CIE_RSA_LEN);
	memcpy(c->dapp.e_ifd, m + 37 + CIE_RSA_LEN, 4);
	return true;
}

/* PSO VERIFY CERTIFICATE 00 2A 00 AE 7F21 { 5F37 sig, 5F38 PKrem, 42 CAR } */
enum carta_err vcard_cie_pso_verify_cert(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                         struct vcard_cie_rsp *r)
{
	struct carta_bytes in = { cmd->data, cmd->lc };
	struct carta_tlv cvc, sig, rem, car;
	uint8_t rec[CIE_RSA_LEN], msg[CIE_RSA_LEN + 128];
	size_t mlen = 0;
	enum carta_err e;

	r->sw = SW_DATA;
	if (cmd->p1 != 0x00 || cmd->p2 != 0xAE) {
		r->sw = SW_P1P2;
		return CARTA_OK;
	}
	if (!c->dapp.dst_ok) {
		r->sw = SW_COND;
		return CARTA_OK;
	}
	c->dapp.cert_ok = false;
	if (carta_tlv_find(in, 0x7F21, &cvc) != CARTA_OK ||
	    carta_tlv_find(cvc.value, 0x5F37, &sig) != CARTA_OK ||
	    carta_tlv_find(cvc.value, 0x5F38, &rem) != CARTA_OK ||
	    carta_tlv_find(cvc.value, 0x42, &car) != CARTA_OK || sig.value.len != CIE_RSA_LEN)
		return CARTA_OK;
	if (car.value.len != CIE_CAR_LEN || memcmp(car.value.p, c->id.ca_chr + 4, CIE_CAR_LEN) != 0) {
		r->sw = SW_REF;   /* unknown certification authority */
		return CARTA_OK;
	}
	e = vcard_cie_rsa_pub(c->id.n_ca, c->id.e_ca.p, c->id.e_ca.len, sig.value.p, sig.value.len,
	                      rec);
	if (e == CARTA_E_CRYPTO)
		return CARTA_OK;
	if (e != CARTA_OK)
		return e;
	if (!recover(rec, rem.value.p, rem.value.len, msg, sizeof(msg), &mlen) ||
	    !parse_cvc(c, msg, mlen))
		return CARTA_OK;
	c->dapp.cert_ok = true;
	c->dapp.chr_set = false;
	r->sw = SW_OK;
	return CARTA_OK;
}

enum carta_err vcard_cie_get_challenge(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                       struct vcard_cie_rsp *r)
{
	enum carta_err e;

	if (cmd->p1 != 0 || cmd->p2 != 0 || cmd->lc != 0 || (cmd->has_le && cmd->le != 8)) {
		r->sw = SW_WRONG_LEN;
		return CARTA_OK;
	}
	e = carta_random(c->dapp.rnd_icc, sizeof(c->dapp.rnd_icc));
	if (e != CARTA_OK)
		return e;
	c->dapp.have_rnd = true;
	return carta_buf_append(&r->data, c->dapp.rnd_icc, sizeof(c->dapp.rnd_icc));
}

/* H = SHA-256 of the concatenation of the parts, in order. */
static enum carta_err hash_parts(const struct carta_bytes *parts, size_t n, uint8_t h[32])
{
	struct carta_digest_ctx *d = NULL;
	size_t hl = 0;
	enum carta_err e = carta_digest_new(CARTA_HASH_SHA256, &d);

	for (size_t i = 0; i < n && e == CARTA_OK; i++)
		e = carta_digest_update(d, parts[i].p, parts[i].len);
	if (e == CARTA_OK)
		e = carta_digest_final(d, h, 32, &hl);
	carta_digest_free(d);
	return e;
}

/* EXTERNAL AUTHENTICATE: SN.IFD || SIG, SIG recovers to 6A || PRND || H || BC
 * with H over PRND || PuK.IFD || SN.IFD || RND.ICC || PuK.ICC || g || p || q
 * (docs/reference/cie.md 8 F5). */
enum carta_err vcard_cie_ext_auth(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                  struct vcard_cie_rsp *r)
{
	uint8_t rec[CIE_RSA_LEN], h[32];
	enum carta_err e;

	if (!c->dapp.chr_set || !c->dapp.have_rnd || !cmd->sm) {
		r->sw = SW_COND;
		return CARTA_OK;
	}
	if (cmd->lc != 8 + CIE_RSA_LEN) {
		r->sw = SW_WRONG_LEN;
		return CARTA_OK;
	}
	c->dapp.have_rnd = false;   /* one challenge, one attempt */
	r->sw = SW_VERIFY_FAILED;
	if (memcmp(cmd->data, c->dapp.ifd_chr + 4, 8) != 0)
		return CARTA_OK;
	e = vcard_cie_rsa_pub(c->dapp.n_ifd, c->dapp.e_ifd, 4, cmd->data + 8, CIE_RSA_LEN, rec);
	if (e == CARTA_E_CRYPTO)
		return CARTA_OK;
	if (e != CARTA_OK)
		return e;
	if (rec[0] != 0x6A || rec[CIE_RSA_LEN - 1] != 0xBC)
		return CARTA_OK;
	{
		const struct carta_bytes parts[] = {
			{ rec + 1, REC_LEN }, { c->dh.puk_ifd, c->dh.puk_ifd_len }, { cmd->data, 8 },
			{ c->dapp.rnd_icc, 8 }, { c->dh.puk_icc, CIE_DH_LEN },
			{ vcard_cie_dh_g, CIE_DH_LEN }, { vcard_cie_dh_p, CIE_DH_LEN },
			{ vcard_cie_dh_q, CIE_DH_Q_LEN },
		};
		e = hash_parts(parts, sizeof(parts) / sizeof(parts[0]), h);
	}
	if (e != CARTA_OK)
		return e;
	if (memcmp(h, rec + 1 + REC_LEN, 32) == 0) {
		c->dapp.ext_ok = true;
		r->sw = SW_OK;
	}
	return CARTA_OK;
}

/* INTERNAL AUTHENTICATE with key 82: SN.ICC(8) || RSA_priv(k82, 6A || PRND2 ||
 * H || BC), H over PRND2 || PuK.ICC || SN.ICC || RND.IFD || PuK.IFD || g || p || q;
 * afterwards SSC := RND.ICC[4..7] || RND.IFD[4..7] (docs/reference/cie.md 8 F7-F8). */
enum carta_err vcard_cie_int_auth_dapp(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                       struct vcard_cie_rsp *r)
{
	/* SN.ICC: the last 8 of the 10 bytes of EF.SN.ICC (docs/reference/cie.md 3.6 step 8: [unknown]) */
	const uint8_t *sn = c->id.files[CIE_F_SN].data.p + 4;
	uint8_t blk[CIE_RSA_LEN], sig[CIE_RSA_LEN];
	size_t slen = 0;
	enum carta_err e;

	if (!c->dapp.ext_ok || !cmd->sm) {
		r->sw = SW_COND;
		return CARTA_OK;
	}
	if (cmd->lc != 8) {
		r->sw = SW_WRONG_LEN;
		return CARTA_OK;
	}
	blk[0] = 0x6A;
	blk[CIE_RSA_LEN - 1] = 0xBC;
	e = carta_random(blk + 1, REC_LEN);
	if (e == CARTA_OK) {
		const struct carta_bytes parts[] = {
			{ blk + 1, REC_LEN }, { c->dh.puk_icc, CIE_DH_LEN }, { sn, 8 },
			{ cmd->data, 8 }, { c->dh.puk_ifd, c->dh.puk_ifd_len },
			{ vcard_cie_dh_g, CIE_DH_LEN }, { vcard_cie_dh_p, CIE_DH_LEN },
			{ vcard_cie_dh_q, CIE_DH_Q_LEN },
		};
		e = hash_parts(parts, sizeof(parts) / sizeof(parts[0]), blk + 1 + REC_LEN);
	}
	if (e == CARTA_OK)
		e = carta_tk_rsa_private_raw(c->id.k82, blk, CIE_RSA_LEN, sig, sizeof(sig), &slen);
	if (e == CARTA_OK && slen != CIE_RSA_LEN)
		e = CARTA_E_INTERNAL;
	if (e == CARTA_OK)
		e = carta_buf_append(&r->data, sn, 8);
	if (e == CARTA_OK)
		e = carta_buf_append(&r->data, sig, CIE_RSA_LEN);
	if (e != CARTA_OK)
		return e;
	memcpy(r->next_ssc, c->dapp.rnd_icc + 4, 4);
	memcpy(r->next_ssc + 4, cmd->data + 4, 4);
	r->reseed = true;
	return CARTA_OK;
}
