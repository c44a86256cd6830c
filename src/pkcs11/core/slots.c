/* SPDX-License-Identifier: BSD-3-Clause */
/* Slots: one per reader name for the life of the module (stable ids), the
 * reader view of each (card present, event count); beside it, the reader's
 * signature slot (id CARTA_P11_SIGN_BASE + reader index), listed from the
 * first card with a signature PIN on and never removed: NSS reads new slots
 * only from a later C_GetSlotList and never drops one (its
 * SECMOD_UpdateSlotList: "modules [may] add new slots, but never remove
 * them"; docs/pkcs11.md "One token per PIN"). */
#include <string.h>

#include "pkcs11/core/state.h"

static struct carta_p11_slot *slot_for_name_locked(const char *name)
{
	struct carta_p11_slot *s = NULL;
	size_t i;

	for (i = 0; i < carta_p11.n_slots && !s; i++)
		if (strcmp(carta_p11.slots[i].name, name) == 0)
			s = &carta_p11.slots[i];
	if (!s && carta_p11.n_slots < CARTA_P11_MAX_SLOTS) {
		s = &carta_p11.slots[carta_p11.n_slots++];
		memcpy(s->name, name, sizeof(s->name));
		s->name[sizeof(s->name) - 1] = '\0';
		memcpy(carta_p11_slot_sign(s)->name, s->name, sizeof(s->name));
		s->event_pending = true;   /* a new reader is a slot event */
	}
	return s;
}

static void apply_state_locked(const struct carta_reader_state *st)
{
	struct carta_p11_slot *s = slot_for_name_locked(st->name);

	if (!s)
		return;
	if (s->present != st->present || s->event != st->event_count)
		s->event_pending = true;
	s->present = st->present;
	s->event = st->event_count;
	s->listed = true;
}

/* The signature token went with its card (removed, or another put in):
 * its slot says so at once, before anyone syncs the token. */
static void sign_follow_locked(struct carta_p11_slot *r)
{
	struct carta_p11_slot *g = carta_p11_slot_sign(r);

	if (g->present && (!r->present || r->event != g->event)) {
		g->present = false;
		g->event_pending = true;
	}
}

/* Ask the reader layer what is there now. pcscd gone is no error: the
 * known slots go empty and PC/SC is reopened on a later call. */
void carta_p11_readers_refresh_locked(void)
{
	struct carta_reader_state st[CARTA_MAX_READERS];
	enum carta_err e = CARTA_E_NO_SERVICE;
	size_t i, n = 0;

	if (!carta_p11.readers && !carta_p11.readers_given &&
	    carta_pcsc_open(&carta_p11.readers) != CARTA_OK)
		carta_p11.readers = NULL;
	if (carta_p11.readers)
		e = carta_readers_list(carta_p11.readers, st, &n);
	if (e == CARTA_E_NO_SERVICE && !carta_p11.readers_given)
		carta_readers_close(&carta_p11.readers);
	if (e != CARTA_OK || n > CARTA_MAX_READERS)
		n = 0;
	for (i = 0; i < carta_p11.n_slots; i++)
		carta_p11.slots[i].listed = false;
	for (i = 0; i < n; i++)
		apply_state_locked(&st[i]);
	for (i = 0; i < carta_p11.n_slots; i++) {
		if (!carta_p11.slots[i].listed && carta_p11.slots[i].present) {
			carta_p11.slots[i].present = false;
			carta_p11.slots[i].event_pending = true;
		}
		sign_follow_locked(&carta_p11.slots[i]);
	}
}

bool carta_p11_slot_known_locked(CK_SLOT_ID id)
{
	if (id < carta_p11.n_slots)
		return true;
	return id >= CARTA_P11_SIGN_BASE && id - CARTA_P11_SIGN_BASE < carta_p11.n_slots &&
	       carta_p11.slots[id].listed;
}

CK_RV carta_p11_slot_lock(CK_SLOT_ID id, struct carta_p11_slot **out)
{
	CK_RV rv = CKR_OK;
	bool known;

	*out = NULL;
	if (!carta_p11_ready())
		return carta_p11_ready_rv();
	carta_p11_mutex_lock(carta_p11.lock);
	known = carta_p11_slot_known_locked(id);
	carta_p11_mutex_unlock(carta_p11.lock);
	if (!known)
		rv = carta_p11_fail(CKR_SLOT_ID_INVALID, "slot %lu unknown", id);
	else {
		*out = &carta_p11.slots[id];
		carta_p11_mutex_lock((*out)->lock);
	}
	return rv;
}

void carta_p11_slot_unlock(struct carta_p11_slot *s)
{
	carta_p11_mutex_unlock(s->lock);
}

size_t carta_p11_slot_index(const struct carta_p11_slot *s)
{
	return (size_t)(s - carta_p11.slots);
}

bool carta_p11_slot_is_sign(const struct carta_p11_slot *s)
{
	return carta_p11_slot_index(s) >= CARTA_P11_SIGN_BASE;
}

struct carta_p11_slot *carta_p11_slot_reader(struct carta_p11_slot *s)
{
	return &carta_p11.slots[carta_p11_slot_index(s) % CARTA_P11_SIGN_BASE];
}

struct carta_p11_slot *carta_p11_slot_sign(struct carta_p11_slot *reader)
{
	return &carta_p11.slots[CARTA_P11_SIGN_BASE + carta_p11_slot_index(reader) % CARTA_P11_SIGN_BASE];
}

/* The reader slot's event first: a client learns of the card, then of
 * its signature token (a new slot id makes NSS read the slot list again). */
static bool take_locked(size_t i, CK_SLOT_ID *id)
{
	if (!carta_p11.slots[i].event_pending)
		return false;
	carta_p11.slots[i].event_pending = false;
	*id = i;
	return true;
}

bool carta_p11_take_event_locked(CK_SLOT_ID *id)
{
	size_t i;

	carta_p11_readers_refresh_locked();
	for (i = 0; i < carta_p11.n_slots; i++)
		if (take_locked(i, id))
			return true;
	for (i = 0; i < carta_p11.n_slots; i++)
		if (carta_p11.slots[CARTA_P11_SIGN_BASE + i].listed &&
		    take_locked(CARTA_P11_SIGN_BASE + i, id))
			return true;
	return false;
}
