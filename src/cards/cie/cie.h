/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CARDS_CIE_H
#define CARTA_CARDS_CIE_H

/* Internal interface of the CIE 3.0 driver (src/cards/cie/). Protocol facts
 * are from docs/reference/cie.md; section numbers are cited where used. */

#include "cards/card.h"
#include "cards/iso7816.h"
#include "apdu/sm.h"
#include "crypto/secret.h"

extern const struct carta_card_driver carta_cie_driver;

/* ---- constants (cie_constants.c, docs/reference/cie-constants.md) ---- */
#define CARTA_CIE_RSA_LEN 256u
extern const uint8_t carta_cie_d_ca[256];
extern const uint8_t carta_cie_n_ifd[256];
extern const uint8_t carta_cie_d_ifd[256];
extern const uint8_t carta_cie_e_ifd[4];
extern const uint8_t carta_cie_aid_ias[13];
extern const uint8_t carta_cie_aid_cie[6];
extern const uint8_t carta_cie_sn_ifd[8];
extern const uint8_t carta_cie_cvc_oid[9];

/* ---- chip families and ATRs (cie_atr.c, docs/reference/cie.md 1.1-1.2) ---- */
struct carta_cie_chip {
	const char *name;    /* "NXP", "Gemalto" ... */
	bool jcop;           /* IAS selected with the case-1 00 A4 00 00 (docs/reference/cie.md 1.2) */
	bool dh_one_cmd;     /* g, p, q in one GET DATA (Gemalto, docs/reference/cie.md 3.2) */
};
extern const struct carta_atr_row carta_cie_atrs[];
/* The chip family for an ATR: an exact table row, the bare STM2 NFC ATR, or
 * a generic family for other contactless ATRs. NULL: not a CIE ATR at all. */
const struct carta_cie_chip *carta_cie_chip_for_atr(const uint8_t *atr, size_t n);
int carta_cie_match(const uint8_t *atr, size_t n);

/* ---- driver state ---- */
#define CARTA_CIE_NIS_LEN 12u
#define CARTA_CIE_MAX_MOD 512u

struct carta_cie {
	const struct carta_cie_chip *chip;
	char nis[CARTA_CIE_NIS_LEN + 1];
	struct carta_buf sn_icc;           /* EF D003 */
	struct carta_buf n82, e82;         /* EF 1004: DAPP key of the chip (docs/reference/cie.md 3.1) */
	struct carta_buf kpub83;           /* EF 1005, raw */
	struct carta_buf sod;              /* EF 1006, raw */
	struct carta_buf g, p, q;          /* DH domain, as the card sent them */
	struct carta_buf n_ca, e_ca;       /* terminal CA key (docs/reference/cie.md 3.3) */
	uint8_t car[8], ca_aid[6];
	bool have_dh, have_ca;
	struct carta_buf cert;             /* certificate DER (cache or card), empty if unknown */
	bool cert_from_card;               /* read under SM in this process */
	struct carta_sm sm;
	bool selected;                     /* IAS + DF_CIE selected since the last reset */
	bool card_sm;                      /* a key agreement was sent since the last reset */
	bool pin_verified, puk_verified;   /* in the current SM session */
	/* tries left of PIN and PUK as a wrong VERIFY told them, when no note
	 * file could keep them (cie_cache.c); -1 otherwise */
	int tries_mem[2];
	bool mse_sign_set;                 /* MSE SET AT for key 81 done in this session */
};

/* A DH + DAPP result the DAPP step needs (public values only). */
struct carta_cie_dh {
	struct carta_buf puk_ifd, puk_icc;
};
void carta_cie_dh_free(struct carta_cie_dh *dh);

/* ---- I/O (cie_io.c) ---- */
/* Plain when no SM session, else under SM. SW in r->sw. */
enum carta_err carta_cie_tx(struct carta_card *c, const struct carta_apdu *a, unsigned flags,
                            struct carta_rapdu *r);
/* carta_cie_tx and map the SW (9000 -> OK). */
enum carta_err carta_cie_tx_ok(struct carta_card *c, const struct carta_apdu *a, unsigned flags,
                               struct carta_rapdu *r);
/* carta_cie_tx_ok for a command whose answer is only its SW
 * (carta_iso_send_via). */
enum carta_err carta_cie_send(struct carta_card *c, const struct carta_apdu *a);
enum carta_err carta_cie_select_ias(struct carta_transport *t, const struct carta_cie_chip *chip);
enum carta_err carta_cie_select_cie(struct carta_transport *t);
/* IAS + DF_CIE when not selected since the last reset. */
enum carta_err carta_cie_select_apps(struct carta_card *c);
/* SELECT EF and READ BINARY until EOF (plain: Le 256; SM: Le 128), at most max
 * bytes; with der_stop, stop at the length of the DER object (docs/reference/cie.md 9). */
enum carta_err carta_cie_read_ef(struct carta_card *c, uint16_t fid, size_t max, bool der_stop,
                                 struct carta_buf *out);
/* The NIS: READ BINARY by SFI 01 (docs/reference/cie.md 2.1), then select + read as fallback. */
enum carta_err carta_cie_read_nis(struct carta_transport *t, char nis[CARTA_CIE_NIS_LEN + 1]);
/* End the SM session and forget everything it carried. */
void carta_cie_session_end(struct carta_cie *s);

/* ---- DH and DAPP (cie_dh.c, cie_dapp.c; docs/reference/cie.md 3.2-3.6) ---- */
enum carta_err carta_cie_get_dh_params(struct carta_card *c);
/* Drop the DH and terminal-CA parameters read so far (cie_dh.c). */
void carta_cie_forget_params(struct carta_cie *s);
enum carta_err carta_cie_get_ca_params(struct carta_card *c);
enum carta_err carta_cie_dh(struct carta_card *c, struct carta_cie_dh *dh);
enum carta_err carta_cie_dapp(struct carta_card *c, const struct carta_cie_dh *dh);
/* Select, DH, DAPP: a fresh SM session (any failure ends it). */
enum carta_err carta_cie_session_start(struct carta_card *c);
/* Build the IFD CVC C (297 bytes for a 2048-bit IFD key, docs/reference/cie.md 3.6 step 1). */
enum carta_err carta_cie_cvc_body(const uint8_t car[8], const uint8_t ca_aid[6],
                                  struct carta_buf *out);
/* ISO 9796-2 scheme 1 block 6A || m[0..k-34) || SHA-256(h_in) || BC, k bytes. */
enum carta_err carta_cie_9796_block(const uint8_t *m, size_t mlen, const uint8_t *h_in,
                                    size_t hlen, size_t k, uint8_t *out);
/* The PSO VERIFY CERTIFICATE data (7F21 {5F37 sig, 5F38 PKrem, 42 CAR}). */
enum carta_err carta_cie_cvc_build(const struct carta_cie *s, struct carta_buf *out);

/* ---- PIN, sign, cache ---- */
enum carta_err carta_cie_verify(struct carta_card *c, size_t pin, const uint8_t *v, size_t n,
                                int *tries_left);
enum carta_err carta_cie_change(struct carta_card *c, size_t pin, const uint8_t *o, size_t on,
                                const uint8_t *nv, size_t nn, int *tries_left);
enum carta_err carta_cie_unblock(struct carta_card *c, size_t pin, const uint8_t *puk,
                                 size_t pn, const uint8_t *nv, size_t nn, int *tries_left);
enum carta_err carta_cie_sign(struct carta_card *c, size_t key, enum carta_sign_input kind,
                              const uint8_t *in, size_t n, uint8_t *out, size_t *outlen);
/* PIN rules (docs/reference/cie.md 4): exactly 8 ASCII digits. */
bool carta_cie_pin_ok(const uint8_t *v, size_t n);

/* Cache file path for a NIS: $XDG_CACHE_HOME/carta/cie-<NIS>.der (fallback
 * ~/.cache/carta). */
enum carta_err carta_cie_cache_path(const char *nis, char *out, size_t cap);
/* The cached certificate, only when its hash equals the SOD's A3 entry. */
enum carta_err carta_cie_cache_load(const char *nis, const uint8_t *sod, size_t sodlen,
                                    struct carta_buf *cert);
enum carta_err carta_cie_cache_store(const char *nis, const uint8_t *der, size_t n);
/* What wrong PINs told on this machine (cie_cache.c): the PIN seen blocked
 * (6983 or 63C0) until it verifies or is unblocked; the tries left a 63Cx
 * reported for PIN `pin` (0 PIN, 1 PUK), -1 when there is no such note.
 * carta_cie_tries_mark with tries < 0 removes the note; true when the file
 * now says what was asked. */
bool carta_cie_blocked_seen(const char *nis);
void carta_cie_blocked_mark(const char *nis, bool blocked);
int carta_cie_tries_seen(const char *nis, size_t pin);
bool carta_cie_tries_mark(const char *nis, size_t pin, int tries);
/* Does SOD entry A3 match this certificate? */
enum carta_err carta_cie_sod_check(const uint8_t *sod, size_t sodlen, unsigned dg,
                                   const uint8_t *data, size_t n);
/* After login: read EF 1003 under SM, store it in the cache, fill the desc. */
enum carta_err carta_cie_read_cert(struct carta_card *c);
/* Fill desc cert/key/holder from s->cert (no-op when empty). */
void carta_cie_desc_cert(struct carta_card *c);

#endif
