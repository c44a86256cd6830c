/* SPDX-License-Identifier: BSD-3-Clause */
/* The PC/SC reader backend: the only file that includes the PC/SC headers. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <winscard.h>
#include <pcsclite.h>
#include <reader.h>

#include "apdu/reader.h"
#include "util/log.h"

#define PNP_READER "\\\\?PnP?\\Notification"
/* 64 KiB of data + SW, with room for the extended header (pcsclite.h) */
#define RECV_MAX MAX_BUFFER_SIZE_EXTENDED
#define CONTROL_MAX 1024u

struct seen {
	char name[CARTA_READER_NAME_MAX];
	bool present;
	uint32_t event_count;
};

struct prs {
	struct carta_readers base;
	pthread_mutex_t mu;        /* guards everything below */
	SCARDCONTEXT ctx, wctx;    /* wctx only for wait(), so cancel() hits only it */
	bool have_ctx, have_wctx;
	struct seen seen[CARTA_MAX_READERS];  /* states as of the last list() */
	size_t n_seen;
	bool listed;
};

struct pt {
	struct carta_transport base;
	SCARDHANDLE h;
	DWORD proto;
};

static enum carta_err map_rc(LONG rc)
{
	switch (rc) {
	case SCARD_S_SUCCESS: return CARTA_OK;
	case SCARD_E_NO_SERVICE:
	case SCARD_E_SERVICE_STOPPED:
	case SCARD_F_COMM_ERROR: return CARTA_E_NO_SERVICE;
	case SCARD_E_NO_READERS_AVAILABLE:
	case SCARD_E_UNKNOWN_READER:
	case SCARD_E_READER_UNAVAILABLE: return CARTA_E_NO_READER;
	case SCARD_E_NO_SMARTCARD: return CARTA_E_NO_CARD;
	case SCARD_W_REMOVED_CARD:
	case SCARD_E_INVALID_HANDLE: return CARTA_E_CARD_REMOVED;
	case SCARD_W_RESET_CARD: return CARTA_E_CARD_RESET;
	case SCARD_E_TIMEOUT: return CARTA_E_TIMEOUT;
	case SCARD_E_CANCELLED: return CARTA_E_CANCELLED;
	case SCARD_E_SHARING_VIOLATION: return CARTA_E_SHARING;
	case SCARD_E_NO_MEMORY: return CARTA_E_NOMEM;
	case SCARD_E_INSUFFICIENT_BUFFER: return CARTA_E_BUFFER_SMALL;
	case SCARD_E_UNSUPPORTED_FEATURE: return CARTA_E_NOT_SUPPORTED;
	default: return CARTA_E_TRANSPORT;
	}
}

/* A context is dead when pcscd went away (it may come back: restart). */
static bool ctx_dead(LONG rc)
{
	return rc == SCARD_E_NO_SERVICE || rc == SCARD_E_SERVICE_STOPPED ||
	       rc == SCARD_F_COMM_ERROR || rc == SCARD_E_INVALID_HANDLE;
}

/* On a connected card: the card went away, whatever PC/SC calls it. */
static enum carta_err map_card_rc(LONG rc)
{
	if (rc == SCARD_E_NO_SMARTCARD || rc == SCARD_E_READER_UNAVAILABLE ||
	    rc == SCARD_E_UNKNOWN_READER)
		return CARTA_E_CARD_REMOVED;
	return map_rc(rc);
}

/* Caller holds mu. */
static enum carta_err ensure_ctx_locked(SCARDCONTEXT *ctx, bool *have)
{
	LONG rc;

	if (*have)
		return CARTA_OK;
	rc = SCardEstablishContext(SCARD_SCOPE_SYSTEM, NULL, NULL, ctx);
	if (rc != SCARD_S_SUCCESS) {
		carta_log(CARTA_LOG_INFO, "SCardEstablishContext: %s", pcsc_stringify_error(rc));
		return map_rc(rc);
	}
	*have = true;
	return CARTA_OK;
}

/* Caller holds mu. */
static void drop_ctx_locked(SCARDCONTEXT *ctx, bool *have)
{
	if (*have)
		SCardReleaseContext(*ctx);
	*have = false;
}

/* Reader names (those that fit our limits), copied out of PC/SC's list. */
static LONG get_names(SCARDCONTEXT ctx, char names[][CARTA_READER_NAME_MAX], size_t *n)
{
	char *list = NULL;
	const char *p;
	DWORD len = SCARD_AUTOALLOCATE;
	size_t l;
	LONG rc;

	*n = 0;
	rc = SCardListReaders(ctx, NULL, (LPSTR)&list, &len);
	if (rc == SCARD_E_NO_READERS_AVAILABLE)
		return SCARD_S_SUCCESS;
	if (rc != SCARD_S_SUCCESS)
		return rc;
	/* a multi-string: NUL-separated names ending with an empty one */
	for (p = list; p < list + len && *p && *n < CARTA_MAX_READERS; p += l + 1) {
		l = strnlen(p, (size_t)(list + len - p));
		if (l < CARTA_READER_NAME_MAX)
			memcpy(names[(*n)++], p, l + 1);
	}
	SCardFreeMemory(ctx, list);
	return SCARD_S_SUCCESS;
}

/* Current states of the named readers (UNAWARE: returns at once). */
static LONG get_states(SCARDCONTEXT ctx, char names[][CARTA_READER_NAME_MAX], size_t n,
                       SCARD_READERSTATE *st)
{
	size_t i;
	LONG rc;

	memset(st, 0, n * sizeof(*st));
	for (i = 0; i < n; i++) {
		st[i].szReader = names[i];
		st[i].dwCurrentState = SCARD_STATE_UNAWARE;
	}
	if (n == 0)
		return SCARD_S_SUCCESS;
	rc = SCardGetStatusChange(ctx, 0, st, (DWORD)n);
	return rc == SCARD_E_TIMEOUT ? SCARD_S_SUCCESS : rc;
}

static void fill_state(const SCARD_READERSTATE *s, struct carta_reader_state *o)
{
	memset(o, 0, sizeof(*o));
	memcpy(o->name, s->szReader, strlen(s->szReader) + 1);
	o->present = (s->dwEventState & SCARD_STATE_PRESENT) != 0;
	o->exclusive = (s->dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
	if (o->present && s->cbAtr <= sizeof(o->atr)) {
		memcpy(o->atr, s->rgbAtr, s->cbAtr);
		o->atr_len = s->cbAtr;
	}
	/* pcsc-lite keeps an event counter in the upper 16 bits */
	o->event_count = (uint32_t)((s->dwEventState >> 16) & 0xffffu);
}

/* Caller holds mu. One attempt with the current context. */
static LONG list_locked(struct prs *r, struct carta_reader_state *out, size_t *n)
{
	char names[CARTA_MAX_READERS][CARTA_READER_NAME_MAX];
	SCARD_READERSTATE st[CARTA_MAX_READERS];
	size_t i, k;
	LONG rc;

	rc = get_names(r->ctx, names, &k);
	if (rc == SCARD_S_SUCCESS)
		rc = get_states(r->ctx, names, k, st);
	if (rc != SCARD_S_SUCCESS)
		return rc;
	for (i = 0; i < k; i++) {
		fill_state(&st[i], &out[i]);
		memcpy(r->seen[i].name, out[i].name, sizeof(r->seen[i].name));
		r->seen[i].present = out[i].present;
		r->seen[i].event_count = out[i].event_count;
	}
	r->n_seen = k;
	r->listed = true;
	*n = k;
	return SCARD_S_SUCCESS;
}

static enum carta_err rd_list(struct carta_readers *rs, struct carta_reader_state *out, size_t *n)
{
	struct prs *r = (struct prs *)rs;
	enum carta_err rv;
	LONG rc = SCARD_S_SUCCESS;
	int attempt;

	if (!out || !n)
		return CARTA_E_ARGS;
	*n = 0;
	pthread_mutex_lock(&r->mu);
	/* a second attempt with a fresh context covers a pcscd restart */
	for (attempt = 0; attempt < 2; attempt++) {
		rv = ensure_ctx_locked(&r->ctx, &r->have_ctx);
		if (rv != CARTA_OK)
			goto out;
		rc = list_locked(r, out, n);
		if (!ctx_dead(rc))
			break;
		drop_ctx_locked(&r->ctx, &r->have_ctx);
	}
	rv = map_rc(rc);
out:
	pthread_mutex_unlock(&r->mu);
	return rv;
}

/* Did anything change since the last list()? Then wait() returns at once,
 * so an event between list() and wait() is never lost. */
static bool changed_since_list(struct prs *r, const SCARD_READERSTATE *st, size_t n)
{
	bool changed = false;
	size_t i, j;

	pthread_mutex_lock(&r->mu);
	if (r->listed && n != r->n_seen)
		changed = true;
	for (i = 0; r->listed && !changed && i < n; i++) {
		for (j = 0; j < r->n_seen; j++)
			if (strcmp(r->seen[j].name, st[i].szReader) == 0)
				break;
		changed = j == r->n_seen ||
		          r->seen[j].present != ((st[i].dwEventState & SCARD_STATE_PRESENT) != 0) ||
		          r->seen[j].event_count != ((st[i].dwEventState >> 16) & 0xffffu);
	}
	pthread_mutex_unlock(&r->mu);
	return changed;
}

/* Block on the known readers plus the PnP pseudo-reader, which signals
 * readers appearing or disappearing (pcsc-lite API, SCardGetStatusChange). */
static LONG wait_change(struct prs *r, SCARDCONTEXT ctx, long timeout_ms)
{
	char names[CARTA_MAX_READERS + 1][CARTA_READER_NAME_MAX];
	SCARD_READERSTATE st[CARTA_MAX_READERS + 1];
	size_t i, n;
	LONG rc;

	rc = get_names(ctx, names, &n);
	if (rc != SCARD_S_SUCCESS)
		return rc;
	memcpy(names[n], PNP_READER, sizeof(PNP_READER));
	rc = get_states(ctx, names, n + 1, st);
	if (rc == SCARD_E_UNKNOWN_READER)
		return SCARD_S_SUCCESS;   /* the list changed under us */
	if (rc != SCARD_S_SUCCESS)
		return rc;
	if (changed_since_list(r, st, n))
		return SCARD_S_SUCCESS;
	for (i = 0; i < n + 1; i++)
		st[i].dwCurrentState = st[i].dwEventState & ~(DWORD)SCARD_STATE_CHANGED;
	rc = SCardGetStatusChange(ctx, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms, st,
	                          (DWORD)(n + 1));
	return rc == SCARD_E_UNKNOWN_READER ? SCARD_S_SUCCESS : rc;
}

static enum carta_err rd_wait(struct carta_readers *rs, long timeout_ms)
{
	struct prs *r = (struct prs *)rs;
	SCARDCONTEXT ctx;
	enum carta_err rv;
	LONG rc;

	pthread_mutex_lock(&r->mu);
	rv = ensure_ctx_locked(&r->wctx, &r->have_wctx);
	ctx = r->wctx;
	pthread_mutex_unlock(&r->mu);
	if (rv != CARTA_OK)
		return rv;
	rc = wait_change(r, ctx, timeout_ms);
	if (ctx_dead(rc)) {
		pthread_mutex_lock(&r->mu);
		if (r->have_wctx && r->wctx == ctx)
			drop_ctx_locked(&r->wctx, &r->have_wctx);
		pthread_mutex_unlock(&r->mu);
		return CARTA_E_NO_SERVICE;
	}
	return map_rc(rc);
}

static void rd_cancel(struct carta_readers *rs)
{
	struct prs *r = (struct prs *)rs;

	pthread_mutex_lock(&r->mu);
	if (r->have_wctx)
		SCardCancel(r->wctx);
	pthread_mutex_unlock(&r->mu);
}

static void rd_close(struct carta_readers *rs)
{
	struct prs *r = (struct prs *)rs;

	if (!r)
		return;
	pthread_mutex_lock(&r->mu);
	drop_ctx_locked(&r->ctx, &r->have_ctx);
	drop_ctx_locked(&r->wctx, &r->have_wctx);
	pthread_mutex_unlock(&r->mu);
	pthread_mutex_destroy(&r->mu);
	free(r);
}

static enum carta_err t_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                 struct carta_buf *resp);
static enum carta_err t_begin(struct carta_transport *t);
static enum carta_err t_end(struct carta_transport *t);
static enum carta_err t_reset(struct carta_transport *t);
static enum carta_err t_control(struct carta_transport *t, uint32_t code, const uint8_t *in,
                                size_t n, struct carta_buf *out);
static void t_close(struct carta_transport *t);

static const struct carta_transport_ops t_ops = {
	.transmit = t_transmit,
	.begin = t_begin,
	.end = t_end,
	.reset = t_reset,
	.control = t_control,
	.close = t_close,
};

/* ATR and protocol from SCardStatus (vpcd does not answer SCardGetAttrib). */
static LONG refresh(struct pt *p)
{
	char name[CARTA_READER_NAME_MAX + 64];
	DWORD nlen = sizeof(name), state, proto, alen = MAX_ATR_SIZE;
	BYTE atr[MAX_ATR_SIZE];
	LONG rc;

	rc = SCardStatus(p->h, name, &nlen, &state, &proto, atr, &alen);
	if (rc != SCARD_S_SUCCESS)
		return rc;
	p->proto = proto;
	if (alen > sizeof(p->base.atr))
		alen = 0;
	memcpy(p->base.atr, atr, alen);
	p->base.atr_len = alen;
	if (proto == SCARD_PROTOCOL_T0)
		p->base.flags |= CARTA_TF_T0;
	else
		p->base.flags &= ~CARTA_TF_T0;
	return SCARD_S_SUCCESS;
}

/* After SCARD_W_RESET_CARD: get a usable handle back, report the reset. */
static enum carta_err after_reset(struct pt *p)
{
	DWORD proto;
	LONG rc;

	rc = SCardReconnect(p->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0,
	                    SCARD_LEAVE_CARD, &proto);
	if (rc == SCARD_S_SUCCESS)
		rc = refresh(p);
	if (rc != SCARD_S_SUCCESS) {
		carta_log(CARTA_LOG_ERROR, "SCardReconnect: %s", pcsc_stringify_error(rc));
		return map_card_rc(rc);
	}
	carta_log(CARTA_LOG_INFO, "card in %s was reset by another process", p->base.reader);
	return CARTA_E_CARD_RESET;
}

/* SCardStatus right after SCardConnect: another process may have reset the
 * card in between (SCARD_W_RESET_CARD). Nothing of ours was on the card
 * yet: take the handle back and go on. */
static LONG refresh_new(struct pt *p)
{
	DWORD proto;
	LONG rc = refresh(p);

	if (rc != SCARD_W_RESET_CARD)
		return rc;
	carta_log(CARTA_LOG_INFO, "card in %s was reset before first use", p->base.reader);
	rc = SCardReconnect(p->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0,
	                    SCARD_LEAVE_CARD, &proto);
	return rc == SCARD_S_SUCCESS ? refresh(p) : rc;
}

/* A transmit failed without saying why: if the card has left the reader
 * meanwhile, that is what happened (CARTA_E_CARD_REMOVED). */
static enum carta_err transmit_failed(struct pt *p, LONG rc)
{
	char name[CARTA_READER_NAME_MAX + 64];
	DWORD nlen = sizeof(name), state = 0, proto, alen = MAX_ATR_SIZE;
	BYTE atr[MAX_ATR_SIZE];
	enum carta_err rv = map_card_rc(rc);
	LONG st;

	if (rv == CARTA_E_CARD_REMOVED || rv == CARTA_E_NO_SERVICE)
		return rv;
	st = SCardStatus(p->h, name, &nlen, &state, &proto, atr, &alen);
	if (st == SCARD_S_SUCCESS && (state & SCARD_ABSENT))
		return CARTA_E_CARD_REMOVED;
	if (st != SCARD_S_SUCCESS && st != SCARD_W_RESET_CARD &&
	    map_card_rc(st) == CARTA_E_CARD_REMOVED)
		return CARTA_E_CARD_REMOVED;
	/* transport.h: anything but a lost card or service is CARTA_E_TRANSPORT,
	 * which is what makes exchange.c fall back from extended APDUs */
	return CARTA_E_TRANSPORT;
}

/* Value of a 4-byte PC/SC part 10 feature TLV (tag, 04, value big-endian). */
static void parse_features(struct pt *p, const uint8_t *d, size_t n)
{
	size_t off = 0;
	uint32_t v;

	while (n - off >= 2) {
		if (d[off + 1] != 4 || n - off - 2 < 4)
			break;
		v = (uint32_t)d[off + 2] << 24 | (uint32_t)d[off + 3] << 16 |
		    (uint32_t)d[off + 4] << 8 | d[off + 5];
		if (d[off] == FEATURE_VERIFY_PIN_DIRECT) {
			p->base.ioctl_verify = v;
			p->base.flags |= CARTA_TF_PINPAD_VERIFY;
		} else if (d[off] == FEATURE_MODIFY_PIN_DIRECT) {
			p->base.ioctl_modify = v;
			p->base.flags |= CARTA_TF_PINPAD_MODIFY;
		}
		off += 6;
	}
}

/* PC/SC part 10 section 2.2: CM_IOCTL_GET_FEATURE_REQUEST lists control
 * codes. Failure just means no PIN pad. */
static void discover_features(struct pt *p)
{
	uint8_t out[256];
	DWORD len = 0;
	LONG rc;

	rc = SCardControl(p->h, CM_IOCTL_GET_FEATURE_REQUEST, NULL, 0, out, sizeof(out), &len);
	if (rc != SCARD_S_SUCCESS || len > sizeof(out))
		return;
	parse_features(p, out, len);
}

static enum carta_err rd_connect(struct carta_readers *rs, const char *name,
                                 struct carta_transport **out)
{
	struct prs *r = (struct prs *)rs;
	struct pt *p = NULL;
	SCARDHANDLE h;
	DWORD proto;
	enum carta_err rv;
	LONG rc;

	if (!name || !out || strlen(name) >= sizeof(p->base.reader))
		return CARTA_E_ARGS;
	pthread_mutex_lock(&r->mu);
	rv = ensure_ctx_locked(&r->ctx, &r->have_ctx);
	if (rv != CARTA_OK)
		goto out;
	rc = SCardConnect(r->ctx, name, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0,
	                  &h, &proto);
	if (ctx_dead(rc))
		drop_ctx_locked(&r->ctx, &r->have_ctx);
	if (rc == SCARD_W_REMOVED_CARD || rc == SCARD_E_NO_SMARTCARD)
		rc = SCARD_E_NO_SMARTCARD;
	rv = map_rc(rc);
	if (rv != CARTA_OK)
		goto out;
	rv = CARTA_E_NOMEM;
	p = calloc(1, sizeof(*p));
	if (!p) {
		SCardDisconnect(h, SCARD_LEAVE_CARD);
		goto out;
	}
	p->base.ops = &t_ops;
	p->h = h;
	p->proto = proto;
	memcpy(p->base.reader, name, strlen(name) + 1);
	rc = refresh_new(p);
	if (rc != SCARD_S_SUCCESS) {
		rv = map_card_rc(rc);
		SCardDisconnect(h, SCARD_LEAVE_CARD);
		free(p);
		goto out;
	}
	discover_features(p);
	*out = &p->base;
	rv = CARTA_OK;
out:
	pthread_mutex_unlock(&r->mu);
	return rv;
}

static enum carta_err t_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                 struct carta_buf *resp)
{
	struct pt *p = (struct pt *)t;
	const SCARD_IO_REQUEST *pci;
	DWORD rlen = RECV_MAX;
	enum carta_err rv;
	LONG rc;

	if (!cmd || !resp || n < 4 || n > RECV_MAX)
		return CARTA_E_ARGS;
	carta_buf_clear(resp);
	rv = carta_buf_reserve(resp, RECV_MAX);
	if (rv != CARTA_OK)
		return rv;
	pci = p->proto == SCARD_PROTOCOL_T0 ? SCARD_PCI_T0 : SCARD_PCI_T1;
	rc = SCardTransmit(p->h, pci, cmd, (DWORD)n, NULL, resp->p, &rlen);
	if (rc == SCARD_W_RESET_CARD)
		return after_reset(p);
	if (rc != SCARD_S_SUCCESS) {
		carta_log(CARTA_LOG_ERROR, "SCardTransmit: %s", pcsc_stringify_error(rc));
		return transmit_failed(p, rc);
	}
	if (rlen > RECV_MAX)
		return CARTA_E_TRANSPORT;
	resp->len = rlen;
	return CARTA_OK;
}

static enum carta_err t_begin(struct carta_transport *t)
{
	struct pt *p = (struct pt *)t;
	LONG rc = SCardBeginTransaction(p->h);

	if (rc == SCARD_W_RESET_CARD)
		return after_reset(p);
	return map_card_rc(rc);
}

static enum carta_err t_end(struct carta_transport *t)
{
	struct pt *p = (struct pt *)t;
	LONG rc = SCardEndTransaction(p->h, SCARD_LEAVE_CARD);

	if (rc == SCARD_W_RESET_CARD)
		return after_reset(p);
	return map_card_rc(rc);
}

static enum carta_err t_reset(struct carta_transport *t)
{
	struct pt *p = (struct pt *)t;
	DWORD proto;
	LONG rc;

	rc = SCardReconnect(p->h, SCARD_SHARE_SHARED, SCARD_PROTOCOL_T1 | SCARD_PROTOCOL_T0,
	                    SCARD_RESET_CARD, &proto);
	if (rc == SCARD_S_SUCCESS)
		rc = refresh(p);
	return map_card_rc(rc);
}

static enum carta_err t_control(struct carta_transport *t, uint32_t code, const uint8_t *in,
                                size_t n, struct carta_buf *out)
{
	struct pt *p = (struct pt *)t;
	DWORD len = 0;
	enum carta_err rv;
	LONG rc;

	if (!out || (!in && n) || n > RECV_MAX)
		return CARTA_E_ARGS;
	carta_buf_clear(out);
	rv = carta_buf_reserve(out, CONTROL_MAX);
	if (rv != CARTA_OK)
		return rv;
	rc = SCardControl(p->h, code, in, (DWORD)n, out->p, CONTROL_MAX, &len);
	if (rc == SCARD_W_RESET_CARD)
		return after_reset(p);
	if (rc != SCARD_S_SUCCESS)
		return map_card_rc(rc);
	if (len > CONTROL_MAX)
		return CARTA_E_TRANSPORT;
	out->len = len;
	return CARTA_OK;
}

static void t_close(struct carta_transport *t)
{
	struct pt *p = (struct pt *)t;

	if (!p)
		return;
	SCardDisconnect(p->h, SCARD_LEAVE_CARD);
	free(p);
}

static const struct carta_readers_ops rd_ops = {
	.list = rd_list,
	.wait = rd_wait,
	.cancel = rd_cancel,
	.connect = rd_connect,
	.close = rd_close,
};

/* The context is made lazily when pcscd is not there yet: a PKCS#11 module
 * loads at browser start, pcscd may start (socket activation) later. */
enum carta_err carta_pcsc_open(struct carta_readers **out)
{
	struct prs *r;

	if (!out)
		return CARTA_E_ARGS;
	r = calloc(1, sizeof(*r));
	if (!r)
		return CARTA_E_NOMEM;
	r->base.ops = &rd_ops;
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_lock(&r->mu);
	(void)ensure_ctx_locked(&r->ctx, &r->have_ctx);
	pthread_mutex_unlock(&r->mu);
	*out = &r->base;
	return CARTA_OK;
}
