/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers for the test_vcard*.c programs (included, not compiled alone). */
#ifndef TEST_VCARD_HELPERS_H
#define TEST_VCARD_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "util/hex.h"
#include "vcard.h"

/* A card of `profile` with the default identity (seed "carta-test"). */
static inline struct vcard *mk(const char *profile)
{
	struct vcard_config cfg;
	struct vcard *v = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	assert_int_equal(vcard_new(&cfg, &v), CARTA_OK);
	assert_non_null(v);
	return v;
}

static inline struct vcard *mk_cfg(const struct vcard_config *cfg)
{
	struct vcard *v = NULL;

	assert_int_equal(vcard_new(cfg, &v), CARTA_OK);
	return v;
}

/* Send raw bytes; returns the SW, data (without SW) left in *data. */
static inline uint16_t txb(struct vcard *v, const uint8_t *cmd, size_t n, struct carta_buf *data)
{
	struct carta_buf r = { 0 };
	uint16_t sw;

	assert_int_equal(vcard_apdu(v, cmd, n, &r), CARTA_OK);
	assert_true(r.len >= 2);
	sw = (uint16_t)(r.p[r.len - 2] << 8 | r.p[r.len - 1]);
	if (data)
		assert_int_equal(carta_buf_set(data, r.p, r.len - 2), CARTA_OK);
	carta_buf_free(&r);
	return sw;
}

/* Send a command given in hex (spaces allowed). */
static inline uint16_t tx(struct vcard *v, const char *hex, struct carta_buf *data)
{
	struct carta_buf c = { 0 };
	uint16_t sw;

	assert_int_equal(carta_hex_decode(hex, strlen(hex), &c), CARTA_OK);
	sw = txb(v, c.p, c.len, data);
	carta_buf_free(&c);
	return sw;
}

/* The command must answer exactly `resp_hex` (data + SW). */
static inline void expect(struct vcard *v, const char *cmd_hex, const char *resp_hex)
{
	struct carta_buf c = { 0 }, want = { 0 }, got = { 0 };

	assert_int_equal(carta_hex_decode(cmd_hex, strlen(cmd_hex), &c), CARTA_OK);
	assert_int_equal(carta_hex_decode(resp_hex, strlen(resp_hex), &want), CARTA_OK);
	assert_int_equal(vcard_apdu(v, c.p, c.len, &got), CARTA_OK);
	if (got.len != want.len || memcmp(got.p, want.p, got.len) != 0) {
		char h[4096];

		carta_hex_encode(got.p, got.len < 2000 ? got.len : 2000, h, sizeof(h));
		print_error("command %s\n  got  %s\n  want %s\n", cmd_hex, h, resp_hex);
		fail();
	}
	carta_buf_free(&c);
	carta_buf_free(&want);
	carta_buf_free(&got);
}

static inline void expect_sw(struct vcard *v, const char *cmd_hex, uint16_t sw)
{
	uint16_t got = tx(v, cmd_hex, NULL);

	if (got != sw) {
		print_error("command %s: SW %04X, want %04X\n", cmd_hex, got, sw);
		fail();
	}
}

static inline bool bytes_eq_hex(const uint8_t *p, size_t n, const char *hex)
{
	struct carta_buf w = { 0 };
	bool eq;

	assert_int_equal(carta_hex_decode(hex, strlen(hex), &w), CARTA_OK);
	eq = w.len == n && memcmp(w.p, p, n) == 0;
	carta_buf_free(&w);
	return eq;
}

#endif
