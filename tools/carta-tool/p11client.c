/* SPDX-License-Identifier: BSD-3-Clause */
/* The PKCS#11 client of carta-tool sign: dlopen the module (carta's, or the
 * one --module names), find the token and key, log in, sign. Going through
 * the module, not libcarta, is the point (issue 14): the signature takes the
 * path every third-party application takes, CKA_ALWAYS_AUTHENTICATE and
 * CKU_CONTEXT_SPECIFIC included. */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <p11-kit/pkcs11.h>

#include "p11client.h"
#include "tool.h"

struct p11c {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;         /* the session's */
	bool session, logged_in;
	uint8_t *cert;           /* the chosen key's certificate */
};

/* A PKCS#11 error in words and its exit code (tool.h). */
static int fail(CK_RV rv, const char *call)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
		tool_error("%s", _("wrong PIN"));
		return TOOL_EX_PIN_WRONG;
	case CKR_PIN_LOCKED:
		tool_error("%s", _("the PIN is blocked: unblock it with the PUK (carta-tool pin unblock)"));
		return TOOL_EX_BLOCKED;
	case CKR_PIN_LEN_RANGE:
		tool_error("%s", _("the PIN length breaks the card's rules"));
		return TOOL_EX_REFUSED;
	case CKR_DEVICE_REMOVED: case CKR_TOKEN_NOT_PRESENT:
	case CKR_SESSION_HANDLE_INVALID: case CKR_SESSION_CLOSED:
		tool_error("%s", _("the card was removed"));
		return TOOL_EX_NO_CARD;
	default:
		tool_error(_("%s failed (PKCS#11 error 0x%lx)"), call, (unsigned long)rv);
		return TOOL_EX_FAIL;
	}
}

/* A card pulled out in the middle of an operation may come back from the
 * module as a device error: the reader lost the answer before anyone knew
 * why (tests/e2e/test_sign.sh, the removal at the signature APDU). Whether
 * the token is still in its slot tells the two apart; PC/SC may need a
 * moment to notice, so ask a few times, on this error path only. */
static bool token_gone(struct p11c *m)
{
	const struct timespec pause = { 0, 100 * 1000 * 1000 };
	CK_SLOT_INFO si;

	for (int i = 0; i < 10; i++) {
		if (m->f->C_GetSlotInfo(m->slot, &si) != CKR_OK || !(si.flags & CKF_TOKEN_PRESENT))
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

/* fail() for a call on the card: a device error with the card gone is a removal. */
static int fail_card(struct p11c *m, CK_RV rv, const char *call)
{
	if ((rv == CKR_DEVICE_ERROR || rv == CKR_FUNCTION_FAILED || rv == CKR_GENERAL_ERROR) &&
	    token_gone(m))
		rv = CKR_DEVICE_REMOVED;
	return fail(rv, call);
}

int p11c_open(const char *path, struct p11c **out)
{
	CK_C_GetFunctionList get;
	struct p11c *m = calloc(1, sizeof(*m));
	CK_RV rv;

	*out = NULL;
	if (!m)
		return TOOL_EX_FAIL;
	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl) {
		tool_error(_("cannot load the PKCS#11 module %s: %s"), path, dlerror());
		free(m);
		return TOOL_EX_FAIL;
	}
	*(void **)&get = dlsym(m->dl, "C_GetFunctionList");
	if (!get || get(&m->f) != CKR_OK || !m->f) {
		tool_error(_("%s is not a PKCS#11 module"), path);
		dlclose(m->dl);
		free(m);
		return TOOL_EX_FAIL;
	}
	rv = m->f->C_Initialize(NULL);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		int r = fail(rv, "C_Initialize");
		dlclose(m->dl);
		free(m);
		return r;
	}
	*out = m;
	return TOOL_EX_OK;
}

void p11c_close(struct p11c **pm)
{
	struct p11c *m = *pm;

	if (!m)
		return;
	if (m->logged_in)
		(void)m->f->C_Logout(m->s);
	if (m->session)
		(void)m->f->C_CloseSession(m->s);
	(void)m->f->C_Finalize(NULL);
	dlclose(m->dl);
	free(m->cert);
	free(m);
	*pm = NULL;
}

static void trim(char *dst, size_t cap, const CK_UTF8CHAR *src, size_t n)
{
	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\0'))
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* One attribute's value, malloc'd (the two-call rule). */
static CK_RV attr_alloc(struct p11c *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
                        CK_ATTRIBUTE_TYPE type, uint8_t **v, size_t *n)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv = m->f->C_GetAttributeValue(s, o, &a, 1);

	*v = NULL;
	*n = 0;
	if (rv != CKR_OK)
		return rv;
	if (a.ulValueLen == CK_UNAVAILABLE_INFORMATION || a.ulValueLen > 1u << 20)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	a.pValue = malloc(a.ulValueLen ? a.ulValueLen : 1);
	if (!a.pValue)
		return CKR_HOST_MEMORY;
	rv = m->f->C_GetAttributeValue(s, o, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return rv;
	}
	*v = a.pValue;
	*n = a.ulValueLen;
	return CKR_OK;
}

static bool attr_bool(struct p11c *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE t)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = { t, &b, sizeof(b) };

	return m->f->C_GetAttributeValue(s, o, &a, 1) == CKR_OK && b == CK_TRUE;
}

/* Up to cap objects of a class on the session. */
static CK_ULONG find(struct p11c *m, CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls,
                     CK_OBJECT_HANDLE *out, CK_ULONG cap)
{
	CK_ATTRIBUTE tmpl = { CKA_CLASS, &cls, sizeof(cls) };
	CK_ULONG n = 0;

	if (m->f->C_FindObjectsInit(s, &tmpl, 1) != CKR_OK)
		return 0;
	if (m->f->C_FindObjects(s, out, cap, &n) != CKR_OK)
		n = 0;
	(void)m->f->C_FindObjectsFinal(s);
	return n;
}

/* keyUsage nonRepudiation (contentCommitment): the certificate of a
 * qualified-signature key (docs/reference/cns.md 1.5, the CNS1 application). */
static bool der_nonrep(const uint8_t *der, size_t n)
{
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)n);
	bool r = x && (X509_get_extension_flags(x) & EXFLAG_KUSAGE) &&
	         (X509_get_key_usage(x) & KU_NON_REPUDIATION);

	X509_free(x);
	return r;
}

/* What a token shows without a PIN says whether it holds the qualified key. */
static void classify(struct p11c *m, struct p11c_token *t)
{
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE o[16];
	CK_ULONG n;

	if (m->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return;
	n = find(m, s, CKO_CERTIFICATE, o, 16);
	for (CK_ULONG i = 0; i < n && !t->sign; i++) {
		uint8_t *v;
		size_t len;
		if (attr_alloc(m, s, o[i], CKA_VALUE, &v, &len) == CKR_OK)
			t->sign = der_nonrep(v, len);
		free(v);
	}
	n = find(m, s, CKO_PRIVATE_KEY, o, 16);
	for (CK_ULONG i = 0; i < n && !t->sign; i++)
		t->sign = attr_bool(m, s, o[i], CKA_ALWAYS_AUTHENTICATE);
	(void)m->f->C_CloseSession(s);
}

void p11c_token_flags(struct p11c *m, struct p11c_token *t)
{
	CK_TOKEN_INFO ti;

	if (m->f->C_GetTokenInfo(t->slot, &ti) != CKR_OK)
		return;
	trim(t->label, sizeof(t->label), ti.label, sizeof(ti.label));
	t->pin_locked = (ti.flags & CKF_USER_PIN_LOCKED) != 0;
	t->count_low = (ti.flags & CKF_USER_PIN_COUNT_LOW) != 0;
	t->final_try = (ti.flags & CKF_USER_PIN_FINAL_TRY) != 0;
	t->protected_path = (ti.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;
}

int p11c_tokens(struct p11c *m, struct p11c_token *out, size_t cap, size_t *n)
{
	CK_SLOT_ID slots[P11C_MAX_TOKENS];
	CK_ULONG ns = 0;
	/* the two-call form every application uses: the length, then the list */
	CK_RV rv = m->f->C_GetSlotList(CK_TRUE, NULL, &ns);

	*n = 0;
	if (rv == CKR_OK) {
		ns = P11C_MAX_TOKENS;
		rv = m->f->C_GetSlotList(CK_TRUE, slots, &ns);
	}
	if (rv == CKR_BUFFER_TOO_SMALL)
		ns = P11C_MAX_TOKENS;
	else if (rv != CKR_OK)
		return fail(rv, "C_GetSlotList");
	for (CK_ULONG i = 0; i < ns && *n < cap; i++) {
		struct p11c_token *t = &out[*n];
		CK_SLOT_INFO si;
		memset(t, 0, sizeof(*t));
		t->slot = slots[i];
		if (m->f->C_GetSlotInfo(slots[i], &si) == CKR_OK)
			trim(t->reader, sizeof(t->reader), si.slotDescription, sizeof(si.slotDescription));
		p11c_token_flags(m, t);
		classify(m, t);
		(*n)++;
	}
	return TOOL_EX_OK;
}

int p11c_login(struct p11c *m, const struct p11c_token *t, const char *pin, size_t pin_len)
{
	CK_RV rv = m->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION, NULL, NULL, &m->s);

	m->slot = t->slot;
	if (rv != CKR_OK)
		return fail_card(m, rv, "C_OpenSession");
	m->session = true;
	rv = m->f->C_Login(m->s, CKU_USER, (CK_UTF8CHAR_PTR)(uintptr_t)pin, pin_len);
	if (rv != CKR_OK && rv != CKR_USER_ALREADY_LOGGED_IN)
		return fail_card(m, rv, "C_Login");
	m->logged_in = rv == CKR_OK;
	return TOOL_EX_OK;
}

/* The certificate sharing the key's CKA_ID. */
static bool key_cert(struct p11c *m, struct p11c_key *k)
{
	CK_OBJECT_HANDLE o[16];
	CK_ULONG n = find(m, m->s, CKO_CERTIFICATE, o, 16);

	for (CK_ULONG i = 0; i < n; i++) {
		uint8_t *id, *label;
		size_t id_len, label_len;
		bool same;
		if (attr_alloc(m, m->s, o[i], CKA_ID, &id, &id_len) != CKR_OK)
			continue;
		same = id_len == k->id_len && memcmp(id, k->id, id_len) == 0;
		free(id);
		if (!same || attr_alloc(m, m->s, o[i], CKA_VALUE, &k->cert, &k->cert_len) != CKR_OK)
			continue;
		if (attr_alloc(m, m->s, o[i], CKA_LABEL, &label, &label_len) == CKR_OK)
			trim(k->cert_label, sizeof(k->cert_label), label, label_len);
		free(label);
		return true;
	}
	return false;
}

/* One private key: its CKA_ID, type, always-authenticate flag and certificate. */
static bool key_read(struct p11c *m, CK_OBJECT_HANDLE o, struct p11c_key *k)
{
	CK_KEY_TYPE type = 0;
	CK_ATTRIBUTE a = { CKA_KEY_TYPE, &type, sizeof(type) };
	uint8_t *id;
	size_t id_len;

	memset(k, 0, sizeof(*k));
	if (!attr_bool(m, m->s, o, CKA_SIGN) || m->f->C_GetAttributeValue(m->s, o, &a, 1) != CKR_OK ||
	    (type != CKK_RSA && type != CKK_EC))
		return false;
	if (attr_alloc(m, m->s, o, CKA_ID, &id, &id_len) != CKR_OK || id_len > sizeof(k->id)) {
		free(id);
		return false;
	}
	memcpy(k->id, id, id_len);
	k->id_len = id_len;
	free(id);
	k->ec = type == CKK_EC;
	k->always_auth = attr_bool(m, m->s, o, CKA_ALWAYS_AUTHENTICATE);
	if (!key_cert(m, k))
		return false;
	k->nonrep = der_nonrep(k->cert, k->cert_len);
	return true;
}

int p11c_find_key(struct p11c *m, bool want_sign, struct p11c_key *k)
{
	CK_OBJECT_HANDLE o[16];
	CK_ULONG n = find(m, m->s, CKO_PRIVATE_KEY, o, 16);

	for (CK_ULONG i = 0; i < n; i++) {
		if (!key_read(m, o[i], k))
			continue;
		if ((k->nonrep || k->always_auth) == want_sign) {
			free(m->cert);
			m->cert = k->cert;
			return TOOL_EX_OK;
		}
		free(k->cert);
	}
	memset(k, 0, sizeof(*k));
	tool_error("%s", want_sign ? _("no qualified-signature key with its certificate on this card")
	                           : _("no authentication key with its certificate on this card"));
	return TOOL_EX_FAIL;
}

static CK_OBJECT_HANDLE key_handle(struct p11c *m, const struct p11c_key *k)
{
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (void *)(uintptr_t)k->id, k->id_len },
	};
	CK_OBJECT_HANDLE o = CK_INVALID_HANDLE;
	CK_ULONG n = 0;

	if (m->f->C_FindObjectsInit(m->s, tmpl, 2) != CKR_OK)
		return CK_INVALID_HANDLE;
	if (m->f->C_FindObjects(m->s, &o, 1, &n) != CKR_OK || n != 1)
		o = CK_INVALID_HANDLE;
	(void)m->f->C_FindObjectsFinal(m->s);
	return o;
}

int p11c_sign(struct p11c *m, const struct p11c_key *k, const char *pin, size_t pin_len,
              const uint8_t *data, size_t n, uint8_t *sig, size_t *sig_len)
{
	CK_MECHANISM mech = { k->ec ? CKM_ECDSA : CKM_SHA256_RSA_PKCS, NULL, 0 };
	CK_OBJECT_HANDLE o = key_handle(m, k);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	CK_ULONG len = *sig_len;
	CK_RV rv;

	if (o == CK_INVALID_HANDLE)
		return fail(CKR_KEY_HANDLE_INVALID, "C_FindObjects");
	/* CKM_ECDSA signs what it is given: the SHA-256 digest (the hash
	 * variants are optional in a module; this one is always there). */
	if (k->ec && !EVP_Digest(data, n, md, &md_len, EVP_sha256(), NULL))
		return TOOL_EX_FAIL;
	rv = m->f->C_SignInit(m->s, &mech, o);
	if (rv != CKR_OK)
		return fail_card(m, rv, "C_SignInit");
	if (k->always_auth) {
		rv = m->f->C_Login(m->s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)(uintptr_t)pin, pin_len);
		if (rv != CKR_OK)
			return fail_card(m, rv, "C_Login(CKU_CONTEXT_SPECIFIC)");
	}
	rv = k->ec ? m->f->C_Sign(m->s, md, md_len, sig, &len)
	           : m->f->C_Sign(m->s, (CK_BYTE_PTR)(uintptr_t)data, n, sig, &len);
	if (rv != CKR_OK)
		return fail_card(m, rv, "C_Sign");
	*sig_len = len;
	return TOOL_EX_OK;
}
