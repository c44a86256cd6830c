/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool cert export [--pem] [-o FILE], and the certificate fields the
 * other commands show. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "crypto/pem.h"
#include "crypto/x509.h"
#include "tool.h"
#include "util/fileio.h"

enum carta_err tool_cert_view(const struct carta_cert *c, struct tool_certview *v)
{
	struct carta_x509 x;
	enum carta_err rv;

	memset(v, 0, sizeof(*v));
	memset(&x, 0, sizeof(x));
	if (!c->der)
		return CARTA_E_NOT_SUPPORTED;
	rv = carta_x509_parse(c->der, c->der_len, &x);
	if (rv != CARTA_OK)
		goto out;
	/* a Name too long for the line is still worth showing, cut */
	(void)carta_name_text(x.subject.p, x.subject.len, v->subject, sizeof(v->subject));
	(void)carta_name_text(x.issuer.p, x.issuer.len, v->issuer, sizeof(v->issuer));
	snprintf(v->not_before, sizeof(v->not_before), "%s", x.not_before);
	snprintf(v->not_after, sizeof(v->not_after), "%s", x.not_after);
	tool_date(x.not_before, v->from, sizeof(v->from));
	tool_date(x.not_after, v->until, sizeof(v->until));
	v->expired = tool_expired(x.not_after);
	memcpy(v->cn, x.cn, sizeof(v->cn));
	memcpy(v->given_name, x.given_name, sizeof(v->given_name));
	memcpy(v->surname, x.surname, sizeof(v->surname));
	memcpy(v->serial_number, x.serial_number, sizeof(v->serial_number));
	v->bits = x.bits;
out:
	carta_x509_free(&x);
	return rv;
}

/* The CIE shows its certificate only to a session that verified the PIN
 * (docs/reference/cie.md 2.3): verify, then let the driver re-read it. */
const struct carta_cert *tool_cert(const struct tool *t, struct carta_card *c, int *rc)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	int pin = tool_user_pin(d), r = TOOL_EX_OK;

	if (d->n_certs == 0) {
		tool_error("%s", _("the card holds no certificate"));
		r = TOOL_EX_FAIL;
	} else if (!d->certs[0].der && pin >= 0) {
		fprintf(stderr, "%s\n", _("This card shows its certificate only after the PIN."));
		r = tool_verify(t, c, (size_t)pin);   /* the VERIFY reads it */
	}
	if (r == TOOL_EX_OK && !d->certs[0].der) {
		tool_error("%s", _("the certificate could not be read"));
		r = TOOL_EX_FAIL;
	}
	if (rc)
		*rc = r;
	return r == TOOL_EX_OK ? &d->certs[0] : NULL;
}

static int save(const struct tool *t, const uint8_t *p, size_t n)
{
	int fd = STDOUT_FILENO, rc = TOOL_EX_OK;

	if (t->output && strcmp(t->output, "-") != 0)
		fd = open(t->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || !carta_write_all(fd, p, n)) {
		tool_error("%s: %s", t->output ? t->output : "stdout", strerror(errno));
		rc = TOOL_EX_FAIL;
	}
	if (fd >= 0 && fd != STDOUT_FILENO && close(fd) != 0 && rc == TOOL_EX_OK) {
		tool_error("%s: %s", t->output, strerror(errno));
		rc = TOOL_EX_FAIL;
	}
	return rc;
}

int cmd_cert(struct tool *t)
{
	struct carta_buf pem = { 0 };
	const struct carta_cert *ce;
	struct tool_card tc;
	enum carta_err rv;
	int rc;

	if (t->nargs != 1 || strcmp(t->args[0], "export") != 0) {
		tool_error("%s", _("usage: carta-tool cert export [--pem] [-o FILE]"));
		return TOOL_EX_USAGE;
	}
	rc = tool_open_card(t, &tc);
	if (rc != TOOL_EX_OK)
		return rc;
	tc.logout = !carta_card_get_desc(tc.card)->certs[0].der;
	ce = tool_cert(t, tc.card, &rc);
	if (!ce)
		goto out;
	if (!t->pem) {
		rc = save(t, ce->der, ce->der_len);
		goto out;
	}
	rv = carta_pem_cert(ce->der, ce->der_len, &pem);
	rc = rv == CARTA_OK ? save(t, pem.p, pem.len) : tool_err_exit(rv);
	if (rv != CARTA_OK)
		tool_error("%s", tool_err_text(rv));
out:
	carta_buf_free(&pem);
	tool_close_card(&tc);
	return rc;
}
