/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by test_p11_ds*.c (#included): a virtual card with the CNS1
 * signature key set (--ds) behind a tap that counts what reaches the card:
 * VERIFY presenting the signature PIN (P2 0x1A, 0x9A on ST masks) or the
 * CNS PIN (0x10 / 0x90) — with data, not the status queries without it —
 * and resets (docs/reference/cns.md 1.5, 2). */
#include <stdatomic.h>

#include "p11_harness.c"

#define CNS_PIN "12345678"
#define DS_PIN "87654321"   /* tools/vcard defaults */
#define DS_PUK "11223344"
#define SIGN_SLOT(i) (32 + (CK_SLOT_ID)(i))   /* CARTA_P11_SIGN_BASE + reader */

struct tap {
	struct vcard *v;
	atomic_ulong verify_ds, verify_cns, resets;
};

static enum carta_err tap_apdu(void *card, const uint8_t *cmd, size_t n, struct carta_buf *resp)
{
	struct tap *t = card;

	if (n > 5 && cmd[1] == 0x20 && (cmd[3] & 0x7f) == 0x1a)
		atomic_fetch_add(&t->verify_ds, 1);
	if (n > 5 && cmd[1] == 0x20 && (cmd[3] & 0x7f) == 0x10)
		atomic_fetch_add(&t->verify_cns, 1);
	return vcard_inproc_ops.apdu(t->v, cmd, n, resp);
}

static void tap_reset(void *card)
{
	struct tap *t = card;

	atomic_fetch_add(&t->resets, 1);
	vcard_inproc_ops.reset(t->v);
}

static size_t tap_atr(void *card, uint8_t *out, size_t cap)
{
	return vcard_inproc_ops.atr(((struct tap *)card)->v, out, cap);
}

static const struct carta_inproc_card_ops tap_ops = { tap_apdu, tap_reset, tap_atr };

/* A card of `profile` with the signature key set into reader `slot`,
 * behind tap t (h->v[slot] is the card, freed by h_done). */
static inline void tap_card(struct h *h, struct tap *t, size_t slot, const char *profile,
                     bool per_sign)
{
	struct vcard_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	cfg.ds = true;
	cfg.ds_pin_per_sign = per_sign;
	memset(t, 0, sizeof(*t));
	assert_int_equal(vcard_new(&cfg, &h->v[slot]), CARTA_OK);
	t->v = h->v[slot];
	assert_int_equal(carta_inproc_insert(h->ip, slot, &tap_ops, t), CARTA_OK);
}

/* The one private key of the session's token (logged in). */
static inline CK_OBJECT_HANDLE tap_key(struct h *h, CK_SESSION_HANDLE s)
{
	CK_OBJECT_HANDLE k[2];

	assert_int_equal(h_find(h, s, CKO_PRIVATE_KEY, k, 2), 1);
	return k[0];
}

/* One SHA256-RSA-PKCS signature of msg, checked against cert. */
static inline CK_RV tap_sign(struct h *h, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key,
                      const char *ctx_pin, struct carta_bytes cert, const char *msg)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	uint8_t sig[512], hash[32];
	CK_ULONG n = sizeof(sig);
	size_t hl = 0;
	CK_RV rv;

	rv = h->f->C_SignInit(s, &m, key);
	if (rv == CKR_OK && ctx_pin)
		rv = h_login(h, s, CKU_CONTEXT_SPECIFIC, ctx_pin);
	if (rv == CKR_OK)
		rv = h->f->C_Sign(s, (CK_BYTE *)msg, strlen(msg), sig, &n);
	if (rv != CKR_OK)
		return rv;
	if (carta_digest(CARTA_HASH_SHA256, (const uint8_t *)msg, strlen(msg), hash, sizeof(hash),
	                 &hl) != CARTA_OK ||
	    carta_rsa_verify_pkcs1(cert.p, cert.len, true, CARTA_HASH_SHA256, hash, hl, sig, n) !=
	    CARTA_OK)
		return CKR_GENERAL_ERROR;   /* a signature that does not verify */
	return CKR_OK;
}
