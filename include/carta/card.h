/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CARD_H
#define CARTA_CARD_H

/* The libcarta card API: what the PKCS#11 front end and carta-tool see of a
 * card. One struct carta_card per connected, recognised card. None of these
 * functions is thread-safe on the same card: the caller holds its slot lock.
 * Each multi-APDU operation runs inside a PC/SC transaction. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carta/err.h"

struct carta_transport;
struct carta_card;
struct carta_secret;

#define CARTA_MAX_KEYS 4
#define CARTA_MAX_CERTS 4
#define CARTA_MAX_PINS 4
#define CARTA_ID_MAX 20

enum carta_key_type { CARTA_KEY_RSA = 1, CARTA_KEY_EC = 2 };

/* Key usage, from the certificate and the card's rules. */
#define CARTA_KU_SIGN     0x01u
#define CARTA_KU_DECRYPT  0x02u   /* the card will decipher with it (PSO DECIPHER) */
#define CARTA_KU_NONREP   0x04u

/* What the card can do with a key. */
#define CARTA_KC_RAW_RSA   0x01u  /* raw RSA on a modulus-length block: host pads
                                     (PKCS#1 v1.5, PSS, X.509) - CNS cards */
#define CARTA_KC_CARD_PADS 0x02u  /* card applies PKCS#1 v1.5 type 1 itself - CIE */
#define CARTA_KC_ECDSA     0x04u  /* card signs a hash with ECDSA */

/* What carta_card_sign is given. */
enum carta_sign_input {
	CARTA_SIGN_RAW_BLOCK = 1,  /* modulus-length block, already padded (KC_RAW_RSA) */
	CARTA_SIGN_PKCS1_DATA,     /* data to be PKCS#1 v1.5 padded (a DigestInfo, or
	                              the 36-byte MD5||SHA1 of TLS 1.0): KC_CARD_PADS, or
	                              KC_RAW_RSA with host padding inside libcarta */
	CARTA_SIGN_ECDSA_HASH,     /* a hash; output r||s, each field-size bytes */
};

struct carta_cert {
	uint8_t *der;             /* X.509 DER (NULL if not readable yet, e.g. CIE before login) */
	size_t der_len;
	uint8_t id[CARTA_ID_MAX]; /* CKA_ID, shared with the key pair */
	size_t id_len;
	char label[64];
	/* parsed from der by the card layer: DER Name, Name, INTEGER; the
	 * subject's CN ("" when unknown) */
	uint8_t *subject, *issuer, *serial;
	size_t subject_len, issuer_len, serial_len;
	char cn[128];
};

struct carta_key {
	uint8_t id[CARTA_ID_MAX];
	size_t id_len;
	char label[64];
	enum carta_key_type type;
	size_t bits;
	unsigned usage;           /* CARTA_KU_* */
	unsigned caps;            /* CARTA_KC_* */
	int cert;                 /* index into certs, -1 if none */
	int pin;                  /* index into pins of the PIN that guards it */
	/* The PIN must be presented again before each signature with this key
	 * (CKA_ALWAYS_AUTHENTICATE, a context-specific login): the
	 * qualified-signature keys. The card may or may not forget the PIN
	 * itself after a signature; a front end never re-presents it on its
	 * own for such a key. */
	bool always_auth;
	/* public key: RSA modulus/exponent (big-endian), or EC DER params + DER point */
	uint8_t *modulus, *exponent, *ec_params, *ec_point;
	size_t modulus_len, exponent_len, ec_params_len, ec_point_len;
};

enum carta_pin_kind { CARTA_PIN_USER = 1, CARTA_PIN_PUK };
/* Which token a user PIN opens ("one token per PIN", as OpenSC users know
 * it): AUTH is the CNS/CIE PIN (CNS0, PIN 0x10: logging in), SIGN the
 * qualified-signature PIN (CNS1 in DF_DS 3F00 1400, PIN 0x1A:
 * docs/reference/cns.md 1.5). A card may carry either or both. */
enum carta_pin_role { CARTA_PIN_ROLE_AUTH = 0, CARTA_PIN_ROLE_SIGN = 1 };

struct carta_pin {
	char label[32];
	enum carta_pin_kind kind;
	size_t min_len, max_len;  /* enforced before anything is sent */
	int max_tries;            /* card's limit, for display; -1 unknown */
	int unblocked_by;         /* index of the PUK for a user PIN, else -1 */
	enum carta_pin_role role; /* user PINs: the token it opens (AUTH when zeroed) */
	bool digits_only;
	/* A reader's PIN pad may collect this PIN: the card takes a plain VERIFY
	 * the pad can build from a template (CNS). False when the command must
	 * travel under secure messaging, which no pad can build (CIE). */
	bool pinpad_ok;
};

/* Holder data, from EF_Dati_personali (CNS) or the certificate (CIE). Empty
 * strings when unknown. Dates as DD/MM/YYYY. */
struct carta_holder {
	bool present;
	char codice_fiscale[17];
	char given_name[64];
	char surname[64];
	char birth_date[11];
	char sex[2];
	char issue_date[11];
	char expiry_date[11];
	char issuer_code[16];
};

struct carta_card_desc {
	char family[64];          /* e.g. "TS-CNS ST 2021 (CNS 1.1)", "CIE 3.0 (NXP)" */
	/* The token's name (PKCS#11 label, NSS nicknames "<label>:<cert>",
	 * pkcs11:token= URIs): set when the card is opened and never changed
	 * afterwards, so it is the same before and after a login, in every
	 * process, whatever a cache holds. A driver may fill it in load; else
	 * the framework takes the holder's name, the first certificate's CN or
	 * the family, as they are at load (carta_card_try_driver). */
	char label[192];         /* room for "given surname" or a CN; PKCS#11 shows 32 bytes */
	char driver[16];          /* driver name, e.g. "cns", "cie" */
	char serial[33];          /* EF_ID_Carta (16 digits), NIS for the CIE */
	char manufacturer[64];    /* e.g. "IC: STMicroelectronics; mask: STIncard" */
	char model[32];           /* e.g. "CNS 1.1" */
	struct carta_holder holder;
	struct carta_cert certs[CARTA_MAX_CERTS];
	size_t n_certs;
	struct carta_key keys[CARTA_MAX_KEYS];
	size_t n_keys;
	struct carta_pin pins[CARTA_MAX_PINS];
	size_t n_pins;
};

struct carta_pin_status {
	int tries_left;           /* -1 when the card cannot tell without spending a try */
	bool blocked;
	bool verified;            /* verified in the card's current security state */
};

/* The PIN's rules: its length and, where the card asks for it, digits only.
 * CARTA_E_PIN_LEN when v breaks them, CARTA_E_ARGS for a NULL value (a PIN
 * pad's, checked elsewhere). The one owner of the rule: every card operation
 * checks it before an APDU is sent, and front ends use it to refuse a PIN
 * without a card operation. */
enum carta_err carta_pin_check(const struct carta_pin *p, const uint8_t *v, size_t n);

/* Recognise the card on `t` (ATR tables + probe), read what is public, and
 * return it. Takes ownership of t (closed by carta_card_close, also on error).
 * CARTA_E_CARD_UNKNOWN when no driver claims it; CARTA_E_CARD_UNSUPPORTED
 * when a probe recognised a card carta cannot serve yet. */
enum carta_err carta_card_open(struct carta_transport *t, struct carta_card **out);
/* carta_card_open, and on CARTA_E_CARD_UNSUPPORTED what the card was
 * recognised as (e.g. "Digital-DNA Key") in what[cap] (else ""). */
enum carta_err carta_card_open_ex(struct carta_transport *t, struct carta_card **out,
                                  char *what, size_t cap);
void carta_card_close(struct carta_card *c);

const struct carta_card_desc *carta_card_get_desc(const struct carta_card *c);
struct carta_transport *carta_card_transport(struct carta_card *c);

/* The PKCS#11 label of the token user PIN `pin` opens (one token per PIN,
 * docs/pkcs11.md "One token per PIN"), the one rule for the module and
 * carta-tool: the card's name (desc->label), then " (firma)" for a PIN of
 * role SIGN, on any card; " (CNS)" for the AUTH PIN of a card that also
 * has a SIGN PIN; nothing for a card's only AUTH token (CIE, CNS) or a pin
 * that is no user PIN. At most CARTA_TOKEN_LABEL_MAX bytes: the name is cut,
 * at a UTF-8 character boundary, to keep the suffix. out: cap bytes, NUL
 * terminated (cut further if cap is smaller). */
#define CARTA_TOKEN_LABEL_MAX 32
void carta_card_token_label(const struct carta_card_desc *d, int pin, char *out, size_t cap);

/* Which driver would claim this ATR (without talking to a card): its name, or
 * NULL. For carta-tool info and the ATR coverage test. */
const char *carta_atr_driver(const uint8_t *atr, size_t n);
/* carta_atr_driver, and whether the ATR alone settles it: *sure is false for
 * a contactless ATR (the reader makes it up, so many cards share it) or an
 * ATR more than one driver claims; then only the probe of an open confirms. */
const char *carta_atr_verdict(const uint8_t *atr, size_t n, bool *sure);

/* Tries left without spending one, where the card allows it. A status read
 * less than a second ago is reused unless a PIN operation, a logout or a
 * reset came in between (clients ask for token info in bursts). */
enum carta_err carta_card_pin_status(struct carta_card *c, size_t pin, struct carta_pin_status *st);

/* PIN pad. A PIN given as value NULL with length 0 is collected by the
 * reader's PIN pad (PC/SC part 10 FEATURE_VERIFY_PIN_DIRECT for a VERIFY,
 * FEATURE_MODIFY_PIN_DIRECT for a change or an unblock): it never passes
 * through the host. Allowed only when the transport advertises the feature
 * (CARTA_TF_PINPAD_VERIFY / _MODIFY) and CARTA_PINPAD=0 is not set in the
 * environment (a reader that wrongly advertises a pad breaks logins,
 * docs/reference/cns.md 4 item 1): else CARTA_E_ARGS. CARTA_E_NOT_SUPPORTED when the card
 * cannot take a pad-built command (struct carta_pin.pinpad_ok false: CIE).
 * The user cancelling on the pad gives CARTA_E_CANCELLED, the pad's timeout
 * CARTA_E_TIMEOUT. A PIN given by value always goes the normal way, pad or
 * not. */
/* May PIN `pin` of this card be collected by the reader's pad (VERIFY)? The
 * front end sets CKF_PROTECTED_AUTHENTICATION_PATH from this. */
bool carta_card_pinpad(const struct carta_card *c, size_t pin);

/* One VERIFY (never retried). On CARTA_E_PIN_INCORRECT *tries_left is set
 * (-1 if unknown). CARTA_E_PIN_LEN if the length breaks the PIN's rules:
 * nothing is sent then. value NULL, n 0: the PIN pad collects it (above). */
enum carta_err carta_card_verify(struct carta_card *c, size_t pin, const uint8_t *value,
                                 size_t n, int *tries_left);
/* Change. Both values NULL with length 0: the PIN pad collects the old PIN,
 * the new one and its confirmation (a mismatch of the two new entries gives
 * CARTA_E_PIN_INCORRECT with *tries_left -1: no try was spent). Only one of
 * them NULL: CARTA_E_ARGS. */
enum carta_err carta_card_change(struct carta_card *c, size_t pin, const uint8_t *oldv,
                                 size_t oldn, const uint8_t *newv, size_t newn, int *tries_left);
/* Unblock user PIN `pin` with its PUK and set new_pin (new_pin NULL: only reset
 * the counter, where the card allows it). *tries_left refers to the PUK.
 * puk NULL with length 0 and new_pin NULL with length 0: the PIN pad collects
 * the PUK and the new PIN (twice). */
enum carta_err carta_card_unblock(struct carta_card *c, size_t pin, const uint8_t *puk,
                                  size_t pukn, const uint8_t *new_pin, size_t newn,
                                  int *tries_left);
/* Forget the card's security state (MSE restore / reset as the card needs):
 * every application using the card loses its login (carta-tool). */
enum carta_err carta_card_logout(struct carta_card *c);
/* End this application's login without logging out the others (the
 * PKCS#11 module, docs/pkcs11.md "Sharing the card"): the CIE ends its
 * secure-messaging session, and the PIN verified in it goes with it
 * (docs/reference/cie.md 8.G2); the CNS commands (docs/reference/cns.md 1.6,
 * 3.4) include none that drops a verified PIN short of a reset: nothing is
 * sent, the card keeps its state. Also
 * forgets the login kept by carta_card_keep_login. */
enum carta_err carta_card_logout_own(struct carta_card *c);

/* The PIN a front end keeps while its user is logged in: one the card
 * answered 9000 to in this login (borrowed; it must stay valid until the
 * next call of this function, carta_card_logout_own or carta_card_close;
 * NULL: none). One PIN at a time: a new call replaces the one kept. A
 * signature or decryption with a key that this PIN guards (struct
 * carta_key.pin), and whose always_auth is false, that finds the PIN no
 * longer verified (CARTA_E_SECURITY_STATUS: someone else reset the card, or
 * took the CIE's secure-messaging channel) verifies it once more and runs
 * once more, inside the same transaction (the CIE opens a fresh SM session
 * for it). A key guarded by another PIN, or an always_auth key (its PIN goes
 * before each signature, from the user), is never given the kept PIN: its
 * operation returns CARTA_E_SECURITY_STATUS as it is. A re-verify the card
 * refuses (the PIN was changed by someone else) is never repeated: the kept
 * PIN is forgotten here, and the operation returns CARTA_E_SECURITY_STATUS. */
void carta_card_keep_login(struct carta_card *c, size_t pin, const struct carta_secret *v);

/* Sign with key `key`. out receives the signature (modulus length for RSA);
 * *outlen in: capacity, out: length. CARTA_E_SECURITY_STATUS when the PIN is
 * not verified. */
enum carta_err carta_card_sign(struct carta_card *c, size_t key, enum carta_sign_input kind,
                               const uint8_t *in, size_t n, uint8_t *out, size_t *outlen);
/* Raw RSA private operation for decryption (PSO DECIPHER), keys with KU_DECRYPT. */
enum carta_err carta_card_decrypt_raw(struct carta_card *c, size_t key, const uint8_t *in,
                                      size_t n, uint8_t *out, size_t *outlen);

/* Changes whenever the description (carta_card_get_desc) changed after open:
 * e.g. the CIE certificate, readable only after the PIN, was read by a
 * successful VERIFY. A front end that keeps objects built from the
 * description rebuilds them when it sees a new value. */
uint32_t carta_card_generation(const struct carta_card *c);

/* Ask the reader (no APDU) whether someone reset the card; if so the flag
 * below is set and the driver re-established its state. */
enum carta_err carta_card_check_reset(struct carta_card *c);

/* Has the card been reset by someone else since the last call? The security
 * state is then gone (PIN no longer verified); clears the flag. */
bool carta_card_take_reset(struct carta_card *c);

#endif
