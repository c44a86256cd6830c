/* SPDX-License-Identifier: BSD-3-Clause */
/* Operation state of a session: ended by the operation's own calls,
 * C_SessionCancel, and the session's end or its token's. */
#include <string.h>

#include "pkcs11/core/state.h"

void carta_p11_op_clear(struct carta_p11_op *op)
{
	carta_digest_free(op->dctx);
	carta_buf_free(&op->acc);
	memset(op, 0, sizeof(*op));
}

void carta_p11_session_end_ops(struct carta_p11_session *ss)
{
	carta_p11_op_clear(&ss->sign);
	carta_p11_op_clear(&ss->decrypt);
	carta_digest_free(ss->digest);
	ss->digest = NULL;
	ss->digest_parts = CARTA_P11_PARTS_ANY;
	ss->find_active = false;
}
