/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_READER_H
#define CARTA_READER_H

#include "apdu/transport.h"

/* A source of readers: PC/SC (pcsc.c) or in-process virtual readers (tools/vcard/inproc.c).
 * The PKCS#11 front end and carta-tool only see this interface. */

#define CARTA_READER_NAME_MAX 128
#define CARTA_MAX_READERS 16

struct carta_reader_state {
	char name[CARTA_READER_NAME_MAX];
	bool present;           /* a card is in the reader */
	bool exclusive;         /* another process holds it exclusively */
	uint8_t atr[33];
	size_t atr_len;
	uint32_t event_count;   /* changes on every insertion/removal (PC/SC: upper 16 bits of dwEventState) */
};

struct carta_readers;

struct carta_readers_ops {
	/* Current readers and their states (at most CARTA_MAX_READERS).
	 * CARTA_E_NO_SERVICE when pcscd is gone; zero readers is CARTA_OK with *n = 0. */
	enum carta_err (*list)(struct carta_readers *rs, struct carta_reader_state *out, size_t *n);
	/* Block until a reader appears/disappears or a card changes, or timeout_ms
	 * passes (CARTA_E_TIMEOUT; -1 = forever), or cancel() is called (CARTA_E_CANCELLED). */
	enum carta_err (*wait)(struct carta_readers *rs, long timeout_ms);
	void (*cancel)(struct carta_readers *rs);
	/* Connect to the card in the named reader (shared mode, T=1 preferred). */
	enum carta_err (*connect)(struct carta_readers *rs, const char *name,
	                          struct carta_transport **out);
	void (*close)(struct carta_readers *rs);
};

struct carta_readers {
	const struct carta_readers_ops *ops;
};

/* The function API over the ops table (transport.c); close frees *rs and
 * clears the caller's pointer. */
enum carta_err carta_readers_list(struct carta_readers *rs, struct carta_reader_state *out,
                                  size_t *n);
enum carta_err carta_readers_wait(struct carta_readers *rs, long timeout_ms);
void carta_readers_cancel(struct carta_readers *rs);
enum carta_err carta_readers_connect(struct carta_readers *rs, const char *name,
                                     struct carta_transport **out);
void carta_readers_close(struct carta_readers **rs);

/* PC/SC backend: SCardEstablishContext; honours PCSCLITE_CSOCK_NAME (the library does). */
enum carta_err carta_pcsc_open(struct carta_readers **out);

#endif
