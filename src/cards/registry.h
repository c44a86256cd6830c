/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CARDS_REGISTRY_H
#define CARTA_CARDS_REGISTRY_H

/* The card families (registry.c): the only place that knows them. It
 * implements carta_card_open and carta_atr_driver of include/carta/card.h
 * on top of the framework (card.h); the framework never looks here. */

#include "cards/card.h"

/* Every driver, NULL-terminated; the ATR coverage test walks it. */
extern const struct carta_card_driver *const carta_card_drivers[];

#endif
