/* SPDX-License-Identifier: BSD-3-Clause */
/* An identity directory (carta-vcard make-identity / serve --identity):
 * ca.{pem,der}, holder.{pem,der}, holder-key.pem (tests only), pin.txt,
 * puk.txt and identity.txt, which records the seed and key kind: keys are
 * re-derived from the seed on load. CNS: also personal-data.bin and
 * card-id.txt; with the CNS1 signature key set also ds-cert.{pem,der}, ds-key.pem,
 * ds-pin.txt and ds-puk.txt (the key is re-derived too); with the Infocamere 1204 key set
 * infocamere-cert.{pem,der} and infocamere-key.pem. CIE: nis.txt and serial.txt, and
 * identity.txt also records the profile, the expiry switch and the holder's names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cie/cie_int.h"
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

static enum carta_err write_ds(const struct vcard_identity *id, const char *dir)
{
	struct carta_buf key = { 0 };
	enum carta_err rv = put(dir, "ds-cert.der", id->ds_der.p, id->ds_der.len);

	if (rv == CARTA_OK)
		rv = put_pem(dir, "ds-cert.pem", &id->ds_der);
	if (rv == CARTA_OK)
		rv = carta_tk_key_pem(id->ds_key, &key);
	if (rv == CARTA_OK)
		rv = put(dir, "ds-key.pem", key.p, key.len);
	if (rv == CARTA_OK)
		rv = put_str(dir, "ds-pin.txt", id->ds_pin);
	if (rv == CARTA_OK)
		rv = put_str(dir, "ds-puk.txt", id->ds_puk);
	carta_buf_free(&key);
	return rv;
}

static enum carta_err write_ic(const struct vcard_identity *id, const char *dir)
{
	struct carta_buf key = { 0 };
	enum carta_err rv = put(dir, "infocamere-cert.der", id->ic_der.p, id->ic_der.len);

	if (rv == CARTA_OK)
		rv = put_pem(dir, "infocamere-cert.pem", &id->ic_der);
	if (rv == CARTA_OK)
		rv = carta_tk_key_pem(id->ic_key, &key);
	if (rv == CARTA_OK)
		rv = put(dir, "infocamere-key.pem", key.p, key.len);
	carta_buf_free(&key);
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
	if (rv == CARTA_OK && id->ds)
		rv = write_ds(id, dir);
	if (rv == CARTA_OK && id->ic)
		rv = write_ic(id, dir);
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

/* The key set written by write_ds; its key from the seed, like the others. */
static enum carta_err load_ds(const char *dir, struct vcard_identity *id)
{
	char buf[192];
	enum carta_err rv = get(dir, "ds-cert.der", &id->ds_der);

	if (rv == CARTA_OK)
		rv = get_str(dir, "ds-pin.txt", id->ds_pin, sizeof(id->ds_pin));
	if (rv == CARTA_OK)
		rv = get_str(dir, "ds-puk.txt", id->ds_puk, sizeof(id->ds_puk));
	snprintf(buf, sizeof(buf), "%s/ds", id->seed);
	if (rv == CARTA_OK)
		rv = vcard_key_cached(buf, id->bits, false, &id->ds_key);
	id->ds = rv == CARTA_OK;
	return rv;
}

static enum carta_err load_ic(const char *dir, struct vcard_identity *id)
{
	char buf[192];
	enum carta_err rv = get(dir, "infocamere-cert.der", &id->ic_der);

	snprintf(buf, sizeof(buf), "%s/ic", id->seed);
	if (rv == CARTA_OK)
		rv = vcard_key_cached(buf, id->bits, false, &id->ic_key);
	id->ic = rv == CARTA_OK;
	return rv;
}

enum carta_err vcard_identity_load(const char *dir, bool want_ds, bool want_ic,
                                   struct vcard_identity *id)
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
	if (rv == CARTA_OK && want_ds)
		rv = load_ds(dir, id);
	if (rv == CARTA_OK && want_ic)
		rv = load_ic(dir, id);
	if (rv != CARTA_OK)
		vcard_identity_free(id);
	return rv;
}

/* ---- CIE ------------------------------------------------------------- */

enum carta_err vcard_cie_dir_write(const struct vcard_cie_identity *id,
                                   const struct vcard_cie_meta *m, const char *dir)
{
	struct carta_buf key = { 0 };
	char meta[512];
	int n;
	enum carta_err rv;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return CARTA_E_ARGS;
	n = snprintf(meta, sizeof(meta),
	             "seed %s\nbits 2048\nkey rsa\nprofile %s\nexpired %d\ngiven %s\n"
	             "surname %s\ncf %s\n",
	             m->seed, m->profile, m->expired ? 1 : 0, m->given, m->surname, m->cf);
	if (n < 0 || (size_t)n >= sizeof(meta))
		return CARTA_E_ARGS;
	rv = put(dir, "ca.der", id->ca_cert.p, id->ca_cert.len);
	if (rv == CARTA_OK)
		rv = put_pem(dir, "ca.pem", &id->ca_cert);
	if (rv == CARTA_OK)
		rv = put(dir, "holder.der", id->holder_cert.p, id->holder_cert.len);
	if (rv == CARTA_OK)
		rv = put_pem(dir, "holder.pem", &id->holder_cert);
	if (rv == CARTA_OK)
		rv = carta_tk_key_pem(id->k81, &key);
	if (rv == CARTA_OK)
		rv = put(dir, "holder-key.pem", key.p, key.len);
	if (rv == CARTA_OK)
		rv = put_str(dir, "nis.txt", id->nis);
	if (rv == CARTA_OK)
		rv = put_str(dir, "serial.txt", id->serial);
	if (rv == CARTA_OK)
		rv = put_str(dir, "pin.txt", m->pin);
	if (rv == CARTA_OK)
		rv = put_str(dir, "puk.txt", m->puk);
	if (rv == CARTA_OK)
		rv = put(dir, "identity.txt", (const uint8_t *)meta, (size_t)n);
	carta_buf_free(&key);
	return rv;
}

static enum carta_err cie_setting(struct vcard_cie_meta *m, const char *name, const char *v,
                                  unsigned *seen)
{
	static const char *const names[] = { "seed", "bits", "key", "profile", "expired",
	                                     "given", "surname", "cf" };
	char *fields[] = { m->seed, NULL, NULL, m->profile, NULL, m->given, m->surname, m->cf };
	size_t caps[] = { sizeof(m->seed), 0, 0, sizeof(m->profile), 0, sizeof(m->given),
	                  sizeof(m->surname), sizeof(m->cf) };
	size_t i, n = strlen(v);

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			break;
	if (i == sizeof(names) / sizeof(names[0]) || (*seen & 1u << i))
		return CARTA_E_PARSE;
	*seen |= 1u << i;
	if (fields[i] != NULL) {
		if (n >= caps[i])
			return CARTA_E_PARSE;
		memcpy(fields[i], v, n + 1);
		return CARTA_OK;
	}
	if (i == 4 && (strcmp(v, "0") == 0 || strcmp(v, "1") == 0)) {
		m->expired = v[0] == '1';
		return CARTA_OK;
	}
	/* every CIE key is RSA-2048 (docs/reference/cie.md 8 C2, C3) */
	return (i == 1 && strcmp(v, "2048") == 0) || (i == 2 && strcmp(v, "rsa") == 0)
	               ? CARTA_OK
	               : CARTA_E_PARSE;
}

/* identity.txt: one "name value" per line; every name exactly once. */
static enum carta_err cie_meta_parse(char *text, struct vcard_cie_meta *m)
{
	unsigned seen = 0;
	char *line = text, *next, *sp;
	enum carta_err rv = CARTA_OK;

	while (rv == CARTA_OK && line != NULL && *line != '\0') {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		sp = strchr(line, ' ');
		if (sp == NULL)
			rv = CARTA_E_PARSE;
		else
			*sp = '\0';
		if (rv == CARTA_OK)
			rv = cie_setting(m, line, sp + 1, &seen);
		line = next;
	}
	if (rv == CARTA_OK && seen != 0xFFu)
		rv = CARTA_E_PARSE;
	if (rv == CARTA_OK && strcmp(m->profile, "cie-nxp") != 0 &&
	    strcmp(m->profile, "cie-gemalto") != 0)
		rv = CARTA_E_PARSE;
	return rv;
}

enum carta_err vcard_cie_dir_read_meta(const char *dir, struct vcard_cie_meta *m)
{
	char text[1024];
	enum carta_err rv;

	memset(m, 0, sizeof(*m));
	rv = get_str(dir, "identity.txt", text, sizeof(text));
	if (rv == CARTA_OK)
		rv = cie_meta_parse(text, m);
	if (rv == CARTA_OK)
		rv = get_str(dir, "pin.txt", m->pin, sizeof(m->pin));
	if (rv == CARTA_OK)
		rv = get_str(dir, "puk.txt", m->puk, sizeof(m->puk));
	if (rv == CARTA_OK && (strlen(m->pin) != CIE_PIN_LEN || strlen(m->puk) != CIE_PIN_LEN))
		rv = CARTA_E_PARSE;
	return rv;
}

enum carta_err vcard_cie_dir_read_files(const char *dir, struct vcard_cie_identity *id)
{
	enum carta_err rv = get(dir, "ca.der", &id->ca_cert);

	if (rv == CARTA_OK)
		rv = get(dir, "holder.der", &id->holder_cert);
	if (rv == CARTA_OK)
		rv = get_str(dir, "nis.txt", id->nis, sizeof(id->nis));
	/* NIS: 12 decimal digits, D003 carries them in BCD (docs/reference/cie.md 8 C1) */
	if (rv == CARTA_OK && strlen(id->nis) != 12)
		rv = CARTA_E_PARSE;
	for (size_t i = 0; rv == CARTA_OK && i < 12; i++)
		if (id->nis[i] < '0' || id->nis[i] > '9')
			rv = CARTA_E_PARSE;
	if (rv == CARTA_OK)
		rv = get_str(dir, "serial.txt", id->serial, sizeof(id->serial));
	/* document number: 9 characters (docs/reference/cie.md 8 C2) */
	if (rv == CARTA_OK && strlen(id->serial) != 9)
		rv = CARTA_E_PARSE;
	return rv;
}
