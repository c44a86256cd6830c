/* SPDX-License-Identifier: BSD-3-Clause */
/* File system of the virtual CIE: SELECT (docs/reference/cie.md 8 B1-B3, B5) and READ BINARY
 * with offsets or SFI (8 B4), access rule of 1002/1003 (8 G3). */
#include <string.h>

#include "cie_int.h"

#include "util/tlv.h"

static int find_fid(const struct vcard_cie *c, uint16_t fid)
{
	for (int i = 0; i < CIE_F_COUNT; i++) {
		const struct vcard_cie_file *f = &c->id.files[i];
		/* D003 also resolves under DF_CIE (docs/reference/cie.md 8 B5) */
		if (f->fid == fid && (f->df == c->df || fid == 0xD003))
			return i;
	}
	return -1;
}

static int find_sfi(const struct vcard_cie *c, uint8_t sfi)
{
	for (int i = 0; i < CIE_F_COUNT; i++)
		if (c->id.files[i].sfi == sfi && sfi != 0)
			return i;
	return -1;
}

/* FCP (ISO/IEC 7816-4 5.3.3): size, descriptor, FID, SFI. Its content is
 * ignored by the drivers (docs/reference/cie.md 2.2). */
static enum carta_err fcp(const struct vcard_cie_file *f, struct carta_buf *out)
{
	size_t len = f->data.len;
	uint8_t v[15] = { 0x80, 0x02, (uint8_t)(len >> 8), (uint8_t)len, 0x82, 0x01, 0x01,
	                  0x83, 0x02, (uint8_t)(f->fid >> 8), (uint8_t)f->fid,
	                  0x88, 0x01, (uint8_t)(f->sfi << 3), 0 };

	return carta_tlv_put(out, 0x62, v, 14);
}

static enum carta_err select_aid(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                 struct vcard_cie_rsp *r)
{
	bool ias = cmd->lc == sizeof(vcard_cie_aid_ias) &&
	           memcmp(cmd->data, vcard_cie_aid_ias, cmd->lc) == 0;
	bool cie = cmd->lc == sizeof(vcard_cie_aid_cie) &&
	           memcmp(cmd->data, vcard_cie_aid_cie, cmd->lc) == 0;

	/* JCOP4 cards do not expose the IAS AID (docs/reference/cie.md 8 B1, optional realism) */
	if ((!ias && !cie) || (ias && c->nxp)) {
		r->sw = SW_NOT_FOUND;
		return CARTA_OK;
	}
	c->df = ias ? CIE_DF_MF : CIE_DF_CIE;
	c->ef = -1;
	if ((cmd->p2 & 0x0C) == 0x0C)
		return CARTA_OK;
	/* FCI with the DF name (P2=04 form, docs/reference/cie.md 8 B2) */
	{
		struct carta_buf t = { 0 };
		enum carta_err e = carta_tlv_put(&t, 0x84, cmd->data, cmd->lc);
		if (e == CARTA_OK)
			e = carta_tlv_put(&r->data, 0x6F, t.p, t.len);
		carta_buf_free(&t);
		return e;
	}
}

enum carta_err vcard_cie_select(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                struct vcard_cie_rsp *r)
{
	uint16_t fid;
	int i;

	if (cmd->p1 == 0x04)
		return select_aid(c, cmd, r);
	/* 00 A4 00 00 without data, or with 3F00: the MF, which is where the IAS
	 * application lives on JCOP4 cards (docs/reference/cie.md 1.2, 8 B1) */
	if (cmd->p1 == 0x00 && (cmd->lc == 0 || (cmd->lc == 2 && cmd->data[0] == 0x3F &&
	                                         cmd->data[1] == 0x00))) {
		c->df = CIE_DF_MF;
		c->ef = -1;
		return CARTA_OK;
	}
	if ((cmd->p1 != 0x02 && cmd->p1 != 0x00) || cmd->lc != 2) {
		r->sw = cmd->lc != 2 ? SW_WRONG_LEN : SW_P1P2;
		return CARTA_OK;
	}
	fid = (uint16_t)(cmd->data[0] << 8 | cmd->data[1]);
	i = find_fid(c, fid);
	if (i < 0) {
		r->sw = SW_NOT_FOUND;
		return CARTA_OK;
	}
	c->ef = i;
	if ((cmd->p2 & 0x0C) == 0x0C)
		return CARTA_OK;
	return fcp(&c->id.files[i], &r->data);
}

enum carta_err vcard_cie_read_binary(struct vcard_cie *c, const struct vcard_cie_cmd *cmd,
                                     struct vcard_cie_rsp *r)
{
	const struct vcard_cie_file *f;
	size_t off, le, n;
	int i = c->ef;

	if (cmd->p1 & 0x80) {     /* SFI in P1 bits 1-5, offset in P2 (ISO 7816-4 11.2.2) */
		i = find_sfi(c, cmd->p1 & 0x1F);
		if (i < 0) {
			r->sw = SW_NOT_FOUND;
			return CARTA_OK;
		}
		off = cmd->p2;
	} else {
		off = (size_t)cmd->p1 << 8 | cmd->p2;
	}
	if (i < 0) {
		r->sw = SW_COND;   /* no current EF */
		return CARTA_OK;
	}
	f = &c->id.files[i];
	if (f->needs_pin_sm && !(cmd->sm && c->pin_ok)) {
		r->sw = SW_SECURITY;
		return CARTA_OK;
	}
	c->ef = i;
	if (off >= f->data.len) {
		r->sw = SW_OFFSET;
		return CARTA_OK;
	}
	le = cmd->has_le ? cmd->le : 256u;
	n = f->data.len - off;
	if (n < le)
		r->sw = SW_EOF;   /* fewer than Le bytes left (docs/reference/cie.md 8 B4) */
	else
		n = le;
	return carta_buf_append(&r->data, f->data.p + off, n);
}
