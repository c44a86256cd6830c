/* SPDX-License-Identifier: BSD-3-Clause */
/* Where each CNS family keeps its files and its key (docs/reference/cns.md 1.5,
 * 2.4): the one table of key sets and layouts. A driver names its layout;
 * a layout lists its key sets in the order they are tried. */
#include "cards/cns/cns.h"

/* EF_ID_Carta and EF_Dati_personali under the MF (docs/reference/cns.md 1.5) */
#define PATH_ID_CARTA { { 0x10, 0x00, 0x10, 0x03 }, 4 }
#define PATH_PERSONAL { { 0x11, 0x00, 0x11, 0x02 }, 4 }

/* The classic file system: certificate 1100/1101, key 01 in the MF. */
static const struct carta_cns_keyset ks_classic = {
	"CNS0", { { 0x11, 0x00, 0x11, 0x01 }, 4 }, { { 0 }, 0 }, 0x01,
};

/* IDEMIA 2021: certificate 1400/9001/2002, key 02 and the PIN in DF
 * 1400/9002. */
static const struct carta_cns_keyset ks_idemia = {
	"CNS0", { { 0x14, 0x00, 0x90, 0x01, 0x20, 0x02 }, 6 }, { { 0x14, 0x00, 0x90, 0x02 }, 4 }, 0x02,
};

/* docs/reference/cns.md 2.4 trace: the certificate is DA01/C001 under the applet. The key
 * reference is not in the trace [?]: 01, the CNS0 authentication key. */
static const struct carta_cns_keyset ks_applet = {
	"CNS0", { { 0xda, 0x01, 0xc0, 0x01 }, 4 }, { { 0 }, 0 }, 0x01,
};

/* The second key set of the classic and IDEMIA layouts is a tolerance: a
 * lot with the other layout behind the ATR. */
const struct carta_cns_layout carta_cns_layout_classic_10 = {
	.name = "classic", .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL,
	.keysets = { &ks_classic, &ks_idemia }, .n_keysets = 2,
};

/* CNS 1.1 (hist[12] = 11): RSA-2048 and extended APDUs (docs/reference/cns.md 1.3, issue #2370). */
const struct carta_cns_layout carta_cns_layout_classic_11 = {
	.name = "classic", .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL,
	.keysets = { &ks_classic, &ks_idemia }, .n_keysets = 2, .extended = true,
};

const struct carta_cns_layout carta_cns_layout_idemia = {
	.name = "idemia", .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL,
	.keysets = { &ks_idemia, &ks_classic }, .n_keysets = 2, .extended = true,
};

static const uint8_t aid_cns[] = { 0xa0, 0x00, 0x00, 0x05, 0x30, 0x00, 0x0b, 0x10, 0x40, 0x01,
                                   0x02, 0x1a };
static const uint8_t aid_jsign[] = { 0xa0, 0x00, 0x00, 0x00, 0x95, 0x01, 0x00, 0x4d };

/* The Actalis ACe 2025 CNS applet: paths relative to the applet (P1=09). */
const struct carta_cns_layout carta_cns_layout_applet = {
	.name = "applet", .aid = aid_cns, .aid_len = sizeof(aid_cns), .sel_p1 = CARTA_SEL_REL,
	.id = { { 0xd0, 0x03 }, 2 }, .id_bcd = true,
	.personal = PATH_PERSONAL,
	.keysets = { &ks_applet }, .n_keysets = 1,
};

/* PR #3806: the J-Sign application stays selected and serves the classic
 * CNS files; RSA-2048 with extended APDUs. */
const struct carta_cns_layout carta_cns_layout_jsign = {
	.name = "jsign", .aid = aid_jsign, .aid_len = sizeof(aid_jsign), .sel_p1 = CARTA_SEL_PATH,
	.id = PATH_ID_CARTA, .personal = PATH_PERSONAL,
	.keysets = { &ks_classic }, .n_keysets = 1, .extended = true,
};
