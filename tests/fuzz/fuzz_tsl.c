/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: a trusted list for verify --ca (tools/carta-tool/tsl.c).
 * libxml2 parses; what is fuzzed is ours: the walk down to the services,
 * the text gathering, the base64 and certificate decoding, the counts. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tsl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tsl_anchors a;
	int rc = tsl_anchors_read(data, size, &a);
	int n = sk_X509_num(a.certs);

	/* a certificate was read, or a reason given; anchors only from CA/QC
	 * services, none when refused */
	if ((rc == 0) != ((size_t)n + a.not_granted_certs > 0) ||
	    (rc != 0 && (n != 0 || !a.err[0] || !memchr(a.err, '\0', sizeof(a.err)))))
		__builtin_trap();
	if ((n > 0 && a.ca_qc == a.not_granted) || a.not_granted > a.ca_qc ||
	    (a.not_granted_certs > 0 && a.not_granted == 0))
		__builtin_trap();
	(void)tsl_looks_xml(data, size);
	tsl_anchors_free(&a);
	return 0;
}
