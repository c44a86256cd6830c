/* SPDX-License-Identifier: BSD-3-Clause */
#include "util/fileio.h"

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

bool carta_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}
