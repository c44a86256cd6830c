/* SPDX-License-Identifier: BSD-3-Clause */
/* READ BINARY / UPDATE BINARY (ISO/IEC 7816-4 7.2.3, 7.2.5; docs/reference/cns.md 1.7 and
 * the READ BINARY checklist of docs/reference/cns.md 5). */
#include "vcard_int.h"

static int sfi_file(const struct vcard_cns *c, uint8_t sfi)
{
	size_t i;

	for (i = 0; i < c->nfiles; i++)
		if (c->files[i].parent == c->cur_df && !c->files[i].df && c->files[i].sfi == sfi)
			return (int)i;
	return VCARD_NONE;
}

/* P1 bit 8 = 0: 15-bit offset in P1-P2 of the current EF. P1 bit 8 = 1:
 * P1 = 100x xxxx with a 5-bit SFI (ISO 7816-4 7.2.2), offset = P2, and the
 * EF becomes the current one. Returns a status word or 0 on success. */
static uint16_t target(struct vcard_cns *c, const struct vcard_capdu *a, int *idx, size_t *off)
{
	if (!(a->p1 & 0x80)) {
		if (c->cur_ef == VCARD_NONE)
			return 0x6986;
		*idx = c->cur_ef;
		*off = (size_t)a->p1 << 8 | a->p2;
		return 0;
	}
	if (a->p1 & 0x60 || (a->p1 & 0x1F) == 0)
		return 0x6A86;
	*idx = sfi_file(c, a->p1 & 0x1F);
	if (*idx == VCARD_NONE)
		return 0x6A82;
	c->cur_ef = *idx;
	*off = a->p2;
	return 0;
}

enum carta_err vcard_cmd_read_binary(struct vcard_cns *c, const struct vcard_capdu *a,
                                     struct carta_buf *r)
{
	const struct vcard_file *f;
	size_t off = 0, n;
	int idx = VCARD_NONE;
	uint16_t sw;
	enum carta_err rv;

	if (a->lc || !a->le_present)
		return vcard_sw(r, 0x6700);
	sw = target(c, a, &idx, &off);
	if (sw)
		return vcard_sw(r, sw);
	f = &c->files[idx];
	if (!vcard_acl_ok(c, f->acl[0]))
		return vcard_sw(r, 0x6982);
	/* Reading at or past the end: 6B 00, as the ACe 2025 trace shows (docs/reference/cns.md 1.7). */
	if (off >= f->data.len)
		return vcard_sw(r, 0x6B00);
	/* A short tail comes back with 90 00, never 67 00 (docs/reference/cns.md 5). */
	n = f->data.len - off;
	if (n > a->ne)
		n = a->ne;
	rv = carta_buf_append(r, f->data.p + off, n);
	if (rv == CARTA_OK)
		rv = vcard_sw(r, 0x9000);
	return rv;
}

/* Every CNS EF in our layouts has UPDATE = FF (never), so this mostly proves
 * the ACL is honoured; a writable EF is written in place, never grown. */
enum carta_err vcard_cmd_update_binary(struct vcard_cns *c, const struct vcard_capdu *a,
                                       struct carta_buf *r)
{
	struct vcard_file *f;
	size_t off = 0, end;
	int idx = VCARD_NONE;
	uint16_t sw;

	if (a->lc == 0 || a->le_present)
		return vcard_sw(r, 0x6700);
	sw = target(c, a, &idx, &off);
	if (sw)
		return vcard_sw(r, sw);
	f = &c->files[idx];
	if (!vcard_acl_ok(c, f->acl[1]))
		return vcard_sw(r, 0x6982);
	if (carta_add_overflow(off, a->lc, &end) || end > f->data.len)
		return vcard_sw(r, 0x6B00);
	for (size_t i = 0; i < a->lc; i++)
		f->data.p[off + i] = a->data[i];
	return vcard_sw(r, 0x9000);
}
