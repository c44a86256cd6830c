/* SPDX-License-Identifier: BSD-3-Clause */
/* An identity directory (carta-vcard make-identity / serve --identity):
 * ca.{pem,der}, holder.{pem,der}, holder-key.pem (tests only),
 * personal-data.bin, card-id.txt, pin.txt, puk.txt and identity.txt, which
 * records the seed and key kind: keys are re-derived from the seed on load. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "vcard_int.h"

static enum carta_err put(const char *dir, const char *name, const uint8_t *p, size_t n)
{
	char path[4096];
	FILE *f;
	enum carta_err rv = CARTA_OK;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return CARTA_E_ARGS;
	f = fopen(path, "wb");
	if (!f)
		return CARTA_E_ARGS;
	if (n && fwrite(p, 1, n, f) != n)
		rv = CARTA_E_INTERNAL;
	if (fclose(f) != 0)
		rv = CARTA_E_INTERNAL;
	return rv;
}

static enum carta_err put_str(const char *dir, const char *name, const char *s)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "%s\n", s);

	if (n < 0 || (size_t)n >= sizeof(line))
		return CARTA_E_ARGS;
	return put(dir, name, (const uint8_t *)line, (size_t)n);
}

static enum carta_err put_pem(const char *dir, const char *name, const struct carta_buf *der)
{
	struct carta_buf pem = { 0 };
	enum carta_err rv = carta_tk_cert_pem(der->p, der->len, &pem);

	if (rv == CARTA_OK)
		rv = put(dir, name, pem.p, pem.len);
	carta_buf_free(&pem);
	return rv;
}

enum carta_err vcard_identity_write(const struct vcard_identity *id, const char *dir)
{
	struct carta_buf key = { 0 };
	char meta[256];
	enum carta_err rv;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return CARTA_E_ARGS;
	snprintf(meta, sizeof(meta), "seed %s\nbits %zu\nkey %s", id->seed, id->bits,
	         id->ec ? "ec" : "rsa");
	rv = put(dir, "ca.der", id->ca_der.p, id->ca_der.len);
	if (rv == CARTA_OK)
		rv = put_pem(dir, "ca.pem", &id->ca_der);
	if (rv == CARTA_OK)
		rv = put(dir, "holder.der", id->holder_der.p, id->holder_der.len);
	if (rv == CARTA_OK)
		rv = put_pem(dir, "holder.pem", &id->holder_der);
	if (rv == CARTA_OK)
		rv = carta_tk_key_pem(id->holder_key, &key);
	if (rv == CARTA_OK)
		rv = put(dir, "holder-key.pem", key.p, key.len);
	if (rv == CARTA_OK)
		rv = put(dir, "personal-data.bin", id->personal.p, id->personal.len);
	if (rv == CARTA_OK)
		rv = put_str(dir, "card-id.txt", id->card_id);
	if (rv == CARTA_OK)
		rv = put_str(dir, "pin.txt", id->pin);
	if (rv == CARTA_OK)
		rv = put_str(dir, "puk.txt", id->puk);
	if (rv == CARTA_OK)
		rv = put_str(dir, "identity.txt", meta);
	carta_buf_free(&key);
	return rv;
}

static enum carta_err get(const char *dir, const char *name, struct carta_buf *out)
{
	char path[4096];
	uint8_t chunk[4096];
	FILE *f;
	size_t n;
	enum carta_err rv = CARTA_OK;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return CARTA_E_ARGS;
	f = fopen(path, "rb");
	if (!f)
		return CARTA_E_ARGS;
	carta_buf_clear(out);
	while (rv == CARTA_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rv = carta_buf_append(out, chunk, n);
	fclose(f);
	return rv;
}

/* One line of text into a NUL-terminated string, trailing white space cut. */
static enum carta_err get_str(const char *dir, const char *name, char *out, size_t cap)
{
	struct carta_buf b = { 0 };
	enum carta_err rv = get(dir, name, &b);
	size_t n = b.len;

	while (rv == CARTA_OK && n && (b.p[n - 1] == '\n' || b.p[n - 1] == '\r' || b.p[n - 1] == ' '))
		n--;
	if (rv == CARTA_OK && n >= cap)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK) {
		memcpy(out, b.p, n);
		out[n] = '\0';
	}
	carta_buf_free(&b);
	return rv;
}

static enum carta_err meta(const char *dir, struct vcard_identity *id)
{
	char text[256], kind[8] = "";
	enum carta_err rv = get_str(dir, "identity.txt", text, sizeof(text));

	if (rv != CARTA_OK)
		return rv;
	if (sscanf(text, "seed %100s bits %zu key %7s", id->seed, &id->bits, kind) != 3)
		return CARTA_E_PARSE;
	if (strcmp(kind, "ec") != 0 && strcmp(kind, "rsa") != 0)
		return CARTA_E_PARSE;
	id->ec = strcmp(kind, "ec") == 0;
	return CARTA_OK;
}

static enum carta_err derive_keys(struct vcard_identity *id)
{
	char buf[192];
	enum carta_err rv;

	snprintf(buf, sizeof(buf), "%s/ca", id->seed);
	rv = vcard_key_cached(buf, 2048, false, &id->ca_key);
	snprintf(buf, sizeof(buf), "%s/holder", id->seed);
	if (rv == CARTA_OK)
		rv = vcard_key_cached(buf, id->bits, id->ec, &id->holder_key);
	return rv;
}

enum carta_err vcard_identity_load(const char *dir, struct vcard_identity *id)
{
	enum carta_err rv;

	memset(id, 0, sizeof(*id));
	rv = meta(dir, id);
	if (rv == CARTA_OK)
		rv = derive_keys(id);
	if (rv == CARTA_OK)
		rv = get(dir, "ca.der", &id->ca_der);
	if (rv == CARTA_OK)
		rv = get(dir, "holder.der", &id->holder_der);
	if (rv == CARTA_OK)
		rv = get(dir, "personal-data.bin", &id->personal);
	if (rv == CARTA_OK)
		rv = get_str(dir, "card-id.txt", id->card_id, sizeof(id->card_id));
	if (rv == CARTA_OK && strlen(id->card_id) != 16)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		rv = get_str(dir, "pin.txt", id->pin, sizeof(id->pin));
	if (rv == CARTA_OK)
		rv = get_str(dir, "puk.txt", id->puk, sizeof(id->puk));
	if (rv != CARTA_OK)
		vcard_identity_free(id);
	return rv;
}
