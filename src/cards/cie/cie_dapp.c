/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE 3.0 device authentication with privacy protection, IAS-ECC 5.2.3
 * ("DAPP", docs/reference/cie.md 3.3, 3.6, 8.F): the terminal proves itself with
 * a card-verifiable certificate signed by the terminal CA and a signature
 * over the DH exchange; the chip answers with its own signature (key 82,
 * public part in EF 1004). All commands after the CA parameters are under SM. */
#include <string.h>

#include "cards/cie/cie.h"
#include "apdu/sw.h"
#include "crypto/crypto.h"
#include "util/log.h"
#include "util/tlv.h"

#define CPI_2048 0x8au   /* CVC profile: 2048-bit key (docs/reference/cie.md 3.2) */
#define HLEN 32u         /* SHA-256 */

/* GET DATA 7F49 of SDO BF A0 04: n_CA, e_CA, CHR, CHA (docs/reference/cie.md 3.3, 8.D2). */
enum carta_err carta_cie_get_ca_params(struct carta_card *c)
{
	static const uint8_t cmd[] = { 0x4d, 0x09, 0x70, 0x07, 0xbf, 0xa0, 0x04,
		                       0x03, 0x7f, 0x49, 0x80 };
	static const uint32_t path[] = { 0x70, 0xbfa004, 0x7f49 };
	struct carta_apdu a = { 0x00, 0xcb, 0x3f, 0xff, cmd, sizeof(cmd), 0 };
	struct carta_cie *s = c->priv;
	struct carta_rapdu r;
	struct carta_tlv t, n, e, chr, cha;
	enum carta_err rv;

	carta_rapdu_init(&r);
	rv = carta_cie_tx_ok(c, &a, 0, &r);
	if (rv == CARTA_OK)
		rv = carta_tlv_find_path(carta_buf_view(&r.data), path, 3, &t);
	if (rv == CARTA_OK && (carta_tlv_find(t.value, 0x81, &n) != CARTA_OK ||
	                       carta_tlv_find(t.value, 0x82, &e) != CARTA_OK ||
	                       carta_tlv_find(t.value, 0x5f20, &chr) != CARTA_OK ||
	                       carta_tlv_find(t.value, 0x5f4c, &cha) != CARTA_OK))
		rv = CARTA_E_PARSE;
	/* CHR is 12 bytes and CAR = CHR[4..]; the CA AID is CHA[0..5] */
	if (rv == CARTA_OK && (n.value.len < 64 || n.value.len > CARTA_CIE_MAX_MOD ||
	                       e.value.len == 0 || e.value.len > n.value.len ||
	                       chr.value.len != 12 || cha.value.len < 6))
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		rv = carta_buf_set(&s->n_ca, n.value.p, n.value.len);
	if (rv == CARTA_OK)
		rv = carta_buf_set(&s->e_ca, e.value.p, e.value.len);
	if (rv == CARTA_OK) {
		memcpy(s->car, chr.value.p + 4, 8);
		memcpy(s->ca_aid, cha.value.p, 6);
	}
	s->have_ca = rv == CARTA_OK;
	if (rv == CARTA_E_FILE_NOT_FOUND)
		rv = CARTA_E_PARSE;
	carta_rapdu_free(&r);
	return rv;
}

/* C = CPI || CAR || CHR || CHA || OID || n_IFD || e_IFD (docs/reference/cie.md 3.6 step 1). */
enum carta_err carta_cie_cvc_body(const uint8_t car[8], const uint8_t ca_aid[6],
                                  struct carta_buf *out)
{
	static const uint8_t zero4[4] = { 0 };
	static const uint8_t role = 0x01;
	uint8_t cpi = CPI_2048;
	enum carta_err rv;

	carta_buf_clear(out);
	rv = carta_buf_append(out, &cpi, 1);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, car, 8);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, zero4, 4);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, carta_cie_sn_ifd, 8);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, ca_aid, 6);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, &role, 1);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, carta_cie_cvc_oid, sizeof(carta_cie_cvc_oid));
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, carta_cie_n_ifd, sizeof(carta_cie_n_ifd));
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, carta_cie_e_ifd, sizeof(carta_cie_e_ifd));
	return rv;
}

/* ISO/IEC 9796-2 scheme 1 with SHA-256, header 6A (partial recovery),
 * trailer BC: 6A || m[0 .. k-34) || H || BC, k bytes. */
enum carta_err carta_cie_9796_block(const uint8_t *m, size_t mlen, const uint8_t *h_in,
                                    size_t hlen, size_t k, uint8_t *out)
{
	size_t m1 = k - HLEN - 2, got;
	enum carta_err rv;

	if (k < HLEN + 3 || mlen < m1)
		return CARTA_E_RANGE;
	out[0] = 0x6a;
	memcpy(out + 1, m, m1);
	rv = carta_digest(CARTA_HASH_SHA256, h_in, hlen, out + 1 + m1, HLEN, &got);
	out[k - 1] = 0xbc;
	return rv;
}

/* 7F21 { 5F37 sig, 5F38 PKrem, 42 CAR }, sig = raw RSA with d_CA modulo the
 * card's n_CA (docs/reference/cie.md 3.6 steps 1 and 3). */
enum carta_err carta_cie_cvc_build(const struct carta_cie *s, struct carta_buf *out)
{
	struct carta_buf c = { 0 }, in = { 0 };
	uint8_t blk[CARTA_CIE_MAX_MOD], sig[CARTA_CIE_MAX_MOD];
	size_t k = s->n_ca.len, m1;
	enum carta_err rv = CARTA_E_RANGE;

	carta_buf_clear(out);
	if (k != sizeof(carta_cie_d_ca))
		goto out;
	m1 = k - HLEN - 2;
	rv = carta_cie_cvc_body(s->car, s->ca_aid, &c);
	if (rv == CARTA_OK && c.len <= m1)
		rv = CARTA_E_RANGE;
	if (rv == CARTA_OK)
		rv = carta_cie_9796_block(c.p, c.len, c.p, c.len, k, blk);
	if (rv == CARTA_OK)
		rv = carta_modexp(blk, k, carta_cie_d_ca, sizeof(carta_cie_d_ca), s->n_ca.p, k, sig);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(&in, 0x5f37, sig, k);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(&in, 0x5f38, c.p + m1, c.len - m1);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(&in, 0x42, s->car, sizeof(s->car));
	if (rv == CARTA_OK)
		rv = carta_tlv_put(out, 0x7f21, in.p, in.len);
out:
	carta_buf_free(&c);
	carta_buf_free(&in);
	return rv;
}

static enum carta_err sm_cmd(struct carta_card *c, uint8_t ins, uint8_t p1, uint8_t p2,
                             const uint8_t *d, size_t n, size_t le, struct carta_rapdu *r)
{
	struct carta_apdu a = { 0x00, ins, p1, p2, d, n, le };

	return carta_cie_tx_ok(c, &a, 0, r);
}

/* Steps 2-4: MSE SET DST, PSO VERIFY CERTIFICATE, MSE SET AT with CHR. */
static enum carta_err send_cvc(struct carta_card *c, struct carta_rapdu *r)
{
	static const uint8_t dst[] = { 0x80, 0x01, 0x41, 0x83, 0x01, 0x84 };
	uint8_t at[14] = { 0x83, 0x0c, 0, 0, 0, 0 };
	struct carta_buf cvc = { 0 };
	enum carta_err rv;

	memcpy(at + 6, carta_cie_sn_ifd, 8);
	/* Le 00 as LNX builds it: the SM layer adds DO97 01 00 (docs/reference/cie.md 3.5 quirk 2) */
	rv = sm_cmd(c, 0x22, 0x81, 0xb6, dst, sizeof(dst), 256, r);
	if (rv == CARTA_OK)
		rv = carta_cie_cvc_build(c->priv, &cvc);
	if (rv == CARTA_OK)
		rv = sm_cmd(c, 0x2a, 0x00, 0xae, cvc.p, cvc.len, 0, r);
	/* P2 A4: ST cards require it, the others also take B6 (docs/reference/cie.md 3.6 step 4) */
	if (rv == CARTA_OK)
		rv = sm_cmd(c, 0x22, 0x81, 0xa4, at, sizeof(at), 0, r);
	carta_buf_free(&cvc);
	return rv;
}

/* Hash input of the DAPP signatures: prnd || a || sn || rnd || b || g || p || q. */
static enum carta_err dapp_hash_in(const struct carta_cie *s, const uint8_t *prnd, size_t pn,
                                   const struct carta_buf *a, const uint8_t *sn,
                                   const uint8_t *rnd, const struct carta_buf *b,
                                   struct carta_buf *out)
{
	enum carta_err rv;

	carta_buf_clear(out);
	rv = carta_buf_append(out, prnd, pn);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, a->p, a->len);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, sn, 8);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, rnd, 8);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, b->p, b->len);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, s->g.p, s->g.len);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, s->p.p, s->p.len);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, s->q.p, s->q.len);
	return rv;
}

/* Steps 5-6: GET CHALLENGE, EXTERNAL AUTHENTICATE with SN.IFD || SIG. */
static enum carta_err ext_auth(struct carta_card *c, const struct carta_cie_dh *dh,
                               uint8_t rnd_icc[8], struct carta_rapdu *r)
{
	struct carta_cie *s = c->priv;
	const size_t k = sizeof(carta_cie_n_ifd), pn = k - HLEN - 2;
	uint8_t prnd[CARTA_CIE_RSA_LEN], blk[CARTA_CIE_RSA_LEN], d[8 + CARTA_CIE_RSA_LEN];
	struct carta_buf hin = { 0 };
	enum carta_err rv;

	rv = sm_cmd(c, 0x84, 0x00, 0x00, NULL, 0, 8, r);
	if (rv == CARTA_OK && r->data.len != 8)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK) {
		memcpy(rnd_icc, r->data.p, 8);
		rv = carta_random(prnd, pn);
	}
	if (rv == CARTA_OK)
		rv = dapp_hash_in(s, prnd, pn, &dh->puk_ifd, carta_cie_sn_ifd, rnd_icc,
		                  &dh->puk_icc, &hin);
	if (rv == CARTA_OK)
		rv = carta_cie_9796_block(prnd, pn, hin.p, hin.len, k, blk);
	if (rv == CARTA_OK)
		rv = carta_modexp(blk, k, carta_cie_d_ifd, sizeof(carta_cie_d_ifd), carta_cie_n_ifd,
		                  k, d + 8);
	memcpy(d, carta_cie_sn_ifd, 8);
	if (rv == CARTA_OK)
		rv = sm_cmd(c, 0x82, 0x00, 0x00, d, sizeof(d), 0, r);
	carta_buf_free(&hin);
	return rv;
}

/* Step 8: the chip's SIG.ICC over our RND.IFD must open with EF 1004's key
 * to 6A || PRND2 || H || BC, H over PRND2 || PuK.ICC || SN.ICC || RND.IFD ||
 * PuK.IFD || g || p || q. */
static enum carta_err check_icc(const struct carta_cie *s, const struct carta_cie_dh *dh,
                                const struct carta_buf *resp, const uint8_t rnd_ifd[8])
{
	size_t k = s->n82.len, pn;
	uint8_t m[CARTA_CIE_MAX_MOD], h[HLEN];
	struct carta_buf hin = { 0 };
	size_t hl;
	enum carta_err rv = CARTA_E_CRYPTO;

	if (k < 64 || k > CARTA_CIE_MAX_MOD || resp->len != 8 + k)
		return CARTA_E_PARSE;
	pn = k - HLEN - 2;
	if (carta_rsa_public_raw(s->n82.p, k, s->e82.p, s->e82.len, resp->p + 8, k, m) != CARTA_OK)
		goto out;
	if (m[0] != 0x6a || m[k - 1] != 0xbc)
		goto out;
	if (dapp_hash_in(s, m + 1, pn, &dh->puk_icc, resp->p, rnd_ifd, &dh->puk_ifd, &hin) !=
	    CARTA_OK ||
	    carta_digest(CARTA_HASH_SHA256, hin.p, hin.len, h, sizeof(h), &hl) != CARTA_OK)
		goto out;
	if (carta_ct_equal(h, m + 1 + pn, HLEN))
		rv = CARTA_OK;
out:
	carta_buf_free(&hin);
	return rv;
}

/* Steps 7-9: MSE SET AT (key 82, DH-SHA256), INTERNAL AUTHENTICATE without
 * Le, check, then SSC := RND.ICC[4..7] || RND.IFD[4..7]. */
static enum carta_err int_auth(struct carta_card *c, const struct carta_cie_dh *dh,
                               const uint8_t rnd_icc[8], struct carta_rapdu *r)
{
	static const uint8_t at[] = { 0x84, 0x01, 0x82, 0x80, 0x01, 0x9b };
	struct carta_cie *s = c->priv;
	uint8_t rnd_ifd[8];
	enum carta_err rv;

	rv = sm_cmd(c, 0x22, 0x41, 0xa4, at, sizeof(at), 0, r);
	if (rv == CARTA_OK)
		rv = carta_random(rnd_ifd, sizeof(rnd_ifd));
	if (rv == CARTA_OK)
		rv = sm_cmd(c, 0x88, 0x00, 0x00, rnd_ifd, sizeof(rnd_ifd), 0, r);
	if (rv == CARTA_OK)
		rv = check_icc(s, dh, &r->data, rnd_ifd);
	if (rv == CARTA_OK && s->sm.active) {
		memcpy(s->sm.ssc, rnd_icc + 4, 4);
		memcpy(s->sm.ssc + 4, rnd_ifd + 4, 4);
	}
	return rv;
}

enum carta_err carta_cie_dapp(struct carta_card *c, const struct carta_cie_dh *dh)
{
	struct carta_cie *s = c->priv;
	struct carta_rapdu r;
	uint8_t rnd_icc[8];
	enum carta_err rv = CARTA_E_INTERNAL;

	carta_rapdu_init(&r);
	if (!s->sm.active || !s->have_ca || s->n82.len == 0)
		goto out;
	rv = send_cvc(c, &r);
	if (rv == CARTA_OK)
		rv = ext_auth(c, dh, rnd_icc, &r);
	if (rv == CARTA_OK)
		rv = int_auth(c, dh, rnd_icc, &r);
	if (rv == CARTA_OK && !s->sm.active)
		rv = CARTA_E_SM;
out:
	if (rv != CARTA_OK)
		carta_log(CARTA_LOG_ERROR, "CIE: device authentication failed: %s",
		          carta_err_str(rv));
	carta_rapdu_free(&r);
	return rv;
}
