/* SPDX-License-Identifier: BSD-3-Clause */
/* PC/SC part 10 v2.02.09 PIN_VERIFY_STRUCTURE (2.5.2) and
 * PIN_MODIFY_STRUCTURE (2.5.3), the layout of pcsc-lite's reader.h. The
 * byte order of wPINMaxExtraDigit (0xXXYY, XX = min, YY = max, so max comes
 * first), wLangId and ulDataLength is little-endian, as CCID readers take
 * them (OpenSC issue #309 shows such a block on the wire). */
#include <string.h>

#include "apdu/sw.h"
#include "cards/pinpad.h"
#include "util/log.h"

#define FMT_BYTES 0x80u   /* bmFormatString bit 7: system units are bytes */
#define FMT_ASCII 0x02u   /* bits 1-0: 10 = ASCII; bit 2 clear = left-justified */
#define VALID_KEY 0x02u   /* bEntryValidationCondition: validation key pressed */
#define CONFIRM_NEW 0x01u /* bConfirmPIN bit 0: the new PIN is typed twice */
#define INSERT_OLD 0x02u  /* bit 1: the current PIN is typed and inserted too */
#define LANG_EN_US 0x0409u
#define TEMPLATE_MAX (5u + 2u * CARTA_PINPAD_BLOCK_MAX)
#define ANSWER_MAX 258u

static void le16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v & 0xffu);
	p[1] = (uint8_t)((v >> 8) & 0xffu);
}

static void le32(uint8_t *p, size_t v)
{
	for (size_t i = 0; i < 4; i++)
		p[i] = (uint8_t)((v >> (8 * i)) & 0xffu);
}

static bool req_ok(const struct carta_pinpad_req *r)
{
	return r && r->block >= 1 && r->block <= CARTA_PINPAD_BLOCK_MAX && r->min_len >= 1 &&
	       r->min_len <= r->max_len && r->max_len <= r->block;
}

/* CLA INS P1 P2 Lc, then the blocks filled with the pad byte: the reader
 * overwrites the first digits of each block and leaves the rest. */
static size_t put_template(const struct carta_pinpad_req *r, uint8_t *p)
{
	size_t data = r->modify ? 2 * r->block : r->block;

	p[0] = r->cla;
	p[1] = r->ins;
	p[2] = r->p1;
	p[3] = r->p2;
	p[4] = (uint8_t)data;
	memset(p + 5, r->pad, data);
	return 5 + data;
}

/* bmFormatString: byte units, PIN at offset 0 of the data field (the
 * position counts from the first byte after Lc), left-justified ASCII.
 * bmPINBlockString: no length field (bits 7-4 = 0), block size in bits 3-0.
 * wPINMaxExtraDigit: max digits then min digits. */
static void put_common(const struct carta_pinpad_req *r, uint8_t *p)
{
	p[0] = r->timeout;                       /* bTimerOut */
	p[1] = r->timeout;                       /* bTimerOut2 */
	p[2] = FMT_BYTES | FMT_ASCII;            /* bmFormatString */
	p[3] = (uint8_t)r->block;                /* bmPINBlockString */
	p[4] = 0x00;                             /* bmPINLengthFormat */
}

enum carta_err carta_pinpad_build(const struct carta_pinpad_req *r, uint8_t *out, size_t cap,
                                  size_t *len)
{
	size_t hdr, need;

	if (!req_ok(r) || !out || !len)
		return CARTA_E_ARGS;
	hdr = r->modify ? CARTA_PINPAD_MODIFY_HDR : CARTA_PINPAD_VERIFY_HDR;
	need = hdr + 5 + (r->modify ? 2 * r->block : r->block);
	if (cap < need)
		return CARTA_E_BUFFER_SMALL;
	memset(out, 0, hdr);
	put_common(r, out);
	if (!r->modify) {
		out[5] = (uint8_t)r->max_len;        /* wPINMaxExtraDigit, LE */
		out[6] = (uint8_t)r->min_len;
		out[7] = VALID_KEY;                  /* bEntryValidationCondition */
		out[8] = 0x01;                       /* bNumberMessage: one prompt */
		le16(out + 9, LANG_EN_US);           /* wLangId */
		/* 11 bMsgIndex 00, 12-14 bTeoPrologue 00 (not T=1 prologue) */
		le32(out + 15, need - hdr);          /* ulDataLength */
	} else {
		out[5] = 0x00;                       /* bInsertionOffsetOld */
		out[6] = (uint8_t)r->block;          /* bInsertionOffsetNew */
		out[7] = (uint8_t)r->max_len;        /* wPINMaxExtraDigit, LE */
		out[8] = (uint8_t)r->min_len;
		out[9] = INSERT_OLD | CONFIRM_NEW;   /* bConfirmPIN */
		out[10] = VALID_KEY;                 /* bEntryValidationCondition */
		out[11] = 0x03;                      /* bNumberMessage: old, new, confirm */
		le16(out + 12, LANG_EN_US);          /* wLangId */
		out[14] = 0x00;                      /* bMsgIndex1..3 */
		out[15] = 0x01;
		out[16] = 0x02;
		/* 17-19 bTeoPrologue 00 */
		le32(out + 20, need - hdr);          /* ulDataLength */
	}
	put_template(r, out + hdr);
	*len = need;
	return CARTA_OK;
}

static enum carta_err answer(const struct carta_buf *resp, bool modify, int *tries,
                             uint16_t *sw)
{
	enum carta_err rv;

	if (resp->len < 2)
		return CARTA_E_TRANSPORT;
	*sw = (uint16_t)(resp->p[resp->len - 2] << 8 | resp->p[resp->len - 1]);
	rv = carta_sw_pinpad_to_err(*sw);
	*tries = carta_sw_tries(*sw);
	if (rv == CARTA_E_PIN_BLOCKED)
		*tries = 0;
	if (rv == CARTA_E_NOT_SUPPORTED)
		carta_log(CARTA_LOG_ERROR, "PIN pad: the reader refused the %s structure (6B80); "
		          "if it has no keypad, set CARTA_PINPAD=0", modify ? "modify" : "verify");
	return rv;
}

enum carta_err carta_pinpad_run(struct carta_transport *t, const struct carta_pinpad_req *r,
                                int *tries, uint16_t *sw)
{
	uint8_t blk[CARTA_PINPAD_MODIFY_HDR + TEMPLATE_MAX];
	struct carta_buf resp;
	uint32_t code;
	size_t len = 0, tl;
	enum carta_err rv;

	*tries = -1;
	*sw = 0;
	if (!carta_transport_has_control(t) || !r)
		return CARTA_E_ARGS;
	code = r->modify ? t->ioctl_modify : t->ioctl_verify;
	if (code == 0)
		return CARTA_E_ARGS;
	rv = carta_pinpad_build(r, blk, sizeof(blk), &len);
	if (rv != CARTA_OK)
		return rv;
	carta_log(CARTA_LOG_INFO, "PIN pad: %s %02X P2 %02X, %zu-%zu digits, on the reader",
	          r->modify ? "modify" : "verify", r->ins, r->p2, r->min_len, r->max_len);
	/* the template has no PIN, but it is a PIN command: the trace stays redacted */
	tl = 5 + (r->modify ? 2 * r->block : r->block);
	carta_log_apdu_cmd(blk + (len - tl), tl, true);
	carta_buf_init(&resp);
	rv = carta_buf_reserve(&resp, ANSWER_MAX);
	if (rv == CARTA_OK)
		rv = carta_transport_control(t, code, blk, len, &resp);
	if (rv == CARTA_OK) {
		carta_log_apdu_resp(resp.p, resp.len, true);
		rv = answer(&resp, r->modify, tries, sw);
	}
	carta_buf_free(&resp);
	return rv;
}

void carta_pinpad_iso_req(struct carta_pinpad_req *r, bool modify, uint8_t ins, uint8_t ref,
                          const struct carta_pin *a, const struct carta_pin *b)
{
	size_t mn = a->min_len, mx = a->max_len;

	if (b && b->min_len < mn)
		mn = b->min_len;
	if (b && b->max_len > mx)
		mx = b->max_len;
	memset(r, 0, sizeof(*r));
	r->modify = modify;
	r->cla = 0x00;
	r->ins = ins;
	r->p1 = 0x00;
	r->p2 = ref;
	r->block = 8;
	r->pad = 0xff;
	r->min_len = mn ? mn : 1;
	r->max_len = mx < 8 ? mx : 8;
	r->timeout = 30;
}
