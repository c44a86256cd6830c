/* SPDX-License-Identifier: BSD-3-Clause */
/* Where each CNS family keeps its files and its key (docs/reference/cns.md 1.5,
 * 2.4): the one table of key sets and layouts. A driver names its layout;
 * a layout lists its key sets in the order they are tried. */
#include "cards/cns/cns.h"

/* EF_ID_Carta and EF_Dati_personali under the MF (docs/reference/cns.md 1.5) */
#define PATH_ID_CARTA { { 0x10, 0x00, 0x10, 0x03 }, 4 }
#define PATH_PERSONAL { { 0x11, 0x00, 0x11, 0x02 }, 4 }

#define PIN_CNS 0x10u             /* docs/reference/cns.md 1.5, 3.4: PIN 10, PUK 11 */
#define PIN_DS 0x1au              /* PIN 1A, PUK 1B */

/* The classic file system: certificate 1100/1101, key 01 in the MF. */
static const struct carta_cns_keyset ks_classic = {
	.label = "CNS0", .cert = { { 0x11, 0x00, 0x11, 0x01 }, 4 }, .key_ref = 0x01,
	.pin_ref = PIN_CNS, .role = CARTA_PIN_ROLE_AUTH,
};

/* IDEMIA 2021: certificate 1400/9001/2002, key 02 and the PIN in DF
 * 1400/9002. */
static const struct carta_cns_keyset ks_idemia = {
	.label = "CNS0", .cert = { { 0x14, 0x00, 0x90, 0x01, 0x20, 0x02 }, 6 },
	.key_df = { { 0x14, 0x00, 0x90, 0x02 }, 4 }, .key_ref = 0x02,
	.pin_ref = PIN_CNS, .role = CARTA_PIN_ROLE_AUTH,
};

/* docs/reference/cns.md 2.4 trace: the certificate is DA01/C001 under the applet. The key
 * reference is not in the trace [?]: 01, the CNS0 authentication key. */
static const struct carta_cns_keyset ks_applet = {
	.label = "CNS0", .cert = { { 0xda, 0x01, 0xc0, 0x01 }, 4 }, .key_ref = 0x01,
	.pin_ref = PIN_CNS, .role = CARTA_PIN_ROLE_AUTH,
};

/* docs/reference/cns.md 1.5 "CNS1 (digital-signature DF)": certificate
 * 1400/9010, private key and PIN object 1400/8110 (a DF: the public key is
 * 8110/8010), key and SE 10, PIN 1A, PUK 1B; KU nonRepudiation, signed with
 * PSO CDS (1.8). */
static const struct carta_cns_keyset ks_ds = {
	.label = "CNS1", .cert = { { 0x14, 0x00, 0x90, 0x10 }, 4 },
	.key_df = { { 0x14, 0x00, 0x81, 0x10 }, 4 }, .key_ref = 0x10,
	.pin_ref = PIN_DS, .role = CARTA_PIN_ROLE_SIGN, .sign_only = true,
};

/* docs/reference/cns.md 1.5 "CNS01 (Infocamere 1204)": certificate 2FFF/8228
 * behind a 5-byte header, key 2FFF/0000, SE 21, PIN 10: the CNS PIN. */
static const struct carta_cns_keyset ks_infocamere = {
	.label = "CNS01", .cert = { { 0x2f, 0xff, 0x82, 0x28 }, 4 },
	.key_df = { { 0x2f, 0xff, 0x00, 0x00 }, 4 }, .key_ref = 0x21,
	.pin_ref = PIN_CNS, .role = CARTA_PIN_ROLE_AUTH, .cert_header = true,
};

/* The second key set of the classic and IDEMIA layouts is a tolerance: a
 * lot with the other layout behind the ATR. OpenSC probes CNS0, CNS01 and
 * CNS1 on every CNS card (docs/reference/cns.md 1.5); carta probes CNS1 at
 * each load (one SELECT, 6A82 when absent) and CNS01, an Infocamere
 * authentication key under the same PIN 10, only on a classic card without
 * CNS0: a card with CNS0 pays nothing for it. */
const struct carta_cns_layout carta_cns_layout_classic_10 = {
	.name = "classic", .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL,
	.keysets = { &ks_classic, &ks_idemia }, .n_keysets = 2,
	.fallback = &ks_infocamere, .sign = &ks_ds,
};

/* CNS 1.1 (hist[12] = 11): RSA-2048 and extended APDUs (docs/reference/cns.md 1.3, issue #2370). */
const struct carta_cns_layout carta_cns_layout_classic_11 = {
	.name = "classic", .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL,
	.keysets = { &ks_classic, &ks_idemia }, .n_keysets = 2, .extended = true,
	.fallback = &ks_infocamere, .sign = &ks_ds,
};

/* DF_DS 1400 also holds the IDEMIA DFs 9001 and 9002 (docs/reference/cns.md
 * 3.3); the classic CNS1 key set is probed there as OpenSC does (1.5). The
 * vendor's own signature application on these cards is not described
 * (issue #2782 in 4): a card without CNS1 answers 6A82 and has no signature
 * token. */
const struct carta_cns_layout carta_cns_layout_idemia = {
	.name = "idemia", .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL,
	.keysets = { &ks_idemia, &ks_classic }, .n_keysets = 2, .extended = true,
	.sign = &ks_ds,
};

static const uint8_t aid_cns[] = { 0xa0, 0x00, 0x00, 0x05, 0x30, 0x00, 0x0b, 0x10, 0x40, 0x01,
                                   0x02, 0x1a };
static const uint8_t aid_jsign[] = { 0xa0, 0x00, 0x00, 0x00, 0x95, 0x01, 0x00, 0x4d };

/* The Actalis ACe 2025 CNS applet: paths relative to the applet (P1=09).
 * No signature key set: the card's "ESIGN" application is named in
 * docs/reference/cns.md 2.4 but its contents are not, and DF_DS is no path
 * of this applet. */
const struct carta_cns_layout carta_cns_layout_applet = {
	.name = "applet", .aid = aid_cns, .aid_len = sizeof(aid_cns), .sel_p1 = CARTA_SEL_REL,
	.id = { { 0xd0, 0x03 }, 2 }, .id_bcd = true,
	.personal = PATH_PERSONAL,
	.keysets = { &ks_applet }, .n_keysets = 1,
};

/* PR #3806: the J-Sign application stays selected and serves the classic
 * CNS files, DF_DS among them as over contact; RSA-2048 with extended APDUs. */
const struct carta_cns_layout carta_cns_layout_jsign = {
	.name = "jsign", .aid = aid_jsign, .aid_len = sizeof(aid_jsign), .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL,
	.keysets = { &ks_classic }, .n_keysets = 1, .extended = true, .sign = &ks_ds,
};

/* Signature-only cards, "DSD" / "B4D" where the CNS grammar has "CNS"
 * (docs/reference/cns.md 2.3): only the CNS1 key set of DF_DS. Version
 * byte 11 as on CNS 1.1 cards: RSA-2048 and extended APDUs (1.3). */
const struct carta_cns_layout carta_cns_layout_ds_10 = {
	.name = "ds", .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL, .sign = &ks_ds,
};

const struct carta_cns_layout carta_cns_layout_ds_11 = {
	.name = "ds", .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL, .sign = &ks_ds, .extended = true,
};
