/* SPDX-License-Identifier: BSD-3-Clause */
/* The key sets beside CNS0. The CNS1 qualified-signature key set (docs/reference/cns.md
 * 1.5 row "CNS1", 3.3 row DF_DS, 3.4): DF_DS 3F00 1400 holding the certificate EF 9010 and the DF 8110, which
 * holds the public key EF 8010, the private key 10 and the PIN objects 1A / 1B (the
 * reference gives 3F00 1400 8110 as "private key path, also the PIN object's path"). */
#include <string.h>

#include "vcard_int.h"

/* DF 8110: updates and creation only after PIN 1A (an ACL byte names the BSO,
 * docs/reference/cns.md 1.7), like the IDEMIA key DF 9002 with its PIN 10 (1.5). */
static const uint8_t acl_8110[9] = { 0xFF, 0x1A, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF, 0x1A, 0xFF };

static int find_child(const struct vcard_cns *c, int parent, uint16_t fid)
{
	for (size_t i = 0; i < c->nfiles; i++)
		if (c->files[i].parent == parent && c->files[i].fid == fid)
			return (int)i;
	return VCARD_NONE;
}

/* The classic layout already has an empty DF 1400 (docs/reference/cns.md 3.3: "DF_DS
 * 1400 must still exist, possibly empty", 3.1); IDEMIA keeps its 9001/9002 in it. */
enum carta_err vcard_ds_layout(struct vcard_cns *c)
{
	struct carta_buf pub = { 0 };
	enum carta_err rv;
	int ds = find_child(c, c->mf, 0x1400), k;

	if (ds == VCARD_NONE)
		ds = vcard_fs_add(c, c->mf, 0x1400, true, NULL, 0);
	if (ds < 0)
		return CARTA_E_NOMEM;
	/* 8010: the public key, in the same form as the CNS0 EF 3F01 (its format is [?]). */
	rv = carta_tk_rsa_public_der(c->id.ds_key, &pub);
	k = rv == CARTA_OK ? vcard_fs_add(c, ds, 0x8110, true, NULL, 0) : VCARD_NONE;
	if (rv == CARTA_OK &&
	    (k < 0 || vcard_fs_add(c, ds, 0x9010, false, c->id.ds_der.p, c->id.ds_der.len) < 0 ||
	     vcard_fs_add(c, k, 0x8010, false, pub.p, pub.len) < 0))
		rv = CARTA_E_NOMEM;
	carta_buf_free(&pub);
	if (rv != CARTA_OK)
		return rv;
	memcpy(c->files[k].acl, acl_8110, sizeof(acl_8110));
	c->ds_df = ds;
	c->ds_key_df = k;
	return CARTA_OK;
}

/* Where PIN 1A/1B and key 10 are found from. The reference gives their DF (8110) and
 * says OpenSC selects it before VERIFY (docs/reference/cns.md 1.6 "If the PIN object
 * has a path ... OpenSC first selects that path"); on ST masks the 0x80 flag asks the
 * card to search the parent DFs (1.6, 3.4), i.e. from the current DF upwards. So the
 * strict reading (default): the current DF is 8110 (or below it). Whether a real card
 * also finds them from DF_DS or from the MF is not in the reference: --ds-pin-scope. */
bool vcard_ds_visible(const struct vcard_cns *c)
{
	int want = c->ds_scope == VCARD_DS_SCOPE_DS ? c->ds_df : c->ds_key_df;

	if (!c->ds || c->app_root != c->cns_app)
		return false;
	if (c->ds_scope == VCARD_DS_SCOPE_ANY)
		return true;
	for (int df = c->cur_df; df != VCARD_NONE; df = c->files[df].parent)
		if (df == want)
			return true;
	return false;
}

/* Infocamere 1204 (docs/reference/cns.md 1.5 row CNS01, 3.3 row 2FFF): DF 3F00 2FFF with
 * EF 8228 = a 5-byte header, bytes 1-2 the certificate's length big-endian (00 00 = no
 * certificate), then the certificate at offset 5; the private key 21 in 0000 (an EF here:
 * the reference gives only its path [?]), guarded by the CNS PIN 10. Header bytes 0, 3
 * and 4 are not in the reference: 00 here [?]. */
enum carta_err vcard_ic_layout(struct vcard_cns *c)
{
	struct carta_buf ef = { 0 };
	size_t n = c->ic_empty ? 0 : c->id.ic_der.len;
	uint8_t head[5] = { 0x00, (uint8_t)(n >> 8), (uint8_t)n, 0x00, 0x00 };
	enum carta_err rv = n > 0xFFFF ? CARTA_E_RANGE : carta_buf_append(&ef, head, 5);
	int df = VCARD_NONE, key = VCARD_NONE;

	if (rv == CARTA_OK && n)
		rv = carta_buf_append(&ef, c->id.ic_der.p, n);
	if (rv == CARTA_OK)
		df = vcard_fs_add(c, c->mf, 0x2FFF, true, NULL, 0);
	if (df >= 0 && vcard_fs_add(c, df, 0x8228, false, ef.p, ef.len) >= 0)
		key = vcard_fs_add(c, df, 0x0000, false, NULL, 0);
	if (rv == CARTA_OK && key < 0)
		rv = CARTA_E_NOMEM;
	if (rv == CARTA_OK) {
		memset(c->files[key].acl, 0xFF, 9);   /* a key file: never read */
		c->ic_df = df;
	}
	carta_buf_free(&ef);
	return rv;
}

bool vcard_ic_visible(const struct vcard_cns *c)
{
	if (!c->ic || c->app_root != c->cns_app)
		return false;
	for (int df = c->cur_df; df != VCARD_NONE; df = c->files[df].parent)
		if (df == c->ic_df)
			return true;
	return false;
}
