/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TOOL_P11CLIENT_H
#define CARTA_TOOL_P11CLIENT_H

/* carta-tool sign: the card's key through the PKCS#11 module, as every other
 * application reaches it (issue 14). No PKCS#11 type leaks out of
 * p11client.c: the callers see tokens, keys and tool exit codes. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct p11c;

#define P11C_MAX_TOKENS 8

struct p11c_token {
	unsigned long slot;
	char label[33];          /* blank-trimmed CK_TOKEN_INFO.label */
	char reader[65];         /* blank-trimmed CK_SLOT_INFO.slotDescription */
	bool sign;               /* shows a nonRepudiation certificate or an
	                          * always-authenticate key: the qualified key */
	bool pin_locked, count_low, final_try, protected_path;
};

/* The key chosen on a logged-in token, with its certificate. */
struct p11c_key {
	uint8_t id[64];
	size_t id_len;
	uint8_t *cert;           /* DER, malloc'd; freed by p11c_close */
	size_t cert_len;
	char cert_label[65];
	bool always_auth;        /* CKA_ALWAYS_AUTHENTICATE: C_Login(CKU_CONTEXT_SPECIFIC) */
	bool ec;                 /* CKK_EC, else CKK_RSA */
	bool nonrep;             /* the certificate's keyUsage has nonRepudiation */
};

/* Load the module at path and C_Initialize it. Returns a tool exit code,
 * the reason printed. */
int p11c_open(const char *path, struct p11c **out);
void p11c_close(struct p11c **m);
/* Every token present, classified (certificates and keys visible without a PIN). */
int p11c_tokens(struct p11c *m, struct p11c_token *out, size_t cap, size_t *n);
/* Open a session on the token and log in with the PIN (CKU_USER). */
int p11c_login(struct p11c *m, const struct p11c_token *t, const char *pin, size_t pin_len);
/* After the login: the signing key of the wanted kind and its certificate. */
int p11c_find_key(struct p11c *m, bool want_sign, struct p11c_key *k);
/* One signature over data with SHA-256: CKM_SHA256_RSA_PKCS for RSA, the
 * SHA-256 digest under CKM_ECDSA for EC (r||s as the card returns it).
 * For an always-authenticate key the PIN is presented again after
 * C_SignInit (PKCS#11 v2.40 section 4.9: a context-specific login). */
int p11c_sign(struct p11c *m, const struct p11c_key *k, const char *pin, size_t pin_len,
              const uint8_t *data, size_t n, uint8_t *sig, size_t *sig_len);
/* Token flags read again (tries left after a wrong PIN). */
void p11c_token_flags(struct p11c *m, struct p11c_token *t);

#endif
