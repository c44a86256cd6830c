/* SPDX-License-Identifier: BSD-3-Clause */
/* Virtual CNS file system: SELECT forms, FCI bytes (docs/reference/cns.md 1.7, 2.4, 5),
 * 6A 82 rules (docs/reference/cns.md 1.5), READ BINARY (docs/reference/cns.md 1.7, 1.10), SFI reads. */
#include "test_vcard_helpers.h"

#define FF8 "FF FF FF FF FF FF FF FF"
#define FF24 FF8 " " FF8 " " FF8

/* EF_ID_Carta as OpenSC selects it (docs/reference/cns.md 1.10): classic FCI, 16 bytes. */
static void t_select_idcarta_fci(void **st)
{
	const char *profiles[] = { "st", "classic", "classic-siemens", "idemia" };

	(void)st;
	for (size_t i = 0; i < 4; i++) {
		struct vcard *v = mk(profiles[i]);

		expect(v, "00 A4 08 00 04 10 00 10 03 00",
		       "6F 1E 80 02 00 10 82 03 01 00 00 83 02 10 03 85 01 01 86 09 00 " FF8
		       " 8A 01 05 90 00");
		/* FCP form: the same content under tag 62. */
		expect(v, "00 A4 08 04 04 10 00 10 03 00",
		       "62 1E 80 02 00 10 82 03 01 00 00 83 02 10 03 85 01 01 86 09 00 " FF8
		       " 8A 01 05 90 00");
		expect(v, "00 A4 08 0C 04 10 00 10 03", "90 00");
		vcard_free(v);
	}
}

static void t_select_forms(void **st)
{
	struct vcard *v = mk("st");
	struct carta_buf d = { 0 };

	(void)st;
	expect(v, "00 A4 00 0C 02 3F 00", "90 00");
	/* MF with FCI: a DF descriptor 38 00 00 and FID 3F00. */
	assert_int_equal(tx(v, "00 A4 00 00 02 3F 00 00", &d), 0x9000);
	assert_int_equal(d.p[0], 0x6F);
	assert_non_null(memmem(d.p, d.len, "\x82\x03\x38\x00\x00\x83\x02\x3F\x00", 9));
	expect(v, "00 A4 01 0C 02 11 00", "90 00");            /* child DF */
	expect(v, "00 A4 02 0C 02 11 02", "90 00");            /* EF in current DF */
	expect(v, "00 A4 02 0C 02 10 03", "6A 82");            /* not in this DF */
	expect(v, "00 A4 00 0C 02 11 01", "90 00");            /* sibling EF by FID */
	expect(v, "00 A4 03 0C", "90 00");                     /* parent = MF */
	expect(v, "00 A4 09 0C 04 10 00 10 03", "90 00");      /* path from current DF */
	expect(v, "00 A4 00 0C 02 3F 00", "90 00");
	expect(v, "00 A4 09 0C 02 10 03", "6A 82");            /* 1003 is not under MF */
	expect(v, "00 A4 01 0C 02 11 01", "6A 82");            /* an EF is not a DF */
	/* DF with FCI: 82 03 38 00 00 and the ACL tag 86. */
	assert_int_equal(tx(v, "00 A4 01 00 02 11 00 00", &d), 0x9000);
	assert_non_null(memmem(d.p, d.len, "\x82\x03\x38\x00\x00\x83\x02\x11\x00", 9));
	/* Wrong P1/P2 and lengths. */
	expect(v, "00 A4 0A 0C 02 3F 00", "6A 86");
	expect(v, "00 A4 00 01 02 3F 00", "6A 86");
	expect(v, "00 A4 08 0C 03 10 00 10", "67 00");
	expect(v, "00 A4 00 0C 03 3F 00 00", "67 00");
	carta_buf_free(&d);
	vcard_free(v);
}

/* docs/reference/cns.md 1.5: only 6A 82 for the probe paths, also with a missing DF. */
static void t_missing_files(void **st)
{
	const char *profiles[] = { "st", "classic", "classic-siemens", "idemia" };
	const char *probes[] = {
		"00 A4 08 00 04 2F FF 82 28 00",      /* Infocamere */
		"00 A4 08 00 04 14 00 90 10 00",      /* CNS1 cert */
		"00 A4 08 0C 04 2F FF 00 00",
		"00 A4 08 0C 04 14 00 81 10",
		"00 A4 08 0C 06 14 00 81 10 80 10",
		"00 A4 00 0C 02 2F FF",
		"00 A4 04 0C 05 A0 00 00 00 01",
	};

	(void)st;
	for (size_t i = 0; i < 4; i++) {
		struct vcard *v = mk(profiles[i]);

		for (size_t j = 0; j < sizeof(probes) / sizeof(probes[0]); j++)
			expect_sw(v, probes[j], 0x6A82);
		if (i < 3)
			expect_sw(v, "00 A4 08 0C 06 14 00 90 01 20 02", 0x6A82);
		else
			expect_sw(v, "00 A4 08 0C 04 11 00 11 01", 0x6A82);   /* #2445 */
		/* a failed select leaves the current file alone */
		expect(v, "00 A4 08 0C 04 10 00 10 03", "90 00");
		expect_sw(v, "00 A4 08 0C 04 10 00 99 99", 0x6A82);
		expect_sw(v, "00 B0 00 00 FF", 0x9000);
		expect(v, "00 A4 08 0C 02 3F 00", "6A 82");   /* path data excludes 3F00 */
		vcard_free(v);
	}
}

/* IDEMIA 2021: 9001/9002 are DFs with the ACLs opensc-explorer shows. */
static void t_idemia_layout(void **st)
{
	struct vcard *v = mk("idemia");
	struct carta_bytes cert = vcard_holder_cert(v);
	struct carta_buf d = { 0 };

	(void)st;
	assert_int_equal(tx(v, "00 A4 08 00 04 14 00 90 02 00", &d), 0x9000);
	assert_non_null(memmem(d.p, d.len, "\x82\x03\x38\x00\x00\x83\x02\x90\x02", 9));
	assert_non_null(memmem(d.p, d.len, "\x86\x09\xFF\x10\x10\xFF\xFF\xFF\xFF\x10\xFF", 11));
	assert_int_equal(tx(v, "00 A4 08 00 04 14 00 90 01 00", &d), 0x9000);
	assert_non_null(memmem(d.p, d.len, "\x86\x09\xFF\x00\x00\xFF\xFF\x00\xFF\x00\xFF", 11));
	assert_int_equal(tx(v, "00 A4 08 00 06 14 00 90 01 20 02 00", &d), 0x9000);
	assert_int_equal(d.p[0], 0x6F);
	assert_int_equal(tx(v, "00 B0 00 00 00", &d), 0x9000);
	assert_int_equal(d.len, cert.len < 256 ? cert.len : 256);
	assert_memory_equal(d.p, cert.p, d.len);
	carta_buf_free(&d);
	vcard_free(v);
}

/* Read a whole EF the way OpenSC does (docs/reference/cns.md 1.7): Le FF chunks. */
static void read_all(struct vcard *v, struct carta_buf *out)
{
	struct carta_buf d = { 0 };
	char cmd[32];
	size_t off = 0;

	carta_buf_clear(out);
	for (;;) {
		snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X FF", (unsigned)(off >> 8) & 0x7F,
		         (unsigned)off & 0xFF);
		if (tx(v, cmd, &d) != 0x9000)
			break;
		assert_int_equal(carta_buf_append(out, d.p, d.len), CARTA_OK);
		off += d.len;
		if (d.len < 0xFF)
			break;
	}
	carta_buf_free(&d);
}

static void t_read_binary(void **st)
{
	struct vcard *v = mk("st");
	struct carta_bytes cert = vcard_holder_cert(v);
	struct carta_buf d = { 0 }, all = { 0 };
	char cmd[40];
	size_t n = cert.len;

	(void)st;
	expect(v, "00 B0 00 00 FF", "69 86");                  /* no current EF */
	expect(v, "00 A4 08 0C 04 10 00 10 03", "90 00");
	assert_int_equal(tx(v, "00 B0 00 00 FF", &d), 0x9000);
	assert_int_equal(d.len, 16);                             /* exactly 16 (docs/reference/cns.md 1.10) */
	assert_memory_equal(d.p, vcard_card_id(v), 16);
	assert_int_equal(tx(v, "00 B0 00 0A 00", &d), 0x9000);  /* short tail, 90 00 */
	assert_int_equal(d.len, 6);
	expect(v, "00 B0 00 10 00", "6B 00");                   /* exactly at EOF */
	expect(v, "00 B0 00 11 01", "6B 00");                   /* beyond */
	expect(v, "00 B0 00 00", "67 00");                       /* no Le */
	expect(v, "00 B0 00 00 01 00", "67 00");                 /* data field */
	/* The certificate, in chunks, then the ACe-2025-style tail reads. */
	expect(v, "00 A4 08 0C 04 11 00 11 01", "90 00");
	read_all(v, &all);
	assert_int_equal(all.len, n);
	assert_memory_equal(all.p, cert.p, n);
	snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X 00", (unsigned)((n - 5) >> 8),
	         (unsigned)(n - 5) & 0xFF);
	assert_int_equal(tx(v, cmd, &d), 0x9000);
	assert_int_equal(d.len, 5);
	snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X 00", (unsigned)(n >> 8), (unsigned)n & 0xFF);
	expect(v, cmd, "6B 00");
	/* Extended Le reads everything at once. */
	assert_int_equal(tx(v, "00 B0 00 00 00 00 00", &d), 0x9000);
	assert_int_equal(d.len, n);
	/* Personal data: 400 bytes zero-padded (docs/reference/cns.md 1.9). */
	expect(v, "00 A4 08 0C 04 11 00 11 02", "90 00");
	read_all(v, &all);
	assert_int_equal(all.len, 400);
	assert_int_equal(all.p[399], 0);
	/* UPDATE is never allowed on these EFs. */
	expect(v, "00 D6 00 00 01 41", "69 82");
	carta_buf_free(&d);
	carta_buf_free(&all);
	vcard_free(v);
}

/* The ACe 2025 traces of docs/reference/cns.md 2.4 (and the FCIs of 1.7), in order. */
static void t_actalis_trace(void **st)
{
	struct vcard *v = mk("actalis");
	struct carta_bytes cert = vcard_holder_cert(v);
	struct carta_buf d = { 0 };
	char cmd[40], want[160];
	const char *id = vcard_card_id(v);
	size_t n = cert.len;

	(void)st;
	/* Without the applet the classic paths are not there. */
	expect_sw(v, "00 A4 08 00 04 10 00 10 03 00", 0x6A82);
	expect(v, "00 A4 04 00 0C A0 00 00 05 30 00 0B 10 40 01 02 1A E7",
	       "6F 46 81 02 70 2C 82 03 38 00 00 84 0C A0 00 00 05 30 00 0B 10 40 01 02 1A "
	       "83 02 3F 00 85 01 01 86 09 FF " FF8 " 8A 01 05 CB 18 " FF24 " 90 00");
	expect(v, "00 A4 09 00 04 11 00 11 02 00",
	       "6F 38 80 02 01 90 82 03 01 00 00 83 02 11 02 85 01 01 86 09 00 " FF8
	       " 8A 01 05 CB 18 " FF24 " 90 00");
	expect(v, "00 A4 09 00 02 D0 03 00",
	       "6F 1B 80 02 00 0A 82 01 01 88 01 E0 83 02 D0 03 8A 01 05 "
	       "A1 08 8C 02 01 00 9C 02 01 00 90 00");
	assert_int_equal(tx(v, "00 B0 00 02 08", &d), 0x9000);
	assert_int_equal(d.len, 8);
	for (size_t i = 0; i < 8; i++)   /* the card id in BCD */
		assert_int_equal(d.p[i], (id[2 * i] - '0') << 4 | (id[2 * i + 1] - '0'));
	snprintf(want, sizeof(want), "6F 18 80 02 %02X %02X 82 01 01 83 02 C0 01 8A 01 05 "
	         "A1 08 8C 02 01 00 9C 02 01 00 90 00", (unsigned)(n >> 8), (unsigned)n & 0xFF);
	expect(v, "00 A4 09 00 04 DA 01 C0 01 00", want);
	snprintf(cmd, sizeof(cmd), "00 B0 %02X 00 00", (unsigned)(n >> 8));
	assert_int_equal(tx(v, cmd, &d), 0x9000);
	assert_int_equal(d.len, n & 0xFF);
	snprintf(cmd, sizeof(cmd), "00 B0 %02X %02X 00", (unsigned)(n >> 8), (unsigned)n & 0xFF);
	expect(v, cmd, "6B 00");
	assert_int_equal(tx(v, "00 B0 00 00 04", &d), 0x9000);
	assert_true(d.p[0] == 0x30 && d.p[1] == 0x82);      /* a DER certificate */
	/* Item 5: DA01 / C001 by FID are not found. */
	expect(v, "00 A4 04 0C 0C A0 00 00 05 30 00 0B 10 40 01 02 1A", "90 00");
	expect(v, "00 A4 01 0C 02 DA 01", "6A 82");
	expect(v, "00 A4 02 0C 02 C0 01", "6A 82");
	/* SFI read of D003 (88 01 E0 = SFI 1C), ISO 7816-4 P1 = 100x xxxx. */
	assert_int_equal(tx(v, "00 B0 9C 02 08", &d), 0x9000);
	assert_int_equal(d.len, 8);
	expect(v, "00 B0 9D 00 08", "6A 82");
	expect(v, "00 B0 BC 00 08", "6A 86");
	/* Item 6: the ESIGN applet. */
	assert_int_equal(tx(v, "00 A4 04 00 0A A0 00 00 05 30 45 53 49 47 4E 00", &d), 0x9000);
	assert_int_equal(d.p[0], 0x6F);
	expect(v, "00 A4 08 0C 04 11 00 11 02", "6A 82");
	carta_buf_free(&d);
	vcard_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_select_idcarta_fci),
		cmocka_unit_test(t_select_forms),
		cmocka_unit_test(t_missing_files),
		cmocka_unit_test(t_idemia_layout),
		cmocka_unit_test(t_read_binary),
		cmocka_unit_test(t_actalis_trace),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
