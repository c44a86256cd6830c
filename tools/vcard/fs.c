/* SPDX-License-Identifier: BSD-3-Clause */
/* SELECT FILE and the FCI/FCP templates (ISO/IEC 7816-4 7.1.1, docs/reference/cns.md 1.7,
 * 2.4 and the checklist of docs/reference/cns.md 5). Any file that is not there, including
 * a missing intermediate DF of a path, answers 6A 82 and nothing else
 * (docs/reference/cns.md 1.5: OpenSC aborts the binding on any other status word). */
#include <string.h>

#include "util/tlv.h"
#include "vcard_int.h"

/* READ always, everything else never (docs/reference/cns.md 1.7 ACe 2025 EF_Dati_personali). */
static const uint8_t acl_public[9] = { 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

/* A new file of the card's tree (the layouts of layout.c and ds.c build it
 * with this): readable by anyone until the layout sets its ACL. */
int vcard_fs_add(struct vcard_cns *c, int parent, uint16_t fid, bool df, const uint8_t *data,
                 size_t n)
{
	struct vcard_file *f;

	if (c->nfiles >= VCARD_MAX_FILES)
		return VCARD_NONE;
	f = &c->files[c->nfiles];
	memset(f, 0, sizeof(*f));
	f->parent = parent;
	f->fid = fid;
	f->df = df;
	f->fci = VCARD_FCI_CLASSIC;
	memcpy(f->acl, acl_public, sizeof(f->acl));
	if (n && carta_buf_set(&f->data, data, n) != CARTA_OK)
		return VCARD_NONE;
	return (int)c->nfiles++;
}

static const uint8_t jsign_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x95, 0x01, 0x00, 0x4D };

bool vcard_acl_ok(const struct vcard_cns *c, uint8_t ac)
{
	if (ac == 0x00)
		return true;
	if (ac == c->pin.ref)
		return c->pin.verified;
	if (c->ds && ac == c->ds_pin.ref)
		return c->ds_pin.verified;
	return false;           /* FF / 66 = never; unknown BSOs are never met */
}

static int child(const struct vcard_cns *c, int df, uint16_t fid, int want_df, bool paths)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++) {
		const struct vcard_file *f = &c->files[i];

		if (f->parent != df || f->fid != fid || (f->path_only && !paths))
			continue;
		if (want_df >= 0 && f->df != (want_df == 1))
			continue;
		return (int)i;
	}
	return VCARD_NONE;
}

/* P1=08/09: a path of FIDs; every step but the last must be a DF. */
static int walk(const struct vcard_cns *c, int start, const uint8_t *p, size_t n)
{
	int cur = start;
	size_t i;

	for (i = 0; i + 1 < n; i += 2) {
		if (!c->files[cur].df)
			return VCARD_NONE;
		cur = child(c, cur, (uint16_t)(p[i] << 8 | p[i + 1]), -1, true);
		if (cur == VCARD_NONE)
			return VCARD_NONE;
	}
	return cur;
}

/* P1=00 (ISO 7816-4 7.1.1): the current DF, its children, its parent and
 * the parent's children are searched; 3F00 is the root of the application. */
static int by_fid(const struct vcard_cns *c, uint16_t fid)
{
	int df = c->cur_df, par = c->files[df].parent, r;

	if (fid == 0x3F00)
		return c->app_root;
	if (c->files[df].fid == fid)
		return df;
	r = child(c, df, fid, -1, false);
	if (r != VCARD_NONE || par == VCARD_NONE)
		return r;
	if (c->files[par].fid == fid)
		return par;
	return child(c, par, fid, -1, false);
}

static int by_aid(const struct vcard_cns *c, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (c->files[i].aid_len == n && n && memcmp(c->files[i].aid, p, n) == 0)
			return (int)i;
	return VCARD_NONE;
}

static int root_of(const struct vcard_cns *c, int i)
{
	while (c->files[i].parent != VCARD_NONE)
		i = c->files[i].parent;
	return i;
}

/* Returns the file index, VCARD_NONE for 6A 82, -2 for a wrong length, -3
 * for 6A 86, -4 for 69 82 (a ChipDoc applet refused before PACE). */
static int lookup(struct vcard_cns *c, const struct vcard_capdu *a)
{
	uint16_t fid = 0;
	int r;

	if (a->lc == 2)
		fid = (uint16_t)(a->data[0] << 8 | a->data[1]);

	switch (a->p1) {
	case 0x00:
		/* Leaving a ChipDoc applet that waits for PACE: back to the MF [?]. */
		if ((a->lc == 0 || fid == 0x3F00) && c->files[c->app_root].pace != VCARD_PACE_NONE)
			c->app_root = c->mf;
		if (a->lc == 0)
			return c->app_root;
		return a->lc == 2 ? by_fid(c, fid) : -2;
	case 0x01:
		return a->lc == 2 ? child(c, c->cur_df, fid, 1, false) : -2;
	case 0x02:
		return a->lc == 2 ? child(c, c->cur_df, fid, 0, false) : -2;
	case 0x03:
		return a->lc == 0 ? c->files[c->cur_df].parent : -2;
	case 0x04:
		if (a->lc == 0 || a->lc > 16)
			return -2;
		r = by_aid(c, a->data, a->lc);
		if (r != VCARD_NONE && c->files[r].pace == VCARD_PACE_APPLET && c->applet_sw != 0x9000)
			return c->applet_sw == 0x6A82 ? VCARD_NONE : -4;
		if (r != VCARD_NONE) {
			c->app_root = root_of(c, r);
			c->jsign_selected = c->prof->jsign && a->lc == sizeof(jsign_aid) &&
			                    memcmp(a->data, jsign_aid, a->lc) == 0;
		}
		return r;
	case 0x08:
	case 0x09:
		if (a->lc == 0 || a->lc % 2)
			return -2;
		r = walk(c, a->p1 == 0x08 ? c->app_root : c->cur_df, a->data, a->lc);
		/* The ACe 2025 trace (docs/reference/cns.md 2.4 items 2-4) selects 1100/1102,
		 * then D003 and DA01/C001 with P1=09 and no select in between:
		 * the applet resolves such paths from its root too [?]. */
		if (r == VCARD_NONE && a->p1 == 0x09 && c->prof->layout == VCARD_LAYOUT_APPLET)
			r = walk(c, c->app_root, a->data, a->lc);
		return r;
	default:
		return -3;
	}
}

enum carta_err vcard_cmd_select(struct vcard_cns *c, const struct vcard_capdu *a,
                                struct carta_buf *r)
{
	int idx;

	/* P2: 00 FCI, 04 FCP, 0C no data; first/only occurrence only. */
	if (a->p2 != 0x00 && a->p2 != 0x04 && a->p2 != 0x0C)
		return vcard_sw(r, 0x6A86);
	idx = lookup(c, a);
	if (idx == -3)
		return vcard_sw(r, 0x6A86);
	if (idx == -2)
		return vcard_sw(r, 0x6700);
	if (idx == -4)
		return vcard_sw(r, 0x6982);
	if (idx < 0)
		return vcard_sw(r, 0x6A82);
	if (c->files[idx].df) {
		c->cur_df = idx;
		c->cur_ef = VCARD_NONE;
	} else {
		c->cur_df = c->files[idx].parent;
		c->cur_ef = idx;
	}
	if (a->p2 != 0x0C) {
		enum carta_err rv = vcard_fci(c, idx, a->p2 == 0x04 ? 0x62 : 0x6F, r);

		if (rv != CARTA_OK)
			return rv;
	}
	return vcard_sw(r, 0x9000);
}

static enum carta_err put16(struct carta_buf *b, uint32_t tag, size_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return carta_tlv_put(b, tag, x, 2);
}

static enum carta_err classic_body(const struct vcard_file *f, struct carta_buf *b)
{
	static const uint8_t ef_desc[3] = { 0x01, 0x00, 0x00 }, df_desc[3] = { 0x38, 0x00, 0x00 };
	static const uint8_t one = 0x01, lcs = 0x05;
	uint8_t ffs[24];
	enum carta_err rv;

	memset(ffs, 0xFF, sizeof(ffs));
	rv = f->df ? put16(b, 0x81, f->df_size) : put16(b, 0x80, f->data.len);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(b, 0x82, f->df ? df_desc : ef_desc, 3);
	if (rv == CARTA_OK && f->aid_len && f->aid_first)
		rv = carta_tlv_put(b, 0x84, f->aid, f->aid_len);
	if (rv == CARTA_OK)
		rv = put16(b, 0x83, f->fid);
	if (rv == CARTA_OK && f->aid_len && !f->aid_first)
		rv = carta_tlv_put(b, 0x84, f->aid, f->aid_len);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(b, 0x85, &one, 1);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(b, 0x86, f->acl, 9);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(b, 0x8A, &lcs, 1);
	if (rv == CARTA_OK && f->cb_trailer)
		rv = carta_tlv_put(b, 0xCB, ffs, sizeof(ffs));
	return rv;
}

/* ACe 2025 applet EFs (docs/reference/cns.md 1.7): 80, 82 01 01, 88 SFI, 83, 8A 01 05,
 * A1 08 {8C 02 01 <read AC>, 9C 02 01 <read AC>}. DFs inside the applet are
 * not in any trace: the same template with 82 01 38 and no size [?]. */
static enum carta_err applet_body(const struct vcard_file *f, struct carta_buf *b)
{
	uint8_t desc = f->df ? 0x38 : 0x01, lcs = 0x05, sfi = (uint8_t)(f->sfi << 3);
	uint8_t sec[8] = { 0x8C, 0x02, 0x01, f->acl[0], 0x9C, 0x02, 0x01, f->acl[0] };
	enum carta_err rv = CARTA_OK;

	if (!f->df)
		rv = put16(b, 0x80, f->data.len);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(b, 0x82, &desc, 1);
	if (rv == CARTA_OK && f->sfi)
		rv = carta_tlv_put(b, 0x88, &sfi, 1);
	if (rv == CARTA_OK)
		rv = put16(b, 0x83, f->fid);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(b, 0x8A, &lcs, 1);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(b, 0xA1, sec, sizeof(sec));
	return rv;
}

enum carta_err vcard_fci(const struct vcard_cns *c, int idx, uint8_t tag, struct carta_buf *r)
{
	const struct vcard_file *f = &c->files[idx];
	struct carta_buf body = { 0 };
	enum carta_err rv;

	if (f->fci == VCARD_FCI_AID)   /* only the name is known before PACE [?] */
		rv = carta_tlv_put(&body, 0x84, f->aid, f->aid_len);
	else if (f->fci == VCARD_FCI_APPLET)
		rv = applet_body(f, &body);
	else
		rv = classic_body(f, &body);
	if (rv == CARTA_OK)
		rv = carta_tlv_put(r, tag, body.p, body.len);
	carta_buf_free(&body);
	return rv;
}
