/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_CRYPTO_OSSL_H
#define CARTA_CRYPTO_OSSL_H

/* Small OpenSSL glue shared by the files of src/crypto (internal). */

#include <openssl/evp.h>

#include "crypto/crypto.h"

/* EVP digest for a carta hash; NULL for CARTA_HASH_NONE. */
const EVP_MD *carta_ossl_md(enum carta_hash h);

/* The public key of a DER certificate (is_cert) or SubjectPublicKeyInfo;
 * NULL if it does not parse. Free with EVP_PKEY_free. */
EVP_PKEY *carta_ossl_pubkey(const uint8_t *der, size_t n, bool is_cert);

#endif
