/* SPDX-License-Identifier: BSD-3-Clause */
/* The public vcard API (vcard.h): profile dispatch (CNS here, CIE in cie/),
 * the APDU log counters, fault injection and the per-APDU delay. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cie/cie.h"
#include "util/hex.h"
#include "vcard_int.h"

struct vcard {
	struct vcard_cns *cns;
	struct vcard_cie *cie;
	uint8_t atr[33];
	size_t atr_len;
	unsigned delay_ms;
	unsigned long count;
	struct vcard_fault faults[VCARD_MAX_FAULTS + 1];
	bool fired[VCARD_MAX_FAULTS + 1];
	size_t n_faults;
	int last_fault;             /* index into faults of the one that fired on the last APDU */
	int pin_low;
	struct vcard_stats stats;
};

static bool is_cie(const char *profile)
{
	return profile && (strcmp(profile, "cie-nxp") == 0 || strcmp(profile, "cie-gemalto") == 0);
}

static enum carta_err set_atr(struct vcard *v, const char *hex)
{
	struct carta_buf b = { 0 };
	enum carta_err rv = carta_hex_decode(hex, strlen(hex), &b);

	if (rv == CARTA_OK && (b.len < 2 || b.len > sizeof(v->atr)))
		rv = CARTA_E_ARGS;
	if (rv == CARTA_OK) {
		memcpy(v->atr, b.p, b.len);
		v->atr_len = b.len;
	}
	carta_buf_free(&b);
	return rv;
}

enum carta_err vcard_new(const struct vcard_config *cfg, struct vcard **out)
{
	struct vcard *v;
	enum carta_err rv;

	*out = NULL;
	if (!cfg)
		return CARTA_E_ARGS;
	v = calloc(1, sizeof(*v));
	if (!v)
		return CARTA_E_NOMEM;
	v->delay_ms = cfg->delay_ms;
	v->last_fault = -1;
	if (cfg->n_faults > VCARD_MAX_FAULTS || (cfg->n_faults && !cfg->faults)) {
		free(v);
		return CARTA_E_ARGS;
	}
	if (cfg->n_faults)
		memcpy(v->faults, cfg->faults, cfg->n_faults * sizeof(*v->faults));
	v->n_faults = cfg->n_faults;
	if (cfg->fault_at) {        /* the old --fault-at N */
		v->faults[v->n_faults].mode = VCARD_FAULT_SW;
		v->faults[v->n_faults].at = cfg->fault_at;
		v->faults[v->n_faults++].sw = 0x6F00;
	}
	/* A switch meant for the other family is a mistake in the test, not a no-op. */
	if (is_cie(cfg->profile) ? cfg->no_extended || cfg->dnakey_applet_sw || cfg->ds ||
	                               cfg->infocamere || cfg->infocamere_empty
	                         : cfg->cie_last_try_sw)
		rv = CARTA_E_ARGS;
	else if (is_cie(cfg->profile)) {
		rv = vcard_cie_new(cfg, &v->cie);
		if (rv == CARTA_OK)
			v->atr_len = vcard_cie_atr(v->cie, v->atr, sizeof(v->atr));
	} else {
		rv = vcard_cns_new(cfg, &v->cns);
		if (rv == CARTA_OK)
			rv = set_atr(v, v->cns->prof->atr_hex);
	}
	if (rv == CARTA_OK && cfg->atr_hex)
		rv = set_atr(v, cfg->atr_hex);
	if (rv != CARTA_OK) {
		vcard_free(v);
		return rv;
	}
	v->pin_low = vcard_pin_tries_left(v, false);
	*out = v;
	return CARTA_OK;
}

void vcard_free(struct vcard *v)
{
	if (!v)
		return;
	vcard_cns_free(v->cns);
	if (v->cie)
		vcard_cie_free(v->cie);
	free(v);
}

static void delay(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L };

	while (ms && nanosleep(&ts, &ts) != 0)
		;
}

/* ---- fault injection (docs/virtual-card.md "Fault injection") ---------- */

static const struct {
	const char *name;
	enum vcard_fault_mode mode;
} fault_names[] = {
	{ "remove-before", VCARD_FAULT_REMOVE_BEFORE }, { "remove-after", VCARD_FAULT_REMOVE_AFTER },
	{ "truncated", VCARD_FAULT_TRUNCATED },         { "oversized", VCARD_FAULT_OVERSIZED },
	{ "garbage", VCARD_FAULT_GARBAGE },
};

static enum carta_err parse_one(const char *s, size_t len, struct vcard_fault *f)
{
	const char *at = memchr(s, '@', len);
	char num[24], *end = NULL;
	size_t mlen, i;

	if (!at || at == s || (size_t)(s + len - at - 1) >= sizeof(num) || s + len == at + 1)
		return CARTA_E_ARGS;
	mlen = (size_t)(at - s);
	memcpy(num, at + 1, (size_t)(s + len - at - 1));
	num[s + len - at - 1] = '\0';
	if (num[0] < '1' || num[0] > '9')
		return CARTA_E_ARGS;
	f->at = strtoul(num, &end, 10);
	if (!end || *end)
		return CARTA_E_ARGS;
	f->sw = 0;
	if (mlen == 7 && strncmp(s, "sw=", 3) == 0) {
		char hx[5];
		unsigned long sw;

		memcpy(hx, s + 3, 4);
		hx[4] = '\0';
		sw = strtoul(hx, &end, 16);
		if (!end || *end || strspn(hx, "0123456789abcdefABCDEF") != 4)
			return CARTA_E_ARGS;
		f->mode = VCARD_FAULT_SW;
		f->sw = (uint16_t)sw;
		return CARTA_OK;
	}
	for (i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
		if (strlen(fault_names[i].name) == mlen && strncmp(s, fault_names[i].name, mlen) == 0) {
			f->mode = fault_names[i].mode;
			return CARTA_OK;
		}
	return CARTA_E_ARGS;
}

enum carta_err vcard_fault_parse(const char *spec, struct vcard_fault *f, size_t cap, size_t *n)
{
	const char *p = spec;

	if (!spec || !f || !n || !*spec)
		return CARTA_E_ARGS;
	while (*p) {
		size_t len = strcspn(p, ",");

		if (*n >= cap || parse_one(p, len, &f[*n]) != CARTA_OK)
			return CARTA_E_ARGS;
		(*n)++;
		p += len;
		if (*p == ',' && *++p == '\0')
			return CARTA_E_ARGS;
	}
	return CARTA_OK;
}

void vcard_fault_str(const struct vcard_fault *f, char *out, size_t cap)
{
	const char *name = "?";
	size_t i;

	if (!cap)
		return;
	if (f->mode == VCARD_FAULT_SW) {
		snprintf(out, cap, "sw=%04x@%lu", (unsigned)f->sw, f->at);
		return;
	}
	for (i = 0; i < sizeof(fault_names) / sizeof(fault_names[0]); i++)
		if (fault_names[i].mode == f->mode)
			name = fault_names[i].name;
	snprintf(out, cap, "%s@%lu", name, f->at);
}

/* xorshift32, seeded by the APDU index: the same garbage for the same index. */
static uint32_t xs32(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static enum carta_err garbage(unsigned long at, struct carta_buf *resp)
{
	uint32_t s = (uint32_t)(at * 2654435761u) | 1u;
	size_t len = 1 + xs32(&s) % 300, i;
	enum carta_err rv = CARTA_OK;

	for (i = 0; i < len && rv == CARTA_OK; i++) {
		uint8_t b = (uint8_t)xs32(&s);

		rv = carta_buf_append(resp, &b, 1);
	}
	return rv;
}

/* Filler before the SW: the data field ends longer than Ne and the whole answer than
 * 258 bytes (a short answer's maximum, 256 + SW). */
static enum carta_err oversize(const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	struct vcard_capdu a;
	size_t data = resp->len >= 2 ? resp->len - 2 : 0, want = 300, extra, i;
	uint8_t sw[2] = { 0x90, 0x00 };
	enum carta_err rv = CARTA_OK;

	if (vcard_capdu_parse(cmd, n, &a) == CARTA_OK && a.le_present && a.ne + 1 > want)
		want = a.ne + 1;
	if (resp->len >= 2)
		memcpy(sw, resp->p + resp->len - 2, 2);
	extra = want > data ? want - data : 1;
	resp->len = data;
	for (i = 0; i < extra && rv == CARTA_OK; i++)
		rv = carta_buf_append(resp, (const uint8_t *)"\xA5", 1);
	return rv == CARTA_OK ? carta_buf_append(resp, sw, 2) : rv;
}

static int fault_due(struct vcard *v)
{
	size_t i;

	for (i = 0; i < v->n_faults; i++)
		if (!v->fired[i] && v->faults[i].at == v->count) {
			v->fired[i] = true;
			return (int)i;
		}
	return -1;
}

static enum carta_err execute(struct vcard *v, const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	return v->cie ? vcard_cie_apdu(v->cie, cmd, n, resp) : vcard_cns_apdu(v->cns, cmd, n, resp);
}

enum carta_err vcard_apdu(struct vcard *v, const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	enum carta_err rv = CARTA_OK;
	const struct vcard_fault *f;
	int fi, t;

	if (!v || !resp || (!cmd && n))
		return CARTA_E_ARGS;
	v->stats.apdus++;
	v->stats.bytes_in += n;
	v->count++;
	delay(v->delay_ms);
	carta_buf_clear(resp);
	fi = v->last_fault = fault_due(v);
	f = fi >= 0 ? &v->faults[fi] : NULL;
	if (!f || f->mode == VCARD_FAULT_REMOVE_AFTER || f->mode == VCARD_FAULT_TRUNCATED ||
	    f->mode == VCARD_FAULT_OVERSIZED)
		rv = execute(v, cmd, n, resp);
	if (f && rv == CARTA_OK) {
		switch (f->mode) {
		case VCARD_FAULT_SW: rv = vcard_sw(resp, f->sw); break;
		case VCARD_FAULT_TRUNCATED: resp->len = resp->len ? 1 : 0; break;
		case VCARD_FAULT_OVERSIZED: rv = oversize(cmd, n, resp); break;
		case VCARD_FAULT_GARBAGE: rv = garbage(f->at, resp); break;
		case VCARD_FAULT_REMOVE_BEFORE: break;    /* no answer at all */
		case VCARD_FAULT_REMOVE_AFTER: break;
		}
	}
	t = vcard_pin_tries_left(v, false);
	if (t < v->pin_low)
		v->pin_low = t;
	if (rv == CARTA_OK)
		v->stats.bytes_out += resp->len;
	return rv;
}

bool vcard_fault_last(const struct vcard *v, struct vcard_fault *f)
{
	if (!v || v->last_fault < 0)
		return false;
	if (f)
		*f = v->faults[v->last_fault];
	return true;
}

void vcard_faults_fired(const struct vcard *v, char *out, size_t cap)
{
	size_t i, len = 0;

	if (!cap)
		return;
	out[0] = '\0';
	for (i = 0; i < v->n_faults && len + 1 < cap; i++) {
		if (!v->fired[i])
			continue;
		if (len)
			out[len++] = ',';
		out[len] = '\0';
		vcard_fault_str(&v->faults[i], out + len, cap - len);
		len += strlen(out + len);
	}
}

int vcard_pin_tries_low(const struct vcard *v)
{
	return v->pin_low;
}

void vcard_reset(struct vcard *v)
{
	if (v && v->cie)
		vcard_cie_reset(v->cie);
	else if (v)
		vcard_cns_reset(v->cns);
}

size_t vcard_atr(struct vcard *v, uint8_t *out, size_t cap)
{
	if (!v || !out || cap < v->atr_len)
		return 0;
	memcpy(out, v->atr, v->atr_len);
	return v->atr_len;
}

void vcard_get_stats(const struct vcard *v, struct vcard_stats *st)
{
	*st = v->stats;
}

void vcard_reset_stats(struct vcard *v)
{
	memset(&v->stats, 0, sizeof(v->stats));
}

int vcard_pin_tries_left(const struct vcard *v, bool puk)
{
	if (v->cie)
		return vcard_cie_pin_tries_left(v->cie, puk);
	return (int)(puk ? v->cns->puk.tries : v->cns->pin.tries);
}

size_t vcard_current_pin(const struct vcard *v, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (v->cie)
		return vcard_cie_current_pin(v->cie, out, cap);
	while (n < 8 && v->cns->pin.value[n] != 0xFF)
		n++;
	if (n > cap)
		return 0;
	memcpy(out, v->cns->pin.value, n);
	return n;
}

int vcard_ds_tries_left(const struct vcard *v, bool puk)
{
	if (v->cie || !v->cns->ds)
		return -1;
	return (int)(puk ? v->cns->ds_puk.tries : v->cns->ds_pin.tries);
}

size_t vcard_current_ds_pin(const struct vcard *v, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (v->cie || !v->cns->ds)
		return 0;
	while (n < 8 && v->cns->ds_pin.value[n] != 0xFF)
		n++;
	if (n > cap)
		return 0;
	memcpy(out, v->cns->ds_pin.value, n);
	return n;
}

struct carta_bytes vcard_ds_cert(const struct vcard *v)
{
	struct carta_bytes none = { NULL, 0 };

	if (v->cie || !v->cns->ds)
		return none;
	return carta_buf_view(&v->cns->id.ds_der);
}

struct carta_bytes vcard_infocamere_cert(const struct vcard *v)
{
	struct carta_bytes none = { NULL, 0 };

	if (v->cie || !v->cns->ic || v->cns->ic_empty)
		return none;
	return carta_buf_view(&v->cns->id.ic_der);
}

struct carta_bytes vcard_holder_cert(const struct vcard *v)
{
	if (v->cie)
		return vcard_cie_holder_cert(v->cie);
	return carta_buf_view(&v->cns->id.holder_der);
}

struct carta_bytes vcard_ca_cert(const struct vcard *v)
{
	if (v->cie)
		return vcard_cie_ca_cert(v->cie);
	return carta_buf_view(&v->cns->id.ca_der);
}

const char *vcard_card_id(const struct vcard *v)
{
	if (v->cie)
		return vcard_cie_nis(v->cie);
	return v->cns->id.card_id;
}

static enum carta_err op_apdu(void *card, const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	return vcard_apdu(card, cmd, n, resp);
}

static void op_reset(void *card)
{
	vcard_reset(card);
}

static size_t op_atr(void *card, uint8_t *out, size_t cap)
{
	return vcard_atr(card, out, cap);
}

const struct carta_inproc_card_ops vcard_inproc_ops = {
	.apdu = op_apdu,
	.reset = op_reset,
	.atr = op_atr,
};
