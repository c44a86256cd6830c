/* SPDX-License-Identifier: BSD-3-Clause */
/* C_GetAttributeValue with the rules of v2.40 base 5.7: per entry, sensitive
 * or invalid -> length CK_UNAVAILABLE_INFORMATION; NULL pValue -> length;
 * short buffer -> CK_UNAVAILABLE_INFORMATION; every entry is processed, and
 * the return value says SENSITIVE, else TYPE_INVALID, else BUFFER_TOO_SMALL.
 * The values come from core/attrs.c. C_GetObjectSize. */
#include <string.h>

#include "pkcs11/core/state.h"
#include "pkcs11/p11.h"

static CK_RV fill(const struct carta_p11_token *t, const struct carta_p11_object *o,
                  CK_ATTRIBUTE *tmpl, CK_ULONG n)
{
	struct carta_p11_attrval v;
	bool sensitive = false, invalid = false, small = false;
	CK_ULONG i;
	CK_RV r;

	for (i = 0; i < n; i++) {
		r = carta_p11_attr(t, o, tmpl[i].type, &v);
		if (r != CKR_OK) {
			sensitive |= r == CKR_ATTRIBUTE_SENSITIVE;
			invalid |= r != CKR_ATTRIBUTE_SENSITIVE;
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
		} else if (!tmpl[i].pValue) {
			tmpl[i].ulValueLen = v.len;
		} else if (tmpl[i].ulValueLen >= v.len) {
			if (v.len)
				memcpy(tmpl[i].pValue, v.p, v.len);
			tmpl[i].ulValueLen = v.len;
		} else {
			tmpl[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			small = true;
		}
	}
	if (sensitive)
		return carta_p11_fail(CKR_ATTRIBUTE_SENSITIVE, "an attribute asked for is sensitive");
	if (invalid)
		return carta_p11_fail(CKR_ATTRIBUTE_TYPE_INVALID, "the object lacks an attribute asked for");
	if (small)
		return carta_p11_fail(CKR_BUFFER_TOO_SMALL, "a value does not fit its buffer");
	return CKR_OK;
}

static const struct carta_p11_object *visible_object(const struct carta_p11_slot *s,
                                                     CK_OBJECT_HANDLE h)
{
	const struct carta_p11_object *o = carta_p11_object_find(&s->tok, h);

	return o && carta_p11_object_visible(s, o) ? o : NULL;
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject,
                          CK_ATTRIBUTE_PTR pTemplate, CK_ULONG ulCount)
{
	const struct carta_p11_object *o;
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pTemplate && ulCount)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no template");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		o = visible_object(s, hObject);
		if (!o)
			rv = carta_p11_fail(CKR_OBJECT_HANDLE_INVALID, "no object 0x%lx in view", hObject);
		else
			rv = fill(&s->tok, o, pTemplate, ulCount);
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_GetAttributeValue(session 0x%lx, object 0x%lx, %lu attributes)",
	                     hSession, hObject, ulCount);
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE hSession, CK_OBJECT_HANDLE hObject, CK_ULONG_PTR pulSize)
{
	struct carta_p11_session *ss;
	struct carta_p11_slot *s;
	CK_RV rv;

	if (!pulSize)
		rv = carta_p11_args_rv(CKR_ARGUMENTS_BAD, "no size pointer");
	else if ((rv = carta_p11_session_lock(hSession, &s, &ss)) == CKR_OK) {
		if (!visible_object(s, hObject))
			rv = carta_p11_fail(CKR_OBJECT_HANDLE_INVALID, "no object 0x%lx in view", hObject);
		else
			*pulSize = CK_UNAVAILABLE_INFORMATION;
		carta_p11_slot_unlock(s);
	}
	return carta_p11_ret(rv, "C_GetObjectSize(session 0x%lx, object 0x%lx)", hSession, hObject);
}
