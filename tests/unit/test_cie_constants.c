/* SPDX-License-Identifier: BSD-3-Clause */
/* The CIE constants (docs/reference/cie-constants.md, docs/reference/cie.md 1.2, 3.6) exist
 * twice on purpose: in the driver (src/cards/cie/cie_constants.c) and in the
 * virtual card (tools/vcard/cie/cie_consts.c), written independently. This
 * test is what keeps them equal, byte for byte, wherever both carry one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cards/cie/cie.h"
#include "cie/cie_int.h"

static void test_d_ca(void **state)
{
	(void)state;
	assert_int_equal(sizeof(carta_cie_d_ca), sizeof(vcard_cie_d_ca));
	assert_memory_equal(carta_cie_d_ca, vcard_cie_d_ca, sizeof(carta_cie_d_ca));
}

static void test_aids(void **state)
{
	(void)state;
	assert_int_equal(sizeof(carta_cie_aid_ias), sizeof(vcard_cie_aid_ias));
	assert_memory_equal(carta_cie_aid_ias, vcard_cie_aid_ias, sizeof(carta_cie_aid_ias));
	assert_int_equal(sizeof(carta_cie_aid_cie), sizeof(vcard_cie_aid_cie));
	assert_memory_equal(carta_cie_aid_cie, vcard_cie_aid_cie, sizeof(carta_cie_aid_cie));
}

static void test_cvc_oid(void **state)
{
	(void)state;
	assert_int_equal(sizeof(carta_cie_cvc_oid), sizeof(vcard_cie_cvc_oid));
	assert_memory_equal(carta_cie_cvc_oid, vcard_cie_cvc_oid, sizeof(carta_cie_cvc_oid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_d_ca),
		cmocka_unit_test(test_aids),
		cmocka_unit_test(test_cvc_oid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
