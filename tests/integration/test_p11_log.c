/* SPDX-License-Identifier: BSD-3-Clause */
/* CARTA_DEBUG=2 explains refusals: the log names each PKCS#11 call with its
 * result and, before it, the reason (wrong PIN, wrong-length PIN, card
 * removed), and never carries a PIN's value. util/log.c reads the
 * environment once: it is set before C_Initialize and re-read with
 * carta_log_reinit. */
#include <unistd.h>

#include "p11_harness.c"
#include "util/log.h"

#define PIN "12345678"
#define WRONG "13572468"

static char log_path[] = "/tmp/carta-p11-log-XXXXXX";

static int setup(void **state)
{
	int fd = mkstemp(log_path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	setenv("CARTA_DEBUG", "2", 1);
	setenv("CARTA_DEBUG_FILE", log_path, 1);
	carta_log_reinit();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("CARTA_DEBUG");
	unsetenv("CARTA_DEBUG_FILE");
	carta_log_reinit();
	unlink(log_path);
	return 0;
}

/* The log so far, NUL-terminated; truncates the file for the next test. */
static char *take_log(void)
{
	FILE *f = fopen(log_path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(truncate(log_path, 0), 0);
	return buf;
}

/* `line` is in the log, and `why` on an earlier line. */
static void assert_logged(const char *log, const char *why, const char *line)
{
	const char *w = strstr(log, why), *l = strstr(log, line);

	if (!w || !l || w > l)
		print_error("log lacks \"%s\" before \"%s\":\n%s", why, line, log);
	assert_non_null(w);
	assert_non_null(l);
	assert_true(w < l);
}

static void assert_no_pin(const char *log)
{
	assert_null(strstr(log, PIN));
	assert_null(strstr(log, WRONG));
}

static void test_wrong_pin(void **state)
{
	char line[128], *log;
	struct h h;
	CK_SESSION_HANDLE s;

	(void)state;
	h_init(&h, 1);
	h_card(&h, 0, "st");
	s = h_open(&h, 0, CKF_RW_SESSION);
	assert_int_equal(h_login(&h, s, CKU_USER, WRONG), CKR_PIN_INCORRECT);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	h_done(&h);
	log = take_log();
	snprintf(line, sizeof(line), "C_Login(session 0x%lx, CKU_USER, PIN given) = CKR_PIN_INCORRECT",
	         s);
	assert_logged(log, "refused: card in \"", line);
	assert_logged(log, "PIN incorrect", line);
	assert_logged(log, "2 tries left", line);
	snprintf(line, sizeof(line), "C_Login(session 0x%lx, CKU_USER, PIN given) = CKR_OK", s);
	assert_non_null(strstr(log, line));
	assert_no_pin(log);
	free(log);
}

static void test_pin_length(void **state)
{
	char line[128], *log;
	unsigned long before;
	struct h h;
	struct vcard *v;
	CK_SESSION_HANDLE s;

	(void)state;
	h_init(&h, 1);
	v = h_card(&h, 0, "st");
	s = h_open(&h, 0, CKF_RW_SESSION);
	before = h_apdus(v);
	assert_int_equal(h_login(&h, s, CKU_USER, "123"), CKR_PIN_INCORRECT);
	assert_int_equal(h_apdus(v), before);
	h_done(&h);
	log = take_log();
	snprintf(line, sizeof(line), "C_Login(session 0x%lx, CKU_USER, PIN given) = CKR_PIN_INCORRECT",
	         s);
	assert_logged(log, "refused: PIN length 3 outside ", line);
	assert_logged(log, "nothing sent to the card", line);
	free(log);
}

static void test_card_removed(void **state)
{
	CK_MECHANISM m = { CKM_SHA256_RSA_PKCS, NULL, 0 };
	char line[128], *log;
	CK_OBJECT_HANDLE k;
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO ti;
	uint8_t sig[512];
	CK_ULONG n = sizeof(sig);
	struct h h;

	(void)state;
	h_init(&h, 1);
	h_card(&h, 0, "st");
	s = h_open(&h, 0, CKF_RW_SESSION);
	assert_int_equal(h_login(&h, s, CKU_USER, PIN), CKR_OK);
	assert_int_equal(h_find(&h, s, CKO_PRIVATE_KEY, &k, 1), 1);
	assert_int_equal(h.f->C_SignInit(s, &m, k), CKR_OK);
	carta_inproc_remove(h.ip, 0);
	assert_int_equal(h.f->C_Sign(s, (CK_BYTE *)"x", 1, sig, &n), CKR_DEVICE_REMOVED);
	assert_int_equal(h.f->C_Sign(s, (CK_BYTE *)"x", 1, sig, &n), CKR_SESSION_HANDLE_INVALID);
	assert_int_equal(h.f->C_GetTokenInfo(0, &ti), CKR_TOKEN_NOT_PRESENT);
	h_done(&h);
	log = take_log();
	snprintf(line, sizeof(line), "C_Sign(session 0x%lx, 1 bytes) = CKR_DEVICE_REMOVED", s);
	assert_logged(log, "card removed from \"", line);
	assert_logged(log, "its card was removed", line);
	snprintf(line, sizeof(line), "C_Sign(session 0x%lx, 1 bytes) = CKR_SESSION_HANDLE_INVALID", s);
	assert_logged(log, "not open", line);
	assert_logged(log, "refused: no card in \"", "C_GetTokenInfo(slot 0) = CKR_TOKEN_NOT_PRESENT");
	assert_no_pin(log);
	free(log);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_pin),
		cmocka_unit_test(test_pin_length),
		cmocka_unit_test(test_card_removed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
