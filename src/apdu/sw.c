/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>

#include "apdu/sw.h"

/* ISO/IEC 7816-4:2013 section 5.6, tables 5 and 6. `mask` selects the bits
 * of the SW that must equal `sw`; the first matching row wins, so exact rows
 * come before the class rows (6Axx, 69xx ...) that catch the rest. */
struct sw_row {
	uint16_t sw, mask;
	enum carta_err err;
	const char *text;
};

static const struct sw_row rows[] = {
	{ 0x9000, 0xffff, CARTA_OK, "success" },
	{ 0x6100, 0xff00, CARTA_OK, "more data available (GET RESPONSE)" },
	{ 0x6282, 0xffff, CARTA_E_EOF, "end of file reached before Le bytes" },
	{ 0x6281, 0xffff, CARTA_E_CARD, "part of returned data may be corrupted" },
	{ 0x6283, 0xffff, CARTA_E_CARD, "selected file deactivated" },
	{ 0x6200, 0xff00, CARTA_E_CARD, "warning, memory unchanged" },
	{ 0x63c0, 0xfff0, CARTA_E_PIN_INCORRECT, "verification failed, tries left in low nibble" },
	{ 0x6300, 0xffff, CARTA_E_PIN_INCORRECT, "verification failed" },
	{ 0x6300, 0xff00, CARTA_E_CARD, "warning, memory changed" },
	{ 0x6501, 0xffff, CARTA_E_CARD_MEMORY, "memory failure" },
	{ 0x6581, 0xffff, CARTA_E_CARD_MEMORY, "memory failure" },
	{ 0x6500, 0xff00, CARTA_E_CARD, "error, memory changed" },
	{ 0x6700, 0xffff, CARTA_E_WRONG_LENGTH, "wrong length" },
	{ 0x6881, 0xffff, CARTA_E_FUNC_NOT_SUPPORTED, "logical channel not supported" },
	{ 0x6882, 0xffff, CARTA_E_FUNC_NOT_SUPPORTED, "secure messaging not supported" },
	{ 0x6883, 0xffff, CARTA_E_CARD, "last command of the chain expected" },
	{ 0x6884, 0xffff, CARTA_E_FUNC_NOT_SUPPORTED, "command chaining not supported" },
	{ 0x6800, 0xff00, CARTA_E_CLA_NOT_SUPPORTED, "functions in CLA not supported" },
	{ 0x6982, 0xffff, CARTA_E_SECURITY_STATUS, "security status not satisfied" },
	{ 0x6983, 0xffff, CARTA_E_PIN_BLOCKED, "authentication method blocked" },
	{ 0x6984, 0xffff, CARTA_E_DATA_INVALID, "reference data not usable" },
	{ 0x6985, 0xffff, CARTA_E_COND_NOT_SATISFIED, "conditions of use not satisfied" },
	{ 0x6986, 0xffff, CARTA_E_COND_NOT_SATISFIED, "command not allowed (no current EF)" },
	{ 0x6987, 0xffff, CARTA_E_SM, "expected secure messaging data objects missing" },
	{ 0x6988, 0xffff, CARTA_E_SM, "incorrect secure messaging data objects" },
	{ 0x6900, 0xff00, CARTA_E_CARD, "command not allowed" },
	{ 0x6a80, 0xffff, CARTA_E_DATA_INVALID, "incorrect parameters in the data field" },
	{ 0x6a81, 0xffff, CARTA_E_FUNC_NOT_SUPPORTED, "function not supported" },
	{ 0x6a82, 0xffff, CARTA_E_FILE_NOT_FOUND, "file or application not found" },
	{ 0x6a83, 0xffff, CARTA_E_REF_NOT_FOUND, "record not found" },
	{ 0x6a84, 0xffff, CARTA_E_CARD_MEMORY, "not enough memory space in the file" },
	{ 0x6a86, 0xffff, CARTA_E_WRONG_PARAMS, "incorrect parameters P1-P2" },
	{ 0x6a87, 0xffff, CARTA_E_WRONG_PARAMS, "Nc inconsistent with parameters P1-P2" },
	{ 0x6a88, 0xffff, CARTA_E_REF_NOT_FOUND, "referenced data or reference data not found" },
	{ 0x6a00, 0xffff, CARTA_E_WRONG_PARAMS, "wrong parameters P1-P2" },
	{ 0x6a00, 0xff00, CARTA_E_WRONG_PARAMS, "wrong parameters P1-P2" },
	{ 0x6b00, 0xffff, CARTA_E_WRONG_PARAMS, "wrong parameters P1-P2" },
	{ 0x6c00, 0xff00, CARTA_E_WRONG_LENGTH, "wrong Le field, exact length in SW2" },
	{ 0x6d00, 0xffff, CARTA_E_INS_NOT_SUPPORTED, "instruction not supported" },
	{ 0x6e00, 0xffff, CARTA_E_CLA_NOT_SUPPORTED, "class not supported" },
	{ 0x6f00, 0xff00, CARTA_E_CARD, "no precise diagnosis" },
};

static const struct sw_row *lookup(uint16_t sw)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if ((sw & rows[i].mask) == rows[i].sw)
			return &rows[i];
	return NULL;
}

enum carta_err carta_sw_to_err(uint16_t sw)
{
	const struct sw_row *r = lookup(sw);

	return r ? r->err : CARTA_E_CARD;
}

bool carta_sw_no_ref_data(uint16_t sw)
{
	return sw == 0x6a88;
}

bool carta_sw_ref_refused(uint16_t sw)
{
	return sw == 0x6a88 || sw == 0x6a86 || sw == 0x6d00;
}

bool carta_sw_getresp_refused(uint16_t sw)
{
	return sw == 0x6d00 || sw == 0x6e00 || (sw >> 8) == 0x68 || sw == 0x6a81 || sw == 0x6a86;
}

int carta_sw_tries(uint16_t sw)
{
	if ((sw & 0xfff0) == 0x63c0)
		return sw & 0x0f;
	return -1;
}

const char *carta_sw_str(uint16_t sw)
{
	const struct sw_row *r = lookup(sw);

	return r ? r->text : "unknown status word";
}

enum carta_err carta_sw_pinpad_to_err(uint16_t sw)
{
	switch (sw) {
	case 0x6400:
		return CARTA_E_TIMEOUT;
	case 0x6401:
		return CARTA_E_CANCELLED;
	case 0x6402:   /* new PIN and its confirmation differ: no try spent */
		return CARTA_E_PIN_INCORRECT;
	case 0x6403:
		return CARTA_E_PIN_LEN;
	case 0x6b80:
		return CARTA_E_NOT_SUPPORTED;
	default:
		return carta_sw_to_err(sw);
	}
}
