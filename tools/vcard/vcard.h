/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_VCARD_H
#define CARTA_VCARD_H

/* carta-vcard: virtual Italian smart cards that behave like the real ones in
 * docs/reference/cns.md and docs/reference/cie.md. Library carta_vcard (this header) plus
 * the program carta-vcard (main.c: vpcd server, make-identity).
 * It never uses the driver code in src/cards; it may use src/util, src/crypto
 * and src/crypto/tools. */

#include "inproc.h"

struct vcard;

/* Fault injection (docs/virtual-card.md "Fault injection"): APDU number `at`
 * (1-based, counted by the card since it was created; a removal does not
 * restart the count) is spoiled once. */
enum vcard_fault_mode {
	VCARD_FAULT_SW,             /* answer `sw` with no data, command not executed */
	VCARD_FAULT_TRUNCATED,      /* the real answer cut to its first byte (empty if empty) */
	VCARD_FAULT_OVERSIZED,      /* the real answer with filler before the SW: longer than
	                               the command's Ne and than 258 bytes */
	VCARD_FAULT_GARBAGE,        /* 1..300 pseudo-random bytes (seeded by `at`), command
	                               not executed */
	VCARD_FAULT_REMOVE_BEFORE,  /* card removed before answering (command not executed) */
	VCARD_FAULT_REMOVE_AFTER,   /* command executed and answered, then the card is removed */
};
struct vcard_fault {
	enum vcard_fault_mode mode;
	unsigned long at;
	uint16_t sw;                /* VCARD_FAULT_SW only */
};
#define VCARD_MAX_FAULTS 16
/* Parses "MODE@N[,MODE@N...]" (modes: remove-before, remove-after, sw=XXXX, truncated,
 * oversized, garbage) and appends to f[*n] (cap entries). CARTA_E_ARGS on a bad spec. */
enum carta_err vcard_fault_parse(const char *spec, struct vcard_fault *f, size_t cap, size_t *n);
/* "sw=6f00@7", "remove-before@12"... (NUL-terminated, truncated to cap). */
void vcard_fault_str(const struct vcard_fault *f, char *out, size_t cap);

/* Settings for one card. Zero-initialise, then set what you need; the
 * defaults are the reference behaviour. */
struct vcard_config {
	const char *profile;       /* "st", "idemia", "actalis", "classic", "classic-siemens",
	                              "hpc", "dnakey", "cie-nxp", "cie-gemalto" */
	const char *seed;          /* identity seed (default "carta-test"): same seed, same
	                              keys, certificates, card id and personal data */
	const char *identity_dir;  /* load an identity made by `carta-vcard make-identity`
	                              instead of deriving one from the seed; NULL = derive */
	const char *pin;           /* default CNS "12345678", CIE "12345678" */
	const char *puk;           /* default CNS "87654321", CIE "87654321" */
	bool ec_key;               /* CNS profiles: a P-256 key instead of RSA (no real
	                              Italian card is known to carry one) */
	int sm_error_style;        /* CIE: 0 = plain SW for errors (default), 1 = SM-wrapped */
	unsigned cie_last_try_sw;  /* CIE: answer to the wrong PIN/PUK that spends the last try;
	                              0 = 0x6983 (default), 0x6983, 0x63C0 */
	const char *atr_hex;       /* any profile: answer with this ATR (2..33 bytes) instead of
	                              the profile's (e.g. a reader-built contactless ATR) */
	bool expired_cert;         /* holder certificate already expired */
	unsigned delay_ms;         /* per-APDU delay (model a real reader) */
	unsigned long fault_at;    /* answer the N-th APDU (1-based) with 6F 00; 0 = never
	                              (the same as a VCARD_FAULT_SW 6F00 fault at N) */
	const struct vcard_fault *faults;   /* copied by vcard_new; at most VCARD_MAX_FAULTS */
	size_t n_faults;
	/* CNS switches for facts the reference leaves open (docs/virtual-card.md). */
	int empty_verify;          /* VERIFY without data: 0 = default (ISO status query:
	                              63 Cx / 90 00), 1 = on, -1 = off (67 00) */
	int puk_verify;            /* VERIFY of the PUK (00 20 00 11): 0 = profile default
	                              (on for "actalis", else 6A 88), 1 = on, -1 = off */
	unsigned no_extended;      /* CNS: 0 = the profile's own rule; 0x6700 or 0x6D00 = refuse
	                              every extended-length APDU with that status word */
	unsigned dnakey_applet_sw; /* "dnakey": answer to SELECT of a ChipDoc applet AID before
	                              PACE; 0 = 0x9000 (selected, contents 69 82), 0x6982,
	                              0x6A82 */
	unsigned pin_tries;        /* 0 = 3 */
	unsigned puk_tries;        /* 0 = 3 */
	const char *given_name;    /* holder, default MARIO */
	const char *surname;       /* default ROSSI */
	const char *cf;            /* codice fiscale, default RSSMRA85M01H501Q */
	/* The CNS1 qualified-signature key set, DF_DS 3F00 1400 (docs/reference/cns.md 1.5,
	 * docs/virtual-card.md "Signature key set"). Always on for profile "dsd". */
	bool ds;
	const char *ds_pin;        /* PIN 1A, default "87654321" */
	const char *ds_puk;        /* PUK 1B, default "11223344" */
	unsigned ds_pin_tries;     /* 0 = 3 */
	unsigned ds_puk_tries;     /* 0 = 3 */
	bool ds_pin_per_sign;      /* PIN 1A forgotten after each PSO COMPUTE DIGITAL SIGNATURE */
	int ds_pin_scope;          /* where PIN 1A and key 10 are found: VCARD_DS_SCOPE_* */
	int dsd_personal;          /* "dsd": EF_Dati_personali 1100/1102: 0/-1 = absent, 1 = there */
	int ds_cert_eku;           /* qualified certificate's extendedKeyUsage: 0 = documentSigning
	                              only (default), -1 = no EKU extension (docs/virtual-card.md) */
	/* The Infocamere 1204 key set, DF 3F00 2FFF (docs/reference/cns.md 1.5 row CNS01):
	 * MF-layout CNS profiles only. */
	bool infocamere;
	bool infocamere_empty;     /* EF 8228 there with length 00 00 (no certificate) */
};

/* ds_pin_scope: the current DF from which VERIFY/CHANGE/RESET RETRY COUNTER of
 * PIN 1A/1B and MSE SET of key 10 find their object (docs/virtual-card.md). */
enum vcard_ds_scope {
	VCARD_DS_SCOPE_LOCAL = 0,  /* DF 1400/8110, the objects' own DF (default) */
	VCARD_DS_SCOPE_DS = 1,     /* DF_DS 1400 or below */
	VCARD_DS_SCOPE_ANY = 2,    /* anywhere in the card */
};

enum carta_err vcard_new(const struct vcard_config *cfg, struct vcard **out);
void vcard_free(struct vcard *v);

/* The card object behind the in-process transport (inproc.h):
 * carta_inproc_insert(ip, slot, &vcard_inproc_ops, v). */
extern const struct carta_inproc_card_ops vcard_inproc_ops;

enum carta_err vcard_apdu(struct vcard *v, const uint8_t *cmd, size_t n, struct carta_buf *resp);
void vcard_reset(struct vcard *v);           /* power cycle: security state cleared */
size_t vcard_atr(struct vcard *v, uint8_t *out, size_t cap);

/* APDU log counters: commands received, bytes in (commands) and out (responses). */
struct vcard_stats {
	unsigned long apdus, bytes_in, bytes_out;
};
void vcard_get_stats(const struct vcard *v, struct vcard_stats *st);
void vcard_reset_stats(struct vcard *v);

/* The fault that fired on the last APDU, if any (then true, *f filled). A removal fault
 * is also reported here: the transport (serve.c) then drops the card, before or after
 * sending `resp`; in process (inproc) the card just answers nothing for remove-before. */
bool vcard_fault_last(const struct vcard *v, struct vcard_fault *f);
/* The faults that have fired so far, as "sw=6f00@7,garbage@9" (empty if none). */
void vcard_faults_fired(const struct vcard *v, char *out, size_t cap);
/* The lowest PIN try counter the card has had since it was created (its own counter,
 * checked after every APDU): start - low = tries spent, even if a later right PIN
 * restored the counter. */
int vcard_pin_tries_low(const struct vcard *v);

/* Test oracles: the card's own view, not what a driver believes. */
int vcard_pin_tries_left(const struct vcard *v, bool puk);   /* user PIN / PUK */
/* Current PIN value (after changes), into out (no NUL); returns its length. */
size_t vcard_current_pin(const struct vcard *v, uint8_t *out, size_t cap);
/* The signature PIN 1A / PUK 1B counters (-1 without the key set). */
int vcard_ds_tries_left(const struct vcard *v, bool puk);
/* The signature PIN's current value, as vcard_current_pin (0 without the key set). */
size_t vcard_current_ds_pin(const struct vcard *v, uint8_t *out, size_t cap);
/* The qualified-signature certificate (DER; empty without the key set). */
struct carta_bytes vcard_ds_cert(const struct vcard *v);
/* The Infocamere 1204 certificate (DER; empty without the key set). */
struct carta_bytes vcard_infocamere_cert(const struct vcard *v);
/* The holder certificate (DER) and the issuing CA certificate (DER). */
struct carta_bytes vcard_holder_cert(const struct vcard *v);
struct carta_bytes vcard_ca_cert(const struct vcard *v);
/* The card id (CNS EF_ID_Carta, 16 digits) or NIS (CIE, 12 digits), NUL-terminated. */
const char *vcard_card_id(const struct vcard *v);

#endif
