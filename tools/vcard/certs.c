/* SPDX-License-Identifier: BSD-3-Clause */
/* Making the identity from a seed: CA and holder certificates following the
 * AgID CNS authentication-certificate profile (docs/reference/cns.md 3.6). */
#include <stdio.h>
#include <string.h>

#include "vcard_int.h"

#define DEFAULT_SEED "carta-test"
#define CNS_POLICY "1.3.76.16.2.1"
#define CNS_NOTICE "Identifies X.509 authentication certificates issued for the italian " \
	"National Service Card (CNS) project in according to the italian regulation"

/* Fixed dates keep the certificates byte-for-byte reproducible. */
#define T_2020 1577836800L   /* 2020-01-01 */
#define T_2021 1609459200L   /* 2021-01-01 */
#define T_2024 1704067200L   /* 2024-01-01 */
#define T_2050 2524608000L   /* 2050-01-01 */

static uint64_t serial_from(const char *seed, const char *what)
{
	uint8_t h[CARTA_HASH_MAX_LEN] = { 0 };
	char buf[192];
	size_t hl = 0, i;
	uint64_t s = 0;

	snprintf(buf, sizeof(buf), "%s/%s", seed, what);
	carta_digest(CARTA_HASH_SHA256, (const uint8_t *)buf, strlen(buf), h, sizeof(h), &hl);
	for (i = 0; i < 8; i++)
		s = s << 8 | h[i];
	return (s >> 1) | 1;   /* positive, non-zero */
}

static enum carta_err key_for(const char *seed, const char *what, size_t bits, bool ec,
                              const struct carta_tk_key **out)
{
	char buf[192];

	snprintf(buf, sizeof(buf), "%s/%s", seed, what);
	return vcard_key_cached(buf, bits, ec, out);
}

static enum carta_err make_ca(struct vcard_identity *id)
{
	static const struct carta_tk_name_entry dn[] = {
		{ "C", "IT" }, { "O", "Carta Test" }, { "CN", "Carta Test CA" },
	};
	struct carta_tk_cert_spec s = { 0 };

	s.subject = dn;
	s.n_subject = sizeof(dn) / sizeof(dn[0]);
	s.subject_key = id->ca_key;
	s.issuer_key = id->ca_key;
	s.serial = 1;
	s.not_before = T_2020;
	s.not_after = T_2050;
	s.ca = true;
	return carta_tk_make_cert(&s, &id->ca_der);
}

static enum carta_err make_holder(struct vcard_identity *id, const char *const f[16],
                                  bool expired)
{
	char cn[128], sn[40];
	struct carta_tk_name_entry dn[] = {
		{ "C", "IT" }, { "O", "Carta Test" }, { "OU", "Regione di Test" },
		{ "SN", f[3] }, { "GN", f[4] }, { "serialNumber", sn },
		{ "dnQualifier", id->card_id }, { "CN", cn },
	};
	struct carta_tk_cert_spec s = { 0 };
	enum carta_err rv;

	rv = vcard_holder_cn(f[8], id->card_id, id->personal.p, id->personal.len, cn, sizeof(cn));
	if (rv != CARTA_OK)
		return rv;
	snprintf(sn, sizeof(sn), "TINIT-%s", f[8]);
	s.subject = dn;
	s.n_subject = sizeof(dn) / sizeof(dn[0]);
	s.subject_key = id->holder_key;
	s.issuer_cert_der = id->ca_der.p;
	s.issuer_cert_der_len = id->ca_der.len;
	s.issuer_key = id->ca_key;
	s.serial = serial_from(id->seed, "holder-serial");
	s.not_before = expired ? T_2020 : T_2024;
	s.not_after = expired ? T_2021 : T_2050;
	/* digitalSignature critical, no nonRepudiation, EKU clientAuth (docs/reference/cns.md 3.6). */
	s.key_usage = id->ec ? "critical,digitalSignature"
	                     : "critical,digitalSignature,keyEncipherment";
	s.ext_key_usage = "clientAuth";
	s.policy_oid = CNS_POLICY;
	s.policy_notice = CNS_NOTICE;
	return carta_tk_make_cert(&s, &id->holder_der);
}

static enum carta_err copy_secret(char dst[9], const char *src, const char *def)
{
	size_t n;

	if (!src)
		src = def;
	n = strlen(src);
	if (n < 4 || n > 8)
		return CARTA_E_ARGS;
	memcpy(dst, src, n + 1);
	return CARTA_OK;
}

/* CNS1: a second key from the same seed scheme, RSA of the profile's size even when the
 * CNS key is EC (no Italian signature key is EC, docs/reference/cns.md 1.3), and its
 * qualified certificate (ds_cert.c). PIN 1A / PUK 1B values: issue 13 defaults. */
static enum carta_err make_ds(struct vcard_identity *id, const struct vcard_identity_opts *o,
                              const char *const f[16])
{
	enum carta_err rv = copy_secret(id->ds_pin, o->ds_pin, "87654321");

	id->ds_no_eku = o->ds_no_eku;

	if (rv == CARTA_OK)
		rv = copy_secret(id->ds_puk, o->ds_puk, "11223344");
	if (rv == CARTA_OK)
		rv = key_for(id->seed, "ds", id->bits, false, &id->ds_key);
	if (rv == CARTA_OK)
		rv = vcard_sig_cert_make(id, id->ds_key, "ds", f, &id->ds_der);
	id->ds = rv == CARTA_OK;
	return rv;
}

/* Infocamere 1204 (docs/reference/cns.md 1.5 row CNS01): a third key from the seed, same
 * size; its certificate profile is not in the reference [?]: these were the Chambers of
 * Commerce signature cards, so the qualified-signature profile (ds_cert.c). */
static enum carta_err make_ic(struct vcard_identity *id, const char *const f[16])
{
	enum carta_err rv = key_for(id->seed, "ic", id->bits, false, &id->ic_key);

	if (rv == CARTA_OK)
		rv = vcard_sig_cert_make(id, id->ic_key, "ic", f, &id->ic_der);
	id->ic = rv == CARTA_OK;
	return rv;
}

enum carta_err vcard_identity_make(const struct vcard_identity_opts *o, struct vcard_identity *id)
{
	const char *seed = o->seed ? o->seed : DEFAULT_SEED;
	/* docs/reference/cns.md 1.9, field order and the synthetic example. */
	const char *f[VCARD_PERSONAL_FIELDS] = {
		"6090", "01012024", "01012030",
		o->surname ? o->surname : "ROSSI", o->given ? o->given : "MARIO",
		"01081985", "M", "", o->cf ? o->cf : "RSSMRA85M01H501Q", "", "H501", "", "",
		"F205", "", "",
	};
	enum carta_err rv;

	memset(id, 0, sizeof(*id));
	if (strlen(seed) >= sizeof(id->seed) - 16)
		return CARTA_E_ARGS;
	memcpy(id->seed, seed, strlen(seed) + 1);
	id->bits = o->bits ? o->bits : 2048;
	id->ec = o->ec;
	rv = copy_secret(id->pin, o->pin, "12345678");
	if (rv == CARTA_OK)
		rv = copy_secret(id->puk, o->puk, "87654321");
	if (rv != CARTA_OK)
		return rv;
	vcard_card_id_from_seed(seed, id->card_id);
	rv = vcard_personal_data(f, &id->personal);
	if (rv == CARTA_OK)
		rv = key_for(seed, "ca", 2048, false, &id->ca_key);
	if (rv == CARTA_OK)
		rv = key_for(seed, "holder", id->bits, id->ec, &id->holder_key);
	if (rv == CARTA_OK)
		rv = make_ca(id);
	if (rv == CARTA_OK)
		rv = make_holder(id, f, o->expired);
	if (rv == CARTA_OK && o->ds)
		rv = make_ds(id, o, f);
	if (rv == CARTA_OK && o->ic)
		rv = make_ic(id, f);
	if (rv != CARTA_OK)
		vcard_identity_free(id);
	return rv;
}

void vcard_identity_free(struct vcard_identity *id)
{
	carta_buf_free(&id->ca_der);
	carta_buf_free(&id->holder_der);
	carta_buf_free(&id->personal);
	carta_buf_free(&id->ds_der);
	carta_buf_free(&id->ic_der);
	memset(id->ds_pin, 0, sizeof(id->ds_pin));
	memset(id->ds_puk, 0, sizeof(id->ds_puk));
	memset(id->pin, 0, sizeof(id->pin));
	memset(id->puk, 0, sizeof(id->puk));
}
