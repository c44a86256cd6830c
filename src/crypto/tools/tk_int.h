/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TK_INT_H
#define CARTA_TK_INT_H

/* Private to src/crypto/tools: the key object shared by its files. */
#include <openssl/evp.h>

#include "crypto/tools/tools.h"

struct carta_tk_key {
	EVP_PKEY *pk;
};

/* Wrap pk (ownership moves into the new key, also on failure). */
enum carta_err carta_tk_key_wrap(EVP_PKEY *pk, struct carta_tk_key **out);

#endif
