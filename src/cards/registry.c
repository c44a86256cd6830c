/* SPDX-License-Identifier: BSD-3-Clause */
/* The card drivers, tried by ATR score and probe (card.c); the order here
 * only breaks ties. The bare NFC ATR 3B 80 80 01 01 is shared by the CIE
 * STM2 and ST2022 over NFC: both drivers only probe it (J-Sign first: one
 * SELECT AID that a CIE refuses). */
#include "cards/cie/cie.h"
#include "cards/cns/cns.h"

const struct carta_card_driver *const carta_card_drivers[] = {
	&carta_cns_applet_driver,
	&carta_cns_idemia_driver,
	&carta_cns_classic_driver,
	&carta_driver_cie,
	NULL,
};
