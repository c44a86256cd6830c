/* SPDX-License-Identifier: BSD-3-Clause */
/* Command APDU parsing on the card side (ISO/IEC 7816-4 5.1, cases 1-4,
 * short and extended). The card parses what it receives itself, so that a
 * driver's encoder and this decoder are independent. */
#include <string.h>

#include "vcard_int.h"

enum carta_err vcard_sw(struct carta_buf *r, uint16_t sw)
{
	uint8_t b[2] = { (uint8_t)(sw >> 8), (uint8_t)sw };

	return carta_buf_append(r, b, 2);
}

static size_t u16(const uint8_t *p)
{
	return (size_t)p[0] << 8 | p[1];
}

/* Extended forms (ISO 7816-4 5.1): B1 = 00 then two length bytes. */
static enum carta_err parse_ext(const uint8_t *p, size_t n, struct vcard_capdu *a)
{
	size_t lc;

	a->extended = true;
	if (n == 7) {                       /* case 2E */
		a->le_present = true;
		a->ne = u16(p + 5) ? u16(p + 5) : 65536;
		return CARTA_OK;
	}
	lc = u16(p + 5);
	if (lc == 0)
		return CARTA_E_PARSE;
	if (n - 7 == lc) {                  /* case 3E */
		a->data = p + 7;
		a->lc = lc;
		return CARTA_OK;
	}
	if (n - 7 == lc + 2) {              /* case 4E */
		a->data = p + 7;
		a->lc = lc;
		a->le_present = true;
		a->ne = u16(p + n - 2) ? u16(p + n - 2) : 65536;
		return CARTA_OK;
	}
	return CARTA_E_PARSE;
}

enum carta_err vcard_capdu_parse(const uint8_t *p, size_t n, struct vcard_capdu *a)
{
	size_t b1;

	memset(a, 0, sizeof(*a));
	if (!p || n < 4)
		return CARTA_E_PARSE;
	a->cla = p[0];
	a->ins = p[1];
	a->p1 = p[2];
	a->p2 = p[3];
	if (n == 4)                         /* case 1 */
		return CARTA_OK;
	b1 = p[4];
	if (n == 5) {                       /* case 2S */
		a->le_present = true;
		a->ne = b1 ? b1 : 256;
		return CARTA_OK;
	}
	if (b1 == 0)
		return n >= 7 ? parse_ext(p, n, a) : CARTA_E_PARSE;
	if (n == 5 + b1) {                  /* case 3S */
		a->data = p + 5;
		a->lc = b1;
		return CARTA_OK;
	}
	if (n == 6 + b1) {                  /* case 4S */
		a->data = p + 5;
		a->lc = b1;
		a->le_present = true;
		a->ne = p[n - 1] ? p[n - 1] : 256;
		return CARTA_OK;
	}
	return CARTA_E_PARSE;
}
