/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_PEM_H
#define CARTA_PEM_H

/* Text forms of certificate data for carta-tool, made by OpenSSL so that
 * nothing outside src/crypto includes its headers (docs/design.md "Layers"). */

#include "util/buf.h"

/* The PEM form (RFC 7468 "CERTIFICATE") of a DER certificate, appended to out.
 * CARTA_E_PARSE when der is not a certificate. */
enum carta_err carta_pem_cert(const uint8_t *der, size_t n, struct carta_buf *out);

/* A DER Name as one line, "C=IT, O=..., CN=..." in certificate order, UTF-8.
 * CARTA_E_PARSE when it is not a Name; CARTA_E_BUFFER_SMALL when it does not
 * fit in cap (out then holds a truncated, NUL-terminated line). */
enum carta_err carta_name_text(const uint8_t *der, size_t n, char *out, size_t cap);

#endif
