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
	struct carta_cns_path key_df;   /* DF selected before VERIFY and crypto; len 0 = none */
	uint8_t key_ref;                /* MSE SET 83 01 <key_ref>; also the CKA_ID byte */
};

struct carta_cns_layout {
	const char *name;
	const uint8_t *aid;             /* application selected first (applet cards), or NULL */
	size_t aid_len;
	uint8_t sel_p1;                 /* CARTA_SEL_PATH (from MF) or CARTA_SEL_REL */
	struct carta_cns_path id;       /* EF_ID_Carta */
	bool id_bcd;                    /* applet EF D003: card id in BCD (docs/reference/cns.md 2.4) */
	struct carta_cns_path personal; /* EF_Dati_personali */
	/* the first whose certificate exists is used */
	const struct carta_cns_keyset *keysets[CARTA_CNS_MAX_KEYSETS];
	size_t n_keysets;
	bool extended;                  /* card takes extended APDUs (CNS 1.1, IDEMIA) */
};

/* Driver state (c->priv). */
struct carta_cns {
	const struct carta_cns_layout *lay;
	const struct carta_cns_keyset *ks;
	uint8_t pin_ref, puk_ref;       /* with the 0x80 flag on ST Incard (docs/reference/cns.md 1.6) */
	bool key_df_current;            /* the key DF is selected: no SELECT before VERIFY */
	uint8_t se_tmpl, se_key;        /* MSE SET in force (0 = none): a next signature
	                                   with the same key skips RESTORE + SET */
};

/* cns_layouts.c: every layout, named by the drivers. */
extern const struct carta_cns_layout carta_cns_layout_classic_10;
extern const struct carta_cns_layout carta_cns_layout_classic_11;
extern const struct carta_cns_layout carta_cns_layout_idemia;
extern const struct carta_cns_layout carta_cns_layout_applet;
extern const struct carta_cns_layout carta_cns_layout_jsign;

/* cns.c: state, file reading and load. */
enum carta_err carta_cns_attach(struct carta_card *c, const struct carta_cns_layout *lay);
enum carta_err carta_cns_load(struct carta_card *c);
enum carta_err carta_cns_select(struct carta_card *c, const struct carta_cns_path *p,
                                struct carta_fci *fci);
enum carta_err carta_cns_select_app(struct carta_card *c);
enum carta_err carta_cns_reinit(struct carta_card *c);
/* rv of a command that was extended (`needed`) says the card refuses
 * extended APDUs: CARTA_TF_EXTENDED is cleared (send it again, short). */
bool carta_cns_ext_refused(struct carta_card *c, bool needed, enum carta_err rv);
void carta_cns_release(struct carta_card *c);
/* Card id from the EF contents: 16 ASCII digits, or BCD (applet D003). */
enum carta_err carta_cns_card_id(const uint8_t *p, size_t n, bool bcd, char out[17]);

/* cns_key.c: certificate and key objects from the certificate DER (takes
 * the buffer's memory). */
enum carta_err carta_cns_describe_key(struct carta_card *c, struct carta_buf *der);

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
/* carta_cns_hist, else carta_cns_hist_other. */
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
