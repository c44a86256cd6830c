/* SPDX-License-Identifier: BSD-3-Clause */
/* The emulated PIN pad of the in-process reader (inproc.h): a strict reader
 * of PC/SC part 10 v2.02.09 PIN_VERIFY_STRUCTURE (2.5.2) and
 * PIN_MODIFY_STRUCTURE (2.5.3), written apart from the builder in
 * src/cards/pinpad.c so that each checks the other. Only what a CNS needs
 * is emulated (ASCII digits, left-justified, no PIN length field); anything
 * else is refused with 6B80 as a CCID reader does for a bad structure. */
#include <string.h>

#include "inproc.h"

#define VERIFY_HDR 19u
#define MODIFY_HDR 24u
#define SW_TIMEOUT 0x6400u
#define SW_CANCEL 0x6401u
#define SW_MISMATCH 0x6402u
#define SW_LENGTH 0x6403u
#define SW_BAD 0x6b80u
#define ENTRIES 3

struct fields {
	uint8_t fmt, blk, lenfmt, confirm, valid, nmsg;
	size_t min, max, off_old, off_new, pos;
	const uint8_t *apdu;
	size_t apdu_len;
};

/* One typed entry: a run of digits in `typed`, ',' separated. */
struct entry {
	const char *p;
	size_t n;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Field offsets per the two layouts (pcsc-lite reader.h); multi-byte
 * fields little-endian, wPINMaxExtraDigit = max byte then min byte. */
static bool split(bool modify, const uint8_t *in, size_t n, struct fields *f)
{
	size_t hdr = modify ? MODIFY_HDR : VERIFY_HDR;
	const uint8_t *teo = in + (modify ? 17 : 12);

	if (n < hdr)
		return false;
	memset(f, 0, sizeof(*f));
	f->fmt = in[2];
	f->blk = in[3];
	f->lenfmt = in[4];
	if (modify) {
		f->off_old = in[5];
		f->off_new = in[6];
		f->max = in[7];
		f->min = in[8];
		f->confirm = in[9];
		f->valid = in[10];
		f->nmsg = in[11];
	} else {
		f->max = in[5];
		f->min = in[6];
		f->valid = in[7];
		f->nmsg = in[8];
	}
	if (teo[0] || teo[1] || teo[2])
		return false;   /* bTeoPrologue: not a T=1 reader */
	f->apdu = in + hdr;
	f->apdu_len = n - hdr;
	return le32(in + (modify ? 20 : 15)) == f->apdu_len;
}

/* Byte position of the PIN (bmFormatString bits 6-3, counted from the first
 * byte after Lc, in bytes if bit 7 is set, else in bits). */
static bool position(const struct fields *f, size_t *pos)
{
	size_t v = (f->fmt >> 3) & 0x0fu;

	if (!(f->fmt & 0x80u)) {
		if (v % 8)
			return false;
		v /= 8;
	}
	*pos = v;
	return true;
}

static bool fits(size_t off, size_t blk, size_t lc)
{
	return off <= lc && blk <= lc - off;
}

static bool check(bool modify, struct fields *f)
{
	size_t blk = f->blk & 0x0fu, lc;

	if ((f->fmt & 0x07u) != 0x02u || (f->blk & 0xf0u) || f->lenfmt != 0 || blk == 0)
		return false;   /* ASCII, left-justified, no length field */
	if (f->min == 0 || f->min > f->max || f->max > blk)
		return false;
	if (f->valid == 0 || f->valid > 0x07u || f->confirm > 0x03u)
		return false;
	if (f->nmsg != 0xffu && f->nmsg > (modify ? 3u : 1u))
		return false;
	if (f->apdu_len < 5 || !position(f, &f->pos))
		return false;
	lc = f->apdu[4];
	if (lc == 0 || f->apdu_len != 5 + lc)
		return false;   /* case 3 short APDU */
	if (!modify)
		return fits(f->pos, blk, lc);
	if (f->pos != 0 || !fits(f->off_new, blk, lc))
		return false;
	if (!(f->confirm & 0x02u))
		return true;
	/* both blocks inserted: they must not overlap */
	return fits(f->off_old, blk, lc) &&
	       (f->off_old + blk <= f->off_new || f->off_new + blk <= f->off_old);
}

static size_t entries(const char *typed, struct entry *e)
{
	size_t k = 0;
	const char *p = typed;

	while (*p && k < ENTRIES) {
		e[k].p = p;
		e[k].n = strcspn(p, ",");
		p += e[k].n;
		k++;
		if (*p == ',')
			p++;
	}
	return k;
}

static bool len_ok(const struct fields *f, const struct entry *e)
{
	return e->n >= f->min && e->n <= f->max;
}

/* Which entries go where: verify e0; modify with the current PIN e0 (old),
 * e1 (new), e2 or e1 (confirm); without it e0 (new), e1 or e0 (confirm). */
static uint16_t fill(bool modify, const struct fields *f, const char *typed, uint8_t *apdu)
{
	struct entry e[ENTRIES] = { { NULL, 0 }, { NULL, 0 }, { NULL, 0 } };
	size_t k = entries(typed, e), first = 0, need;
	const struct entry *nw, *cf;

	if (!modify) {
		if (k < 1)
			return SW_TIMEOUT;
		if (!len_ok(f, &e[0]))
			return SW_LENGTH;
		memcpy(apdu + 5 + f->pos, e[0].p, e[0].n);
		return 0;
	}
	if (f->confirm & 0x02u)
		first = 1;
	need = first + 1;
	if (k < need)
		return SW_TIMEOUT;
	nw = &e[first];
	cf = (f->confirm & 0x01u) && k > need ? &e[need] : nw;
	if ((first && !len_ok(f, &e[0])) || !len_ok(f, nw) || !len_ok(f, cf))
		return SW_LENGTH;
	if (cf->n != nw->n || memcmp(cf->p, nw->p, nw->n) != 0)
		return SW_MISMATCH;
	if (first)
		memcpy(apdu + 5 + f->off_old, e[0].p, e[0].n);
	memcpy(apdu + 5 + f->off_new, nw->p, nw->n);
	return 0;
}

enum carta_err carta_inproc_pinpad_apdu(bool modify, const uint8_t *in, size_t n,
                                        const char *typed, bool cancel, uint8_t *apdu,
                                        size_t cap, size_t *apdu_len, uint16_t *pad_sw)
{
	struct fields f;

	if (!in || !apdu || !apdu_len || !pad_sw || (!typed && !cancel))
		return CARTA_E_ARGS;
	*apdu_len = 0;
	*pad_sw = SW_BAD;
	if (!split(modify, in, n, &f) || !check(modify, &f) || f.apdu_len > cap)
		return CARTA_OK;
	*pad_sw = SW_CANCEL;
	if (cancel)
		return CARTA_OK;
	memcpy(apdu, f.apdu, f.apdu_len);
	*pad_sw = fill(modify, &f, typed, apdu);
	if (*pad_sw == 0)
		*apdu_len = f.apdu_len;
	return CARTA_OK;
}
