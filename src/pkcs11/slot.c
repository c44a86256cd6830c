/* SPDX-License-Identifier: BSD-3-Clause */
/* C_GetSlotList, C_GetSlotInfo and C_WaitForSlotEvent over the slots of
 * core/slots.c: the reader slots, then the signature slots listed so far
 * (docs/pkcs11.md "One token per PIN"). */
#include <string.h>
#include <time.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

#define WAIT_POLL_MS 250

static bool listed_locked(size_t id, CK_BBOOL present_only)
{
	const struct carta_p11_slot *s = &carta_p11.slots[id];

	if (id >= CARTA_P11_SIGN_BASE && !s->listed)
		return false;
	return !present_only || s->present;
}

/* ids: the reader slots, then their signature slots */
static size_t slot_ids_locked(CK_BBOOL present_only, CK_SLOT_ID *list)
{
	size_t i, n = 0;

	for (i = 0; i < carta_p11.n_slots; i++)
		if (listed_locked(i, present_only) && list)
			list[n++] = i;
		else if (listed_locked(i, present_only))
			n++;
	for (i = CARTA_P11_SIGN_BASE; i < CARTA_P11_SIGN_BASE + carta_p11.n_slots; i++)
		if (listed_locked(i, present_only) && list)
			list[n++] = i;
		else if (listed_locked(i, present_only))
			n++;
	return n;
}

static CK_RV slot_list_locked(CK_BBOOL present_only, CK_SLOT_ID *list, CK_ULONG *count)
{
	CK_RV rv = CKR_OK;
	CK_ULONG cnt;

	carta_p11_readers_refresh_locked();
	cnt = slot_ids_locked(present_only, NULL);
	if (list && *count < cnt)
		rv = carta_p11_fail(CKR_BUFFER_TOO_SMALL, "room for %lu slots, %lu to list", *count, cnt);
	else if (list)
		cnt = slot_ids_locked(present_only, list);
	*count = cnt;
	return rv;
}

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR pSlotList, CK_ULONG_PTR pulCount)
{
	CK_RV rv = carta_p11_ready_rv();

	if (rv == CKR_OK && !pulCount)
		rv = carta_p11_fail(CKR_ARGUMENTS_BAD, "no count");
	else if (rv == CKR_OK) {
		/* the length query fixes the set of slots (v2.40 base 5.5): a card
		 * not identified yet is identified now, so that its signature slot
		 * is in it. So is a call with a buffer and no length query before
		 * it (a client that guesses the size): every call that lists a card
		 * knows whether it has a signature slot. Its APDUs are those the
		 * first C_GetTokenInfo would send; a known card costs nothing. */
		carta_p11_tokens_identify();
		carta_p11_mutex_lock(carta_p11.lock);
		rv = slot_list_locked(tokenPresent, pSlotList, pulCount);
		carta_p11_mutex_unlock(carta_p11.lock);
	}
	return carta_p11_ret(rv, "C_GetSlotList(%s)", tokenPresent ? "present" : "all");
}

static CK_RV slot_info_locked(CK_SLOT_ID id, CK_SLOT_INFO *info)
{
	struct carta_p11_slot *s;

	carta_p11_readers_refresh_locked();
	if (!carta_p11_slot_known_locked(id))
		return carta_p11_fail(CKR_SLOT_ID_INVALID, "slot %lu unknown", id);
	s = &carta_p11.slots[id];
	memset(info, 0, sizeof(*info));
	carta_p11_blank_fill(info->slotDescription, sizeof(info->slotDescription), s->name);
	carta_p11_blank_fill(info->manufacturerID, sizeof(info->manufacturerID), "carta");
	info->flags = CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	if (s->present)
		info->flags |= CKF_TOKEN_PRESENT;
	return CKR_OK;
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slotID, CK_SLOT_INFO_PTR pInfo)
{
	CK_RV rv = carta_p11_ready_rv();

	if (rv == CKR_OK && !pInfo)
		rv = carta_p11_fail(CKR_ARGUMENTS_BAD, "no CK_SLOT_INFO to fill");
	else if (rv == CKR_OK) {
		carta_p11_mutex_lock(carta_p11.lock);
		rv = slot_info_locked(slotID, pInfo);
		carta_p11_mutex_unlock(carta_p11.lock);
	}
	return carta_p11_ret(rv, "C_GetSlotInfo(slot %lu)", slotID);
}

/* Polls with a bounded wait so that no change is lost between list() and
 * wait(), and C_Finalize (which cancels the wait) is seen promptly. */
static CK_RV wait_event(CK_FLAGS flags, CK_SLOT_ID *slot)
{
	struct timespec pause = { 0, WAIT_POLL_MS * 1000000L };
	struct carta_readers *rs;
	CK_RV rv = CKR_NO_EVENT;
	bool found;

	atomic_fetch_add(&carta_p11.waiters, 1);
	for (;;) {
		if (!carta_p11_ready() || atomic_load(&carta_p11.finalizing)) {
			rv = carta_p11_fail(CKR_CRYPTOKI_NOT_INITIALIZED, "not initialised, or C_Finalize ended the wait");
			break;
		}
		carta_p11_mutex_lock(carta_p11.lock);
		found = carta_p11_take_event_locked(slot);
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

CK_RV C_WaitForSlotEvent(CK_FLAGS flags, CK_SLOT_ID_PTR pSlot, CK_VOID_PTR pReserved)
{
	CK_RV rv;

	if (!pSlot || pReserved)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no slot pointer, or pReserved set");
	else
		rv = wait_event(flags, pSlot);
	return carta_p11_ret(rv, "C_WaitForSlotEvent(%s)",
	                     (flags & CKF_DONT_BLOCK) ? "CKF_DONT_BLOCK" : "blocking");
}
