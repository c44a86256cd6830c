/* SPDX-License-Identifier: BSD-3-Clause */
#include "apdu/apdu.h"

bool carta_apdu_needs_extended(const struct carta_apdu *a)
{
	return a->lc > CARTA_APDU_SHORT_MAX_LC || a->le > CARTA_APDU_SHORT_MAX_LE;
}

/* ISO/IEC 7816-4 5.1 table 1: short Lc is one byte 01..FF, short Le one byte
 * (00 = 256); extended Lc is 00 HH LL, extended Le is 00 HH LL without a
 * data field (case 2E) and HH LL after one (case 4E); 0000 = 65536. */
enum carta_err carta_apdu_encode(const struct carta_apdu *a, bool extended, struct carta_buf *out)
{
	uint8_t hdr[4 + 3], tail[3];
	size_t nh = 4, nt = 0;
	enum carta_err rv;

	if (!a || !out || (a->lc && !a->data))
		return CARTA_E_ARGS;
	carta_buf_clear(out);
	if (!extended && carta_apdu_needs_extended(a))
		return CARTA_E_RANGE;
	if (a->lc > CARTA_APDU_EXT_MAX_LC || a->le > CARTA_APDU_EXT_MAX_LE)
		return CARTA_E_RANGE;
	hdr[0] = a->cla;
	hdr[1] = a->ins;
	hdr[2] = a->p1;
	hdr[3] = a->p2;
	if (a->lc && extended) {
		hdr[nh++] = 0x00;
		hdr[nh++] = (uint8_t)(a->lc >> 8);
		hdr[nh++] = (uint8_t)a->lc;
	} else if (a->lc) {
		hdr[nh++] = (uint8_t)a->lc;
	}
	if (a->le && extended) {
		if (!a->lc)
			tail[nt++] = 0x00;
		/* 65536 encodes as 0000: the cast keeps the low 16 bits */
		tail[nt++] = (uint8_t)(a->le >> 8);
		tail[nt++] = (uint8_t)a->le;
	} else if (a->le) {
		tail[nt++] = (uint8_t)a->le;  /* 256 -> 00 */
	}
	rv = carta_buf_reserve(out, nh + a->lc + nt);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, hdr, nh);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, a->data, a->lc);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, tail, nt);
	if (rv != CARTA_OK)
		carta_buf_clear(out);
	return rv;
}

enum carta_err carta_rapdu_split(const uint8_t *p, size_t n, struct carta_bytes *data, uint16_t *sw)
{
	if (!data || !sw || (!p && n))
		return CARTA_E_ARGS;
	if (n < 2)
		return CARTA_E_PARSE;
	data->p = p;
	data->len = n - 2;
	*sw = (uint16_t)((unsigned)p[n - 2] << 8 | p[n - 1]);
	return CARTA_OK;
}
