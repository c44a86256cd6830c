/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_INPROC_H
#define CARTA_INPROC_H

#include "apdu/reader.h"

/* In-process readers for tests: each slot holds a card object that answers
 * APDUs by a callback. Tests insert/remove cards at will. Thread-safe. */

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
void carta_inproc_free(struct carta_inproc *ip);

#endif
