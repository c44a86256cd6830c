/* SPDX-License-Identifier: BSD-3-Clause */
#include "util/hex.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_sep(char c)
{
	return c == ' ' || c == ':' || c == '\n' || c == '\r' || c == '\t';
}

/* Separators are allowed only between byte pairs, never inside one. */
enum carta_err carta_hex_decode(const char *s, size_t slen, struct carta_buf *out)
{
	enum carta_err rv = CARTA_OK;
	size_t i = 0, start = out->len;
	int hi, lo;

	if (!s && slen)
		return CARTA_E_ARGS;
	while (i < slen) {
		if (is_sep(s[i])) {
			i++;
			continue;
		}
		if (i + 1 >= slen) {
			rv = CARTA_E_PARSE;
			goto out;
		}
		hi = nibble(s[i]);
		lo = nibble(s[i + 1]);
		if (hi < 0 || lo < 0) {
			rv = CARTA_E_PARSE;
			goto out;
		}
		rv = carta_buf_append_byte(out, (uint8_t)(hi << 4 | lo));
		if (rv != CARTA_OK)
			goto out;
		i += 2;
	}
out:
	if (rv != CARTA_OK)
		out->len = start;
	return rv;
}

enum carta_err carta_hex_encode(const uint8_t *p, size_t n, char *out, size_t outcap)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (!out || (!p && n))
		return CARTA_E_ARGS;
	if (n > (SIZE_MAX - 1) / 2 || outcap < 2 * n + 1)
		return CARTA_E_BUFFER_SMALL;
	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0x0f];
	}
	out[2 * n] = '\0';
	return CARTA_OK;
}
