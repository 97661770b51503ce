/* The client side of a control request: encode, send, and send again what arrived
 * damaged (see rs_call_resending in rs_protocol.h).  Portable: host-tested. */
#include "rs/protocol/rs_protocol.h"

static int damaged(int err)
{
    return err == RS_ERR_CHECK || err == RS_ERR_BAD_REQUEST || err == RS_ERR_VERSION || err == RS_ERR_DENIED;
}

int rs_call_resending(const struct rs_request *r, rs_send_fn send, void *ctx, unsigned *resends)
{
    int err = RS_ERR_CHECK;
    for (unsigned t = 0; t <= RS_CHECK_RESENDS; t++) {
        uint64_t label = 0, mr[RS_REQUEST_MAX_MRS];
        unsigned n = rs_encode_request(r, &label, mr); /* afresh: the check word too */
        err = send(ctx, label, mr, n);
        if (!damaged(err) || t == RS_CHECK_RESENDS) break;
        if (resends) (*resends)++;
    }
    return err;
}
