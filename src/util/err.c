/* SPDX-License-Identifier: BSD-3-Clause */
#include "carta/err.h"

const char *carta_err_str(enum carta_err e)
{
	switch (e) {
	case CARTA_OK: return "ok";
	case CARTA_E_ARGS: return "bad arguments";
	case CARTA_E_NOMEM: return "out of memory";
	case CARTA_E_BUFFER_SMALL: return "buffer too small";
	case CARTA_E_RANGE: return "value out of range";
	case CARTA_E_PARSE: return "malformed data";
	case CARTA_E_INTERNAL: return "internal error";
	case CARTA_E_NOT_SUPPORTED: return "not supported";
	case CARTA_E_CRYPTO: return "cryptographic failure";
	case CARTA_E_NO_SERVICE: return "PC/SC service not available";
	case CARTA_E_NO_READER: return "no reader";
	case CARTA_E_NO_CARD: return "no card";
	case CARTA_E_CARD_REMOVED: return "card removed";
	case CARTA_E_CARD_RESET: return "card reset by another process";
	case CARTA_E_TRANSPORT: return "transmit failed";
	case CARTA_E_TIMEOUT: return "timeout";
	case CARTA_E_CANCELLED: return "cancelled";
	case CARTA_E_SHARING: return "reader in exclusive use";
	case CARTA_E_CARD_UNKNOWN: return "card not recognised";
	case CARTA_E_CARD_UNSUPPORTED: return "card recognised but not supported yet";
	case CARTA_E_FILE_NOT_FOUND: return "file not found";
	case CARTA_E_REF_NOT_FOUND: return "reference not found";
	case CARTA_E_WRONG_LENGTH: return "wrong length";
	case CARTA_E_WRONG_PARAMS: return "wrong parameters";
	case CARTA_E_INS_NOT_SUPPORTED: return "instruction not supported";
	case CARTA_E_CLA_NOT_SUPPORTED: return "class not supported";
	case CARTA_E_FUNC_NOT_SUPPORTED: return "function not supported";
	case CARTA_E_SECURITY_STATUS: return "security status not satisfied";
	case CARTA_E_PIN_INCORRECT: return "PIN incorrect";
	case CARTA_E_PIN_BLOCKED: return "PIN blocked";
	case CARTA_E_PIN_LEN: return "PIN length invalid";
	case CARTA_E_COND_NOT_SATISFIED: return "conditions of use not satisfied";
	case CARTA_E_DATA_INVALID: return "invalid data";
	case CARTA_E_EOF: return "end of file";
	case CARTA_E_SM: return "secure messaging failure";
	case CARTA_E_CARD_MEMORY: return "card memory failure";
	case CARTA_E_CARD: return "card error";
	}
	return "unknown error";
}
