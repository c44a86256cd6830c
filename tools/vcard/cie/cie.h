/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_VCARD_CIE_H
#define CARTA_VCARD_CIE_H

/* The virtual CIE 3.0 (IAS-ECC applet with DH + secure messaging + DAPP), per
 * docs/reference/cie.md section 8 and docs/reference/cie-constants.md. vcard.c dispatches
 * the "cie-nxp" and "cie-gemalto" profiles here. */

#include "vcard.h"

struct vcard_cie;

enum carta_err vcard_cie_new(const struct vcard_config *cfg, struct vcard_cie **out);
void vcard_cie_free(struct vcard_cie *c);
/* One command APDU in, response (data + SW) out (resp cleared first). */
enum carta_err vcard_cie_apdu(struct vcard_cie *c, const uint8_t *cmd, size_t n,
                              struct carta_buf *resp);
void vcard_cie_reset(struct vcard_cie *c);
size_t vcard_cie_atr(const struct vcard_cie *c, uint8_t *out, size_t cap);

int vcard_cie_pin_tries_left(const struct vcard_cie *c, bool puk);
size_t vcard_cie_current_pin(const struct vcard_cie *c, uint8_t *out, size_t cap);
struct carta_bytes vcard_cie_holder_cert(const struct vcard_cie *c);
struct carta_bytes vcard_cie_ca_cert(const struct vcard_cie *c);
const char *vcard_cie_nis(const struct vcard_cie *c);

#endif
