/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TOOL_SIGN_H
#define CARTA_TOOL_SIGN_H

/* carta-tool sign and verify: the pieces shared by sign*.c and verify*.c.
 * These files, with p11client.c, are the documented exception to "OpenSSL
 * only in src/crypto/" (docs/architecture.md): OpenSSL's CMS API builds and
 * checks the structures, the card signs through the PKCS#11 module. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tool.h"

/* The card's signature over the DER of the signed attributes: RSA PKCS#1
 * v1.5 with SHA-256, or ECDSA r||s. Returns a tool exit code. */
typedef int (*sign_card_fn)(void *ctx, const uint8_t *tbs, size_t n, uint8_t *sig, size_t *sig_len);

struct cades_req {
	const uint8_t *content;      /* the signed data (NULL: taken from `existing`) */
	size_t content_len;
	const uint8_t *existing;     /* an existing .p7m/.p7s: add a parallel signer */
	size_t existing_len;
	bool detached;
	const uint8_t *cert;         /* signer's certificate, DER */
	size_t cert_len;
	bool ec;
	sign_card_fn sign;
	void *ctx;
};

/* sign_cades.c: a CAdES-BES SignedData, DER, malloc'd in *out. */
int sign_cades(const struct cades_req *r, uint8_t **out, size_t *out_len);

/* sign_pdf.c: PAdES through poppler's pdfsig, with a temporary NSS database
 * that loads the module. */
struct pdf_req {
	const char *in, *out_tmp;    /* out_tmp: written by pdfsig, renamed by the caller */
	const char *module;
	const char *token_label, *cert_label;
	const char *reason;
	const char *pin;             /* NUL-terminated copy, wiped by the caller */
};
/* *etsi: PAdES (ETSI.CAdES.detached) was made, else adbe.pkcs7.detached. */
int sign_pdf(const struct pdf_req *r, bool *etsi);
/* A temporary NSS database in dir (under $TMPDIR), with the module loaded
 * when module is not NULL; sign_nssdb_remove deletes it. */
int sign_nssdb_make(char *dir, size_t cap, const char *module);
void sign_nssdb_remove(const char *dir);

/* sign_pdf_token.c: "p11-kit server" exporting only one token of the module,
 * on a socket in dir; P11_KIT_SERVER_ADDRESS is set for the programs run
 * until sign_token_server_stop. */
struct token_server {
	int pid;
	char sock[1200];
};
int sign_token_server_start(const char *dir, const char *module, const char *token,
                            struct token_server *s);
void sign_token_server_stop(struct token_server *s);

/* verify_pdf.c: poppler's pdfsig checks a PDF's signatures; the result is
 * shown and mapped to the exit codes as for a .p7m. */
int verify_pdf(const struct tool *t, const char *path);

/* sign_io.c: whole files in memory, and outputs that appear only whole. */
int sign_read_file(const char *path, uint8_t **data, size_t *n);
/* Writes to a temporary file beside `path` and renames it over `path`:
 * a failure leaves nothing behind. */
int sign_write_file(const char *path, const uint8_t *data, size_t n);
/* "DIR/.NAME.XXXXXX" beside path, created empty (mkstemp); the caller
 * renames or unlinks it. */
int sign_temp_beside(const char *path, char *tmp, size_t cap);
bool sign_has_suffix(const char *s, const char *suffix);

#endif
