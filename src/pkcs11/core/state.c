/* SPDX-License-Identifier: BSD-3-Clause */
/* The module instance and what every call asks first: is the module
 * initialised in this process. */
#include <string.h>
#include <unistd.h>

#include "pkcs11/core/state.h"

struct carta_p11_module carta_p11;
struct carta_readers *carta_p11_preset_readers;

/* Initialised, and in the process that initialised us (after fork() the
 * child sees the module as not initialised until its own C_Initialize). */
bool carta_p11_ready(void)
{
	return atomic_load(&carta_p11.initialized) && carta_p11.pid == getpid();
}

CK_RV carta_p11_ready_rv(void)
{
	if (carta_p11_ready())
		return CKR_OK;
	return carta_p11_fail(CKR_CRYPTOKI_NOT_INITIALIZED, "C_Initialize not called in this process");
}

/* Argument errors come second to "not initialised" (v2.40 base 5.4). */
CK_RV carta_p11_args_rv(CK_RV rv, const char *why)
{
	CK_RV r = carta_p11_ready_rv();

	return r != CKR_OK ? r : carta_p11_fail(rv, "%s", why);
}

/* Blank-padded, not NUL-terminated (v2.40 base 3.2). */
void carta_p11_blank_fill(CK_UTF8CHAR *dst, size_t n, const char *src)
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
	CK_RV rv = carta_p11_ready_rv();

	if (rv == CKR_OK && !info)
		rv = carta_p11_fail(CKR_ARGUMENTS_BAD, "no CK_INFO to fill");
	else if (rv == CKR_OK) {
		memset(info, 0, sizeof(*info));
		info->cryptokiVersion.major = minor == 40 ? 2 : 3;
		info->cryptokiVersion.minor = minor;
		carta_p11_blank_fill(info->manufacturerID, sizeof(info->manufacturerID), "carta");
		carta_p11_blank_fill(info->libraryDescription, sizeof(info->libraryDescription),
		                     "carta: Italian CNS/TS-CNS/CIE");
		info->libraryVersion.major = 0;
		info->libraryVersion.minor = 1;
	}
	return carta_p11_ret(rv, "C_GetInfo(v%d.%d)", minor == 40 ? 2 : 3, (int)minor);
}
