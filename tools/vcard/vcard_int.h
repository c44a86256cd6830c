/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_VCARD_INT_H
#define CARTA_VCARD_INT_H

/* Internals of the virtual CNS card OS (tools/vcard). Facts cite
 * docs/reference/cns.md ("docs/reference/cns.md x.y"). */

#include "vcard.h"
#include "crypto/tools/tools.h"

/* ---- C-APDU (capdu.c) ------------------------------------------------- */

/* A parsed command APDU (ISO/IEC 7816-4 5.1). */
struct vcard_capdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	bool le_present;
	size_t ne;          /* Le decoded: short 00 = 256, extended 0000 = 65536 */
	bool extended;
};

/* CARTA_E_PARSE when the length fields do not describe the buffer. */
enum carta_err vcard_capdu_parse(const uint8_t *p, size_t n, struct vcard_capdu *a);
enum carta_err vcard_sw(struct carta_buf *r, uint16_t sw);

/* ---- identity (identity.c, identity_io.c) ----------------------------- */

struct vcard_identity_opts {
	const char *seed;          /* NULL = "carta-test" */
	size_t bits;               /* RSA modulus bits */
	bool ec;                   /* P-256 holder key */
	bool expired;
	const char *given, *surname, *cf;   /* NULL = MARIO ROSSI RSSMRA85M01H501Q */
	const char *pin, *puk;     /* NULL = 12345678 / 87654321 */
	bool ds;                   /* also the CNS1 signature key and qualified certificate */
	const char *ds_pin, *ds_puk;   /* NULL = 87654321 / 11223344 */
	bool ds_no_eku;            /* qualified certificate without extendedKeyUsage */
	bool ic;                   /* also the Infocamere 1204 key and its certificate */
};

struct vcard_identity {
	const struct carta_tk_key *ca_key;      /* shared, owned by the key cache */
	const struct carta_tk_key *holder_key;  /* shared, owned by the key cache */
	struct carta_buf ca_der, holder_der;
	struct carta_buf personal;              /* EF_Dati_personali, 400 bytes */
	char card_id[17];                       /* EF_ID_Carta, 16 digits */
	char seed[128];
	size_t bits;
	bool ec;
	char pin[9], puk[9];
	/* CNS1 (docs/reference/cns.md 1.5): key "<seed>/ds", same size as the holder's RSA key */
	bool ds;
	const struct carta_tk_key *ds_key;      /* shared, owned by the key cache */
	struct carta_buf ds_der;                /* qualified-signature certificate */
	char ds_pin[9], ds_puk[9];
	bool ds_no_eku;
	/* Infocamere 1204 (docs/reference/cns.md 1.5 row CNS01): key "<seed>/ic" */
	bool ic;
	const struct carta_tk_key *ic_key;      /* shared, owned by the key cache */
	struct carta_buf ic_der;
};

#define VCARD_PERSONAL_SIZE 400u
#define VCARD_PERSONAL_FIELDS 16u

enum carta_err vcard_key_cached(const char *seed, size_t bits, bool ec,
                                const struct carta_tk_key **out);
/* ds_cert.c: a qualified-signature certificate of `key`, issued by the test CA; `what`
 * names its serial number's seed ("ds", "ic"); f = the EF_Dati_personali fields
 * (docs/reference/cns.md 1.9). */
enum carta_err vcard_sig_cert_make(const struct vcard_identity *id,
                                   const struct carta_tk_key *key, const char *what,
                                   const char *const f[16], struct carta_buf *out);
enum carta_err vcard_identity_make(const struct vcard_identity_opts *o, struct vcard_identity *id);
enum carta_err vcard_identity_write(const struct vcard_identity *id, const char *dir);
/* want_ds / want_ic: the CNS1 / Infocamere files must be there too (CARTA_E_ARGS if not). */
enum carta_err vcard_identity_load(const char *dir, bool want_ds, bool want_ic,
                                   struct vcard_identity *id);
void vcard_identity_free(struct vcard_identity *id);
/* docs/reference/cns.md 1.9: 6 hex digits of body length, 16 fields of 2 hex digits + value,
 * zero-padded to 400 bytes. */
enum carta_err vcard_personal_data(const char *const fields[VCARD_PERSONAL_FIELDS],
                                   struct carta_buf *out);
/* docs/reference/cns.md 3.6: <CF>/<card id>.<base64(SHA-1(EF_Dati_personali))>, NUL-terminated. */
enum carta_err vcard_holder_cn(const char *cf, const char *card_id, const uint8_t *personal,
                               size_t n, char *out, size_t cap);
/* 16-digit card id starting with 6 (citizen, regional; docs/reference/cns.md 1.10), Luhn digit last. */
void vcard_card_id_from_seed(const char *seed, char out[17]);
bool vcard_luhn_ok(const char *digits, size_t n);
size_t vcard_base64(const uint8_t *in, size_t n, char *out, size_t cap);

/* ---- the CNS card OS -------------------------------------------------- */

#define VCARD_MAX_FILES 40
#define VCARD_NONE (-1)

enum vcard_fci_style {
	VCARD_FCI_CLASSIC,   /* 6F {80/81, 82, 83, [84], 85, 86, 8A} (docs/reference/cns.md 1.7, 5) */
	VCARD_FCI_APPLET,    /* 6F {80, 82, [88], 83, 8A, A1 {8C, 9C}} (docs/reference/cns.md 1.7, ACe 2025) */
	VCARD_FCI_AID,       /* 6F {84 AID}: the ChipDoc applets before PACE [?] */
};

/* Applets of the Bit4id ChipDoc whose contents need a PACE channel
 * (docs/reference/cns.md 1.13): before PACE only SELECT by AID works. */
enum vcard_pace_lock {
	VCARD_PACE_NONE,
	VCARD_PACE_PROBE,    /* the AID the driver probes: always selectable */
	VCARD_PACE_APPLET,   /* SELECT answers vcard_cns.applet_sw (default 90 00) */
};

struct vcard_file {
	int parent;                 /* VCARD_NONE for a root (MF or applet) */
	uint16_t fid;
	bool df;
	bool path_only;             /* reachable only through a P1=08/09 path (docs/reference/cns.md 2.4 item 5) */
	bool aid_first;             /* FCI puts 84 before 83 (ACe 2025 applet, docs/reference/cns.md 2.4 item 1) */
	bool cb_trailer;            /* FCI ends with CB 18 FF*24 (ACe 2025, docs/reference/cns.md 1.7) */
	enum vcard_fci_style fci;
	enum vcard_pace_lock pace;
	uint8_t sfi;                /* 0 = none */
	uint8_t aid[16];
	size_t aid_len;
	uint8_t acl[9];             /* tag 86 bytes (docs/reference/cns.md 1.7) */
	uint16_t df_size;           /* DF: value of tag 81 */
	struct carta_buf data;      /* EF body */
};

enum vcard_layout {
	VCARD_LAYOUT_CLASSIC, VCARD_LAYOUT_IDEMIA, VCARD_LAYOUT_APPLET, VCARD_LAYOUT_CHIPDOC,
	VCARD_LAYOUT_DSD,           /* signature only: EF_IDCarta and DF_DS (docs/reference/cns.md 2.3) */
};

struct vcard_profile {
	const char *name;
	const char *atr_hex;
	size_t rsa_bits;
	bool extended;              /* extended-length APDUs accepted */
	bool st_flag;               /* PIN reference | 0x80 accepted (docs/reference/cns.md 1.6) */
	bool puk_verify;            /* VERIFY of the PUK itself (docs/reference/cns.md 1.6 chipdoc) */
	bool jsign;                 /* AID A0 00 00 00 95 01 00 4D + GET DATA "JSign4" */
	size_t challenge_max;       /* GET CHALLENGE limit (docs/reference/cns.md 1.11) */
	uint8_t key_ref;            /* SE / key reference (docs/reference/cns.md 1.5) */
	enum vcard_layout layout;
};

const struct vcard_profile *vcard_profile_find(const char *name);

struct vcard_pin {
	uint8_t ref;
	uint8_t value[8];           /* ASCII digits, FF-padded (docs/reference/cns.md 1.6) */
	unsigned tries, max;
	bool verified;
};

struct vcard_chain {
	bool active;
	uint8_t ins, p1, p2;
	struct carta_buf data;
};

struct vcard_cns {
	const struct vcard_profile *prof;
	struct vcard_identity id;
	struct vcard_file files[VCARD_MAX_FILES];
	size_t nfiles;
	int mf;                     /* the card's MF */
	int cns_app;                /* root owning the PINs and the key (MF or applet) */
	int key_df;                 /* DF holding the private key */
	int app_root;               /* root of the selected application */
	int cur_df, cur_ef;
	bool jsign_selected;
	bool empty_verify;          /* VERIFY without data = status query */
	uint16_t ext_sw;            /* answer to an extended APDU; 0 = accepted */
	uint16_t applet_sw;         /* SELECT of a VCARD_PACE_APPLET AID (9000 = selectable) */
	bool puk_verify;
	struct vcard_pin pin, puk;
	bool cns0;                  /* the CNS PIN 10/11 and key are there (not on "dsd") */
	/* CNS1 signature key set (docs/reference/cns.md 1.5): DF_DS 1400, DF 8110 */
	bool ds;
	int ds_df, ds_key_df;
	enum vcard_ds_scope ds_scope;
	bool ds_per_sign;
	bool dsd_personal;
	struct vcard_pin ds_pin, ds_puk;
	/* Infocamere 1204 key set (docs/reference/cns.md 1.5 row CNS01): DF 2FFF, key 21 */
	bool ic, ic_empty;
	int ic_df;
	int se_dst, se_ct;          /* key chosen by MSE SET B6 / B8, -1 = none */
	struct vcard_chain chain;
};

enum carta_err vcard_cns_new(const struct vcard_config *cfg, struct vcard_cns **out);
void vcard_cns_free(struct vcard_cns *c);
void vcard_cns_reset(struct vcard_cns *c);
enum carta_err vcard_cns_apdu(struct vcard_cns *c, const uint8_t *cmd, size_t n,
                              struct carta_buf *resp);

/* fs.c: a new file under parent (VCARD_NONE for the MF); its index or VCARD_NONE */
int vcard_fs_add(struct vcard_cns *c, int parent, uint16_t fid, bool df, const uint8_t *data,
                 size_t n);
/* layout.c */
enum carta_err vcard_layout_build(struct vcard_cns *c);
/* ds.c: DF_DS with the CNS1 key set, added by vcard_layout_build when c->ds. */
enum carta_err vcard_ds_layout(struct vcard_cns *c);
/* true when the current DF lets PIN 1A/1B and key 10 be found (c->ds_scope) */
bool vcard_ds_visible(const struct vcard_cns *c);
/* ds.c: the Infocamere 1204 DF 2FFF, added by vcard_layout_build when c->ic. */
enum carta_err vcard_ic_layout(struct vcard_cns *c);
/* true when the current DF is DF 2FFF or below it (key 21) */
bool vcard_ic_visible(const struct vcard_cns *c);

/* fs.c, binary.c, pin.c, sec.c: each appends data + SW to r. */
enum carta_err vcard_cmd_select(struct vcard_cns *c, const struct vcard_capdu *a,
                                struct carta_buf *r);
enum carta_err vcard_cmd_read_binary(struct vcard_cns *c, const struct vcard_capdu *a,
                                     struct carta_buf *r);
enum carta_err vcard_cmd_update_binary(struct vcard_cns *c, const struct vcard_capdu *a,
                                       struct carta_buf *r);
enum carta_err vcard_cmd_verify(struct vcard_cns *c, const struct vcard_capdu *a,
                                struct carta_buf *r);
enum carta_err vcard_cmd_change(struct vcard_cns *c, const struct vcard_capdu *a,
                                struct carta_buf *r);
enum carta_err vcard_cmd_unblock(struct vcard_cns *c, const struct vcard_capdu *a,
                                 struct carta_buf *r);
enum carta_err vcard_cmd_mse(struct vcard_cns *c, const struct vcard_capdu *a,
                             struct carta_buf *r);
enum carta_err vcard_cmd_pso(struct vcard_cns *c, const struct vcard_capdu *a,
                             struct carta_buf *r);
enum carta_err vcard_cmd_challenge(struct vcard_cns *c, const struct vcard_capdu *a,
                                   struct carta_buf *r);
enum carta_err vcard_cmd_get_data(struct vcard_cns *c, const struct vcard_capdu *a,
                                  struct carta_buf *r);
/* true if the access condition byte (docs/reference/cns.md 1.7) is met now */
bool vcard_acl_ok(const struct vcard_cns *c, uint8_t ac);
/* The FCI (tag 6F) or FCP (tag 62) of a file, appended. */
enum carta_err vcard_fci(const struct vcard_cns *c, int idx, uint8_t tag, struct carta_buf *r);

/* ---- vpcd server (serve.c) -------------------------------------------- */

struct vcard_serve_opts {
	const char *host;           /* default 127.0.0.1 */
	unsigned port;
	const char *log_path;       /* NULL = stats to stderr */
	unsigned long reinsert_ms;  /* after a removal fault: reinsert after this; 0 = at SIGUSR2 */
};
/* Runs until SIGTERM/SIGINT; returns CARTA_OK then. */
enum carta_err vcard_serve(struct vcard *v, const struct vcard_serve_opts *o);

#endif
