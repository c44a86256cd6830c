/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_P11_H
#define CARTA_P11_H

/* Internals of the PKCS#11 front end (design.md "PKCS#11 front end").
 *
 * Locking: one global lock (carta_p11.lock) guards the module state and the
 * reader view of every slot; one lock per slot guards its token (card,
 * objects), its sessions and its login state. Order: slot lock, then the
 * global lock; never the other way round. Helpers that need a lock held end
 * in _locked. */

#include <p11-kit/pkcs11.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "apdu/reader.h"
#include "carta/card.h"
#include "crypto/crypto.h"
#include "crypto/secret.h"

#define CARTA_P11_EXPORT __attribute__((visibility("default")))

/* ---- PKCS#11 v3.0 types the p11-kit 0.24 header does not have (v3.0 spec 3.x) */
#ifndef CKF_INTERFACE_FORK_SAFE
#define CKF_INTERFACE_FORK_SAFE 0x00000001UL
#endif
#ifndef CKF_FIND_OBJECTS
#define CKF_FIND_OBJECTS 0x00000040UL
#endif
#ifndef CKF_END_OF_MESSAGE
#define CKF_END_OF_MESSAGE 0x00000001UL
#endif

struct carta_p11_interface {          /* CK_INTERFACE */
	CK_UTF8CHAR *pInterfaceName;
	void *pFunctionList;
	CK_FLAGS flags;
};

CK_RV C_GetInterfaceList(struct carta_p11_interface *list, CK_ULONG *count);
CK_RV C_GetInterface(CK_UTF8CHAR *name, CK_VERSION *version,
                     struct carta_p11_interface **iface, CK_FLAGS flags);
CK_RV C_LoginUser(CK_SESSION_HANDLE h, CK_USER_TYPE type, CK_UTF8CHAR *pin, CK_ULONG pinlen,
                  CK_UTF8CHAR *user, CK_ULONG userlen);
CK_RV C_SessionCancel(CK_SESSION_HANDLE h, CK_FLAGS flags);
CK_RV C_MessageEncryptInit(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE k);
CK_RV C_EncryptMessage(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl,
                       CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl);
CK_RV C_EncryptMessageBegin(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl);
CK_RV C_EncryptMessageNext(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *in, CK_ULONG inl,
                           CK_BYTE *out, CK_ULONG *outl, CK_FLAGS flags);
CK_RV C_MessageEncryptFinal(CK_SESSION_HANDLE h);
CK_RV C_MessageDecryptInit(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE k);
CK_RV C_DecryptMessage(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl,
                       CK_BYTE *in, CK_ULONG inl, CK_BYTE *out, CK_ULONG *outl);
CK_RV C_DecryptMessageBegin(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *ad, CK_ULONG adl);
CK_RV C_DecryptMessageNext(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *in, CK_ULONG inl,
                           CK_BYTE *out, CK_ULONG *outl, CK_FLAGS flags);
CK_RV C_MessageDecryptFinal(CK_SESSION_HANDLE h);
CK_RV C_MessageSignInit(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE k);
CK_RV C_SignMessage(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                    CK_BYTE *sig, CK_ULONG *sigl);
CK_RV C_SignMessageBegin(CK_SESSION_HANDLE h, void *p, CK_ULONG pl);
CK_RV C_SignMessageNext(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                        CK_BYTE *sig, CK_ULONG *sigl);
CK_RV C_MessageSignFinal(CK_SESSION_HANDLE h);
CK_RV C_MessageVerifyInit(CK_SESSION_HANDLE h, CK_MECHANISM *m, CK_OBJECT_HANDLE k);
CK_RV C_VerifyMessage(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                      CK_BYTE *sig, CK_ULONG sigl);
CK_RV C_VerifyMessageBegin(CK_SESSION_HANDLE h, void *p, CK_ULONG pl);
CK_RV C_VerifyMessageNext(CK_SESSION_HANDLE h, void *p, CK_ULONG pl, CK_BYTE *d, CK_ULONG dl,
                          CK_BYTE *sig, CK_ULONG sigl);
CK_RV C_MessageVerifyFinal(CK_SESSION_HANDLE h);

/* ---- locking (locking.c) */
CK_RV carta_p11_locking_setup(const CK_C_INITIALIZE_ARGS *args);
CK_RV carta_p11_mutex_new(void **m);
void carta_p11_mutex_free(void *m);
void carta_p11_mutex_lock(void *m);
void carta_p11_mutex_unlock(void *m);

/* ---- error mapping (rv.c) */
CK_RV carta_p11_rv(enum carta_err e);

/* ---- objects: handle = gen << 16 | (slot index + 1) << 8 | object index */
#define CARTA_P11_MAX_SLOTS 32
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
	struct carta_card *card;
	const struct carta_card_desc *desc;
	struct carta_p11_object objs[CARTA_P11_MAX_OBJECTS];
	size_t n_objs;
	uint32_t event;            /* reader event count when connected */
	unsigned gen;
	uint32_t card_gen;         /* carta_card_generation when the objects were built */
	int user_pin, puk;         /* indexes into desc->pins; -1 none */
	bool pinpad;
};

/* ---- sessions */
struct carta_p11_sign_op {
	bool active, updated;
	CK_MECHANISM_TYPE mech;
	size_t key, siglen, max_in;
	enum carta_hash hash;      /* digest of the input, NONE for raw mechanisms */
	enum carta_hash pss_hash, mgf;
	size_t salt;
	struct carta_digest_ctx *dctx;
	struct carta_buf acc;
};

struct carta_p11_session {
	struct carta_p11_session *next;
	CK_SESSION_HANDLE handle;
	CK_FLAGS flags;
	bool removed;              /* token went away: the next call says DEVICE_REMOVED */
	bool find_active;
	CK_OBJECT_HANDLE found[CARTA_P11_MAX_OBJECTS];
	size_t n_found, pos_found;
	struct carta_p11_sign_op sign;
	struct carta_p11_sign_op decrypt;  /* mech + key + acc only */
	struct carta_digest_ctx *digest;
	enum carta_hash digest_hash;
};

enum carta_p11_login { CARTA_P11_LOGIN_NONE = 0, CARTA_P11_LOGIN_USER, CARTA_P11_LOGIN_SO };

struct carta_p11_slot {
	/* under the global lock */
	char name[CARTA_READER_NAME_MAX];
	bool listed, present, event_pending;
	uint32_t event;
	/* under the slot lock */
	void *lock;
	bool has_token;
	struct carta_p11_token tok;
	bool bad_card;             /* the card in the reader was not recognised */
	uint32_t bad_event;
	enum carta_p11_login login;
	struct carta_secret *puk;  /* PUK from C_Login(CKU_SO) until C_InitPIN/C_Logout */
	struct carta_p11_session *sessions;
	CK_ULONG n_sessions, n_rw;
};

struct carta_p11_module {
	atomic_bool initialized;
	pid_t pid;
	void *lock;
	struct carta_readers *readers;
	bool readers_given;        /* set by the test hook: not ours to close */
	struct carta_p11_slot slots[CARTA_P11_MAX_SLOTS];
	size_t n_slots;
	CK_ULONG next_session;
	unsigned next_gen;
	atomic_int waiters;
	atomic_bool finalizing;
};

extern struct carta_p11_module carta_p11;

/* module.c */
bool carta_p11_ready(void);
CK_RV carta_p11_info(CK_INFO *info, CK_BYTE minor);   /* minor 40: v2.40, else 3.0 */

/* slot.c */
void carta_p11_readers_refresh_locked(void);      /* global lock held */
CK_RV carta_p11_slot_lock(CK_SLOT_ID id, struct carta_p11_slot **out);
void carta_p11_slot_unlock(struct carta_p11_slot *s);

/* token.c: bring the token up to date with the reader (slot lock held) */
CK_RV carta_p11_token_sync_locked(struct carta_p11_slot *s, bool need);
void carta_p11_token_drop_locked(struct carta_p11_slot *s);
void carta_p11_token_reload_locked(struct carta_p11_slot *s);
CK_RV carta_p11_card_rv_locked(struct carta_p11_slot *s, enum carta_err e);
void carta_p11_check_reset_locked(struct carta_p11_slot *s);
void carta_p11_pad(CK_UTF8CHAR *dst, size_t n, const char *src);

/* object.c */
void carta_p11_objects_build(struct carta_p11_token *t, size_t slot_index);
const struct carta_p11_object *carta_p11_object_find(const struct carta_p11_token *t,
                                                     CK_OBJECT_HANDLE h);
bool carta_p11_object_visible(const struct carta_p11_slot *s, const struct carta_p11_object *o);
const char *carta_p11_data_label(size_t field);
const char *carta_p11_data_value(const struct carta_card_desc *d, size_t field);

/* attr.c: one attribute of an object. Value bytes in *p (pointing into the
 * desc or into store), CKR_ATTRIBUTE_TYPE_INVALID / _SENSITIVE otherwise. */
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

/* mech.c */
size_t carta_p11_mechs_for_key(const struct carta_key *k, CK_MECHANISM_TYPE *out, size_t cap);
size_t carta_p11_mechs_all(const struct carta_card_desc *d, CK_MECHANISM_TYPE *out, size_t cap);
CK_RV carta_p11_mech_info(const struct carta_card_desc *d, CK_MECHANISM_TYPE m,
                          CK_MECHANISM_INFO *info);
enum carta_hash carta_p11_mech_hash(CK_MECHANISM_TYPE m);
enum carta_hash carta_p11_hash_of_ckm(CK_MECHANISM_TYPE m);
enum carta_hash carta_p11_hash_of_mgf(CK_ULONG mgf);

/* session.c */
CK_RV carta_p11_session_lock(CK_SESSION_HANDLE h, struct carta_p11_slot **slot,
                             struct carta_p11_session **sess);
void carta_p11_session_end_ops(struct carta_p11_session *ss);
void carta_p11_sessions_close_locked(struct carta_p11_slot *s, bool removed);
size_t carta_p11_slot_index(const struct carta_p11_slot *s);

/* sign.c */
void carta_p11_sign_op_clear(struct carta_p11_sign_op *op);

#endif
