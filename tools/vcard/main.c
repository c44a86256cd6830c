/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-vcard: serve a virtual card to vpcd, or write a test identity.
 * See docs/virtual-card.md. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cie/cie_int.h"
#include "vcard_int.h"

struct args {
	struct vcard_fault faults[VCARD_MAX_FAULTS];
	struct vcard_config cfg;
	struct vcard_serve_opts serve;
	const char *out;
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: carta-vcard serve --profile P --port N [--host H] [--seed S]\n"
	        "         [--identity DIR] [--pin P] [--puk P] [--ec] [--atr HEX] [--expired]\n"
	        "         [--delay-ms N] [--fault-at N] [--log FILE]\n"
	        "         [--fault MODE@N[,MODE@N...]]... [--fault-reinsert-ms M]\n"
	        "         (MODE: remove-before remove-after sw=XXXX truncated oversized garbage)\n"
	        "         [--empty-verify on|off] [--puk-verify on|off]\n"
	        "         [--pin-tries N] [--puk-tries N] [--sm-error-style 0|1]\n"
	        "         [--cie-last-try-sw 6983|63c0] [--no-extended 6700|6d00]\n"
	        "         [--dnakey-applet-sw 9000|6982|6a82]\n"
	        "         [--ds [--ds-pin P] [--ds-puk P] [--ds-pin-per-sign]\n"
	        "          [--ds-pin-tries N] [--ds-puk-tries N] [--ds-pin-scope local|ds|any]]\n"
	        "         [--dsd-personal on|off] [--ds-cert-eku docsign|none]\n"
	        "         [--infocamere | --infocamere-empty]\n"
	        "       carta-vcard make-identity --seed S --out DIR [--profile P] [--pin P]\n"
	        "         [--puk P] [--ec] [--expired] [--name GIVEN --surname S --cf CF]\n"
	        "         [--ds [--ds-pin P] [--ds-puk P] [--ds-cert-eku docsign|none]]\n"
	        "         [--infocamere]\n"
	        "         (--ec, --ds, --infocamere: CNS profiles only, the last two not\n"
	        "          actalis, dnakey; --infocamere not dsd)\n"
	        "profiles: st idemia actalis classic classic-siemens hpc dnakey dsd cie-nxp\n"
	        "          cie-gemalto\n");
}

static int onoff(const char *s)
{
	return strcmp(s, "on") == 0 ? 1 : strcmp(s, "off") == 0 ? -1 : 0;
}

/* A status word given in hex (6983, 63c0, 6d00...): only those in `ok`. */
static int sw_arg(const char *s, const unsigned *ok, size_t n, unsigned *out)
{
	char *end = NULL;
	unsigned long v = strtoul(s, &end, 16);

	for (size_t i = 0; end && *end == '\0' && strlen(s) == 4 && i < n; i++)
		if (v == ok[i]) {
			*out = ok[i];
			return 0;
		}
	fprintf(stderr, "carta-vcard: bad status word '%s'\n", s);
	return -1;
}

static int parse_sw(int c, struct vcard_config *cfg)
{
	static const unsigned last[] = { 0x6983, 0x63C0 }, ext[] = { 0x6700, 0x6D00 },
	                      applet[] = { 0x9000, 0x6982, 0x6A82 };

	switch (c) {
	case 'L': return sw_arg(optarg, last, 2, &cfg->cie_last_try_sw);
	case 'X': return sw_arg(optarg, ext, 2, &cfg->no_extended);
	default: return sw_arg(optarg, applet, 3, &cfg->dnakey_applet_sw);
	}
}

/* The CNS1 signature and Infocamere key set switches (docs/virtual-card.md
 * "Signature key set"). */
static int parse_ds(int c, struct vcard_config *cfg)
{
	static const char *const scopes[] = { "local", "ds", "any" };

	switch (c) {
	case 'z': cfg->ds = true; return 0;
	case 'y': cfg->ds_pin = optarg; return 0;
	case 'w': cfg->ds_puk = optarg; return 0;
	case 'r': cfg->ds_pin_per_sign = true; return 0;
	case 'q': cfg->ds_pin_tries = (unsigned)strtoul(optarg, NULL, 10); return 0;
	case 'Q': cfg->ds_puk_tries = (unsigned)strtoul(optarg, NULL, 10); return 0;
	case 'K':
		cfg->dsd_personal = onoff(optarg);
		return cfg->dsd_personal ? 0 : -1;
	case 'I': cfg->infocamere = true; return 0;
	case 'J': cfg->infocamere_empty = true; return 0;
	case 'U':
		if (strcmp(optarg, "docsign") != 0 && strcmp(optarg, "none") != 0)
			return -1;
		cfg->ds_cert_eku = optarg[0] == 'n' ? -1 : 0;
		return 0;
	default:
		for (int i = 0; i < 3; i++)
			if (strcmp(optarg, scopes[i]) == 0) {
				cfg->ds_pin_scope = i;   /* enum vcard_ds_scope order */
				return 0;
			}
		fprintf(stderr, "carta-vcard: bad --ds-pin-scope '%s'\n", optarg);
		return -1;
	}
}

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "profile", 1, 0, 'p' }, { "port", 1, 0, 'P' }, { "host", 1, 0, 'H' },
		{ "seed", 1, 0, 's' }, { "identity", 1, 0, 'i' }, { "pin", 1, 0, 'n' },
		{ "puk", 1, 0, 'u' }, { "ec", 0, 0, 'e' }, { "atr", 1, 0, 'a' },
		{ "expired", 0, 0, 'x' }, { "delay-ms", 1, 0, 'd' }, { "fault-at", 1, 0, 'f' },
		{ "log", 1, 0, 'l' }, { "out", 1, 0, 'o' }, { "name", 1, 0, 'g' },
		{ "surname", 1, 0, 'S' }, { "cf", 1, 0, 'c' }, { "empty-verify", 1, 0, 'E' },
		{ "puk-verify", 1, 0, 'V' }, { "pin-tries", 1, 0, 't' }, { "puk-tries", 1, 0, 'T' },
		{ "sm-error-style", 1, 0, 'm' }, { "cie-last-try-sw", 1, 0, 'L' },
		{ "no-extended", 1, 0, 'X' }, { "dnakey-applet-sw", 1, 0, 'D' },
		{ "fault", 1, 0, 'F' }, { "fault-reinsert-ms", 1, 0, 'R' },
		{ "ds", 0, 0, 'z' }, { "ds-pin", 1, 0, 'y' }, { "ds-puk", 1, 0, 'w' },
		{ "ds-pin-per-sign", 0, 0, 'r' }, { "ds-pin-tries", 1, 0, 'q' },
		{ "ds-puk-tries", 1, 0, 'Q' }, { "ds-pin-scope", 1, 0, 'k' },
		{ "dsd-personal", 1, 0, 'K' }, { "ds-cert-eku", 1, 0, 'U' },
		{ "infocamere", 0, 0, 'I' }, { "infocamere-empty", 0, 0, 'J' },
		{ "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p': a->cfg.profile = optarg; break;
		case 'P': a->serve.port = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'H': a->serve.host = optarg; break;
		case 's': a->cfg.seed = optarg; break;
		case 'i': a->cfg.identity_dir = optarg; break;
		case 'n': a->cfg.pin = optarg; break;
		case 'u': a->cfg.puk = optarg; break;
		case 'e': a->cfg.ec_key = true; break;
		case 'a': a->cfg.atr_hex = optarg; break;
		case 'x': a->cfg.expired_cert = true; break;
		case 'd': a->cfg.delay_ms = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'f': a->cfg.fault_at = strtoul(optarg, NULL, 10); break;
		case 'l': a->serve.log_path = optarg; break;
		case 'o': a->out = optarg; break;
		case 'g': a->cfg.given_name = optarg; break;
		case 'S': a->cfg.surname = optarg; break;
		case 'c': a->cfg.cf = optarg; break;
		case 'E': a->cfg.empty_verify = onoff(optarg); break;
		case 'V': a->cfg.puk_verify = onoff(optarg); break;
		case 't': a->cfg.pin_tries = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'T': a->cfg.puk_tries = (unsigned)strtoul(optarg, NULL, 10); break;
		/* CIE: errors as plain SW (0) or SM-wrapped (1); docs/reference/cie.md 8 E4 */
		case 'm': a->cfg.sm_error_style = (int)strtol(optarg, NULL, 10); break;
		case 'L': case 'X': case 'D':
			if (parse_sw(c, &a->cfg) != 0)
				return -1;
			break;
		case 'F':
			/* docs/virtual-card.md "Fault injection" */
			if (vcard_fault_parse(optarg, a->faults, VCARD_MAX_FAULTS - 1,
			                      &a->cfg.n_faults) != CARTA_OK) {
				fprintf(stderr, "carta-vcard: bad --fault '%s'\n", optarg);
				return -1;
			}
			a->cfg.faults = a->faults;
			break;
		case 'R': a->serve.reinsert_ms = strtoul(optarg, NULL, 10); break;
		case 'z': case 'y': case 'w': case 'r': case 'q': case 'Q': case 'k': case 'K':
		case 'U': case 'I': case 'J':
			if (parse_ds(c, &a->cfg) != 0)
				return -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	return 0;
}

static int make_cie_identity(const struct args *a)
{
	enum carta_err rv;

	if (a->cfg.ec_key) {
		fprintf(stderr, "carta-vcard: make-identity: --ec is for CNS profiles\n");
		return 2;
	}
	rv = vcard_cie_make_identity_dir(&a->cfg, a->out);
	if (rv != CARTA_OK)
		fprintf(stderr, "carta-vcard: make-identity: %s\n", carta_err_str(rv));
	return rv == CARTA_OK ? 0 : 1;
}

static int make_identity(const struct args *a)
{
	const char *name = a->cfg.profile ? a->cfg.profile : "st";
	const struct vcard_profile *p = vcard_profile_find(name);
	struct vcard_identity_opts o = { 0 };
	struct vcard_identity id;
	enum carta_err rv;

	if (a->out && (strcmp(name, "cie-nxp") == 0 || strcmp(name, "cie-gemalto") == 0))
		return make_cie_identity(a);
	if (!a->out || !p) {
		fprintf(stderr, "carta-vcard: make-identity needs --out and a known --profile\n");
		return 2;
	}
	o.seed = a->cfg.seed;
	o.bits = p->rsa_bits;
	o.ec = a->cfg.ec_key;
	o.expired = a->cfg.expired_cert;
	o.given = a->cfg.given_name;
	o.surname = a->cfg.surname;
	o.cf = a->cfg.cf;
	o.pin = a->cfg.pin;
	o.puk = a->cfg.puk;
	o.ds = a->cfg.ds || p->layout == VCARD_LAYOUT_DSD;
	o.ds_pin = a->cfg.ds_pin;
	o.ds_puk = a->cfg.ds_puk;
	o.ds_no_eku = a->cfg.ds_cert_eku < 0;
	o.ic = a->cfg.infocamere;
	if ((o.ds || o.ic) &&
	    (p->layout == VCARD_LAYOUT_APPLET || p->layout == VCARD_LAYOUT_CHIPDOC)) {
		fprintf(stderr, "carta-vcard: make-identity: --ds/--infocamere: not on %s\n", name);
		return 2;
	}
	rv = vcard_identity_make(&o, &id);
	if (rv == CARTA_OK) {
		rv = vcard_identity_write(&id, a->out);
		vcard_identity_free(&id);
	}
	if (rv != CARTA_OK)
		fprintf(stderr, "carta-vcard: make-identity: %s\n", carta_err_str(rv));
	return rv == CARTA_OK ? 0 : 1;
}

static int serve(struct args *a)
{
	struct vcard *v = NULL;
	enum carta_err rv;

	if (!a->serve.port) {
		fprintf(stderr, "carta-vcard: serve needs --port\n");
		return 2;
	}
	rv = vcard_new(&a->cfg, &v);
	if (rv == CARTA_OK)
		rv = vcard_serve(v, &a->serve);
	if (rv != CARTA_OK)
		fprintf(stderr, "carta-vcard: serve: %s\n", carta_err_str(rv));
	vcard_free(v);
	return rv == CARTA_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct args a;
	const char *cmd;

	memset(&a, 0, sizeof(a));
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	cmd = argv[1];
	if (parse(argc - 1, argv + 1, &a) != 0) {
		usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "make-identity") == 0)
		return make_identity(&a);
	if (strcmp(cmd, "serve") == 0)
		return serve(&a);
	usage(stderr);
	return 2;
}
