/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CARDS_PERSONAL_H
#define CARTA_CARDS_PERSONAL_H

#include "carta/card.h"

/* EF_Dati_personali (docs/reference/cns.md 1.9): 6 hex digits giving the body
 * length, then 16 fields of 2 hex digits length + value. Bytes after the
 * body (zero padding of the 400-byte file) are ignored. Fills *h (present =
 * true) or returns CARTA_E_PARSE with *h cleared. */
enum carta_err carta_personal_parse(const uint8_t *p, size_t n, struct carta_holder *h);

/* Total bytes (6 + body length) the file announces in its first 6 bytes:
 * to read no more than needed. CARTA_E_PARSE if the header is malformed. */
enum carta_err carta_personal_needed(const uint8_t *p, size_t n, size_t *needed);

#endif
