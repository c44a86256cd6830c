/* SPDX-License-Identifier: BSD-3-Clause */
/* A virtual card per profile through the real function list: token info,
 * objects and attributes, find templates, private objects visible only
 * after C_Login (v2.40 base 4.4), mechanisms, and every signing mechanism
 * checked against the certificate's public key. */
#include "p11_harness.c"

static const char *const profiles[] = { "st", "idemia", "actalis", "classic" };

struct ctx {
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;
	const char *profile;
};

static int setup(void **state, const char *profile)
{
	struct ctx *c = calloc(1, sizeof(*c));

	h_init(&c->h, 2);
	c->v = h_card(&c->h, 0, profile);
	c->profile = profile;
	c->s = h_open(&c->h, 0, CKF_RW_SESSION);
	*state = c;
	return 0;
}

static int setup_st(void **state) { return setup(state, profiles[0]); }
static int setup_idemia(void **state) { return setup(state, profiles[1]); }
static int setup_actalis(void **state) { return setup(state, profiles[2]); }
static int setup_classic(void **state) { return setup(state, profiles[3]); }

static int teardown(void **state)
{
	struct ctx *c = *state;

	h_done(&c->h);
	free(c);
	return 0;
}

static void test_token_info(void **state)
{
	struct ctx *c = *state;
	const char *id = vcard_card_id(c->v);
	CK_TOKEN_INFO ti;
	char serial[17];
	CK_ULONG n = 0;

	assert_int_equal(c->h.f->C_GetSlotList(CK_TRUE, NULL, &n), CKR_OK);
	assert_int_equal(n, 1);
	assert_int_equal(c->h.f->C_GetTokenInfo(0, &ti), CKR_OK);
	memset(serial, ' ', 16);
	memcpy(serial, id, strlen(id) < 16 ? strlen(id) : 16);
	serial[16] = '\0';
	assert_memory_equal(ti.serialNumber, serial, 16);
	assert_true(ti.label[0] != ' ');
	assert_int_equal(ti.flags & (CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED |
	                             CKF_LOGIN_REQUIRED | CKF_WRITE_PROTECTED),
	                 CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED |
	                 CKF_WRITE_PROTECTED);
	assert_int_equal(ti.flags & (CKF_USER_PIN_COUNT_LOW | CKF_USER_PIN_LOCKED), 0);
	assert_int_equal(ti.ulSessionCount, 1);
	assert_int_equal(ti.ulRwSessionCount, 1);
	assert_true(ti.ulMinPinLen >= 4 && ti.ulMaxPinLen >= ti.ulMinPinLen);
	assert_int_equal(ti.ulTotalPublicMemory, CK_UNAVAILABLE_INFORMATION);
	print_message("%s: label '%.32s' serial '%.16s'\n", c->profile, ti.label, ti.serialNumber);
}

/* The holder's name is the token label (and a CKO_DATA object). */
static void test_label_names_holder(void **state)
{
	struct ctx *c = *state;
	CK_OBJECT_HANDLE o[16];
	CK_TOKEN_INFO ti;
	CK_ULONG n, i, len, llen;
	uint8_t *lab, *val;
	char surname[64] = "";

	n = h_find(&c->h, c->s, CKO_DATA, o, 16);
	assert_true(n >= 1);
	for (i = 0; i < n; i++) {
		lab = h_attr(&c->h, c->s, o[i], CKA_LABEL, &llen);
		val = h_attr(&c->h, c->s, o[i], CKA_VALUE, &len);
		if (llen == 7 && memcmp(lab, "surname", 7) == 0 && len < sizeof(surname)) {
			memcpy(surname, val, len);
			surname[len] = '\0';
		}
		if (llen == 11 && memcmp(lab, "card_serial", 11) == 0) {
			assert_int_equal(len, strlen(vcard_card_id(c->v)));
			assert_memory_equal(val, vcard_card_id(c->v), len);
		}
		free(lab);
		free(val);
	}
	assert_int_equal(c->h.f->C_GetTokenInfo(0, &ti), CKR_OK);
	if (surname[0])
		assert_non_null(memmem(ti.label, 32, surname, strlen(surname) < 20 ? strlen(surname) : 20));
}

static void test_objects(void **state)
{
	struct ctx *c = *state;
	struct carta_bytes cert = vcard_holder_cert(c->v);
	CK_OBJECT_HANDLE certs[8], privs[8], pubs[8];
	CK_ULONG nc, np, nq, len, idlen;
	struct carta_x509 x;
	uint8_t *val, *id, *pid;
	CK_BBOOL b;
	CK_ATTRIBUTE a;

	nc = h_find(&c->h, c->s, CKO_CERTIFICATE, certs, 8);
	nq = h_find(&c->h, c->s, CKO_PUBLIC_KEY, pubs, 8);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, privs, 8), 0);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	np = h_find(&c->h, c->s, CKO_PRIVATE_KEY, privs, 8);
	assert_true(nc >= 1 && np >= 1 && nq >= 1);
	val = h_attr(&c->h, c->s, certs[0], CKA_VALUE, &len);
	assert_int_equal(len, cert.len);
	assert_memory_equal(val, cert.p, len);
	assert_int_equal(carta_x509_parse(val, len, &x), CARTA_OK);
	free(val);
	val = h_attr(&c->h, c->s, certs[0], CKA_SUBJECT, &len);
	assert_int_equal(len, x.subject.len);
	assert_memory_equal(val, x.subject.p, len);
	free(val);
	val = h_attr(&c->h, c->s, certs[0], CKA_SERIAL_NUMBER, &len);
	assert_int_equal(len, x.serial.len);
	free(val);
	/* the key pair shares the certificate's CKA_ID, and its modulus */
	id = h_attr(&c->h, c->s, certs[0], CKA_ID, &idlen);
	pid = h_attr(&c->h, c->s, privs[0], CKA_ID, &len);
	assert_int_equal(len, idlen);
	assert_memory_equal(id, pid, len);
	free(pid);
	free(id);
	if (x.key_type == CARTA_X509_KEY_RSA) {
		val = h_attr(&c->h, c->s, pubs[0], CKA_MODULUS, &len);
		assert_int_equal(len, x.modulus.len);
		assert_memory_equal(val, x.modulus.p, len);
		free(val);
	}
	val = h_attr(&c->h, c->s, privs[0], CKA_PRIVATE, &len);
	assert_int_equal(val[0], CK_TRUE);
	free(val);
	a.type = CKA_SENSITIVE;
	a.pValue = &b;
	a.ulValueLen = sizeof(b);
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, privs[0], &a, 1), CKR_OK);
	assert_int_equal(b, CK_TRUE);
	carta_x509_free(&x);
}

/* v2.40 base 5.7: every entry processed; the code says what went wrong. */
static void test_two_call_rules(void **state)
{
	struct ctx *c = *state;
	CK_OBJECT_HANDLE cert, priv;
	CK_OBJECT_CLASS cls = 0;
	uint8_t small[4], big[8192];
	CK_ATTRIBUTE t[3];

	assert_int_equal(h_find(&c->h, c->s, CKO_CERTIFICATE, &cert, 1), 1);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, &priv, 1), 1);
	t[0] = (CK_ATTRIBUTE){ CKA_VALUE, small, sizeof(small) };
	t[1] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	t[2] = (CK_ATTRIBUTE){ CKA_VALUE, NULL, 0 };
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, cert, t, 3), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(cls, CKO_CERTIFICATE);
	assert_int_equal(t[1].ulValueLen, sizeof(cls));
	assert_int_equal(t[2].ulValueLen, vcard_holder_cert(c->v).len);

	t[0] = (CK_ATTRIBUTE){ CKA_MODULUS_BITS + 0x7000, big, sizeof(big) };
	t[1] = (CK_ATTRIBUTE){ CKA_VALUE, small, sizeof(small) };
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, cert, t, 2), CKR_ATTRIBUTE_TYPE_INVALID);
	assert_int_equal(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(t[1].ulValueLen, CK_UNAVAILABLE_INFORMATION);

	cls = 0;
	t[0] = (CK_ATTRIBUTE){ CKA_PRIVATE_EXPONENT, big, sizeof(big) };
	t[1] = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, priv, t, 2), CKR_ATTRIBUTE_SENSITIVE);
	assert_int_equal(t[0].ulValueLen, CK_UNAVAILABLE_INFORMATION);
	assert_int_equal(cls, CKO_PRIVATE_KEY);
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, 0x7777, t, 1), CKR_OBJECT_HANDLE_INVALID);
}

static void test_find_templates(void **state)
{
	struct ctx *c = *state;
	CK_OBJECT_HANDLE o[16], cert;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_BBOOL t = CK_TRUE;
	CK_ULONG n = 0, idlen;
	uint8_t *id, bad = 0xEE;

	assert_int_equal(h_find(&c->h, c->s, CKO_CERTIFICATE, &cert, 1), 1);
	id = h_attr(&c->h, c->s, cert, CKA_ID, &idlen);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	{
		CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, id, idlen },
		                        { CKA_SIGN, &t, sizeof(t) } };
		assert_int_equal(c->h.f->C_FindObjectsInit(c->s, tmpl, 3), CKR_OK);
		assert_int_equal(c->h.f->C_FindObjectsInit(c->s, tmpl, 3), CKR_OPERATION_ACTIVE);
		assert_int_equal(c->h.f->C_FindObjects(c->s, o, 16, &n), CKR_OK);
		assert_int_equal(n, 1);
		assert_int_equal(c->h.f->C_FindObjects(c->s, o, 16, &n), CKR_OK);
		assert_int_equal(n, 0);
		assert_int_equal(c->h.f->C_FindObjectsFinal(c->s), CKR_OK);
		tmpl[1].pValue = &bad;
		tmpl[1].ulValueLen = 1;
		assert_int_equal(c->h.f->C_FindObjectsInit(c->s, tmpl, 3), CKR_OK);
		assert_int_equal(c->h.f->C_FindObjects(c->s, o, 16, &n), CKR_OK);
		assert_int_equal(n, 0);
		assert_int_equal(c->h.f->C_FindObjectsFinal(c->s), CKR_OK);
	}
	free(id);
	/* all objects: at least cert + pub + priv + holder data */
	assert_int_equal(c->h.f->C_FindObjectsInit(c->s, NULL, 0), CKR_OK);
	assert_int_equal(c->h.f->C_FindObjects(c->s, o, 16, &n), CKR_OK);
	assert_true(n >= 4);
	assert_int_equal(c->h.f->C_FindObjectsFinal(c->s), CKR_OK);
	assert_int_equal(c->h.f->C_FindObjectsFinal(c->s), CKR_OPERATION_NOT_INITIALIZED);
}

static void test_read_only_token(void **state)
{
	struct ctx *c = *state;
	CK_OBJECT_HANDLE cert, o;
	CK_SESSION_HANDLE ro = h_open(&c->h, 0, 0);
	CK_BYTE rnd[8];

	assert_int_equal(h_find(&c->h, c->s, CKO_CERTIFICATE, &cert, 1), 1);
	assert_int_equal(c->h.f->C_DestroyObject(c->s, cert), CKR_TOKEN_WRITE_PROTECTED);
	assert_int_equal(c->h.f->C_CreateObject(c->s, NULL, 0, &o), CKR_TOKEN_WRITE_PROTECTED);
	assert_int_equal(c->h.f->C_CreateObject(ro, NULL, 0, &o), CKR_SESSION_READ_ONLY);
	assert_int_equal(c->h.f->C_InitToken(0, (CK_UTF8CHAR *)"1", 1,
	                                     (CK_UTF8CHAR *)"x"), CKR_SESSION_EXISTS);
	assert_int_equal(c->h.f->C_GenerateRandom(c->s, rnd, 8), CKR_RANDOM_NO_RNG);
	assert_int_equal(c->h.f->C_SeedRandom(c->s, rnd, 8), CKR_RANDOM_NO_RNG);
	assert_int_equal(c->h.f->C_CloseSession(ro), CKR_OK);
}

/* Number of objects C_FindObjects lists for an empty template. */
static CK_ULONG count_all(struct ctx *c)
{
	CK_OBJECT_HANDLE o[32];
	CK_ULONG n = 0;

	assert_int_equal(c->h.f->C_FindObjectsInit(c->s, NULL, 0), CKR_OK);
	assert_int_equal(c->h.f->C_FindObjects(c->s, o, 32, &n), CKR_OK);
	assert_int_equal(c->h.f->C_FindObjectsFinal(c->s), CKR_OK);
	assert_true(n < 32);
	return n;
}

static CK_BBOOL bool_attr(struct ctx *c, CK_OBJECT_HANDLE o, CK_ATTRIBUTE_TYPE type)
{
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a = { type, &b, sizeof(b) };

	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, o, &a, 1), CKR_OK);
	assert_int_equal(a.ulValueLen, sizeof(b));
	return b;
}

/* Objects of class cls with the given CKA_ID: the count, the first in *o. */
static CK_ULONG find_id(struct ctx *c, CK_OBJECT_CLASS cls, const uint8_t *id, CK_ULONG idlen,
                        CK_OBJECT_HANDLE *o)
{
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, (void *)id, idlen } };
	CK_OBJECT_HANDLE all[4];
	CK_ULONG n = 0;

	assert_int_equal(c->h.f->C_FindObjectsInit(c->s, t, 2), CKR_OK);
	assert_int_equal(c->h.f->C_FindObjects(c->s, all, 4, &n), CKR_OK);
	assert_int_equal(c->h.f->C_FindObjectsFinal(c->s), CKR_OK);
	*o = n ? all[0] : CK_INVALID_HANDLE;
	return n;
}

/* The holder's certificate: the one whose CKA_VALUE is the card's. */
static CK_OBJECT_HANDLE holder_cert(struct ctx *c, const CK_OBJECT_HANDLE *certs, CK_ULONG nc)
{
	struct carta_bytes want = vcard_holder_cert(c->v);
	CK_OBJECT_HANDLE found = CK_INVALID_HANDLE;
	CK_ULONG i, len;
	uint8_t *val;

	for (i = 0; i < nc; i++) {
		val = h_attr(&c->h, c->s, certs[i], CKA_VALUE, &len);
		if (len == want.len && memcmp(val, want.p, len) == 0)
			found = certs[i];
		free(val);
	}
	assert_int_not_equal(found, CK_INVALID_HANDLE);
	return found;
}

/* v2.40 base 4.4: CKA_PRIVATE objects (the private keys) are seen by the
 * logged-in user only; the certificate and public key always. Handles stay
 * the same across login. The public key encrypts exactly when its private
 * half decrypts, and the token's CKF_DECRYPT says whether one does. */
static void test_private_needs_login(void **state)
{
	struct ctx *c = *state;
	CK_OBJECT_HANDLE certs[8], pubs[8], privs[8], again[8], cert, pub, priv;
	CK_ULONG nc, nq, np, before, i, idlen, cidlen;
	CK_MECHANISM_INFO mi;
	CK_ATTRIBUTE a;
	CK_OBJECT_CLASS cls = 0;
	uint8_t *id, *cid;
	int decrypting = 0;

	nc = h_find(&c->h, c->s, CKO_CERTIFICATE, certs, 8);
	nq = h_find(&c->h, c->s, CKO_PUBLIC_KEY, pubs, 8);
	assert_true(nc >= 1 && nq >= 1);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, privs, 8), 0);
	cert = holder_cert(c, certs, nc);
	cid = h_attr(&c->h, c->s, cert, CKA_ID, &cidlen);
	assert_int_equal(find_id(c, CKO_PUBLIC_KEY, cid, cidlen, &pub), 1);
	assert_int_equal(find_id(c, CKO_PRIVATE_KEY, cid, cidlen, &priv), 0);
	before = count_all(c);

	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	np = h_find(&c->h, c->s, CKO_PRIVATE_KEY, privs, 8);
	assert_true(np >= 1);
	assert_int_equal(count_all(c), before + np);
	assert_int_equal(h_find(&c->h, c->s, CKO_CERTIFICATE, again, 8), nc);
	assert_memory_equal(again, certs, nc * sizeof(certs[0]));
	assert_int_equal(h_find(&c->h, c->s, CKO_PUBLIC_KEY, again, 8), nq);
	assert_memory_equal(again, pubs, nq * sizeof(pubs[0]));

	/* the holder certificate's key pair: one private key with its CKA_ID */
	assert_int_equal(find_id(c, CKO_PRIVATE_KEY, cid, cidlen, &priv), 1);
	id = h_attr(&c->h, c->s, priv, CKA_ID, &idlen);
	assert_int_equal(idlen, cidlen);
	assert_memory_equal(id, cid, idlen);
	free(id);
	free(cid);
	/* every private key has its public key, which encrypts iff it decrypts */
	for (i = 0; i < np; i++) {
		id = h_attr(&c->h, c->s, privs[i], CKA_ID, &idlen);
		assert_int_equal(find_id(c, CKO_PUBLIC_KEY, id, idlen, &pub), 1);
		free(id);
		assert_int_equal(bool_attr(c, privs[i], CKA_PRIVATE), CK_TRUE);
		assert_int_equal(bool_attr(c, pub, CKA_PRIVATE), CK_FALSE);
		assert_int_equal(bool_attr(c, pub, CKA_ENCRYPT),
		                 bool_attr(c, privs[i], CKA_DECRYPT));
		decrypting += bool_attr(c, privs[i], CKA_DECRYPT) == CK_TRUE;
	}
	assert_int_equal(c->h.f->C_GetMechanismInfo(0, CKM_RSA_PKCS, &mi), CKR_OK);
	assert_int_equal((mi.flags & CKF_DECRYPT) != 0, decrypting > 0);
	print_message("%s: %lu private key(s), %d decrypting\n", c->profile, np, decrypting);

	/* logged out: gone from searches, and the handle reads nothing */
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_OK);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, again, 8), 0);
	assert_int_equal(count_all(c), before);
	a = (CK_ATTRIBUTE){ CKA_CLASS, &cls, sizeof(cls) };
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, priv, &a, 1), CKR_OBJECT_HANDLE_INVALID);
	assert_int_equal(cls, 0);
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, cert, &a, 1), CKR_OK);
	assert_int_equal(cls, CKO_CERTIFICATE);

	/* and back, with the same handles */
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, again, 8), np);
	assert_memory_equal(again, privs, np * sizeof(privs[0]));
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, priv, &a, 1), CKR_OK);
	assert_int_equal(cls, CKO_PRIVATE_KEY);
}

static void test_digest(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	uint8_t out[64], ref[64];
	CK_ULONG n = 0;
	size_t rn;

	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, NULL, &n), CKR_OK);
	assert_int_equal(n, 32);
	n = 8;
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, &n), CKR_BUFFER_TOO_SMALL);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, &n), CKR_OK);
	assert_int_equal(carta_digest(CARTA_HASH_SHA256, (const uint8_t *)"abc", 3, ref,
	                              sizeof(ref), &rn), CARTA_OK);
	assert_memory_equal(out, ref, 32);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);
}

#define PROFILE_TESTS(setup_fn) \
	cmocka_unit_test_setup_teardown(test_token_info, setup_fn, teardown), \
	cmocka_unit_test_setup_teardown(test_label_names_holder, setup_fn, teardown), \
	cmocka_unit_test_setup_teardown(test_objects, setup_fn, teardown), \
	cmocka_unit_test_setup_teardown(test_two_call_rules, setup_fn, teardown), \
	cmocka_unit_test_setup_teardown(test_find_templates, setup_fn, teardown), \
	cmocka_unit_test_setup_teardown(test_read_only_token, setup_fn, teardown), \
	cmocka_unit_test_setup_teardown(test_private_needs_login, setup_fn, teardown), \
	cmocka_unit_test_setup_teardown(test_digest, setup_fn, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		PROFILE_TESTS(setup_st),
		PROFILE_TESTS(setup_idemia),
		PROFILE_TESTS(setup_actalis),
		PROFILE_TESTS(setup_classic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
