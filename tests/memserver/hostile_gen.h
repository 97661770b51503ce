/*
 * The request generator of the hostile clients (test-ms-hostile, scenario 7): a seeded
 * random mix of valid requests and forged ones, each with the set of replies
 * memserver/PROTOCOL.md allows for it.  Portable C (no system calls): the client
 * program (hostile_client.c) sends what this produces and hands the reply back.
 *
 * The generator keeps a model of what the client owns (address spaces, objects, the
 * regions mapped in each space), so that it can say exactly which errors are possible:
 * e.g. QUERY of an address the model knows is unmapped must be MS_ERR_NOT_MAPPED, a
 * FIXED MAP over a region the model knows must be MS_ERR_OVERLAP.  Forged requests have
 * exactly one defect each, so that the documented error is unique.
 */
#pragma once
#include <stdint.h>

#define HG_MAX_MRS 12u
#define HG_MAX_AS 6u
#define HG_MAX_OBJ 6u
#define HG_MAX_REG 20u
#define HG_PAGE 4096ull
/* An adopted space is managed from 512 GiB up (PROTOCOL.md). */
#define HG_ADOPT_FLOOR 0x0000008000000000ull
/* The highest address a mapping may reach: the kernel maps nothing at or above it. */
#define HG_USER_TOP 0x00007FFFFFFFF000ull

/* Which cap a request carries (the client program turns these into slots). */
enum hg_cap {
    HG_CAP_NONE = 0,
    HG_CAP_NTFN,        /* a notification of the client's supervisor */
    HG_CAP_SELF_VSPACE, /* the client's own PML4 */
    HG_CAP_RECV_VSPACE, /* the PML4 copy AS_VSPACE returned last */
    HG_CAP_TCB,         /* the client's own TCB: wrong type everywhere */
    HG_CAP_CLIENT_EP,   /* the client's endpoint to the server: arrives unwrapped */
    HG_CAP_FAULT_EP,    /* the fault endpoint AS_FAULT_EP returned last */
};

/* Where a reply cap goes (AS_FAULT_EP, AS_VSPACE). */
enum hg_recv { HG_RECV_NONE = 0, HG_RECV_FAULT_EP, HG_RECV_VSPACE, HG_RECV_PAGE_CAP };

enum hg_action {
    HG_CALL = 0,   /* seL4_Call the server with label, mr[0..n), cap; check the reply */
    HG_TOUCH,      /* write (or read) the word at va in the client's own VSpace */
    HG_FAKE_FAULT, /* seL4_Send label/mr/cap through the fault endpoint (no reply) */
};

struct hg_req {
    unsigned action;
    uint64_t label;
    uint64_t mr[HG_MAX_MRS];
    unsigned n;
    unsigned cap;      /* enum hg_cap */
    unsigned recv;     /* enum hg_recv */
    uint64_t expect;   /* bit e set: error code e is an acceptable reply */
    uint64_t va;       /* HG_TOUCH: the address; */
    int write;         /* HG_TOUCH: write a value and read it back */
    unsigned what;     /* internal: which generator made it (enum in hostile_gen.c) */
    unsigned as_i, obj_i, reg_i; /* internal: model entries involved */
    int model_hit;     /* internal: the model's exact answer where it has one */
    const char *name;  /* short description for failure reports */
};

struct hg_region {
    uint64_t va, size;
    uint8_t guard;     /* a guard page */
    uint8_t populated; /* every page is present (MAP with POPULATE) */
    uint8_t rights;    /* MS_R / MS_RW / MS_RX */
    uint8_t cow;       /* cloned or forked from: a write may fault */
    uint32_t obj;      /* object handle, 0 = private */
};

struct hg_as {
    uint32_t handle;
    uint8_t live, self; /* self: the client's own VSpace, adopted */
    uint64_t floor;
    unsigned nreg;
    struct hg_region reg[HG_MAX_REG];
};

struct hg_obj {
    uint32_t handle, pages;
    uint8_t live;
};

struct hg_state {
    uint64_t rng;
    uint64_t badge;        /* the client's own badge */
    struct hg_as as[HG_MAX_AS];
    struct hg_obj obj[HG_MAX_OBJ];
    uint32_t dead[8];      /* handles the client destroyed or closed */
    unsigned ndead;
    uint32_t fault_ep_as;  /* space of the fault endpoint held (0 = none) */
    uint32_t vspace_as;    /* space of the PML4 copy held (0 = none) */
    uint64_t quota_pages, quota_slots; /* limits the supervisor set (never lowered) */
    /* The frame cap PAGE_CAP returned last: of a private page at pagecap_va of space
     * pagecap_as.  pagecap_gone: the page was unmapped or made copy-on-write since, so
     * the server must have revoked the cap (the program checks, then hg_pagecap_seen). */
    uint32_t pagecap_as;
    uint64_t pagecap_va;
    uint8_t pagecap_gone;
};

void hg_init(struct hg_state *s, uint64_t seed, uint64_t badge);
/* The next request. */
void hg_next(struct hg_state *s, struct hg_req *r);
/* Checks the reply (err = reply label, res = its message registers, caps = extra caps
 * received) and updates the model.  Returns NULL if the reply is one the protocol
 * allows, else a short reason. */
const char *hg_reply(struct hg_state *s, const struct hg_req *r, uint64_t err, const uint64_t *res,
                     unsigned nres, unsigned caps);
/* The program found the cap a request needs gone (revoked by the server): forget it. */
void hg_cap_gone(struct hg_state *s, unsigned cap);
/* The program has checked (and emptied) the PAGE_CAP slot after pagecap_gone. */
void hg_pagecap_seen(struct hg_state *s);
/* Bit for an error code in hg_req.expect. */
#define HG_E(code) (1ull << (code))
