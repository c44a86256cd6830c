/* SPDX-License-Identifier: BSD-3-Clause */
/* The test identity: EF_Dati_personali (docs/reference/cns.md 1.9), card id (1.10), the
 * holder certificate and its CN rule (3.6), reproducibility, identity dirs. */
#include <stdlib.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "test_vcard_helpers.h"
#include "vcard_int.h"

/* docs/reference/cns.md 1.9, the synthetic example, without its spaces. */
#define EXAMPLE "00005F" "04" "6090" "08" "01012024" "08" "01012030" "05" "ROSSI" "05" \
	"MARIO" "08" "01081985" "01" "M" "00" "10" "RSSMRA85M01H501Q" "00" "04" "H501" "00" \
	"00" "04" "F205" "00" "00"

static void read_ef(struct vcard *v, const char *select, struct carta_buf *out)
{
	struct carta_buf d = { 0 };
	char cmd[32];
	size_t off = 0;

	expect(v, select, "90 00");
	carta_buf_clear(out);
	for (;;) {
		snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X FF", (unsigned)(off >> 8), (unsigned)off & 0xFF);
		if (tx(v, cmd, &d) != 0x9000)
			break;
		carta_buf_append(out, d.p, d.len);
		off += d.len;
	}
	carta_buf_free(&d);
}

static void t_personal_data(void **st)
{
	struct vcard *v = mk("st");
	struct carta_buf pd = { 0 };
	size_t n = strlen(EXAMPLE);

	(void)st;
	read_ef(v, "00 A4 08 0C 04 11 00 11 02", &pd);
	assert_int_equal(pd.len, 400);
	assert_memory_equal(pd.p, EXAMPLE, n);
	assert_int_equal(n, 6 + 0x5F);
	for (size_t i = n; i < 400; i++)
		assert_int_equal(pd.p[i], 0);
	carta_buf_free(&pd);
	vcard_free(v);
}

static void t_personal_fields(void **st)
{
	const char *f[16] = { "1", "", "ABC" };
	char big[300];
	struct carta_buf b = { 0 };

	(void)st;
	assert_int_equal(vcard_personal_data(f, &b), CARTA_OK);
	assert_memory_equal(b.p, "000024" "011" "00" "03ABC" "00", 18);
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	f[3] = big;
	assert_int_equal(vcard_personal_data(f, &b), CARTA_E_RANGE);
	big[200] = '\0';
	f[4] = big;
	assert_int_equal(vcard_personal_data(f, &b), CARTA_E_RANGE);   /* > 400 in total */
	carta_buf_free(&b);
}

static void t_card_id(void **st)
{
	struct vcard *v = mk("classic");
	const char *id = vcard_card_id(v);
	struct carta_buf d = { 0 };
	char other[17];

	(void)st;
	assert_int_equal(strlen(id), 16);
	assert_int_equal(id[0], '6');
	assert_true(vcard_luhn_ok(id, 16));
	assert_true(vcard_luhn_ok("79927398713", 11));
	assert_false(vcard_luhn_ok("79927398710", 11));
	vcard_card_id_from_seed("another", other);
	assert_true(vcard_luhn_ok(other, 16));
	assert_string_not_equal(other, id);
	read_ef(v, "00 A4 08 0C 04 10 00 10 03", &d);
	assert_int_equal(d.len, 16);
	assert_memory_equal(d.p, id, 16);
	carta_buf_free(&d);
	vcard_free(v);
}

static void t_cert_profile(void **st)
{
	static const uint8_t policy[] = { 0x06, 0x05, 0x2B, 0x4C, 0x10, 0x02, 0x01 };
	static const uint8_t client_auth[] = { 0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02 };
	struct vcard *v = mk("st");
	struct carta_bytes cert = vcard_holder_cert(v);
	struct carta_buf pd = { 0 };
	uint8_t h[20];
	size_t hl = 0;
	char b64[40], cn[80];

	(void)st;
	assert_int_equal(vcard_base64((const uint8_t *)"hello", 5, b64, sizeof(b64)), 8);
	assert_string_equal(b64, "aGVsbG8=");
	/* CN = CF/card id.base64(SHA-1(whole 400-byte EF_Dati_personali)). */
	read_ef(v, "00 A4 08 0C 04 11 00 11 02", &pd);
	assert_int_equal(carta_digest(CARTA_HASH_SHA1, pd.p, pd.len, h, sizeof(h), &hl), CARTA_OK);
	vcard_base64(h, hl, b64, sizeof(b64));
	snprintf(cn, sizeof(cn), "RSSMRA85M01H501Q/%s.%s", vcard_card_id(v), b64);
	assert_non_null(memmem(cert.p, cert.len, cn, strlen(cn)));
	assert_non_null(memmem(cert.p, cert.len, policy, sizeof(policy)));
	assert_non_null(memmem(cert.p, cert.len, client_auth, sizeof(client_auth)));
	assert_non_null(memmem(cert.p, cert.len, "italian National Service Card (CNS)", 35));
	assert_non_null(memmem(cert.p, cert.len, "Carta Test CA", 13));
	assert_non_null(memmem(vcard_ca_cert(v).p, vcard_ca_cert(v).len, "Carta Test CA", 13));
	carta_buf_free(&pd);
	vcard_free(v);
}

static void t_reproducible(void **st)
{
	struct vcard_config cfg;
	struct vcard *a, *b, *c, *x;

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "classic";
	cfg.seed = "repro";
	a = mk_cfg(&cfg);
	b = mk_cfg(&cfg);
	assert_int_equal(vcard_holder_cert(a).len, vcard_holder_cert(b).len);
	assert_memory_equal(vcard_holder_cert(a).p, vcard_holder_cert(b).p, vcard_holder_cert(a).len);
	assert_memory_equal(vcard_ca_cert(a).p, vcard_ca_cert(b).p, vcard_ca_cert(a).len);
	cfg.seed = "repro2";
	c = mk_cfg(&cfg);
	assert_true(vcard_holder_cert(a).len != vcard_holder_cert(c).len ||
	            memcmp(vcard_holder_cert(a).p, vcard_holder_cert(c).p, vcard_holder_cert(a).len));
	cfg.seed = "repro";
	cfg.expired_cert = true;
	x = mk_cfg(&cfg);
	assert_true(vcard_holder_cert(a).len != vcard_holder_cert(x).len ||
	            memcmp(vcard_holder_cert(a).p, vcard_holder_cert(x).p, vcard_holder_cert(a).len));
	vcard_free(a);
	vcard_free(b);
	vcard_free(c);
	vcard_free(x);
}

static void t_identity_dir(void **st)
{
	struct vcard_identity_opts o;
	struct vcard_identity id;
	struct vcard_config cfg;
	struct vcard *v;
	char dir[] = "/tmp/vcard-id-XXXXXX", path[128];
	uint8_t pin[8];

	(void)st;
	assert_non_null(mkdtemp(dir));
	memset(&o, 0, sizeof(o));
	o.seed = "dirseed";
	o.bits = 1024;
	o.pin = "11223344";
	o.given = "ANNA";
	o.surname = "BIANCHI";
	o.cf = "BNCNNA90A41F205X";
	assert_int_equal(vcard_identity_make(&o, &id), CARTA_OK);
	assert_int_equal(vcard_identity_write(&id, dir), CARTA_OK);
	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = "classic";
	cfg.identity_dir = dir;
	v = mk_cfg(&cfg);
	assert_int_equal(vcard_holder_cert(v).len, id.holder_der.len);
	assert_memory_equal(vcard_holder_cert(v).p, id.holder_der.p, id.holder_der.len);
	assert_string_equal(vcard_card_id(v), id.card_id);
	assert_int_equal(vcard_current_pin(v, pin, sizeof(pin)), 8);
	assert_memory_equal(pin, "11223344", 8);
	assert_non_null(memmem(id.personal.p, id.personal.len, "07BIANCHI04ANNA", 15));
	expect(v, "00 20 00 10 08 31 31 32 32 33 33 34 34", "90 00");
	vcard_free(v);
	vcard_identity_free(&id);
	const char *files[] = { "ca.pem", "ca.der", "holder.pem", "holder.der", "holder-key.pem",
	                        "personal-data.bin", "card-id.txt", "pin.txt", "puk.txt",
	                        "identity.txt" };
	for (size_t i = 0; i < 10; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		assert_int_equal(access(path, R_OK), 0);
		unlink(path);
	}
	rmdir(dir);
	cfg.identity_dir = "/nonexistent/dir";
	assert_int_not_equal(vcard_new(&cfg, &v), CARTA_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_personal_data),
		cmocka_unit_test(t_personal_fields),
		cmocka_unit_test(t_card_id),
		cmocka_unit_test(t_cert_profile),
		cmocka_unit_test(t_reproducible),
		cmocka_unit_test(t_identity_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
