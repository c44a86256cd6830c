/* SPDX-License-Identifier: BSD-3-Clause */
/* Mutexes per CK_C_INITIALIZE_ARGS (PKCS#11 v2.40 base 5.4, C_Initialize):
 * the application's callbacks when it gives them without CKF_OS_LOCKING_OK,
 * else pthread mutexes (also when the application asked for no locking:
 * harmless and safe). */
#include <pthread.h>
#include <stdlib.h>

#include "pkcs11/core/state.h"

static struct {
	bool app;
	CK_CREATEMUTEX create;
	CK_DESTROYMUTEX destroy;
	CK_LOCKMUTEX lock;
	CK_UNLOCKMUTEX unlock;
} lk;

CK_RV carta_p11_locking_setup(const CK_C_INITIALIZE_ARGS *args)
{
	CK_RV rv = CKR_OK;
	int given;

	lk.app = false;
	if (!args)
		goto out;
	given = !!args->CreateMutex + !!args->DestroyMutex + !!args->LockMutex +
	        !!args->UnlockMutex;
	if (args->pReserved)
		rv = CKR_ARGUMENTS_BAD;
	else if (given != 0 && given != 4)
		rv = CKR_ARGUMENTS_BAD;
	else if (given == 4 && !(args->flags & CKF_OS_LOCKING_OK)) {
		lk.app = true;
		lk.create = args->CreateMutex;
		lk.destroy = args->DestroyMutex;
		lk.lock = args->LockMutex;
		lk.unlock = args->UnlockMutex;
	}
out:
	return rv;
}

CK_RV carta_p11_mutex_new(void **m)
{
	pthread_mutex_t *pm;
	CK_RV rv = CKR_OK;

	*m = NULL;
	if (lk.app) {
		rv = lk.create(m);
	} else {
		pm = malloc(sizeof(*pm));
		if (!pm)
			rv = CKR_HOST_MEMORY;
		else if (pthread_mutex_init(pm, NULL) != 0) {
			free(pm);
			rv = CKR_CANT_LOCK;
		} else
			*m = pm;
	}
	return rv;
}

void carta_p11_mutex_free(void *m)
{
	if (!m)
		return;
	if (lk.app) {
		lk.destroy(m);
	} else {
		pthread_mutex_destroy(m);
		free(m);
	}
}

void carta_p11_mutex_lock(void *m)
{
	if (lk.app)
		(void)lk.lock(m);
	else
		pthread_mutex_lock(m);
}

void carta_p11_mutex_unlock(void *m)
{
	if (lk.app)
		(void)lk.unlock(m);
	else
		pthread_mutex_unlock(m);
}
