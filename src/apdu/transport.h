/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TRANSPORT_H
#define CARTA_TRANSPORT_H

#include "util/buf.h"

/* One connected card, whatever carries the bytes: PC/SC (pcsc.c) or an
 * in-process card object (tools/vcard/inproc.c, tests). */

struct carta_transport;

struct carta_transport_ops {
	/* Send raw APDU bytes, receive raw response bytes (data + SW) into resp
	 * (cleared first). CARTA_E_CARD_REMOVED / CARTA_E_CARD_RESET / CARTA_E_TRANSPORT. */
	enum carta_err (*transmit)(struct carta_transport *t, const uint8_t *cmd, size_t n,
	                           struct carta_buf *resp);
	/* Exclusive access for a multi-APDU operation (SCardBeginTransaction).
	 * May return CARTA_E_CARD_RESET if someone reset the card meanwhile:
	 * the transport has reconnected and the caller must redo its state. */
	enum carta_err (*begin)(struct carta_transport *t);
	enum carta_err (*end)(struct carta_transport *t);
	/* Warm reset of the card (SCardReconnect with SCARD_RESET_CARD). */
	enum carta_err (*reset)(struct carta_transport *t);
	/* PC/SC part 10 control (PIN pad); NULL when unsupported. */
	enum carta_err (*control)(struct carta_transport *t, uint32_t code, const uint8_t *in,
	                          size_t n, struct carta_buf *out);
	void (*close)(struct carta_transport *t);  /* disconnect and free t */
};

/* Transport capability flags. */
#define CARTA_TF_T0        0x01u  /* T=0: no case-4 APDUs, 61xx/6Cxx common */
#define CARTA_TF_EXTENDED  0x02u  /* extended-length APDUs allowed (set by the driver
                                     from the card's capabilities; cleared when a
                                     reader refuses one) */
#define CARTA_TF_PINPAD_VERIFY 0x04u
#define CARTA_TF_PINPAD_MODIFY 0x08u

struct carta_transport {
	const struct carta_transport_ops *ops;
	unsigned flags;
	uint8_t atr[33];
	size_t atr_len;
	char reader[128];
	/* PC/SC part 10 control codes when the reader has a PIN pad (0 = none) */
	uint32_t ioctl_verify, ioctl_modify;
	/* counters for benchmarks and tests: APDUs exchanged, bytes each way */
	unsigned long n_apdu, n_sent, n_recv;
};

/* The function API over the ops table (transport.c): callers use these, never
 * t->ops directly. close frees *t and clears the caller's pointer. */
enum carta_err carta_transport_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                        struct carta_buf *resp);
enum carta_err carta_transport_begin(struct carta_transport *t);
enum carta_err carta_transport_end(struct carta_transport *t);
enum carta_err carta_transport_reset(struct carta_transport *t);
bool carta_transport_has_control(const struct carta_transport *t);
enum carta_err carta_transport_control(struct carta_transport *t, uint32_t code,
                                       const uint8_t *in, size_t n, struct carta_buf *out);
void carta_transport_close(struct carta_transport **t);

#endif
