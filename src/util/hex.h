/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_HEX_H
#define CARTA_HEX_H

#include "util/buf.h"

/* Decode hex digits, ignoring spaces, colons and newlines between byte pairs.
 * Odd digit counts and other characters are CARTA_E_PARSE. Appends to out. */
enum carta_err carta_hex_decode(const char *s, size_t slen, struct carta_buf *out);

/* Write 2n lowercase hex digits and a NUL into out (capacity >= 2n + 1). */
enum carta_err carta_hex_encode(const uint8_t *p, size_t n, char *out, size_t outcap);

#endif
