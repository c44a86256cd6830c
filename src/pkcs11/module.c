/* SPDX-License-Identifier: BSD-3-Clause */
/* Module life: C_Initialize, C_Finalize, C_GetInfo, fork detection. The
 * work is in core/lifecycle.c. */
#include <pthread.h>
#include <unistd.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

/* Serialises C_Initialize/C_Finalize themselves: the module's own mutexes
 * do not exist before C_Initialize. */
static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	CK_RV rv;

	pthread_mutex_lock(&init_mu);
	if (atomic_load(&carta_p11.initialized) && carta_p11.pid != getpid())
		carta_p11_forget_parent();
	if (atomic_load(&carta_p11.initialized))
		rv = carta_p11_fail(CKR_CRYPTOKI_ALREADY_INITIALIZED, "C_Initialize called twice");
	else if ((rv = carta_p11_locking_setup(pInitArgs)) != CKR_OK)
		rv = carta_p11_fail(rv, "CK_C_INITIALIZE_ARGS: pReserved set, or some mutex "
		                        "functions given but not all");
	else if ((rv = carta_p11_module_setup()) == CKR_OK)
		atomic_store(&carta_p11.initialized, true);
	pthread_mutex_unlock(&init_mu);
	return carta_p11_ret(rv, "C_Initialize(%s)", pInitArgs ? "args" : "NULL");
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	CK_RV rv;

	pthread_mutex_lock(&init_mu);
	rv = carta_p11_ready_rv();
	if (rv == CKR_OK && pReserved)
		rv = carta_p11_fail(CKR_ARGUMENTS_BAD, "pReserved must be NULL");
	else if (rv == CKR_OK)
		carta_p11_module_teardown();
	pthread_mutex_unlock(&init_mu);
	return carta_p11_ret(rv, "C_Finalize");
}

CK_RV C_GetInfo(CK_INFO_PTR pInfo)
{
	return carta_p11_info(pInfo, 0);
}
