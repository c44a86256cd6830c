/* SPDX-License-Identifier: BSD-3-Clause */
/* One token for pdfsig. Debian 12's pdfsig gives its one password (-nss-pwd)
 * to the first token that asks and treats a second request as a wrong
 * password ("Password was not accepted to open the NSS database"): with a
 * card that shows two tokens (the CNS one and "NAME (firma)", each with its
 * own PIN) it fails, whichever key is wanted. So pdfsig does not load the
 * module itself: "p11-kit server" loads it and exports only the chosen token
 * (an RFC 7512 "pkcs11:token=" URI) on a socket in carta-tool's private
 * temporary directory, and pdfsig's NSS database loads p11-kit-client.so.
 * The other token's PIN is then never presented, and NSS, seeing the
 * always-authenticate key, does the context-specific login itself. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sign.h"

/* RFC 7512 2.3: everything but the unreserved characters percent-encoded. */
static bool token_uri(const char *label, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = (size_t)snprintf(out, cap, "pkcs11:token=");

	for (const unsigned char *p = (const unsigned char *)label; *p; p++) {
		bool plain = (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		             (*p >= '0' && *p <= '9') || strchr("-._~", *p);
		if (n + 4 >= cap)
			return false;
		if (plain) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
	return true;
}

static bool is_socket(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISSOCK(sb.st_mode);
}

/* Until the socket is there (10 s at most), or the server has gone. */
static bool wait_ready(pid_t pid, const char *sock)
{
	const struct timespec step = { 0, 50 * 1000 * 1000 };
	int status;

	for (int i = 0; i < 200; i++) {
		if (is_socket(sock))
			return true;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return false;
		nanosleep(&step, NULL);
	}
	return false;
}

int sign_token_server_start(const char *dir, const char *module, const char *token,
                            struct token_server *s)
{
	char uri[512], log[1300], addr[1300];
	posix_spawn_file_actions_t fa;
	const char *argv[] = { "p11-kit", "server", "-f", "-n", s->sock, "-p", module, uri, NULL };
	int rc;

	s->pid = -1;
	if (!token_uri(token, uri, sizeof(uri)) ||
	    (size_t)snprintf(s->sock, sizeof(s->sock), "%s/p11.sock", dir) >= 100) {
		tool_error("%s", _("the temporary directory's path is too long for a socket"));
		return TOOL_EX_FAIL;
	}
	snprintf(log, sizeof(log), "%s/p11-kit-server.log", dir);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	rc = posix_spawnp(&s->pid, "p11-kit", &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0 || !wait_ready(s->pid, s->sock)) {
		tool_error("%s", _("p11-kit server did not start (is p11-kit installed?)"));
		sign_token_server_stop(s);
		return TOOL_EX_FAIL;
	}
	snprintf(addr, sizeof(addr), "unix:path=%s", s->sock);
	setenv("P11_KIT_SERVER_ADDRESS", addr, 1);
	return TOOL_EX_OK;
}

void sign_token_server_stop(struct token_server *s)
{
	unsetenv("P11_KIT_SERVER_ADDRESS");
	if (s->pid <= 0)
		return;
	kill(s->pid, SIGTERM);
	(void)waitpid(s->pid, NULL, 0);
	s->pid = -1;
}
