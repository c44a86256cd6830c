/* SPDX-License-Identifier: BSD-3-Clause */
/* The APDU trace must never carry a PIN: CARTA_DEBUG=3 into a temp file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "apdu/exchange.h"
#include "util/log.h"

static char path[] = "/tmp/carta-test-log-XXXXXX";

static void use_level(const char *lvl)
{
	setenv("CARTA_DEBUG", lvl, 1);
	setenv("CARTA_DEBUG_FILE", path, 1);
	carta_log_reinit();
}

/* The whole log so far, NUL-terminated; caller frees. */
static char *slurp(void)
{
	FILE *f = fopen(path, "r");
	char *s = calloc(1, 65536);
	size_t n;

	assert_non_null(f);
	assert_non_null(s);
	n = fread(s, 1, 65535, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	(void)state;
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("CARTA_DEBUG");
	unsetenv("CARTA_DEBUG_FILE");
	carta_log_reinit();
	unlink(path);
	return 0;
}

static int truncate_log(void **state)
{
	(void)state;
	return truncate(path, 0);
}

/* VERIFY with PIN 123456 (31..36 padded with FF) */
static const uint8_t verify[] = { 0x00, 0x20, 0x00, 0x10, 0x08, 0x31, 0x32, 0x33,
                                  0x34, 0x35, 0x36, 0xff, 0xff };

static void test_verify_redacted(void **state)
{
	static const uint8_t sw[] = { 0x63, 0xc2 };
	char *log;

	(void)state;
	use_level("3");
	assert_int_equal(carta_log_level(), 3);
	carta_log_apdu_cmd(verify, sizeof(verify), false);
	carta_log_apdu_resp(sw, sizeof(sw), true);
	log = slurp();
	assert_non_null(strstr(log, "00 20 00 10 08"));
	assert_non_null(strstr(log, "<8 bytes redacted>"));
	assert_null(strstr(log, "31 32"));
	assert_null(strstr(log, "3132"));
	assert_non_null(strstr(log, "63 C2"));
	free(log);
}

static void test_rules(void **state)
{
	/* SM CLA 0C, CHANGE (24), RESET RETRY COUNTER (2C), forced, and a plain SELECT */
	static const uint8_t sm[] = { 0x0c, 0xb0, 0x00, 0x00, 0x03, 0xaa, 0xbb, 0xcc, 0x00 };
	static const uint8_t chg[] = { 0x00, 0x24, 0x00, 0x10, 0x02, 0xa1, 0xa2 };
	static const uint8_t rrc[] = { 0x00, 0x2c, 0x00, 0x10, 0x02, 0xa3, 0xa4 };
	static const uint8_t key[] = { 0x00, 0xda, 0x00, 0x00, 0x02, 0xa5, 0xa6 };
	static const uint8_t sel[] = { 0x00, 0xa4, 0x02, 0x0c, 0x02, 0x2f, 0x02 };
	static const uint8_t resp[] = { 0xd1, 0xd2, 0x90, 0x00 };
	char *log;

	(void)state;
	use_level("3");
	carta_log_apdu_cmd(sm, sizeof(sm), false);
	carta_log_apdu_cmd(chg, sizeof(chg), false);
	carta_log_apdu_cmd(rrc, sizeof(rrc), false);
	carta_log_apdu_cmd(key, sizeof(key), true);
	carta_log_apdu_cmd(sel, sizeof(sel), false);
	carta_log_apdu_resp(resp, sizeof(resp), true);
	carta_log_apdu_resp(resp, sizeof(resp), false);
	log = slurp();
	assert_null(strstr(log, "AA BB"));
	assert_null(strstr(log, "A1 A2"));
	assert_null(strstr(log, "A3 A4"));
	assert_null(strstr(log, "A5 A6"));
	assert_non_null(strstr(log, "0C B0 00 00 03 <3 bytes redacted> 00"));
	assert_non_null(strstr(log, "00 A4 02 0C 02 2F 02"));
	assert_non_null(strstr(log, "<2 bytes redacted> 90 00"));
	assert_non_null(strstr(log, "D1 D2 90 00"));
	free(log);
}

static enum carta_err fake_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                    struct carta_buf *resp)
{
	(void)t;
	(void)cmd;
	(void)n;
	return carta_buf_set(resp, (const uint8_t *)"\x63\xc1", 2);
}

static void test_through_transmit(void **state)
{
	static const struct carta_transport_ops ops = { .transmit = fake_transmit };
	struct carta_transport t = { .ops = &ops };
	struct carta_apdu a = { .ins = 0x20, .p2 = 0x10, .data = verify + 5, .lc = 8 };
	struct carta_rapdu r;
	char *log;

	(void)state;
	use_level("3");
	carta_rapdu_init(&r);
	assert_int_equal(carta_transmit(&t, &a, 0, &r), CARTA_OK);
	assert_int_equal(r.sw, 0x63c1);
	carta_rapdu_free(&r);
	log = slurp();
	assert_non_null(strstr(log, "00 20 00 10 08 <8 bytes redacted>"));
	assert_non_null(strstr(log, "63 C1"));
	assert_null(strstr(log, "31 32"));
	free(log);
}

static void test_levels(void **state)
{
	char *log;

	(void)state;
	use_level("2");
	carta_log_apdu_cmd(verify, 5, false);
	carta_log(CARTA_LOG_INFO, "driver %s chosen", "cns");
	carta_log(CARTA_LOG_APDU, "not shown");
	use_level("0");
	carta_log(CARTA_LOG_ERROR, "silent");
	use_level("junk");
	assert_int_equal(carta_log_level(), 0);
	use_level("1");
	carta_log(CARTA_LOG_ERROR, "an error %d", 42);
	log = slurp();
	assert_null(strstr(log, "00 20 00 10"));
	assert_non_null(strstr(log, "INFO: driver cns chosen"));
	assert_null(strstr(log, "not shown"));
	assert_null(strstr(log, "silent"));
	assert_non_null(strstr(log, "ERROR: an error 42"));
	/* pid on each line */
	assert_non_null(strstr(log, "carta["));
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_verify_redacted, truncate_log),
		cmocka_unit_test_setup(test_rules, truncate_log),
		cmocka_unit_test_setup(test_through_transmit, truncate_log),
		cmocka_unit_test_setup(test_levels, truncate_log),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
