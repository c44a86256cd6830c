/* SPDX-License-Identifier: BSD-3-Clause */
/* The CNS profiles (ATRs of docs/reference/cns.md 2.3) and their file systems (docs/reference/cns.md 1.4,
 * 1.5, 2.4, 3.3). */
#include <stdio.h>
#include <string.h>

#include "vcard_int.h"

static const struct vcard_profile profiles[] = {
	/* TS-CNS ST 2021: STIncard mask 09, CNS 1.1, RSA-2048, extended APDUs,
	 * PIN reference | 0x80, J-Sign applet (docs/reference/cns.md 2.1, 2.3, 1.6, 1.13). */
	{ "st",
	  "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 16 17 01 11 01 43 4E 53 11 31 80 8D", 2048, true, true, false,
	  true, 256, 0x01, VCARD_LAYOUT_CLASSIC },
	/* IDEMIA 2021 (ACe 2021): hist 05 05 20, docs/reference/cns.md 1.5, 1.11, 2.3. */
	{ "idemia",
	  "3B FF 18 00 00 81 31 FE 45 00 6B 05 05 20 00 01 21 01 43 4E 53 10 31 80 79", 2048, true, false, false,
	  false, 32, 0x02, VCARD_LAYOUT_IDEMIA },
	/* Actalis ACe 2025 JavaCard CNS applet (docs/reference/cns.md 2.4, 1.7). */
	{ "actalis",
	  "3B FF 18 00 FF 81 31 FE 4D 00 6B 04 04 B8 5B 01 F1 01 43 4E 53 10 31 80 9D", 2048, true, false, true,
	  false, 256, 0x01, VCARD_LAYOUT_APPLET },
	/* CNS 1.0, Athena mask: RSA-1024 and short APDUs only (docs/reference/cns.md 1.3, 2.3). */
	{ "classic",
	  "3B DF 18 00 81 31 FE 7D 00 6B 02 0C 01 82 01 11 01 43 4E 53 10 31 80 FC", 1024, false, false, false,
	  false, 256, 0x01, VCARD_LAYOUT_CLASSIC },
	{ "classic-siemens",
	  "3B FF 18 00 FF C1 0A 31 FE 55 00 6B 05 08 C8 0C 01 11 01 43 4E 53 10 31 80 05", 1024, false,
	  false, false, false, 256, 0x01, VCARD_LAYOUT_CLASSIC },
	/* Trento professional health card (L16474, docs/reference/cns.md 2.3): the CNS grammar
	 * with "HPC" where "CNS" goes (docs/reference/cns.md 1.2), version byte 10, NXP IC,
	 * IDEMIA mask (no 0x80 PIN flag, that is STIncard only: docs/reference/cns.md 1.6).
	 * Its files are not in the reference: the classic CNS 1.0 card [?]. */
	{ "hpc",
	  "3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 12 02 48 50 43 10 31 80 6C", 1024, false,
	  false, false, false, 256, 0x01, VCARD_LAYOUT_CLASSIC },
	/* Bit4id Digital-DNA Key, NXP ChipDoc (L16515, docs/reference/cns.md 1.13, 2.2, 2.3): an
	 * ATR shared with classic CNS lots, but the CNS files sit in an applet behind
	 * PACE. RSA-2048 and extended PSO DECIPHER per PR #3751; PUK VERIFY (1.6). */
	{ "dnakey",
	  "3B FF 18 00 00 81 31 FE 45 00 6B 15 0C 03 02 01 01 01 43 4E 53 10 31 80 61", 2048, true,
	  false, true, false, 256, 0x01, VCARD_LAYOUT_CHIPDOC },
	/* ST/Incard "DSD" J-Sign signature card, pcsc-tools L16853 (docs/reference/cns.md 2.3
	 * "Related non-CNS Italian ATRs"): the reference elides the first 10 bytes; the
	 * ST/Incard prefix 3B FF 18 00 FF 81 31 FE 55 00 is the one whose TCK 97 checks
	 * (the 00-TB1 variant does not). STIncard mask 09: the 0x80 PIN flag (1.6); version
	 * byte 10: RSA-1024 and short APDUs (1.3). Signature only (issue 13). */
	{ "dsd",
	  "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 04 03 01 01 01 44 53 44 10 31 80 97", 1024, false,
	  true, false, false, 256, 0x01, VCARD_LAYOUT_DSD },
};

const struct vcard_profile *vcard_profile_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	return NULL;
}

/* IDEMIA 2021 DFs 9001 and 9002 as opensc-explorer shows them (docs/reference/cns.md 1.5). */
static const uint8_t acl_9001[9] = { 0xFF, 0x00, 0x00, 0xFF, 0xFF, 0x00, 0xFF, 0x00, 0xFF };
static const uint8_t acl_9002[9] = { 0xFF, 0x10, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0xFF };

static const uint8_t jsign_aid[] = { 0xA0, 0x00, 0x00, 0x00, 0x95, 0x01, 0x00, 0x4D };
static const uint8_t cns_aid[] = { 0xA0, 0x00, 0x00, 0x05, 0x30, 0x00, 0x0B, 0x10, 0x40, 0x01,
                                   0x02, 0x1A };
static const uint8_t esign_aid[] = { 0xA0, 0x00, 0x00, 0x05, 0x30, 0x45, 0x53, 0x49, 0x47, 0x4E };
/* Bit4id ChipDoc (docs/reference/cns.md 1.13): the CNS applet, the signature and
 * "generic" applets, and the AID the PR #3751 driver probes to tell this card
 * from the classic lots that share its ATR (A0 00 00 02 47 10 01: the reference calls
 * it IAS-ECC; it is the ICAO eMRTD AID of docs/reference/cie.md 1.2). */
static const uint8_t chipdoc_cns_aid[] = { 0xA0, 0x00, 0x00, 0x05, 0x30, 0x00, 0x0B, 0x10, 0x40,
                                           0x01, 0x01, 0x1B };
static const uint8_t chipdoc_sig_aid[] = { 0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x01, 0x4E, 0x58, 0x50,
                                           0x31 };
static const uint8_t chipdoc_gen_aid[] = { 0xE8, 0x28, 0xBD, 0x08, 0x0F, 0x01, 0x4E, 0x58, 0x50,
                                           0x30 };
static const uint8_t chipdoc_probe_aid[] = { 0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01 };

static void set_aid(struct vcard_file *f, const uint8_t *aid, size_t n)
{
	memcpy(f->aid, aid, n);
	f->aid_len = n;
}

/* Bytes the files hold under a DF: the value of tag 81 in its FCI [?]. */
static size_t df_total(const struct vcard_cns *c, int df)
{
	size_t i, t = 0;

	for (i = 0; i < c->nfiles; i++)
		if (c->files[i].parent == df)
			t += c->files[i].df ? df_total(c, (int)i) : c->files[i].data.len;
	return t;
}

/* The parts every layout shares: 1000/1003 EF_ID_Carta (16 ASCII digits,
 * docs/reference/cns.md 1.10) and DF 1100 with 1102 EF_Dati_personali (docs/reference/cns.md 1.9). */
static int common(struct vcard_cns *c, int mf)
{
	const struct vcard_identity *id = &c->id;
	int d0 = vcard_fs_add(c, mf, 0x1000, true, NULL, 0);
	int d1 = vcard_fs_add(c, mf, 0x1100, true, NULL, 0);

	if (d0 < 0 || d1 < 0)
		return VCARD_NONE;
	if (vcard_fs_add(c, d0, 0x1003, false, (const uint8_t *)id->card_id, 16) < 0 ||
	    vcard_fs_add(c, d1, 0x1102, false, id->personal.p, id->personal.len) < 0)
		return VCARD_NONE;
	return d1;
}

/* Classic CNS0 (docs/reference/cns.md 1.5, 3.3): cert 1100/1101, public key EF 3F01 (its
 * format is [?]: here DER RSAPublicKey / SubjectPublicKeyInfo), DF 1200 and
 * an empty DF_DS 1400, no Infocamere 2FFF. Key 01 in the MF. */
static enum carta_err classic(struct vcard_cns *c)
{
	struct carta_buf pub = { 0 };
	enum carta_err rv;
	int mf = vcard_fs_add(c, VCARD_NONE, 0x3F00, true, NULL, 0), d1;

	if (mf < 0)
		return CARTA_E_NOMEM;
	if (c->prof->jsign)
		set_aid(&c->files[mf], jsign_aid, sizeof(jsign_aid));
	d1 = common(c, mf);
	rv = carta_tk_key_is_rsa(c->id.holder_key) ? carta_tk_rsa_public_der(c->id.holder_key, &pub)
	                                           : carta_tk_spki_der(c->id.holder_key, &pub);
	if (rv == CARTA_OK &&
	    (d1 < 0 || vcard_fs_add(c, d1, 0x1101, false, c->id.holder_der.p, c->id.holder_der.len) < 0 ||
	     vcard_fs_add(c, mf, 0x1200, true, NULL, 0) < 0 ||
	     vcard_fs_add(c, mf, 0x1400, true, NULL, 0) < 0 ||
	     vcard_fs_add(c, mf, 0x3F01, false, pub.p, pub.len) < 0))
		rv = CARTA_E_NOMEM;
	c->mf = c->cns_app = c->key_df = mf;
	carta_buf_free(&pub);
	return rv;
}

/* IDEMIA 2021 (docs/reference/cns.md 1.5): cert EF 2002 in DF 1400/9001, key in DF
 * 1400/9002, key reference 02. The classic 1100/1101 is absent: on these
 * cards it was missing or unparsable (issue #2445). */
static enum carta_err idemia(struct vcard_cns *c)
{
	int mf = vcard_fs_add(c, VCARD_NONE, 0x3F00, true, NULL, 0), ds, d9001, d9002;

	if (mf < 0 || common(c, mf) < 0 || vcard_fs_add(c, mf, 0x1200, true, NULL, 0) < 0)
		return CARTA_E_NOMEM;
	ds = vcard_fs_add(c, mf, 0x1400, true, NULL, 0);
	d9001 = ds < 0 ? ds : vcard_fs_add(c, ds, 0x9001, true, NULL, 0);
	d9002 = ds < 0 ? ds : vcard_fs_add(c, ds, 0x9002, true, NULL, 0);
	if (d9001 < 0 || d9002 < 0 ||
	    vcard_fs_add(c, d9001, 0x2002, false, c->id.holder_der.p, c->id.holder_der.len) < 0)
		return CARTA_E_NOMEM;
	memcpy(c->files[d9001].acl, acl_9001, 9);
	memcpy(c->files[d9002].acl, acl_9002, 9);
	c->mf = c->cns_app = mf;
	c->key_df = d9002;
	return CARTA_OK;
}

/* D003 (10 bytes): the ACe 2025 trace reads 8 bytes at offset 2 that look
 * like the card id in BCD (docs/reference/cns.md 2.4 item 3). The two leading bytes are not
 * in any trace: 5A 08 (a BCD number of 8 bytes) is our guess [?]. */
static void d003(const struct vcard_cns *c, uint8_t out[10])
{
	out[0] = 0x5A;
	out[1] = 0x08;
	for (size_t i = 0; i < 8; i++)
		out[2 + i] = (uint8_t)((c->id.card_id[2 * i] - '0') << 4 |
		                       (c->id.card_id[2 * i + 1] - '0'));
}

static void applet_ef(struct vcard_file *f)
{
	f->fci = VCARD_FCI_APPLET;
}

/* ACe 2025 (docs/reference/cns.md 2.4): a bare MF, the CNS applet (AID ...02 1A) whose root
 * calls itself 3F00 and holds 1100/1102, D003 (SFI 1C: "88 01 E0") and the
 * certificate DA01/C001 (reachable by P1=09 path only: item 5), and an empty
 * "ESIGN" applet (item 6). */
static enum carta_err applet(struct vcard_cns *c)
{
	uint8_t id[10];
	int mf = vcard_fs_add(c, VCARD_NONE, 0x3F00, true, NULL, 0);
	int app = vcard_fs_add(c, VCARD_NONE, 0x3F00, true, NULL, 0);
	int es = vcard_fs_add(c, VCARD_NONE, 0x3F00, true, NULL, 0);
	int d1, ef, da;

	d003(c, id);
	if (mf < 0 || app < 0 || es < 0)
		return CARTA_E_NOMEM;
	d1 = vcard_fs_add(c, app, 0x1100, true, NULL, 0);
	ef = d1 < 0 ? d1 : vcard_fs_add(c, d1, 0x1102, false, c->id.personal.p, c->id.personal.len);
	if (ef < 0)
		return CARTA_E_NOMEM;
	c->files[ef].cb_trailer = true;   /* 1102 keeps the classic FCI (docs/reference/cns.md 1.7) */
	applet_ef(&c->files[d1]);
	ef = vcard_fs_add(c, app, 0xD003, false, id, sizeof(id));
	da = vcard_fs_add(c, app, 0xDA01, true, NULL, 0);
	if (ef < 0 || da < 0)
		return CARTA_E_NOMEM;
	applet_ef(&c->files[ef]);
	c->files[ef].sfi = 0x1C;
	applet_ef(&c->files[da]);
	c->files[da].path_only = true;
	ef = vcard_fs_add(c, da, 0xC001, false, c->id.holder_der.p, c->id.holder_der.len);
	if (ef < 0)
		return CARTA_E_NOMEM;
	applet_ef(&c->files[ef]);
	set_aid(&c->files[app], cns_aid, sizeof(cns_aid));
	set_aid(&c->files[es], esign_aid, sizeof(esign_aid));
	for (size_t k = 0; k < 2; k++) {
		struct vcard_file *f = &c->files[k ? es : app];

		memset(f->acl, 0xFF, 9);
		f->aid_first = true;
		f->cb_trailer = true;
	}
	c->mf = mf;
	c->cns_app = c->key_df = app;
	return CARTA_OK;
}

/* 24 bytes standing for the encrypted CAN: its cipher and key are not in the
 * reference, so they are only reproducible bytes from the seed [?]. */
static enum carta_err chipdoc_can(const struct vcard_cns *c, uint8_t out[24])
{
	uint8_t h[CARTA_HASH_MAX_LEN];
	char in[160];
	size_t hl = 0;
	enum carta_err rv;

	snprintf(in, sizeof(in), "%s/chipdoc-can", c->id.seed);
	rv = carta_digest(CARTA_HASH_SHA256, (const uint8_t *)in, strlen(in), h, sizeof(h), &hl);
	if (rv == CARTA_OK)
		memcpy(out, h, 24);
	return rv;
}

static int chipdoc_applet(struct vcard_cns *c, const uint8_t *aid, size_t n,
                          enum vcard_pace_lock lock)
{
	int i = vcard_fs_add(c, VCARD_NONE, 0x3F00, true, NULL, 0);

	if (i < 0)
		return i;
	set_aid(&c->files[i], aid, n);
	c->files[i].fci = VCARD_FCI_AID;
	c->files[i].pace = lock;
	return i;
}

/* Bit4id Digital-DNA Key (docs/reference/cns.md 1.13): the MF holds only EF E000, the
 * encrypted CAN (24 bytes, read always: the host needs it to start PACE); no
 * classic CNS path exists, so 1000/1003, 1100/1101... answer 6A 82. The CNS
 * applet and the others answer SELECT by AID, then 69 82 until PACE, which is
 * not modelled. */
static enum carta_err chipdoc(struct vcard_cns *c)
{
	uint8_t can[24];
	int mf = vcard_fs_add(c, VCARD_NONE, 0x3F00, true, NULL, 0), cns;

	if (mf < 0 || chipdoc_can(c, can) != CARTA_OK ||
	    vcard_fs_add(c, mf, 0xE000, false, can, sizeof(can)) < 0)
		return CARTA_E_NOMEM;
	cns = chipdoc_applet(c, chipdoc_cns_aid, sizeof(chipdoc_cns_aid), VCARD_PACE_APPLET);
	if (cns < 0 ||
	    chipdoc_applet(c, chipdoc_sig_aid, sizeof(chipdoc_sig_aid), VCARD_PACE_APPLET) < 0 ||
	    chipdoc_applet(c, chipdoc_gen_aid, sizeof(chipdoc_gen_aid), VCARD_PACE_APPLET) < 0 ||
	    chipdoc_applet(c, chipdoc_probe_aid, sizeof(chipdoc_probe_aid), VCARD_PACE_PROBE) < 0)
		return CARTA_E_NOMEM;
	c->mf = mf;
	c->cns_app = c->key_df = cns;
	return CARTA_OK;
}

/* ST/Incard "DSD" signature-only card (docs/reference/cns.md 2.3, 1.13): EF_IDCarta
 * 1000/1003, which OpenSC needs to bind (1.5), and DF_DS (added by vcard_ds_layout);
 * no CNS0 certificate 1100/1101, no public key 3F01, no CNS PIN. Whether these cards
 * carry EF_Dati_personali is not in the reference: --dsd-personal (default absent). */
static enum carta_err dsd(struct vcard_cns *c)
{
	int mf = vcard_fs_add(c, VCARD_NONE, 0x3F00, true, NULL, 0);
	int d0 = mf < 0 ? mf : vcard_fs_add(c, mf, 0x1000, true, NULL, 0), d1;

	if (d0 < 0 || vcard_fs_add(c, d0, 0x1003, false, (const uint8_t *)c->id.card_id, 16) < 0)
		return CARTA_E_NOMEM;
	if (c->dsd_personal) {
		d1 = vcard_fs_add(c, mf, 0x1100, true, NULL, 0);
		if (d1 < 0 || vcard_fs_add(c, d1, 0x1102, false, c->id.personal.p,
		                           c->id.personal.len) < 0)
			return CARTA_E_NOMEM;
	}
	c->mf = c->cns_app = c->key_df = mf;
	return CARTA_OK;
}

enum carta_err vcard_layout_build(struct vcard_cns *c)
{
	enum carta_err rv;
	size_t i;

	switch (c->prof->layout) {
	case VCARD_LAYOUT_IDEMIA:
		rv = idemia(c);
		break;
	case VCARD_LAYOUT_APPLET:
		rv = applet(c);
		break;
	case VCARD_LAYOUT_CHIPDOC:
		rv = chipdoc(c);
		break;
	case VCARD_LAYOUT_DSD:
		rv = dsd(c);
		break;
	default:
		rv = classic(c);
		break;
	}
	if (rv == CARTA_OK && c->ds)
		rv = vcard_ds_layout(c);
	if (rv == CARTA_OK && c->ic)
		rv = vcard_ic_layout(c);
	if (rv != CARTA_OK)
		return rv;
	for (i = 0; i < c->nfiles; i++) {
		size_t t = df_total(c, (int)i);

		if (c->files[i].df)
			c->files[i].df_size = (uint16_t)(t > 0xFFFF ? 0xFFFF : t);
	}
	/* The applet root's tag 81 as the trace shows it (docs/reference/cns.md 2.4 item 1). */
	if (c->prof->layout == VCARD_LAYOUT_APPLET)
		c->files[c->cns_app].df_size = 0x702C;
	return CARTA_OK;
}
