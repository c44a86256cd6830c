/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_INPROC_H
#define CARTA_INPROC_H

#include "apdu/reader.h"

/* In-process readers for tests: each slot holds a card object that answers
 * APDUs by a callback. Tests insert/remove cards at will. Thread-safe. The
 * virtual reader of the virtual card: it lives in the carta_vcard library,
 * never in libcarta, and offers libcarta's reader interface (apdu/reader.h). */

struct carta_inproc_card_ops {
	/* Process one command APDU; write response (data + SW) into resp (cleared). */
	enum carta_err (*apdu)(void *card, const uint8_t *cmd, size_t n, struct carta_buf *resp);
	/* Power cycle / warm reset: the card clears its security state. */
	void (*reset)(void *card);
	/* The card's ATR. */
	size_t (*atr)(void *card, uint8_t *out, size_t cap);
};

struct carta_inproc;

enum carta_err carta_inproc_new(size_t n_readers, struct carta_inproc **out);
/* The reader backend view (owned by the inproc object; its close() is a no-op). */
struct carta_readers *carta_inproc_readers(struct carta_inproc *ip);
/* Insert a card into reader `slot` (0-based); name of reader i is "Carta Virtual Reader i". */
enum carta_err carta_inproc_insert(struct carta_inproc *ip, size_t slot,
                                   const struct carta_inproc_card_ops *ops, void *card);
/* Remove it: transports connected to it then fail with CARTA_E_CARD_REMOVED. */
void carta_inproc_remove(struct carta_inproc *ip, size_t slot);
/* Simulate another process resetting the card: the next transmit or begin on
 * existing transports reports CARTA_E_CARD_RESET once (after the card is reset). */
void carta_inproc_reset_by_other(struct carta_inproc *ip, size_t slot);

/* An emulated PIN pad on reader `slot` (PC/SC part 10): transports connected
 * afterwards advertise CARTA_TF_PINPAD_VERIFY | CARTA_TF_PINPAD_MODIFY with
 * the control codes CARTA_INPROC_IOCTL_VERIFY / _MODIFY, and their control()
 * parses a PIN_VERIFY_STRUCTURE / PIN_MODIFY_STRUCTURE strictly, inserts
 * the "typed" digits as ASCII where the structure says, sends the APDU to
 * the card and returns the card's answer. digits_typed: the successive
 * entries separated by ',' (verify: "12345678"; modify: "old,new" or
 * "old,new,confirm", the confirmation defaulting to the new PIN); NULL =
 * the user presses Cancel (6401), "" = nobody types (timeout, 6400). An
 * entry outside the structure's min/max gives 6403, a confirmation that
 * differs 6402, a malformed structure 6B80 (nothing reaches the card).
 * May be called again to change what is typed next. */
/* SCARD_CTL_CODE(0x330000 + FEATURE_x_PIN_DIRECT), the codes libccid uses */
#define CARTA_INPROC_IOCTL_VERIFY 0x42330006u
#define CARTA_INPROC_IOCTL_MODIFY 0x42330007u
enum carta_err carta_inproc_set_pinpad(struct carta_inproc *ip, size_t slot,
                                       const char *digits_typed);
void carta_inproc_free(struct carta_inproc *ip);

/* The emulated pad itself (inproc_pinpad.c), also for unit tests: from a
 * PIN_VERIFY_STRUCTURE (modify false) or PIN_MODIFY_STRUCTURE and what is
 * typed (as above; cancel = the user pressed Cancel), either the APDU to send
 * (into apdu, *apdu_len, *pad_sw 0) or the pad's own status word (*pad_sw,
 * nothing to send). CARTA_E_ARGS only for bad arguments. */
enum carta_err carta_inproc_pinpad_apdu(bool modify, const uint8_t *in, size_t n,
                                        const char *typed, bool cancel, uint8_t *apdu,
                                        size_t cap, size_t *apdu_len, uint16_t *pad_sw);

#endif
