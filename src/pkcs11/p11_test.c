/* SPDX-License-Identifier: BSD-3-Clause */
/* The integration tests' hook (p11_test.h). Built only into the static
 * carta_p11 library those tests link, never into carta-pkcs11.so. */
#include "pkcs11/core/state.h"
#include "pkcs11/p11_test.h"

void carta_p11_test_set_readers(struct carta_readers *rs)
{
	carta_p11_preset_readers = rs;
}
