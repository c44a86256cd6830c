/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_P11_STATE_H
#define CARTA_P11_STATE_H

/* The core of the PKCS#11 front end (docs/design.md "PKCS#11 front end"): the
 * module instance, slots, tokens, sessions, operations, locks, and the
 * models the entry points read (objects, attributes, mechanisms). The
 * files that define C_* functions call only this core and libcarta; the
 * core never calls an entry-point file (tests/structure/check_p11_layers.sh).
 *
 * Locking: one global lock (carta_p11.lock) guards the module state and the
 * reader view of every slot; one lock per slot guards its token (card,
 * objects), its sessions and its login state. Order: slot lock, then the
 * global lock; never the other way round. Helpers that need a lock held end
 * in _locked.
 *
 * Core files, each calling only those listed before it:
 *   log.c rv.c locking.c state.c mechs.c objects.c attrs.c ops.c
 *   slots.c sessions.c tokens.c lookup.c lifecycle.c */

#include <p11-kit/pkcs11.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "apdu/reader.h"
#include "carta/card.h"
#include "crypto/crypto.h"
#include "crypto/secret.h"

/* ---- log.c: what each call returned, and why it refused (CARTA_DEBUG=2) */
const char *carta_p11_rv_name(CK_RV rv);
const char *carta_p11_user_name(CK_USER_TYPE type);
/* Logs the reason for an error return at level 2 and returns rv. */
CK_RV carta_p11_fail(CK_RV rv, const char *why, ...) __attribute__((format(printf, 2, 3)));
/* Logs "<call> = CKR_..." at level 2 and returns rv: every C_* function
 * returns through it. */
CK_RV carta_p11_ret(CK_RV rv, const char *call, ...) __attribute__((format(printf, 2, 3)));

/* ---- rv.c: the only place where enum carta_err becomes a CK_RV */
CK_RV carta_p11_rv(enum carta_err e);
/* connecting a token: no card, or a card no driver claims */
CK_RV carta_p11_rv_connect(enum carta_err e);
/* an operation on a connected card: the card went, or its reset took the
 * security state */
CK_RV carta_p11_rv_card_op(enum carta_err e);
/* VERIFY of a PUK: CKR_OK also when the card checks the PUK only inside
 * RESET RETRY COUNTER (it does not know VERIFY for it) */
CK_RV carta_p11_rv_puk_verify(enum carta_err e);
/* C_Login: a PIN the card's rules refuse is CKR_PIN_INCORRECT */
CK_RV carta_p11_rv_login(enum carta_err e);
/* C_Decrypt: the card refusing the input is CKR_ENCRYPTED_DATA_* */
CK_RV carta_p11_rv_decrypt(enum carta_err e);

/* ---- locking.c: mutexes per CK_C_INITIALIZE_ARGS */
CK_RV carta_p11_locking_setup(const CK_C_INITIALIZE_ARGS *args);
CK_RV carta_p11_mutex_new(void **m);
void carta_p11_mutex_free(void *m);
void carta_p11_mutex_lock(void *m);
void carta_p11_mutex_unlock(void *m);

/* ---- slots: reader i has slot id i for its first token (the CNS/CIE token,
 * or a card's only token) and, for a card with a user PIN of role
 * CARTA_PIN_ROLE_SIGN beside its AUTH PIN, slot id CARTA_P11_SIGN_BASE + i
 * for the signature ("firma") token (docs/pkcs11.md "One token per PIN").
 * Both slots of a reader share its card and its lock. */
#define CARTA_P11_MAX_SLOTS 32                  /* readers */
#define CARTA_P11_SIGN_BASE CARTA_P11_MAX_SLOTS
#define CARTA_P11_MAX_IDS (2 * CARTA_P11_MAX_SLOTS)

/* ---- objects: handle = gen << 16 | (slot index + 1) << 8 | object index */
enum carta_p11_obj_kind {
	CARTA_P11_OBJ_PRIV = 0, CARTA_P11_OBJ_PUB, CARTA_P11_OBJ_CERT, CARTA_P11_OBJ_DATA,
};
enum carta_p11_data_field {
	CARTA_P11_DATA_CF = 0, CARTA_P11_DATA_GIVEN, CARTA_P11_DATA_SURNAME,
	CARTA_P11_DATA_BIRTH, CARTA_P11_DATA_SERIAL, CARTA_P11_DATA_N,
};
#define CARTA_P11_MAX_OBJECTS (CARTA_MAX_KEYS * 3 + CARTA_MAX_CERTS + CARTA_P11_DATA_N)

struct carta_p11_object {
	enum carta_p11_obj_kind kind;
	size_t index;              /* key, cert or data field index */
	CK_OBJECT_HANDLE handle;
};

struct carta_p11_token {
	/* the card, shared by the tokens of a reader: the reader slot owns it,
	 * a signature slot holds a copy of the pointers */
	struct carta_card *card;
	const struct carta_card_desc *desc;
	uint32_t event;            /* reader event count when connected */
	uint32_t card_gen;         /* carta_card_generation when the objects were built */
	/* this token's own */
	struct carta_p11_object objs[CARTA_P11_MAX_OBJECTS];
	size_t n_objs;
	unsigned gen;
	int user_pin, puk;         /* indexes into desc->pins; -1 none */
	enum carta_pin_role role;  /* of user_pin: SIGN never keeps its PIN */
	/* no CKF_LOGIN_REQUIRED, private keys public (CKA_PRIVATE false): a
	 * SIGN token whose keys all have CKA_ALWAYS_AUTHENTICATE; each use is
	 * authorised by C_Login(CKU_CONTEXT_SPECIFIC) (tokens.c no_login) */
	bool no_login;
	uint32_t keys;             /* bit i: desc->keys[i] is this token's */
	bool pinpad;
};

/* ---- sessions: which calls an operation has taken (v2.40 base 5.10, 5.11;
 * v3.0 keeps them). An update makes it multi-part: only the Final call
 * ends it. A single-part call that keeps it (a length query, a short
 * buffer) makes it single-part: only that call ends it, since the data it
 * was given is the message. */
enum carta_p11_parts { CARTA_P11_PARTS_ANY = 0, CARTA_P11_PARTS_SINGLE, CARTA_P11_PARTS_MULTI };

/* one card operation (signing or decryption) in progress */
struct carta_p11_op {
	bool active;
	enum carta_p11_parts parts;
	CK_MECHANISM_TYPE mech;
	size_t key;
	size_t out_len;            /* signature or plaintext block: the key's size */
	size_t max_in;
	enum carta_hash hash;      /* digest of the input, NONE for raw mechanisms */
	enum carta_hash pss_hash, mgf;
	size_t salt;
	struct carta_digest_ctx *dctx;
	struct carta_buf acc;
	/* a key with CKA_ALWAYS_AUTHENTICATE: C_Login(CKU_CONTEXT_SPECIFIC)
	 * succeeded for this operation (v2.40 base 4.9) */
	bool always_auth, ctx_auth;
};

struct carta_p11_session {
	struct carta_p11_session *next;
	CK_SESSION_HANDLE handle;
	CK_FLAGS flags;
	bool removed;              /* token went away: the next call says DEVICE_REMOVED */
	bool find_active;
	CK_OBJECT_HANDLE found[CARTA_P11_MAX_OBJECTS];
	size_t n_found, pos_found;
	struct carta_p11_op sign;
	struct carta_p11_op decrypt;  /* mech + key + out_len only */
	struct carta_digest_ctx *digest;
	enum carta_hash digest_hash;
	enum carta_p11_parts digest_parts;
};

enum carta_p11_login { CARTA_P11_LOGIN_NONE = 0, CARTA_P11_LOGIN_USER, CARTA_P11_LOGIN_SO };

/* A PKCS#11 slot: a reader slot (id < CARTA_P11_SIGN_BASE) holds the reader
 * view and the card; a signature slot (docs/pkcs11.md "One token per PIN")
 * only its token, its login and its sessions, and reads the rest from its
 * reader slot (carta_p11_slot_reader). */
struct carta_p11_slot {
	/* under the global lock. A signature slot: listed = in the slot list
	 * (from the first card with a signature PIN on), present = its token is
	 * there, event = the reader's event count it came with. */
	char name[CARTA_READER_NAME_MAX];
	bool listed, present, event_pending;
	uint32_t event;
	/* under the slot lock (a signature slot's is its reader's) */
	void *lock;
	bool has_token;
	struct carta_p11_token tok;
	bool bad_card;             /* the card in the reader was not recognised */
	uint32_t bad_event;
	unsigned unknown_seen;     /* "no driver claims it" so far for bad_event */
	enum carta_p11_login login;
	struct carta_secret *puk;  /* PUK from C_Login(CKU_SO) until C_InitPIN/C_Logout */
	/* The user PIN the card answered 9000 to in this login, while it lasts:
	 * the card verifies it again after another application's reset or SM
	 * session (carta_card_keep_login; docs/pkcs11.md "Sharing the card").
	 * NULL when nobody is logged in, and after a PIN pad login. */
	struct carta_secret *pin;
	/* a SIGN token: its PIN was verified on the card and no reset has
	 * dropped it since (C_Logout and the last C_CloseSession reset the card
	 * then: docs/pkcs11.md "The signature PIN after logout") */
	bool pin_live;
	struct carta_p11_session *sessions;
	CK_ULONG n_sessions, n_rw;
};

struct carta_p11_module {
	atomic_bool initialized;
	pid_t pid;
	void *lock;
	struct carta_readers *readers;
	bool readers_given;        /* given by carta_p11_preset_readers: not ours to close */
	struct carta_p11_slot slots[CARTA_P11_MAX_IDS];   /* index = slot id */
	size_t n_slots;            /* readers */
	CK_ULONG next_session;
	unsigned next_gen;
	atomic_int waiters;
	atomic_bool finalizing;
};

/* ---- state.c: the module instance */
extern struct carta_p11_module carta_p11;
/* Readers the next C_Initialize uses instead of PC/SC, NULL for PC/SC. Set
 * only by the hook of the static library the integration tests link. */
extern struct carta_readers *carta_p11_preset_readers;
bool carta_p11_ready(void);
CK_RV carta_p11_ready_rv(void);   /* CKR_OK or CKR_CRYPTOKI_NOT_INITIALIZED, logged */
/* A bad argument: CKR_ARGUMENTS_BAD (or the code given) once initialised,
 * CKR_CRYPTOKI_NOT_INITIALIZED before; logged. */
CK_RV carta_p11_args_rv(CK_RV rv, const char *why);
CK_RV carta_p11_info(CK_INFO *info, CK_BYTE minor);   /* minor 40: v2.40, else 3.0 */
void carta_p11_blank_fill(CK_UTF8CHAR *dst, size_t n, const char *src);

/* ---- mechs.c: what the card can do, from each key's type and caps; a
 * token's are those of its keys (bit i of `keys`: desc->keys[i]) */
size_t carta_p11_mechs_for_key(const struct carta_key *k, CK_MECHANISM_TYPE *out, size_t cap);
bool carta_p11_key_has_mech(const struct carta_key *k, CK_MECHANISM_TYPE m);
size_t carta_p11_mechs_all(const struct carta_card_desc *d, uint32_t keys,
                           CK_MECHANISM_TYPE *out, size_t cap);
CK_RV carta_p11_mech_info(const struct carta_card_desc *d, uint32_t keys, CK_MECHANISM_TYPE m,
                          CK_MECHANISM_INFO *info);
enum carta_hash carta_p11_mech_hash(CK_MECHANISM_TYPE m);
enum carta_hash carta_p11_hash_of_ckm(CK_MECHANISM_TYPE m);
enum carta_hash carta_p11_hash_of_mgf(CK_ULONG mgf);

/* ---- objects.c: the object model */
void carta_p11_objects_build(struct carta_p11_token *t, size_t slot_index);
const struct carta_p11_object *carta_p11_object_find(const struct carta_p11_token *t,
                                                     CK_OBJECT_HANDLE h);
bool carta_p11_object_visible(const struct carta_p11_slot *s, const struct carta_p11_object *o);
const char *carta_p11_data_label(size_t field);
const char *carta_p11_data_value(const struct carta_card_desc *d, size_t field);

/* ---- attrs.c: one attribute of an object. Value bytes in *p (pointing into
 * the desc or into store), CKR_ATTRIBUTE_TYPE_INVALID / _SENSITIVE otherwise. */
struct carta_p11_attrval {
	const void *p;
	CK_ULONG len;
	union {
		CK_ULONG ul;
		CK_BBOOL b;
		CK_MECHANISM_TYPE mechs[24];
		char text[96];
	} store;
};
CK_RV carta_p11_attr(const struct carta_p11_token *t, const struct carta_p11_object *o,
                     CK_ATTRIBUTE_TYPE type, struct carta_p11_attrval *v);

/* ---- ops.c: operation state of a session */
void carta_p11_op_clear(struct carta_p11_op *op);
void carta_p11_session_end_ops(struct carta_p11_session *ss);

/* ---- slots.c: one slot per reader name, stable ids, and the reader's
 * signature slot */
void carta_p11_readers_refresh_locked(void);      /* global lock held */
CK_RV carta_p11_slot_lock(CK_SLOT_ID id, struct carta_p11_slot **out);
void carta_p11_slot_unlock(struct carta_p11_slot *s);
size_t carta_p11_slot_index(const struct carta_p11_slot *s);
/* the reader slot of s (s itself for a reader slot), its signature slot */
struct carta_p11_slot *carta_p11_slot_reader(struct carta_p11_slot *s);
struct carta_p11_slot *carta_p11_slot_sign(struct carta_p11_slot *reader);
bool carta_p11_slot_is_sign(const struct carta_p11_slot *s);
/* is this slot id in the list (global lock held) */
bool carta_p11_slot_known_locked(CK_SLOT_ID id);
bool carta_p11_take_event_locked(CK_SLOT_ID *id);   /* global lock held */

/* ---- sessions.c: the session list of a slot (slot lock held) */
CK_RV carta_p11_session_open_locked(struct carta_p11_slot *s, CK_FLAGS flags,
                                    CK_SESSION_HANDLE *out);
void carta_p11_session_close_locked(struct carta_p11_slot *s, struct carta_p11_session *ss);
void carta_p11_sessions_close_locked(struct carta_p11_slot *s, bool removed);
void carta_p11_last_session_gone_locked(struct carta_p11_slot *s);
/* The login ends, for whatever reason: nobody logged in, the kept PIN and
 * PUK wiped and forgotten by the card object too. */
void carta_p11_login_end_locked(struct carta_p11_slot *s);
/* A user login the card accepted with PIN v (NULL: a PIN pad's): keep it
 * for re-verifying (CKR_OK also when there is no memory for it: the login
 * then only lasts until someone else resets the card). */
void carta_p11_login_keep_locked(struct carta_p11_slot *s, const CK_UTF8CHAR *v, CK_ULONG n);
bool carta_p11_ro_session_exists_locked(const struct carta_p11_slot *s);
/* A SIGN token's PIN may still be verified on the card (pin_live): reset
 * the card, the only way to drop it (docs/reference/cns.md 1.6, 3.4). */
enum carta_err carta_p11_sign_pin_drop_locked(struct carta_p11_slot *s);
/* After a call that may have ended an operation on a SIGN token: with
 * nobody logged in as CKU_USER, only the context login of an operation
 * still in progress holds the PIN; when none does, a PIN that may still be
 * verified is dropped from the card at once (pin_live; docs/pkcs11.md "The
 * signature PIN after logout"). */
void carta_p11_sign_pin_unheld_locked(struct carta_p11_slot *s);

/* ---- tokens.c: bring the token up to date with the reader (slot lock held) */
CK_RV carta_p11_token_sync_locked(struct carta_p11_slot *s, bool need);
/* C_GetSlotList: identify the cards not yet known, so that a signature
 * slot is listed (no lock held) */
void carta_p11_tokens_identify(void);
/* the token's label, carta_card_token_label of its user PIN (out: 32
 * bytes + NUL) */
void carta_p11_token_label(const struct carta_p11_token *t, char out[33]);
void carta_p11_token_drop_locked(struct carta_p11_slot *s);
void carta_p11_token_reload_locked(struct carta_p11_slot *s);
/* a card operation's result: CKR_OK, or the login state and token updated
 * for the error (removal, reset) and its CK_RV */
CK_RV carta_p11_card_rv_locked(struct carta_p11_slot *s, enum carta_err e);
void carta_p11_check_reset_locked(struct carta_p11_slot *s);

/* ---- lookup.c: how an entry point gets at a session */
CK_RV carta_p11_session_lock(CK_SESSION_HANDLE h, struct carta_p11_slot **slot,
                             struct carta_p11_session **sess);
/* The answer of a function the token does not offer, after the session
 * check: `what`, or CKR_SESSION_READ_ONLY first when it would `write`. */
CK_RV carta_p11_refuse(const char *call, CK_SESSION_HANDLE h, CK_RV what, bool write);

/* ---- lifecycle.c: C_Initialize and C_Finalize's work */
CK_RV carta_p11_module_setup(void);
void carta_p11_module_teardown(void);
void carta_p11_forget_parent(void);

#endif
