/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TOOL_TSL_H
#define CARTA_TOOL_TSL_H

/* A trusted list (ETSI TS 119 612, the format of AgID's TSL-IT.xml and of
 * every EU member state's list) read as trust anchors for verify --ca.
 * Pure: no output, no file; fuzzed by tests/fuzz/fuzz_tsl.c. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

struct tsl_anchors {
	STACK_OF(X509) *certs;       /* of the CA/QC services whose status is granted */
	size_t ca_qc;                /* CA/QC services in the list */
	size_t not_granted;          /* ... whose current status is not granted */
	size_t not_granted_certs;    /* their certificates: read, not anchors */
	size_t bad_certs;            /* X509Certificate values that are not a certificate */
	char err[160];               /* why the input is not a usable list: a fixed
	                              * English sentence, translated by the caller */
	char detail[160];            /* libxml2's words for malformed XML, else "" */
};

/* The input starts like an XML document (a BOM, blanks, then '<'): it is
 * read as a trusted list, not as PEM. */
bool tsl_looks_xml(const uint8_t *in, size_t n);
/* 0 for a trusted list with at least one readable CA/QC certificate: those
 * of the granted services are in a->certs (none when every one is
 * withdrawn: the list is valid and trusts no one). -1 otherwise (a->err):
 * not XML, not a list, no CA/QC service, no readable certificate. */
int tsl_anchors_read(const uint8_t *in, size_t n, struct tsl_anchors *a);
void tsl_anchors_free(struct tsl_anchors *a);

#endif
