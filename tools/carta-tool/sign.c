/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool sign FILE [-o OUT] [--key auth|sign] [--detached] [--nested]
 * [--pdf] [--reason TEXT] [--content FILE]: a CAdES-BES .p7m/.p7s, or a
 * PAdES PDF, signed by the card through the PKCS#11 module (issue 14).
 *
 * Which key: the module shows a card's qualified-signature key on its own
 * token ("NAME (firma)"), with a nonRepudiation certificate and
 * CKA_ALWAYS_AUTHENTICATE; --key sign picks that token by what it shows, not
 * by its label, and is the default when there is one. --key auth uses the
 * CNS/CIE authentication key: not a qualified signature (with a CIE, a "firma
 * elettronica avanzata"), and the output says so. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/secret.h"
#include "p11client.h"
#include "sign.h"
#include "verify.h"

#define PIN_CAP 64

struct job {
	struct tool *t;
	struct p11c *m;
	struct p11c_token tok;
	struct p11c_key key;
	struct carta_secret *pin;
	bool want_sign;
	char out[PATH_MAX];
};

static bool matches_reader(const struct tool *t, const struct p11c_token *k)
{
	return !t->reader || strstr(k->reader, t->reader) || strstr(k->label, t->reader);
}

/* The token for --key: the signature token when asked for (or by default
 * when there is one), else the authentication token. */
static int pick_token(struct job *j)
{
	struct p11c_token toks[P11C_MAX_TOKENS];
	size_t n = 0;
	int rc = p11c_tokens(j->m, toks, P11C_MAX_TOKENS, &n), auth = -1, sig = -1;

	if (rc != TOOL_EX_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!matches_reader(j->t, &toks[i]))
			continue;
		if (toks[i].sign && sig < 0)
			sig = (int)i;
		else if (!toks[i].sign && auth < 0)
			auth = (int)i;
	}
	if (sig < 0 && auth < 0) {
		tool_error("%s", _("no card in the reader"));
		return TOOL_EX_NO_CARD;
	}
	j->want_sign = j->t->key ? strcmp(j->t->key, "sign") == 0 : sig >= 0;
	if (j->want_sign && sig < 0) {
		tool_error("%s", _("this card has no qualified-signature key (firma digitale): use --key auth"));
		return TOOL_EX_FAIL;
	}
	if (!j->want_sign && auth < 0) {
		tool_error("%s", _("no authentication key on this card"));
		return TOOL_EX_FAIL;
	}
	j->tok = toks[j->want_sign ? sig : auth];
	return TOOL_EX_OK;
}

static void wrong_pin_hint(struct job *j)
{
	p11c_token_flags(j->m, &j->tok);
	if (j->tok.pin_locked)
		tool_error("%s", _("the PIN is now blocked: unblock it with the PUK"));
	else if (j->tok.final_try)
		tool_error("%s", _("one try left before the PIN is blocked"));
	else if (j->tok.count_low)
		tool_error("%s", _("few tries left before the PIN is blocked"));
}

static int ask_pin_and_login(struct job *j)
{
	const char *prompt = j->want_sign ? _("Signature PIN (PIN di firma): ") : _("PIN: ");
	long n;
	int rc;

	if (j->tok.pin_locked) {
		tool_error("%s", _("the PIN is blocked: unblock it with the PUK (carta-tool pin unblock)"));
		return TOOL_EX_BLOCKED;
	}
	if (carta_secret_new(PIN_CAP, &j->pin) != CARTA_OK)
		return TOOL_EX_FAIL;
	n = tool_read_pin(j->t, prompt, (char *)j->pin->p, j->pin->cap);
	if (n < 0)
		return TOOL_EX_FAIL;
	j->pin->len = (size_t)n;
	rc = p11c_login(j->m, &j->tok, (const char *)j->pin->p, j->pin->len);
	if (rc == TOOL_EX_PIN_WRONG)
		wrong_pin_hint(j);
	return rc;
}

static int card_sign(void *ctx, const uint8_t *tbs, size_t n, uint8_t *sig, size_t *sig_len)
{
	struct job *j = ctx;
	int rc = p11c_sign(j->m, &j->key, (const char *)j->pin->p, j->pin->len, tbs, n, sig, sig_len);

	if (rc == TOOL_EX_PIN_WRONG)
		wrong_pin_hint(j);
	return rc;
}

/* Where the result goes: -o, else FILE.p7m / FILE.p7s, the .p7m itself for a
 * parallel signature, FILE.p7m.p7m when nested, NAME-signed.pdf for a PDF. */
static int out_path(struct job *j, const char *in, bool pdf, bool parallel)
{
	struct tool *t = j->t;
	size_t n = strlen(in);
	int w;

	if (t->output)
		w = snprintf(j->out, sizeof(j->out), "%s", t->output);
	else if (pdf)
		w = snprintf(j->out, sizeof(j->out), "%.*s-signed.pdf",
		             (int)(n - (sign_has_suffix(in, ".pdf") ? 4 : 0)), in);
	else if (parallel)
		w = snprintf(j->out, sizeof(j->out), "%s", in);
	else
		w = snprintf(j->out, sizeof(j->out), "%s%s", in, t->detached ? ".p7s" : ".p7m");
	if (w < 0 || (size_t)w >= sizeof(j->out)) {
		tool_error(_("the path %s is too long"), in);
		return TOOL_EX_USAGE;
	}
	return TOOL_EX_OK;
}

/* The new file is checked by the same walk as carta-tool verify before it
 * is written: every signature, the new one and those already there. */
static int self_check(const uint8_t *der, size_t n, const uint8_t *content, size_t cn)
{
	struct vreport *r = calloc(1, sizeof(*r));
	int rc = TOOL_EX_FAIL;

	if (r && verify_walk(der, n, content, cn, NULL, r) == 0 && verify_intact(r))
		rc = TOOL_EX_OK;
	else
		tool_error("%s", _("the signed file does not verify: nothing written"));
	if (r)
		verify_report_free(r);
	free(r);
	return rc;
}

static int do_cades(struct job *j, const char *in, bool parallel)
{
	struct cades_req req = { .detached = j->t->detached, .cert = j->key.cert,
	                         .cert_len = j->key.cert_len, .ec = j->key.ec,
	                         .sign = card_sign, .ctx = j };
	uint8_t *file = NULL, *content = NULL, *der = NULL;
	size_t file_len = 0, content_len = 0, der_len = 0;
	int rc = sign_read_file(in, &file, &file_len);

	if (rc != TOOL_EX_OK)
		goto out;
	if (parallel) {
		req.existing = file;
		req.existing_len = file_len;
		if (j->t->content && (rc = sign_read_file(j->t->content, &content, &content_len)) != TOOL_EX_OK)
			goto out;
		req.content = content;
		req.content_len = content_len;
	} else {
		req.content = file;
		req.content_len = file_len;
	}
	rc = sign_cades(&req, &der, &der_len);
	if (rc == TOOL_EX_OK)
		rc = self_check(der, der_len, j->t->detached || parallel ? req.content : NULL,
		                j->t->detached || parallel ? req.content_len : 0);
	if (rc == TOOL_EX_OK)
		rc = sign_write_file(j->out, der, der_len);
out:
	free(file);
	free(content);
	OPENSSL_free(der);
	return rc;
}

static int do_pdf(struct job *j, const char *in, bool *etsi)
{
	char tmp[PATH_MAX], *pin = NULL;
	struct pdf_req req = { .in = in, .out_tmp = tmp, .module = tool_module_path(j->t),
	                       .token_label = j->tok.label, .cert_label = j->key.cert_label,
	                       .reason = j->t->reason };
	int fd = sign_temp_beside(j->out, tmp, sizeof(tmp)), rc = TOOL_EX_FAIL;
	mode_t mask = umask(077);

	umask(mask);
	if (fd < 0)
		return TOOL_EX_FAIL;
	/* pdfsig writes into mkstemp's 0600 file: the usual mode under the umask */
	if (fchmod(fd, 0666 & ~mask) != 0)
		tool_error(_("cannot write %s"), tmp);
	close(fd);
	pin = calloc(1, j->pin->len + 1);
	if (pin) {
		memcpy(pin, j->pin->p, j->pin->len);
		req.pin = pin;
		rc = sign_pdf(&req, etsi);
		carta_wipe(pin, j->pin->len);
		free(pin);
	}
	if (rc == TOOL_EX_OK && rename(tmp, j->out) != 0) {
		tool_error(_("cannot write %s"), j->out);
		rc = TOOL_EX_FAIL;
	}
	if (rc != TOOL_EX_OK)
		unlink(tmp);
	return rc;
}

static void say_done(const struct job *j, const char *kind)
{
	printf(_("Signed: %s (%s)\n"), j->out, kind);
	if (!j->key.nonrep)
		printf("%s\n", _("Note: signed with the authentication key, not the qualified-signature key:\n"
		                 "this is not a qualified signature (firma digitale). With a CIE it is an\n"
		                 "advanced electronic signature (firma elettronica avanzata)."));
}

static int check_args(const struct tool *t)
{
	if (t->nargs != 1) {
		tool_error("%s", _("sign: one file to sign"));
		return TOOL_EX_USAGE;
	}
	if (t->key && strcmp(t->key, "auth") != 0 && strcmp(t->key, "sign") != 0) {
		tool_error("%s", _("--key takes auth or sign"));
		return TOOL_EX_USAGE;
	}
	if (t->pdf && (t->detached || t->nested)) {
		tool_error("%s", _("--pdf signs inside the PDF: no --detached or --nested"));
		return TOOL_EX_USAGE;
	}
	return TOOL_EX_OK;
}

int cmd_sign(struct tool *t)
{
	struct job j = { .t = t };
	const char *in = t->args ? t->args[0] : NULL;
	bool pdf, parallel, etsi = false;
	int rc = check_args(t);

	if (rc != TOOL_EX_OK)
		return rc;
	pdf = t->pdf || (sign_has_suffix(in, ".pdf") && !t->detached && !t->nested);
	parallel = !pdf && !t->nested && (sign_has_suffix(in, ".p7m") || sign_has_suffix(in, ".p7s"));
	if ((t->reason && !pdf) || (t->content && !parallel)) {
		tool_error("%s", t->reason && !pdf ? _("--reason is written only in a PDF signature")
		                                   : _("--content is for adding a signature to a .p7s"));
		return TOOL_EX_USAGE;
	}
	if (access(in, R_OK) != 0) {
		tool_error(_("cannot read %s"), in);
		return TOOL_EX_FAIL;
	}
	rc = out_path(&j, in, pdf, parallel);
	if (rc == TOOL_EX_OK)
		rc = p11c_open(tool_module_path(t), &j.m);
	if (rc == TOOL_EX_OK)
		rc = pick_token(&j);
	if (rc == TOOL_EX_OK)
		rc = ask_pin_and_login(&j);
	if (rc == TOOL_EX_OK)
		rc = p11c_find_key(j.m, j.want_sign, &j.key);
	if (rc == TOOL_EX_OK && pdf)
		rc = do_pdf(&j, in, &etsi);
	else if (rc == TOOL_EX_OK)
		rc = do_cades(&j, in, parallel);
	if (rc == TOOL_EX_OK)
		say_done(&j, pdf ? (etsi ? "PAdES, ETSI.CAdES.detached"
		                        : _("PDF signature adbe.pkcs7.detached: this poppler cannot make PAdES"))
		                 : parallel ? _("CAdES-BES, signature added")
		                 : t->detached ? _("CAdES-BES, detached") : "CAdES-BES");
	carta_secret_free(&j.pin);
	p11c_close(&j.m);
	return rc;
}
