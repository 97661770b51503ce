/* The conformance harness: case lines, summary, and small resource helpers. */
#include "harness.h"
#include <runtime/alloc.h>
#include <runtime/string.h>
#include <stdarg.h>

static const char *g_area = "?";
static unsigned g_case, g_passed, g_failed;
static seL4_CPtr g_park_ntfn;

static const char *const error_names[] = {
    "seL4_NoError",         "seL4_InvalidArgument", "seL4_InvalidCapability",
    "seL4_IllegalOperation", "seL4_RangeError",     "seL4_AlignmentError",
    "seL4_FailedLookup",    "seL4_TruncatedMessage", "seL4_DeleteFirst",
    "seL4_RevokeFirst",     "seL4_NotEnoughMemory",
};

const char *conf_error_name(seL4_Word err)
{
    return err < sizeof(error_names) / sizeof(error_names[0]) ? error_names[err] : "(bad error)";
}

void conf_begin(const char *area)
{
    g_area = area; /* the runtime's start code has already run alloc_init */
    g_park_ntfn = conf_object(seL4_NotificationObject, 0);
}

void conf_end(void)
{
    printf("conf-%s: %u passed, %u failed\n", g_area, g_passed, g_failed);
    runtime_exit(g_failed ? 1 : 0);
}

void conf_bail(const char *fmt, ...)
{
    char desc[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof(desc), fmt, ap);
    va_end(ap);
    printf("Bail out! %s: %s\n", g_area, desc);
    runtime_exit(2);
}

/* Prints one case line; `detail` (may be NULL) is appended to a failing line. */
static void report(bool ok, const char *detail, const char *fmt, va_list ap)
{
    char desc[160];
    vsnprintf(desc, sizeof(desc), fmt, ap);
    g_case++;
    if (ok) {
        g_passed++;
        printf("ok %u %s: %s\n", g_case, g_area, desc);
    } else {
        g_failed++;
        printf("not ok %u %s: %s%s%s%s\n", g_case, g_area, desc, detail ? " (" : "",
               detail ? detail : "", detail ? ")" : "");
    }
}

void check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    report(ok, NULL, fmt, ap);
    va_end(ap);
}

void check_eq(seL4_Word got, seL4_Word expected, const char *fmt, ...)
{
    char detail[80];
    snprintf(detail, sizeof(detail), "got 0x%lx, expected 0x%lx", got, expected);
    va_list ap;
    va_start(ap, fmt);
    report(got == expected, detail, fmt, ap);
    va_end(ap);
}

void check_err(seL4_Error got, seL4_Error expected, const char *fmt, ...)
{
    char detail[80];
    snprintf(detail, sizeof(detail), "got %s, expected %s", conf_error_name((seL4_Word)got),
             conf_error_name((seL4_Word)expected));
    va_list ap;
    va_start(ap, fmt);
    report(got == expected, detail, fmt, ap);
    va_end(ap);
}

void check_range(seL4_Error got, seL4_Word min, seL4_Word max, const char *fmt, ...)
{
    seL4_Word lo = seL4_GetMR(0), hi = seL4_GetMR(1);
    char detail[120];
    bool ok = got == seL4_RangeError && lo == min && hi == max;
    if (got != seL4_RangeError)
        snprintf(detail, sizeof(detail), "got %s, expected seL4_RangeError",
                 conf_error_name((seL4_Word)got));
    else
        snprintf(detail, sizeof(detail), "got range [%lu, %lu], expected [%lu, %lu]", lo, hi, min,
                 max);
    va_list ap;
    va_start(ap, fmt);
    report(ok, detail, fmt, ap);
    va_end(ap);
}

void check_lookup(seL4_Error got, seL4_Word was_source, seL4_Word type, unsigned nfields,
                  seL4_Word f0, seL4_Word f1, seL4_Word f2, const char *fmt, ...)
{
    /* Read the message registers before anything else can overwrite them. */
    seL4_Word mr[5];
    for (int i = 0; i < 5; i++) mr[i] = seL4_GetMR(i);
    const seL4_Word want[5] = { was_source, type, f0, f1, f2 };
    unsigned n = 2 + (nfields > 3 ? 3 : nfields);
    char detail[160];
    bool ok = got == seL4_FailedLookup;
    if (!ok) {
        snprintf(detail, sizeof(detail), "got %s, expected seL4_FailedLookup",
                 conf_error_name((seL4_Word)got));
    } else {
        for (unsigned i = 0; i < n; i++) ok = ok && mr[i] == want[i];
        int len = snprintf(detail, sizeof(detail), "got MRs");
        for (unsigned i = 0; i < n && len > 0 && (size_t)len < sizeof(detail); i++)
            len += snprintf(detail + len, sizeof(detail) - (size_t)len, " %lu", mr[i]);
        if (len > 0 && (size_t)len < sizeof(detail))
            len += snprintf(detail + len, sizeof(detail) - (size_t)len, ", expected");
        for (unsigned i = 0; i < n && len > 0 && (size_t)len < sizeof(detail); i++)
            len += snprintf(detail + len, sizeof(detail) - (size_t)len, " %lu", want[i]);
    }
    va_list ap;
    va_start(ap, fmt);
    report(ok, detail, fmt, ap);
    va_end(ap);
}

seL4_CPtr conf_slot(void)
{
    seL4_CPtr s = alloc_slot();
    if (s == seL4_CapNull) conf_bail("out of CSpace slots");
    return s;
}

seL4_CPtr conf_object(seL4_Word type, seL4_Word size_bits)
{
    seL4_CPtr c = alloc_object(type, size_bits);
    if (c == seL4_CapNull) conf_bail("cannot allocate object type %lu size %lu", type, size_bits);
    return c;
}

/* Maps the paging structure of `type` covering vaddr; DeleteFirst = already there. */
static seL4_Error map_level(seL4_Word type, seL4_Word vaddr)
{
    seL4_CPtr c = conf_object(type, 0);
    switch (type) {
    case seL4_X86_PDPTObject:
        return seL4_X86_PDPT_Map(c, seL4_CapInitThreadVSpace, vaddr, seL4_X86_Default_VMAttributes);
    case seL4_X86_PageDirectoryObject:
        return seL4_X86_PageDirectory_Map(c, seL4_CapInitThreadVSpace, vaddr,
                                          seL4_X86_Default_VMAttributes);
    default:
        return seL4_X86_PageTable_Map(c, seL4_CapInitThreadVSpace, vaddr,
                                      seL4_X86_Default_VMAttributes);
    }
}

seL4_Error conf_map(seL4_CPtr frame, seL4_Word vaddr, seL4_CapRights_t rights)
{
    /* At most three missing levels (PDPT, PD, PT). */
    for (int tries = 0; tries < 4; tries++) {
        seL4_Error e = seL4_X86_Page_Map(frame, seL4_CapInitThreadVSpace, vaddr, rights,
                                         seL4_X86_Default_VMAttributes);
        if (e != seL4_FailedLookup) return e;
        /* MR2 = bits left when the lookup stopped: 39 no PDPT, 30 no PD, 21 no PT. */
        seL4_Word bits_left = seL4_GetMR(2);
        seL4_Word type = bits_left >= 39 ? seL4_X86_PDPTObject
                         : bits_left >= 30 ? seL4_X86_PageDirectoryObject
                                           : seL4_X86_PageTableObject;
        e = map_level(type, vaddr);
        if (e != seL4_NoError) return e;
    }
    return seL4_FailedLookup;
}

void *conf_page(seL4_CPtr *frame_out)
{
    static seL4_Word next = CONF_PAGE_REGION;
    seL4_CPtr f = conf_object(seL4_X86_4K, 0);
    seL4_Word vaddr = next;
    seL4_Error e = conf_map(f, vaddr, seL4_ReadWrite);
    if (e != seL4_NoError) conf_bail("conf_page: map failed with %s", conf_error_name(e));
    next += 4096;
    if (frame_out) *frame_out = f;
    return (void *)vaddr;
}

#define CONF_STACK_WORDS 2048
#define CONF_MAX_THREADS 64
static seL4_Word stacks[CONF_MAX_THREADS][CONF_STACK_WORDS] __attribute__((aligned(16)));
static unsigned n_threads;

void conf_thread_create(conf_thread_t *th, thread_entry_fn entry, void *arg, seL4_Word prio,
                        seL4_CPtr fault_ep)
{
    conf_thread_create_tcb(th, conf_object(seL4_TCBObject, 0), entry, arg, prio, fault_ep);
}

void conf_thread_create_tcb(conf_thread_t *th, seL4_CPtr tcb, thread_entry_fn entry, void *arg,
                            seL4_Word prio, seL4_CPtr fault_ep)
{
    if (n_threads >= CONF_MAX_THREADS) conf_bail("too many threads");
    th->tcb = tcb;
    th->ipc = conf_page(&th->ipc_frame);
    void *stack_top = &stacks[n_threads][CONF_STACK_WORDS];
    n_threads++;
    seL4_Error e = thread_start(&th->t, th->tcb, entry, arg, stack_top, th->ipc, th->ipc_frame,
                                fault_ep, prio);
    if (e != seL4_NoError) conf_bail("thread_start failed with %s", conf_error_name(e));
}

static seL4_CPtr g_settle_ntfn;

static void settle_helper(void *arg)
{
    (void)arg;
    for (;;) seL4_Signal(g_settle_ntfn);
}

void conf_settle(void)
{
    static conf_thread_t helper;
    if (g_settle_ntfn == seL4_CapNull) {
        g_settle_ntfn = conf_object(seL4_NotificationObject, 0);
        conf_thread_create(&helper, settle_helper, NULL, 1, seL4_CapNull);
    }
    seL4_Poll(g_settle_ntfn, NULL); /* forget a signal from an earlier idle moment */
    seL4_Wait(g_settle_ntfn, NULL);
}

void conf_park(void)
{
    for (;;) seL4_Wait(g_park_ntfn, NULL);
}
