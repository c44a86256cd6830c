/* SPDX-License-Identifier: BSD-3-Clause */
/* Secret input: from --pin-fd (scripts; one value a line, read a byte at a
 * time so that several values can share the descriptor), or from the
 * controlling terminal with echo off. Never from argv or the environment,
 * which other users can read through /proc. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "tool.h"

/* One line into buf; returns its length, -1 on error or EOF before anything. */
static long read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	bool any = false;
	char c;

	for (;;) {
		ssize_t r = read(fd, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		any = true;
		if (c == '\n')
			break;
		if (c == '\r')
			continue;
		if (n + 1 >= cap)
			return -2;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return any ? (long)n : -1;
}

static long from_tty(const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	long n = -1;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -3;
	if (tcgetattr(fd, &old) != 0)
		goto out;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(fd, prompt, strlen(prompt)) < 0 || tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
		goto out;
	n = read_line(fd, buf, cap);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		n = -1;
out:
	close(fd);
	return n;
}

long tool_read_pin(const struct tool *t, const char *prompt, char *buf, size_t cap)
{
	long n = t->pin_fd >= 0 ? read_line(t->pin_fd, buf, cap) : from_tty(prompt, buf, cap);

	if (n == -3)
		tool_error("%s", _("no terminal to ask for the PIN: use --pin-fd N"));
	else if (n == -2)
		tool_error("%s", _("the value is too long"));
	else if (n < 0 && t->pin_fd >= 0)
		tool_error(_("nothing to read on file descriptor %d"), t->pin_fd);
	else if (n < 0)
		tool_error("%s", _("could not read from the terminal"));
	return n < 0 ? -1 : n;
}
