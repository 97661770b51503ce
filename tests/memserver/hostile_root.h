/*
 * test-ms-hostile, root-task side: the scenarios (hostile_identity.c, hostile_limits.c,
 * hostile_mix.c) run one at a time in a driver thread, while the root task's main
 * thread (hostile_root.c) watches the memory server: if the server dies, the scenario
 * fails and a fresh server is started for the next one.
 */
#pragma once
#include <runtime/programs.h>
#include <runtime/startup.h>
#include "tests/memserver/common.h"
#include "tests/memserver/hostile.h"

#define SERVER_PRIO 100
#define CLIENT_BADGE_ROOT 1 /* the root task's own client badge (with MS_ADMIN_BADGE: admin) */

/* ---- checks: counted for the running scenario ---- */
int h_check(int ok, const char *what);
int h_check_err(int got, int want, const char *what);
/* The server still answers (HELLO). */
int h_alive(const char *when);

/* ---- the current server ---- */
seL4_CPtr h_client(seL4_Word badge); /* a cap with this badge to the current server */
seL4_CPtr h_admin(void);             /* CLIENT_BADGE_ROOT | MS_ADMIN_BADGE */
int h_have_device(seL4_Word *paddr); /* the server was given a device untyped at *paddr */

/* ---- the root task's resources ---- */
seL4_CPtr h_slot(void);              /* a free slot of the root CNode (reused per scenario) */
seL4_CPtr h_notification(void);      /* a fresh notification (reused per scenario) */
/* A PML4 with an ASID that nobody manages yet (for AS_ADOPT). */
seL4_CPtr h_spare_pml4(void);

/* ---- children (ms-hostile programs) ---- */
/* Starts ms-hostile with the client endpoint of `badge`, notification `ntfn`, go
 * notification `go`, args (hostile.h) at priority `prio`.  Its messages arrive on the
 * children's endpoint with `badge`.  Returns the child's TCB or seL4_CapNull. */
seL4_CPtr h_spawn(seL4_Word badge, seL4_CPtr ntfn, seL4_CPtr go, const seL4_Word *args, seL4_Word prio);
/* Waits for a message from a child; returns its label (fault labels: it faulted). */
seL4_Word h_wait_child(seL4_Word *badge, seL4_Word *mr, unsigned nmr);

/* ---- scenarios ---- */
void scenario_adopt_twice(void);       /* 1a */
void scenario_adopt_managed(void);     /* 1b */
void scenario_user_top_4k(void);       /* 2a */
void scenario_user_top_2m(void);       /* 2b */
void scenario_quota_lowered(void);     /* 3 */
void scenario_cap_through_fault_ep(void); /* 4 */
void scenario_stale_fault_ep(void);    /* 5 */
void scenario_admin_badge(void);       /* 6a */
void scenario_client_destroy_0(void);  /* 6b */
void scenario_map_no_space(void);      /* 6c */
void scenario_phys_owned(void);        /* 6d */
void scenario_exec_nx(void);           /* 6e */
void scenario_random_mix(void);        /* 7 */
