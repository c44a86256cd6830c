/* SPDX-License-Identifier: BSD-3-Clause */
/* The test identity of a virtual CIE, all derived from the seed: keys 81/82/83,
 * the issuing test CA and the holder certificate, the terminal-CA key that
 * matches the production d_CA, NIS and document number. */
#include <stdio.h>
#include <string.h>

#include "cie_int.h"

#include "crypto/tools/cie_ca.h"

#define T_2015 1420070400L
#define T_2020 1577836800L
#define T_2024 1704067200L
#define T_2034 2019686400L

/* The holder: a fixed, well-formed test person (codice fiscale with its
 * check character). */
#define HOLDER_CF "RSSMRA80A01H501U"
#define HOLDER_GN "MARIO"
#define HOLDER_SN "ROSSI"

static enum carta_err key_for(const char *seed, const char *what, struct carta_tk_key **k)
{
	char s[256];
	int n = snprintf(s, sizeof(s), "%s/cie/%s", seed, what);

	if (n < 0 || (size_t)n >= sizeof(s))
		return CARTA_E_RANGE;
	return carta_tk_rsa_from_seed(s, 2048, k);
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

static enum carta_err ca_cert(const char *seed, struct vcard_cie_identity *id)
{
	static const struct carta_tk_name_entry subj[] = {
		{ "C", "IT" }, { "O", "Carta Test" }, { "CN", "Carta Test CIE CA" },
	};
	struct carta_tk_cert_spec s = { 0 };
	enum carta_err e = key_for(seed, "issuer-ca", &id->ca);

	s.subject = subj;
	s.n_subject = sizeof(subj) / sizeof(subj[0]);
	s.subject_key = id->ca;
	s.issuer_key = id->ca;
	s.serial = 1;
	s.not_before = T_2015;
	s.not_after = T_2034 + 3153600L * 10;
	s.ca = true;
	if (e == CARTA_OK)
		e = carta_tk_make_cert(&s, &id->ca_cert);
	return e;
}

/* CIE authentication certificate: CN = codice fiscale, GN, SN, serialNumber =
 * document number (cie.md 5, "Certificate subject"); public key = key 81. */
static enum carta_err holder_cert(const struct vcard_config *cfg, struct vcard_cie_identity *id)
{
	const struct carta_tk_name_entry subj[] = {
		{ "C", "IT" }, { "GN", HOLDER_GN }, { "SN", HOLDER_SN },
		{ "serialNumber", id->serial }, { "CN", HOLDER_CF },
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

/* Terminal CA (cie.md 3.3): (n_CA, e_CA) such that the production d_CA of
 * cie-constants.md is its private exponent; CHR = 4 bytes || CAR 8,
 * CHA = DF_CIE AID || role. */
static enum carta_err terminal_ca(const char *seed, struct vcard_cie_identity *id)
{
	static const uint8_t chr[CIE_CHR_LEN] = { 0, 0, 0, 0, 'I', 'T', 'C', 'I', 'E', 'C', 'A', '1' };
	struct carta_buf n = { 0 };
	char s[256];
	int len = snprintf(s, sizeof(s), "%s/cie/terminal-ca", seed);
	enum carta_err e;

	if (len < 0 || (size_t)len >= sizeof(s))
		return CARTA_E_RANGE;
	e = carta_tk_cie_ca_key(s, vcard_cie_d_ca, CIE_RSA_LEN, 2048, &n, &id->e_ca);
	if (e == CARTA_OK && n.len != CIE_RSA_LEN)
		e = CARTA_E_INTERNAL;
	if (e == CARTA_OK)
		memcpy(id->n_ca, n.p, CIE_RSA_LEN);
	memcpy(id->ca_chr, chr, sizeof(chr));
	memcpy(id->ca_cha, vcard_cie_aid_cie, sizeof(vcard_cie_aid_cie));
	id->ca_cha[6] = 0x00;
	carta_buf_free(&n);
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
		e = ca_cert(seed, id);
	if (e == CARTA_OK)
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
	carta_tk_key_free(id->k81);
	carta_tk_key_free(id->k82);
	carta_tk_key_free(id->k83);
	carta_tk_key_free(id->ca);
	carta_buf_free(&id->ca_cert);
	carta_buf_free(&id->holder_cert);
	carta_buf_free(&id->e_ca);
	for (size_t i = 0; i < CIE_F_COUNT; i++)
		carta_buf_free(&id->files[i].data);
	memset(id, 0, sizeof(*id));
}
