/* SPDX-License-Identifier: BSD-3-Clause */
/* Table-driven ATR coverage: every Italian ATR of tests/data/italian_atrs.tsv
 * (smartcard_list.txt, docs/reference/cns.md 2.3-2.4, docs/reference/cie.md 1.1)
 * gets the verdict the table gives: a driver named by the ATR alone, sure or
 * to be confirmed by the probe; the driver probed first when only a probe can
 * decide; or no driver at all, for the reason the table gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cards/registry.h"
#include "util/hex.h"

#define ATR_MAX 33

/* The driver the registry tries first: highest score, table order on ties. */
static const char *first_tried(const uint8_t *atr, size_t n)
{
	const struct carta_atr_row *row;
	const char *name = NULL;
	int best = 0;

	for (size_t i = 0; carta_card_drivers[i]; i++) {
		int s = carta_atr_score(carta_card_drivers[i], atr, n, &row);

		if (s > best) {
			best = s;
			name = carta_card_drivers[i]->name;
		}
	}
	return name;
}

static void verdict(const uint8_t *atr, size_t n, char *out, size_t cap)
{
	bool sure = false;
	const char *name = carta_atr_verdict(atr, n, &sure);
	const char *first = first_tried(atr, n);

	if (name)
		snprintf(out, cap, "%s%s", name, sure ? "" : "?");
	else if (first)
		snprintf(out, cap, "probe:%s", first);
	else
		snprintf(out, cap, "unsupported");
}

/* "3B 8C 80 01 50 .. .." with each ".." as `fill`. */
static size_t decode(const char *hex, uint8_t fill, uint8_t *out)
{
	char buf[3 * ATR_MAX + 8];
	struct carta_buf b;
	size_t n;

	snprintf(buf, sizeof(buf), "%s", hex);
	for (char *p = strstr(buf, ".."); p; p = strstr(p, "..")) {
		static const char digits[] = "0123456789ABCDEF";

		p[0] = digits[fill >> 4];
		p[1] = digits[fill & 0x0f];
	}
	carta_buf_init(&b);
	assert_int_equal(carta_hex_decode(buf, strlen(buf), &b), CARTA_OK);
	assert_true(b.len > 0 && b.len <= ATR_MAX);
	memcpy(out, b.p, b.len);
	n = b.len;
	carta_buf_free(&b);
	return n;
}

static bool check_row(char *line, size_t lineno, size_t *rows)
{
	char *atr_hex = strtok(line, "\t"), *want = strtok(NULL, "\t\n"), *src = strtok(NULL, "\t\n");
	static const uint8_t fills[] = { 0x00, 0xff };
	bool ok = true;

	if (!atr_hex || atr_hex[0] == '#' || atr_hex[0] == '\n')
		return true;
	if (!want || !src)
		fail_msg("italian_atrs.tsv:%zu: needs ATR, verdict and source", lineno);
	(*rows)++;
	for (size_t f = 0; f < sizeof(fills); f++) {
		uint8_t atr[ATR_MAX];
		size_t n = decode(atr_hex, fills[f], atr);
		char got[64];

		verdict(atr, n, got, sizeof(got));
		if (strncmp(want, "unsupported:", 12) == 0 ? strcmp(got, "unsupported") != 0 :
		                                             strcmp(got, want) != 0) {
			print_error("italian_atrs.tsv:%zu: %s: got %s, want %s (%s)\n", lineno, atr_hex,
			            got, want, src);
			ok = false;
		}
	}
	return ok;
}

static void test_table(void **state)
{
	FILE *f = fopen(CARTA_TEST_DATA "/italian_atrs.tsv", "r");
	char line[512];
	size_t lineno = 0, rows = 0;
	bool ok = true;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		ok = check_row(line, ++lineno, &rows) && ok;
	fclose(f);
	assert_true(rows >= 90);
	assert_true(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
