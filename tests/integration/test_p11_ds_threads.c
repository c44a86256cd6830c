/* SPDX-License-Identifier: BSD-3-Clause */
/* Threads using both tokens of one card at once (docs/pkcs11.md "One token
 * per PIN"): the two slots share the card and its lock; each thread signs
 * with its token's key (the signature key with a context login each time)
 * and checks every signature with OpenSSL. Also run in the TSan build
 * (label "threads"). */
#include <pthread.h>

#include "p11_ds_tap.c"

#define THREADS 4   /* two per token */
#define ROUNDS 8

struct worker {
	CK_FUNCTION_LIST *f;
	CK_SLOT_ID slot;
	bool ds;
	struct carta_bytes cert;
	int ok;
	const char *failed;
	CK_RV rv;
};

static bool step(struct worker *w, const char *what, CK_RV rv, CK_RV want)
{
	if (rv == want)
		return true;
	w->failed = what;
	w->rv = rv;
	return false;
}

static bool find_key(struct worker *w, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *k)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE t = { CKA_CLASS, &cls, sizeof(cls) };
	const char *pin = w->ds ? DS_PIN : CNS_PIN;
	CK_ULONG n = 0;
	CK_RV rv;

	rv = w->f->C_Login(s, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin));
	if (rv == CKR_USER_ALREADY_LOGGED_IN)
		rv = CKR_OK;
	return step(w, "C_Login", rv, CKR_OK) &&
	       step(w, "C_FindObjectsInit", w->f->C_FindObjectsInit(s, &t, 1), CKR_OK) &&
	       step(w, "C_FindObjects", w->f->C_FindObjects(s, k, 1, &n), CKR_OK) &&
	       step(w, "C_FindObjectsFinal", w->f->C_FindObjectsFinal(s), CKR_OK) &&
	       step(w, "private key count", n, 1);
}

static bool sign_round(struct worker *w, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE k, int i)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	uint8_t sig[512], hash[32], data[48];
	CK_ULONG n = sizeof(sig);
	size_t hl;

	memset(data, 0, sizeof(data));
	snprintf((char *)data, sizeof(data), "slot%lu-%d", w->slot, i);
	if (!step(w, "C_SignInit", w->f->C_SignInit(s, &m, k), CKR_OK))
		return false;
	if (w->ds && !step(w, "C_Login(CKU_CONTEXT_SPECIFIC)",
	                   w->f->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR *)DS_PIN, 8), CKR_OK))
		return false;
	return step(w, "C_Sign", w->f->C_Sign(s, data, sizeof(data), sig, &n), CKR_OK) &&
	       step(w, "carta_digest", carta_digest(CARTA_HASH_SHA256, data, sizeof(data), hash,
	                                            sizeof(hash), &hl) == CARTA_OK, true) &&
	       step(w, "signature check",
	            carta_rsa_verify_pkcs1(w->cert.p, w->cert.len, true, CARTA_HASH_SHA256, hash,
	                                   hl, sig, n) == CARTA_OK, true);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE k;
	int i;

	if (!step(w, "C_OpenSession",
	          w->f->C_OpenSession(w->slot, CKF_SERIAL_SESSION, NULL, NULL, &s), CKR_OK))
		return NULL;
	if (find_key(w, s, &k))
		for (i = 0; i < ROUNDS && sign_round(w, s, k, i); i++)
			w->ok++;
	if (!w->failed)
		step(w, "C_CloseSession", w->f->C_CloseSession(s), CKR_OK);
	return NULL;
}

static void test_both_tokens_at_once(void **state)
{
	CK_C_INITIALIZE_ARGS a;
	struct worker w[THREADS];
	pthread_t th[THREADS];
	bool started[THREADS];
	int i, created = 0, joined = 0;
	struct tap t;
	struct h h;
	CK_ULONG n = 0;

	(void)state;
	memset(&h, 0, sizeof(h));
	assert_int_equal(carta_inproc_new(1, &h.ip), CARTA_OK);
	carta_p11_test_set_readers(carta_inproc_readers(h.ip));
	assert_int_equal(C_GetFunctionList(&h.f), CKR_OK);
	memset(&a, 0, sizeof(a));
	a.flags = CKF_OS_LOCKING_OK;
	assert_int_equal(h.f->C_Initialize(&a), CKR_OK);
	tap_card(&h, &t, 0, "st", false);
	assert_int_equal(h.f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 2);
	memset(w, 0, sizeof(w));
	for (i = 0; i < THREADS; i++) {
		w[i].f = h.f;
		w[i].ds = i % 2 == 1;
		w[i].slot = w[i].ds ? SIGN_SLOT(0) : 0;
		w[i].cert = w[i].ds ? vcard_ds_cert(t.v) : vcard_holder_cert(t.v);
		started[i] = pthread_create(&th[i], NULL, work, &w[i]) == 0;
		created += started[i];
	}
	for (i = 0; i < THREADS; i++)
		if (started[i] && pthread_join(th[i], NULL) != 0)
			started[i] = false;
	for (i = 0; i < THREADS; i++)
		if (w[i].failed)
			print_error("thread %d (slot %lu): %s returned 0x%lx after %d rounds\n", i,
			            w[i].slot, w[i].failed, w[i].rv, w[i].ok);
	for (i = 0; i < THREADS; i++)
		joined += started[i];
	assert_int_equal(created, THREADS);
	assert_int_equal(joined, THREADS);
	for (i = 0; i < THREADS; i++) {
		assert_null(w[i].failed);
		assert_int_equal(w[i].ok, ROUNDS);
	}
	/* every signature of the signature key had its own VERIFY 1A; the
	 * counters are the card's, unharmed */
	assert_true(atomic_load(&t.verify_ds) >= 2 * ROUNDS);
	assert_int_equal(vcard_ds_tries_left(t.v, false), 3);
	assert_int_equal(vcard_pin_tries_left(t.v, false), 3);
	h_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_both_tokens_at_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
