/* SPDX-License-Identifier: BSD-3-Clause */
/* EF_Dati_personali parser (docs/reference/cns.md 1.9). */
#include <string.h>

#include "cards/cns/personal.h"

#define N_FIELDS 16
#define HDR_LEN 6u

/* Field order of docs/reference/cns.md 1.9. */
enum {
	F_ISSUER, F_ISSUE_DATE, F_EXPIRY_DATE, F_SURNAME, F_GIVEN_NAME, F_BIRTH_DATE,
	F_SEX, F_HEIGHT, F_CF,
};

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static enum carta_err hexnum(const uint8_t *p, size_t digits, size_t *out)
{
	size_t v = 0;

	for (size_t i = 0; i < digits; i++) {
		int d = hexval(p[i]);

		if (d < 0)
			return CARTA_E_PARSE;
		v = (v << 4) | (size_t)d;
	}
	*out = v;
	return CARTA_OK;
}

enum carta_err carta_personal_needed(const uint8_t *p, size_t n, size_t *needed)
{
	size_t body;
	enum carta_err rv;

	if (!p || n < HDR_LEN)
		return CARTA_E_PARSE;
	rv = hexnum(p, HDR_LEN, &body);
	if (rv == CARTA_OK)
		*needed = HDR_LEN + body;  /* body < 2^24: no overflow */
	return rv;
}

/* Copy a text value as UTF-8 (the file is ASCII; bytes >= 0x80 are taken as
 * Latin-1). Control characters are malformed data. */
static enum carta_err put_text(const uint8_t *v, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = v[i];
		size_t need = c < 0x80 ? 1 : 2;

		if (c < 0x20 || c == 0x7f)
			return CARTA_E_PARSE;
		if (cap - o <= need)
			return CARTA_E_PARSE;
		if (c < 0x80) {
			out[o++] = (char)c;
		} else {
			out[o++] = (char)(0xc0 | (c >> 6));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[o] = '\0';
	return CARTA_OK;
}

/* DDMMYYYY -> DD/MM/YYYY; anything else is left empty (an unknown date). */
static void put_date(const uint8_t *v, size_t n, char out[11])
{
	out[0] = '\0';
	if (n != 8)
		return;
	for (size_t i = 0; i < 8; i++)
		if (v[i] < '0' || v[i] > '9')
			return;
	memcpy(out, v, 2);
	out[2] = '/';
	memcpy(out + 3, v + 2, 2);
	out[5] = '/';
	memcpy(out + 6, v + 4, 4);
	out[10] = '\0';
}

static enum carta_err put_field(struct carta_holder *h, int f, const uint8_t *v, size_t n)
{
	switch (f) {
	case F_ISSUER:
		return put_text(v, n, h->issuer_code, sizeof(h->issuer_code));
	case F_ISSUE_DATE:
		put_date(v, n, h->issue_date);
		return CARTA_OK;
	case F_EXPIRY_DATE:
		put_date(v, n, h->expiry_date);
		return CARTA_OK;
	case F_SURNAME:
		return put_text(v, n, h->surname, sizeof(h->surname));
	case F_GIVEN_NAME:
		return put_text(v, n, h->given_name, sizeof(h->given_name));
	case F_BIRTH_DATE:
		put_date(v, n, h->birth_date);
		return CARTA_OK;
	case F_SEX:
		return put_text(v, n, h->sex, sizeof(h->sex));
	case F_CF:
		return put_text(v, n, h->codice_fiscale, sizeof(h->codice_fiscale));
	default:
		return CARTA_OK;   /* not kept */
	}
}

static enum carta_err parse_body(const uint8_t *p, size_t n, struct carta_holder *h)
{
	size_t off = 0;
	enum carta_err rv = CARTA_OK;

	/* a body may stop early at a field boundary: the remaining fields are empty */
	for (int f = 0; f < N_FIELDS && off < n && rv == CARTA_OK; f++) {
		size_t len;

		if (n - off < 2)
			return CARTA_E_PARSE;
		rv = hexnum(p + off, 2, &len);
		if (rv != CARTA_OK)
			return rv;
		off += 2;
		if (len > n - off)
			return CARTA_E_PARSE;
		rv = put_field(h, f, p + off, len);
		off += len;
	}
	return rv;
}

enum carta_err carta_personal_parse(const uint8_t *p, size_t n, struct carta_holder *h)
{
	size_t need;
	enum carta_err rv;

	memset(h, 0, sizeof(*h));
	rv = carta_personal_needed(p, n, &need);
	if (rv == CARTA_OK && need > n)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		rv = parse_body(p + HDR_LEN, need - HDR_LEN, h);
	if (rv == CARTA_OK && (h->surname[0] || h->given_name[0] || h->codice_fiscale[0]))
		h->present = true;
	else if (rv == CARTA_OK)
		rv = CARTA_E_PARSE;   /* nothing that identifies a holder */
	if (rv != CARTA_OK)
		memset(h, 0, sizeof(*h));
	return rv;
}
