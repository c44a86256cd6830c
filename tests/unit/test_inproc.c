/* SPDX-License-Identifier: BSD-3-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <cmocka.h>

#include "inproc.h"

/* A trivial card: answers "<count> 90 00", counts resets. */
struct fake {
	unsigned apdus, resets;
};

static enum carta_err fk_apdu(void *card, const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	struct fake *f = card;
	uint8_t r[3];

	(void)cmd;
	(void)n;
	f->apdus++;
	r[0] = (uint8_t)f->apdus;
	r[1] = 0x90;
	r[2] = 0x00;
	return carta_buf_set(resp, r, 3);
}

static void fk_reset(void *card)
{
	((struct fake *)card)->resets++;
}

static size_t fk_atr(void *card, uint8_t *out, size_t cap)
{
	static const uint8_t atr[] = { 0x3b, 0x80, 0x80, 0x01, 0x01 };

	(void)card;
	if (cap < sizeof(atr))
		return 0;
	memcpy(out, atr, sizeof(atr));
	return sizeof(atr);
}

static const struct carta_inproc_card_ops fk_ops = { fk_apdu, fk_reset, fk_atr };

static enum carta_err tx(struct carta_transport *t)
{
	struct carta_buf r = { 0 };
	enum carta_err rv = carta_transport_transmit(t, (const uint8_t *)"\x00\xb0\x00\x00\x01", 5, &r);

	if (rv == CARTA_OK)
		assert_int_equal(r.len, 3);
	else
		assert_int_equal(r.len, 0);
	carta_buf_free(&r);
	return rv;
}

static void test_list_insert_remove(void **state)
{
	struct carta_inproc *ip;
	struct carta_readers *rs;
	struct carta_reader_state st[CARTA_MAX_READERS];
	struct carta_transport *t, *t2;
	struct fake card = { 0 };
	size_t n;
	uint32_t ev;

	(void)state;
	assert_int_equal(carta_inproc_new(2, &ip), CARTA_OK);
	rs = carta_inproc_readers(ip);
	assert_int_equal(carta_readers_list(rs, st, &n), CARTA_OK);
	assert_int_equal(n, 2);
	assert_string_equal(st[0].name, "Carta Virtual Reader 0");
	assert_string_equal(st[1].name, "Carta Virtual Reader 1");
	assert_false(st[1].present);
	ev = st[1].event_count;
	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 1", &t), CARTA_E_NO_CARD);
	assert_int_equal(carta_readers_connect(rs, "nope", &t), CARTA_E_NO_READER);

	assert_int_equal(carta_inproc_insert(ip, 1, &fk_ops, &card), CARTA_OK);
	assert_int_equal(card.resets, 1);  /* power-up */
	assert_int_equal(carta_inproc_insert(ip, 1, &fk_ops, &card), CARTA_E_ARGS);
	assert_int_equal(carta_inproc_insert(ip, 2, &fk_ops, &card), CARTA_E_ARGS);
	assert_int_equal(carta_readers_list(rs, st, &n), CARTA_OK);
	assert_true(st[1].present);
	assert_false(st[0].present);
	assert_int_equal(st[1].atr_len, 5);
	assert_int_not_equal(st[1].event_count, ev);
	ev = st[1].event_count;

	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 1", &t), CARTA_OK);
	assert_int_equal(t->atr_len, 5);
	assert_string_equal(t->reader, "Carta Virtual Reader 1");
	assert_int_equal(tx(t), CARTA_OK);
	assert_int_equal(card.apdus, 1);

	carta_inproc_remove(ip, 1);
	assert_int_equal(tx(t), CARTA_E_CARD_REMOVED);
	assert_int_equal(carta_transport_begin(t), CARTA_E_CARD_REMOVED);
	assert_int_equal(carta_readers_list(rs, st, &n), CARTA_OK);
	assert_false(st[1].present);
	assert_int_not_equal(st[1].event_count, ev);
	/* a new card does not revive the old connection */
	assert_int_equal(carta_inproc_insert(ip, 1, &fk_ops, &card), CARTA_OK);
	assert_int_equal(tx(t), CARTA_E_CARD_REMOVED);
	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 1", &t2), CARTA_OK);
	assert_int_equal(tx(t2), CARTA_OK);
	carta_transport_close(&t);
	carta_transport_close(&t2);
	carta_readers_close(&rs);
	carta_inproc_free(ip);
}

static void test_reset(void **state)
{
	struct carta_inproc *ip;
	struct carta_readers *rs;
	struct carta_transport *a, *b;
	struct fake card = { 0 };

	(void)state;
	assert_int_equal(carta_inproc_new(1, &ip), CARTA_OK);
	rs = carta_inproc_readers(ip);
	assert_int_equal(carta_inproc_insert(ip, 0, &fk_ops, &card), CARTA_OK);
	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 0", &a), CARTA_OK);
	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 0", &b), CARTA_OK);
	card.resets = 0;

	carta_inproc_reset_by_other(ip, 0);
	assert_int_equal(card.resets, 1);
	assert_int_equal(tx(a), CARTA_E_CARD_RESET);
	assert_int_equal(card.apdus, 0);    /* the command did not reach the card */
	assert_int_equal(tx(a), CARTA_OK);  /* reported once */
	assert_int_equal(carta_transport_begin(b), CARTA_E_CARD_RESET);
	assert_int_equal(carta_transport_begin(b), CARTA_OK);
	assert_int_equal(carta_transport_end(b), CARTA_OK);

	/* our own reset is not news to us, but is to the other transport */
	assert_int_equal(carta_transport_reset(a), CARTA_OK);
	assert_int_equal(card.resets, 2);
	assert_int_equal(tx(a), CARTA_OK);
	assert_int_equal(tx(b), CARTA_E_CARD_RESET);
	assert_int_equal(tx(b), CARTA_OK);
	assert_false(carta_transport_has_control(a));
	carta_transport_close(&a);
	carta_transport_close(&b);
	carta_inproc_free(ip);
}

struct waiter {
	struct carta_readers *rs;
	long timeout;
	enum carta_err rv;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->rv = carta_readers_wait(w->rs, w->timeout);
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void test_wait_cancel(void **state)
{
	struct carta_inproc *ip;
	struct carta_readers *rs;
	struct fake card = { 0 };
	struct waiter w;
	pthread_t th;

	(void)state;
	assert_int_equal(carta_inproc_new(1, &ip), CARTA_OK);
	rs = carta_inproc_readers(ip);
	assert_int_equal(carta_readers_wait(rs, 20), CARTA_E_TIMEOUT);
	assert_int_equal(carta_readers_wait(rs, 0), CARTA_E_TIMEOUT);

	/* an insertion wakes a waiter */
	w = (struct waiter){ rs, 5000, CARTA_E_INTERNAL };
	assert_int_equal(pthread_create(&th, NULL, wait_thread, &w), 0);
	sleep_ms(50);
	assert_int_equal(carta_inproc_insert(ip, 0, &fk_ops, &card), CARTA_OK);
	pthread_join(th, NULL);
	assert_int_equal(w.rv, CARTA_OK);

	/* so does a removal, with an infinite timeout */
	w = (struct waiter){ rs, -1, CARTA_E_INTERNAL };
	assert_int_equal(pthread_create(&th, NULL, wait_thread, &w), 0);
	sleep_ms(50);
	carta_inproc_remove(ip, 0);
	pthread_join(th, NULL);
	assert_int_equal(w.rv, CARTA_OK);

	/* cancel() ends an infinite wait */
	w = (struct waiter){ rs, -1, CARTA_E_INTERNAL };
	assert_int_equal(pthread_create(&th, NULL, wait_thread, &w), 0);
	sleep_ms(50);
	carta_readers_cancel(rs);
	pthread_join(th, NULL);
	assert_int_equal(w.rv, CARTA_E_CANCELLED);
	/* and is not remembered for the next wait */
	assert_int_equal(carta_readers_wait(rs, 10), CARTA_E_TIMEOUT);
	carta_inproc_free(ip);
}

struct txn {
	struct carta_transport *t;
	atomic_int *a_done;
	int seen;
	enum carta_err rv;
};

static void *txn_thread(void *arg)
{
	struct txn *x = arg;

	x->rv = carta_transport_begin(x->t);
	x->seen = atomic_load(x->a_done);
	if (x->rv == CARTA_OK)
		carta_transport_end(x->t);
	return NULL;
}

static void test_transactions_serialise(void **state)
{
	struct carta_inproc *ip;
	struct carta_readers *rs;
	struct carta_transport *a, *b;
	struct fake card = { 0 };
	atomic_int a_done = 0;
	struct txn x;
	pthread_t th;

	(void)state;
	assert_int_equal(carta_inproc_new(1, &ip), CARTA_OK);
	rs = carta_inproc_readers(ip);
	assert_int_equal(carta_inproc_insert(ip, 0, &fk_ops, &card), CARTA_OK);
	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 0", &a), CARTA_OK);
	assert_int_equal(carta_readers_connect(rs, "Carta Virtual Reader 0", &b), CARTA_OK);

	assert_int_equal(carta_transport_begin(a), CARTA_OK);
	assert_int_equal(carta_transport_begin(a), CARTA_OK);  /* nested */
	x = (struct txn){ b, &a_done, -1, CARTA_E_INTERNAL };
	assert_int_equal(pthread_create(&th, NULL, txn_thread, &x), 0);
	sleep_ms(50);
	assert_int_equal(tx(a), CARTA_OK);
	assert_int_equal(carta_transport_end(a), CARTA_OK);
	sleep_ms(30);  /* still held: one end() for two begin() */
	atomic_store(&a_done, 1);
	assert_int_equal(carta_transport_end(a), CARTA_OK);
	pthread_join(th, NULL);
	assert_int_equal(x.rv, CARTA_OK);
	assert_int_equal(x.seen, 1);
	assert_int_equal(carta_transport_end(a), CARTA_E_ARGS);  /* not held */

	/* closing a holder releases the lock */
	assert_int_equal(carta_transport_begin(a), CARTA_OK);
	carta_transport_close(&a);
	assert_int_equal(carta_transport_begin(b), CARTA_OK);
	assert_int_equal(carta_transport_end(b), CARTA_OK);
	carta_transport_close(&b);
	carta_inproc_free(ip);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_insert_remove),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_wait_cancel),
		cmocka_unit_test(test_transactions_serialise),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
