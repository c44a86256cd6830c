/* SPDX-License-Identifier: BSD-3-Clause */
/* Signing through the function list with every mechanism the token lists,
 * each signature checked with the certificate's public key (src/crypto),
 * plus the operation rules of v2.40 base 5.2 and 5.12. */
#include "p11_harness.c"

static const char *const profiles[] = { "st", "idemia", "actalis", "classic" };
static const uint8_t msg[] = "carta: il documento da firmare";

struct ctx {
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;   /* the private key, found while logged in */
	CK_OBJECT_HANDLE pub;   /* the public key with the same CKA_ID */
	struct carta_bytes cert;
};

/* The public key sharing the private key's CKA_ID (exactly one). */
static CK_OBJECT_HANDLE pub_of(struct ctx *c)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE t[] = { { CKA_CLASS, &cls, sizeof(cls) }, { CKA_ID, NULL, 0 } };
	CK_OBJECT_HANDLE o[2];
	CK_ULONG n = 0;

	t[1].pValue = h_attr(&c->h, c->s, c->key, CKA_ID, &t[1].ulValueLen);
	assert_int_equal(c->h.f->C_FindObjectsInit(c->s, t, 2), CKR_OK);
	assert_int_equal(c->h.f->C_FindObjects(c->s, o, 2, &n), CKR_OK);
	assert_int_equal(c->h.f->C_FindObjectsFinal(c->s), CKR_OK);
	free(t[1].pValue);
	assert_int_equal(n, 1);
	return o[0];
}

static int setup_profile(void **state, const char *profile, bool ec)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct vcard_config cfg;

	h_init(&c->h, 2);
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	cfg.ec_key = ec;
	assert_int_equal(vcard_new(&cfg, &c->h.v[0]), CARTA_OK);
	c->v = h_card(&c->h, 0, profile);
	c->cert = vcard_holder_cert(c->v);
	c->s = h_open(&c->h, 0, CKF_RW_SESSION);
	/* the private key is visible only when logged in (v2.40 base 4.4); its
	 * handle stays valid after C_Logout, so each test starts logged out */
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, &c->key, 1), 0);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, &c->key, 1), 1);
	c->pub = pub_of(c);
	assert_int_equal(c->h.f->C_Logout(c->s), CKR_OK);
	*state = c;
	return 0;
}

static int setup_st(void **state) { return setup_profile(state, profiles[0], false); }
static int setup_idemia(void **state) { return setup_profile(state, profiles[1], false); }
static int setup_actalis(void **state) { return setup_profile(state, profiles[2], false); }
static int setup_classic(void **state) { return setup_profile(state, profiles[3], false); }
static int setup_ec(void **state) { return setup_profile(state, profiles[0], true); }

static int teardown(void **state)
{
	struct ctx *c = *state;

	h_done(&c->h);
	free(c);
	return 0;
}

static enum carta_hash hash_of(CK_MECHANISM_TYPE m)
{
	switch (m) {
	case CKM_SHA1_RSA_PKCS: case CKM_SHA1_RSA_PKCS_PSS: case CKM_ECDSA_SHA1:
		return CARTA_HASH_SHA1;
	case CKM_SHA224_RSA_PKCS: case CKM_SHA224_RSA_PKCS_PSS: case CKM_ECDSA_SHA224:
		return CARTA_HASH_SHA224;
	case CKM_SHA384_RSA_PKCS: case CKM_SHA384_RSA_PKCS_PSS: case CKM_ECDSA_SHA384:
		return CARTA_HASH_SHA384;
	case CKM_SHA512_RSA_PKCS: case CKM_SHA512_RSA_PKCS_PSS: case CKM_ECDSA_SHA512:
		return CARTA_HASH_SHA512;
	default: return CARTA_HASH_SHA256;
	}
}

static CK_MECHANISM_TYPE ckm_of(enum carta_hash h)
{
	static const CK_MECHANISM_TYPE m[] = { 0, CKM_SHA_1, CKM_SHA224, CKM_SHA256, CKM_SHA384,
	                                       CKM_SHA512 };
	return m[h];
}

static CK_ULONG mgf_of(enum carta_hash h)
{
	static const CK_ULONG m[] = { 0, CKG_MGF1_SHA1, CKG_MGF1_SHA224, CKG_MGF1_SHA256,
	                              CKG_MGF1_SHA384, CKG_MGF1_SHA512 };
	return m[h];
}

/* The data given to C_Sign for mechanism m over msg. */
static size_t input_for(CK_MECHANISM_TYPE m, size_t k, uint8_t *in)
{
	uint8_t hash[64];
	struct carta_buf di = { 0 };
	size_t hl;

	assert_int_equal(carta_digest(hash_of(m), msg, sizeof(msg), hash, sizeof(hash), &hl),
	                 CARTA_OK);
	if (m == CKM_RSA_PKCS_PSS || m == CKM_ECDSA) {
		memcpy(in, hash, hl);
		return hl;
	}
	if (m != CKM_RSA_PKCS && m != CKM_RSA_X_509) {
		memcpy(in, msg, sizeof(msg));
		return sizeof(msg);
	}
	assert_int_equal(carta_digestinfo(hash_of(m), hash, hl, &di), CARTA_OK);
	if (m == CKM_RSA_X_509)
		assert_int_equal(carta_pkcs1_type1_pad(di.p, di.len, k, in), CARTA_OK);
	else
		memcpy(in, di.p, di.len);
	hl = m == CKM_RSA_X_509 ? k : di.len;
	carta_buf_free(&di);
	return hl;
}

static void check_rsa(struct ctx *c, CK_MECHANISM_TYPE m, const uint8_t *sig, size_t n)
{
	uint8_t hash[64];
	size_t hl;

	assert_int_equal(carta_digest(hash_of(m), msg, sizeof(msg), hash, sizeof(hash), &hl),
	                 CARTA_OK);
	assert_int_equal(carta_rsa_verify_pkcs1(c->cert.p, c->cert.len, true, hash_of(m), hash, hl,
	                                        sig, n), CARTA_OK);
	hash[0] ^= 1;   /* and the check can fail */
	assert_int_not_equal(carta_rsa_verify_pkcs1(c->cert.p, c->cert.len, true, hash_of(m), hash,
	                                            hl, sig, n), CARTA_OK);
}

/* CKM_ECDSA signs the hash given; CKM_ECDSA_SHAxxx hash msg on the host. */
static void check_ec(struct ctx *c, CK_MECHANISM_TYPE m, const uint8_t *sig, size_t n)
{
	uint8_t hash[64];
	size_t hl;

	assert_int_equal(carta_digest(hash_of(m), msg, sizeof(msg), hash, sizeof(hash), &hl),
	                 CARTA_OK);
	assert_int_equal(carta_ecdsa_verify(c->cert.p, c->cert.len, true, hash, hl, sig, n),
	                 CARTA_OK);
	hash[0] ^= 1;   /* and the check can fail */
	assert_int_not_equal(carta_ecdsa_verify(c->cert.p, c->cert.len, true, hash, hl, sig, n),
	                     CARTA_OK);
}

static void sign_one(struct ctx *c, CK_MECHANISM_TYPE m, size_t k, bool ec)
{
	CK_RSA_PKCS_PSS_PARAMS pss = { ckm_of(hash_of(m)), mgf_of(hash_of(m)),
	                               carta_hash_len(hash_of(m)) };
	bool is_pss = m == CKM_RSA_PKCS_PSS || m == CKM_SHA1_RSA_PKCS_PSS ||
	              m == CKM_SHA224_RSA_PKCS_PSS || m == CKM_SHA256_RSA_PKCS_PSS ||
	              m == CKM_SHA384_RSA_PKCS_PSS || m == CKM_SHA512_RSA_PKCS_PSS;
	CK_MECHANISM mech = { m, is_pss ? &pss : NULL, is_pss ? sizeof(pss) : 0 };
	uint8_t in[600], sig[600];
	CK_ULONG n, siglen = 0, emlen = (k * 8 - 1 + 7) / 8;

	if (pss.sLen + carta_hash_len(hash_of(m)) + 2 > emlen)   /* small keys: a salt that fits */
		pss.sLen = emlen - carta_hash_len(hash_of(m)) - 2;

	n = input_for(m, k, in);
	assert_int_equal(c->h.f->C_SignInit(c->s, &mech, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_Sign(c->s, in, n, NULL, &siglen), CKR_OK);
	assert_int_equal(siglen, ec ? 2 * k : k);
	siglen = 3;
	assert_int_equal(c->h.f->C_Sign(c->s, in, n, sig, &siglen), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(siglen, ec ? 2 * k : k);
	siglen = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->s, in, n, sig, &siglen), CKR_OK);
	assert_int_equal(siglen, ec ? 2 * k : k);
	if (ec)
		check_ec(c, m, sig, siglen);
	else
		check_rsa(c, m, sig, siglen);
	assert_int_equal(c->h.f->C_Sign(c->s, in, n, sig, &siglen), CKR_OPERATION_NOT_INITIALIZED);
}

static void test_sign_every_mechanism(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM_TYPE mechs[64];
	CK_MECHANISM_INFO mi;
	CK_ULONG i, n = 64, bits = 0, len;
	CK_KEY_TYPE kt;
	uint8_t *v;
	int signed_with = 0;

	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	v = h_attr(&c->h, c->s, c->key, CKA_KEY_TYPE, &len);
	memcpy(&kt, v, sizeof(kt));
	free(v);
	if (kt == CKK_RSA) {
		v = h_attr(&c->h, c->s, c->key, CKA_MODULUS_BITS, &len);
		memcpy(&bits, v, sizeof(bits));
		free(v);
	} else {
		bits = 256;
	}
	assert_int_equal(c->h.f->C_GetMechanismList(0, mechs, &n), CKR_OK);
	for (i = 0; i < n; i++) {
		assert_int_equal(c->h.f->C_GetMechanismInfo(0, mechs[i], &mi), CKR_OK);
		if (!(mi.flags & CKF_SIGN))
			continue;
		assert_true(mi.flags & CKF_HW);
		assert_int_equal(mi.ulMaxKeySize, bits);
		sign_one(c, mechs[i], (bits + 7) / 8, kt == CKK_EC);
		signed_with++;
	}
	print_message("key type %lu, %lu bits, %lu mechanisms, signed with %d\n", kt, bits, n,
	              signed_with);
	assert_true(signed_with >= (kt == CKK_EC ? 6 : 6));
}

static void test_multipart_equals_single(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM m1 = { CKM_SHA256_RSA_PKCS, NULL, 0 }, m2 = { CKM_RSA_PKCS, NULL, 0 };
	uint8_t a[512], b[512], di[64];
	CK_ULONG la = sizeof(a), lb = sizeof(b), n;

	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m1, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), a, &la), CKR_OK);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m1, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, (CK_BYTE *)msg, 5), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, (CK_BYTE *)msg + 5, sizeof(msg) - 5), CKR_OK);
	/* C_Sign cannot end a multi-part signature: refused, and it ends
	 * (v2.40 base 5.11) */
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, 1, b, &lb), CKR_OPERATION_ACTIVE);
	assert_int_equal(c->h.f->C_SignFinal(c->s, b, &lb), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m1, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, (CK_BYTE *)msg, 5), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, (CK_BYTE *)msg + 5, sizeof(msg) - 5), CKR_OK);
	lb = 0;
	assert_int_equal(c->h.f->C_SignFinal(c->s, NULL, &lb), CKR_OK);
	assert_int_equal(lb, la);
	assert_int_equal(c->h.f->C_SignFinal(c->s, b, &lb), CKR_OK);
	assert_int_equal(lb, la);
	assert_memory_equal(a, b, la);   /* PKCS#1 v1.5 is deterministic */

	/* CKM_RSA_PKCS multi-part accumulates up to k - 11 bytes */
	n = input_for(CKM_RSA_PKCS, la, di);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m2, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, di, 7), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, di + 7, n - 7), CKR_OK);
	lb = sizeof(b);
	assert_int_equal(c->h.f->C_SignFinal(c->s, b, &lb), CKR_OK);
	assert_memory_equal(a, b, la);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m2, c->key), CKR_OK);
	memset(a, 1, sizeof(a));
	assert_int_equal(c->h.f->C_SignUpdate(c->s, a, la - 10), CKR_DATA_LEN_RANGE);
	assert_int_equal(c->h.f->C_SignFinal(c->s, b, &lb), CKR_OPERATION_NOT_INITIALIZED);
}

static void test_sign_rules(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 }, ec = { CKM_ECDSA, NULL, 0 };
	CK_MECHANISM aes = { CKM_AES_ECB, NULL, 0 };
	CK_RSA_PKCS_PSS_PARAMS bad = { CKM_SHA_1, CKG_MGF1_SHA1, 20 };
	CK_MECHANISM pss = { CKM_SHA256_RSA_PKCS_PSS, &bad, sizeof(bad) };
	CK_OBJECT_HANDLE cert, pub, priv;
	CK_MECHANISM_INFO mi;
	CK_ULONG n = 0;

	/* logged out the key is hidden, and sign.c checks the key before the
	 * login state: CKR_USER_NOT_LOGGED_IN, not CKR_KEY_HANDLE_INVALID */
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_USER_NOT_LOGGED_IN);
	assert_int_equal(c->h.f->C_SignFinal(c->s, NULL, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, &priv, 1), 1);
	assert_int_equal(priv, c->key);   /* the same handle as before the logout */
	assert_int_equal(h_find(&c->h, c->s, CKO_CERTIFICATE, &cert, 1), 1);
	assert_int_equal(h_find(&c->h, c->s, CKO_PUBLIC_KEY, &pub, 1), 1);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, cert), CKR_KEY_HANDLE_INVALID);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, pub), CKR_KEY_FUNCTION_NOT_PERMITTED);
	assert_int_equal(c->h.f->C_SignInit(c->s, &ec, c->key), CKR_KEY_TYPE_INCONSISTENT);
	assert_int_equal(c->h.f->C_SignInit(c->s, &aes, c->key), CKR_MECHANISM_INVALID);
	if (c->h.f->C_GetMechanismInfo(0, CKM_SHA256_RSA_PKCS_PSS, &mi) == CKR_OK) {
		assert_int_equal(c->h.f->C_SignInit(c->s, &pss, c->key), CKR_MECHANISM_PARAM_INVALID);
		pss.pParameter = NULL;
		assert_int_equal(c->h.f->C_SignInit(c->s, &pss, c->key), CKR_MECHANISM_PARAM_INVALID);
	}
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OPERATION_ACTIVE);
}

#define RSA_TESTS(fn) \
	cmocka_unit_test_setup_teardown(test_sign_every_mechanism, fn, teardown), \
	cmocka_unit_test_setup_teardown(test_multipart_equals_single, fn, teardown), \
	cmocka_unit_test_setup_teardown(test_sign_rules, fn, teardown)

/* EME-PKCS1-v1_5 (RFC 8017 7.2.1) block for msg, built here by the test, then
 * encrypted with the public key object (readable logged out): the card must give msg back with
 * CKM_RSA_PKCS and the whole block with CKM_RSA_X_509. */
static size_t encrypt_for(struct ctx *c, uint8_t *block, uint8_t *ct)
{
	CK_ULONG nlen, elen;
	uint8_t *n = h_attr(&c->h, c->s, c->pub, CKA_MODULUS, &nlen);
	uint8_t *e = h_attr(&c->h, c->s, c->pub, CKA_PUBLIC_EXPONENT, &elen);
	size_t i, ps = nlen - sizeof(msg) - 3;

	block[0] = 0x00;
	block[1] = 0x02;
	assert_int_equal(carta_random(block + 2, ps), CARTA_OK);
	for (i = 0; i < ps; i++)
		block[2 + i] |= 0x01;   /* padding string bytes are non-zero */
	block[2 + ps] = 0x00;
	memcpy(block + 3 + ps, msg, sizeof(msg));
	assert_int_equal(carta_rsa_public_raw(n, nlen, e, elen, block, nlen, ct), CARTA_OK);
	free(n);
	free(e);
	return nlen;
}

static void test_decrypt(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM pkcs = { CKM_RSA_PKCS, NULL, 0 }, raw = { CKM_RSA_X_509, NULL, 0 };
	CK_MECHANISM_INFO mi;
	uint8_t block[512], ct[512], out[512];
	CK_ULONG k, outlen;
	CK_BBOOL b = CK_FALSE;
	CK_ATTRIBUTE a;

	assert_int_equal(c->h.f->C_GetMechanismInfo(0, CKM_RSA_PKCS, &mi), CKR_OK);
	assert_true(mi.flags & CKF_DECRYPT);   /* the CNS auth key deciphers (docs/reference/cns.md 1.8) */
	a = (CK_ATTRIBUTE){ CKA_ENCRYPT, &b, sizeof(b) };
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, c->pub, &a, 1), CKR_OK);
	assert_int_equal(b, CK_TRUE);   /* its private half decrypts */
	k = encrypt_for(c, block, ct);
	/* the key is hidden while logged out; decrypt.c gives the login error */
	assert_int_equal(c->h.f->C_DecryptInit(c->s, &pkcs, c->key), CKR_USER_NOT_LOGGED_IN);
	outlen = sizeof(out);
	assert_int_equal(c->h.f->C_Decrypt(c->s, ct, k, out, &outlen),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, "12345678"), CKR_OK);
	b = CK_FALSE;
	a = (CK_ATTRIBUTE){ CKA_DECRYPT, &b, sizeof(b) };
	assert_int_equal(c->h.f->C_GetAttributeValue(c->s, c->key, &a, 1), CKR_OK);
	assert_int_equal(b, CK_TRUE);

	assert_int_equal(c->h.f->C_DecryptInit(c->s, &pkcs, c->key), CKR_OK);
	outlen = sizeof(out);
	assert_int_equal(c->h.f->C_Decrypt(c->s, ct, k, out, &outlen), CKR_OK);
	assert_int_equal(outlen, sizeof(msg));
	assert_memory_equal(out, msg, sizeof(msg));

	assert_int_equal(c->h.f->C_DecryptInit(c->s, &raw, c->key), CKR_OK);
	outlen = sizeof(out);
	assert_int_equal(c->h.f->C_Decrypt(c->s, ct, k, out, &outlen), CKR_OK);
	assert_int_equal(outlen, k);
	assert_memory_equal(out, block, k);

	/* a block that is not type 2 (here: the raw block's first bytes changed
	 * to 00 01) is refused, and nothing is returned */
	block[1] = 0x01;
	{
		CK_ULONG nlen, elen;
		uint8_t *n = h_attr(&c->h, c->s, c->pub, CKA_MODULUS, &nlen);
		uint8_t *e = h_attr(&c->h, c->s, c->pub, CKA_PUBLIC_EXPONENT, &elen);

		assert_int_equal(carta_rsa_public_raw(n, nlen, e, elen, block, nlen, ct), CARTA_OK);
		free(n);
		free(e);
	}
	assert_int_equal(c->h.f->C_DecryptInit(c->s, &pkcs, c->key), CKR_OK);
	outlen = sizeof(out);
	assert_int_equal(c->h.f->C_Decrypt(c->s, ct, k, out, &outlen), CKR_ENCRYPTED_DATA_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		RSA_TESTS(setup_st),
		RSA_TESTS(setup_idemia),
		RSA_TESTS(setup_actalis),
		RSA_TESTS(setup_classic),
		cmocka_unit_test_setup_teardown(test_sign_every_mechanism, setup_ec, teardown),
		cmocka_unit_test_setup_teardown(test_decrypt, setup_st, teardown),
		cmocka_unit_test_setup_teardown(test_decrypt, setup_classic, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
