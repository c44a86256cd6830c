/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool: see an Italian smart card (CNS, TS-CNS, CIE 3.0), manage its
 * PIN, set up browsers, and find out why it does not work. */
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tool.h"

#ifndef CARTA_LOCALEDIR
#define CARTA_LOCALEDIR "/usr/share/locale"
#endif
#ifndef CARTA_VERSION
#define CARTA_VERSION "0"
#endif

struct command {
	const char *name;
	int (*run)(struct tool *t);
	const char *help;   /* N_() */
};

static const struct command commands[] = {
	{ "list", cmd_list, N_("carta-tool list\n"
	  "  Readers and cards: the card family, the driver chosen, the serial, and each token\n"
	  "  (\"CNS\" for logging in, \"firma\" for signing documents) with its key and PIN.\n") },
	{ "info", cmd_info, N_("carta-tool info [--login]\n"
	  "  The ATR decoded, certificates (subject, issuer, validity), each token's keys,\n"
	  "  PIN and PUK tries left.\n"
	  "  --login asks for the PIN to read what the card shows only after it (CIE certificate).\n") },
	{ "personal", cmd_personal, N_("carta-tool personal [--login]\n"
	  "  The holder data: codice fiscale, name, surname, birth date, issue and expiry dates.\n") },
	{ "pin", cmd_pin, N_("carta-tool pin status|verify|change|unblock [--sign] [--pin-fd N]\n"
	  "  status: tries left; verify: check a PIN (a wrong one costs a try);\n"
	  "  change: current PIN, then the new one twice; unblock: the PUK, then the new PIN twice.\n"
	  "  --sign: the signature PIN (token \"firma\", for signing documents) and its own PUK,\n"
	  "  instead of the CNS PIN (token \"CNS\", for logging in).\n"
	  "  The card's length rules are checked before anything is sent; nothing is retried.\n") },
	{ "cert", cmd_cert, N_("carta-tool cert export [--pem] [-o FILE]\n"
	  "  Write the holder certificate (DER, or PEM with --pem) to FILE or standard output.\n") },
	{ "register", cmd_register, N_("carta-tool register [--firefox] [--chrome] [--thunderbird] [--all] [--quiet] [--module PATH]\n"
	  "  Add the PKCS#11 module to every Firefox and Thunderbird profile and to ~/.pki/nssdb\n"
	  "  (Chrome/Chromium); an entry for a moved or removed module is corrected.\n"
	  "  --quiet: print nothing but errors (what the desktop login runs).\n") },
	{ "unregister", cmd_unregister, N_("carta-tool unregister [--firefox] [--chrome] [--thunderbird] [--all] [--quiet]\n"
	  "  Remove the module from the same places.\n") },
	{ "doctor", cmd_doctor, N_("carta-tool doctor\n"
	  "  Find out why a card does not work: one line per problem, with its fix.\n") },
	{ "p11kit", cmd_p11kit, N_("carta-tool p11kit hide|unhide NAME\n"
	  "  As root: hide p11-kit's module NAME (e.g. opensc-pkcs11, which \"doctor\" names when it\n"
	  "  shows the same card) from every p11-kit program, or undo it, with a file\n"
	  "  /etc/pkcs11/modules/NAME.module; the package's own file is not touched.\n") },
	{ "sign", cmd_sign, N_("carta-tool sign FILE [-o OUT] [--key auth|sign] [--detached] [--nested]\n"
	  "                [--pdf] [--reason TEXT] [--content FILE] [--pin-fd N] [--module PATH]\n"
	  "  Sign FILE with the card through the PKCS#11 module: CAdES-BES FILE.p7m (--detached:\n"
	  "  FILE.p7s); a .p7m gets one more signature (--nested: signed again as FILE.p7m.p7m);\n"
	  "  a PDF is signed inside (PAdES, with poppler's pdfsig). --key sign (the default when\n"
	  "  the card has one) is the qualified-signature key and its PIN.\n") },
	{ "verify", cmd_verify, N_("carta-tool verify FILE.p7m|FILE.p7s|FILE.pdf [--content FILE] [--extract OUT]\n"
	  "                  [--ca FILE|DIR|LIST.xml] [--json]\n"
	  "  Check every signature (nested ones too): who signed, when, with which key.\n"
	  "  Exit 0 valid, 9 invalid, 10 untrusted or not valid then, 11 not a signed file.\n") },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "%s", _("Usage: carta-tool [OPTIONS] COMMAND [ARGS]\n"
	                   "Italian smart cards (CNS, TS-CNS, CIE 3.0): see the card, manage the PIN,\n"
	                   "set up browsers.\n\nCommands:\n"));
	/* each command's help indented under "Commands:" */
	for (size_t i = 0; i < N_COMMANDS; i++) {
		for (const char *l = gettext(commands[i].help); *l;) {
			size_t k = strcspn(l, "\n");
			fprintf(f, "  %.*s\n", (int)k, l);
			l += k + (l[k] != '\0');
		}
	}
	fprintf(f, _("\nOptions:\n"
	             "  -r, --reader R     use reader R: its number in \"list\", its name or part of it\n"
	             "  -j, --json         output for scripts (JSON)\n"
	             "      --pin-fd N     read PIN and PUK from file descriptor N, one a line\n"
	             "      --login        verify the PIN to read login-only data\n"
	             "      --sign         the signature PIN instead of the CNS PIN (pin)\n"
	             "      --module PATH  the PKCS#11 module to register or sign with (default %s)\n"
	             "  -o, --output FILE  where to write (cert export, sign)\n"
	             "      --pem          PEM instead of DER (cert export)\n"
	             "      --firefox, --chrome, --thunderbird, --all   which programs (register, unregister)\n"
	             "  -q, --quiet        errors only (register, unregister, p11kit)\n"
	             "  -h, --help         this help; \"carta-tool COMMAND --help\" for one command\n"
	             "  -V, --version\n"), tool_module_path(&(struct tool){ .pin_fd = -1 }));
	fprintf(f, "%s", _("\nExit status:\n"
	                   "  0 success, 1 error, 2 wrong usage, 3 no PC/SC service, reader or card,\n"
	                   "  4 card not recognised, 5 wrong PIN or PUK, 6 PIN or PUK blocked,\n"
	                   "  7 refused before touching the card (length rules, new PINs differ),\n"
	                   "  8 doctor found problems, 9 a signature does not check (verify),\n"
	                   "  10 signatures intact but a certificate untrusted or not valid then,\n"
	                   "  11 not a signed file.\n"));
}

/* The locale may be missing (it_IT.UTF-8 not generated): the user still
 * asked for Italian, so keep the messages in that language over C.UTF-8
 * (glibc honours LANGUAGE for any locale but plain "C"). */
static void locale_init(void)
{
	const char *vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" }, *lang = NULL;
	const char *dir = secure_getenv("CARTA_LOCALEDIR");
	char exe[PATH_MAX], local[PATH_MAX + 64];
	struct stat sb;
	ssize_t n;

	if (!setlocale(LC_ALL, "")) {
		for (size_t i = 0; i < 3 && !lang; i++)
			if (getenv(vars[i]) && getenv(vars[i])[0])
				lang = getenv(vars[i]);
		if (setlocale(LC_ALL, "C.UTF-8") && lang && strcmp(lang, "C") && strcmp(lang, "POSIX") &&
		    !getenv("LANGUAGE")) {
			char l[64];
			snprintf(l, sizeof(l), "%.*s", (int)strcspn(lang, ".@"), lang);
			setenv("LANGUAGE", l, 1);
		}
	}
	/* run from the build tree: the catalog built next to the program */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (!dir && n > 0) {
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		snprintf(local, sizeof(local), "%s/locale/it/LC_MESSAGES/carta-tool.mo", exe);
		if (stat(local, &sb) == 0) {
			snprintf(local, sizeof(local), "%s/locale", exe);
			dir = local;
		}
	}
	bindtextdomain("carta-tool", dir ? dir : CARTA_LOCALEDIR);
	bind_textdomain_codeset("carta-tool", "UTF-8");
	textdomain("carta-tool");
}

static int parse(int argc, char **argv, struct tool *t, bool *help)
{
	static const struct option opts[] = {
		{ "sign", 0, 0, 'S' },
		{ "reader", 1, 0, 'r' }, { "json", 0, 0, 'j' }, { "pin-fd", 1, 0, 'p' },
		{ "login", 0, 0, 'l' }, { "module", 1, 0, 'm' }, { "output", 1, 0, 'o' },
		{ "pem", 0, 0, 'P' }, { "firefox", 0, 0, 'F' }, { "chrome", 0, 0, 'C' },
		{ "all", 0, 0, 'A' }, { "help", 0, 0, 'h' }, { "version", 0, 0, 'V' },
		{ "thunderbird", 0, 0, 'T' }, { "quiet", 0, 0, 'q' },
		{ "key", 1, 0, 256 }, { "detached", 0, 0, 257 }, { "nested", 0, 0, 258 },
		{ "pdf", 0, 0, 259 }, { "reason", 1, 0, 260 }, { "content", 1, 0, 261 },
		{ "extract", 1, 0, 262 }, { "ca", 1, 0, 263 },
		{ 0, 0, 0, 0 },
	};
	char *end;
	long v;
	int c;

	while ((c = getopt_long(argc, argv, "r:jo:hVq", opts, NULL)) != -1) {
		switch (c) {
		case 'r': t->reader = optarg; break;
		case 'j': t->json = true; break;
		case 'p':
			v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 0 || v > INT_MAX)
				return -1;
			t->pin_fd = (int)v;
			break;
		case 'l': t->login = true; break;
		case 'S': t->sign = true; break;
		case 'm': t->module = optarg; break;
		case 'o': t->output = optarg; break;
		case 'P': t->pem = true; break;
		case 'F': t->browsers |= TOOL_FIREFOX; break;
		case 'C': t->browsers |= TOOL_CHROME; break;
		case 'T': t->browsers |= TOOL_THUNDERBIRD; break;
		case 'A': t->browsers |= TOOL_ALL_NSS; break;
		case 'q': t->quiet = true; break;
		case 'h': *help = true; break;
		case 'V': printf("carta-tool %s\n", CARTA_VERSION); exit(0);
		case 256: t->key = optarg; break;
		case 257: t->detached = true; break;
		case 258: t->nested = true; break;
		case 259: t->pdf = true; break;
		case 260: t->reason = optarg; break;
		case 261: t->content = optarg; break;
		case 262: t->extract = optarg; break;
		case 263: t->ca = optarg; break;
		default: return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct tool t = { .pin_fd = -1 };
	const struct command *cmd = NULL;
	bool help = false;

	locale_init();
	if (parse(argc, argv, &t, &help) != 0) {
		fprintf(stderr, "%s", _("Try \"carta-tool --help\".\n"));
		return TOOL_EX_USAGE;
	}
	for (size_t i = 0; optind < argc && i < N_COMMANDS; i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (help && cmd) {
		printf("%s", gettext(cmd->help));
		return TOOL_EX_OK;
	}
	if (help || !cmd) {
		if (!help && optind < argc)
			tool_error(_("unknown command \"%s\""), argv[optind]);
		usage(help ? stdout : stderr);
		return help ? TOOL_EX_OK : TOOL_EX_USAGE;
	}
	t.args = argv + optind + 1;
	t.nargs = argc - optind - 1;
	return cmd->run(&t);
}
