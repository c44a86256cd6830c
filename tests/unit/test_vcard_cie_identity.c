/* SPDX-License-Identifier: BSD-3-Clause */
/* CIE identity directories (carta-vcard make-identity --profile cie-*,
 * serve --identity): the files agree with what the card serves (docs/reference/cie.md 8 C1,
 * C2), they are reproducible from the seed, and a directory loads back. */
#include <unistd.h>

#include "test_vcard_cie_host.h"

#include "cie/cie_int.h"

static const char *const files[] = { "ca.pem", "ca.der", "holder.pem", "holder.der",
	                             "holder-key.pem", "nis.txt", "serial.txt", "pin.txt",
	                             "puk.txt", "identity.txt" };
#define N_FILES (sizeof(files) / sizeof(files[0]))

static void slurp(const char *dir, const char *name, struct carta_buf *out)
{
	char path[256];
	uint8_t chunk[1024];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	carta_buf_clear(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(carta_buf_append(out, chunk, n), CARTA_OK);
	fclose(f);
}

static void assert_file_text(const char *dir, const char *name, const char *text)
{
	struct carta_buf b = { 0 };

	slurp(dir, name, &b);
	assert_int_equal(b.len, strlen(text));
	assert_memory_equal(b.p, text, b.len);
	carta_buf_free(&b);
}

static void rm_dir(const char *dir)
{
	char path[256];

	for (size_t i = 0; i < N_FILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

static void anna(struct vcard_config *cfg, const char *profile)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->profile = profile;
	cfg->seed = "cie-identity";
	cfg->given_name = "ANNA";
	cfg->surname = "DE ROSSI";
	cfg->cf = "BNCNNA90A41F205X";
	cfg->pin = "11223344";
}

/* EF 1003 and EF 1002 as the card serves them after DH, DAPP and VERIFY. */
static void read_cert_and_serial(struct vcard_cie *card, bool nxp, const char *pin,
                                 struct carta_buf *cert, struct carta_buf *serial)
{
	struct host *h = calloc(1, sizeof(*h));

	assert_non_null(h);
	h->card = card;
	h->nxp = nxp;
	open_session(h);
	assert_int_equal(verify_pin(h, 0x81, pin), 0x9000);
	assert_int_equal(read_sm(h, 0x1003, cert), 0x9000);
	assert_int_equal(read_sm(h, 0x1002, serial), 0x9000);
	free(h);
}

static void test_make_identity_files(void **state)
{
	char dir[] = "/tmp/vcard-cieid-XXXXXX", text[64];
	struct carta_buf der = { 0 }, pem = { 0 }, f = { 0 }, cert = { 0 }, serial = { 0 };
	struct vcard_config cfg;
	struct vcard_cie *card = NULL;
	struct vcard *v = NULL;
	struct carta_tlv t;

	(void)state;
	assert_non_null(mkdtemp(dir));
	anna(&cfg, "cie-nxp");
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, dir), CARTA_OK);
	for (size_t i = 0; i < N_FILES; i++) {
		snprintf(text, sizeof(text), "%s/%s", dir, files[i]);
		assert_int_equal(access(text, R_OK), 0);
	}
	assert_file_text(dir, "identity.txt",
	                 "seed cie-identity\nbits 2048\nkey rsa\nprofile cie-nxp\nexpired 0\n"
	                 "given ANNA\nsurname DE ROSSI\ncf BNCNNA90A41F205X\n");
	assert_file_text(dir, "pin.txt", "11223344\n");
	assert_file_text(dir, "puk.txt", "87654321\n");

	/* the same settings without the directory: the card the files describe */
	assert_int_equal(vcard_new(&cfg, &v), CARTA_OK);
	snprintf(text, sizeof(text), "%s\n", vcard_card_id(v));
	assert_int_equal(strlen(text), 13);
	assert_file_text(dir, "nis.txt", text);
	slurp(dir, "ca.der", &der);
	assert_int_equal(der.len, vcard_ca_cert(v).len);
	assert_memory_equal(der.p, vcard_ca_cert(v).p, der.len);
	assert_int_equal(carta_tk_cert_pem(der.p, der.len, &pem), CARTA_OK);
	slurp(dir, "ca.pem", &f);
	assert_int_equal(f.len, pem.len);
	assert_memory_equal(f.p, pem.p, f.len);
	vcard_free(v);

	/* holder.der = EF 1003 up to its DER length; holder.pem its PEM */
	assert_int_equal(vcard_cie_new(&cfg, &card), CARTA_OK);
	read_cert_and_serial(card, true, "11223344", &cert, &serial);
	slurp(dir, "holder.der", &der);
	assert_int_equal(carta_tlv_find(carta_buf_view(&cert), 0x30, &t), CARTA_OK);
	assert_int_equal(t.raw.len, der.len);
	assert_memory_equal(t.raw.p, der.p, der.len);
	carta_buf_clear(&pem);
	assert_int_equal(carta_tk_cert_pem(der.p, der.len, &pem), CARTA_OK);
	slurp(dir, "holder.pem", &f);
	assert_int_equal(f.len, pem.len);
	assert_memory_equal(f.p, pem.p, f.len);
	/* serial.txt = the 9-character document number of EF 1002 */
	assert_true(serial.len >= 9);
	memcpy(text, serial.p, 9);
	memcpy(text + 9, "\n", 2);
	assert_file_text(dir, "serial.txt", text);
	/* subject: GN, SN, serialNumber = document number, CN = codice fiscale (docs/reference/cie.md 5) */
	assert_non_null(memmem(der.p, der.len, "ANNA", 4));
	assert_non_null(memmem(der.p, der.len, "DE ROSSI", 8));
	assert_non_null(memmem(der.p, der.len, "BNCNNA90A41F205X", 16));
	assert_non_null(memmem(der.p, der.len, serial.p, 9));
	assert_null(memmem(der.p, der.len, "MARIO", 5));
	slurp(dir, "holder-key.pem", &f);
	assert_non_null(memmem(f.p, f.len, "-----BEGIN PRIVATE KEY-----", 27));
	vcard_cie_free(card);

	carta_buf_free(&der);
	carta_buf_free(&pem);
	carta_buf_free(&f);
	carta_buf_free(&cert);
	carta_buf_free(&serial);
	rm_dir(dir);
}

static void test_reproducible(void **state)
{
	char a[] = "/tmp/vcard-cieid-XXXXXX", b[] = "/tmp/vcard-cieid-XXXXXX";
	struct carta_buf fa = { 0 }, fb = { 0 };
	struct vcard_config cfg;

	(void)state;
	assert_non_null(mkdtemp(a));
	assert_non_null(mkdtemp(b));
	anna(&cfg, "cie-gemalto");
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, a), CARTA_OK);
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, b), CARTA_OK);
	for (size_t i = 0; i < N_FILES; i++) {
		slurp(a, files[i], &fa);
		slurp(b, files[i], &fb);
		assert_int_equal(fa.len, fb.len);
		assert_memory_equal(fa.p, fb.p, fa.len);
	}
	/* another seed: another NIS and another certificate */
	cfg.seed = "cie-identity-2";
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, b), CARTA_OK);
	slurp(a, "nis.txt", &fa);
	slurp(b, "nis.txt", &fb);
	assert_memory_not_equal(fa.p, fb.p, 12);
	slurp(a, "holder.der", &fa);
	slurp(b, "holder.der", &fb);
	assert_true(fa.len != fb.len || memcmp(fa.p, fb.p, fa.len) != 0);
	carta_buf_free(&fa);
	carta_buf_free(&fb);
	rm_dir(a);
	rm_dir(b);
}

/* Without names: the defaults of every other virtual CIE (MARIO ROSSI). */
static void test_defaults(void **state)
{
	char dir[] = "/tmp/vcard-cieid-XXXXXX";
	struct carta_buf der = { 0 };
	struct vcard_cie *card = new_card("cie-nxp", 0);
	struct vcard_config cfg;

	(void)state;
	assert_non_null(mkdtemp(dir));
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "cie-nxp";
	cfg.seed = "carta-test";
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, dir), CARTA_OK);
	slurp(dir, "holder.der", &der);
	assert_int_equal(der.len, vcard_cie_holder_cert(card).len);
	assert_memory_equal(der.p, vcard_cie_holder_cert(card).p, der.len);
	assert_non_null(memmem(der.p, der.len, "RSSMRA80A01H501U", 16));
	assert_file_text(dir, "pin.txt", "12345678\n");
	assert_file_text(dir, "puk.txt", "87654321\n");
	vcard_cie_free(card);
	carta_buf_free(&der);
	rm_dir(dir);
}

static void test_bad_settings(void **state)
{
	char dir[] = "/tmp/vcard-cieid-XXXXXX";
	struct vcard_config cfg;

	(void)state;
	assert_non_null(mkdtemp(dir));
	anna(&cfg, "cie-nxp");
	cfg.pin = "1234";                 /* CIE PINs have 8 digits (docs/reference/cie.md 4) */
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, dir), CARTA_E_ARGS);
	anna(&cfg, "cie-nxp");
	cfg.surname = "ROSSI\nexpired 1";  /* would forge a line of identity.txt */
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, dir), CARTA_E_ARGS);
	anna(&cfg, "st");
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, dir), CARTA_E_ARGS);
	assert_int_equal(rmdir(dir), 0);   /* nothing was written */
}

static void test_identity_dir_round_trip(void **state)
{
	char dir[] = "/tmp/vcard-cieid-XXXXXX", text[64];
	struct carta_buf der = { 0 }, cert = { 0 }, serial = { 0 }, nis = { 0 };
	struct vcard_config cfg, load;
	struct vcard_cie *card = NULL;
	struct vcard *v = NULL;
	struct carta_tlv t;
	uint8_t pin[8];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(dir));
	anna(&cfg, "cie-nxp");
	cfg.expired_cert = true;
	assert_int_equal(vcard_cie_make_identity_dir(&cfg, dir), CARTA_OK);
	slurp(dir, "holder.der", &der);
	slurp(dir, "nis.txt", &nis);

	/* the recorded seed, names, expiry and PIN; the serving profile may differ */
	memset(&load, 0, sizeof(load));
	load.profile = "cie-gemalto";
	load.seed = "ignored: the directory's seed counts";
	load.identity_dir = dir;
	assert_int_equal(vcard_cie_new(&load, &card), CARTA_OK);
	assert_int_equal(vcard_cie_holder_cert(card).len, der.len);
	assert_memory_equal(vcard_cie_holder_cert(card).p, der.p, der.len);
	assert_memory_equal(vcard_cie_nis(card), nis.p, 12);
	assert_int_equal(vcard_cie_current_pin(card, pin, sizeof(pin)), 8);
	assert_memory_equal(pin, "11223344", 8);
	read_cert_and_serial(card, false, "11223344", &cert, &serial);
	assert_int_equal(carta_tlv_find(carta_buf_view(&cert), 0x30, &t), CARTA_OK);
	assert_int_equal(t.raw.len, der.len);
	assert_memory_equal(t.raw.p, der.p, der.len);
	memcpy(text, serial.p, 9);
	memcpy(text + 9, "\n", 2);
	assert_file_text(dir, "serial.txt", text);
	vcard_cie_free(card);

	/* through the public API, with an explicit PIN winning over pin.txt */
	load.pin = "99887766";
	assert_int_equal(vcard_new(&load, &v), CARTA_OK);
	assert_memory_equal(vcard_card_id(v), nis.p, 12);
	assert_int_equal(vcard_current_pin(v, pin, sizeof(pin)), 8);
	assert_memory_equal(pin, "99887766", 8);
	assert_int_equal(vcard_holder_cert(v).len, der.len);
	vcard_free(v);
	v = NULL;

	/* a CIE directory is no CNS identity, and the reverse */
	load.profile = "st";
	assert_int_not_equal(vcard_new(&load, &v), CARTA_OK);
	assert_null(v);
	snprintf(text, sizeof(text), "%s/identity.txt", dir);
	fp = fopen(text, "w");
	assert_non_null(fp);
	fputs("seed cie-identity\nbits 2048\nkey rsa\n", fp);   /* the CNS form */
	fclose(fp);
	load.profile = "cie-nxp";
	assert_int_equal(vcard_cie_new(&load, &card), CARTA_E_PARSE);
	rm_dir(dir);
	load.profile = "cie-nxp";
	assert_int_not_equal(vcard_new(&load, &v), CARTA_OK);   /* gone */
	carta_buf_free(&der);
	carta_buf_free(&cert);
	carta_buf_free(&serial);
	carta_buf_free(&nis);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_make_identity_files),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_settings),
		cmocka_unit_test(test_identity_dir_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
