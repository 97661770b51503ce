/*
 * The kernel model's state and its internal interfaces, one group per source file.
 * Everything takes the kernel explicitly; nothing here is global.
 */
#pragma once
#include <stdio.h>
#include "objects.h"
#include "../kernel.h"
#include "../machine.h"
#include "../devices.h"

/* Outcome of a kernel operation (seL4's exception_t). */
typedef enum { EXC_NONE = 0, EXC_FAULT, EXC_LOOKUP_FAULT, EXC_SYSCALL_ERROR, EXC_PREEMPTED } exc;

/* Details of the error an invocation reports (current_syscall_error). */
typedef struct syscall_error {
    int type;                  /* seL4_Error */
    uint64_t invalid_arg;      /* InvalidArgument: argument number */
    uint64_t invalid_cap;      /* InvalidCapability: 0 = invoked cap, 1.. = extra caps */
    uint64_t range_min, range_max;
    uint64_t memory_left;
    bool lookup_was_source;    /* FailedLookup */
} syscall_error;

/* Scheduler action (ksSchedulerAction). */
enum { SCHED_RESUME_CURRENT, SCHED_CHOOSE_NEW, SCHED_SWITCH_TO };

/* x86 IRQ numbers as the kernel numbers them (vector - 0x20). */
enum {
    IRQ_ISA_MIN = 0, IRQ_ISA_MAX = 15,
    IRQ_USER_MIN = 16, IRQ_USER_MAX = 123,
    IRQ_TIMER = 125, IRQ_MAX = 125,
};
enum irq_state { IRQ_INACTIVE = 0, IRQ_SIGNAL, IRQ_TIMER_STATE, IRQ_RESERVED };
enum { IOAPIC_PINS = 24 };

/* How the IRQ controller routes an issued IRQ (x86_irq_state_t). */
typedef struct irq_route {
    uint8_t kind;              /* 0 free, 1 IOAPIC, 2 MSI */
    uint8_t pin, level, polarity;
    bool masked;
} irq_route;

#define NUM_ASID_POOLS 8
#define ASID_LOW_BITS 9
#define IT_ASID 1

/* Fault injection state for one --inject spec. */
typedef struct inject_state {
    bool done;
    uint64_t count;            /* invocations seen (nomem) */
} inject_state;

/* Statistics of a thread that no longer exists. */
typedef struct thread_record {
    char name[128];
    uint64_t insns, syscalls;
} thread_record;

/* Device memory backing (frames from device untypeds): sparse 4 KiB pages. */
typedef struct devpage {
    uint64_t paddr;
    uint8_t *host;
    struct devpage *next;
} devpage;
#define DEVPAGE_BUCKETS 1024

struct kernel {
    const sim_config *cfg;
    sim_devices *dev;
    sim_ram ram;

    /* live objects */
    kobj objects;                         /* list sentinel */
    kobj *graveyard;                      /* released objects, freed after the entry */
    uint64_t obj_count[OBJ_NUM_KINDS];
    uint64_t frame_count[3];              /* 4 KiB, 2 MiB, 1 GiB */
    uint64_t untyped_count;
    uint64_t bytes_in_objects;            /* memory retyped into non-untyped objects */

    /* scheduler */
    tcb idle;
    tcb *cur;
    int action;                           /* SCHED_* */
    tcb *candidate;                       /* SCHED_SWITCH_TO */
    tcb_queue ready[256];
    uint64_t ready_bitmap[4];
    tcb *dbg_threads;                     /* debug list, newest first */

    /* per-entry scratch state of the kernel */
    syscall_error err;
    lookup_fault lf;
    fault cur_fault;
    cte *extra_caps[seL4_MsgMaxExtraCaps];

    /* memory management */
    asid_pool *asid_table[NUM_ASID_POOLS];
    devpage *devpages[DEVPAGE_BUCKETS];

    /* interrupts and I/O ports */
    uint8_t irq_state[IRQ_MAX + 1];
    cte irq_node[IRQ_MAX + 1];
    irq_route irq_route[IRQ_MAX + 1];
    uint32_t pin_pending;                 /* IOAPIC pins with a latched edge */
    uint64_t ioports[65536 / 64];

    /* domain schedule (one domain) */
    uint64_t dom_schedule[4];
    uint64_t dom_schedule_start;
    bool dom_schedule_init;

    /* virtual time, in instructions */
    uint64_t now;
    uint64_t next_tick;
    uint64_t user_insns;

    /* end of run */
    bool stop;
    int status;

    /* observability and injection */
    uint64_t syscalls;
    uint64_t host_ns;                     /* wall time spent in kernel_run */
    thread_record *dead_threads;
    size_t n_dead, cap_dead;
    sim_space *null_space;                /* threads without a valid VSpace run here */
    inject_state inject[SIM_MAX_INJECT];
    uint64_t rng;
};

/* ---- objects.c: object registry ---- */
kobj *obj_new(kernel *k, enum obj_kind kind, uint64_t paddr, size_t size);
void obj_free(kernel *k, kobj *o);
void obj_reap(kernel *k);
const char *obj_kind_name(unsigned kind);

/* ---- regs.c: register file ---- */
uint64_t sanitise_register(unsigned reg, uint64_t v);
void regs_init_context(tcb *t);
void regs_load(const tcb *t, sim_regs *r);
void regs_user_mode(const tcb *t);
void regs_save_syscall(tcb *t, const sim_regs *r);
void regs_save_full(tcb *t, const sim_regs *r, uint64_t error);
void post_modify_registers(kernel *k, tcb *t);

/* ---- kmem.c: physical memory seen by the kernel ---- */
void *phys_ram(kernel *k, uint64_t paddr, uint64_t len);
void phys_zero(kernel *k, uint64_t paddr, uint64_t len);
void *device_backing(kernel *k, uint64_t paddr);
void devpages_free(kernel *k);
uint64_t *lookup_ipc_buffer(kernel *k, tcb *t, bool receiver);
uint64_t get_syscall_arg(kernel *k, unsigned i, const uint64_t *buf);
unsigned set_mr(tcb *t, uint64_t *buf, unsigned i, uint64_t v);

/* ---- cap.c: capability properties ---- */
cap cap_null(void);
bool same_region_as(const cap *a, const cap *b);
bool same_object_as(const cap *a, const cap *b);
bool is_cap_revocable(const cap *derived, const cap *src);
cap mask_cap_rights(unsigned rights, cap c);
cap update_cap_data(bool preserve, uint64_t data, cap c);
exc derive_cap(kernel *k, cte *slot, cap c, cap *out);
unsigned cap_size_bits(const cap *c);
bool cap_is_physical(const cap *c);
bool has_cancel_send_rights(const cap *c);
const char *cap_type_name(unsigned type);

/* ---- cdt.c: the derivation tree ---- */
void cte_insert(kernel *k, cap newcap, cte *src, cte *dest);
void cte_move(cap newcap, cte *src, cte *dest);
void cte_swap(cap c1, cte *s1, cap c2, cte *s2);
void insert_new_cap(cte *parent, cte *slot, cap c);
bool is_mdb_parent_of(const cte *a, const cte *b);
exc ensure_no_children(kernel *k, cte *slot);
exc ensure_empty_slot(kernel *k, cte *slot);
bool is_final_capability(const cte *c);
bool slot_cap_long_running_delete(const cte *c);
void setup_reply_master(tcb *t);

/* ---- delete.c: finalisation, deletion, revocation ---- */
exc cte_delete(kernel *k, cte *slot, bool exposed);
void cte_delete_one(kernel *k, cte *slot);
exc cte_revoke(kernel *k, cte *slot);

/* ---- cspace.c: capability addressing ---- */
typedef struct resolve_ret { exc status; cte *slot; unsigned bits_remaining; } resolve_ret;
resolve_ret resolve_address_bits(kernel *k, const cap *node, uint64_t cptr, unsigned n_bits);
exc lookup_slot(kernel *k, tcb *t, uint64_t cptr, cte **slot);
exc lookup_slot_for_cnode_op(kernel *k, bool is_source, const cap *root, uint64_t cptr,
                             uint64_t depth, cte **slot);
cte *get_receive_slot(kernel *k, tcb *t, const uint64_t *buf);

/* ---- cnode.c / untyped.c / tcb.c / vspace.c / asid.c / irq.c / ioport.c: invocations ---- */
exc decode_cnode(kernel *k, uint64_t label, unsigned length, const cap *c, const uint64_t *buf);
exc decode_untyped(kernel *k, uint64_t label, unsigned length, cte *slot, const cap *c,
                   const uint64_t *buf);
unsigned object_size_bits(uint64_t type, uint64_t user_bits);
cap create_object(kernel *k, uint64_t type, uint64_t paddr, uint64_t user_bits, bool device);
exc decode_tcb(kernel *k, uint64_t label, unsigned length, const cap *c, cte *slot, bool call,
               const uint64_t *buf);
exc decode_mmu(kernel *k, uint64_t label, unsigned length, cte *slot, const cap *c, bool call,
               const uint64_t *buf);
exc decode_asid_control(kernel *k, uint64_t label, unsigned length, const uint64_t *buf);
exc decode_asid_pool(kernel *k, uint64_t label, const cap *c);
exc decode_irq_control(kernel *k, uint64_t label, unsigned length, cte *slot, const uint64_t *buf);
exc decode_irq_handler(kernel *k, uint64_t label, unsigned irq);
exc decode_ioport_control(kernel *k, uint64_t label, unsigned length, cte *slot, const uint64_t *buf);
exc decode_domain(kernel *k, uint64_t label, unsigned length, const uint64_t *buf);
exc decode_ioport(kernel *k, uint64_t label, unsigned length, const cap *c, bool call,
                  const uint64_t *buf);

/* ---- sched.c: threads and the scheduler ---- */
bool is_runnable(const tcb *t);
bool is_stopped(const tcb *t);
void sched_enqueue(kernel *k, tcb *t);
void sched_append(kernel *k, tcb *t);
void sched_dequeue(kernel *k, tcb *t);
void set_thread_state(kernel *k, tcb *t, unsigned ts);
void schedule_tcb(kernel *k, tcb *t);
void reschedule_required(kernel *k);
void possible_switch_to(kernel *k, tcb *t);
void schedule(kernel *k);
void activate_thread(kernel *k);
void set_priority(kernel *k, tcb *t, unsigned prio);
void suspend_thread(kernel *k, tcb *t);
void restart_thread(kernel *k, tcb *t);
void timer_tick(kernel *k);
void dbg_thread_add(kernel *k, tcb *t);
void dbg_thread_remove(kernel *k, tcb *t);
tcb *tcb_new(kernel *k, uint64_t paddr);

/* ---- ipc.c: endpoints and message transfer ---- */
void send_ipc(kernel *k, bool blocking, bool do_call, uint64_t badge, bool grant,
              bool grant_reply, tcb *t, endpoint *ep);
void receive_ipc(kernel *k, tcb *t, const cap *c, bool blocking);
void do_reply_transfer(kernel *k, tcb *sender, tcb *receiver, cte *slot, bool grant);
void cancel_ipc(kernel *k, tcb *t);
void cancel_all_ipc(kernel *k, endpoint *ep);
void cancel_badged_sends(kernel *k, endpoint *ep, uint64_t badge);
void delete_caller_cap(kernel *k, tcb *t);
void reply_from_kernel_error(kernel *k, tcb *t);
void reply_from_kernel_success_empty(tcb *t);
unsigned set_mrs_syscall_error(kernel *k, tcb *t, uint64_t *buf);
tcb_queue tcb_ep_append(tcb *t, tcb_queue q);
tcb_queue tcb_ep_dequeue(tcb *t, tcb_queue q);
exc lookup_extra_caps(kernel *k, tcb *t, const uint64_t *buf, uint64_t info);

/* ---- notification.c ---- */
void send_signal(kernel *k, notification *n, uint64_t badge);
void receive_signal(kernel *k, tcb *t, const cap *c, bool blocking);
void cancel_all_signals(kernel *k, notification *n);
void cancel_signal(kernel *k, tcb *t, notification *n);
void complete_signal(kernel *k, notification *n, tcb *t);
void bind_notification(tcb *t, notification *n);
void unbind_notification(tcb *t);
void unbind_maybe_notification(notification *n);

/* ---- fault.c ---- */
void handle_fault(kernel *k, tcb *t);
unsigned set_mrs_fault(kernel *k, tcb *sender, tcb *receiver, uint64_t *buf);
unsigned set_mrs_lookup_failure(tcb *receiver, uint64_t *buf, const lookup_fault *lf, unsigned offset);
bool handle_fault_reply(kernel *k, tcb *receiver, tcb *sender);
void format_fault(const fault *f, char *out, size_t len);

/* ---- vspace.c: x86_64 paging ---- */
ptable *find_vspace_for_asid(kernel *k, uint64_t asid);
void unmap_page(kernel *k, unsigned size_bits, uint64_t asid, uint64_t vaddr, uint64_t paddr);
void unmap_table(kernel *k, ptable *pt, uint64_t asid, uint64_t vaddr);
void table_clear(kernel *k, ptable *t);
void table_detach_children(ptable *t);
exc check_valid_ipc_buffer(kernel *k, uint64_t vaddr, const cap *c);
bool is_valid_vtable_root(const cap *c);
sim_space *thread_space(kernel *k, tcb *t);
uint32_t vspace_fault_fsr(kernel *k, tcb *t, uint64_t addr, uint32_t machine_fsr);
ptable *ptable_new(kernel *k, unsigned level, uint64_t paddr);
void ptable_free(kernel *k, ptable *t);

/* ---- asid.c ---- */
void delete_asid(kernel *k, uint64_t asid, ptable *pml4);
void delete_asid_pool(kernel *k, uint64_t base, asid_pool *pool);

/* ---- irq.c ---- */
void irq_init(kernel *k);
void handle_interrupt(kernel *k, unsigned irq);
void deleting_irq_handler(kernel *k, unsigned irq);
void deleted_irq_handler(kernel *k, unsigned irq);
void irq_device_lines(kernel *k, uint32_t isa_mask);
int irq_next_deliverable(kernel *k);
bool irq_any_routed(const kernel *k);

/* ---- ioport.c ---- */
void free_ioport_range(kernel *k, unsigned first, unsigned last);

/* ---- syscall.c: kernel entries ---- */
void entry_syscall(kernel *k, int64_t sysno);
/* DebugSnapshot: the slot at which the real kernel's capDL dump would never finish, or NULL. */
const cte *snapshot_stopping_slot(kernel *k);
void entry_vm_fault(kernel *k, uint64_t addr, uint32_t error);
void entry_user_exception(kernel *k, uint32_t vector, uint32_t code);
void entry_interrupt(kernel *k, unsigned irq);
exc decode_invocation(kernel *k, uint64_t label, unsigned length, uint64_t cptr, cte *slot,
                      const cap *c, bool block, bool call, const uint64_t *buf);

/* ---- inject.c ---- */
bool inject_nomem(kernel *k, uint64_t label);
uint64_t inject_budget(kernel *k, tcb *t, uint64_t budget);
bool inject_before_run(kernel *k, tcb *t);
bool inject_at_syscall(kernel *k, tcb *t, sim_regs *r);
void inject_init(kernel *k);
bool inject_fired(const kernel *k, int i);
int inject_label_from_name(const char *name);
const char *invocation_label_name(uint64_t label);

/* ---- stats.c ---- */
void stats_thread_gone(kernel *k, const tcb *t);

/* ---- trace.c ---- */
void trace_syscall(kernel *k, tcb *t, int64_t sysno, uint64_t cptr, uint64_t info);
void trace_result(kernel *k, tcb *t, const char *what, uint64_t label, int err);
void trace_fault(kernel *k, tcb *t, const fault *f, const char *outcome);
void kernel_message(kernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void user_error(kernel *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- convenience ---- */
#define BIT(n) (1ull << (n))
#define MASK(n) ((n) >= 64 ? ~0ull : (BIT(n) - 1ull))
static inline tcb *cap_tcb(const cap *c) { return (tcb *)c->obj; }
static inline endpoint *cap_ep(const cap *c) { return (endpoint *)c->obj; }
static inline notification *cap_ntfn(const cap *c) { return (notification *)c->obj; }
static inline cnode *cap_cnode(const cap *c) { return (cnode *)c->obj; }
static inline ptable *cap_ptable(const cap *c) { return (ptable *)c->obj; }
static inline cte *tcb_slot(tcb *t, unsigned i) { return &t->slot[i]; }

/* Sets an error for the current invocation and returns EXC_SYSCALL_ERROR. */
static inline exc syserr(kernel *k, int type)
{
    k->err.type = type;
    return EXC_SYSCALL_ERROR;
}
static inline exc syserr_range(kernel *k, uint64_t lo, uint64_t hi)
{
    k->err.type = seL4_RangeError;
    k->err.range_min = lo;
    k->err.range_max = hi;
    return EXC_SYSCALL_ERROR;
}
static inline exc syserr_arg(kernel *k, uint64_t n)
{
    k->err.type = seL4_InvalidArgument;
    k->err.invalid_arg = n;
    return EXC_SYSCALL_ERROR;
}
static inline exc syserr_cap(kernel *k, uint64_t n)
{
    k->err.type = seL4_InvalidCapability;
    k->err.invalid_cap = n;
    return EXC_SYSCALL_ERROR;
}
static inline exc syserr_lookup(kernel *k, bool source)
{
    k->err.type = seL4_FailedLookup;
    k->err.lookup_was_source = source;
    return EXC_SYSCALL_ERROR;
}
static inline lookup_fault lf_missing(unsigned bits_left)
{
    lookup_fault f = { LF_MISSING_CAP, (uint8_t)bits_left, 0, 0 };
    return f;
}
