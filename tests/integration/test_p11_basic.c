/* SPDX-License-Identifier: BSD-3-Clause */
/* The module without cards: C_Initialize argument rules, C_GetInfo, the
 * v3.0 interfaces, the slot list and its two-call rules, argument checks. */
#include <pthread.h>
#include <unistd.h>
#include <sys/wait.h>

#include "p11_harness.c"
#include "pkcs11/p11.h"

static int n_create, n_lock;

static CK_RV mx_create(void **m)
{
	n_create++;
	*m = calloc(1, sizeof(pthread_mutex_t));
	pthread_mutex_init(*m, NULL);
	return CKR_OK;
}

static CK_RV mx_destroy(void *m)
{
	pthread_mutex_destroy(m);
	free(m);
	return CKR_OK;
}

static CK_RV mx_lock(void *m)
{
	n_lock++;
	pthread_mutex_lock(m);
	return CKR_OK;
}

static CK_RV mx_unlock(void *m)
{
	pthread_mutex_unlock(m);
	return CKR_OK;
}

static void test_init_args(void **state)
{
	CK_FUNCTION_LIST *f;
	CK_C_INITIALIZE_ARGS a;
	struct carta_inproc *ip;
	CK_ULONG n = 0;

	(void)state;
	assert_int_equal(carta_inproc_new(1, &ip), CARTA_OK);
	carta_p11_test_set_readers(carta_inproc_readers(ip));
	assert_int_equal(C_GetFunctionList(&f), CKR_OK);
	assert_int_equal(f->C_Finalize(NULL), CKR_CRYPTOKI_NOT_INITIALIZED);
	assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_CRYPTOKI_NOT_INITIALIZED);

	memset(&a, 0, sizeof(a));
	a.pReserved = &a;
	assert_int_equal(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);
	memset(&a, 0, sizeof(a));
	a.CreateMutex = mx_create;      /* some callbacks but not all */
	assert_int_equal(f->C_Initialize(&a), CKR_ARGUMENTS_BAD);

	/* application callbacks without CKF_OS_LOCKING_OK: they are used */
	a.DestroyMutex = mx_destroy;
	a.LockMutex = mx_lock;
	a.UnlockMutex = mx_unlock;
	assert_int_equal(f->C_Initialize(&a), CKR_OK);
	assert_true(n_create > 0);
	n_lock = 0;
	assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_true(n_lock > 0);
	assert_int_equal(n, 1);
	assert_int_equal(f->C_Initialize(NULL), CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f->C_Finalize(&a), CKR_ARGUMENTS_BAD);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);

	/* OS locking */
	memset(&a, 0, sizeof(a));
	a.flags = CKF_OS_LOCKING_OK;
	n_lock = 0;
	assert_int_equal(f->C_Initialize(&a), CKR_OK);
	assert_int_equal(f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_int_equal(n_lock, 0);
	assert_int_equal(f->C_Finalize(NULL), CKR_OK);
	carta_inproc_free(ip);
	carta_p11_test_set_readers(NULL);
}

static void test_info_and_interfaces(void **state)
{
	struct carta_p11_interface list[4], *iface = NULL;
	CK_FUNCTION_LIST *f30;
	CK_VERSION v240 = { 2, 40 };
	CK_ULONG n = 0;
	CK_INFO info;
	struct h h;

	(void)state;
	h_init(&h, 1);
	assert_int_equal(h.f->C_GetInfo(NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(h.f->C_GetInfo(&info), CKR_OK);
	assert_int_equal(info.cryptokiVersion.major, 2);
	assert_int_equal(info.cryptokiVersion.minor, 40);
	assert_memory_equal(info.manufacturerID, "carta ", 6);
	assert_int_equal(info.manufacturerID[31], ' ');

	assert_int_equal(C_GetInterfaceList(NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(C_GetInterfaceList(NULL, &n), CKR_OK);
	assert_int_equal(n, 2);
	n = 1;
	assert_int_equal(C_GetInterfaceList(list, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 2);
	assert_int_equal(C_GetInterfaceList(list, &n), CKR_OK);
	assert_string_equal((char *)list[0].pInterfaceName, "PKCS 11");
	assert_int_equal(((CK_VERSION *)list[0].pFunctionList)->major, 3);
	assert_int_equal(((CK_VERSION *)list[1].pFunctionList)->major, 2);

	assert_int_equal(C_GetInterface(NULL, NULL, &iface, 0), CKR_OK);
	f30 = iface->pFunctionList;
	assert_int_equal(f30->version.major, 3);
	assert_int_equal(f30->C_GetInfo(&info), CKR_OK);
	assert_int_equal(info.cryptokiVersion.major, 3);
	assert_int_equal(info.cryptokiVersion.minor, 0);
	assert_int_equal(C_GetInterface((CK_UTF8CHAR *)"PKCS 11", &v240, &iface, 0), CKR_OK);
	assert_ptr_equal(iface->pFunctionList, h.f);
	assert_int_equal(C_GetInterface((CK_UTF8CHAR *)"Vendor", NULL, &iface, 0), CKR_ARGUMENTS_BAD);
	assert_int_equal(C_GetInterface(NULL, NULL, &iface, CKF_INTERFACE_FORK_SAFE),
	                 CKR_ARGUMENTS_BAD);
	h_done(&h);
}

static void test_slot_list(void **state)
{
	CK_SLOT_ID ids[4];
	CK_SLOT_INFO si;
	CK_TOKEN_INFO ti;
	CK_ULONG n = 0;
	CK_SESSION_HANDLE s;
	struct h h;

	(void)state;
	h_init(&h, 2);
	assert_int_equal(h.f->C_GetSlotList(CK_FALSE, NULL, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(h.f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	assert_int_equal(n, 2);
	n = 1;
	assert_int_equal(h.f->C_GetSlotList(CK_FALSE, ids, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(n, 2);
	assert_int_equal(h.f->C_GetSlotList(CK_FALSE, ids, &n), CKR_OK);
	assert_int_equal(ids[0], 0);
	assert_int_equal(ids[1], 1);
	assert_int_equal(h.f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 0);
	assert_int_equal(h.f->C_GetSlotInfo(1, &si), CKR_OK);
	assert_memory_equal(si.slotDescription, "Carta Virtual Reader 1 ", 23);
	assert_int_equal(si.flags & CKF_TOKEN_PRESENT, 0);
	assert_true(si.flags & CKF_REMOVABLE_DEVICE);
	assert_int_equal(h.f->C_GetSlotInfo(7, &si), CKR_SLOT_ID_INVALID);
	assert_int_equal(h.f->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(h.f->C_OpenSession(0, CKF_SERIAL_SESSION, NULL, NULL, &s),
	                 CKR_TOKEN_NOT_PRESENT);
	assert_int_equal(h.f->C_OpenSession(0, 0, NULL, NULL, &s), CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	assert_int_equal(h.f->C_CloseSession(12345), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(h.f->C_Login(0x101, CKU_USER, (CK_UTF8CHAR *)"1", 1),
	                 CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, &ids[0], NULL), CKR_NO_EVENT);
	assert_int_equal(h.f->C_WaitForSlotEvent(CKF_DONT_BLOCK, NULL, NULL), CKR_ARGUMENTS_BAD);
	h_done(&h);
}

/* pkcs11-tool --test-fork: the child sees an uninitialised module. */
static void test_fork(void **state)
{
	CK_ULONG n = 0;
	pid_t pid;
	int st = -1;
	struct h h;

	(void)state;
	h_init(&h, 1);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int ok = h.f->C_GetSlotList(CK_FALSE, NULL, &n) == CKR_CRYPTOKI_NOT_INITIALIZED &&
		         h.f->C_Finalize(NULL) == CKR_CRYPTOKI_NOT_INITIALIZED &&
		         h.f->C_Initialize(NULL) == CKR_OK &&
		         h.f->C_GetSlotList(CK_FALSE, NULL, &n) == CKR_OK && n == 1 &&
		         h.f->C_Finalize(NULL) == CKR_OK;
		_exit(ok ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	assert_int_equal(h.f->C_GetSlotList(CK_FALSE, NULL, &n), CKR_OK);
	h_done(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_args),
		cmocka_unit_test(test_info_and_interfaces),
		cmocka_unit_test(test_slot_list),
		cmocka_unit_test(test_fork),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
