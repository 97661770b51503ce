/*
 * test-ms-hostile: what the root task and the ms-hostile client program agree on.
 *
 * ms-hostile caps: [0] the client's endpoint to the memory server (badged),
 * [1] a notification of its supervisor (fault reports, AS_SET_NOTIFY),
 * [2] a notification the supervisor signals to say "go on".
 * Args: [0] mode, [1] seed, [2] requests, [3] the client's badge,
 * [4] and [5] the page and slot quota the supervisor set (0 = not set).
 * Messages to the parent go out on PROGRAM_SLOT_FAULT_EP.
 */
#pragma once

enum hostile_mode {
    HM_MIX = 1,   /* scenario 7: seeded random requests, valid and forged */
    HM_EXEC = 2,  /* scenario 6: jump into a not-present page mapped R (faults to the server) */
    HM_TOUCH = 3, /* scenario 3: write a not-present page after the quota was lowered */
};

enum { HC_CLI = 0, HC_NTFN = 1, HC_GO = 2, HC_NCAPS = 3 };
enum { HA_MODE = 0, HA_SEED, HA_REQUESTS, HA_BADGE, HA_QUOTA_PAGES, HA_QUOTA_SLOTS, HA_NARGS };

/* Child -> parent.  READY: MR0 address-space handle (0 = setting up failed), MR1 the
 * address the child is about to access.  RESULT: MR0 requests sent, MR1 memory touches,
 * MR2 replies the protocol does not allow.  TOUCHED: the access went through. */
#define HMSG_READY 0x52454459ul
#define HMSG_RESULT 0x52534c54ul
#define HMSG_TOUCHED 0x54434844ul

/* Where HM_EXEC / HM_TOUCH map their test pages (in the adopted range, >= 512 GiB). */
#define HOSTILE_VA 0x0000010000000000ull
