/* SPDX-License-Identifier: BSD-3-Clause */
/* Benchmark driver: in ONE process, N times { C_Login, find the private
 * key, SHA256-RSA-PKCS C_Sign of 32 bytes, C_Logout } on the first token.
 * bench.sh runs it with N=1 and N=2: the difference is the cost of a later
 * login + signature on a card that stays inserted (caches warm).
 *   p11sign MODULE PIN N            exit 0 if every step returned CKR_OK */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <p11-kit/pkcs11.h>

#define CHECK(what, call)                                                   \
	do {                                                                \
		CK_RV rv_ = (call);                                         \
		if (rv_ != CKR_OK) {                                        \
			fprintf(stderr, "p11sign: %s: 0x%lx\n", what, rv_); \
			return 1;                                           \
		}                                                           \
	} while (0)

int main(int argc, char **argv)
{
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR);
	CK_FUNCTION_LIST_PTR f;
	CK_SLOT_ID slots[8];
	CK_ULONG ns = 8, nf, siglen;
	CK_SESSION_HANDLE s;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE key;
	CK_MECHANISM mech = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_BYTE data[32] = "carta benchmark: one signature.";
	CK_BYTE sig[1024];
	void *h;
	int i, n;

	if (argc != 4) {
		fprintf(stderr, "usage: p11sign MODULE PIN N\n");
		return 2;
	}
	n = atoi(argv[3]);
	h = dlopen(argv[1], RTLD_NOW);
	if (!h || !(get = (CK_RV(*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(h, "C_GetFunctionList"))) {
		fprintf(stderr, "p11sign: %s\n", dlerror());
		return 1;
	}
	CHECK("C_GetFunctionList", get(&f));
	CHECK("C_Initialize", f->C_Initialize(NULL));
	CHECK("C_GetSlotList", f->C_GetSlotList(CK_TRUE, slots, &ns));
	if (ns == 0) {
		fprintf(stderr, "p11sign: no token\n");
		return 1;
	}
	CHECK("C_OpenSession", f->C_OpenSession(slots[0], CKF_SERIAL_SESSION, NULL, NULL, &s));
	for (i = 0; i < n; i++) {
		CHECK("C_Login", f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[2], strlen(argv[2])));
		CHECK("C_FindObjectsInit", f->C_FindObjectsInit(s, tmpl, 1));
		CHECK("C_FindObjects", f->C_FindObjects(s, &key, 1, &nf));
		CHECK("C_FindObjectsFinal", f->C_FindObjectsFinal(s));
		if (nf != 1) {
			fprintf(stderr, "p11sign: no private key\n");
			return 1;
		}
		CHECK("C_SignInit", f->C_SignInit(s, &mech, key));
		siglen = sizeof(sig);
		CHECK("C_Sign", f->C_Sign(s, data, sizeof(data), sig, &siglen));
		CHECK("C_Logout", f->C_Logout(s));
	}
	CHECK("C_CloseSession", f->C_CloseSession(s));
	CHECK("C_Finalize", f->C_Finalize(NULL));
	return 0;
}
