/* SPDX-License-Identifier: BSD-3-Clause */
#include "util/tlv.h"

/* Validation recursion never goes deeper than this, whatever the caller asks:
 * it bounds the stack even for a caller passing UINT_MAX. */
#define TLV_HARD_DEPTH 64u

/* ISO 7816-4 5.2.2.1 / X.690 8.1.2.4: low five bits 11111 in the first byte
 * announce subsequent tag bytes; each has bit 8 set except the last. */
static enum carta_err get_tag(struct carta_cursor *c, uint32_t *tag, bool *constructed)
{
	uint8_t b;
	uint32_t t;
	unsigned n = 1;

	if (carta_cursor_u8(c, &b) != CARTA_OK)
		return CARTA_E_PARSE;
	t = b;
	*constructed = (b & 0x20) != 0;
	if ((b & 0x1f) != 0x1f)
		goto done;
	do {
		if (n == 4)
			return CARTA_E_PARSE;
		if (carta_cursor_u8(c, &b) != CARTA_OK)
			return CARTA_E_PARSE;
		t = t << 8 | b;
		n++;
	} while (b & 0x80);
done:
	*tag = t;
	return CARTA_OK;
}

/* ISO 7816-4 5.2.2.2: short form 00..7F, long form 81..84 followed by
 * 1..4 length bytes. 80 (indefinite) and 85..FF are rejected. */
static enum carta_err get_len(struct carta_cursor *c, size_t *len)
{
	uint8_t b;
	unsigned i, n;
	size_t v = 0;

	if (carta_cursor_u8(c, &b) != CARTA_OK)
		return CARTA_E_PARSE;
	if (b < 0x80) {
		*len = b;
		return CARTA_OK;
	}
	n = b & 0x7fu;
	if (n == 0 || n > 4)
		return CARTA_E_PARSE;
	for (i = 0; i < n; i++) {
		if (carta_cursor_u8(c, &b) != CARTA_OK)
			return CARTA_E_PARSE;
		v = v << 8 | b;
	}
	*len = v;
	return CARTA_OK;
}

enum carta_err carta_tlv_next(struct carta_bytes *in, struct carta_tlv *out)
{
	struct carta_cursor c;
	size_t len;
	enum carta_err rv;

	if (!in || !out || (!in->p && in->len))
		return CARTA_E_ARGS;
	carta_cursor_init(&c, in->p, in->len);
	rv = get_tag(&c, &out->tag, &out->constructed);
	if (rv != CARTA_OK)
		goto out;
	rv = get_len(&c, &len);
	if (rv != CARTA_OK)
		goto out;
	/* carta_cursor_take refuses a value running past the input */
	rv = carta_cursor_take(&c, len, &out->value);
	if (rv != CARTA_OK)
		goto out;
	out->raw.p = in->p;
	out->raw.len = c.off;
	in->p += c.off;
	in->len -= c.off;
out:
	return rv;
}

enum carta_err carta_tlv_find(struct carta_bytes in, uint32_t tag, struct carta_tlv *out)
{
	struct carta_tlv t;
	enum carta_err rv;

	if (!out)
		return CARTA_E_ARGS;
	while (in.len > 0) {
		rv = carta_tlv_next(&in, &t);
		if (rv != CARTA_OK)
			return rv;
		if (t.tag == tag) {
			*out = t;
			return CARTA_OK;
		}
	}
	return CARTA_E_FILE_NOT_FOUND;
}

enum carta_err carta_tlv_find_path(struct carta_bytes in, const uint32_t *tags, size_t ntags,
                                   struct carta_tlv *out)
{
	struct carta_tlv t;
	enum carta_err rv = CARTA_E_ARGS;
	size_t i;

	if (!tags || ntags == 0 || !out)
		goto out;
	for (i = 0; i < ntags; i++) {
		rv = carta_tlv_find(in, tags[i], &t);
		if (rv != CARTA_OK)
			goto out;
		in = t.value;
	}
	*out = t;
out:
	return rv;
}

/* `levels` counts the sequence being checked as one level. */
static enum carta_err validate(struct carta_bytes in, unsigned levels)
{
	struct carta_tlv t;
	enum carta_err rv;

	if (levels == 0)
		return CARTA_E_PARSE;
	while (in.len > 0) {
		rv = carta_tlv_next(&in, &t);
		if (rv != CARTA_OK)
			return rv;
		if (t.constructed && t.value.len > 0) {
			rv = validate(t.value, levels - 1);
			if (rv != CARTA_OK)
				return rv;
		}
	}
	return CARTA_OK;
}

/* max_depth is the number of nesting levels allowed: 1 = the top-level TLVs
 * only (constructed ones must then be empty), 2 = their children too, ... */
enum carta_err carta_tlv_validate(struct carta_bytes in, unsigned max_depth)
{
	if (!in.p && in.len)
		return CARTA_E_ARGS;
	if (max_depth > TLV_HARD_DEPTH)
		max_depth = TLV_HARD_DEPTH;
	return validate(in, max_depth);
}

static unsigned tag_bytes(uint32_t tag)
{
	if (tag > 0xffffffu)
		return 4;
	if (tag > 0xffffu)
		return 3;
	if (tag > 0xffu)
		return 2;
	return 1;
}

enum carta_err carta_tlv_put_header(struct carta_buf *out, uint32_t tag, size_t len)
{
	uint8_t h[4 + 5];
	size_t n = 0;
	unsigned i, tn = tag_bytes(tag), ln;

	if (!out)
		return CARTA_E_ARGS;
	if (len > 0xffffffffu)
		return CARTA_E_RANGE;
	for (i = tn; i > 0; i--)
		h[n++] = (uint8_t)(tag >> (8 * (i - 1)));
	if (len < 0x80) {
		h[n++] = (uint8_t)len;
	} else {
		ln = len <= 0xff ? 1 : len <= 0xffff ? 2 : len <= 0xffffff ? 3 : 4;
		h[n++] = (uint8_t)(0x80 | ln);
		for (i = ln; i > 0; i--)
			h[n++] = (uint8_t)(len >> (8 * (i - 1)));
	}
	return carta_buf_append(out, h, n);
}

enum carta_err carta_tlv_put(struct carta_buf *out, uint32_t tag, const uint8_t *v, size_t len)
{
	enum carta_err rv;
	size_t start;

	if (!out || (!v && len))
		return CARTA_E_ARGS;
	start = out->len;
	rv = carta_tlv_put_header(out, tag, len);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, v, len);
	if (rv != CARTA_OK)
		out->len = start;
	return rv;
}
