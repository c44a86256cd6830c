/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CARDS_CNS_H
#define CARTA_CARDS_CNS_H

/* What all CNS / TS-CNS drivers share (docs/reference/cns.md). A driver holds only
 * its ATR rows and its match/probe, and names a layout (cns_layouts.c): where
 * the files and the key are. */

#include "cards/card.h"
#include "cards/iso7816.h"

#define CARTA_CNS_PATH_MAX 8
#define CARTA_CNS_MAX_KEYSETS 2

struct carta_cns_path {
	uint8_t b[CARTA_CNS_PATH_MAX];
	size_t len;
};

/* One key + certificate (docs/reference/cns.md 1.5). */
struct carta_cns_keyset {
	const char *label;              /* "CNS0" */
	struct carta_cns_path cert;     /* certificate EF */
	/* DF (or key file, whose DF it makes current) selected before VERIFY,
	 * CHANGE, RESET RETRY COUNTER, MSE and PSO for this key set: the path of
	 * its PIN and key objects (docs/reference/cns.md 1.6 "If the PIN object
	 * has a path"); len 0 = none, the MF's objects */
	struct carta_cns_path key_df;
	uint8_t key_ref;                /* MSE SET 83 01 <key_ref>; also the CKA_ID byte */
	uint8_t pin_ref;                /* its PIN (the PUK is pin_ref + 1), without the ST flag */
	enum carta_pin_role role;       /* the token its PIN opens */
	/* Infocamere 1204: the certificate at offset 5, its length big-endian
	 * in bytes 1-2, 00 00 = empty (docs/reference/cns.md 1.5) */
	bool cert_header;
	/* the qualified-signature key: cannot decipher (PSO CDS only), the PIN
	 * before each signature (docs/reference/cns.md 1.8) */
	bool sign_only;
};

struct carta_cns_layout {
	const char *name;
	const uint8_t *aid;             /* application selected first (applet cards), or NULL */
	size_t aid_len;
	uint8_t sel_p1;                 /* CARTA_SEL_PATH (from MF) or CARTA_SEL_REL */
	struct carta_cns_path id;       /* EF_ID_Carta */
	bool id_bcd;                    /* applet EF D003: card id in BCD (docs/reference/cns.md 2.4) */
	struct carta_cns_path personal; /* EF_Dati_personali */
	/* the authentication key (CNS0): the first whose certificate exists is used */
	const struct carta_cns_keyset *keysets[CARTA_CNS_MAX_KEYSETS];
	size_t n_keysets;
	/* probed only when none of keysets[] has a certificate (Infocamere 1204) */
	const struct carta_cns_keyset *fallback;
	/* the digital-signature key set (CNS1 in DF_DS), probed at every load; NULL = none */
	const struct carta_cns_keyset *sign;
	bool extended;                  /* card takes extended APDUs (CNS 1.1, IDEMIA) */
};

/* Driver state (c->priv). */
struct carta_cns {
	const struct carta_cns_layout *lay;
	const struct carta_cns_keyset *key_ks[CARTA_MAX_KEYS];  /* desc key -> its key set */
	const struct carta_cns_keyset *pin_ks[CARTA_MAX_PINS];  /* desc PIN -> its key set */
	/* desc PIN -> reference, with the 0x80 flag on ST Incard (docs/reference/cns.md 1.6) */
	uint8_t ref[CARTA_MAX_PINS];
	bool st_flag;                   /* ST Incard mask: references carry 0x80 */
	const struct carta_cns_keyset *df_ks; /* its key DF is current: no SELECT before VERIFY */
	/* a key set's DF other than the layout's usual one is current (DF_DS):
	 * the MF's objects (CNS0 without key DF) are found again from the MF */
	bool away;
	uint8_t se_tmpl, se_key;        /* MSE SET in force (0 = none): a next signature
	                                   with the same key skips RESTORE + SET */
};

/* cns_layouts.c: every layout, named by the drivers. */
extern const struct carta_cns_layout carta_cns_layout_classic_10;
extern const struct carta_cns_layout carta_cns_layout_classic_11;
extern const struct carta_cns_layout carta_cns_layout_idemia;
extern const struct carta_cns_layout carta_cns_layout_applet;
extern const struct carta_cns_layout carta_cns_layout_jsign;
extern const struct carta_cns_layout carta_cns_layout_ds_10;
extern const struct carta_cns_layout carta_cns_layout_ds_11;

/* cns.c: state, file reading and load. */
enum carta_err carta_cns_attach(struct carta_card *c, const struct carta_cns_layout *lay);
enum carta_err carta_cns_load(struct carta_card *c);
enum carta_err carta_cns_select(struct carta_card *c, const struct carta_cns_path *p,
                                struct carta_fci *fci);
/* Select the MF (00 A4 00 0C 02 3F 00, docs/reference/cns.md 1.7). */
enum carta_err carta_cns_select_mf(struct carta_card *c);
/* Select an EF and read `want` bytes of it (0 = what the FCI says, or up to
 * max); *fsize = the FCI's size, 0 unknown. */
enum carta_err carta_cns_read_ef(struct carta_card *c, const struct carta_cns_path *path,
                                 size_t want, size_t max, struct carta_buf *out, size_t *fsize);
/* EF_ID_Carta and EF_Dati_personali into the description; `optional`: a
 * missing EF_ID_Carta is no error (signature-only cards). */
enum carta_err carta_cns_load_id(struct carta_card *c, bool optional);
enum carta_err carta_cns_load_personal(struct carta_card *c);
enum carta_err carta_cns_select_app(struct carta_card *c);
enum carta_err carta_cns_reinit(struct carta_card *c);
/* rv of a command that was extended (`needed`) says the card refuses
 * extended APDUs: CARTA_TF_EXTENDED is cleared (send it again, short). */
bool carta_cns_ext_refused(struct carta_card *c, bool needed, enum carta_err rv);
void carta_cns_release(struct carta_card *c);
/* Card id from the EF contents: 16 ASCII digits, or BCD (applet D003). */
enum carta_err carta_cns_card_id(const uint8_t *p, size_t n, bool bcd, char out[17]);

/* cns_key.c: certificate and key objects of key set ks from the certificate
 * DER (copied), guarded by desc PIN `pin`; a certificate that does not parse
 * is skipped (docs/reference/cns.md 1.5). */
enum carta_err carta_cns_describe_key(struct carta_card *c, const struct carta_cns_keyset *ks,
                                      size_t pin, const struct carta_buf *der);

/* cns_keysets.c: the key sets of a layout and their PINs. */
/* Read a key set's certificate: CARTA_E_FILE_NOT_FOUND when it is absent
 * (6A82, or an empty Infocamere EF). */
enum carta_err carta_cns_read_keyset_cert(struct carta_card *c, const struct carta_cns_keyset *ks,
                                          struct carta_buf *der);
/* Describe key set ks (certificate der, may be NULL: PINs only) and its PIN
 * and PUK, sharing the PIN of a key set already described with the same role. */
enum carta_err carta_cns_add_keyset(struct carta_card *c, const struct carta_cns_keyset *ks,
                                    const struct carta_buf *der);
/* Every key set of the layout: CNS1 (probe), CNS0 (or the fallback). */
enum carta_err carta_cns_load_keysets(struct carta_card *c);
/* Make key set ks's DF current (nothing when it already is), or the MF for a
 * key set without one after a DF_DS operation. */
enum carta_err carta_cns_enter(struct carta_card *c, const struct carta_cns_keyset *ks);

/* cns_ops.c: PINs and crypto. */
enum carta_err carta_cns_pin_status(struct carta_card *c, size_t pin, struct carta_pin_status *st);
enum carta_err carta_cns_verify(struct carta_card *c, size_t pin, const uint8_t *v, size_t n,
                                int *tries_left);
enum carta_err carta_cns_change(struct carta_card *c, size_t pin, const uint8_t *o, size_t on,
                                const uint8_t *nv, size_t nn, int *tries_left);
enum carta_err carta_cns_unblock(struct carta_card *c, size_t pin, const uint8_t *puk, size_t pn,
                                 const uint8_t *nv, size_t nn, int *tries_left);
enum carta_err carta_cns_logout(struct carta_card *c);
enum carta_err carta_cns_sign(struct carta_card *c, size_t key, enum carta_sign_input kind,
                              const uint8_t *in, size_t n, uint8_t *out, size_t *outlen);
enum carta_err carta_cns_decrypt_raw(struct carta_card *c, size_t key, const uint8_t *in,
                                     size_t n, uint8_t *out, size_t *outlen);

/* cns_info.c: what the ATR says (docs/reference/cns.md 1.2, 2.2). */
/* The 15 CNS historical bytes if the ATR follows the CNS grammar, else NULL. */
const uint8_t *carta_cns_hist(const uint8_t *atr, size_t n);
/* The same grammar with another application in hist[9..11]: "HPC" (health
 * professionals, operators) or "CIE" (hybrid regional cards), which may
 * carry the CNS file system (docs/reference/cns.md 2.3). NULL otherwise. */
const uint8_t *carta_cns_hist_other(const uint8_t *atr, size_t n);
/* The same grammar with "DSD" (ST Incard) or "B4D" (bit4id): a
 * signature-only card (docs/reference/cns.md 2.3). NULL otherwise. */
const uint8_t *carta_cns_hist_ds(const uint8_t *atr, size_t n);
/* carta_cns_hist, else carta_cns_hist_other, else carta_cns_hist_ds. */
const uint8_t *carta_cns_hist_any(const uint8_t *atr, size_t n);
bool carta_cns_is_idemia2021(const uint8_t *hist);
/* Bare or synthesised contactless ATR (3B 8x 80 01 ...). */
bool carta_cns_is_nfc_atr(const uint8_t *atr, size_t n);
/* Fill desc->manufacturer, model and family from the ATR and the matched row. */
void carta_cns_describe(struct carta_card *c);

/* The drivers (registry.c). */
extern const struct carta_card_driver carta_cns_classic_driver;
extern const struct carta_card_driver carta_cns_idemia_driver;
extern const struct carta_card_driver carta_cns_applet_driver;
extern const struct carta_card_driver carta_cns_dnakey_driver;
extern const struct carta_card_driver carta_cns_ds_driver;

/* The operations every CNS family shares: a driver's table names its ATR rows,
 * match, probe and load, and then CARTA_CNS_SHARED_OPS. */
#define CARTA_CNS_SHARED_OPS \
	.pin_status = carta_cns_pin_status, \
	.verify = carta_cns_verify, \
	.change = carta_cns_change, \
	.unblock = carta_cns_unblock, \
	.logout = carta_cns_logout, \
	.sign = carta_cns_sign, \
	.decrypt_raw = carta_cns_decrypt_raw, \
	.reinit = carta_cns_reinit, \
	.release = carta_cns_release

#endif
