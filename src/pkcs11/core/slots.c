/* SPDX-License-Identifier: BSD-3-Clause */
/* Slots: one per reader name for the life of the module (stable ids), the
 * reader view of each (card present, event count). */
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
	}
}

CK_RV carta_p11_slot_lock(CK_SLOT_ID id, struct carta_p11_slot **out)
{
	CK_RV rv = CKR_OK;
	size_t n;

	*out = NULL;
	if (!carta_p11_ready())
		return carta_p11_ready_rv();
	carta_p11_mutex_lock(carta_p11.lock);
	n = carta_p11.n_slots;
	carta_p11_mutex_unlock(carta_p11.lock);
	if (id >= n)
		rv = carta_p11_fail(CKR_SLOT_ID_INVALID, "slot %lu unknown (%zu slots)", id, n);
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

bool carta_p11_take_event_locked(CK_SLOT_ID *id)
{
	size_t i;

	carta_p11_readers_refresh_locked();
	for (i = 0; i < carta_p11.n_slots; i++) {
		if (carta_p11.slots[i].event_pending) {
			carta_p11.slots[i].event_pending = false;
			*id = i;
			return true;
		}
	}
	return false;
}
