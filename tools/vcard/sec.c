/* SPDX-License-Identifier: BSD-3-Clause */
/* MANAGE SECURITY ENVIRONMENT, PERFORM SECURITY OPERATION, GET CHALLENGE and
 * GET DATA: docs/reference/cns.md 1.8, 1.11, 1.13 (PR #3806) and the security-environment
 * checklist of docs/reference/cns.md 5. The card does raw RSA on a modulus-length block: the
 * host pads (docs/reference/cns.md 1.8). */
#include <string.h>

#include "vcard_int.h"

#define DS_KEY 0x10
#define IC_KEY 0x21

/* The key lives in key_df (MF for the classic layout, DF 9002 on IDEMIA 2021,
 * the applet root on ACe 2025): it is found from that DF or below it. */
static bool key_visible(const struct vcard_cns *c, uint8_t ref)
{
	int df;

	/* CNS1 key 10 in DF 1400/8110 (docs/reference/cns.md 1.5), found as its PIN is (ds.c) */
	if (c->ds && ref == DS_KEY)
		return vcard_ds_visible(c);
	/* Infocamere key 21 in DF 2FFF (docs/reference/cns.md 1.5 row CNS01) */
	if (c->ic && ref == IC_KEY)
		return vcard_ic_visible(c);
	if (!c->cns0 || ref != c->prof->key_ref || c->app_root != c->cns_app)
		return false;
	for (df = c->cur_df; df != VCARD_NONE; df = c->files[df].parent)
		if (df == c->key_df)
			return true;
	return false;
}

/* Data of MSE SET: 80 (algorithm, ignored), 83 (or 84 in the ISO form) key
 * reference. Returns the key reference or -1 if the data is malformed. */
static int mse_key(const struct vcard_capdu *a)
{
	int key = -1;
	size_t i = 0;

	while (i + 2 <= a->lc) {
		uint8_t tag = a->data[i], len = a->data[i + 1];

		if (len > a->lc - i - 2)
			return -1;
		if (tag == 0x83 || (tag == 0x84 && a->p1 == 0x41)) {
			if (len != 1)
				return -1;
			key = a->data[i + 2];
		} else if (tag != 0x80) {
			return -1;
		}
		i += 2u + len;
	}
	return i == a->lc ? key : -1;
}

enum carta_err vcard_cmd_mse(struct vcard_cns *c, const struct vcard_capdu *a,
                             struct carta_buf *r)
{
	int key;

	if (a->p1 == 0xF3) {
		/* RESTORE SE 03, with or without the trailing "Lc=0" byte
		 * (docs/reference/cns.md 1.8): both parse with lc == 0. */
		if (a->lc)
			return vcard_sw(r, 0x6700);
		if (a->p2 != 0x03)
			return vcard_sw(r, 0x6A88);
		c->se_dst = -1;
		c->se_ct = -1;
		return vcard_sw(r, 0x9000);
	}
	if (a->p1 != 0xF1 && a->p1 != 0x41)
		return vcard_sw(r, 0x6A86);
	if (a->p2 != 0xB6 && a->p2 != 0xB8)
		return vcard_sw(r, 0x6A86);
	if (a->lc == 0)
		return vcard_sw(r, 0x6700);
	key = mse_key(a);
	if (key < 0)
		return vcard_sw(r, 0x6A80);
	if (!key_visible(c, (uint8_t)key))
		return vcard_sw(r, 0x6A88);
	/* The signature key cannot decipher (issue 13: keyUsage nonRepudiation only): a
	 * confidentiality template for it is refused with 69 85, "conditions of use not
	 * satisfied" (ISO/IEC 7816-4 5.6, table 6); the reference gives no card's SW. */
	if (c->ds && key == DS_KEY && a->p2 == 0xB8)
		return vcard_sw(r, 0x6985);
	if (a->p2 == 0xB6)
		c->se_dst = key;
	else
		c->se_ct = key;
	return vcard_sw(r, 0x9000);
}

static enum carta_err rsa_op(const struct carta_tk_key *k, const uint8_t *in, size_t n,
                             struct carta_buf *r)
{
	struct carta_buf mod = { 0 }, e = { 0 };
	size_t k_len = (carta_tk_key_bits(k) + 7) / 8, outlen = 0;
	enum carta_err rv;

	if (n != k_len)
		return vcard_sw(r, 0x6700);
	rv = carta_tk_rsa_public(k, &mod, &e);
	if (rv != CARTA_OK)
		goto out;
	if (carta_bn_cmp(in, n, mod.p, mod.len) >= 0) {
		rv = vcard_sw(r, 0x6A80);
		goto out;
	}
	rv = carta_buf_reserve(r, k_len + 2);
	if (rv == CARTA_OK)
		rv = carta_tk_rsa_private_raw(k, in, n, r->p + r->len, k_len, &outlen);
	if (rv != CARTA_OK)
		goto out;
	r->len += outlen;
	rv = vcard_sw(r, 0x9000);
out:
	carta_buf_free(&mod);
	carta_buf_free(&e);
	return rv;
}

/* No real Italian card is known to carry an EC key: this is the ec_key
 * option only. PSO CDS takes the hash and returns r||s. */
static enum carta_err ec_op(struct vcard_cns *c, bool cds, const struct vcard_capdu *a,
                            struct carta_buf *r)
{
	uint8_t sig[64];
	enum carta_err rv;

	if (!cds)
		return vcard_sw(r, 0x6A81);
	if (a->lc > 64)
		return vcard_sw(r, 0x6700);
	rv = carta_tk_ecdsa_sign(c->id.holder_key, a->data, a->lc, sig);
	if (rv == CARTA_OK)
		rv = carta_buf_append(r, sig, sizeof(sig));
	if (rv == CARTA_OK)
		rv = vcard_sw(r, 0x9000);
	return rv;
}

/* PSO COMPUTE DIGITAL SIGNATURE with key 10 (only CDS reaches here: MSE B8 refuses the
 * key). The host sends the full modulus-length padded block, the card does raw RSA
 * (docs/reference/cns.md 1.8 "The PSO CDS path"). PIN 1A must be verified now; with
 * --ds-pin-per-sign the card forgets it after every signature it computes or tries to
 * (the attempt consumed the verification), so the next one needs a new VERIFY. */
static enum carta_err ds_sign(struct vcard_cns *c, const struct vcard_capdu *a,
                              struct carta_buf *r)
{
	if (!c->ds_pin.verified)
		return vcard_sw(r, 0x6982);
	if (c->ds_per_sign)
		c->ds_pin.verified = false;
	return rsa_op(c->id.ds_key, a->data, a->lc, r);
}

enum carta_err vcard_cmd_pso(struct vcard_cns *c, const struct vcard_capdu *a,
                             struct carta_buf *r)
{
	bool cds = a->p1 == 0x9E && a->p2 == 0x9A, dec = a->p1 == 0x80 && a->p2 == 0x86;
	int key = cds ? c->se_dst : c->se_ct;
	const struct carta_tk_key *k = c->id.holder_key;

	if (!cds && !dec)
		return vcard_sw(r, 0x6A86);
	if (a->lc == 0)
		return vcard_sw(r, 0x6700);
	if (c->ds && key == DS_KEY)
		return ds_sign(c, a, r);
	if (!c->pin.verified)
		return vcard_sw(r, 0x6982);
	if (key < 0)
		return vcard_sw(r, 0x6985);
	if (c->ic && key == IC_KEY)
		k = c->id.ic_key;   /* guarded by the CNS PIN 10 too (1.5 row CNS01) */
	else if (!carta_tk_key_is_rsa(k))
		return ec_op(c, cds, a, r);
	if (cds)   /* a bare DigestInfo is shorter than the modulus: 67 00 (docs/reference/cns.md 5) */
		return rsa_op(k, a->data, a->lc, r);
	/* DECIPHER: padding indicator 00 then the block; the raw result is
	 * returned without unpadding (docs/reference/cns.md 1.8). */
	if (a->data[0] != 0x00)
		return vcard_sw(r, 0x6A80);
	return rsa_op(k, a->data + 1, a->lc - 1, r);
}

enum carta_err vcard_cmd_challenge(struct vcard_cns *c, const struct vcard_capdu *a,
                                   struct carta_buf *r)
{
	enum carta_err rv;

	if (a->p1 || a->p2)
		return vcard_sw(r, 0x6A86);
	if (a->lc || !a->le_present || a->ne > c->prof->challenge_max)
		return vcard_sw(r, 0x6700);
	rv = carta_buf_reserve(r, a->ne + 2);
	if (rv == CARTA_OK)
		rv = carta_random(r->p + r->len, a->ne);
	if (rv != CARTA_OK)
		return rv;
	r->len += a->ne;
	return vcard_sw(r, 0x9000);
}

/* ST2022: GET DATA 01 80 = "JSign4" once the J-Sign AID is selected
 * (docs/reference/cns.md 1.13, PR #3806). */
enum carta_err vcard_cmd_get_data(struct vcard_cns *c, const struct vcard_capdu *a,
                                  struct carta_buf *r)
{
	static const uint8_t jsign[] = { 'J', 'S', 'i', 'g', 'n', '4' };
	enum carta_err rv;

	if (a->lc)
		return vcard_sw(r, 0x6700);
	if (a->p1 != 0x01 || a->p2 != 0x80 || !c->jsign_selected)
		return vcard_sw(r, 0x6A88);
	rv = carta_buf_append(r, jsign, sizeof(jsign));
	if (rv == CARTA_OK)
		rv = vcard_sw(r, 0x9000);
	return rv;
}
