/* SPDX-License-Identifier: BSD-3-Clause */
/* The transport and reader function API: the only callers of the ops tables
 * (transport.h, reader.h). A missing optional operation answers the same way
 * everywhere: begin/end do nothing, reset and control are not supported. */
#include <stddef.h>

#include "apdu/reader.h"

enum carta_err carta_transport_transmit(struct carta_transport *t, const uint8_t *cmd, size_t n,
                                        struct carta_buf *resp)
{
	if (!t || !t->ops || !t->ops->transmit)
		return CARTA_E_ARGS;
	return t->ops->transmit(t, cmd, n, resp);
}

enum carta_err carta_transport_begin(struct carta_transport *t)
{
	if (!t || !t->ops)
		return CARTA_E_ARGS;
	return t->ops->begin ? t->ops->begin(t) : CARTA_OK;
}

enum carta_err carta_transport_end(struct carta_transport *t)
{
	if (!t || !t->ops)
		return CARTA_E_ARGS;
	return t->ops->end ? t->ops->end(t) : CARTA_OK;
}

enum carta_err carta_transport_reset(struct carta_transport *t)
{
	if (!t || !t->ops)
		return CARTA_E_ARGS;
	return t->ops->reset ? t->ops->reset(t) : CARTA_E_NOT_SUPPORTED;
}

bool carta_transport_has_control(const struct carta_transport *t)
{
	return t && t->ops && t->ops->control;
}

enum carta_err carta_transport_control(struct carta_transport *t, uint32_t code,
                                       const uint8_t *in, size_t n, struct carta_buf *out)
{
	if (!carta_transport_has_control(t))
		return CARTA_E_NOT_SUPPORTED;
	return t->ops->control(t, code, in, n, out);
}

void carta_transport_close(struct carta_transport **t)
{
	if (t && *t && (*t)->ops && (*t)->ops->close)
		(*t)->ops->close(*t);
	if (t)
		*t = NULL;
}

enum carta_err carta_readers_list(struct carta_readers *rs, struct carta_reader_state *out,
                                  size_t *n)
{
	if (!rs || !rs->ops || !out || !n)
		return CARTA_E_ARGS;
	return rs->ops->list(rs, out, n);
}

enum carta_err carta_readers_wait(struct carta_readers *rs, long timeout_ms)
{
	if (!rs || !rs->ops)
		return CARTA_E_ARGS;
	return rs->ops->wait(rs, timeout_ms);
}

void carta_readers_cancel(struct carta_readers *rs)
{
	if (rs && rs->ops)
		rs->ops->cancel(rs);
}

enum carta_err carta_readers_connect(struct carta_readers *rs, const char *name,
                                     struct carta_transport **out)
{
	if (!rs || !rs->ops || !name || !out)
		return CARTA_E_ARGS;
	return rs->ops->connect(rs, name, out);
}

void carta_readers_close(struct carta_readers **rs)
{
	if (rs && *rs && (*rs)->ops)
		(*rs)->ops->close(*rs);
	if (rs)
		*rs = NULL;
}
