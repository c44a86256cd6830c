/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_EXCHANGE_H
#define CARTA_EXCHANGE_H

#include "apdu/apdu.h"
#include "apdu/transport.h"

/* A response: data (all GET RESPONSE parts joined) and the final SW. */
struct carta_rapdu {
	struct carta_buf data;
	uint16_t sw;
};
void carta_rapdu_init(struct carta_rapdu *r);
void carta_rapdu_free(struct carta_rapdu *r);

/* Flags for carta_transmit. */
#define CARTA_TX_SENSITIVE  0x01u  /* redact the data field (and response) in the trace */
#define CARTA_TX_NO_CHAIN   0x02u  /* never split: fail with CARTA_E_RANGE instead */
#define CARTA_TX_RAW_61     0x04u  /* return 61xx to the caller instead of GET RESPONSE */

/* Upper bounds that keep a misbehaving card from looping us forever. */
#define CARTA_TX_MAX_GETRESP 64u       /* GET RESPONSE rounds per command */
#define CARTA_TX_MAX_RESP    65538u    /* bytes of response data in total */

/* Send one logical command with the ISO 7816-3/-4 exchange rules:
 * - data > 255 bytes: one extended APDU when t->flags has CARTA_TF_EXTENDED,
 *   else command chaining (CLA | 0x10 on all blocks but the last, 255-byte blocks);
 *   a chained block answered with anything but 9000 ends the chain with that SW;
 * - 61xx: GET RESPONSE (00 C0 00 00 xx, CLA = `getresp_cla`, normally 0x00)
 *   until the SW is not 61xx, at most CARTA_TX_MAX_GETRESP rounds;
 * - 6Cxx: resend once with Le = xx (00 -> 256);
 * - T=0 case 4: Le is dropped and the card answers 61xx.
 * The SW is returned in r->sw; the return value is only about the transport
 * (CARTA_OK even for a 6A82: map the SW with carta_sw_to_err). */
enum carta_err carta_transmit(struct carta_transport *t, const struct carta_apdu *a,
                              unsigned flags, struct carta_rapdu *r);

/* The same with an explicit GET RESPONSE class byte (the CIE wants 0C after 6100). */
enum carta_err carta_transmit_ex(struct carta_transport *t, const struct carta_apdu *a,
                                 unsigned flags, uint8_t getresp_cla, struct carta_rapdu *r);

/* Convenience: transmit and map the SW (9000 -> CARTA_OK, else carta_sw_to_err). */
enum carta_err carta_transmit_ok(struct carta_transport *t, const struct carta_apdu *a,
                                 unsigned flags, struct carta_rapdu *r);

#endif
