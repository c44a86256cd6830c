/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CARDS_CARD_H
#define CARTA_CARDS_CARD_H

/* The card framework under include/carta/card.h (docs/design.md "Card module
 * interface"): struct carta_card, the driver table a family fills, ATR rows
 * and scores (atr.c), transactions and driver trials (card.c), certificate
 * names (cert.c), the kept security environment (se.c). Each family folder
 * under src/cards/ (cns/, cie/) exports its const struct carta_card_driver
 * values; only registry.c lists them. Drivers never include pkcs11.h,
 * winscard.h or OpenSSL headers. */

#include "carta/card.h"
#include "apdu/exchange.h"

/* One ATR table row: (atr & mask) == (value & mask), same length.
 * Higher priority wins among drivers whose probe succeeds. */
struct carta_atr_row {
	const char *value;        /* hex, e.g. "3B FF 18 00 FF 81 31 FE 55 00 6B 02 09 ..." */
	const char *mask;         /* hex, same length; NULL = exact */
	int priority;
	const char *family;       /* e.g. "TS-CNS ST 2021 (CNS 1.1)" */
};

struct carta_card {
	const struct carta_card_driver *drv;
	struct carta_transport *t;
	struct carta_card_desc desc;
	const struct carta_atr_row *atr_row;   /* the row that matched, or NULL (probe only) */
	void *priv;                            /* driver state */
	bool reset_seen;
	uint32_t generation;                   /* carta_card_generation */
	/* PIN status as last read, reused for pin_cache_ttl_ms (card_ops.c) */
	unsigned pin_cache_ttl_ms;
	struct carta_pin_status pin_cache[CARTA_MAX_PINS];
	long long pin_cache_ms[CARTA_MAX_PINS];
	bool pin_cache_ok[CARTA_MAX_PINS];
	/* carta_card_keep_login: the front end's PIN (borrowed), or NULL */
	const struct carta_secret *kept;
	size_t kept_pin;
	/* what a driver that answered CARTA_E_CARD_UNSUPPORTED recognised, when
	 * it says more than its ATR row's family ("" = the family) */
	char unsupported[96];
};

struct carta_card_driver {
	const char *name;
	const struct carta_atr_row *atrs;      /* terminated by a row with value NULL */
	/* Score for an ATR that no table row matched exactly (e.g. bare NFC ATRs,
	 * CNS grammar heuristics): 0 = no. May be NULL. */
	int (*match)(const uint8_t *atr, size_t n);
	/* Confirm with APDUs (shared or bare ATRs). CARTA_E_CARD_UNKNOWN = not mine;
	 * CARTA_E_CARD_UNSUPPORTED = mine for certain, but not served yet (the
	 * registry stops there and names c->unsupported, else the row's family);
	 * load may answer it too. */
	enum carta_err (*probe)(struct carta_card *c);
	/* Fill c->desc (and c->priv). */
	enum carta_err (*load)(struct carta_card *c);
	enum carta_err (*pin_status)(struct carta_card *c, size_t pin, struct carta_pin_status *st);
	enum carta_err (*verify)(struct carta_card *c, size_t pin, const uint8_t *v, size_t n,
	                         int *tries_left);
	enum carta_err (*change)(struct carta_card *c, size_t pin, const uint8_t *o, size_t on,
	                         const uint8_t *nv, size_t nn, int *tries_left);
	enum carta_err (*unblock)(struct carta_card *c, size_t pin, const uint8_t *puk, size_t pn,
	                          const uint8_t *nv, size_t nn, int *tries_left);
	enum carta_err (*logout)(struct carta_card *c);
	/* carta_card_logout_own: end this application's login only, never a
	 * reset. NULL: nothing to send (the card keeps its state). */
	enum carta_err (*logout_own)(struct carta_card *c);
	enum carta_err (*sign)(struct carta_card *c, size_t key, enum carta_sign_input kind,
	                       const uint8_t *in, size_t n, uint8_t *out, size_t *outlen);
	enum carta_err (*decrypt_raw)(struct carta_card *c, size_t key, const uint8_t *in,
	                              size_t n, uint8_t *out, size_t *outlen);
	/* After another process reset the card: re-establish what is needed
	 * (select application, SM session ...). The PIN is not re-verified. May be NULL. */
	enum carta_err (*reinit)(struct carta_card *c);
	void (*release)(struct carta_card *c);  /* free c->priv */
};

#define CARTA_PIN_CACHE_MS 1000u

/* Scores. A table row scores its priority (>= CARTA_SCORE_CLAIM). match()
 * returns CARTA_SCORE_PROBE for ATRs that only a probe can decide (bare NFC
 * ATRs): such a driver is tried, but carta_atr_driver() does not name it. */
#define CARTA_SCORE_PROBE 5
#define CARTA_SCORE_CLAIM 10

/* A card on transport t, no driver yet (card.c). Takes ownership of t: closed
 * by carta_card_close, or here on error. */
enum carta_err carta_card_new(struct carta_transport *t, struct carta_card **out);
/* Probe and load the card with driver d (row: the ATR row that matched, or
 * NULL); on failure the driver's state is released and c has no driver.
 * Inside a transaction. The registry decides which drivers to try. */
enum carta_err carta_card_try_driver(struct carta_card *c, const struct carta_card_driver *d,
                                     const struct carta_atr_row *row);
/* What a probe's APDUs mean for "is this card mine" (card.c): CARTA_OK stays,
 * a definite refusal (no such file or application, instruction, class or
 * parameters) becomes CARTA_E_CARD_UNKNOWN, anything else (transport, a
 * removed or reset card, 6F00, a malformed answer) is returned as it is:
 * the card may be ours, and it is asked again at the next call. */
enum carta_err carta_card_probe_verdict(enum carta_err e);
/* An error that says nothing about the card's contents: the transport, the
 * card leaving or being reset, 6F00 and unknown status words, memory. A load
 * fails on it rather than describe the card without what it could not read. */
bool carta_card_err_transient(enum carta_err e);

/* A PC/SC transaction around a card operation (card.c). After a reset by
 * someone else: sets reset_seen, takes the lock again and calls reinit. */
enum carta_err carta_card_begin(struct carta_card *c);
void carta_card_end(struct carta_card *c);
/* The names of a certificate the driver parsed (cert.c): subject, issuer,
 * serial and CN copied into ct. carta_card_cert_free frees all of ct. */
struct carta_x509;
enum carta_err carta_card_cert_names(struct carta_cert *ct, const struct carta_x509 *x);
void carta_card_cert_free(struct carta_cert *ct);

/* A driver changed c->desc after load (carta_card_generation). */
void carta_card_desc_changed(struct carta_card *c);
/* Warm reset of the card (the security state goes); CARTA_E_NOT_SUPPORTED
 * when the transport cannot reset. */
enum carta_err carta_card_warm_reset(struct carta_card *c);

/* A private-key operation under a security environment the card keeps
 * (se.c): set (the MSE) unless `cached`, then use; when cached and use fails
 * in a way `forgotten` recognises, set and use once more. */
struct carta_se_ops {
	enum carta_err (*set)(struct carta_card *c, void *arg);
	enum carta_err (*use)(struct carta_card *c, void *arg);
	bool (*forgotten)(struct carta_card *c, enum carta_err rv);
};
enum carta_err carta_se_run(struct carta_card *c, bool cached, const struct carta_se_ops *ops,
                            void *arg);

/* ATR helpers (src/cards/atr.c). The historical bytes of an ATR per
 * ISO/IEC 7816-3 8.2 (T0 low nibble K, interface bytes per Y bits);
 * CARTA_E_PARSE when the ATR is shorter than its own structure says. */
enum carta_err carta_atr_hist(const uint8_t *atr, size_t n, const uint8_t **hist, size_t *hlen);
/* Best score of driver d for this ATR: table rows first (*row set), then
 * match() (*row NULL). 0 = not claimed. */
int carta_atr_score(const struct carta_card_driver *d, const uint8_t *atr, size_t n,
                    const struct carta_atr_row **row);
/* A contactless ATR synthesised by the reader (PC/SC part 3): 3B 8n 80 01 ... */
bool carta_atr_contactless(const uint8_t *atr, size_t n);

#endif
