/* SPDX-License-Identifier: BSD-3-Clause */
/* A scripted transport for the card-layer unit tests: each step is the exact
 * command APDU expected on the wire and the answer to give (or a transport
 * error). Any other APDU fails the test. Header-only, test code. */
#ifndef TEST_CARDS_SCRIPT_H
#define TEST_CARDS_SCRIPT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "apdu/transport.h"
#include "util/hex.h"

#define SCRIPT_MAX 64

struct script_step {
	struct carta_buf cmd, resp;
	enum carta_err err;       /* != CARTA_OK: transmit returns it */
};

struct script {
	struct carta_transport t;  /* first: the transport pointer is the script */
	struct script_step steps[SCRIPT_MAX];
	size_t n, pos;
	bool closed;
	int begins, ends;
	enum carta_err begin_err;  /* returned once by the next begin() */
};

static inline void script_hex(struct carta_buf *b, const char *hex)
{
	carta_buf_init(b);
	assert_int_equal(carta_hex_decode(hex, strlen(hex), b), CARTA_OK);
}

static enum carta_err script_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                      struct carta_buf *resp)
{
	struct script *s = (struct script *)t;
	struct script_step *st;
	char got[2 * 600 + 1] = "", want[2 * 600 + 1] = "";

	carta_buf_clear(resp);
	if (s->pos >= s->n) {
		carta_hex_encode(cmd, n < 600 ? n : 600, got, sizeof(got));
		fail_msg("unexpected APDU #%zu: %s", s->pos, got);
	}
	st = &s->steps[s->pos++];
	if (st->cmd.len != n || memcmp(st->cmd.p, cmd, n) != 0) {
		carta_hex_encode(cmd, n < 600 ? n : 600, got, sizeof(got));
		carta_hex_encode(st->cmd.p, st->cmd.len < 600 ? st->cmd.len : 600, want, sizeof(want));
		fail_msg("APDU #%zu:\n  expected %s\n  got      %s", s->pos - 1, want, got);
	}
	if (st->err != CARTA_OK)
		return st->err;
	return carta_buf_append(resp, st->resp.p, st->resp.len);
}

static enum carta_err script_begin(struct carta_transport *t)
{
	struct script *s = (struct script *)t;
	enum carta_err rv = s->begin_err;

	s->begin_err = CARTA_OK;
	if (rv == CARTA_OK)
		s->begins++;
	return rv;
}

static enum carta_err script_end(struct carta_transport *t)
{
	((struct script *)t)->ends++;
	return CARTA_OK;
}

static void script_close(struct carta_transport *t)
{
	((struct script *)t)->closed = true;
}

static const struct carta_transport_ops script_ops = {
	.transmit = script_transmit,
	.begin = script_begin,
	.end = script_end,
	.close = script_close,
};

static inline struct script *script_new(const char *atr_hex)
{
	struct script *s = calloc(1, sizeof(*s));
	struct carta_buf b;

	assert_non_null(s);
	s->t.ops = &script_ops;
	script_hex(&b, atr_hex);
	assert_true(b.len <= sizeof(s->t.atr));
	memcpy(s->t.atr, b.p, b.len);
	s->t.atr_len = b.len;
	carta_buf_free(&b);
	return s;
}

/* Expect command (bytes) and answer with data || sw. */
static inline void script_add_raw(struct script *s, const uint8_t *cmd, size_t cn,
                                  const uint8_t *data, size_t dn, uint16_t sw)
{
	struct script_step *st;

	assert_true(s->n < SCRIPT_MAX);
	st = &s->steps[s->n++];
	carta_buf_init(&st->cmd);
	carta_buf_init(&st->resp);
	assert_int_equal(carta_buf_append(&st->cmd, cmd, cn), CARTA_OK);
	if (dn)
		assert_int_equal(carta_buf_append(&st->resp, data, dn), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(&st->resp, (uint8_t)(sw >> 8)), CARTA_OK);
	assert_int_equal(carta_buf_append_byte(&st->resp, (uint8_t)sw), CARTA_OK);
}

/* Expect command (hex) and answer (hex, data and SW). */
static inline void script_add(struct script *s, const char *cmd, const char *resp)
{
	struct carta_buf c, r;

	script_hex(&c, cmd);
	script_hex(&r, resp);
	assert_true(r.len >= 2);
	script_add_raw(s, c.p, c.len, r.p, r.len - 2,
	               (uint16_t)(r.p[r.len - 2] << 8 | r.p[r.len - 1]));
	carta_buf_free(&c);
	carta_buf_free(&r);
}

/* Expect command (hex) and fail the transmit with err. */
static inline void script_add_err(struct script *s, const char *cmd, enum carta_err err)
{
	script_add(s, cmd, "9000");
	s->steps[s->n - 1].err = err;
}

static inline void script_free(struct script *s)
{
	for (size_t i = 0; i < s->n; i++) {
		carta_buf_free(&s->steps[i].cmd);
		carta_buf_free(&s->steps[i].resp);
	}
	free(s);
}

static inline void script_done(const struct script *s)
{
	assert_int_equal(s->pos, s->n);
}

#endif
