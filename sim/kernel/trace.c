/*
 * Kernel console output and --trace.  The real debug kernel prints its messages on
 * the serial line; the model keeps stdout for the guest and writes them to stderr.
 */
#include <stdarg.h>
#include "kstate.h"

static const char *syscall_name(int64_t sysno)
{
    static const char *const names[] = {
        "?", "Call", "ReplyRecv", "Send", "NBSend", "Recv", "Reply", "Yield", "NBRecv",
        "DebugPutChar", "DebugDumpScheduler", "DebugHalt", "DebugCapIdentify",
        "DebugSnapshot", "DebugNameThread",
    };
    if (sysno <= -1 && sysno >= -14)
        return names[-sysno];
    if (sysno == seL4_SysSetTLSBase)
        return "SetTLSBase";
    return "unknown";
}

static const char *error_name(int err)
{
    static const char *const names[] = {
        "NoError", "InvalidArgument", "InvalidCapability", "IllegalOperation", "RangeError",
        "AlignmentError", "FailedLookup", "TruncatedMessage", "DeleteFirst", "RevokeFirst",
        "NotEnoughMemory",
    };
    return err >= 0 && err < seL4_NumErrors ? names[err] : "?";
}

/* Console output (stdout, buffered) goes out before a message on stderr, so that the
 * message cannot land in the middle of a console line when both go to one file. */
static void sync_console(kernel *k)
{
    if (k && k->dev)
        devices_flush(k->dev);
}

void kernel_message(kernel *k, const char *fmt, ...)
{
    sync_console(k);
    va_list ap;
    va_start(ap, fmt);
    fputs("seL4: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void user_error(kernel *k, const char *fmt, ...)
{
    if (!k->cfg || !k->cfg->trace)
        return;
    sync_console(k);
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "trace: <<seL4 [\"%s\" @0x%llx]: ", k->cur ? k->cur->name : "?",
            k->cur ? (unsigned long long)k->cur->ctx[R_FAULTIP] : 0ull);
    vfprintf(stderr, fmt, ap);
    fputs(">>\n", stderr);
    va_end(ap);
}

void trace_syscall(kernel *k, tcb *t, int64_t sysno, uint64_t cptr, uint64_t info)
{
    if (!k->cfg || !k->cfg->trace || sysno == seL4_SysDebugPutChar)
        return;
    switch (sysno) {
    case seL4_SysCall: case seL4_SysSend: case seL4_SysNBSend: case seL4_SysReply:
    case seL4_SysReplyRecv:
        fprintf(stderr, "trace: t=%llu \"%s\" %s cap=0x%llx label=%s len=%llu caps=%llu\n",
                (unsigned long long)k->now, t->name, syscall_name(sysno), (unsigned long long)cptr,
                invocation_label_name(info >> 12), (unsigned long long)(info & 0x7f),
                (unsigned long long)((info >> 7) & 3));
        break;
    default:
        fprintf(stderr, "trace: t=%llu \"%s\" %s arg=0x%llx\n", (unsigned long long)k->now, t->name,
                syscall_name(sysno), (unsigned long long)cptr);
        break;
    }
}

void trace_result(kernel *k, tcb *t, const char *what, uint64_t label, int err)
{
    if (!k->cfg || !k->cfg->trace)
        return;
    fprintf(stderr, "trace:   \"%s\" %s.%s -> %s\n", t->name, what, invocation_label_name(label),
            error_name(err));
}

void trace_fault(kernel *k, tcb *t, const fault *f, const char *outcome)
{
    if (!k->cfg || !k->cfg->trace)
        return;
    char buf[160];
    format_fault(f, buf, sizeof buf);
    fprintf(stderr, "trace: t=%llu \"%s\" fault: %s at 0x%llx: %s\n", (unsigned long long)k->now,
            t->name, buf, (unsigned long long)t->ctx[R_FAULTIP], outcome);
}
