/* SPDX-License-Identifier: BSD-3-Clause */
/* The in-process readers of inproc.h: slots holding card objects, the
 * reader and transport ops libcarta drives them through, and the test
 * controls (insert, remove, reset by another process). The PIN pad of a
 * slot is in inproc_pinpad.c. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "inproc.h"
#include "crypto/secret.h"

/* One lock (mu) guards everything, including the card callbacks: a card
 * object is then never called concurrently, and never after remove()
 * returned. Card callbacks must not call back into carta_inproc_*. */

struct slot {
	char name[CARTA_READER_NAME_MAX];
	const struct carta_inproc_card_ops *ops;
	void *card;
	bool present;
	uint32_t event_count;
	unsigned gen;          /* insertion number: stale transports see REMOVED */
	unsigned reset_gen;    /* bumped by every reset */
	const void *owner;     /* transport holding the transaction, or NULL */
	unsigned depth;        /* nested begin() of the owner */
	bool pad;              /* emulated PIN pad (carta_inproc_set_pinpad) */
	bool pad_cancel;       /* the user presses Cancel */
	char pad_typed[64];    /* what the user types, entries ',' separated */
};

struct carta_inproc {
	struct carta_readers base;
	pthread_mutex_t mu;
	pthread_cond_t cv;     /* insert, remove, cancel, transaction end */
	unsigned long changes; /* card insertions and removals so far */
	unsigned long cancels; /* cancel() calls so far */
	size_t n;
	struct slot *slots;
};

struct ipt {
	struct carta_transport base;
	struct carta_inproc *ip;
	size_t slot;
	unsigned gen;
	unsigned reset_seen;
};

static enum carta_err rd_list(struct carta_readers *rs, struct carta_reader_state *out, size_t *n);
static enum carta_err rd_wait(struct carta_readers *rs, long timeout_ms);
static void rd_cancel(struct carta_readers *rs);
static enum carta_err rd_connect(struct carta_readers *rs, const char *name,
                                 struct carta_transport **out);
static void rd_close(struct carta_readers *rs);
static enum carta_err t_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                 struct carta_buf *resp);
static enum carta_err t_begin(struct carta_transport *t);
static enum carta_err t_end(struct carta_transport *t);
static enum carta_err t_reset(struct carta_transport *t);
static enum carta_err t_control(struct carta_transport *t, uint32_t code, const uint8_t *in,
                                size_t n, struct carta_buf *out);
static void t_close(struct carta_transport *t);

static const struct carta_readers_ops rd_ops = {
	.list = rd_list,
	.wait = rd_wait,
	.cancel = rd_cancel,
	.connect = rd_connect,
	.close = rd_close,
};

static const struct carta_transport_ops t_ops = {
	.transmit = t_transmit,
	.begin = t_begin,
	.end = t_end,
	.reset = t_reset,
	.control = NULL,
	.close = t_close,
};

/* A reader with an emulated PIN pad. */
static const struct carta_transport_ops t_ops_pad = {
	.transmit = t_transmit,
	.begin = t_begin,
	.end = t_end,
	.reset = t_reset,
	.control = t_control,
	.close = t_close,
};

enum carta_err carta_inproc_new(size_t n_readers, struct carta_inproc **out)
{
	struct carta_inproc *ip;
	pthread_condattr_t ca;
	size_t i;

	if (!out || n_readers == 0 || n_readers > CARTA_MAX_READERS)
		return CARTA_E_ARGS;
	ip = calloc(1, sizeof(*ip));
	if (!ip)
		return CARTA_E_NOMEM;
	ip->slots = calloc(n_readers, sizeof(*ip->slots));
	if (!ip->slots) {
		free(ip);
		return CARTA_E_NOMEM;
	}
	ip->base.ops = &rd_ops;
	ip->n = n_readers;
	for (i = 0; i < n_readers; i++)
		snprintf(ip->slots[i].name, sizeof(ip->slots[i].name), "Carta Virtual Reader %zu", i);
	pthread_mutex_init(&ip->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&ip->cv, &ca);
	pthread_condattr_destroy(&ca);
	*out = ip;
	return CARTA_OK;
}

struct carta_readers *carta_inproc_readers(struct carta_inproc *ip)
{
	return &ip->base;
}

enum carta_err carta_inproc_insert(struct carta_inproc *ip, size_t slot,
                                   const struct carta_inproc_card_ops *ops, void *card)
{
	enum carta_err rv = CARTA_E_ARGS;
	struct slot *s;

	if (!ip || slot >= ip->n || !ops || !ops->apdu || !ops->atr)
		return CARTA_E_ARGS;
	pthread_mutex_lock(&ip->mu);
	s = &ip->slots[slot];
	if (s->present)
		goto out;
	s->ops = ops;
	s->card = card;
	s->present = true;
	s->gen++;
	s->event_count++;
	s->owner = NULL;
	s->depth = 0;
	ip->changes++;
	/* insertion powers the card up */
	if (ops->reset)
		ops->reset(card);
	pthread_cond_broadcast(&ip->cv);
	rv = CARTA_OK;
out:
	pthread_mutex_unlock(&ip->mu);
	return rv;
}

void carta_inproc_remove(struct carta_inproc *ip, size_t slot)
{
	struct slot *s;

	if (!ip || slot >= ip->n)
		return;
	pthread_mutex_lock(&ip->mu);
	s = &ip->slots[slot];
	if (s->present) {
		s->present = false;
		s->ops = NULL;
		s->card = NULL;
		s->owner = NULL;
		s->depth = 0;
		s->event_count++;
		ip->changes++;
		pthread_cond_broadcast(&ip->cv);
	}
	pthread_mutex_unlock(&ip->mu);
}

/* Caller holds mu. */
static void reset_locked(struct slot *s)
{
	if (s->ops->reset)
		s->ops->reset(s->card);
	s->reset_gen++;
}

void carta_inproc_reset_by_other(struct carta_inproc *ip, size_t slot)
{
	if (!ip || slot >= ip->n)
		return;
	pthread_mutex_lock(&ip->mu);
	if (ip->slots[slot].present)
		reset_locked(&ip->slots[slot]);
	pthread_mutex_unlock(&ip->mu);
}

enum carta_err carta_inproc_set_pinpad(struct carta_inproc *ip, size_t slot,
                                       const char *digits_typed)
{
	struct slot *s;
	size_t n = digits_typed ? strlen(digits_typed) : 0;

	if (!ip || slot >= ip->n || n >= sizeof(ip->slots[0].pad_typed))
		return CARTA_E_ARGS;
	if (digits_typed && strspn(digits_typed, "0123456789,") != n)
		return CARTA_E_ARGS;   /* a PIN pad has digits only */
	pthread_mutex_lock(&ip->mu);
	s = &ip->slots[slot];
	s->pad = true;
	s->pad_cancel = !digits_typed;
	memset(s->pad_typed, 0, sizeof(s->pad_typed));
	if (digits_typed)
		memcpy(s->pad_typed, digits_typed, n);
	pthread_mutex_unlock(&ip->mu);
	return CARTA_OK;
}

void carta_inproc_free(struct carta_inproc *ip)
{
	if (!ip)
		return;
	pthread_cond_destroy(&ip->cv);
	pthread_mutex_destroy(&ip->mu);
	free(ip->slots);
	free(ip);
}

static enum carta_err rd_list(struct carta_readers *rs, struct carta_reader_state *out, size_t *n)
{
	struct carta_inproc *ip = (struct carta_inproc *)rs;
	struct carta_reader_state *st;
	struct slot *s;
	size_t i;

	if (!out || !n)
		return CARTA_E_ARGS;
	pthread_mutex_lock(&ip->mu);
	for (i = 0; i < ip->n; i++) {
		s = &ip->slots[i];
		st = &out[i];
		memset(st, 0, sizeof(*st));
		memcpy(st->name, s->name, sizeof(st->name));
		st->present = s->present;
		st->event_count = s->event_count;
		if (s->present)
			st->atr_len = s->ops->atr(s->card, st->atr, sizeof(st->atr));
		if (st->atr_len > sizeof(st->atr))
			st->atr_len = 0;
	}
	*n = ip->n;
	pthread_mutex_unlock(&ip->mu);
	return CARTA_OK;
}

static void deadline(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Like SCardCancel, cancel() ends the waits in progress; it is not remembered
 * for later ones. */
static enum carta_err rd_wait(struct carta_readers *rs, long timeout_ms)
{
	struct carta_inproc *ip = (struct carta_inproc *)rs;
	unsigned long changes, cancels;
	struct timespec ts;
	enum carta_err rv = CARTA_OK;
	int e = 0;

	if (timeout_ms >= 0)
		deadline(&ts, timeout_ms);
	pthread_mutex_lock(&ip->mu);
	changes = ip->changes;
	cancels = ip->cancels;
	while (ip->changes == changes && ip->cancels == cancels && e != ETIMEDOUT) {
		if (timeout_ms < 0)
			pthread_cond_wait(&ip->cv, &ip->mu);
		else
			e = pthread_cond_timedwait(&ip->cv, &ip->mu, &ts);
	}
	if (ip->cancels != cancels)
		rv = CARTA_E_CANCELLED;
	else if (ip->changes == changes)
		rv = CARTA_E_TIMEOUT;
	pthread_mutex_unlock(&ip->mu);
	return rv;
}

static void rd_cancel(struct carta_readers *rs)
{
	struct carta_inproc *ip = (struct carta_inproc *)rs;

	pthread_mutex_lock(&ip->mu);
	ip->cancels++;
	pthread_cond_broadcast(&ip->cv);
	pthread_mutex_unlock(&ip->mu);
}

static void rd_close(struct carta_readers *rs)
{
	(void)rs;  /* owned by the carta_inproc object */
}


static enum carta_err rd_connect(struct carta_readers *rs, const char *name,
                                 struct carta_transport **out)
{
	struct carta_inproc *ip = (struct carta_inproc *)rs;
	struct ipt *t = NULL;
	struct slot *s = NULL;
	enum carta_err rv = CARTA_E_ARGS;
	size_t i, len;

	if (!name || !out)
		return CARTA_E_ARGS;
	pthread_mutex_lock(&ip->mu);
	for (i = 0; i < ip->n && !s; i++)
		if (strcmp(ip->slots[i].name, name) == 0)
			s = &ip->slots[i];
	rv = CARTA_E_NO_READER;
	if (!s)
		goto out;
	rv = CARTA_E_NO_CARD;
	if (!s->present)
		goto out;
	rv = CARTA_E_NOMEM;
	t = calloc(1, sizeof(*t));
	if (!t)
		goto out;
	t->base.ops = s->pad ? &t_ops_pad : &t_ops;
	if (s->pad) {
		t->base.flags |= CARTA_TF_PINPAD_VERIFY | CARTA_TF_PINPAD_MODIFY;
		t->base.ioctl_verify = CARTA_INPROC_IOCTL_VERIFY;
		t->base.ioctl_modify = CARTA_INPROC_IOCTL_MODIFY;
	}
	len = s->ops->atr(s->card, t->base.atr, sizeof(t->base.atr));
	t->base.atr_len = len <= sizeof(t->base.atr) ? len : 0;
	memcpy(t->base.reader, s->name, sizeof(t->base.reader));
	t->ip = ip;
	t->slot = (size_t)(s - ip->slots);
	t->gen = s->gen;
	t->reset_seen = s->reset_gen;
	*out = &t->base;
	rv = CARTA_OK;
out:
	pthread_mutex_unlock(&ip->mu);
	return rv;
}

/* Caller holds mu. The card this transport was connected to is still there? */
static bool alive_locked(const struct ipt *t)
{
	const struct slot *s = &t->ip->slots[t->slot];

	return s->present && s->gen == t->gen;
}

/* Caller holds mu. Report a reset done by someone else, once (like
 * SCARD_W_RESET_CARD followed by a reconnect). */
static bool reset_pending_locked(struct ipt *t)
{
	const struct slot *s = &t->ip->slots[t->slot];

	if (t->reset_seen == s->reset_gen)
		return false;
	t->reset_seen = s->reset_gen;
	return true;
}

/* Caller holds mu. Another transport's transaction excludes us, as in PC/SC
 * where SCardTransmit waits for the other handle's SCardEndTransaction. */
static void wait_turn_locked(struct ipt *t)
{
	struct slot *s = &t->ip->slots[t->slot];

	while (alive_locked(t) && s->owner && s->owner != t)
		pthread_cond_wait(&t->ip->cv, &t->ip->mu);
}

static enum carta_err t_transmit(struct carta_transport *tr, const uint8_t *cmd, size_t n,
                                 struct carta_buf *resp)
{
	struct ipt *t = (struct ipt *)tr;
	struct slot *s = &t->ip->slots[t->slot];
	enum carta_err rv;

	if (!cmd || !resp)
		return CARTA_E_ARGS;
	carta_buf_clear(resp);
	pthread_mutex_lock(&t->ip->mu);
	wait_turn_locked(t);
	rv = CARTA_E_CARD_REMOVED;
	if (!alive_locked(t))
		goto out;
	rv = CARTA_E_CARD_RESET;
	if (reset_pending_locked(t))
		goto out;
	rv = s->ops->apdu(s->card, cmd, n, resp);
	if (rv != CARTA_OK) {
		carta_buf_clear(resp);
		rv = CARTA_E_TRANSPORT;
	}
out:
	pthread_mutex_unlock(&t->ip->mu);
	return rv;
}

static enum carta_err t_begin(struct carta_transport *tr)
{
	struct ipt *t = (struct ipt *)tr;
	struct slot *s = &t->ip->slots[t->slot];
	enum carta_err rv;

	pthread_mutex_lock(&t->ip->mu);
	wait_turn_locked(t);
	rv = CARTA_E_CARD_REMOVED;
	if (!alive_locked(t))
		goto out;
	/* like SCardBeginTransaction after a reset: the lock is not taken */
	rv = CARTA_E_CARD_RESET;
	if (reset_pending_locked(t))
		goto out;
	s->owner = t;
	s->depth++;
	rv = CARTA_OK;
out:
	pthread_mutex_unlock(&t->ip->mu);
	return rv;
}

static enum carta_err t_end(struct carta_transport *tr)
{
	struct ipt *t = (struct ipt *)tr;
	struct slot *s = &t->ip->slots[t->slot];
	enum carta_err rv = CARTA_E_CARD_REMOVED;

	pthread_mutex_lock(&t->ip->mu);
	if (!alive_locked(t))
		goto out;
	rv = CARTA_E_ARGS;
	if (s->owner != t)
		goto out;
	if (--s->depth == 0) {
		s->owner = NULL;
		pthread_cond_broadcast(&t->ip->cv);
	}
	rv = CARTA_OK;
out:
	pthread_mutex_unlock(&t->ip->mu);
	return rv;
}

static enum carta_err t_reset(struct carta_transport *tr)
{
	struct ipt *t = (struct ipt *)tr;
	struct slot *s = &t->ip->slots[t->slot];
	enum carta_err rv = CARTA_E_CARD_REMOVED;

	pthread_mutex_lock(&t->ip->mu);
	wait_turn_locked(t);
	if (!alive_locked(t))
		goto out;
	reset_locked(s);
	/* our own reset is no news to us; other transports will see it */
	t->reset_seen = s->reset_gen;
	rv = CARTA_OK;
out:
	pthread_mutex_unlock(&t->ip->mu);
	return rv;
}

/* The pad's answer: its own status word, or what the card said to the
 * APDU built from the structure (like SCardControl on a CCID pad reader). */
static enum carta_err t_control(struct carta_transport *tr, uint32_t code, const uint8_t *in,
                                size_t n, struct carta_buf *out)
{
	struct ipt *t = (struct ipt *)tr;
	struct slot *s = &t->ip->slots[t->slot];
	uint8_t apdu[5 + 255];
	uint8_t swb[2];
	size_t alen = 0;
	uint16_t sw = 0;
	enum carta_err rv;

	if (!in || !out)
		return CARTA_E_ARGS;
	if (code != CARTA_INPROC_IOCTL_VERIFY && code != CARTA_INPROC_IOCTL_MODIFY)
		return CARTA_E_NOT_SUPPORTED;
	carta_buf_clear(out);
	pthread_mutex_lock(&t->ip->mu);
	wait_turn_locked(t);
	rv = CARTA_E_CARD_REMOVED;
	if (!alive_locked(t))
		goto out;
	rv = CARTA_E_CARD_RESET;
	if (reset_pending_locked(t))
		goto out;
	rv = carta_inproc_pinpad_apdu(code == CARTA_INPROC_IOCTL_MODIFY, in, n, s->pad_typed,
	                           s->pad_cancel, apdu, sizeof(apdu), &alen, &sw);
	if (rv == CARTA_OK && sw != 0) {
		swb[0] = (uint8_t)(sw >> 8);
		swb[1] = (uint8_t)(sw & 0xffu);
		rv = carta_buf_append(out, swb, sizeof(swb));
	} else if (rv == CARTA_OK) {
		rv = s->ops->apdu(s->card, apdu, alen, out);
		if (rv != CARTA_OK) {
			carta_buf_clear(out);
			rv = CARTA_E_TRANSPORT;
		}
	}
out:
	pthread_mutex_unlock(&t->ip->mu);
	carta_wipe(apdu, sizeof(apdu));
	return rv;
}

static void t_close(struct carta_transport *tr)
{
	struct ipt *t = (struct ipt *)tr;
	struct slot *s;

	if (!t)
		return;
	s = &t->ip->slots[t->slot];
	pthread_mutex_lock(&t->ip->mu);
	if (s->owner == t) {
		s->owner = NULL;
		s->depth = 0;
		pthread_cond_broadcast(&t->ip->cv);
	}
	pthread_mutex_unlock(&t->ip->mu);
	free(t);
}
