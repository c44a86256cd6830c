/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: arbitrary bytes as a protected response body to carta_sm_unwrap.
 * The first byte picks how many SSC steps the session is ahead, so that a
 * corpus entry with a valid MAC (e.g. the ICAO Doc 9303-11 D.4 responses)
 * can reach the decryption and padding code. Must never crash or leak, and a
 * failure must leave out->data empty. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/sm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* ICAO Doc 9303-11 Appendix D.3 session keys and SSC */
	static const uint8_t k_enc[16] = { 0x97, 0x9E, 0xC1, 0x3B, 0x1C, 0xBF, 0xE9, 0xDC,
	                                   0xD0, 0x1A, 0xB0, 0xFE, 0xD3, 0x07, 0xEA, 0xE5 };
	static const uint8_t k_mac[16] = { 0xF1, 0xCB, 0x1F, 0x1F, 0xB5, 0xAD, 0xF2, 0x08,
	                                   0x80, 0x6B, 0x89, 0xDC, 0x57, 0x9D, 0xC1, 0xF8 };
	uint8_t ssc[8] = { 0x88, 0x70, 0x22, 0x12, 0x0C, 0x06, 0xC2, 0x26 };
	struct carta_sm sm;
	struct carta_rapdu r;
	enum carta_err rv;

	if (size < 1)
		return 0;
	ssc[7] = (uint8_t)(ssc[7] + data[0]);
	memset(&sm, 0, sizeof(sm));
	if (carta_sm_start(&sm, k_enc, k_mac, ssc) != CARTA_OK)
		return 0;
	carta_rapdu_init(&r);
	rv = carta_sm_unwrap(&sm, data + 1, size - 1, &r);
	if (rv != CARTA_OK && r.data.len != 0)
		abort();
	if (rv == CARTA_OK && r.data.len >= size)
		abort();   /* the plaintext is always shorter than the body */
	carta_rapdu_free(&r);
	carta_sm_end(&sm);
	return 0;
}
