/* Thread lifecycle: creation by retype, suspend and resume, the debug thread list. */
#include <string.h>
#include "kstate.h"

static void name_append(char *dst, const char *src)
{
    size_t n = strlen(dst);
    while (*src && n + 1 < TCB_NAME_LEN)
        dst[n++] = *src++;
    dst[n] = '\0';
}

void dbg_thread_add(kernel *k, tcb *t)
{
    t->dbg_prev = NULL;
    t->dbg_next = k->dbg_threads;
    if (k->dbg_threads)
        k->dbg_threads->dbg_prev = t;
    k->dbg_threads = t;
}

void dbg_thread_remove(kernel *k, tcb *t)
{
    if (t->dbg_prev)
        t->dbg_prev->dbg_next = t->dbg_next;
    else if (k->dbg_threads == t)
        k->dbg_threads = t->dbg_next;
    if (t->dbg_next)
        t->dbg_next->dbg_prev = t->dbg_prev;
    t->dbg_next = t->dbg_prev = NULL;
}

tcb *tcb_new(kernel *k, uint64_t paddr)
{
    tcb *t = (tcb *)obj_new(k, OBJ_TCB, paddr, sizeof(tcb));
    regs_init_context(t);
    t->time_slice = 5;
    t->state = TS_INACTIVE;
    t->name[0] = '\0';
    name_append(t->name, "child of: '");
    name_append(t->name, k->cur ? k->cur->name : "");
    name_append(t->name, "'");
    dbg_thread_add(k, t);
    return t;
}

void suspend_thread(kernel *k, tcb *t)
{
    cancel_ipc(k, t);
    if (t->state == TS_RUNNING)
        t->ctx[R_FAULTIP] = t->ctx[R_NEXTIP];
    sched_dequeue(k, t);
    set_thread_state(k, t, TS_INACTIVE);
}

void restart_thread(kernel *k, tcb *t)
{
    if (!is_stopped(t))
        return;
    cancel_ipc(k, t);
    setup_reply_master(t);
    set_thread_state(k, t, TS_RESTART);
    sched_enqueue(k, t);
    possible_switch_to(k, t);
}
