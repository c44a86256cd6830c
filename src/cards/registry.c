/* SPDX-License-Identifier: BSD-3-Clause */
/* The card drivers, tried by ATR score and probe (card.c); the order here
 * only breaks ties. */
#include "cards/cns.h"

const struct carta_card_driver *const carta_card_drivers[] = {
	&carta_cns_applet_driver,
	&carta_cns_idemia_driver,
	&carta_cns_classic_driver,
	NULL,
};
