/* SPDX-License-Identifier: BSD-3-Clause */
/* Removal mid-session, reinsertion, a reset by another process, and
 * C_WaitForSlotEvent (non-blocking, insertion, and C_Finalize from another
 * thread ending a blocked wait). */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "p11_harness.c"

#define PIN "12345678"

/* The private key: call logged in (v2.40 base 4.4 hides it otherwise). */
static CK_OBJECT_HANDLE priv_key(struct h *h, CK_SESSION_HANDLE s)
{
	CK_OBJECT_HANDLE k = CK_INVALID_HANDLE;

	assert_int_equal(h_find(h, s, CKO_PRIVATE_KEY, &k, 1), 1);
	return k;
}

static void test_removal_and_reinsertion(void **state)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_SESSION_HANDLE s, s2;
	CK_SESSION_INFO si;
	CK_TOKEN_INFO ti;
	CK_SLOT_INFO sl;
	CK_OBJECT_HANDLE k;
	uint8_t sig[512];
	CK_ULONG n = sizeof(sig);
	struct h h;

	(void)state;
	h_init(&h, 1);
	h_card(&h, 0, "st");
	s = h_open(&h, 0, CKF_RW_SESSION);
	s2 = h_open(&h, 0, 0);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	k = priv_key(&h, s);
	assert_int_equal(h.f->C_SignInit(s, &m, k), CKR_OK);
	carta_inproc_remove(h.ip, 0);
	assert_int_equal(h.f->C_Sign(s, (CK_BYTE *)"x", 1, sig, &n), CKR_DEVICE_REMOVED);
	assert_int_equal(h.f->C_Sign(s, (CK_BYTE *)"x", 1, sig, &n), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(h.f->C_GetSessionInfo(s2, &si), CKR_DEVICE_REMOVED);
	assert_int_equal(h.f->C_GetSessionInfo(s2, &si), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(h.f->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(h.f->C_GetSlotInfo(0, &sl), CKR_OK);   /* the slot stays */
	assert_int_equal(sl.flags & CKF_TOKEN_PRESENT, 0);

	/* reinsertion: a new token, new handles, logged out */
	h_card(&h, 0, "st");
	assert_int_equal(h.f->C_GetTokenInfo(0, &ti), CKR_OK);
	s = h_open(&h, 0, CKF_RW_SESSION);
	assert_int_equal(h.f->C_SignInit(s, &m, k), CKR_KEY_HANDLE_INVALID);
	assert_int_equal(h.f->C_GetSessionInfo(s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_PUBLIC_SESSION);
	assert_int_equal(h_find(&h, s, CKO_PRIVATE_KEY, &k, 1), 0);   /* logged out */
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	k = priv_key(&h, s);
	assert_int_equal(h.f->C_SignInit(s, &m, k), CKR_OK);
	n = sizeof(sig);
	assert_int_equal(h.f->C_Sign(s, (CK_BYTE *)"x", 1, sig, &n), CKR_OK);
	h_done(&h);
}

/* Another application resets the card between our signatures: the login
 * lasts, the PIN kept for it is verified again inside the signature's
 * transaction, and no try is spent (docs/pkcs11.md "Sharing the card"). */
static void test_reset_by_other(void **state)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_SESSION_HANDLE s;
	CK_SESSION_INFO si;
	CK_OBJECT_HANDLE k, k2;
	uint8_t sig[512];
	CK_ULONG n = sizeof(sig);
	struct vcard *v;
	struct h h;

	(void)state;
	h_init(&h, 1);
	v = h_card(&h, 0, "st");
	s = h_open(&h, 0, CKF_RW_SESSION);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	k = priv_key(&h, s);
	carta_inproc_reset_by_other(h.ip, 0);
	assert_int_equal(h.f->C_GetSessionInfo(s, &si), CKR_OK);   /* the session survives */
	assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);            /* and so does the login */
	assert_int_equal(h_find(&h, s, CKO_PRIVATE_KEY, &k2, 1), 1);
	assert_int_equal(k2, k);   /* handles survive the reset */
	assert_int_equal(h.f->C_SignInit(s, &m, k), CKR_OK);
	assert_int_equal(h.f->C_Sign(s, (CK_BYTE *)"x", 1, sig, &n), CKR_OK);
	assert_int_equal(h.f->C_SignInit(s, &m, k), CKR_OK);
	carta_inproc_reset_by_other(h.ip, 0);
	n = sizeof(sig);
	assert_int_equal(h.f->C_Sign(s, (CK_BYTE *)"x", 1, sig, &n), CKR_OK);
	assert_int_equal(vcard_pin_tries_left(v, false), 3);
	assert_int_equal(h.f->C_GetSessionInfo(s, &si), CKR_OK);
	assert_int_equal(si.state, CKS_RW_USER_FUNCTIONS);
	h_done(&h);
}

static void test_wait_for_slot_event(void **state)
{
	CK_SLOT_ID id = 99;
	CK_ULONG n = 0;
	struct h h;

	(void)state;
	h_init(&h, 2);
	assert_int_equal(h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_NO_EVENT);
	h_card(&h, 1, "idemia");
	assert_int_equal(h.f->C_WaitForSlotEvent(0, &id, NULL), CKR_OK);
	assert_int_equal(id, 1);
	assert_int_equal(h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_NO_EVENT);
	assert_int_equal(h.f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 1);
	carta_inproc_remove(h.ip, 1);
	assert_int_equal(h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &id, NULL), CKR_OK);
	assert_int_equal(id, 1);
	vcard_free(h.v[1]);
	h.v[1] = NULL;
	h_done(&h);
}

struct waiter {
	CK_FUNCTION_LIST *f;
	CK_RV rv;
	atomic_int started;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	CK_SLOT_ID id;

	atomic_store(&w->started, 1);
	w->rv = w->f->C_WaitForSlotEvent(0, &id, NULL);
	return NULL;
}

static void test_finalize_ends_wait(void **state)
{
	struct timespec ms50 = { 0, 50000000L };
	struct carta_inproc *ip;
	struct waiter w;
	pthread_t th;

	(void)state;
	w.rv = CKR_OK;
	atomic_init(&w.started, 0);
	assert_int_equal(carta_inproc_new(1, &ip), CARTA_OK);
	carta_p11_test_set_readers(carta_inproc_readers(ip));
	assert_int_equal(C_GetFunctionList(&w.f), CKR_OK);
	assert_int_equal(w.f->C_Initialize(NULL), CKR_OK);
	assert_int_equal(pthread_create(&th, NULL, wait_thread, &w), 0);
	while (!atomic_load(&w.started))
		nanosleep(&ms50, NULL);
	nanosleep(&ms50, NULL);
	assert_int_equal(w.f->C_Finalize(NULL), CKR_OK);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.rv, CKR_CRYPTOKI_NOT_INITIALIZED);
	carta_inproc_free(ip);
	carta_p11_test_set_readers(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_removal_and_reinsertion),
		cmocka_unit_test(test_reset_by_other),
		cmocka_unit_test(test_wait_for_slot_event),
		cmocka_unit_test(test_finalize_ends_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
