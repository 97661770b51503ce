/*
 * Client library of the name service (names/PROTOCOL.md), on svcclient's retry loop:
 * every request here is idempotent, so a call the RS released because the name service
 * died is simply sent again (to its next incarnation, through the surviving endpoint).
 *
 * A looked-up cap is kept in SVC_RESOLVED_SLOT(index) of the caller's CSpace (the index
 * is the service's, from the reply): the RS knows that slot, so a Call on it is released
 * when that service dies, like a Call on a manifest channel.  The cap arrives in
 * NAMESC_RECV_SLOT first.
 */
#pragma once
#include <stdint.h>
#include "svcclient/client/svc_call.h"
#include "names/protocol/errors.h"
#include "names/protocol/messages.h"

#define NAMESC_ERR(svc_err) SVC_CLIENT_ERR(svc_err)
#define NAMESC_RECV_SLOT 191u

struct namesc {
    struct svc_conn conn;
};

/* cap: the client's badged endpoint cap to the name service. */
void namesc_init(struct namesc *n, seL4_CPtr cap);
/* LOOKUP: *gen, *slot (where the cap now is).  A NAMES_* code or NAMESC_ERR(...). */
int namesc_lookup(struct namesc *n, const char *name, uint64_t *gen, seL4_CPtr *slot);
/* LOOKUP_IF_NEWER(known): NAMES_OK with a new *gen and cap in *slot, or
 * NAMES_ERR_NOT_NEWER (keep yours). */
int namesc_lookup_if_newer(struct namesc *n, const char *name, uint64_t known, uint64_t *gen, seL4_CPtr *slot);
int namesc_check(struct namesc *n, const char *name, uint64_t gen);
