/* SPDX-License-Identifier: BSD-3-Clause */
/* The test identity of a virtual CIE, all derived from the seed: keys 81/82/83,
 * the issuing test CA and the holder certificate, the terminal-CA key that
 * matches the production d_CA, NIS and document number. The keys and the
 * terminal-CA primes are cached per seed: tests make many cards. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cie_int.h"
#include "vcard_int.h"

#include "crypto/tools/cie_ca.h"

#define T_2015 1420070400L
#define T_2020 1577836800L
#define T_2024 1704067200L
#define T_2034 2019686400L

/* The default holder: a fixed, well-formed test person (codice fiscale with
 * its check character). */
#define HOLDER_CF "RSSMRA80A01H501U"
#define HOLDER_GN "MARIO"
#define HOLDER_SN "ROSSI"

/* "<seed>/cie/<what>" into s. */
static enum carta_err sub_seed(const char *seed, const char *what, char *s, size_t cap)
{
	int n = snprintf(s, cap, "%s/cie/%s", seed, what);

	return n < 0 || (size_t)n >= cap ? CARTA_E_RANGE : CARTA_OK;
}

static enum carta_err key_for(const char *seed, const char *what, const struct carta_tk_key **k)
{
	char s[256];
	enum carta_err e = sub_seed(seed, what, s, sizeof(s));

	if (e == CARTA_OK)
		e = vcard_key_cached(s, 2048, false, k);
	return e;
}

/* ---- terminal-CA key cache: its primes cost as much as an RSA key ------ */

struct ca_entry {
	char *seed;
	uint8_t n[CIE_RSA_LEN];
	struct carta_buf e;
	struct ca_entry *next;
};

static pthread_mutex_t ca_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ca_entry *ca_cache;

static enum carta_err ca_key_cached(const char *s, uint8_t n_out[CIE_RSA_LEN],
                                    struct carta_buf *e_out)
{
	struct carta_buf n = { 0 };
	struct ca_entry *c;
	enum carta_err e = CARTA_OK;

	pthread_mutex_lock(&ca_lock);
	for (c = ca_cache; c != NULL; c = c->next)
		if (strcmp(c->seed, s) == 0)
			goto out;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->seed = strdup(s)) == NULL) {
		e = CARTA_E_NOMEM;
		goto out;
	}
	e = carta_tk_cie_ca_key(s, vcard_cie_d_ca, CIE_RSA_LEN, 2048, &n, &c->e);
	if (e == CARTA_OK && n.len != CIE_RSA_LEN)
		e = CARTA_E_INTERNAL;
	if (e == CARTA_OK) {
		memcpy(c->n, n.p, CIE_RSA_LEN);
		c->next = ca_cache;
		ca_cache = c;
	}
out:
	if (e == CARTA_OK) {
		memcpy(n_out, c->n, CIE_RSA_LEN);
		e = carta_buf_set(e_out, c->e.p, c->e.len);
	} else if (c != NULL) {
		free(c->seed);
		carta_buf_free(&c->e);
		free(c);
	}
	pthread_mutex_unlock(&ca_lock);
	carta_buf_free(&n);
	return e;
}

/* digits[0..n) from SHA-256(seed || tag), first digit non-zero. */
static enum carta_err digits(const char *seed, uint32_t tag, char *out, size_t n)
{
	uint8_t h[32];
	enum carta_err e;

	if (n > sizeof(h))
		return CARTA_E_RANGE;
	e = carta_kdf_counter(CARTA_HASH_SHA256, (const uint8_t *)seed, strlen(seed), tag, h,
	                      sizeof(h));
	for (size_t i = 0; e == CARTA_OK && i < n; i++)
		out[i] = (char)('0' + h[i] % 10);
	if (e == CARTA_OK && out[0] == '0')
		out[0] = '1';
	return e;
}

static enum carta_err ca_cert(struct vcard_cie_identity *id)
{
	static const struct carta_tk_name_entry subj[] = {
		{ "C", "IT" }, { "O", "Carta Test" }, { "CN", "Carta Test CIE CA" },
	};
	struct carta_tk_cert_spec s = { 0 };

	s.subject = subj;
	s.n_subject = sizeof(subj) / sizeof(subj[0]);
	s.subject_key = id->ca;
	s.issuer_key = id->ca;
	s.serial = 1;
	s.not_before = T_2015;
	s.not_after = T_2034 + 3153600L * 10;
	s.ca = true;
	return carta_tk_make_cert(&s, &id->ca_cert);
}

/* CIE authentication certificate: CN = codice fiscale, GN, SN, serialNumber =
 * document number (docs/reference/cie.md 5, "Certificate subject"); public key = key 81. */
static enum carta_err holder_cert(const struct vcard_config *cfg, struct vcard_cie_identity *id)
{
	const struct carta_tk_name_entry subj[] = {
		{ "C", "IT" }, { "GN", cfg->given_name ? cfg->given_name : HOLDER_GN },
		{ "SN", cfg->surname ? cfg->surname : HOLDER_SN },
		{ "serialNumber", id->serial }, { "CN", cfg->cf ? cfg->cf : HOLDER_CF },
	};
	struct carta_tk_cert_spec s = { 0 };
	uint8_t h[8];
	enum carta_err e;

	e = carta_kdf_counter(CARTA_HASH_SHA256, (const uint8_t *)id->nis, 12, 7, h, sizeof(h));
	if (e != CARTA_OK)
		return e;
	s.subject = subj;
	s.n_subject = sizeof(subj) / sizeof(subj[0]);
	s.subject_key = id->k81;
	s.issuer_cert_der = id->ca_cert.p;
	s.issuer_cert_der_len = id->ca_cert.len;
	s.issuer_key = id->ca;
	for (size_t i = 0; i < 7; i++)
		s.serial = s.serial << 8 | h[i];
	s.not_before = cfg->expired_cert ? T_2015 : T_2024;
	s.not_after = cfg->expired_cert ? T_2020 : T_2034;
	s.key_usage = "critical,digitalSignature";
	s.ext_key_usage = "clientAuth";
	return carta_tk_make_cert(&s, &id->holder_cert);
}

/* Terminal CA (docs/reference/cie.md 3.3): (n_CA, e_CA) such that the production d_CA of
 * docs/reference/cie-constants.md is its private exponent; CHR = 4 bytes || CAR 8,
 * CHA = DF_CIE AID || role. */
static enum carta_err terminal_ca(const char *seed, struct vcard_cie_identity *id)
{
	static const uint8_t chr[CIE_CHR_LEN] = { 0, 0, 0, 0, 'I', 'T', 'C', 'I', 'E', 'C', 'A', '1' };
	char s[256];
	enum carta_err e = sub_seed(seed, "terminal-ca", s, sizeof(s));

	if (e == CARTA_OK)
		e = ca_key_cached(s, id->n_ca, &id->e_ca);
	memcpy(id->ca_chr, chr, sizeof(chr));
	memcpy(id->ca_cha, vcard_cie_aid_cie, sizeof(vcard_cie_aid_cie));
	id->ca_cha[6] = 0x00;
	return e;
}

static enum carta_err doc_numbers(const char *seed, struct vcard_cie_identity *id)
{
	char d[8];
	uint8_t h[2];
	enum carta_err e = digits(seed, 1, id->nis, 12);

	id->nis[12] = '\0';
	/* document number: CA + 5 digits + 2 letters, as printed on a CIE */
	if (e == CARTA_OK)
		e = digits(seed, 2, d, 5);
	if (e == CARTA_OK)
		e = carta_kdf_counter(CARTA_HASH_SHA256, (const uint8_t *)seed, strlen(seed), 3, h, 2);
	if (e != CARTA_OK)
		return e;
	id->serial[0] = 'C';
	id->serial[1] = 'A';
	memcpy(id->serial + 2, d, 5);
	id->serial[7] = (char)('A' + h[0] % 26);
	id->serial[8] = (char)('A' + h[1] % 26);
	id->serial[9] = '\0';
	return CARTA_OK;
}

enum carta_err vcard_cie_identity_make(const struct vcard_config *cfg, bool nxp,
                                       struct vcard_cie_identity *id)
{
	const char *seed = cfg->seed ? cfg->seed : "carta-test";
	enum carta_err e;

	memset(id, 0, sizeof(*id));
	e = doc_numbers(seed, id);
	if (e == CARTA_OK)
		e = key_for(seed, "key81", &id->k81);
	if (e == CARTA_OK)
		e = key_for(seed, "key82", &id->k82);
	if (e == CARTA_OK)
		e = key_for(seed, "key83", &id->k83);
	if (e == CARTA_OK)
		e = key_for(seed, "issuer-ca", &id->ca);
	if (e == CARTA_OK && cfg->identity_dir != NULL)
		e = vcard_cie_dir_read_files(cfg->identity_dir, id);
	if (e == CARTA_OK && cfg->identity_dir == NULL)
		e = ca_cert(id);
	if (e == CARTA_OK && cfg->identity_dir == NULL)
		e = holder_cert(cfg, id);
	if (e == CARTA_OK)
		e = terminal_ca(seed, id);
	if (e == CARTA_OK)
		e = vcard_cie_efs_make(seed, nxp, id);
	if (e != CARTA_OK)
		vcard_cie_identity_free(id);
	return e;
}

void vcard_cie_identity_free(struct vcard_cie_identity *id)
{
	carta_buf_free(&id->ca_cert);
	carta_buf_free(&id->holder_cert);
	carta_buf_free(&id->e_ca);
	for (size_t i = 0; i < CIE_F_COUNT; i++)
		carta_buf_free(&id->files[i].data);
	memset(id, 0, sizeof(*id));
}

/* ---- identity directories (carta-vcard make-identity / serve --identity) */

/* A one-line setting: it must fit and hold no control character, since
 * identity.txt is one "name value" per line. */
static enum carta_err set_str(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);

	if (n >= cap)
		return CARTA_E_ARGS;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20)
			return CARTA_E_ARGS;
	memcpy(dst, v, n + 1);
	return CARTA_OK;
}

static bool is_cie_profile(const char *p)
{
	return strcmp(p, "cie-nxp") == 0 || strcmp(p, "cie-gemalto") == 0;
}

enum carta_err vcard_cie_meta_from_config(const struct vcard_config *cfg, struct vcard_cie_meta *m)
{
	enum carta_err e;

	memset(m, 0, sizeof(*m));
	m->expired = cfg->expired_cert;
	e = set_str(m->seed, sizeof(m->seed), cfg->seed ? cfg->seed : "carta-test");
	if (e == CARTA_OK)
		e = set_str(m->profile, sizeof(m->profile), cfg->profile ? cfg->profile : "cie-nxp");
	if (e == CARTA_OK && !is_cie_profile(m->profile))
		e = CARTA_E_ARGS;
	if (e == CARTA_OK)
		e = set_str(m->given, sizeof(m->given), cfg->given_name ? cfg->given_name : HOLDER_GN);
	if (e == CARTA_OK)
		e = set_str(m->surname, sizeof(m->surname), cfg->surname ? cfg->surname : HOLDER_SN);
	if (e == CARTA_OK)
		e = set_str(m->cf, sizeof(m->cf), cfg->cf ? cfg->cf : HOLDER_CF);
	if (e == CARTA_OK)
		e = set_str(m->pin, sizeof(m->pin), cfg->pin ? cfg->pin : "12345678");
	if (e == CARTA_OK)
		e = set_str(m->puk, sizeof(m->puk), cfg->puk ? cfg->puk : "87654321");
	/* PIN and PUK: 8 characters (docs/reference/cie.md 4) */
	if (e == CARTA_OK && (strlen(m->pin) != CIE_PIN_LEN || strlen(m->puk) != CIE_PIN_LEN))
		e = CARTA_E_ARGS;
	return e;
}

enum carta_err vcard_cie_dir_config(const struct vcard_config *cfg, struct vcard_cie_meta *m,
                                    struct vcard_config *out)
{
	enum carta_err e = vcard_cie_dir_read_meta(cfg->identity_dir, m);

	if (e != CARTA_OK)
		return e;
	*out = *cfg;
	out->seed = m->seed;
	out->expired_cert = m->expired;
	out->given_name = m->given;
	out->surname = m->surname;
	out->cf = m->cf;
	/* as on the CNS side, an explicit PIN/PUK wins over the recorded one */
	out->pin = cfg->pin ? cfg->pin : m->pin;
	out->puk = cfg->puk ? cfg->puk : m->puk;
	return CARTA_OK;
}

enum carta_err vcard_cie_make_identity_dir(const struct vcard_config *cfg, const char *dir)
{
	struct vcard_cie_identity id;
	struct vcard_cie_meta m;
	struct vcard_config c;
	enum carta_err e;

	memset(&id, 0, sizeof(id));
	e = vcard_cie_meta_from_config(cfg, &m);
	if (e != CARTA_OK)
		goto out;
	c = *cfg;
	c.identity_dir = NULL;
	c.seed = m.seed;
	c.given_name = m.given;
	c.surname = m.surname;
	c.cf = m.cf;
	e = vcard_cie_identity_make(&c, strcmp(m.profile, "cie-nxp") == 0, &id);
	if (e == CARTA_OK)
		e = vcard_cie_dir_write(&id, &m, dir);
out:
	vcard_cie_identity_free(&id);
	return e;
}
