/* SPDX-License-Identifier: BSD-3-Clause */
/* Module life: C_Initialize, C_Finalize, C_GetInfo, fork detection. */
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pkcs11/p11.h"
#include "pkcs11/p11_test.h"

struct carta_p11_module carta_p11;

/* Serialises C_Initialize/C_Finalize themselves: the module's own mutexes
 * do not exist before C_Initialize. */
static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static struct carta_readers *test_readers;

void carta_p11_test_set_readers(struct carta_readers *rs)
{
	test_readers = rs;
}

/* Initialised, and in the process that initialised us (after fork() the
 * child sees the module as not initialised until its own C_Initialize). */
bool carta_p11_ready(void)
{
	return atomic_load(&carta_p11.initialized) && carta_p11.pid == getpid();
}

/* In a child after fork: the parent's cards, PC/SC context and mutexes are
 * not ours. Forget them without closing anything (closing would talk to
 * pcscd on the parent's connection); only secrets are wiped. */
static void forget_parent(void)
{
	size_t i;

	for (i = 0; i < carta_p11.n_slots; i++)
		carta_secret_free(&carta_p11.slots[i].puk);
	memset(carta_p11.slots, 0, sizeof(carta_p11.slots));
	carta_p11.n_slots = 0;
	carta_p11.readers = NULL;
	carta_p11.lock = NULL;
	atomic_store(&carta_p11.initialized, false);
}

static CK_RV setup(void)
{
	CK_RV rv;
	size_t i;

	memset(carta_p11.slots, 0, sizeof(carta_p11.slots));
	carta_p11.n_slots = 0;
	carta_p11.next_session = 1;
	carta_p11.next_gen = 1;
	atomic_store(&carta_p11.waiters, 0);
	atomic_store(&carta_p11.finalizing, false);
	rv = carta_p11_mutex_new(&carta_p11.lock);
	for (i = 0; i < CARTA_P11_MAX_SLOTS && rv == CKR_OK; i++)
		rv = carta_p11_mutex_new(&carta_p11.slots[i].lock);
	if (rv != CKR_OK)
		goto out;
	carta_p11.readers_given = test_readers != NULL;
	carta_p11.readers = test_readers;
	if (!carta_p11.readers && carta_pcsc_open(&carta_p11.readers) != CARTA_OK)
		carta_p11.readers = NULL;   /* pcscd down: retried on every refresh */
	carta_p11.pid = getpid();
	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	for (i = 0; i < carta_p11.n_slots; i++)
		carta_p11.slots[i].event_pending = false;
	carta_p11_mutex_unlock(carta_p11.lock);
out:
	if (rv != CKR_OK) {
		for (i = 0; i < CARTA_P11_MAX_SLOTS; i++)
			carta_p11_mutex_free(carta_p11.slots[i].lock);
		carta_p11_mutex_free(carta_p11.lock);
		carta_p11.lock = NULL;
	}
	return rv;
}

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	CK_RV rv;

	pthread_mutex_lock(&init_mu);
	if (atomic_load(&carta_p11.initialized) && carta_p11.pid != getpid())
		forget_parent();
	if (atomic_load(&carta_p11.initialized))
		rv = CKR_CRYPTOKI_ALREADY_INITIALIZED;
	else if ((rv = carta_p11_locking_setup(pInitArgs)) != CKR_OK)
		;
	else if ((rv = setup()) == CKR_OK)
		atomic_store(&carta_p11.initialized, true);
	pthread_mutex_unlock(&init_mu);
	return rv;
}

/* C_WaitForSlotEvent in other threads must return before the readers go. */
static void stop_waiters(void)
{
	struct timespec ms = { 0, 1000000L };

	atomic_store(&carta_p11.finalizing, true);
	while (atomic_load(&carta_p11.waiters) > 0) {
		carta_p11_mutex_lock(carta_p11.lock);
		carta_readers_cancel(carta_p11.readers);
		carta_p11_mutex_unlock(carta_p11.lock);
		nanosleep(&ms, NULL);
	}
}

static void teardown(void)
{
	struct carta_p11_slot *s;
	size_t i;

	for (i = 0; i < CARTA_P11_MAX_SLOTS; i++) {
		s = &carta_p11.slots[i];
		carta_p11_mutex_lock(s->lock);
		carta_p11_sessions_close_locked(s, false);
		carta_p11_token_drop_locked(s);
		carta_p11_mutex_unlock(s->lock);
		carta_p11_mutex_free(s->lock);
		s->lock = NULL;
	}
	if (!carta_p11.readers_given)
		carta_readers_close(&carta_p11.readers);
	carta_p11.readers = NULL;
	carta_p11_mutex_free(carta_p11.lock);
	carta_p11.lock = NULL;
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	CK_RV rv = CKR_OK;

	pthread_mutex_lock(&init_mu);
	if (!carta_p11_ready())
		rv = CKR_CRYPTOKI_NOT_INITIALIZED;
	else if (pReserved)
		rv = CKR_ARGUMENTS_BAD;
	else {
		stop_waiters();
		teardown();
		atomic_store(&carta_p11.initialized, false);
		atomic_store(&carta_p11.finalizing, false);
	}
	pthread_mutex_unlock(&init_mu);
	return rv;
}

/* Blank-padded, not NUL-terminated (v2.40 base 3.2). */
void carta_p11_pad(CK_UTF8CHAR *dst, size_t n, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len > n)
		len = n;
	memset(dst, ' ', n);
	if (len)
		memcpy(dst, src, len);
}

CK_RV carta_p11_info(CK_INFO *info, CK_BYTE minor)
{
	CK_RV rv = CKR_OK;

	if (!carta_p11_ready())
		rv = CKR_CRYPTOKI_NOT_INITIALIZED;
	else if (!info)
		rv = CKR_ARGUMENTS_BAD;
	else {
		memset(info, 0, sizeof(*info));
		info->cryptokiVersion.major = minor == 40 ? 2 : 3;
		info->cryptokiVersion.minor = minor;
		carta_p11_pad(info->manufacturerID, sizeof(info->manufacturerID), "carta");
		carta_p11_pad(info->libraryDescription, sizeof(info->libraryDescription),
		              "carta: Italian CNS/TS-CNS/CIE");
		info->libraryVersion.major = 0;
		info->libraryVersion.minor = 1;
	}
	return rv;
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	return carta_p11_info(pInfo, 0);
}
