/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_SM_H
#define CARTA_SM_H

#include "apdu/exchange.h"
#include "crypto/secret.h"

/* ISO 7816-4 secure messaging with 3DES-CBC (zero IV) + retail MAC, as in
 * ICAO Doc 9303 part 11 section 9.8 (BAC) and IAS-ECC 7.1 (CIE, docs/reference/cie.md 3.5):
 *   command:  CLA|0C INS P1 P2 Lc' [87 L 01 E(pad(data))] [97 01 Le] 8E 08 MAC 00
 *   response: [87 L 01 E(pad(data))] 99 02 SW 8E 08 MAC || SW
 * SSC is incremented before each command and each response MAC. */

struct carta_sm {
	struct carta_secret *k_enc;   /* 16 bytes */
	struct carta_secret *k_mac;   /* 16 bytes */
	uint8_t ssc[8];
	bool active;
};

/* Start a session: copies the keys, sets the SSC. */
enum carta_err carta_sm_start(struct carta_sm *sm, const uint8_t k_enc[16],
                              const uint8_t k_mac[16], const uint8_t ssc[8]);
/* Wipe keys, deactivate. Safe on a never-started or already-ended session. */
void carta_sm_end(struct carta_sm *sm);

/* Build the protected APDU for `plain` (plain->lc <= 255 - overhead; the caller
 * chains larger data itself). Increments the SSC. out is cleared first. */
enum carta_err carta_sm_wrap(struct carta_sm *sm, const struct carta_apdu *plain,
                             struct carta_buf *out);

/* Check and decrypt a protected response body (without the transport SW).
 * Increments the SSC. On success: plain data in out->data, SW from DO99 in out->sw.
 * A bad MAC, bad padding, unknown DO, missing DO99/8E or short body is CARTA_E_SM
 * and nothing is written to out->data. The MAC is compared in constant time. */
enum carta_err carta_sm_unwrap(struct carta_sm *sm, const uint8_t *body, size_t n,
                               struct carta_rapdu *out);

/* Send one plain command under SM: chains data in 231-byte blocks (CLA 1C),
 * wraps each, transmits (GET RESPONSE with CLA 0C after 6100), unwraps.
 * A transport SW other than 9000/6282/6B00 with no SM body is returned as is
 * (r->sw) without MAC check, per docs/reference/cie.md 3.5. Any CARTA_E_SM ends the
 * session (carta_sm_end) so no further command is sent under a broken state. */
enum carta_err carta_sm_transmit(struct carta_sm *sm, struct carta_transport *t,
                                 const struct carta_apdu *plain, unsigned flags,
                                 struct carta_rapdu *r);

#endif
