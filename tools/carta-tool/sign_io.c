/* SPDX-License-Identifier: BSD-3-Clause */
/* Files for sign and verify: read whole, written whole. An output appears
 * under its name only once it is complete (a temporary file in the same
 * directory, renamed): a wrong PIN, a removed card or a bad input leave no
 * partial file behind (issue 14, "Bad input"). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sign.h"
#include "util/fileio.h"

/* A signed file is held in memory whole (OpenSSL's CMS parser needs it so). */
#define SIGN_MAX_FILE (1024L * 1024 * 1024)

bool sign_has_suffix(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

int sign_read_file(const char *path, uint8_t **data, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat sb;
	uint8_t *buf = NULL;
	size_t got = 0;

	*data = NULL;
	*n = 0;
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > SIGN_MAX_FILE) {
		tool_error(_("cannot read %s: %s"), path,
		           fd < 0 ? strerror(errno) : _("not a regular file, or larger than 1 GiB"));
		goto fail;
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf)
		goto fail;
	while (got < (size_t)sb.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)sb.st_size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			tool_error(_("cannot read %s: %s"), path, r < 0 ? strerror(errno) : _("short read"));
			goto fail;
		}
		got += (size_t)r;
	}
	close(fd);
	*data = buf;
	*n = got;
	return TOOL_EX_OK;
fail:
	free(buf);
	if (fd >= 0)
		close(fd);
	return TOOL_EX_FAIL;
}

int sign_temp_beside(const char *path, char *tmp, size_t cap)
{
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path + 1) : 0;
	int n = snprintf(tmp, cap, "%.*s.%s.XXXXXX", dir_len, path, slash ? slash + 1 : path);
	int fd;

	if (n < 0 || (size_t)n >= cap) {
		tool_error(_("the path %s is too long"), path);
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		tool_error(_("cannot create a file beside %s: %s"), path, strerror(errno));
	return fd;
}

int sign_write_file(const char *path, const uint8_t *data, size_t n)
{
	char tmp[PATH_MAX];
	int fd = sign_temp_beside(path, tmp, sizeof(tmp));
	mode_t mask = umask(077);
	bool ok;

	umask(mask);
	if (fd < 0)
		return TOOL_EX_FAIL;
	/* mkstemp made it 0600; a signed document is for others to read, as
	 * any new file under the user's umask */
	ok = fchmod(fd, 0666 & ~mask) == 0;
	ok = ok && carta_write_all(fd, data, n) && fsync(fd) == 0;
	ok = close(fd) == 0 && ok;
	if (ok && rename(tmp, path) == 0)
		return TOOL_EX_OK;
	tool_error(_("cannot write %s: %s"), path, strerror(errno));
	unlink(tmp);
	return TOOL_EX_FAIL;
}
