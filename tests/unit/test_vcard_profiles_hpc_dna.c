/* SPDX-License-Identifier: BSD-3-Clause */
/* The "hpc" and "dnakey" profiles and the ATR override, driven with raw APDUs
 * (docs/reference/cns.md 1.13, 2.3; docs/reference/cie.md 1.1). */
#include "test_vcard_helpers.h"

#define PIN_OK "00 20 00 10 08 31 32 33 34 35 36 37 38"
#define HPC_ATR "3B FF 18 00 00 81 31 FE 45 00 6B 04 05 01 00 01 12 02 48 50 43 10 31 80 6C"
#define DNA_ATR "3B FF 18 00 00 81 31 FE 45 00 6B 15 0C 03 02 01 01 01 43 4E 53 10 31 80 61"
#define CHIPDOC_CNS "A0 00 00 05 30 00 0B 10 40 01 01 1B"
#define CHIPDOC_SIG "E8 28 BD 08 0F 01 4E 58 50 31"
#define CHIPDOC_GEN "E8 28 BD 08 0F 01 4E 58 50 30"
#define PROBE_AID "A0 00 00 02 47 10 01"

static void assert_atr(struct vcard *v, const char *hex)
{
	uint8_t b[40];
	size_t n = vcard_atr(v, b, sizeof(b));

	assert_true(bytes_eq_hex(b, n, hex));
}

/* hpc: the Trento professional card ATR (HPC where CNS goes), classic CNS 1.0. */
static void t_hpc(void **st)
{
	struct vcard *v = mk("hpc");
	struct carta_buf d = { 0 };

	(void)st;
	assert_atr(v, HPC_ATR);
	assert_int_equal(tx(v, "00 A4 08 00 04 10 00 10 03 00", &d), 0x9000);
	assert_int_equal(d.p[0], 0x6F);
	assert_int_equal(tx(v, "00 B0 00 00 FF", &d), 0x9000);
	assert_int_equal(d.len, 16);
	assert_memory_equal(d.p, vcard_card_id(v), 16);
	expect_sw(v, "00 A4 08 0C 04 11 00 11 01", 0x9000);
	expect_sw(v, "00 A4 08 0C 04 11 00 11 02", 0x9000);
	expect_sw(v, "00 A4 08 0C 04 14 00 90 10", 0x6A82);
	expect_sw(v, "00 A4 00 0C 02 3F 01", 0x9000);
	/* CNS 1.0: short APDUs only; IDEMIA mask: no 0x80 PIN flag */
	expect_sw(v, "00 A4 00 0C 00 00 02 3F 00", 0x6700);
	expect_sw(v, "00 20 00 90 08 31 32 33 34 35 36 37 38", 0x6A88);
	expect_sw(v, PIN_OK, 0x9000);
	expect_sw(v, "00 22 F1 B8 03 83 01 01", 0x9000);
	assert_int_equal(tx(v, "00 A4 00 0C 02 3F 00", NULL), 0x9000);
	carta_buf_free(&d);
	vcard_free(v);
}

/* dnakey before PACE: no classic CNS file; EF E000 (encrypted CAN, 24 bytes). */
static void t_dnakey_mf(void **st)
{
	struct vcard *v = mk("dnakey");
	struct carta_buf d = { 0 };

	(void)st;
	assert_atr(v, DNA_ATR);
	expect_sw(v, "00 A4 08 00 04 10 00 10 03 00", 0x6A82);
	expect_sw(v, "00 A4 08 0C 04 11 00 11 01", 0x6A82);
	expect_sw(v, "00 A4 08 0C 04 11 00 11 02", 0x6A82);
	expect_sw(v, "00 A4 00 0C 02 10 00", 0x6A82);
	expect_sw(v, "00 A4 00 0C 02 3F 01", 0x6A82);
	expect_sw(v, "00 A4 08 0C 04 14 00 90 10", 0x6A82);
	expect_sw(v, "00 A4 08 0C 04 2F FF 82 28", 0x6A82);
	expect(v, "00 A4 00 0C 02 3F 00", "90 00");
	assert_int_equal(tx(v, "00 A4 08 00 02 E0 00 00", &d), 0x9000);
	assert_true(d.len > 6 && d.p[0] == 0x6F && d.p[2] == 0x80 && d.p[4] == 0x00 && d.p[5] == 24);
	assert_int_equal(tx(v, "00 B0 00 00 00", &d), 0x9000);
	assert_int_equal(d.len, 24);
	/* the CNS PIN lives in the applet: not found from the MF */
	expect_sw(v, PIN_OK, 0x6A88);
	/* the Actalis CNS applet is another card */
	expect_sw(v, "00 A4 04 0C 0C A0 00 00 05 30 00 0B 10 40 01 02 1A", 0x6A82);
	carta_buf_free(&d);
	vcard_free(v);
}

/* The ChipDoc applets answer SELECT by AID, then 69 82 until PACE. */
static void t_dnakey_applets(void **st)
{
	struct vcard *v = mk("dnakey");

	(void)st;
	/* the driver's probe (docs/reference/cns.md 1.13): 00 A4 04 04 */
	expect(v, "00 A4 04 04 07 " PROBE_AID, "62 09 84 07 " PROBE_AID " 90 00");
	expect_sw(v, "00 B0 00 00 00", 0x6982);
	expect(v, "00 A4 00 0C 02 3F 00", "90 00");            /* back to the MF */
	expect_sw(v, "00 A4 02 0C 02 E0 00", 0x9000);
	expect(v, "00 A4 04 00 0C " CHIPDOC_CNS " 00", "6F 0E 84 0C " CHIPDOC_CNS " 90 00");
	expect_sw(v, "00 A4 09 0C 04 11 00 11 02", 0x6982);
	expect_sw(v, "00 A4 08 0C 04 10 00 10 03", 0x6982);
	expect_sw(v, PIN_OK, 0x6982);
	expect_sw(v, "00 20 00 11 08 38 37 36 35 34 33 32 31", 0x6982);
	expect_sw(v, "00 22 C1 A4 0F 80 0A 04 00 7F 00 07 02 02 04 02 02 83 01 02", 0x6982);
	expect_sw(v, "10 2A 80 86 01 00", 0x6982);
	expect_sw(v, "00 A4 04 0C 0A " CHIPDOC_SIG, 0x9000);
	expect_sw(v, "00 A4 04 0C 0A " CHIPDOC_GEN, 0x9000);
	expect_sw(v, "00 84 00 00 08", 0x6982);
	/* a reset goes back to the MF */
	vcard_reset(v);
	expect_sw(v, "00 A4 02 0C 02 E0 00", 0x9000);
	vcard_free(v);
}

static struct vcard *mk_applet_sw(const char *profile, unsigned sw, enum carta_err want)
{
	struct vcard_config cfg;
	struct vcard *v = NULL;

	memset(&cfg, 0, sizeof(cfg));
	cfg.profile = profile;
	cfg.dnakey_applet_sw = sw;
	assert_int_equal(vcard_new(&cfg, &v), want);
	return v;
}

/* dnakey_applet_sw: the ChipDoc applets refuse SELECT; the probe AID does not. */
static void t_dnakey_applet_sw(void **st)
{
	struct vcard *v;

	(void)st;
	v = mk_applet_sw("dnakey", 0x6982, CARTA_OK);
	expect_sw(v, "00 A4 04 0C 0C " CHIPDOC_CNS, 0x6982);
	expect_sw(v, "00 A4 04 0C 0A " CHIPDOC_SIG, 0x6982);
	expect_sw(v, "00 A4 02 0C 02 E0 00", 0x9000);          /* still in the MF */
	expect_sw(v, "00 A4 04 0C 07 " PROBE_AID, 0x9000);
	vcard_free(v);
	v = mk_applet_sw("dnakey", 0x6A82, CARTA_OK);
	expect_sw(v, "00 A4 04 0C 0C " CHIPDOC_CNS, 0x6A82);
	expect_sw(v, "00 A4 04 0C 0A " CHIPDOC_GEN, 0x6A82);
	vcard_free(v);
	v = mk_applet_sw("dnakey", 0x9000, CARTA_OK);
	expect_sw(v, "00 A4 04 0C 0C " CHIPDOC_CNS, 0x9000);
	vcard_free(v);
	assert_null(mk_applet_sw("dnakey", 0x6A86, CARTA_E_ARGS));
	assert_null(mk_applet_sw("st", 0x6982, CARTA_E_ARGS));
	assert_null(mk_applet_sw("cie-nxp", 0x6982, CARTA_E_ARGS));
}

/* The ATR override: any profile answers the given ATR, nothing else changes. */
static void t_atr_override(void **st)
{
	/* a reader-built contactless ATR carrying the CIE NXP historical bytes */
	static const char cl_cie[] = "3B FE 91 00 FF 91 81 71 FE 40 00 80 31 80 65 49 54 4E 58 50 "
	                             "12 0F FF 82 90 B0";
	const char *p[] = { "hpc", "dnakey", "classic", "cie-nxp", "cie-gemalto" };
	struct vcard_config cfg;
	struct vcard *v;

	(void)st;
	memset(&cfg, 0, sizeof(cfg));
	cfg.atr_hex = cl_cie;
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++) {
		cfg.profile = p[i];
		v = mk_cfg(&cfg);
		assert_atr(v, cl_cie);
		vcard_free(v);
	}
	cfg.profile = "hpc";
	cfg.atr_hex = "3B:80:80:01:01";
	v = mk_cfg(&cfg);
	assert_atr(v, "3B 80 80 01 01");
	expect_sw(v, "00 A4 08 0C 04 10 00 10 03", 0x9000);   /* same card behind it */
	vcard_free(v);
	v = NULL;
	cfg.atr_hex = "3B 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF 00 11 22 33 44 55 66 77 "
	              "88 99 AA BB CC DD EE FF 00";                          /* 34 bytes */
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_ARGS);
	cfg.atr_hex = "3B 8";
	assert_int_equal(vcard_new(&cfg, &v), CARTA_E_PARSE);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_hpc),
		cmocka_unit_test(t_dnakey_mf),
		cmocka_unit_test(t_dnakey_applets),
		cmocka_unit_test(t_dnakey_applet_sw),
		cmocka_unit_test(t_atr_override),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
