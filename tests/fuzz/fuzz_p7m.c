/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the walk over a .p7m (tools/carta-tool/verify_walk.c). OpenSSL
 * parses; what is fuzzed is ours: levels, parallel signers, the content each
 * one covers, base64 input, detached content. The first input byte picks
 * whether the rest is also given as detached content. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vreport r;
	const uint8_t *det = NULL;
	size_t dn = 0;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] & 1) {
		det = data + 1;
		dn = size - 1;
	}
	rc = verify_walk(data + 1, size - 1, det, dn, NULL, &r);
	if (rc == 0) {
		/* a walked file: at least one signer, levels in range, the
		 * innermost content kept, every signer inside the levels */
		if (r.n == 0 || r.levels < 1 || r.levels > VERIFY_MAX_LEVELS || !r.content)
			__builtin_trap();
		for (size_t i = 0; i < r.n; i++)
			if (r.s[i].level < 0 || r.s[i].level >= r.levels)
				__builtin_trap();
		(void)verify_intact(&r);
	} else if (r.n != 0 && !memchr(r.err, '\0', sizeof(r.err))) {
		__builtin_trap();
	}
	verify_report_free(&r);
	return 0;
}
