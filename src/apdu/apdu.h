/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_APDU_H
#define CARTA_APDU_H

#include "util/buf.h"

/* A command APDU (ISO/IEC 7816-4 section 5.1). Cases:
 *   1: lc == 0, le == 0     2: lc == 0, le > 0
 *   3: lc > 0,  le == 0     4: lc > 0,  le > 0
 * `le` is the number of bytes expected: 0 = no Le field; 256 is encoded as
 * short Le 00, 65536 as extended Le 0000. */
struct carta_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data;
	size_t lc;
	size_t le;
};

#define CARTA_APDU_SHORT_MAX_LC 255u
#define CARTA_APDU_SHORT_MAX_LE 256u
#define CARTA_APDU_EXT_MAX_LC 65535u
#define CARTA_APDU_EXT_MAX_LE 65536u

/* true if the APDU does not fit the short form */
bool carta_apdu_needs_extended(const struct carta_apdu *a);

/* Encode into out (cleared first). extended=false with a too-large lc/le is
 * CARTA_E_RANGE; extended=true uses the extended form for both fields
 * (ISO 7816-4 5.1: one form for the whole APDU). */
enum carta_err carta_apdu_encode(const struct carta_apdu *a, bool extended, struct carta_buf *out);

/* Split a response APDU into data and SW. Fewer than 2 bytes: CARTA_E_PARSE. */
enum carta_err carta_rapdu_split(const uint8_t *p, size_t n, struct carta_bytes *data, uint16_t *sw);

#endif
