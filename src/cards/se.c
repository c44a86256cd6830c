/* SPDX-License-Identifier: BSD-3-Clause */
/* A security environment kept in the card between operations. An MSE stays
 * in force until a SELECT, a reset or another MSE replaces it (ISO 7816-4
 * 5.3.2, 7.5.11), so a driver that remembers having set it skips the MSE on
 * the next private-key operation. A card may have dropped it anyway: the
 * operation then fails before any PIN check, and runs once more after a
 * fresh MSE. What such a failure looks like is the driver's to say. */
#include "cards/card.h"

enum carta_err carta_se_run(struct carta_card *c, bool cached, const struct carta_se_ops *ops,
                            void *arg)
{
	enum carta_err rv;

	rv = cached ? CARTA_OK : ops->set(c, arg);
	if (rv == CARTA_OK)
		rv = ops->use(c, arg);
	if (cached && rv != CARTA_OK && ops->forgotten(c, rv)) {
		rv = ops->set(c, arg);
		if (rv == CARTA_OK)
			rv = ops->use(c, arg);
	}
	return rv;
}
