/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef CARTA_TLV_H
#define CARTA_TLV_H

#include "util/buf.h"

/* Strict BER-TLV (ISO/IEC 7816-4 section 5.2, X.690 8.1):
 * - tags of 1..4 bytes, returned as the big-endian value of the tag bytes
 *   (e.g. 0x5F20, 0xBFA101, 0x7F49);
 * - definite lengths only: short form, or long form 81..84; the indefinite
 *   form (80) and lengths running past the input are CARTA_E_PARSE;
 * - non-minimal long forms (81 05) are accepted: real cards send them. */

#define CARTA_TLV_MAX_DEPTH 12

struct carta_tlv {
	uint32_t tag;
	bool constructed;          /* bit 6 of the first tag byte */
	struct carta_bytes value;  /* the value field */
	struct carta_bytes raw;    /* the whole TLV: tag, length and value */
};

/* Parse one TLV at the start of *in and advance *in past it. */
enum carta_err carta_tlv_next(struct carta_bytes *in, struct carta_tlv *out);

/* First TLV with `tag` among the TLVs that make up `in` (one level, no descent).
 * CARTA_E_PARSE if a TLV before it is malformed, CARTA_E_FILE_NOT_FOUND if absent. */
enum carta_err carta_tlv_find(struct carta_bytes in, uint32_t tag, struct carta_tlv *out);

/* Descend: tags[0] at the top level of `in`, tags[1] inside its value, ... */
enum carta_err carta_tlv_find_path(struct carta_bytes in, const uint32_t *tags, size_t ntags,
                                   struct carta_tlv *out);

/* Check that `in` is a sequence of well-formed TLVs, recursing into constructed
 * ones up to max_depth levels (CARTA_E_PARSE beyond it). */
enum carta_err carta_tlv_validate(struct carta_bytes in, unsigned max_depth);

/* Builders: append tag + length (+ value) in minimal BER form. */
enum carta_err carta_tlv_put_header(struct carta_buf *out, uint32_t tag, size_t len);
enum carta_err carta_tlv_put(struct carta_buf *out, uint32_t tag, const uint8_t *v, size_t len);

#endif
