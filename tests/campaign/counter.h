/*
 * The campaign's counter service (counter.c) and its client (cworker.c).  Requests are
 * seL4_Send on the counter's endpoint; answers are seL4_Send on the client's own
 * endpoint (the counter's channel), so that a client whose request dies with an
 * incarnation is not left blocked on a reply cap: the next incarnation announces itself
 * with COUNTER_UP and the client sends the request again with the same sequence number.
 */
#pragma once

enum counter_label {
    COUNTER_ADD = 1,  /* request: MR0 sequence number (>= 1), MR1 COUNTER_MAGIC, no caps */
    COUNTER_ACK = 2,  /* answer:  MR0 sequence number, MR1 generation, MR2 adds applied by
                         this incarnation, MR3 1 if the number was already applied (a resend) */
    COUNTER_ERR = 3,  /* answer to a malformed request: MR0 the request's label */
    COUNTER_UP = 4,   /* a new incarnation started: MR0 its generation */
};

#define COUNTER_MAGIC 0xc0a7e5ull
#define COUNTER_ADD_WORDS 2u
#define COUNTER_ACK_WORDS 4u
