/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CARDS_PINPAD_H
#define CARTA_CARDS_PINPAD_H

/* PIN entry on the reader's keypad: the PC/SC part 10 (v2.02.09) structures
 * given to SCardControl with the FEATURE_VERIFY_PIN_DIRECT (2.5.2,
 * PIN_VERIFY_STRUCTURE) and FEATURE_MODIFY_PIN_DIRECT (2.5.3,
 * PIN_MODIFY_STRUCTURE) control codes. The reader inserts the digits typed
 * into an APDU template and returns the card's answer; the PIN never
 * reaches the host. Multi-byte fields are little-endian (the CCID order). */

#include "cards/card.h"

/* Bytes before abData (the APDU template). */
#define CARTA_PINPAD_VERIFY_HDR 19u
#define CARTA_PINPAD_MODIFY_HDR 24u
#define CARTA_PINPAD_BLOCK_MAX 15u   /* bmPINBlockString bits 3-0 */

/* An ISO command whose data field holds one PIN block (VERIFY) or two
 * (CHANGE REFERENCE DATA, RESET RETRY COUNTER: old/PUK then new), each
 * `block` bytes: ASCII digits, left-justified, the rest `pad` (kept from
 * the template). */
struct carta_pinpad_req {
	bool modify;              /* two blocks, PIN_MODIFY_STRUCTURE */
	uint8_t cla, ins, p1, p2;
	size_t block;             /* bytes per PIN block, 1..CARTA_PINPAD_BLOCK_MAX */
	uint8_t pad;
	size_t min_len, max_len;  /* digits, 1 <= min <= max <= block */
	uint8_t timeout;          /* bTimerOut and bTimerOut2, seconds (0: reader default) */
};

/* The structure bytes into out (cap bytes); *len its length. */
enum carta_err carta_pinpad_build(const struct carta_pinpad_req *r, uint8_t *out, size_t cap,
                                  size_t *len);


/* Build, send with carta_transport_control (ioctl_verify or ioctl_modify),
 * map the answer. *tries from 63Cx (-1 otherwise, 0 on 6983); *sw the answer's SW
 * (0 when the reader gave none). */
enum carta_err carta_pinpad_run(struct carta_transport *t, const struct carta_pinpad_req *r,
                                int *tries, uint16_t *sw);

/* The ISO form the CNS takes (docs/reference/cns.md 1.6): CLA 00, P1 00, P2 ref, blocks of
 * 8 ASCII digits padded with FF; lengths from the PIN's rules (for an
 * unblock: the PUK's and the new PIN's together). */
void carta_pinpad_iso_req(struct carta_pinpad_req *r, bool modify, uint8_t ins, uint8_t ref,
                          const struct carta_pin *a, const struct carta_pin *b);

#endif
