/* SPDX-License-Identifier: BSD-3-Clause */
/* Slots: one per reader name for the life of the module (stable ids), the
 * reader view of each (card present, event count), C_GetSlotList,
 * C_GetSlotInfo and C_WaitForSlotEvent. */
#include <string.h>
#include <time.h>

#include "pkcs11/p11.h"

#define WAIT_POLL_MS 250

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
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	carta_p11_mutex_lock(carta_p11.lock);
	n = carta_p11.n_slots;
	carta_p11_mutex_unlock(carta_p11.lock);
	if (id >= n)
		rv = CKR_SLOT_ID_INVALID;
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

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	CK_RV rv = CKR_OK;
	CK_ULONG cnt = 0;
	size_t i;

	if (!carta_p11_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!pulCount)
		return CKR_ARGUMENTS_BAD;
	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	for (i = 0; i < carta_p11.n_slots; i++)
		if (!tokenPresent || carta_p11.slots[i].present)
			cnt++;
	if (pSlotList && *pulCount < cnt)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (pSlotList) {
		cnt = 0;
		for (i = 0; i < carta_p11.n_slots; i++)
			if (!tokenPresent || carta_p11.slots[i].present)
				pSlotList[cnt++] = i;
	}
	*pulCount = cnt;
	carta_p11_mutex_unlock(carta_p11.lock);
	return rv;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	CK_RV rv = CKR_OK;
	struct carta_p11_slot *s;

	if (!carta_p11_ready())
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (!pInfo)
		return CKR_ARGUMENTS_BAD;
	carta_p11_mutex_lock(carta_p11.lock);
	carta_p11_readers_refresh_locked();
	if (slotID >= carta_p11.n_slots)
		rv = CKR_SLOT_ID_INVALID;
	else {
		s = &carta_p11.slots[slotID];
		memset(pInfo, 0, sizeof(*pInfo));
		carta_p11_pad(pInfo->slotDescription, sizeof(pInfo->slotDescription), s->name);
		carta_p11_pad(pInfo->manufacturerID, sizeof(pInfo->manufacturerID), "carta");
		pInfo->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
		if (s->present)
			pInfo->flags |= CKF_TOKEN_PRESENT;
	}
	carta_p11_mutex_unlock(carta_p11.lock);
	return rv;
}

static bool take_event_locked(CK_SLOT_ID *id)
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

/* Polls with a bounded wait so that no change is lost between list() and
 * wait(), and C_Finalize (which cancels the wait) is seen promptly. */
CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	struct timespec pause = { 0, WAIT_POLL_MS * 1000000L };
	struct carta_readers *rs;
	CK_RV rv = CKR_NO_EVENT;
	bool found;

	if (!pSlot || pReserved)
		return carta_p11_ready() ? CKR_ARGUMENTS_BAD : CKR_CRYPTOKI_NOT_INITIALIZED;
	atomic_fetch_add(&carta_p11.waiters, 1);
	for (;;) {
		if (!carta_p11_ready() || atomic_load(&carta_p11.finalizing)) {
			rv = CKR_CRYPTOKI_NOT_INITIALIZED;
			break;
		}
		carta_p11_mutex_lock(carta_p11.lock);
		found = take_event_locked(pSlot);
		rs = carta_p11.readers;
		carta_p11_mutex_unlock(carta_p11.lock);
		if (found)
			rv = CKR_OK;
		if (found || (flags & CKF_DONT_BLOCK))
			break;
		if (rs)
			(void)carta_readers_wait(rs, WAIT_POLL_MS);
		else
			nanosleep(&pause, NULL);
	}
	atomic_fetch_sub(&carta_p11.waiters, 1);
	return rv;
}
