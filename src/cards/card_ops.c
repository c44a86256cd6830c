/* SPDX-License-Identifier: BSD-3-Clause */
/* The card operations of include/carta/card.h: arguments checked (PIN rules
 * before anything is sent), then the driver op inside a transaction. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cards/card.h"
#include "crypto/secret.h"
#include "util/log.h"

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pin_cache_drop(struct carta_card *c)
{
	memset(c->pin_cache_ok, 0, sizeof(c->pin_cache_ok));
}

enum op_kind {
	OP_STATUS, OP_VERIFY, OP_CHANGE, OP_UNBLOCK, OP_LOGOUT, OP_LOGOUT_OWN, OP_SIGN, OP_DECRYPT
};

/* One driver call: its arguments, named by what they carry. */
struct op {
	enum op_kind kind;
	size_t idx;                  /* the PIN, or the key */
	const uint8_t *value;        /* the PIN, the old PIN or the PUK; the input of a key op */
	size_t value_len;
	const uint8_t *new_pin;      /* change and unblock */
	size_t new_len;
	enum carta_sign_input sign_kind;
	uint8_t *out;
	size_t *outlen;
	int *tries;
	struct carta_pin_status *st;
};

static enum carta_err call(struct carta_card *c, const struct op *o)
{
	const struct carta_card_driver *d = c->drv;

	switch (o->kind) {
	case OP_STATUS:
		return d->pin_status ? d->pin_status(c, o->idx, o->st) : CARTA_E_NOT_SUPPORTED;
	case OP_VERIFY:
		return d->verify ? d->verify(c, o->idx, o->value, o->value_len, o->tries)
		                 : CARTA_E_NOT_SUPPORTED;
	case OP_CHANGE:
		return d->change ? d->change(c, o->idx, o->value, o->value_len, o->new_pin, o->new_len,
		                             o->tries)
		                 : CARTA_E_NOT_SUPPORTED;
	case OP_UNBLOCK:
		return d->unblock ? d->unblock(c, o->idx, o->value, o->value_len, o->new_pin, o->new_len,
		                               o->tries)
		                  : CARTA_E_NOT_SUPPORTED;
	case OP_LOGOUT:
		return d->logout ? d->logout(c) : CARTA_OK;
	case OP_LOGOUT_OWN:
		return d->logout_own ? d->logout_own(c) : CARTA_OK;
	case OP_SIGN:
		return d->sign ? d->sign(c, o->idx, o->sign_kind, o->value, o->value_len, o->out, o->outlen)
		               : CARTA_E_NOT_SUPPORTED;
	case OP_DECRYPT:
		return d->decrypt_raw ? d->decrypt_raw(c, o->idx, o->value, o->value_len, o->out, o->outlen)
		                      : CARTA_E_NOT_SUPPORTED;
	}
	return CARTA_E_INTERNAL;
}

/* The kept PIN, verified once more: someone else reset the card or took
 * the CIE's SM channel (card.h carta_card_keep_login). It got 9000 in this
 * login, so only a change by someone else makes the card refuse it: then it
 * is forgotten and never sent again, and the op keeps its own error. */
static enum carta_err relogin(struct carta_card *c, const struct op *o, enum carta_err rv)
{
	int tries = -1;
	struct op v = { .kind = OP_VERIFY, .idx = c->kept_pin, .value = c->kept->p,
	                .value_len = c->kept->len, .tries = &tries };
	enum carta_err e;

	pin_cache_drop(c);
	e = call(c, &v);
	if (e != CARTA_OK) {
		c->kept = NULL;
		carta_log(CARTA_LOG_ERROR, "the PIN of this login was refused on re-verify (%s, %d "
		          "tries left): changed by another application? Logged out", carta_err_str(e),
		          tries);
		return rv;
	}
	carta_log(CARTA_LOG_INFO, "PIN verified again after another application's reset or "
	          "secure-messaging session");
	return call(c, o);
}

/* Only the PIN that guards the key; never for a key whose PIN goes before
 * each signature (always_auth: the front end never re-presents it, and
 * neither does the card layer). */
static bool needs_pin(const struct carta_card *c, const struct op *o, enum carta_err rv)
{
	const struct carta_key *k;

	if (rv != CARTA_E_SECURITY_STATUS || !c->kept || (o->kind != OP_SIGN && o->kind != OP_DECRYPT))
		return false;
	k = &c->desc.keys[o->idx];
	return k->pin >= 0 && (size_t)k->pin == c->kept_pin && !k->always_auth;
}

/* A reset seen by the first APDU of the op: nothing reached the card, so
 * the op runs once more on the re-established state. The PIN state is gone:
 * a private-key op then fails with CARTA_E_SECURITY_STATUS, and with a kept
 * PIN runs once more after verifying it, in this transaction. */
static enum carta_err run(struct carta_card *c, const struct op *o)
{
	bool was_reset = c->reset_seen;
	enum carta_err rv;

	/* anything but a status read or a signature may change the PIN state */
	if (o->kind != OP_STATUS && o->kind != OP_SIGN)
		pin_cache_drop(c);
	rv = carta_card_begin(c);
	if (rv != CARTA_OK)
		return rv;
	rv = call(c, o);
	if (rv == CARTA_E_CARD_RESET) {
		c->reset_seen = true;
		rv = c->drv->reinit ? c->drv->reinit(c) : CARTA_OK;
		if (rv == CARTA_OK)
			rv = call(c, o);
	}
	if (needs_pin(c, o, rv))
		rv = relogin(c, o, rv);
	carta_card_end(c);
	if (c->reset_seen && !was_reset)
		pin_cache_drop(c);
	return rv;
}

enum carta_err carta_pin_check(const struct carta_pin *p, const uint8_t *v, size_t n)
{
	if (!v)
		return CARTA_E_ARGS;   /* NULL with length 0 is the pad's: see check_pad */
	if (n < p->min_len || n > p->max_len)
		return CARTA_E_PIN_LEN;
	for (size_t i = 0; p->digits_only && i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return CARTA_E_PIN_LEN;
	return CARTA_OK;
}

static bool usable(const struct carta_card *c)
{
	return c && c->drv && c->t && c->t->ops;
}

/* NULL with length 0: the reader's PIN pad collects the value. */
static bool from_pad(const uint8_t *v, size_t n)
{
	return !v && n == 0;
}

/* CARTA_PINPAD=0 turns a (wrongly) advertised PIN pad off (docs/reference/cns.md 4 item 1). */
static bool pad_disabled(void)
{
	const char *e = secure_getenv("CARTA_PINPAD");

	return e && strcmp(e, "0") == 0;
}

/* The reader has the feature (flag and control code), unless switched off:
 * else CARTA_E_ARGS, as for any NULL PIN. The card must take a pad-built
 * command for every PIN involved: else CARTA_E_NOT_SUPPORTED. */
static enum carta_err check_pad(const struct carta_card *c, bool modify, const struct carta_pin *a,
                                const struct carta_pin *b)
{
	unsigned need = modify ? CARTA_TF_PINPAD_MODIFY : CARTA_TF_PINPAD_VERIFY;
	uint32_t code = modify ? c->t->ioctl_modify : c->t->ioctl_verify;

	if (!(c->t->flags & need) || code == 0 || !carta_transport_has_control(c->t) || pad_disabled())
		return CARTA_E_ARGS;
	if (!a->pinpad_ok || (b && !b->pinpad_ok))
		return CARTA_E_NOT_SUPPORTED;
	return CARTA_OK;
}

bool carta_card_pinpad(const struct carta_card *c, size_t pin)
{
	return usable(c) && pin < c->desc.n_pins &&
	       check_pad(c, false, &c->desc.pins[pin], NULL) == CARTA_OK;
}

enum carta_err carta_card_pin_status(struct carta_card *c, size_t pin, struct carta_pin_status *st)
{
	struct op o = { .kind = OP_STATUS, .idx = pin, .st = st };

	long long t = now_ms();
	enum carta_err rv;

	if (!usable(c) || !st || pin >= c->desc.n_pins)
		return CARTA_E_ARGS;
	if (c->pin_cache_ok[pin] && t - c->pin_cache_ms[pin] < (long long)c->pin_cache_ttl_ms &&
	    t >= c->pin_cache_ms[pin]) {
		*st = c->pin_cache[pin];
		return CARTA_OK;
	}
	rv = run(c, &o);
	if (rv == CARTA_OK) {
		c->pin_cache[pin] = *st;
		c->pin_cache_ms[pin] = t;
		c->pin_cache_ok[pin] = true;
	}
	return rv;
}

enum carta_err carta_card_check_reset(struct carta_card *c)
{
	bool was_reset;
	enum carta_err rv;

	if (!usable(c))
		return CARTA_E_ARGS;
	was_reset = c->reset_seen;
	rv = carta_card_begin(c);
	if (rv == CARTA_OK)
		carta_card_end(c);
	if (c->reset_seen && !was_reset)
		pin_cache_drop(c);
	return rv;
}

enum carta_err carta_card_verify(struct carta_card *c, size_t pin, const uint8_t *value,
                                 size_t n, int *tries_left)
{
	struct op o = { .kind = OP_VERIFY, .idx = pin, .value = value, .value_len = n,
	                .tries = tries_left };
	int dummy;
	enum carta_err rv;

	if (!usable(c) || pin >= c->desc.n_pins)
		return CARTA_E_ARGS;
	if (!o.tries)
		o.tries = &dummy;
	*o.tries = -1;
	if (from_pad(value, n))
		rv = check_pad(c, false, &c->desc.pins[pin], NULL);
	else
		rv = carta_pin_check(&c->desc.pins[pin], value, n);
	return rv == CARTA_OK ? run(c, &o) : rv;
}

enum carta_err carta_card_change(struct carta_card *c, size_t pin, const uint8_t *oldv,
                                 size_t oldn, const uint8_t *newv, size_t newn, int *tries_left)
{
	struct op o = { .kind = OP_CHANGE, .idx = pin, .value = oldv, .value_len = oldn,
	                .new_pin = newv, .new_len = newn, .tries = tries_left };
	int dummy;
	enum carta_err rv;

	if (!usable(c) || pin >= c->desc.n_pins)
		return CARTA_E_ARGS;
	if (!o.tries)
		o.tries = &dummy;
	*o.tries = -1;
	if (from_pad(oldv, oldn) && from_pad(newv, newn)) {
		rv = check_pad(c, true, &c->desc.pins[pin], NULL);
	} else {
		/* the pad takes both or neither: one NULL is CARTA_E_ARGS */
		rv = carta_pin_check(&c->desc.pins[pin], oldv, oldn);
		if (rv == CARTA_OK)
			rv = carta_pin_check(&c->desc.pins[pin], newv, newn);
	}
	return rv == CARTA_OK ? run(c, &o) : rv;
}

enum carta_err carta_card_unblock(struct carta_card *c, size_t pin, const uint8_t *puk,
                                  size_t pukn, const uint8_t *new_pin, size_t newn,
                                  int *tries_left)
{
	struct op o = { .kind = OP_UNBLOCK, .idx = pin, .value = puk, .value_len = pukn,
	                .new_pin = new_pin, .new_len = newn, .tries = tries_left };
	int dummy, by;
	enum carta_err rv;

	if (!usable(c) || pin >= c->desc.n_pins)
		return CARTA_E_ARGS;
	if (!o.tries)
		o.tries = &dummy;
	*o.tries = -1;
	by = c->desc.pins[pin].unblocked_by;
	if (by < 0 || (size_t)by >= c->desc.n_pins)
		return CARTA_E_NOT_SUPPORTED;
	if (from_pad(puk, pukn))
		rv = from_pad(new_pin, newn) ?
		     check_pad(c, true, &c->desc.pins[by], &c->desc.pins[pin]) : CARTA_E_ARGS;
	else
		rv = carta_pin_check(&c->desc.pins[by], puk, pukn);
	if (rv == CARTA_OK && puk && (new_pin || newn))
		rv = carta_pin_check(&c->desc.pins[pin], new_pin, newn);
	return rv == CARTA_OK ? run(c, &o) : rv;
}

enum carta_err carta_card_logout(struct carta_card *c)
{
	struct op o = { .kind = OP_LOGOUT };

	if (!usable(c))
		return CARTA_E_ARGS;
	return run(c, &o);
}

enum carta_err carta_card_logout_own(struct carta_card *c)
{
	struct op o = { .kind = OP_LOGOUT_OWN };

	if (!usable(c))
		return CARTA_E_ARGS;
	c->kept = NULL;
	return c->drv->logout_own ? run(c, &o) : CARTA_OK;
}

void carta_card_keep_login(struct carta_card *c, size_t pin, const struct carta_secret *v)
{
	if (!c)
		return;
	c->kept = v && v->p && pin < c->desc.n_pins ? v : NULL;
	c->kept_pin = pin;
}

enum carta_err carta_card_sign(struct carta_card *c, size_t key, enum carta_sign_input kind,
                               const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	struct op o = { .kind = OP_SIGN, .idx = key, .sign_kind = kind, .value = in, .value_len = n,
	                .out = out, .outlen = outlen };

	if (!usable(c) || key >= c->desc.n_keys || !in || !n || !outlen || (!out && *outlen))
		return CARTA_E_ARGS;
	return run(c, &o);
}

enum carta_err carta_card_decrypt_raw(struct carta_card *c, size_t key, const uint8_t *in,
                                      size_t n, uint8_t *out, size_t *outlen)
{
	struct op o = { .kind = OP_DECRYPT, .idx = key, .value = in, .value_len = n, .out = out,
	                .outlen = outlen };

	if (!usable(c) || key >= c->desc.n_keys || !in || !n || !outlen || (!out && *outlen))
		return CARTA_E_ARGS;
	return run(c, &o);
}
