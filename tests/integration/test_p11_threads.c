/* SPDX-License-Identifier: BSD-3-Clause */
/* Four threads signing on two virtual cards at once, with OS locking
 * (the ThreadSanitizer test: build with -DCARTA_SANITIZE=thread). */
#include <pthread.h>

#include "p11_harness.c"

#define ROUNDS 10

struct worker {
	CK_FUNCTION_LIST *f;
	CK_SLOT_ID slot;
	struct carta_bytes cert;
	int ok;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof(cls) };
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	uint8_t sig[512], hash[32], data[16];
	size_t hl;
	CK_ULONG n;
	CK_RV rv;
	int i;

	if (w->f->C_OpenSession(w->slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return NULL;
	if (w->f->C_FindObjectsInit(s, &t, 1) != CKR_OK ||
	    w->f->C_FindObjects(s, &k, 1, &n) != CKR_OK || n != 1 ||
	    w->f->C_FindObjectsFinal(s) != CKR_OK)
		return NULL;
	rv = w->f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)"12345678", 8);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		return NULL;
	for (i = 0; i < ROUNDS; i++) {
		snprintf((char *)data, sizeof(data), "slot%lu-%d", w->slot, i);
		n = sizeof(sig);
		if (w->f->C_SignInit(s, &m, k) != CKR_OK ||
		    w->f->C_Sign(s, data, sizeof(data), sig, &n) != CKR_OK)
			return NULL;
		if (carta_digest(CARTA_HASH_SHA256, data, sizeof(data), hash, sizeof(hash), &hl) !=
		    CARTA_OK)
			return NULL;
		if (carta_rsa_verify_pkcs1(w->cert.p, w->cert.len, true, CARTA_HASH_SHA256, hash, hl,
		                           sig, n) != CARTA_OK)
			return NULL;
		w->ok++;
	}
	w->f->C_CloseSession(s);
	return NULL;
}

static void test_four_threads_two_cards(void **state)
{
	CK_C_INITIALIZE_ARGS a;
	struct worker w[4];
	pthread_t th[4];
	struct h h;
	int i;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(carta_inproc_new(2, &h.ip), CARTA_OK);
	carta_p11_test_set_readers(carta_inproc_readers(h.ip));
	assert_int_equal(C_GetFunctionList(&h.f), CKR_OK);
	memset(&a, 0, sizeof(a));
	a.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(h.f->C_Initialize(&a), CKR_OK);
	h_card(&h, 0, "st");
	h_card(&h, 1, "idemia");
	for (i = 0; i < 4; i++) {
		w[i].f = h.f;
		w[i].slot = (CK_SLOT_ID)(i % 2);
		w[i].cert = vcard_holder_cert(h.v[i % 2]);
		w[i].ok = 0;
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].ok, ROUNDS);
	}
	h_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_threads_two_cards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
