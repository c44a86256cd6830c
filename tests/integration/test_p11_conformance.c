/* SPDX-License-Identifier: BSD-3-Clause */
/* The operation rules an independent conformance run (pkcs11test, OpenSC
 * p11test) checks, through the function list:
 * - C_Digest/C_DigestFinal and C_Sign/C_SignFinal end the operation unless
 *   they return CKR_BUFFER_TOO_SMALL or answer a length query (v2.40 base
 *   5.10, 5.11; v3.0 base 5.12, 5.13), CKR_ARGUMENTS_BAD included;
 * - single-part and multi-part calls do not mix: C_Digest/C_Sign after an
 *   update, the Final call or an update after a single-part length query,
 *   are CKR_OPERATION_ACTIVE (and end the operation by the same rule);
 * - an empty message is signed and digested (NULL with length 0 is valid);
 * - ciphertext the card refuses is CKR_ENCRYPTED_DATA_INVALID (v2.40 base 5.9). */
#include "p11_harness.c"

#define PIN "12345678"

static const uint8_t msg[] = "carta: il documento da firmare";

struct ctx {
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key, pub;
	struct carta_bytes cert;
};

static int setup_profile(void **state, bool ec)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct vcard_config cfg;

	h_init(&c->h, 1);
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "st";
	cfg.ec_key = ec;
	assert_int_equal(vcard_new(&cfg, &c->h.v[0]), CARTA_OK);
	c->v = h_card(&c->h, 0, "st");
	c->cert = vcard_holder_cert(c->v);
	c->s = h_open(&c->h, 0, CKF_RW_SESSION);
	assert_int_equal(h_login(&c->h, c->s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(h_find(&c->h, c->s, CKO_PRIVATE_KEY, &c->key, 1), 1);
	assert_int_equal(h_find(&c->h, c->s, CKO_PUBLIC_KEY, &c->pub, 1), 1);
	*state = c;
	return 0;
}

static int setup_rsa(void **state) { return setup_profile(state, false); }
static int setup_ec(void **state) { return setup_profile(state, true); }

static int teardown(void **state)
{
	struct ctx *c = *state;

	h_done(&c->h);
	free(c);
	return 0;
}

static void sha256(const void *p, size_t n, uint8_t *out)
{
	size_t got;

	assert_int_equal(carta_digest(CARTA_HASH_SHA256, p, n, out, 32, &got), CARTA_OK);
	assert_int_equal(got, 32);
}

static void test_digest_state(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM m = { CKM_SHA256, NULL, 0 };
	uint8_t out[64], ref[32];
	CK_ULONG n;

	/* C_Digest cannot end a multi-part digest: refused, and the operation
	 * ends (5.10: it always does, but for the two exceptions) */
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	assert_int_equal(c->h.f->C_DigestUpdate(c->s, (CK_BYTE *)"ab", 2), CKR_OK);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"c", 1, out, &n), CKR_OPERATION_ACTIVE);
	assert_int_equal(c->h.f->C_DigestFinal(c->s, out, &n), CKR_OPERATION_NOT_INITIALIZED);

	/* a C_Digest length query makes it single-part: C_DigestFinal and
	 * C_DigestUpdate are refused */
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	n = 0;
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, NULL, &n), CKR_OK);
	assert_int_equal(n, 32);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_DigestFinal(c->s, out, &n), CKR_OPERATION_ACTIVE);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	n = 8;
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, &n), CKR_BUFFER_TOO_SMALL);
	assert_int_equal(c->h.f->C_DigestUpdate(c->s, (CK_BYTE *)"abc", 3), CKR_OPERATION_ACTIVE);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);

	/* no length pointer: CKR_ARGUMENTS_BAD, which ends the operation */
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, NULL), CKR_ARGUMENTS_BAD);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	assert_int_equal(c->h.f->C_DigestUpdate(c->s, (CK_BYTE *)"abc", 3), CKR_OK);
	assert_int_equal(c->h.f->C_DigestFinal(c->s, out, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(c->h.f->C_DigestFinal(c->s, out, &n), CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	assert_int_equal(c->h.f->C_Digest(c->s, NULL, 3, out, &n), CKR_ARGUMENTS_BAD);
	assert_int_equal(c->h.f->C_Digest(c->s, (CK_BYTE *)"abc", 3, out, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);

	/* multi-part: the Final length query and a short buffer keep it */
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	assert_int_equal(c->h.f->C_DigestUpdate(c->s, (CK_BYTE *)"a", 1), CKR_OK);
	assert_int_equal(c->h.f->C_DigestUpdate(c->s, (CK_BYTE *)"bc", 2), CKR_OK);
	n = 0;
	assert_int_equal(c->h.f->C_DigestFinal(c->s, NULL, &n), CKR_OK);
	assert_int_equal(n, 32);
	n = 8;
	assert_int_equal(c->h.f->C_DigestFinal(c->s, out, &n), CKR_BUFFER_TOO_SMALL);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_DigestFinal(c->s, out, &n), CKR_OK);
	sha256("abc", 3, ref);
	assert_memory_equal(out, ref, 32);

	/* the empty message, NULL with length 0, both ways */
	sha256("", 0, ref);
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_Digest(c->s, NULL, 0, out, &n), CKR_OK);
	assert_int_equal(n, 32);
	assert_memory_equal(out, ref, 32);
	assert_int_equal(c->h.f->C_DigestInit(c->s, &m), CKR_OK);
	assert_int_equal(c->h.f->C_DigestUpdate(c->s, NULL, 0), CKR_OK);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_DigestFinal(c->s, out, &n), CKR_OK);
	assert_memory_equal(out, ref, 32);
}

static void test_sign_state(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	uint8_t sig[512], ref[32];
	CK_ULONG n;

	/* a C_Sign length query makes it single-part: C_SignFinal would sign
	 * the empty message, C_SignUpdate would sign something else */
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
	n = 0;
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), NULL, &n), CKR_OK);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_SignFinal(c->s, sig, &n), CKR_OPERATION_ACTIVE);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), sig, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
	n = 0;
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), NULL, &n), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, (CK_BYTE *)msg, 1), CKR_OPERATION_ACTIVE);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), sig, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);

	/* C_Sign after C_SignUpdate: refused, and the operation ends */
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, (CK_BYTE *)msg, 5), CKR_OK);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, 1, sig, &n), CKR_OPERATION_ACTIVE);
	assert_int_equal(c->h.f->C_SignFinal(c->s, sig, &n), CKR_OPERATION_NOT_INITIALIZED);

	/* no length pointer, or data without a pointer: CKR_ARGUMENTS_BAD, the end */
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), sig, NULL),
	                 CKR_ARGUMENTS_BAD);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), sig, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_Sign(c->s, NULL, 4, sig, &n), CKR_ARGUMENTS_BAD);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), sig, &n),
	                 CKR_OPERATION_NOT_INITIALIZED);
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_SignUpdate(c->s, (CK_BYTE *)msg, sizeof(msg)), CKR_OK);
	assert_int_equal(c->h.f->C_SignFinal(c->s, sig, NULL), CKR_ARGUMENTS_BAD);
	assert_int_equal(c->h.f->C_SignFinal(c->s, sig, &n), CKR_OPERATION_NOT_INITIALIZED);

	/* the short buffer keeps a single-part signature, which then signs */
	assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
	n = 3;
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), sig, &n),
	                 CKR_BUFFER_TOO_SMALL);
	n = sizeof(sig);
	assert_int_equal(c->h.f->C_Sign(c->s, (CK_BYTE *)msg, sizeof(msg), sig, &n), CKR_OK);
	sha256(msg, sizeof(msg), ref);
	assert_int_equal(carta_rsa_verify_pkcs1(c->cert.p, c->cert.len, true, CARTA_HASH_SHA256,
	                                        ref, 32, sig, n), CARTA_OK);
}

/* The block the public key recovers from an RSA signature. */
static void rsa_recover(struct ctx *c, const uint8_t *sig, size_t n, uint8_t *out)
{
	CK_ULONG nlen, elen;
	uint8_t *mod = h_attr(&c->h, c->s, c->pub, CKA_MODULUS, &nlen);
	uint8_t *e = h_attr(&c->h, c->s, c->pub, CKA_PUBLIC_EXPONENT, &elen);

	assert_int_equal(nlen, n);
	assert_int_equal(carta_rsa_public_raw(mod, nlen, e, elen, sig, n, out), CARTA_OK);
	free(mod);
	free(e);
}

static enum carta_hash hash_of(CK_MECHANISM_TYPE m)
{
	switch (m) {
	case CKM_SHA1_RSA_PKCS: case CKM_SHA1_RSA_PKCS_PSS: case CKM_ECDSA_SHA1:
		return CARTA_HASH_SHA1;
	case CKM_SHA224_RSA_PKCS: case CKM_SHA224_RSA_PKCS_PSS: case CKM_ECDSA_SHA224:
		return CARTA_HASH_SHA224;
	case CKM_SHA256_RSA_PKCS: case CKM_SHA256_RSA_PKCS_PSS: case CKM_ECDSA_SHA256:
		return CARTA_HASH_SHA256;
	case CKM_SHA384_RSA_PKCS: case CKM_SHA384_RSA_PKCS_PSS: case CKM_ECDSA_SHA384:
		return CARTA_HASH_SHA384;
	case CKM_SHA512_RSA_PKCS: case CKM_SHA512_RSA_PKCS_PSS: case CKM_ECDSA_SHA512:
		return CARTA_HASH_SHA512;
	default: return CARTA_HASH_NONE;
	}
}

static CK_MECHANISM_TYPE ckm_of(enum carta_hash h)
{
	static const CK_MECHANISM_TYPE m[] = { CKM_SHA256, CKM_SHA_1, CKM_SHA224, CKM_SHA256,
	                                       CKM_SHA384, CKM_SHA512 };
	return m[h];
}

static CK_ULONG mgf_of(enum carta_hash h)
{
	static const CK_ULONG m[] = { CKG_MGF1_SHA256, CKG_MGF1_SHA1, CKG_MGF1_SHA224,
	                              CKG_MGF1_SHA256, CKG_MGF1_SHA384, CKG_MGF1_SHA512 };
	return m[h];
}

/* The signature of the empty message with m, checked against what the
 * mechanism means for it. */
static void check_empty(struct ctx *c, CK_MECHANISM_TYPE m, const uint8_t *sig, CK_ULONG n)
{
	enum carta_hash h = hash_of(m);
	uint8_t hash[64], blk[512], want[512];
	size_t hl = 0;

	if (h != CARTA_HASH_NONE)
		assert_int_equal(carta_digest(h, (const uint8_t *)"", 0, hash, sizeof(hash), &hl), CARTA_OK);
	switch (m) {
	case CKM_RSA_PKCS:     /* PKCS#1 v1.5 type 1 around nothing (RFC 8017 9.2) */
		rsa_recover(c, sig, n, blk);
		assert_int_equal(carta_pkcs1_type1_pad(NULL, 0, n, want), CARTA_OK);
		assert_memory_equal(blk, want, n);
		break;
	case CKM_RSA_X_509:    /* the all-zero block: its signature is zero too */
		rsa_recover(c, sig, n, blk);
		memset(want, 0, n);
		assert_memory_equal(blk, want, n);
		break;
	case CKM_ECDSA:        /* no bits of hash: the integer 0 (SEC 1 4.1.3 step 5) */
		memset(hash, 0, 32);
		assert_int_equal(carta_ecdsa_verify(c->cert.p, c->cert.len, true, hash, 32, sig, n),
		                 CARTA_OK);
		break;
	default:
		if (m == CKM_ECDSA_SHA1 || m == CKM_ECDSA_SHA224 || m == CKM_ECDSA_SHA256 ||
		    m == CKM_ECDSA_SHA384 || m == CKM_ECDSA_SHA512)
			assert_int_equal(carta_ecdsa_verify(c->cert.p, c->cert.len, true, hash, hl, sig,
			                                    n), CARTA_OK);
		else
			assert_int_equal(carta_rsa_verify_pkcs1(c->cert.p, c->cert.len, true, h, hash,
			                                        hl, sig, n), CARTA_OK);
	}
}

static bool is_pss(CK_MECHANISM_TYPE m)
{
	return m == CKM_RSA_PKCS_PSS || m == CKM_SHA1_RSA_PKCS_PSS || m == CKM_SHA224_RSA_PKCS_PSS ||
	       m == CKM_SHA256_RSA_PKCS_PSS || m == CKM_SHA384_RSA_PKCS_PSS ||
	       m == CKM_SHA512_RSA_PKCS_PSS;
}

/* Every signing mechanism on the empty message, NULL with length 0, single
 * and multi-part. CKM_RSA_PKCS_PSS signs a hash: an empty one is no hash. */
static void test_sign_empty(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM_TYPE mechs[64];
	CK_MECHANISM_INFO mi;
	CK_ULONG i, nm = 64, n, k = 0, len;
	CK_KEY_TYPE kt;
	uint8_t sig[512], *v;
	int done = 0;

	v = h_attr(&c->h, c->s, c->key, CKA_KEY_TYPE, &len);
	memcpy(&kt, v, sizeof(kt));
	free(v);
	if (kt == CKK_RSA)
		free(h_attr(&c->h, c->s, c->pub, CKA_MODULUS, &k));

	assert_int_equal(c->h.f->C_GetMechanismList(0, mechs, &nm), CKR_OK);
	for (i = 0; i < nm; i++) {
		enum carta_hash h = hash_of(mechs[i]);
		CK_RSA_PKCS_PSS_PARAMS pss = { ckm_of(h), mgf_of(h), carta_hash_len(h) };
		CK_MECHANISM m = { mechs[i], &pss, sizeof(pss) };
		bool pss_mech = is_pss(mechs[i]);

		assert_int_equal(c->h.f->C_GetMechanismInfo(0, mechs[i], &mi), CKR_OK);
		if (!(mi.flags & CKF_SIGN))
			continue;
		if (pss_mech && pss.sLen + 2 > k - carta_hash_len(h))   /* small keys: a salt that fits */
			pss.sLen = k - carta_hash_len(h) - 2;
		if (!pss_mech) {
			m.pParameter = NULL;
			m.ulParameterLen = 0;
		}
		print_message("  mechanism 0x%lx\n", mechs[i]);
		assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
		n = sizeof(sig);
		if (mechs[i] == CKM_RSA_PKCS_PSS) {
			assert_int_equal(c->h.f->C_Sign(c->s, NULL, 0, sig, &n), CKR_DATA_LEN_RANGE);
			continue;
		}
		assert_int_equal(c->h.f->C_Sign(c->s, NULL, 0, sig, &n), CKR_OK);
		check_empty(c, mechs[i], sig, n);
		assert_int_equal(c->h.f->C_SignInit(c->s, &m, c->key), CKR_OK);
		assert_int_equal(c->h.f->C_SignUpdate(c->s, NULL, 0), CKR_OK);
		n = sizeof(sig);
		assert_int_equal(c->h.f->C_SignFinal(c->s, sig, &n), CKR_OK);
		check_empty(c, mechs[i], sig, n);
		done++;
	}
	assert_true(done >= 6);
}

/* A ciphertext of the key's length that the card refuses (all FF: over the
 * modulus) is CKR_ENCRYPTED_DATA_INVALID, not the plaintext's CKR_DATA_INVALID. */
static void test_decrypt_refused(void **state)
{
	struct ctx *c = *state;
	CK_MECHANISM raw = { CKM_RSA_X_509, NULL, 0 }, pkcs = { CKM_RSA_PKCS, NULL, 0 };
	uint8_t ct[512], out[512];
	CK_ULONG k, n = sizeof(out);

	assert_int_equal(c->h.f->C_DecryptInit(c->s, &raw, c->key), CKR_OK);
	assert_int_equal(c->h.f->C_Decrypt(c->s, ct, 1, NULL, &n), CKR_OK);
	k = n;
	memset(ct, 0xFF, k);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_Decrypt(c->s, ct, k, out, &n), CKR_ENCRYPTED_DATA_INVALID);
	assert_int_equal(c->h.f->C_DecryptInit(c->s, &pkcs, c->key), CKR_OK);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_Decrypt(c->s, ct, k, out, &n), CKR_ENCRYPTED_DATA_INVALID);
	assert_int_equal(c->h.f->C_DecryptInit(c->s, &pkcs, c->key), CKR_OK);
	n = sizeof(out);
	assert_int_equal(c->h.f->C_Decrypt(c->s, ct, k - 1, out, &n), CKR_ENCRYPTED_DATA_LEN_RANGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_digest_state, setup_rsa, teardown),
		cmocka_unit_test_setup_teardown(test_sign_state, setup_rsa, teardown),
		cmocka_unit_test_setup_teardown(test_sign_empty, setup_rsa, teardown),
		cmocka_unit_test_setup_teardown(test_sign_empty, setup_ec, teardown),
		cmocka_unit_test_setup_teardown(test_decrypt_refused, setup_rsa, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
