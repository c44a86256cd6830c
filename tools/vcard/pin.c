/* SPDX-License-Identifier: BSD-3-Clause */
/* VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER on the CNS PIN (BSO 10)
 * and PUK (BSO 11), and on the CNS1 signature PIN 1A / PUK 1B (docs/reference/cns.md 1.5):
 * docs/reference/cns.md 1.6, 3.4, 3.5 and the PIN checklist of docs/reference/cns.md 5.
 * Values are ASCII digits right-padded with FF to 8 bytes. */
#include "vcard_int.h"

static uint16_t tries_sw(unsigned tries)
{
	return (uint16_t)(0x63C0 | (tries > 15 ? 15 : tries));
}

/* ST/Incard cards get ref | 0x80 (the "search parents" flag, docs/reference/cns.md 1.6);
 * other cards know no such reference. The PIN objects belong to the CNS
 * application: with another applet selected they are not found. The signature PIN
 * 1A / PUK 1B live in DF 1400/8110 and are found only from where ds.c says. */
static struct vcard_pin *lookup(struct vcard_cns *c, uint8_t p2)
{
	uint8_t ref = p2;

	if (c->app_root != c->cns_app)
		return NULL;
	if (c->prof->st_flag && (p2 & 0x80))
		ref = p2 & 0x7F;
	if (c->cns0 && ref == c->pin.ref)
		return &c->pin;
	if (c->cns0 && ref == c->puk.ref)
		return &c->puk;
	if (c->ds && (ref == c->ds_pin.ref || ref == c->ds_puk.ref) && vcard_ds_visible(c))
		return ref == c->ds_pin.ref ? &c->ds_pin : &c->ds_puk;
	return NULL;
}

static bool is_puk(const struct vcard_cns *c, const struct vcard_pin *o)
{
	return o == &c->puk || o == &c->ds_puk;
}

/* Each PIN has its own PUK: 11 for 10, 1B for 1A (docs/reference/cns.md 1.5). */
static struct vcard_pin *puk_of(struct vcard_cns *c, const struct vcard_pin *o)
{
	return o == &c->pin ? &c->puk : o == &c->ds_pin ? &c->ds_puk : NULL;
}

static bool same(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (size_t i = 0; i < 8; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

/* 5 to 8 ASCII digits, then FF up to 8 bytes (docs/reference/cns.md 3.5). */
static bool well_formed(const uint8_t *v)
{
	size_t i = 0;

	while (i < 8 && v[i] >= '0' && v[i] <= '9')
		i++;
	if (i < 5)
		return false;
	for (; i < 8; i++)
		if (v[i] != 0xFF)
			return false;
	return true;
}

/* Checks one value against an object: 90 00, 63 Cx or 69 83. */
static uint16_t check(struct vcard_pin *o, const uint8_t *v)
{
	if (o->tries == 0)
		return 0x6983;
	if (!same(o->value, v)) {
		o->tries--;
		o->verified = false;
		return tries_sw(o->tries);
	}
	o->tries = o->max;
	return 0x9000;
}

enum carta_err vcard_cmd_verify(struct vcard_cns *c, const struct vcard_capdu *a,
                                struct carta_buf *r)
{
	struct vcard_pin *o;
	uint16_t sw;

	if (a->p1 != 0x00)
		return vcard_sw(r, 0x6A86);
	o = lookup(c, a->p2);
	if (!o || (is_puk(c, o) && !c->puk_verify))
		return vcard_sw(r, 0x6A88);
	if (a->lc == 0) {
		/* ISO 7816-4 7.5.6: no data = ask the status. Whether a real
		 * CNS answers this is [?] (docs/reference/cns.md 1.3), hence the switch. */
		if (!c->empty_verify)
			return vcard_sw(r, 0x6700);
		if (o->tries == 0)
			return vcard_sw(r, 0x6983);
		return vcard_sw(r, o->verified ? 0x9000 : tries_sw(o->tries));
	}
	if (a->lc != 8)
		return vcard_sw(r, 0x6700);
	sw = check(o, a->data);
	if (sw == 0x9000)
		o->verified = true;
	return vcard_sw(r, sw);
}

enum carta_err vcard_cmd_change(struct vcard_cns *c, const struct vcard_capdu *a,
                                struct carta_buf *r)
{
	struct vcard_pin *o;
	uint16_t sw;

	if (a->p1 != 0x00)
		return vcard_sw(r, 0x6A86);
	o = lookup(c, a->p2);
	if (!o)
		return vcard_sw(r, 0x6A88);
	/* "The PUK cannot be changed by user or operator" (docs/reference/cns.md 3.5). */
	if (is_puk(c, o))
		return vcard_sw(r, 0x6985);
	if (a->lc != 16)
		return vcard_sw(r, 0x6700);
	if (o->tries == 0)
		return vcard_sw(r, 0x6983);
	if (!well_formed(a->data + 8))
		return vcard_sw(r, 0x6A80);
	sw = check(o, a->data);
	if (sw == 0x9000) {
		for (size_t i = 0; i < 8; i++)
			o->value[i] = a->data[8 + i];
		o->verified = true;
	}
	return vcard_sw(r, sw);
}

/* 00 2C 00 <PIN ref> 10 <PUK8><new PIN8>: P2 is the PIN's reference, not the
 * PUK's (docs/reference/cns.md 1.6). P1 = 01 (PUK only, counter reset) per ISO 7816-4 7.5.10. */
enum carta_err vcard_cmd_unblock(struct vcard_cns *c, const struct vcard_capdu *a,
                                 struct carta_buf *r)
{
	struct vcard_pin *o, *puk;
	uint16_t sw;

	if (a->p1 != 0x00 && a->p1 != 0x01)
		return vcard_sw(r, 0x6A86);
	o = lookup(c, a->p2);
	puk = o ? puk_of(c, o) : NULL;
	if (!puk)
		return vcard_sw(r, 0x6A88);
	if (a->lc != (a->p1 == 0x00 ? 16u : 8u))
		return vcard_sw(r, 0x6700);
	/* A blocked PUK is terminal (docs/reference/cns.md 3.5). */
	if (puk->tries == 0)
		return vcard_sw(r, 0x6983);
	if (a->p1 == 0x00 && !well_formed(a->data + 8))
		return vcard_sw(r, 0x6A80);
	sw = check(puk, a->data);
	if (sw != 0x9000)
		return vcard_sw(r, sw);
	if (a->p1 == 0x00)
		for (size_t i = 0; i < 8; i++)
			o->value[i] = a->data[8 + i];
	o->tries = o->max;
	o->verified = false;
	return vcard_sw(r, 0x9000);
}
