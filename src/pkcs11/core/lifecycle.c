/* SPDX-License-Identifier: BSD-3-Clause */
/* The work of C_Initialize and C_Finalize (module.c): the module's mutexes,
 * its readers and the first reader scan; and their end. */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pkcs11/core/state.h"

/* In a child after fork: the parent's cards, PC/SC context and mutexes are
 * not ours. Forget them without closing anything (closing would talk to
 * pcscd on the parent's connection); only secrets are wiped. */
void carta_p11_forget_parent(void)
{
	size_t i;

	for (i = 0; i < CARTA_P11_MAX_IDS; i++) {
		carta_secret_free(&carta_p11.slots[i].puk);
		carta_secret_free(&carta_p11.slots[i].pin);
	}
	memset(carta_p11.slots, 0, sizeof(carta_p11.slots));
	carta_p11.n_slots = 0;
	carta_p11.readers = NULL;
	carta_p11.lock = NULL;
	atomic_store(&carta_p11.initialized, false);
}

static void first_scan(void)
{
	size_t i;

	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	for (i = 0; i < carta_p11.n_slots; i++)
		carta_p11.slots[i].event_pending = false;
	carta_p11_mutex_unlock(carta_p11.lock);
}

CK_RV carta_p11_module_setup(void)
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
	/* a reader's two slots share one card: one lock */
	for (i = 0; i < CARTA_P11_MAX_SLOTS && rv == CKR_OK; i++)
		carta_p11.slots[CARTA_P11_SIGN_BASE + i].lock = carta_p11.slots[i].lock;
	if (rv != CKR_OK) {
		for (i = 0; i < CARTA_P11_MAX_SLOTS; i++)
			carta_p11_mutex_free(carta_p11.slots[i].lock);
		carta_p11_mutex_free(carta_p11.lock);
		carta_p11.lock = NULL;
		return carta_p11_fail(rv, "cannot create the module's mutexes");
	}
	carta_p11.readers_given = carta_p11_preset_readers != NULL;
	carta_p11.readers = carta_p11_preset_readers;
	if (!carta_p11.readers && carta_pcsc_open(&carta_p11.readers) != CARTA_OK)
		carta_p11.readers = NULL;   /* pcscd down: retried on every refresh */
	carta_p11.pid = getpid();
	first_scan();
	return CKR_OK;
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

void carta_p11_module_teardown(void)
{
	struct carta_p11_slot *s;
	size_t i;

	stop_waiters();
	for (i = 0; i < CARTA_P11_MAX_SLOTS; i++) {
		s = &carta_p11.slots[i];
		carta_p11_mutex_lock(s->lock);
		/* a signature PIN this application verified goes from the card */
		(void)carta_p11_sign_pin_drop_locked(carta_p11_slot_sign(s));
		(void)carta_p11_sign_pin_drop_locked(s);
		carta_p11_sessions_close_locked(carta_p11_slot_sign(s), false);
		carta_p11_sessions_close_locked(s, false);
		carta_p11_token_drop_locked(s);
		carta_p11_mutex_unlock(s->lock);
		carta_p11_mutex_free(s->lock);
		s->lock = NULL;
		carta_p11_slot_sign(s)->lock = NULL;
	}
	if (!carta_p11.readers_given)
		carta_readers_close(&carta_p11.readers);
	carta_p11.readers = NULL;
	carta_p11_mutex_free(carta_p11.lock);
	carta_p11.lock = NULL;
	atomic_store(&carta_p11.initialized, false);
	atomic_store(&carta_p11.finalizing, false);
}
