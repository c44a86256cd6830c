/* SPDX-License-Identifier: BSD-3-Clause */
/* The object model: per key a private key, a public key and its X.509
 * certificate, sharing one CKA_ID; the holder data as CKO_DATA objects.
 * Objects are views of the card description, not copies; handles encode the
 * token generation, the slot and a fixed position, so that rebuilding after
 * login (CIE: certificate readable only then) keeps them stable. */
#include <string.h>

#include "pkcs11/core/state.h"

#define POS_KEYS 0
#define POS_CERTS (CARTA_MAX_KEYS * 3)
#define POS_DATA (POS_CERTS + CARTA_MAX_CERTS)

static void add(struct carta_p11_token *t, size_t slot_index, enum carta_p11_obj_kind kind,
                size_t index, size_t pos)
{
	struct carta_p11_object *o = &t->objs[t->n_objs++];

	o->kind = kind;
	o->index = index;
	o->handle = ((CK_OBJECT_HANDLE)(t->gen & 0xffffffu) << 16) |
	            ((CK_OBJECT_HANDLE)(slot_index + 1) << 8) | (CK_OBJECT_HANDLE)pos;
}

static bool cert_usable(const struct carta_card_desc *d, int c)
{
	return c >= 0 && (size_t)c < d->n_certs && d->certs[c].der && d->certs[c].der_len > 0;
}

/* The card layer fills a key's public half (from its certificate). */
static bool pubkey_known(const struct carta_key *k)
{
	if (k->type == CARTA_KEY_RSA)
		return k->modulus && k->exponent;
	return k->type == CARTA_KEY_EC && k->ec_point && k->ec_params;
}

/* A token shows its keys (t->keys: on a card with two tokens, those its
 * PIN guards) with their certificates; the certificates of no key and the
 * holder data go to the reader slot's token. */
void carta_p11_objects_build(struct carta_p11_token *t, size_t slot_index)
{
	const struct carta_card_desc *d = t->desc;
	bool cert_of_key[CARTA_MAX_CERTS] = { false };
	size_t i;

	t->n_objs = 0;
	for (i = 0; i < d->n_keys && i < CARTA_MAX_KEYS; i++) {
		bool mine = t->keys & (1u << i);

		if (cert_usable(d, d->keys[i].cert) && d->keys[i].cert < CARTA_MAX_CERTS)
			cert_of_key[d->keys[i].cert] = true;
		if (!mine)
			continue;
		add(t, slot_index, CARTA_P11_OBJ_PRIV, i, POS_KEYS + i * 3);
		if (pubkey_known(&d->keys[i]))
			add(t, slot_index, CARTA_P11_OBJ_PUB, i, POS_KEYS + i * 3 + 1);
		if (cert_usable(d, d->keys[i].cert) && d->keys[i].cert < CARTA_MAX_CERTS)
			add(t, slot_index, CARTA_P11_OBJ_CERT, (size_t)d->keys[i].cert,
			    POS_KEYS + i * 3 + 2);
	}
	if (slot_index >= CARTA_P11_SIGN_BASE)
		return;
	for (i = 0; i < d->n_certs && i < CARTA_MAX_CERTS; i++)
		if (!cert_of_key[i] && cert_usable(d, (int)i))
			add(t, slot_index, CARTA_P11_OBJ_CERT, i, POS_CERTS + i);
	for (i = 0; i < CARTA_P11_DATA_N; i++) {
		const char *v = carta_p11_data_value(d, i);

		if (v && v[0])
			add(t, slot_index, CARTA_P11_OBJ_DATA, i, POS_DATA + i);
	}
}

const struct carta_p11_object *carta_p11_object_find(const struct carta_p11_token *t,
                                                     CK_OBJECT_HANDLE h)
{
	size_t i;

	for (i = 0; i < t->n_objs; i++)
		if (t->objs[i].handle == h)
			return &t->objs[i];
	return NULL;
}

/* Private key objects (CKA_PRIVATE true) are visible only to the logged-in
 * user (PKCS#11 v2.40 base 4.4). Clients such as libp11 (the OpenSSL engine,
 * curl) take a key they can see as usable and sign without logging in;
 * hiding it makes them log in first, as OpenSC's module does too. A token
 * that needs no login has public keys (CKA_PRIVATE false), each use of
 * which asks for the PIN (CKA_ALWAYS_AUTHENTICATE). */
bool carta_p11_object_visible(const struct carta_p11_slot *s, const struct carta_p11_object *o)
{
	return o->kind != CARTA_P11_OBJ_PRIV || s->login == CARTA_P11_LOGIN_USER || s->tok.no_login;
}

const char *carta_p11_data_label(size_t field)
{
	static const char *const labels[CARTA_P11_DATA_N] = {
		"codice_fiscale", "given_name", "surname", "birth_date", "card_serial",
	};

	return field < CARTA_P11_DATA_N ? labels[field] : NULL;
}

const char *carta_p11_data_value(const struct carta_card_desc *d, size_t field)
{
	const struct carta_holder *h = &d->holder;

	switch (field) {
	case CARTA_P11_DATA_CF: return h->present ? h->codice_fiscale : NULL;
	case CARTA_P11_DATA_GIVEN: return h->present ? h->given_name : NULL;
	case CARTA_P11_DATA_SURNAME: return h->present ? h->surname : NULL;
	case CARTA_P11_DATA_BIRTH: return h->present ? h->birth_date : NULL;
	case CARTA_P11_DATA_SERIAL: return d->serial;
	default: return NULL;
	}
}
