/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: strict BER-TLV parsing of arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "util/tlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* the first bytes choose a search path; the rest is the TLV input */
	static const uint32_t pool[] = { 0x6f, 0x70, 0x84, 0xa5, 0x5f20, 0x7f49, 0xbfa101,
	                                 0x30, 0x04, 0x80, 0x81, 0x1f818203 };
	uint32_t path[3];
	struct carta_bytes in, walk;
	struct carta_tlv t;
	size_t i, np;

	if (size < 1)
		return 0;
	np = (size_t)(data[0] % 3) + 1;
	for (i = 0; i < np; i++)
		path[i] = pool[(data[0] >> (2 * i + 2)) % (sizeof(pool) / sizeof(pool[0]))];
	in.p = data + 1;
	in.len = size - 1;
	if (carta_tlv_validate(in, CARTA_TLV_MAX_DEPTH) == CARTA_OK) {
		/* a valid input can be walked to its end */
		walk = in;
		while (walk.len > 0)
			if (carta_tlv_next(&walk, &t) != CARTA_OK)
				__builtin_trap();
	}
	if (carta_tlv_find_path(in, path, np, &t) == CARTA_OK) {
		/* found values lie inside the input */
		if (t.value.p < in.p || t.value.len > in.len ||
		    (size_t)(t.value.p - in.p) > in.len - t.value.len)
			__builtin_trap();
		if (t.raw.len < t.value.len + 2)
			__builtin_trap();
	}
	walk = in;
	while (walk.len > 0 && carta_tlv_next(&walk, &t) == CARTA_OK)
		;
	return 0;
}
