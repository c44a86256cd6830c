/* SPDX-License-Identifier: BSD-3-Clause */
/* A reproducible test identity: from a seed, the "Carta Test CA", the holder
 * key and authentication certificate (AgID CNS profile, docs/reference/cns.md 3.6), the card
 * id (docs/reference/cns.md 1.10) and EF_Dati_personali (docs/reference/cns.md 1.9). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vcard_int.h"

/* ---- key cache: generating RSA keys is slow, tests make many cards ---- */

struct cached_key {
	char *seed;
	size_t bits;
	bool ec;
	struct carta_tk_key *key;
	struct cached_key *next;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached_key *cache;

enum carta_err vcard_key_cached(const char *seed, size_t bits, bool ec,
                                const struct carta_tk_key **out)
{
	struct cached_key *e;
	enum carta_err rv = CARTA_OK;

	pthread_mutex_lock(&cache_lock);
	for (e = cache; e; e = e->next)
		if (e->bits == bits && e->ec == ec && strcmp(e->seed, seed) == 0)
			goto out;
	e = calloc(1, sizeof(*e));
	if (!e || !(e->seed = strdup(seed))) {
		rv = CARTA_E_NOMEM;
		goto fail;
	}
	e->bits = bits;
	e->ec = ec;
	rv = ec ? carta_tk_ec_p256_from_seed(seed, &e->key)
	        : carta_tk_rsa_from_seed(seed, bits, &e->key);
	if (rv != CARTA_OK)
		goto fail;
	e->next = cache;
	cache = e;
	goto out;
fail:
	if (e)
		free(e->seed);
	free(e);
	e = NULL;
out:
	*out = e ? e->key : NULL;
	pthread_mutex_unlock(&cache_lock);
	return rv;
}

/* ---- small encoders ---------------------------------------------------- */

size_t vcard_base64(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i, o = 0, need = (n + 2) / 3 * 4 + 1;

	if (cap < need)
		return 0;
	for (i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = al[v >> 18 & 63];
		out[o++] = al[v >> 12 & 63];
		out[o++] = i + 1 < n ? al[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? al[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

/* Luhn (ISO/IEC 7812-1 annex B) over digits, the last being the check digit. */
bool vcard_luhn_ok(const char *d, size_t n)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned v = (unsigned)(d[n - 1 - i] - '0');

		if (v > 9)
			return false;
		if (i % 2) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return n > 0 && sum % 10 == 0;
}

/* Type digit 6 = citizen card, regional; issuer 090 (Toscana, as in the
 * docs/reference/cns.md 1.9 example "6090"); 11 digits from the seed; Luhn digit. */
void vcard_card_id_from_seed(const char *seed, char out[17])
{
	uint8_t h[CARTA_HASH_MAX_LEN];
	char buf[160];
	size_t hl = 0, i;

	snprintf(buf, sizeof(buf), "%s/card-id", seed);
	memset(h, 0, sizeof(h));
	carta_digest(CARTA_HASH_SHA256, (const uint8_t *)buf, strlen(buf), h, sizeof(h), &hl);
	memcpy(out, "6090", 4);
	for (i = 0; i < 11; i++)
		out[4 + i] = (char)('0' + h[i] % 10);
	out[16] = '\0';
	for (i = 0; i < 10; i++) {
		out[15] = (char)('0' + i);
		if (vcard_luhn_ok(out, 16))
			break;
	}
}

enum carta_err vcard_personal_data(const char *const f[VCARD_PERSONAL_FIELDS],
                                   struct carta_buf *out)
{
	char body[VCARD_PERSONAL_SIZE + 1], head[8];
	size_t i, len = 0, n;
	enum carta_err rv;

	for (i = 0; i < VCARD_PERSONAL_FIELDS; i++) {
		n = f[i] ? strlen(f[i]) : 0;
		if (n > 0xFF || len + 2 + n > VCARD_PERSONAL_SIZE - 6)
			return CARTA_E_RANGE;
		snprintf(body + len, sizeof(body) - len, "%02X%s", (unsigned)n, f[i] ? f[i] : "");
		len += 2 + n;
	}
	snprintf(head, sizeof(head), "%06X", (unsigned)len);
	carta_buf_clear(out);
	rv = carta_buf_append(out, (const uint8_t *)head, 6);
	if (rv == CARTA_OK)
		rv = carta_buf_append(out, (const uint8_t *)body, len);
	while (rv == CARTA_OK && out->len < VCARD_PERSONAL_SIZE)
		rv = carta_buf_append_byte(out, 0x00);
	return rv;
}

enum carta_err vcard_holder_cn(const char *cf, const char *card_id, const uint8_t *personal,
                               size_t n, char *out, size_t cap)
{
	uint8_t h[CARTA_HASH_MAX_LEN];
	char b64[64];
	size_t hl = 0;
	enum carta_err rv;
	int w;

	rv = carta_digest(CARTA_HASH_SHA1, personal, n, h, sizeof(h), &hl);
	if (rv != CARTA_OK)
		return rv;
	if (!vcard_base64(h, hl, b64, sizeof(b64)))
		return CARTA_E_INTERNAL;
	w = snprintf(out, cap, "%s/%s.%s", cf, card_id, b64);
	return w < 0 || (size_t)w >= cap ? CARTA_E_BUFFER_SMALL : CARTA_OK;
}
