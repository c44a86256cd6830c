/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer: the EF_Dati_personali parser (docs/reference/cns.md 1.9). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cards/cns/personal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_str(const char *s, size_t cap)
{
	/* every string is NUL-terminated inside its field */
	if (!memchr(s, '\0', cap))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct carta_holder h;
	size_t need = 0;
	enum carta_err rv;

	rv = carta_personal_parse(data, size, &h);
	if (rv == CARTA_OK) {
		if (!h.present)
			__builtin_trap();
		/* a parsed body lies inside the input */
		if (carta_personal_needed(data, size, &need) != CARTA_OK || need > size)
			__builtin_trap();
		check_str(h.codice_fiscale, sizeof(h.codice_fiscale));
		check_str(h.given_name, sizeof(h.given_name));
		check_str(h.surname, sizeof(h.surname));
		check_str(h.birth_date, sizeof(h.birth_date));
		check_str(h.issue_date, sizeof(h.issue_date));
		check_str(h.expiry_date, sizeof(h.expiry_date));
		check_str(h.sex, sizeof(h.sex));
		check_str(h.issuer_code, sizeof(h.issuer_code));
		/* dates are empty or DD/MM/YYYY */
		if (h.birth_date[0] && (strlen(h.birth_date) != 10 || h.birth_date[2] != '/'))
			__builtin_trap();
	} else if (rv != CARTA_E_PARSE || h.present) {
		__builtin_trap();
	}
	return 0;
}
