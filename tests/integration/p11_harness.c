/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the tests/integration/test_p11_*.c programs (#included: the
 * CMake glob builds only test_*.c). The module is driven through its real
 * function list; cards are tools/vcard profiles in in-process readers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <p11-kit/pkcs11.h>

#include "inproc.h"
#include "crypto/crypto.h"
#include "crypto/x509.h"
#include "pkcs11/p11_test.h"
#include "vcard.h"

#define H_MAX 4

struct h {
	struct carta_inproc *ip;
	struct vcard *v[H_MAX];
	CK_FUNCTION_LIST *f;
};

static inline void h_init(struct h *h, size_t readers)
{
	memset(h, 0, sizeof(*h));
	assert_int_equal(carta_inproc_new(readers, &h->ip), CARTA_OK);
	carta_p11_test_set_readers(carta_inproc_readers(h->ip));
	assert_int_equal(C_GetFunctionList(&h->f), CKR_OK);
	assert_int_equal(h->f->C_Initialize(NULL), CKR_OK);
}

static inline struct vcard *h_card(struct h *h, size_t slot, const char *profile)
{
	struct vcard_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	assert_true(slot < H_MAX);
	if (!h->v[slot])
		assert_int_equal(vcard_new(&cfg, &h->v[slot]), CARTA_OK);
	assert_int_equal(carta_inproc_insert(h->ip, slot, &vcard_inproc_ops, h->v[slot]), CARTA_OK);
	return h->v[slot];
}

static inline void h_done(struct h *h)
{
	size_t i;

	assert_int_equal(h->f->C_Finalize(NULL), CKR_OK);
	for (i = 0; i < H_MAX; i++) {
		if (h->v[i])
			carta_inproc_remove(h->ip, i);
		vcard_free(h->v[i]);
	}
	carta_inproc_free(h->ip);
	carta_p11_test_set_readers(NULL);
}

static inline CK_SESSION_HANDLE h_open(struct h *h, CK_SLOT_ID slot, CK_FLAGS extra)
{
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;

	assert_int_equal(h->f->C_OpenSession(slot, CKF_SERIAL_SESSION | extra, NULL, NULL, &s), CKR_OK);
	return s;
}

static inline CK_RV h_login(struct h *h, CK_SESSION_HANDLE s, CK_USER_TYPE who, const char *pin)
{
	return h->f->C_Login(s, who, (CK_UTF8CHAR *)pin, strlen(pin));
}

/* Find objects of a class (and CKA_ID if id != NULL); returns the count. */
static inline CK_ULONG h_find(struct h *h, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls,
                              CK_OBJECT_HANDLE *out, CK_ULONG cap)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_ULONG n = 0;

	assert_int_equal(h->f->C_FindObjectsInit(s, t, 1), CKR_OK);
	assert_int_equal(h->f->C_FindObjects(s, out, cap, &n), CKR_OK);
	assert_int_equal(h->f->C_FindObjectsFinal(s), CKR_OK);
	return n;
}

/* Value of one attribute into a malloc'd buffer (two-call rule). */
static inline uint8_t *h_attr(struct h *h, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                              CK_ATTRIBUTE_TYPE type, CK_ULONG *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };

	assert_int_equal(h->f->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
	a.pValue = malloc(a.ulValueLen + 1);
	assert_non_null(a.pValue);
	assert_int_equal(h->f->C_GetAttributeValue(s, o, &a, 1), CKR_OK);
	*len = a.ulValueLen;
	return a.pValue;
}

static inline unsigned long h_apdus(const struct vcard *v)
{
	struct vcard_stats st;

	vcard_get_stats(v, &st);
	return st.apdus;
}
