/* SPDX-License-Identifier: BSD-3-Clause */
/* The card side of the vpcd protocol (docs/reference/test-stack.md,
 * "vpcd wire protocol"): connect to vpcd, answer its messages (2-byte
 * big-endian length + payload; 1-byte payloads are control codes), and
 * reconnect whenever vpcd/pcscd goes away. SIGUSR1 = card removed (the
 * socket is closed, which vpcd reports as removal), SIGUSR2 = reinserted,
 * SIGTERM/SIGINT = stop and print the APDU statistics. A removal fault
 * (docs/virtual-card.md "Fault injection") removes the card the same way, and
 * reinserts it after --fault-reinsert-ms if given (else at SIGUSR2). */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "vcard_int.h"

static volatile sig_atomic_t stop_req, removed;
static struct timespec reinsert_at;   /* removal by a fault: when to come back (0 = SIGUSR2) */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		removed = 1;
	else if (sig == SIGUSR2)
		removed = 0;
	else
		stop_req = 1;
}

static void install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;   /* no SA_RESTART: blocking calls see EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Without NODELAY and QUICKACK, Nagle and delayed ACKs add ~40 ms per APDU
 * (docs/reference/test-stack.md "vpcd quirks"); QUICKACK is not sticky, so it is re-armed
 * after every receive. */
static void quickack(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
}

static int dial(const struct vcard_serve_opts *o)
{
	struct addrinfo hints, *res = NULL, *ai;
	char port[16];
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%u", o->port);
	if (getaddrinfo(o->host ? o->host : "127.0.0.1", port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		quickack(fd);
	}
	return fd;
}

/* Loops on short reads; false when the peer closed, on error, or when a
 * stop/removal was requested. */
static bool read_full(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = recv(fd, p + got, n - got, 0);

		if (r < 0 && errno == EINTR && !stop_req && !removed)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
		quickack(fd);
	}
	return true;
}

static bool write_full(int fd, const uint8_t *p, size_t n)
{
	size_t put = 0;

	while (put < n) {
		ssize_t r = send(fd, p + put, n - put, MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		put += (size_t)r;
	}
	return true;
}

static bool reply(int fd, const uint8_t *p, size_t n)
{
	uint8_t h[2] = { (uint8_t)(n >> 8), (uint8_t)n };

	return write_full(fd, h, 2) && write_full(fd, p, n);
}

/* The APDU log: a command's data field is redacted for VERIFY, CHANGE
 * REFERENCE DATA and RESET RETRY COUNTER (docs/design.md, logging rule). */
static void log_bytes(FILE *lg, const char *dir, const uint8_t *p, size_t n)
{
	size_t i, show = n;

	if (!lg)
		return;
	if (dir[0] == '>' && n > 5 && (p[1] == 0x20 || p[1] == 0x24 || p[1] == 0x2C))
		show = 5;
	fprintf(lg, "%s", dir);
	for (i = 0; i < show; i++)
		fprintf(lg, " %02X", p[i]);
	if (show < n)
		fprintf(lg, " <%zu bytes redacted>", n - show);
	fprintf(lg, "\n");
	fflush(lg);
}

static bool control(struct vcard *v, int fd, uint8_t code, FILE *lg)
{
	uint8_t atr[64];
	size_t n;

	if (code == 0x04) {
		n = vcard_atr(v, atr, sizeof(atr));
		return reply(fd, atr, n);
	}
	if (code <= 0x02) {   /* off, on, reset: the security state is lost */
		vcard_reset(v);
		if (lg)
			fprintf(lg, "# %s\n", code == 0 ? "power off" : code == 1 ? "power on" : "reset");
	}
	return true;
}

static long ms_until(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (t->tv_sec - now.tv_sec) * 1000L + (t->tv_nsec - now.tv_nsec) / 1000000L;
}

/* Logs a fault that fired on the last APDU; true if it removes the card (then
 * *after = the answer goes out first). */
static bool fault_fired(struct vcard *v, FILE *lg, const struct vcard_serve_opts *o, bool *after)
{
	struct vcard_fault f;
	char d[48];

	if (!vcard_fault_last(v, &f))
		return false;
	vcard_fault_str(&f, d, sizeof(d));
	if (lg)
		fprintf(lg, "# fault %s fired\n", d);
	if (f.mode != VCARD_FAULT_REMOVE_BEFORE && f.mode != VCARD_FAULT_REMOVE_AFTER)
		return false;
	*after = f.mode == VCARD_FAULT_REMOVE_AFTER;
	removed = 1;
	memset(&reinsert_at, 0, sizeof(reinsert_at));
	if (o->reinsert_ms) {
		clock_gettime(CLOCK_MONOTONIC, &reinsert_at);
		reinsert_at.tv_sec += (time_t)(o->reinsert_ms / 1000);
		reinsert_at.tv_nsec += (long)(o->reinsert_ms % 1000) * 1000000L;
		if (reinsert_at.tv_nsec >= 1000000000L) {
			reinsert_at.tv_sec++;
			reinsert_at.tv_nsec -= 1000000000L;
		}
	}
	return true;
}

static void session(struct vcard *v, int fd, FILE *lg, const struct vcard_serve_opts *o)
{
	static uint8_t msg[65536 + 16];
	struct carta_buf resp = { 0 };
	uint8_t h[2];
	size_t n;
	bool after = false;

	while (!stop_req && !removed) {
		struct pollfd p = { fd, POLLIN, 0 };
		int pr = poll(&p, 1, 200);

		if (pr < 0 && errno != EINTR)
			break;
		if (pr <= 0)
			continue;
		if (!read_full(fd, h, 2))
			break;
		n = (size_t)h[0] << 8 | h[1];
		if (!read_full(fd, msg, n))
			break;
		if (n == 1) {
			if (!control(v, fd, msg[0], lg))
				break;
			continue;
		}
		if (n < 2)
			continue;
		log_bytes(lg, ">", msg, n);
		if (vcard_apdu(v, msg, n, &resp) != CARTA_OK) {
			carta_buf_clear(&resp);
			vcard_sw(&resp, 0x6F00);
		}
		if (fault_fired(v, lg, o, &after) && !after)
			break;              /* remove-before: no answer, the socket closes */
		log_bytes(lg, "<", resp.p, resp.len);
		if (!reply(fd, resp.p, resp.len))
			break;
	}
	carta_buf_free(&resp);
}

static void stats(struct vcard *v, FILE *lg)
{
	struct vcard_stats st;
	char fired[512], ds[64] = "";

	vcard_get_stats(v, &st);
	vcard_faults_fired(v, fired, sizeof(fired));
	/* the signature PIN's own counters, on cards with the CNS1 key set */
	if (vcard_ds_tries_left(v, false) >= 0)
		snprintf(ds, sizeof(ds), " ds_pin_tries=%d ds_puk_tries=%d",
		         vcard_ds_tries_left(v, false), vcard_ds_tries_left(v, true));
	fprintf(lg ? lg : stderr,
	        "carta-vcard stats: apdus=%lu bytes_in=%lu bytes_out=%lu pin_tries=%d "
	        "pin_tries_low=%d faults=%s%s\n",
	        st.apdus, st.bytes_in, st.bytes_out, vcard_pin_tries_left(v, false),
	        vcard_pin_tries_low(v), fired[0] ? fired : "none", ds);
}

enum carta_err vcard_serve(struct vcard *v, const struct vcard_serve_opts *o)
{
	FILE *lg = NULL;
	int fd;

	if (o->log_path && !(lg = fopen(o->log_path, "a")))
		return CARTA_E_ARGS;
	install();
	while (!stop_req) {
		if (removed) {
			if (reinsert_at.tv_sec && ms_until(&reinsert_at) <= 0) {
				memset(&reinsert_at, 0, sizeof(reinsert_at));
				removed = 0;
				if (lg)
					fprintf(lg, "# reinserted\n");
				continue;
			}
			nap(reinsert_at.tv_sec && ms_until(&reinsert_at) < 50 ? 5 : 50);
			continue;
		}
		fd = dial(o);
		if (fd < 0) {
			nap(200);   /* vpcd not there (yet, or any more): retry */
			continue;
		}
		if (lg)
			fprintf(lg, "# connected\n");
		session(v, fd, lg, o);
		close(fd);
		vcard_reset(v);
		if (lg)
			fprintf(lg, "# disconnected%s\n", removed ? " (removal)" : "");
	}
	stats(v, lg);
	if (lg)
		fclose(lg);
	return CARTA_OK;
}
