/* SPDX-License-Identifier: BSD-3-Clause */
/* The public vcard API (vcard.h): profile dispatch (CNS here, CIE in cie/),
 * the APDU log counters, fault injection and the per-APDU delay. */
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
	unsigned long fault_at, count;
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
	v->fault_at = cfg->fault_at;
	/* A switch meant for the other family is a mistake in the test, not a no-op. */
	if (is_cie(cfg->profile) ? cfg->no_extended || cfg->dnakey_applet_sw : cfg->cie_last_try_sw)
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

enum carta_err vcard_apdu(struct vcard *v, const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	enum carta_err rv;

	if (!v || !resp || (!cmd && n))
		return CARTA_E_ARGS;
	v->stats.apdus++;
	v->stats.bytes_in += n;
	v->count++;
	delay(v->delay_ms);
	carta_buf_clear(resp);
	if (v->fault_at && v->count == v->fault_at)
		rv = vcard_sw(resp, 0x6F00);
	else if (v->cie)
		rv = vcard_cie_apdu(v->cie, cmd, n, resp);
	else
		rv = vcard_cns_apdu(v->cns, cmd, n, resp);
	if (rv == CARTA_OK)
		v->stats.bytes_out += resp->len;
	return rv;
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
