/* SPDX-License-Identifier: BSD-3-Clause */
/* Applet-based CNS: the Actalis ACe 2025 trace of docs/reference/cns.md 2.4 (the
 * selects and the card's FCIs as the bit4id middleware saw them) and the
 * ST2022 J-Sign probe over NFC (docs/reference/cns.md 1.13, PR #3806). */
#include "test_cards_script.h"

#include "carta/card.h"
#include "cards/cns/cns.h"
#include "crypto/tools/tools.h"

#define ATR_ACE2025 "3B FF 18 00 FF 81 31 FE 4D 00 6B 04 04 B8 5B 01 F1 01 43 4E 53 10 31 80 9D"
#define AID_CNS "A000000530000B104001021A"
#define FF9 "FFFFFFFFFFFFFFFFFF"
#define FF24 "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"

static const char personal_body[] =
	"00005F" "04" "6090" "08" "01012024" "08" "01012030" "05" "ROSSI" "05" "MARIO"
	"08" "01081985" "01" "M" "00" "10" "RSSMRA85M01H501Q" "00" "04" "H501" "00" "00"
	"04" "F205" "00" "00";

static struct {
	struct carta_tk_key *key;
	struct carta_buf cert;
	uint8_t personal[400];
} g;

static int setup(void **state)
{
	static const struct carta_tk_name_entry subj[] = { { "CN", "RSSMRA85M01H501Q" } };
	struct carta_tk_cert_spec spec = {
		.subject = subj, .n_subject = 1, .serial = 9,
		.not_before = 1700000000, .not_after = 1900000000,
		.key_usage = "critical,digitalSignature,keyEncipherment", .ext_key_usage = "clientAuth",
	};

	(void)state;
	assert_int_equal(carta_tk_rsa_from_seed("applet-2048", 2048, &g.key), CARTA_OK);
	spec.subject_key = spec.issuer_key = g.key;
	carta_buf_init(&g.cert);
	assert_int_equal(carta_tk_make_cert(&spec, &g.cert), CARTA_OK);
	memset(g.personal, 0, sizeof(g.personal));
	memcpy(g.personal, personal_body, strlen(personal_body));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	carta_tk_key_free(g.key);
	carta_buf_free(&g.cert);
	return 0;
}

static void add_reads(struct script *s, const uint8_t *p, size_t len)
{
	for (size_t off = 0; off < len; off += 256) {
		size_t n = len - off < 256 ? len - off : 256;
		uint8_t cmd[5] = { 0x00, 0xb0, (uint8_t)(off >> 8), (uint8_t)off, (uint8_t)n };

		script_add_raw(s, cmd, 5, p + off, n, 0x9000);
	}
}

/* The ACe 2025 answers (docs/reference/cns.md 2.4 items 1-4, FCIs of 1.7). */
static void add_ace2025_open(struct script *s)
{
	char fci[128];

	script_add(s, "00A404000C" AID_CNS "00",
	           "6F46" "8102702C" "8203380000" "840C" AID_CNS "83023F00" "850101" "8609" FF9
	           "8A0105" "CB18" FF24 "9000");
	script_add(s, "00A4090002D00300",
	           "6F1B" "8002000A" "820101" "8801E0" "8302D003" "8A0105" "A1088C0201009C020100"
	           "9000");
	script_add(s, "00B000000A", "5A08" "7430010024925855" "9000");
	script_add(s, "00A409000411001102" "00",
	           "6F38" "80020190" "8203010000" "83021102" "850101" "8609" "00FFFFFFFFFFFFFFFF"
	           "8A0105" "CB18" FF24 "9000");
	script_add_raw(s, (const uint8_t *)"\x00\xb0\x00\x00\x00", 5, g.personal, 256, 0x9000);
	snprintf(fci, sizeof(fci), "6F1B8002%04zX8201018801E08302C0018A0105A1088C0201009C0201009000",
	         g.cert.len);
	script_add(s, "00A4090004DA01C00100", fci);
	add_reads(s, g.cert.p, g.cert.len);
}

static void test_ace2025_trace(void **state)
{
	struct script *s = script_new(ATR_ACE2025);
	struct carta_card *c = NULL;
	const struct carta_card_desc *d;

	(void)state;
	add_ace2025_open(s);
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_OK);
	d = carta_card_get_desc(c);
	assert_string_equal(d->driver, "cns-applet");
	/* D003: 8 BCD bytes from offset 2 */
	assert_string_equal(d->serial, "7430010024925855");
	assert_string_equal(d->holder.surname, "ROSSI");
	assert_string_equal(d->manufacturer, "IC: NXP; mask: Giesecke & Devrient");
	assert_int_equal(d->certs[0].der_len, g.cert.len);
	assert_memory_equal(d->certs[0].der, g.cert.p, g.cert.len);
	assert_int_equal(d->keys[0].bits, 2048);
	print_message("ACe 2025 open: %lu APDUs\n", s->t.n_apdu);
	/* G&D mask: plain reference 10 */
	script_add(s, "00200010083132333435FFFFFF", "63C1");
	{
		int tries = 0;

		assert_int_equal(carta_card_verify(c, 0, (const uint8_t *)"12345", 5, &tries),
		                 CARTA_E_PIN_INCORRECT);
		assert_int_equal(tries, 1);
	}
	script_done(s);
	carta_card_close(c);
	script_free(s);
}

/* The applet ATR is shared (docs/reference/cns.md 5): no CNS applet, then the classic
 * layout is tried, and EF_ID_Carta decides. */
static void test_ace2025_atr_without_applet(void **state)
{
	struct script *s = script_new(ATR_ACE2025);
	struct carta_card *c = NULL;

	(void)state;
	script_add(s, "00A404000C" AID_CNS "00", "6A82");
	script_add(s, "00A40800041000100300", "6A82");
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_E_CARD_UNKNOWN);
	script_done(s);
	script_free(s);
}

static void test_jsign_nfc_probe(void **state)
{
	struct script *s = script_new("3B 80 80 01 01");
	struct carta_card *c = NULL;
	char fci[64];
	uint8_t cmd[7];

	(void)state;
	script_add(s, "00A4040008A0000000950100" "4D00", "9000");
	script_add(s, "00CA018000", "4A5369676E34" "9000");
	script_add(s, "00A40800041000100300", "6F0980020010" "8203010000" "9000");
	script_add(s, "00B0000010", "37343330303130303234393235383535" "9000");
	script_add(s, "00A40800041100110200", "6F0980020190" "8203010000" "9000");
	script_add_raw(s, (const uint8_t *)"\x00\xb0\x00\x00\x00", 5, g.personal, 256, 0x9000);
	/* the J-Sign card's DF_DS, as over contact: CNS1 absent here */
	script_add(s, "00A40800041400901000", "6A82");
	snprintf(fci, sizeof(fci), "6F098002%04zX82030100009000", g.cert.len);
	script_add(s, "00A40800041100110100", fci);
	/* J-Sign: RSA-2048, one extended READ BINARY */
	memcpy(cmd, "\x00\xb0\x00\x00\x00", 5);
	cmd[5] = (uint8_t)(g.cert.len >> 8);
	cmd[6] = (uint8_t)g.cert.len;
	script_add_raw(s, cmd, 7, g.cert.p, g.cert.len, 0x9000);
	assert_int_equal(carta_card_open(&s->t, &c), CARTA_OK);
	assert_string_equal(carta_card_get_desc(c)->serial, "7430010024925855");
	assert_string_equal(carta_card_get_desc(c)->family, "CNS (contactless)");
	script_done(s);
	carta_card_close(c);
	script_free(s);

	/* another answer to GET DATA: not J-Sign (the probe alone; the CIE
	 * driver would probe the bare ATR next) */
	s = script_new("3B 80 80 01 01");
	script_add(s, "00A4040008A0000000950100" "4D00", "9000");
	script_add(s, "00CA018000", "4A5369676E33" "9000");
	{
		const struct carta_atr_row *row;
		struct carta_card cc = { .t = &s->t };

		assert_true(carta_atr_score(&carta_cns_applet_driver, s->t.atr, s->t.atr_len, &row) > 0);
		cc.atr_row = row;
		assert_int_equal(carta_cns_applet_driver.probe(&cc), CARTA_E_CARD_UNKNOWN);
		carta_cns_applet_driver.release(&cc);
	}
	script_done(s);
	script_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ace2025_trace),
		cmocka_unit_test(test_ace2025_atr_without_applet),
		cmocka_unit_test(test_jsign_nfc_probe),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
