/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: card answers through the whole CIE 3.0 driver (probe,
 * load, the DH/DAPP start of a login, a signature) and EF.SOD parsing.
 * Input: byte 0 picks the mode and ATR; then answers as <u16 length><bytes>,
 * one per APDU the driver sends (the transport fails when they run out).
 * Without the session keys the fuzzer exercises the plain parsers (GET DATA
 * templates, EF 1004, the read loops) and the rejection of SM answers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cards/cie/cie.h"
#include "crypto/sod.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

struct fz {
	struct carta_transport t;   /* first */
	const uint8_t *p;
	size_t n;
};

static enum carta_err fz_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                  struct carta_buf *resp)
{
	struct fz *f = (struct fz *)t;
	size_t len;

	(void)cmd;
	(void)n;
	carta_buf_clear(resp);
	if (f->n < 2)
		return CARTA_E_TRANSPORT;
	len = (size_t)f->p[0] << 8 | f->p[1];
	f->p += 2;
	f->n -= 2;
	if (len > f->n)
		len = f->n;
	if (len < 2)
		return CARTA_E_TRANSPORT;
	if (carta_buf_append(resp, f->p, len) != CARTA_OK)
		return CARTA_E_NOMEM;
	f->p += len;
	f->n -= len;
	return CARTA_OK;
}

static enum carta_err fz_reset(struct carta_transport *t)
{
	(void)t;
	return CARTA_OK;
}

static const struct carta_transport_ops fz_ops = { .transmit = fz_transmit, .reset = fz_reset };

static const uint8_t atr_nxp[] = { 0x3b, 0x8e, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0x49, 0x54,
	                           0x4e, 0x58, 0x50, 0x12, 0x0f, 0xff, 0x82, 0x90, 0xf0 };
static const uint8_t atr_gem[] = { 0x3b, 0x8f, 0x80, 0x01, 0x80, 0x31, 0x80, 0x65, 0xb0, 0x85,
	                           0x04, 0x00, 0x11, 0x12, 0x0f, 0xff, 0x82, 0x90, 0x00, 0x8a };
static const uint8_t atr_bare[] = { 0x3b, 0x80, 0x80, 0x01, 0x01 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* never touch a real cache */
	setenv("XDG_CACHE_HOME", "/nonexistent/carta-fuzz", 1);
	return 0;
}

static void drive(struct carta_card *c)
{
	uint8_t sig[256];
	size_t sl = sizeof(sig);
	int tries;

	if (carta_cie_driver.probe(c) != CARTA_OK)
		return;
	if (carta_cie_driver.load(c) != CARTA_OK)
		return;
	if (carta_cie_driver.verify(c, 0, (const uint8_t *)"12345678", 8, &tries) == CARTA_OK)
		(void)carta_cie_driver.sign(c, 0, CARTA_SIGN_PKCS1_DATA, (const uint8_t *)"abc", 3,
		                            sig, &sl);
	(void)carta_cie_driver.logout(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f;
	struct carta_card c;
	struct carta_sod sod;
	const uint8_t *atr;
	size_t atr_len;

	if (size < 1)
		return 0;
	if (data[0] & 0x80) {
		(void)carta_sod_parse(data + 1, size - 1, &sod);
		return 0;
	}
	memset(&f, 0, sizeof(f));
	f.t.ops = &fz_ops;
	atr = data[0] % 3 == 0 ? atr_nxp : data[0] % 3 == 1 ? atr_gem : atr_bare;
	atr_len = data[0] % 3 == 0 ? sizeof(atr_nxp)
	          : data[0] % 3 == 1 ? sizeof(atr_gem) : sizeof(atr_bare);
	memcpy(f.t.atr, atr, atr_len);
	f.t.atr_len = atr_len;
	f.p = data + 1;
	f.n = size - 1;
	memset(&c, 0, sizeof(c));
	c.t = &f.t;
	c.drv = &carta_cie_driver;
	drive(&c);
	carta_cie_driver.release(&c);
	free(c.desc.certs[0].der);
	free(c.desc.keys[0].modulus);
	free(c.desc.keys[0].exponent);
	return 0;
}
