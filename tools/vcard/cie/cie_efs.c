/* SPDX-License-Identifier: BSD-3-Clause */
/* Contents of the virtual CIE's elementary files (docs/reference/cie.md 2.1, 8 C1-C5, 9) and
 * the SOD that hashes them. */
#include <string.h>

#include "cie_int.h"

#include "crypto/tools/cie_sod.h"
#include "util/tlv.h"

#define CERT_FILE_SIZE 2048u   /* EF 1003 is zero-padded beyond the DER (docs/reference/cie.md 9) */
#define LDS_SOD_OID "2.23.136.1.1.1"

/* EF.ATR contents that the NFC SDKs match (docs/reference/cie.md 1.1) */
static const uint8_t efatr_nxp[] = { 0x80, 0x00, 0x43, 0x01, 0xB8, 0x46, 0x04, 0x10, 0x10,
                                     0x10, 0x10, 0x47, 0x03, 0x94, 0x01, 0x80, 0x4F, 0x06,
                                     0xA0, 0x00, 0x00, 0x00, 0x00, 0x39 };
static const uint8_t efatr_gemalto[] = { 0x80, 0x01, 0x01, 0x43, 0x01, 0xB8, 0x46, 0x04,
                                         0x10, 0x10, 0x10, 0x10, 0x47, 0x03, 0x94, 0x01,
                                         0x80, 0x50, 0x0A, 'I', 'a', 's', 'E', 'c', 'c',
                                         'R', 'o', 'o', 't' };

static void set_file(struct vcard_cie_identity *id, enum vcard_cie_fidx i, uint16_t fid,
                     uint8_t sfi, enum vcard_cie_df df, bool protect)
{
	id->files[i].fid = fid;
	id->files[i].sfi = sfi;
	id->files[i].df = df;
	id->files[i].needs_pin_sm = protect;
}

/* DER INTEGER of an unsigned big-endian value (leading 00 when the top bit is set). */
static enum carta_err put_uint(struct carta_buf *out, const uint8_t *v, size_t n)
{
	bool pad = n > 0 && (v[0] & 0x80);
	enum carta_err e = carta_tlv_put_header(out, 0x02, n + (pad ? 1u : 0u));

	if (e == CARTA_OK && pad)
		e = carta_buf_append_byte(out, 0x00);
	if (e == CARTA_OK)
		e = carta_buf_append(out, v, n);
	return e;
}

/* EF.DH (D004): DomainParameters SEQUENCE { p, g, q } (X9.42 order). */
static enum carta_err ef_dh(struct carta_buf *out)
{
	struct carta_buf s = { 0 };
	enum carta_err e = put_uint(&s, vcard_cie_dh_p, CIE_DH_LEN);

	if (e == CARTA_OK)
		e = put_uint(&s, vcard_cie_dh_g, CIE_DH_LEN);
	if (e == CARTA_OK)
		e = put_uint(&s, vcard_cie_dh_q, CIE_DH_Q_LEN);
	if (e == CARTA_OK)
		e = carta_tlv_put(out, 0x30, s.p, s.len);
	carta_buf_free(&s);
	return e;
}

/* EF.SN.ICC: 5A 0A <10 BCD bytes>, bytes 5..10 = BCD of the NIS (docs/reference/cie.md 8 C1). */
static enum carta_err ef_sn(const char *nis, struct carta_buf *out)
{
	uint8_t v[12] = { 0x5A, 0x0A, 0x03, 0x80, 0x00 };

	for (size_t i = 0; i < 6; i++)
		v[5 + i] = (uint8_t)((nis[2 * i] - '0') << 4 | (nis[2 * i + 1] - '0'));
	v[11] = 0x00;
	return carta_buf_set(out, v, sizeof(v));
}

static enum carta_err ef_cert(const struct carta_buf *der, struct carta_buf *out)
{
	size_t size = CERT_FILE_SIZE;
	enum carta_err e;

	while (size < der->len)
		size += 256;
	e = carta_buf_set(out, der->p, der->len);
	for (size_t i = der->len; e == CARTA_OK && i < size; i++)
		e = carta_buf_append_byte(out, 0x00);
	return e;
}

/* LDSSecurityObject (ICAO 9303-10 4.6.2.3), version 0, SHA-256; data group
 * numbers as the one-byte INTEGER 02 01 A1 that real CIE SODs use (docs/reference/cie.md 9). */
static enum carta_err lds(const struct vcard_cie_identity *id, struct carta_buf *out)
{
	static const uint8_t alg[] = { 0x30, 0x0D, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
	                               0x04, 0x02, 0x01, 0x05, 0x00 };
	const struct { uint8_t dg; const uint8_t *p; size_t n; } dgs[] = {
		{ 0xA1, id->files[CIE_F_NIS].data.p, 12 },
		{ 0xA2, id->files[CIE_F_SERIAL].data.p, 9 },
		{ 0xA3, id->holder_cert.p, id->holder_cert.len },
		{ 0xA4, id->files[CIE_F_K82].data.p, id->files[CIE_F_K82].data.len },
		{ 0xA5, id->files[CIE_F_K83].data.p, id->files[CIE_F_K83].data.len },
		{ 0x1B, id->files[CIE_F_DH].data.p, id->files[CIE_F_DH].data.len },
	};
	struct carta_buf list = { 0 }, one = { 0 }, body = { 0 };
	uint8_t h[32];
	size_t hl = 0;
	enum carta_err e = CARTA_OK;

	for (size_t i = 0; e == CARTA_OK && i < sizeof(dgs) / sizeof(dgs[0]); i++) {
		carta_buf_clear(&one);
		e = carta_digest(CARTA_HASH_SHA256, dgs[i].p, dgs[i].n, h, sizeof(h), &hl);
		if (e == CARTA_OK)
			e = carta_tlv_put(&one, 0x02, &dgs[i].dg, 1);
		if (e == CARTA_OK)
			e = carta_tlv_put(&one, 0x04, h, hl);
		if (e == CARTA_OK)
			e = carta_tlv_put(&list, 0x30, one.p, one.len);
	}
	if (e == CARTA_OK)
		e = carta_buf_append(&body, (const uint8_t[]){ 0x02, 0x01, 0x00 }, 3);
	if (e == CARTA_OK)
		e = carta_buf_append(&body, alg, sizeof(alg));
	if (e == CARTA_OK)
		e = carta_tlv_put(&body, 0x30, list.p, list.len);
	if (e == CARTA_OK)
		e = carta_tlv_put(out, 0x30, body.p, body.len);
	carta_buf_free(&list);
	carta_buf_free(&one);
	carta_buf_free(&body);
	return e;
}

/* EF.SOD: 77 { ContentInfo(signedData, eContentType 2.23.136.1.1.1) } signed
 * by the test CA acting as document signer (docs/reference/cie.md 8 C4). */
static enum carta_err ef_sod(const struct vcard_cie_identity *id, struct carta_buf *out)
{
	struct carta_buf l = { 0 }, cms = { 0 };
	enum carta_err e = lds(id, &l);

	if (e == CARTA_OK)
		e = carta_tk_cms_sign(l.p, l.len, LDS_SOD_OID, id->ca_cert.p, id->ca_cert.len, id->ca,
		                      &cms);
	if (e == CARTA_OK)
		e = carta_tlv_put(out, 0x77, cms.p, cms.len);
	carta_buf_free(&l);
	carta_buf_free(&cms);
	return e;
}

static enum carta_err efatr(bool nxp, struct carta_buf *out)
{
	return nxp ? carta_buf_set(out, efatr_nxp, sizeof(efatr_nxp))
	           : carta_buf_set(out, efatr_gemalto, sizeof(efatr_gemalto));
}

enum carta_err vcard_cie_efs_make(const char *seed, bool nxp, struct vcard_cie_identity *id)
{
	struct vcard_cie_file *f = id->files;
	enum carta_err e;

	(void)seed;
	/* FIDs, SFIs and DFs: docs/reference/cie.md 2.1 (SFIs of 1002/1003 are a guess there) */
	set_file(id, CIE_F_ATR, 0x2F01, 0x1D, CIE_DF_MF, false);
	set_file(id, CIE_F_SN, 0xD003, 0, CIE_DF_MF, false);
	set_file(id, CIE_F_DH, 0xD004, 0x1B, CIE_DF_MF, false);
	set_file(id, CIE_F_NIS, 0x1001, 0x01, CIE_DF_CIE, false);
	set_file(id, CIE_F_SERIAL, 0x1002, 0x02, CIE_DF_CIE, true);
	set_file(id, CIE_F_CERT, 0x1003, 0x03, CIE_DF_CIE, true);
	set_file(id, CIE_F_K82, 0x1004, 0x04, CIE_DF_CIE, false);
	set_file(id, CIE_F_K83, 0x1005, 0x05, CIE_DF_CIE, false);
	set_file(id, CIE_F_SOD, 0x1006, 0x06, CIE_DF_CIE, false);
	e = efatr(nxp, &f[CIE_F_ATR].data);
	if (e == CARTA_OK)
		e = ef_sn(id->nis, &f[CIE_F_SN].data);
	if (e == CARTA_OK)
		e = ef_dh(&f[CIE_F_DH].data);
	if (e == CARTA_OK)
		e = carta_buf_set(&f[CIE_F_NIS].data, (const uint8_t *)id->nis, 12);
	if (e == CARTA_OK)
		e = carta_buf_set(&f[CIE_F_SERIAL].data, (const uint8_t *)id->serial, 9);
	if (e == CARTA_OK)
		e = ef_cert(&id->holder_cert, &f[CIE_F_CERT].data);
	if (e == CARTA_OK)
		e = carta_tk_rsa_public_der(id->k82, &f[CIE_F_K82].data);
	if (e == CARTA_OK)
		e = carta_tk_rsa_public_der(id->k83, &f[CIE_F_K83].data);
	if (e == CARTA_OK)
		e = ef_sod(id, &f[CIE_F_SOD].data);
	return e;
}
