/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_P11_TEST_H
#define CARTA_P11_TEST_H

#include "apdu/reader.h"

/* Test hook: the next C_Initialize uses these readers instead of PC/SC
 * (carta_pcsc_open). The module does not close them; NULL goes back to PC/SC.
 * Only for programs that link carta_p11 statically (integration tests). */
void carta_p11_test_set_readers(struct carta_readers *rs);

#endif
