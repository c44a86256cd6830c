/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_LOG_H
#define CARTA_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CARTA_DEBUG=0..3 (read once, with secure_getenv):
 *   0 nothing (default), 1 errors, 2 + flow (driver chosen, operations),
 *   3 + APDU trace. CARTA_DEBUG_FILE=path appends there instead of stderr. */
enum carta_log_level {
	CARTA_LOG_ERROR = 1,
	CARTA_LOG_INFO = 2,
	CARTA_LOG_APDU = 3,
};

int carta_log_level(void);
void carta_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* APDU trace at level 3. A command's data field is replaced by "<n bytes redacted>"
 * when it may carry a secret: INS 20 (VERIFY), 24 (CHANGE REFERENCE DATA),
 * 2C (RESET RETRY COUNTER), or any secure-messaging CLA (bits 0x0C set).
 * `sensitive` forces redaction (plaintext of SM commands, key material). */
void carta_log_apdu_cmd(const uint8_t *apdu, size_t n, bool sensitive);
void carta_log_apdu_resp(const uint8_t *resp, size_t n, bool sensitive);

/* The redaction rule above as a predicate: true if the command's data field
 * (and so its response data) must not be logged. carta_transmit passes the
 * result to carta_log_apdu_resp for the answer to that command. */
bool carta_log_apdu_is_sensitive(const uint8_t *apdu, size_t n, bool sensitive);

/* For tests: re-read the environment. */
void carta_log_reinit(void);

#endif
