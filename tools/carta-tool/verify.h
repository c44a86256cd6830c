/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TOOL_VERIFY_H
#define CARTA_TOOL_VERIFY_H

/* The walk over a .p7m/.p7s: every SignerInfo of every level (parallel
 * signatures side by side, nested .p7m.p7m one inside the other), checked
 * with OpenSSL. Pure: no output, no file; fuzzed by tests/fuzz/fuzz_p7m.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define VERIFY_MAX_LEVELS 8
#define VERIFY_MAX_SIGNERS 64

/* a check's outcome */
enum vcheck { V_NO = 0, V_YES = 1, V_ABSENT = 2, V_UNCHECKED = 3 };

struct vsigner {
	int level;                   /* 0: the outer envelope; 1: the .p7m inside it ... */
	bool attrs;                  /* signed attributes present */
	enum vcheck sig;             /* the signature over the signed attributes (or content) */
	enum vcheck digest;          /* messageDigest = the content's digest */
	enum vcheck scv2;            /* signingCertificateV2 names this certificate */
	enum vcheck valid_then;      /* the certificate was valid at the signing time */
	enum vcheck chain;           /* a path to a --ca anchor (at the signing time) */
	char chain_err[96];
	char time[24];               /* "YYYY-MM-DD HH:MM:SS UTC", "" when absent */
	bool nonrep, digsig;         /* keyUsage bits */
	uint8_t *cert;               /* DER, NULL when the CMS does not carry it */
	size_t cert_len;
};

struct vreport {
	struct vsigner s[VERIFY_MAX_SIGNERS];
	size_t n;
	int levels;
	bool detached;               /* the outer level carries no content */
	uint8_t *content;            /* the innermost content, malloc'd */
	size_t content_len;
	char err[128];               /* why the input is not a signed file */
};

/* 0 when the input is a CMS SignedData (whatever its signatures say), -1
 * otherwise (r->err). detached: the content of a .p7s, else NULL. store:
 * trust anchors for the chain, or NULL. */
int verify_walk(const uint8_t *in, size_t n, const uint8_t *detached, size_t dn,
                X509_STORE *store, struct vreport *r);
void verify_report_free(struct vreport *r);
/* Every signer's signature, digest and signingCertificateV2 hold. */
bool verify_intact(const struct vreport *r);

#endif
