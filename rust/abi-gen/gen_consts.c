/*
 * gen_consts: prints the Rust module `consts` (rust/sel4/src/consts.rs includes it) from
 * the C headers, so that the C ABI layer (abi/include/sel4) and the startup convention
 * (runtime/include/runtime/startup.h) are the single source of every constant and layout
 * the Rust bindings use.  CMake runs it at build time (gen_consts OUTPUT.rs); nothing
 * it writes is checked in.
 *
 * Names: seL4's own for seL4 constants (seL4_MsgMaxLength, seL4_SysCall, CNodeCopy, ...)
 * and startup.h's for the startup convention.  Layouts the C headers express as code
 * (bit fields packed by seL4_MessageInfo_new, struct offsets) are measured here and
 * printed as SHIFT/BITS and OFFSET constants, plus a few MessageInfo encodings computed
 * by the C functions, which the Rust host tests compare with the Rust encoder.
 */
#include <sel4/sel4.h>
#include <runtime/console.h>
#include <runtime/startup.h>
#include <stddef.h>
#include <stdio.h>

static void word(const char *name, unsigned long long v)
{
    printf("pub const %s: Word = %#llx;\n", name, v);
}

static void syscall_number(const char *name, long long v)
{
    printf("pub const %s: isize = %lld;\n", name, v);
}

/* Shift and width of a contiguous bit field, given the word with all its bits set. */
static void bitfield(const char *name, unsigned long long ones)
{
    unsigned shift = 0, bits = 0;
    while (shift < 64 && ((ones >> shift) & 1u) == 0) {
        shift++;
    }
    while (shift + bits < 64 && ((ones >> (shift + bits)) & 1u) != 0) {
        bits++;
    }
    printf("pub const %s_SHIFT: u32 = %u;\npub const %s_BITS: u32 = %u;\n", name, shift, name,
           bits);
}

static void offset(const char *name, size_t v)
{
    printf("pub const %s: usize = %zu;\n", name, v);
}

static void syscalls(void)
{
    printf("\n// System call numbers (sel4/syscall.h).\n");
#define SYS(n) syscall_number(#n, (long long)(n))
    SYS(seL4_SysCall); SYS(seL4_SysReplyRecv); SYS(seL4_SysSend); SYS(seL4_SysNBSend);
    SYS(seL4_SysRecv); SYS(seL4_SysReply); SYS(seL4_SysYield); SYS(seL4_SysNBRecv);
    SYS(seL4_SysSetTLSBase);
#undef SYS
    /* The debug console exists only on a kernel with CONFIG_PRINTING (abi/include/sel4/
     * config.h); on a release kernel the Rust side gets None and never makes the call. */
    printf("\n// seL4_DebugPutChar's number, None on a kernel without it (KernelPrinting OFF).\n");
#ifdef CONFIG_PRINTING
    printf("pub const DEBUG_PUT_CHAR_SYSCALL: Option<isize> = Some(%lld);\n", (long long)seL4_SysDebugPutChar);
#else
    printf("pub const DEBUG_PUT_CHAR_SYSCALL: Option<isize> = None;\n");
#endif
}

static void console(void)
{
    printf("\n// The console driver's WRITE request (runtime/console.h, drivers/serial/PROTOCOL.md).\n");
#define W(n) word(#n, (unsigned long long)(n))
    W(CONSOLE_WRITE); W(CONSOLE_WRITE_MAX);
#undef W
}

static void limits(void)
{
    printf("\n// Sizes and limits (sel4/constants.h, sel4/types.h).\n");
#define W(n) word(#n, (unsigned long long)(n))
    W(seL4_WordBits); W(seL4_MsgLengthBits); W(seL4_MsgMaxLength); W(seL4_MsgExtraCapBits);
    W(seL4_MsgMaxExtraCaps); W(seL4_FastMessageRegisters); W(seL4_IPCBufferSizeBits);
    W(seL4_PageBits); W(seL4_CapNull);
    printf("\n// Errors (sel4/errors.h).\n");
    W(seL4_NoError); W(seL4_InvalidArgument); W(seL4_InvalidCapability);
    W(seL4_IllegalOperation); W(seL4_RangeError); W(seL4_AlignmentError);
    W(seL4_FailedLookup); W(seL4_TruncatedMessage); W(seL4_DeleteFirst); W(seL4_RevokeFirst);
    W(seL4_NotEnoughMemory); W(seL4_NumErrors);
#undef W
}

static void invocation_labels(void)
{
    printf("\n// Invocation labels (sel4/invocation.h).\n");
#define L(n) word(#n, (unsigned long long)(n))
    L(InvalidInvocation); L(UntypedRetype);
    L(TCBReadRegisters); L(TCBWriteRegisters); L(TCBCopyRegisters); L(TCBConfigure);
    L(TCBSetPriority); L(TCBSetMCPriority); L(TCBSetSchedParams); L(TCBSetIPCBuffer);
    L(TCBSetSpace); L(TCBSuspend); L(TCBResume); L(TCBBindNotification);
    L(TCBUnbindNotification); L(TCBSetTLSBase); L(TCBSetFlags);
    L(CNodeRevoke); L(CNodeDelete); L(CNodeCancelBadgedSends); L(CNodeCopy); L(CNodeMint);
    L(CNodeMove); L(CNodeMutate); L(CNodeRotate); L(CNodeSaveCaller);
    L(IRQIssueIRQHandler); L(IRQAckIRQ); L(IRQSetIRQHandler); L(IRQClearIRQHandler);
    L(nInvocationLabels);
#undef L
}

static void layouts(void)
{
    printf("\n// seL4_MessageInfo_t fields (seL4_MessageInfo_new in sel4/types.h).\n");
    const unsigned long long all = ~0ull;
    bitfield("MESSAGE_INFO_LABEL", seL4_MessageInfo_new(all, 0, 0, 0).words[0]);
    bitfield("MESSAGE_INFO_CAPS_UNWRAPPED", seL4_MessageInfo_new(0, all, 0, 0).words[0]);
    bitfield("MESSAGE_INFO_EXTRA_CAPS", seL4_MessageInfo_new(0, 0, all, 0).words[0]);
    bitfield("MESSAGE_INFO_LENGTH", seL4_MessageInfo_new(0, 0, 0, all).words[0]);

    printf("\n// seL4_CapRights_t bits (seL4_CapRights_new in sel4/types.h).\n");
    bitfield("CAP_RIGHTS_GRANT_REPLY", seL4_CapRights_new(1, 0, 0, 0).words[0]);
    bitfield("CAP_RIGHTS_GRANT", seL4_CapRights_new(0, 1, 0, 0).words[0]);
    bitfield("CAP_RIGHTS_READ", seL4_CapRights_new(0, 0, 1, 0).words[0]);
    bitfield("CAP_RIGHTS_WRITE", seL4_CapRights_new(0, 0, 0, 1).words[0]);

    printf("\n// seL4_IPCBuffer layout (sel4/ipcbuffer.h).\n");
    offset("IPC_BUFFER_SIZE", sizeof(seL4_IPCBuffer));
    offset("IPC_BUFFER_OFFSET_TAG", offsetof(seL4_IPCBuffer, tag));
    offset("IPC_BUFFER_OFFSET_MSG", offsetof(seL4_IPCBuffer, msg));
    offset("IPC_BUFFER_OFFSET_USER_DATA", offsetof(seL4_IPCBuffer, userData));
    offset("IPC_BUFFER_OFFSET_CAPS_OR_BADGES", offsetof(seL4_IPCBuffer, caps_or_badges));
    offset("IPC_BUFFER_OFFSET_RECEIVE_CNODE", offsetof(seL4_IPCBuffer, receiveCNode));
    offset("IPC_BUFFER_OFFSET_RECEIVE_INDEX", offsetof(seL4_IPCBuffer, receiveIndex));
    offset("IPC_BUFFER_OFFSET_RECEIVE_DEPTH", offsetof(seL4_IPCBuffer, receiveDepth));
}

static void startup(void)
{
    printf("\n// Startup convention for programs that are not the root task "
           "(runtime/startup.h).\n");
#define W(n) word(#n, (unsigned long long)(n))
    W(RUNTIME_STARTUP_MAGIC); W(RUNTIME_STARTUP_VERSION); W(RUNTIME_STARTUP_MAX_ARGS);
    W(RUNTIME_STARTUP_NAME_LEN); W(PROGRAM_STARTUP_VADDR); W(PROGRAM_IPC_BUFFER_VADDR);
    W(PROGRAM_SLOT_TCB); W(PROGRAM_SLOT_CNODE); W(PROGRAM_SLOT_VSPACE);
    W(PROGRAM_SLOT_FAULT_EP); W(PROGRAM_SLOT_FIRST_CAP); W(PROGRAM_EXIT_LABEL);
    W(PROGRAM_SLOT_SERVICE_EP); W(PROGRAM_SLOT_SUPERVISOR_EP); W(PROGRAM_SLOT_HEARTBEAT_ACK);
    W(RUNTIME_PING_BADGE);
#undef W
#define O(field, name) offset("STARTUP_OFFSET_" name, offsetof(runtime_startup_t, field))
    offset("STARTUP_SIZE", sizeof(runtime_startup_t));
    O(magic, "MAGIC"); O(version, "VERSION"); O(ipc_buffer, "IPC_BUFFER");
    O(cnode_size_bits, "CNODE_SIZE_BITS"); O(fault_ep, "FAULT_EP");
    O(caps_start, "CAPS_START"); O(caps_end, "CAPS_END"); O(empty_start, "EMPTY_START");
    O(empty_end, "EMPTY_END"); O(nargs, "NARGS"); O(args, "ARGS"); O(name, "NAME");
    O(supervisor_ep, "SUPERVISOR_EP"); O(heartbeat_ack, "HEARTBEAT_ACK");
    O(service_ep, "SERVICE_EP"); O(memserver_ep, "MEMSERVER_EP");
    O(generation, "GENERATION"); O(restarted, "RESTARTED"); O(console_ep, "CONSOLE_EP");
#undef O
}

/* MessageInfo words computed by the C encoder, for the Rust host tests. */
static void message_info_vectors(void)
{
    static const unsigned long long in[][4] = {
        { 0, 0, 0, 0 },
        { 1, 0, 0, 1 },
        { 0x45584954, 0, 0, 1 },
        { 0x123, 5, 2, 0x45 },
        { 0xfffffffffffffull, 7, 3, 0x7f },
        { ~0ull, ~0ull, ~0ull, ~0ull },
        { 0x10000000000000ull, 8, 4, 0x80 },
    };
    printf("\n// (label, capsUnwrapped, extraCaps, length, seL4_MessageInfo_new(...).words[0]).\n");
    printf("pub const MESSAGE_INFO_VECTORS: [[Word; 5]; %zu] = [\n", sizeof(in) / sizeof(in[0]));
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        seL4_MessageInfo_t m = seL4_MessageInfo_new(in[i][0], in[i][1], in[i][2], in[i][3]);
        printf("    [%#llx, %#llx, %#llx, %#llx, %#llx],\n", in[i][0], in[i][1], in[i][2],
               in[i][3], (unsigned long long)m.words[0]);
    }
    printf("];\n");
}

int main(int argc, char **argv)
{
    if (argc != 2 || freopen(argv[1], "w", stdout) == NULL) {
        fprintf(stderr, "usage: gen_consts OUTPUT.rs\n");
        return 2;
    }
    printf("// Generated by rust/abi-gen/gen_consts.c from the C headers. Do not edit.\n");
    printf("pub type Word = u64;\n");
    syscalls();
    limits();
    invocation_labels();
    layouts();
    startup();
    console();
    message_info_vectors();
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "gen_consts: cannot write %s\n", argv[1]);
        return 1;
    }
    return 0;
}
