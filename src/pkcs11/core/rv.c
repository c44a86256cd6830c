/* SPDX-License-Identifier: BSD-3-Clause */
/* The only place where enum carta_err becomes a CK_RV (docs/design.md): the
 * general mapping, and the few contexts that read an error differently. */
#include "pkcs11/core/state.h"

CK_RV carta_p11_rv(enum carta_err e)
{
	switch (e) {
	case CARTA_OK: return CKR_OK;
	case CARTA_E_ARGS: return CKR_ARGUMENTS_BAD;
	case CARTA_E_NOMEM: return CKR_HOST_MEMORY;
	case CARTA_E_BUFFER_SMALL: return CKR_BUFFER_TOO_SMALL;
	case CARTA_E_RANGE: return CKR_DATA_LEN_RANGE;
	case CARTA_E_PARSE: return CKR_DEVICE_ERROR;
	case CARTA_E_INTERNAL: return CKR_GENERAL_ERROR;
	case CARTA_E_NOT_SUPPORTED: return CKR_FUNCTION_NOT_SUPPORTED;
	case CARTA_E_CRYPTO: return CKR_FUNCTION_FAILED;
	case CARTA_E_NO_SERVICE: return CKR_DEVICE_ERROR;
	case CARTA_E_NO_READER: return CKR_DEVICE_REMOVED;
	case CARTA_E_NO_CARD: return CKR_TOKEN_NOT_PRESENT;
	case CARTA_E_CARD_REMOVED: return CKR_DEVICE_REMOVED;
	case CARTA_E_CARD_RESET: return CKR_DEVICE_ERROR;
	case CARTA_E_TRANSPORT: return CKR_DEVICE_ERROR;
	case CARTA_E_TIMEOUT: return CKR_DEVICE_ERROR;
	case CARTA_E_CANCELLED: return CKR_FUNCTION_CANCELED;
	case CARTA_E_SHARING: return CKR_DEVICE_ERROR;
	case CARTA_E_CARD_UNKNOWN: return CKR_TOKEN_NOT_RECOGNIZED;
	case CARTA_E_CARD_UNSUPPORTED: return CKR_TOKEN_NOT_RECOGNIZED;
	case CARTA_E_FILE_NOT_FOUND: return CKR_DEVICE_ERROR;
	case CARTA_E_REF_NOT_FOUND: return CKR_DEVICE_ERROR;
	case CARTA_E_WRONG_LENGTH: return CKR_DATA_LEN_RANGE;
	case CARTA_E_WRONG_PARAMS: return CKR_DEVICE_ERROR;
	case CARTA_E_INS_NOT_SUPPORTED: return CKR_FUNCTION_NOT_SUPPORTED;
	case CARTA_E_CLA_NOT_SUPPORTED: return CKR_DEVICE_ERROR;
	case CARTA_E_FUNC_NOT_SUPPORTED: return CKR_FUNCTION_NOT_SUPPORTED;
	case CARTA_E_SECURITY_STATUS: return CKR_USER_NOT_LOGGED_IN;
	case CARTA_E_PIN_INCORRECT: return CKR_PIN_INCORRECT;
	case CARTA_E_PIN_BLOCKED: return CKR_PIN_LOCKED;
	case CARTA_E_PIN_LEN: return CKR_PIN_LEN_RANGE;
	case CARTA_E_COND_NOT_SATISFIED: return CKR_FUNCTION_FAILED;
	case CARTA_E_DATA_INVALID: return CKR_DATA_INVALID;
	case CARTA_E_EOF: return CKR_DEVICE_ERROR;
	case CARTA_E_SM: return CKR_DEVICE_ERROR;
	case CARTA_E_CARD_MEMORY: return CKR_DEVICE_MEMORY;
	case CARTA_E_CARD: return CKR_DEVICE_ERROR;
	}
	return CKR_GENERAL_ERROR;
}

/* No card, or one no driver claims: the token is not there (v2.40 base
 * 5.5, C_GetTokenInfo), rather than a device fault. */
CK_RV carta_p11_rv_connect(enum carta_err e)
{
	switch (e) {
	case CARTA_E_CARD_UNKNOWN: return CKR_TOKEN_NOT_RECOGNIZED;
	case CARTA_E_NO_CARD: case CARTA_E_CARD_REMOVED: case CARTA_E_NO_READER:
		return CKR_TOKEN_NOT_PRESENT;
	default: return carta_p11_rv(e);
	}
}

/* On a connected token the card leaving is CKR_DEVICE_REMOVED whatever the
 * reader says, and a reset by another process took the login with it. */
CK_RV carta_p11_rv_card_op(enum carta_err e)
{
	switch (e) {
	case CARTA_E_NO_CARD: case CARTA_E_NO_READER: case CARTA_E_CARD_REMOVED:
		return CKR_DEVICE_REMOVED;
	case CARTA_E_CARD_RESET: return CKR_USER_NOT_LOGGED_IN;
	default: return carta_p11_rv(e);
	}
}

/* Cards that check the PUK only inside RESET RETRY COUNTER do not know a
 * VERIFY of it: that is no refusal, the PUK is checked by C_InitPIN. */
CK_RV carta_p11_rv_puk_verify(enum carta_err e)
{
	switch (e) {
	case CARTA_E_NOT_SUPPORTED: case CARTA_E_FUNC_NOT_SUPPORTED: case CARTA_E_INS_NOT_SUPPORTED:
		return CKR_OK;
	default: return carta_p11_rv(e);
	}
}

/* C_Login (v2.40 base 5.6): CKR_PIN_LEN_RANGE is
 * not among its return values, and is meant for the functions that set a
 * PIN (v2.40 base 5.1.6). A PIN the card's rules refuse, typed on the
 * keyboard or on a PIN pad, cannot be the right one: CKR_PIN_INCORRECT, which
 * clients (NSS) answer by asking again. Nothing was sent to the card. */
CK_RV carta_p11_rv_login(enum carta_err e)
{
	return e == CARTA_E_PIN_LEN ? CKR_PIN_INCORRECT : carta_p11_rv_card_op(e);
}

/* C_Decrypt (v2.40 base 5.9): the card refusing the input
 * refuses ciphertext, CKR_ENCRYPTED_DATA_INVALID or _LEN_RANGE; CKR_DATA_*
 * are about plaintext input (v2.40 base 5.1.6) and not among C_Decrypt's
 * return values. */
CK_RV carta_p11_rv_decrypt(enum carta_err e)
{
	switch (e) {
	case CARTA_E_DATA_INVALID: return CKR_ENCRYPTED_DATA_INVALID;
	case CARTA_E_WRONG_LENGTH: case CARTA_E_RANGE: return CKR_ENCRYPTED_DATA_LEN_RANGE;
	default: return carta_p11_rv_card_op(e);
	}
}
