/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"

/* Bytes of an APDU shown in hex before "(+n more)": keeps lines bounded. */
#define TRACE_MAX_SHOW 1024u

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static atomic_int level;
static FILE *sink;  /* NULL = stderr; guarded by lock */

/* Caller holds lock. secure_getenv: a setuid program using the module must
 * not let the environment pick a file to append to. */
static void load_env_locked(void)
{
	const char *s, *path;
	char *end;
	long v = 0;

	if (sink) {
		fclose(sink);
		sink = NULL;
	}
	s = secure_getenv("CARTA_DEBUG");
	if (s && *s) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno || *end)
			v = 0;
	}
	if (v < 0)
		v = 0;
	if (v > CARTA_LOG_APDU)
		v = CARTA_LOG_APDU;
	path = secure_getenv("CARTA_DEBUG_FILE");
	if (v > 0 && path && *path)
		sink = fopen(path, "ae");
	atomic_store(&level, (int)v);
}

static void init_once(void)
{
	pthread_mutex_lock(&lock);
	load_env_locked();
	pthread_mutex_unlock(&lock);
}

void carta_log_reinit(void)
{
	pthread_once(&once, init_once);
	pthread_mutex_lock(&lock);
	load_env_locked();
	pthread_mutex_unlock(&lock);
}

int carta_log_level(void)
{
	pthread_once(&once, init_once);
	return atomic_load(&level);
}

/* One fprintf per line under the mutex so lines of threads never interleave. */
static void emit(int lvl, const char *msg)
{
	static const char *const names[] = { "", "ERROR", "INFO", "APDU" };
	struct timespec ts;
	struct tm tm;
	char tbuf[32] = "";
	FILE *f;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (localtime_r(&ts.tv_sec, &tm))
		strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	pthread_mutex_lock(&lock);
	f = sink ? sink : stderr;
	fprintf(f, "carta[%ld] %s.%03ld %s: %s\n", (long)getpid(), tbuf, ts.tv_nsec / 1000000,
	        names[lvl >= 1 && lvl <= 3 ? lvl : 1], msg);
	fflush(f);
	pthread_mutex_unlock(&lock);
}

void carta_log(int lvl, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (lvl <= 0 || carta_log_level() < lvl)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(lvl, msg);
}

/* Append " xx xx .." for p[0..n) to the line, truncating long fields. */
static void put_hex(char *line, size_t cap, size_t *pos, const uint8_t *p, size_t n)
{
	size_t i, show = n > TRACE_MAX_SHOW ? TRACE_MAX_SHOW : n;
	int w;

	for (i = 0; i < show && *pos + 4 < cap; i++) {
		w = snprintf(line + *pos, cap - *pos, " %02X", p[i]);
		if (w > 0)
			*pos += (size_t)w;
	}
	if (show < n && *pos < cap) {
		w = snprintf(line + *pos, cap - *pos, " (+%zu more)", n - show);
		if (w > 0)
			*pos += (size_t)w;
	}
	if (*pos >= cap)
		*pos = cap - 1;
}

__attribute__((format(printf, 4, 5)))
static void put_text(char *line, size_t cap, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(line + *pos, cap - *pos, fmt, ap);
	va_end(ap);

	if (w > 0)
		*pos += (size_t)w;
	if (*pos >= cap)
		*pos = cap - 1;
}

bool carta_log_apdu_is_sensitive(const uint8_t *apdu, size_t n, bool sensitive)
{
	if (sensitive)
		return true;
	if (n < 2)
		return false;
	/* ISO 7816-4 5.4.1: CLA bits b4-b3 != 00 means secure messaging */
	if (apdu[0] & 0x0c)
		return true;
	return apdu[1] == 0x20 || apdu[1] == 0x24 || apdu[1] == 0x2c;
}

/* Locate Lc and the data field (ISO 7816-4 5.1). Returns false when the body
 * is not a well-formed case 3/4 encoding: the caller then treats every byte
 * after the header as data. */
static bool find_data(const uint8_t *a, size_t n, size_t *lc_len, size_t *lc)
{
	size_t body = n - 4;

	if (body <= 1)
		return false;
	if (a[4] != 0) {
		*lc_len = 1;
		*lc = a[4];
		return body == 1 + *lc || body == 2 + *lc;
	}
	if (body < 3)
		return false;
	*lc_len = 3;
	*lc = (size_t)a[5] << 8 | a[6];
	return *lc > 0 && (body == 3 + *lc || body == 5 + *lc);
}

void carta_log_apdu_cmd(const uint8_t *apdu, size_t n, bool sensitive)
{
	char line[4 * TRACE_MAX_SHOW + 256];
	size_t pos = 0, lc_len = 0, lc = 0, off;
	bool red;

	if (carta_log_level() < CARTA_LOG_APDU || !apdu)
		return;
	red = carta_log_apdu_is_sensitive(apdu, n, sensitive);
	line[0] = '\0';
	put_text(line, sizeof(line), &pos, "> (%zu)", n);
	if (n <= 4 || !find_data(apdu, n, &lc_len, &lc)) {
		/* header only, case 2, or unparsable: everything past the header is
		 * data as far as redaction is concerned */
		put_hex(line, sizeof(line), &pos, apdu, n < 4 ? n : 4);
		if (n > 4 && red)
			put_text(line, sizeof(line), &pos, " <%zu bytes redacted>", n - 4);
		else if (n > 4)
			put_hex(line, sizeof(line), &pos, apdu + 4, n - 4);
		goto out;
	}
	off = 4 + lc_len;
	put_hex(line, sizeof(line), &pos, apdu, off);
	if (red)
		put_text(line, sizeof(line), &pos, " <%zu bytes redacted>", lc);
	else
		put_hex(line, sizeof(line), &pos, apdu + off, lc);
	put_hex(line, sizeof(line), &pos, apdu + off + lc, n - off - lc);
out:
	emit(CARTA_LOG_APDU, line);
}

void carta_log_apdu_resp(const uint8_t *resp, size_t n, bool sensitive)
{
	char line[4 * TRACE_MAX_SHOW + 256];
	size_t pos = 0;

	if (carta_log_level() < CARTA_LOG_APDU || !resp)
		return;
	line[0] = '\0';
	put_text(line, sizeof(line), &pos, "< (%zu)", n);
	if (n < 2) {
		put_hex(line, sizeof(line), &pos, resp, n);
		goto out;
	}
	if (sensitive && n > 2)
		put_text(line, sizeof(line), &pos, " <%zu bytes redacted>", n - 2);
	else
		put_hex(line, sizeof(line), &pos, resp, n - 2);
	put_hex(line, sizeof(line), &pos, resp + n - 2, 2);
out:
	emit(CARTA_LOG_APDU, line);
}
