/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CARDS_ISO7816_H
#define CARTA_CARDS_ISO7816_H

/* ISO/IEC 7816-4 commands shared by the card drivers, in the forms the
 * Italian cards take (docs/reference/cns.md 1.6-1.8, 1.11). */

#include "apdu/exchange.h"

/* SELECT P1 values (ISO 7816-4 11.2.2). */
#define CARTA_SEL_FID   0x00u
#define CARTA_SEL_AID   0x04u
#define CARTA_SEL_PATH  0x08u   /* path from the MF, without 3F00 */
#define CARTA_SEL_REL   0x09u   /* path from the current DF */

/* How a driver sends a command: plainly (carta_transmit_ok, ctx the
 * transport) or through its secure-messaging session (ctx its card). The SW
 * is mapped: 9000 -> CARTA_OK, else carta_sw_to_err. */
typedef enum carta_err (*carta_tx_t)(void *ctx, const struct carta_apdu *a, unsigned flags,
                                     struct carta_rapdu *r);

/* A command whose answer is only its status word: sent with tx, the answer
 * data dropped. carta_iso_send is the plain form. */
enum carta_err carta_iso_send_via(carta_tx_t tx, void *ctx, const struct carta_apdu *a);
enum carta_err carta_iso_send(struct carta_transport *t, const struct carta_apdu *a);

/* What a FCI/FCP tells us. */
struct carta_fci {
	bool has_size;
	size_t size;        /* tag 80 (or 81) */
	bool is_df;         /* tag 82 first byte 38 */
};

/* Parse a 6F/62 template; CARTA_E_PARSE when malformed. Empty input is OK
 * (no information). */
enum carta_err carta_iso_parse_fci(const uint8_t *p, size_t n, struct carta_fci *fci);

/* SELECT. fci NULL: P2=0C (no answer data); else P2=00 with Le 00 and the
 * answer parsed into *fci. Status words are mapped with carta_sw_to_err. */
enum carta_err carta_iso_select(struct carta_transport *t, uint8_t p1, const uint8_t *data,
                                size_t n, struct carta_fci *fci);

/* READ BINARY of `len` bytes from `off` (len 0: until the card says EOF),
 * appended to out; at most `max` bytes in total. Le 00 (256) per read, or one
 * extended read when CARTA_TF_EXTENDED is set. Stops on a short read, 6282
 * or 6B00 (docs/reference/cns.md 1.7). */
enum carta_err carta_iso_read(struct carta_transport *t, size_t off, size_t len, size_t max,
                              struct carta_buf *out);

/* ASCII digits right-padded with FF to 8 bytes (docs/reference/cns.md 1.6). n must be <= 8. */
enum carta_err carta_iso_pin_block(const uint8_t *pin, size_t n, uint8_t out[8]);

/* VERIFY 00 20 00 ref with the padded PIN; pin NULL = the empty VERIFY
 * (status query). Returns the mapped SW; *tries from 63Cx (-1 otherwise). */
enum carta_err carta_iso_verify(struct carta_transport *t, uint8_t ref, const uint8_t *pin,
                                size_t n, int *tries, uint16_t *sw);
/* CHANGE REFERENCE DATA 00 24 00 ref 10 old8 new8. */
enum carta_err carta_iso_change(struct carta_transport *t, uint8_t ref, const uint8_t *o,
                                size_t on, const uint8_t *nv, size_t nn, int *tries);
/* RESET RETRY COUNTER 00 2C 00 ref 10 puk8 new8 (P2 = the PIN's reference). */
enum carta_err carta_iso_reset_retry(struct carta_transport *t, uint8_t ref, const uint8_t *puk,
                                     size_t pn, const uint8_t *nv, size_t nn, int *tries);

/* MSE RESTORE 00 22 F3 se 00 (the 5-byte form of docs/reference/cns.md 1.8). */
enum carta_err carta_iso_mse_restore(struct carta_transport *t, uint8_t se);
/* MSE SET 00 22 F1 tmpl 03 83 01 key (tmpl B6 sign, B8 decipher). */
enum carta_err carta_iso_mse_set(struct carta_transport *t, uint8_t tmpl, uint8_t key);
/* PSO DECIPHER 00 2A 80 86 (00 || in) and PSO CDS 00 2A 9E 9A in; the
 * answer must be exactly `expect` bytes, written to out. */
enum carta_err carta_iso_pso_decipher(struct carta_transport *t, const uint8_t *in, size_t n,
                                      size_t expect, uint8_t *out);
enum carta_err carta_iso_pso_cds(struct carta_transport *t, const uint8_t *in, size_t n,
                                 size_t expect, uint8_t *out);
/* GET CHALLENGE in requests of at most `chunk` bytes. */
enum carta_err carta_iso_get_challenge(struct carta_transport *t, size_t chunk, uint8_t *out,
                                       size_t n);
/* GET DATA 00 CA p1 p2 Le 00. */
enum carta_err carta_iso_get_data(struct carta_transport *t, uint8_t p1, uint8_t p2,
                                  struct carta_buf *out);

#endif
