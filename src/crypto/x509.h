/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_X509_H
#define CARTA_X509_H

/* What the card layer needs from an X.509 certificate, parsed by OpenSSL
 * (d2i_X509). No OpenSSL type leaks out of this header. */

#include "util/buf.h"

/* KeyUsage bits (RFC 5280 4.2.1.3), as OpenSSL's X509_get_key_usage gives them. */
#define CARTA_X509_KU_DIGITAL_SIGNATURE 0x0080u
#define CARTA_X509_KU_NON_REPUDIATION   0x0040u
#define CARTA_X509_KU_KEY_ENCIPHERMENT  0x0020u
#define CARTA_X509_KU_DATA_ENCIPHERMENT 0x0010u
#define CARTA_X509_KU_KEY_AGREEMENT     0x0008u

enum carta_x509_key { CARTA_X509_KEY_RSA = 1, CARTA_X509_KEY_EC = 2 };

struct carta_x509 {
	enum carta_x509_key key_type;
	size_t bits;
	struct carta_buf modulus, exponent;     /* RSA, big-endian, no leading zeros */
	struct carta_buf ec_params, ec_point;   /* EC: DER ECParameters, DER OCTET STRING point */
	struct carta_buf subject, issuer, serial; /* DER Name, Name, INTEGER */
	bool has_ku;
	unsigned ku;                            /* CARTA_X509_KU_* */
	bool eku_client_auth, eku_email;
	char cn[128], given_name[64], surname[64], serial_number[64];
	char not_before[16], not_after[16];     /* "YYYYMMDDHHMMSSZ" */
};

/* Parse a DER certificate (trailing bytes after it are an error).
 * CARTA_E_PARSE when it is not a certificate; *x is then empty. */
enum carta_err carta_x509_parse(const uint8_t *der, size_t n, struct carta_x509 *x);
void carta_x509_free(struct carta_x509 *x);

/* Length of the DER object (tag 30, definite length) that starts at p:
 * header + content. CARTA_E_PARSE when the header is not a SEQUENCE. */
enum carta_err carta_der_total_len(const uint8_t *p, size_t n, size_t *total);

#endif
