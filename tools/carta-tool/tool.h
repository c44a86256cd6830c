/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TOOL_H
#define CARTA_TOOL_H

/* carta-tool: a thin command-line front over libcarta (include/carta/),
 * never over the PKCS#11 module, with one documented exception: sign
 * (sign*.c, p11client.c) reaches the card through the PKCS#11 module, the
 * path every third-party signing application takes (issue 14), and sign and
 * verify use OpenSSL's CMS API directly. One file per command. */

#include <libintl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "apdu/reader.h"
#include "carta/card.h"

#define _(s) gettext(s)
#define N_(s) (s)

/* Exit status, documented in --help and carta-tool(1). */
enum tool_exit {
	TOOL_EX_OK = 0,
	TOOL_EX_FAIL = 1,        /* any other error */
	TOOL_EX_USAGE = 2,
	TOOL_EX_NO_CARD = 3,     /* no PC/SC service, no reader, or no card */
	TOOL_EX_UNKNOWN = 4,     /* card not recognised */
	TOOL_EX_PIN_WRONG = 5,   /* wrong PIN or PUK (tries left shown) */
	TOOL_EX_BLOCKED = 6,     /* PIN or PUK blocked */
	TOOL_EX_REFUSED = 7,     /* refused before touching the card */
	TOOL_EX_PROBLEMS = 8,    /* doctor found problems */
	TOOL_EX_BAD_SIG = 9,     /* verify: a signature, or the content, does not check */
	TOOL_EX_UNTRUSTED = 10,  /* verify: intact, but a certificate is untrusted or was not valid */
	TOOL_EX_BAD_INPUT = 11,  /* verify: not a signed file (truncated, damaged) */
};

#define TOOL_FIREFOX 0x1u
#define TOOL_CHROME  0x2u
#define TOOL_THUNDERBIRD 0x4u
#define TOOL_ALL_NSS (TOOL_FIREFOX | TOOL_CHROME | TOOL_THUNDERBIRD)

struct tool {
	const char *reader;      /* --reader: name, part of it, or index */
	bool json;
	bool pem;
	bool login;              /* --login: verify the PIN to read login-only data */
	bool sign;               /* --sign: the signature PIN (pin change, unblock ...) */
	bool quiet;              /* --quiet: errors only, on stderr (login-time runs) */
	int pin_fd;              /* --pin-fd, -1 = prompt on the terminal */
	const char *module;      /* --module, else the installed module */
	const char *output;      /* -o */
	unsigned browsers;       /* TOOL_FIREFOX | TOOL_CHROME | TOOL_THUNDERBIRD, 0 = all */
	/* sign, verify */
	const char *key;         /* --key auth|sign */
	const char *reason;      /* --reason (PDF) */
	const char *content;     /* --content: the signed file of a .p7s */
	const char *extract;     /* --extract OUT */
	const char *ca;          /* --ca FILE|DIR */
	bool detached, nested, pdf;
	char **args;             /* words after the command */
	int nargs;
};

/* A card opened through PC/SC: the readers context must outlive the card. */
struct tool_card {
	struct carta_readers *rs;
	struct carta_card *card;
	struct carta_reader_state st;
	bool logout;             /* a PIN was presented: leave the card locked */
};

/* session.c */
void tool_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *tool_err_text(enum carta_err e);
/* "Digital-DNA Key: not supported yet": a card the library recognised
 * (carta_card_open_ex) but cannot serve. */
const char *tool_unsupported_text(const char *what, char *buf, size_t cap);
/* What the ATR alone says: "cie (to be confirmed)", "cns", or "" when no
 * driver is named (only a probe could tell). */
const char *tool_atr_verdict(const uint8_t *atr, size_t n, char *buf, size_t cap);
int tool_err_exit(enum carta_err e);
/* Open PC/SC and list readers; on failure prints why and returns an exit code. */
int tool_readers(struct carta_readers **rs, struct carta_reader_state *st, size_t *n);
/* Index of the reader --reader names (or the first with a card), or -1. */
int tool_pick_reader(const struct tool *t, const struct carta_reader_state *st, size_t n);
int tool_open_card(const struct tool *t, struct tool_card *tc);
void tool_close_card(struct tool_card *tc);
/* strlcpy: copy what fits, always NUL-terminated. */
void tool_copy(char *dst, size_t cap, const char *src);
void tool_hex(const uint8_t *p, size_t n, char *out, size_t cap);
/* "YYYYMMDDHHMMSSZ" -> "YYYY-MM-DD"; expired = before now. */
void tool_date(const char *asn1, char *out, size_t cap);
bool tool_expired(const char *not_after);
/* The certificate, reading it after a PIN verification with --login when
 * the card shows it only then (CIE). NULL when not available. */
const struct carta_cert *tool_cert(const struct tool *t, struct carta_card *c, int *rc);

/* token.c: the card's tokens as PKCS#11 shows them, one per user PIN. */
/* pin_status, with what a verified PIN implies: its counter is full. */
enum carta_err tool_pin_status(struct carta_card *c, size_t pin, struct carta_pin_status *st);
/* Index of the PIN for logging in (role AUTH), else the first user PIN, or -1. */
int tool_user_pin(const struct carta_card_desc *d);
struct tool_token {
	size_t pin;              /* its user PIN */
	int puk;                 /* that PIN's PUK, -1 if none */
	enum carta_pin_role role;
	char label[224];         /* "MARIO ROSSI (firma)" */
};
struct tool_pinview {
	enum carta_err rv;
	struct carta_pin_status st;
};
size_t tool_tokens(const struct carta_card_desc *d, struct tool_token *out, size_t cap);
bool tool_has_sign_pin(const struct carta_card_desc *d);
/* Index of the user PIN of that role, or -1. */
int tool_role_pin(const struct carta_card_desc *d, enum carta_pin_role role);
/* A PIN's role; a PUK's is that of the PIN it unblocks. */
enum carta_pin_role tool_pin_role(const struct carta_card_desc *d, size_t pin);
const char *tool_role_id(enum carta_pin_role role);     /* "auth" / "sign" (JSON) */
const char *tool_role_use(enum carta_pin_role role);    /* "for signing documents" */
void tool_pin_views(struct carta_card *c, struct tool_pinview *pv, size_t n);
bool tool_pinview_blocked(const struct tool_pinview *v);
const char *tool_tries_text(const struct tool_pinview *v, char *buf, size_t cap);
const char *tool_key_text(const struct carta_key *k, char *buf, size_t cap);

/* cert.c: what carta-tool shows of a certificate. */
struct tool_certview {
	char subject[512], issuer[512];
	char not_before[16], not_after[16];      /* "YYYYMMDDHHMMSSZ" */
	char from[16], until[16];                /* "YYYY-MM-DD" */
	bool expired;
	char cn[128], given_name[64], surname[64], serial_number[64];
	size_t bits;
};
enum carta_err tool_cert_view(const struct carta_cert *c, struct tool_certview *v);

/* json.c: a small streaming writer with comma bookkeeping. */
struct jw {
	FILE *f;
	int depth;
	bool first[16];
};
void jw_init(struct jw *w, FILE *f);
void jw_obj(struct jw *w, const char *key);
void jw_arr(struct jw *w, const char *key);
void jw_end_obj(struct jw *w);
void jw_end_arr(struct jw *w);
void jw_str(struct jw *w, const char *key, const char *v);
void jw_int(struct jw *w, const char *key, long v);
void jw_bool(struct jw *w, const char *key, bool v);
void jw_null(struct jw *w, const char *key);
void jw_done(struct jw *w);
/* token.c: one token as list and info show it in --json. */
void tool_json_token(struct jw *w, const struct carta_card_desc *d, const struct tool_token *tk,
                     const struct tool_pinview *pv);

/* pinread.c: one secret line, from --pin-fd or the terminal without echo.
 * Returns the length, or -1 (message printed). buf is wiped by the caller. */
long tool_read_pin(const struct tool *t, const char *prompt, char *buf, size_t cap);

/* pin.c: the card's length rules, checked before anything is sent;
 * one VERIFY with the result explained (tries left). */
int tool_check_pin(const struct carta_pin *p, const char *v, size_t n);
int tool_verify(const struct tool *t, struct carta_card *c, size_t pin);

/* nss.c: browsers' NSS databases. */
#define TOOL_MAX_DBS 32
struct tool_nssdb {
	char dir[1024];
	char label[1100];        /* "Firefox profile NAME" / "Chrome/Chromium" */
	unsigned browser;        /* TOOL_FIREFOX / TOOL_CHROME / TOOL_THUNDERBIRD */
	bool exists;             /* the NSS database is there (cert9.db / pkcs11.txt) */
};
size_t tool_nss_dbs(unsigned browsers, struct tool_nssdb *out, size_t cap);
/* Names of the entries in DIR/pkcs11.txt whose library is `module` (or any
 * carta-pkcs11.so when module is NULL), joined by '\n' into names. */
int tool_nss_find(const char *dir, const char *module, char *names, size_t cap);
/* The entries of DIR/pkcs11.txt that load a module other than carta's and
 * NSS's own (internal, root certificates): name and library, one per call
 * of `each`, in file order. */
void tool_nss_others(const char *dir, void (*each)(void *ctx, const char *name, const char *lib),
                     void *ctx);
const char *tool_module_path(const struct tool *t);
int tool_run(const char *const argv[], char *out, size_t cap);

/* commands */
int cmd_list(struct tool *t);
int cmd_info(struct tool *t);
int cmd_personal(struct tool *t);
int cmd_pin(struct tool *t);
int cmd_cert(struct tool *t);
int cmd_register(struct tool *t);
int cmd_unregister(struct tool *t);
int cmd_doctor(struct tool *t);
int cmd_p11kit(struct tool *t);
int cmd_sign(struct tool *t);
int cmd_verify(struct tool *t);

#endif
