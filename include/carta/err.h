/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_ERR_H
#define CARTA_ERR_H

/* The one error type of libcarta. Status words map to it only in src/apdu/sw.c;
 * it maps to CK_RV only in src/pkcs11/rv.c. */
enum carta_err {
	CARTA_OK = 0,
	CARTA_E_ARGS,            /* caller passed a bad argument */
	CARTA_E_NOMEM,
	CARTA_E_BUFFER_SMALL,    /* output buffer too small */
	CARTA_E_RANGE,           /* a length or value out of range (overflow checks) */
	CARTA_E_PARSE,           /* malformed data: TLV, FCI, certificate, card answer */
	CARTA_E_INTERNAL,
	CARTA_E_NOT_SUPPORTED,   /* the card or reader cannot do this */
	CARTA_E_CRYPTO,          /* OpenSSL failed, or a signature/MAC did not verify */

	/* reader / PC/SC */
	CARTA_E_NO_SERVICE,      /* pcscd not running / not reachable */
	CARTA_E_NO_READER,
	CARTA_E_NO_CARD,
	CARTA_E_CARD_REMOVED,
	CARTA_E_CARD_RESET,      /* another process reset the card */
	CARTA_E_TRANSPORT,       /* any other transmit failure */
	CARTA_E_TIMEOUT,
	CARTA_E_CANCELLED,
	CARTA_E_SHARING,         /* reader in exclusive use by another process */

	/* card answers (see sw.c for the mapping) */
	CARTA_E_CARD_UNKNOWN,    /* no driver recognises the card */
	CARTA_E_CARD_UNSUPPORTED, /* a driver recognised the card, which carta cannot serve yet
	                            (carta_card_open_ex names it) */
	CARTA_E_FILE_NOT_FOUND,  /* 6A82 */
	CARTA_E_REF_NOT_FOUND,   /* 6A88, 6A83 */
	CARTA_E_WRONG_LENGTH,    /* 6700 */
	CARTA_E_WRONG_PARAMS,    /* 6A86, 6B00, 6A00, 6A87 */
	CARTA_E_INS_NOT_SUPPORTED, /* 6D00 */
	CARTA_E_CLA_NOT_SUPPORTED, /* 6E00 */
	CARTA_E_FUNC_NOT_SUPPORTED, /* 6A81, 6884, 6882, 6881 */
	CARTA_E_SECURITY_STATUS, /* 6982: PIN not verified */
	CARTA_E_PIN_INCORRECT,   /* 63Cx, 6300 */
	CARTA_E_PIN_BLOCKED,     /* 6983 */
	CARTA_E_PIN_LEN,         /* PIN length outside the card's rules (host-side check) */
	CARTA_E_COND_NOT_SATISFIED, /* 6985, 6986 */
	CARTA_E_DATA_INVALID,    /* 6A80, 6984 */
	CARTA_E_EOF,             /* 6282 end of file reached before Le bytes */
	CARTA_E_SM,              /* secure messaging failure: bad MAC/padding/DOs, 6987, 6988 */
	CARTA_E_CARD_MEMORY,     /* 6581, 6501 */
	CARTA_E_CARD,            /* any other status word */
};

const char *carta_err_str(enum carta_err e);

#endif
