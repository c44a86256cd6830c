/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_FILEIO_H
#define CARTA_FILEIO_H

#include <stdbool.h>
#include <stddef.h>

/* Write all n bytes to fd, going on after a short write or EINTR (write(2)
 * may write less than asked). false on any other failure (errno says why). */
bool carta_write_all(int fd, const void *p, size_t n);

#endif
