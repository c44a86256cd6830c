/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CRYPTO_TOOLS_CIE_SOD_H
#define CARTA_CRYPTO_TOOLS_CIE_SOD_H

/* CMS SignedData (RFC 5652) over an encapsulated content of type
 * econtent_oid (dotted text), signed with SHA-256 by key/cert (signed
 * attributes: content type, message digest, signing time), the signer
 * certificate included. For the virtual CIE's EF.SOD (docs/reference/cie.md 3.7, 8 C4):
 * the caller wraps the ContentInfo DER appended to out in its outer tag. */

#include "crypto/tools/tools.h"

enum carta_err carta_tk_cms_sign(const uint8_t *content, size_t n, const char *econtent_oid,
                                 const uint8_t *cert_der, size_t cert_len,
                                 const struct carta_tk_key *key, struct carta_buf *out);

#endif
