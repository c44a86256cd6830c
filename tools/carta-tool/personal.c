/* SPDX-License-Identifier: BSD-3-Clause */
/* carta-tool personal: the holder data, from EF_Dati_personali (CNS) or,
 * failing that, from the certificate's subject (CIE, cards without the file). */
#include <string.h>

#include "tool.h"

struct field {
	const char *key;        /* JSON key, stable */
	const char *label;      /* N_() text */
	const char *value;
};

/* serialNumber "TINIT-<CF>" (AgID profile, docs/reference/cns.md 3.6), else CN "<CF>/...". */
static void cf_from_cert(const struct tool_certview *v, char *out, size_t cap)
{
	const char *sn = v->serial_number;
	size_t n;

	if (strncmp(sn, "TINIT-", 6) == 0) {
		snprintf(out, cap, "%s", sn + 6);
		return;
	}
	n = strcspn(v->cn, "/");
	if (n == 16)
		snprintf(out, cap, "%.16s", v->cn);
}

static void from_cert(struct carta_card *c, struct carta_holder *h)
{
	const struct carta_card_desc *d = carta_card_get_desc(c);
	struct tool_certview v;

	if (d->n_certs == 0 || tool_cert_view(&d->certs[0], &v) != CARTA_OK)
		return;
	h->present = true;
	snprintf(h->given_name, sizeof(h->given_name), "%s", v.given_name);
	snprintf(h->surname, sizeof(h->surname), "%s", v.surname);
	cf_from_cert(&v, h->codice_fiscale, sizeof(h->codice_fiscale));
}

static void show(const struct tool *t, const struct field *f, size_t n)
{
	struct jw w;

	if (!t->json) {
		for (size_t i = 0; i < n; i++)
			if (f[i].value[0])
				printf("%-24s %s\n", gettext(f[i].label), f[i].value);
		return;
	}
	jw_init(&w, stdout);
	jw_obj(&w, NULL);
	for (size_t i = 0; i < n; i++)
		jw_str(&w, f[i].key, f[i].value);
	jw_end_obj(&w);
	jw_done(&w);
}

int cmd_personal(struct tool *t)
{
	struct carta_holder h;
	struct tool_card tc;
	int rc = tool_open_card(t, &tc);

	if (rc != TOOL_EX_OK)
		return rc;
	const struct carta_card_desc *d = carta_card_get_desc(tc.card);
	tc.logout = t->login;
	if (!d->holder.present && t->login && d->n_certs && !d->certs[0].der)
		(void)tool_cert(t, tc.card, NULL);
	h = d->holder;
	if (!h.present)
		from_cert(tc.card, &h);
	if (!h.present) {
		tool_error("%s", d->n_certs && !d->certs[0].der
		                 ? _("the holder data is readable only after the PIN: use --login")
		                 : _("the card shows no holder data"));
		rc = TOOL_EX_FAIL;
		goto out;
	}
	const struct field f[] = {
		{ "codice_fiscale", N_("Codice fiscale:"), h.codice_fiscale },
		{ "given_name", N_("Given name:"), h.given_name },
		{ "surname", N_("Surname:"), h.surname },
		{ "birth_date", N_("Birth date:"), h.birth_date },
		{ "sex", N_("Sex:"), h.sex },
		{ "issue_date", N_("Issue date:"), h.issue_date },
		{ "expiry_date", N_("Expiry date:"), h.expiry_date },
		{ "issuer_code", N_("Issuer code:"), h.issuer_code },
	};
	show(t, f, sizeof(f) / sizeof(f[0]));
out:
	tool_close_card(&tc);
	return rc;
}
