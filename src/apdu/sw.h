/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_SW_H
#define CARTA_SW_H

#include <stdbool.h>
#include <stdint.h>

#include "carta/err.h"

/* The single table from ISO 7816-4 status words to carta errors.
 * 9000 and 61xx -> CARTA_OK; 6282 -> CARTA_E_EOF; 63Cx/6300 -> PIN_INCORRECT... */
enum carta_err carta_sw_to_err(uint16_t sw);

/* The answer of a PC/SC part 10 PIN pad to VERIFY/MODIFY_PIN_DIRECT: the
 * reader's own 64xx codes (6400 timeout, 6401 cancelled, 6402 new PINs differ,
 * 6403 PIN length out of range) and 6B80 (structure refused); anything else
 * is the card's answer (carta_sw_to_err). PC/SC part 10 v2.02.09 2.5.2. */
enum carta_err carta_sw_pinpad_to_err(uint16_t sw);

/* 6A88: the referenced data (a PIN or key reference) does not exist; the
 * command spent no try (ISO 7816-4 table 6). */
bool carta_sw_no_ref_data(uint16_t sw);
/* The card refuses the command for this reference rather than judging the
 * PIN: 6A88 (no such reference), 6A86 (P1-P2), 6D00 (instruction). */
bool carta_sw_ref_refused(uint16_t sw);
/* The card refused a GET RESPONSE as a command it does not know (6D00,
 * 6E00, 68xx, 6A81, 6A86) although it had announced the data with 61xx:
 * a device fault, never "function not supported". */
bool carta_sw_getresp_refused(uint16_t sw);

/* Tries left from 63Cx (0..15); -1 for any other SW. */
int carta_sw_tries(uint16_t sw);

/* Short English description of a status word, for logs. */
const char *carta_sw_str(uint16_t sw);

#endif
