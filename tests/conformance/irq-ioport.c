/* Conformance: x86 I/O ports (IOPortControl_Issue, In/Out) and IRQ handler caps
 * (IRQControl on an IOAPIC kernel: MSI and IOAPIC issue, SetNotification, Ack, Clear). */
#include "harness.h"

#define ROOT seL4_CapInitThreadCNode
#define D 64
#define SCRATCH 0x3ff /* COM1 scratch register: a byte that reads back what was written */

static seL4_Error issue(seL4_Word first, seL4_Word last, seL4_CPtr slot)
{
    return seL4_X86_IOPortControl_Issue(seL4_CapIOPortControl, first, last, ROOT, slot, D);
}

static void test_ioports(void)
{
    seL4_CPtr p = conf_slot(), q = conf_slot(), r = conf_slot(), copy = conf_slot();
    check_err(issue(SCRATCH, SCRATCH, p), seL4_NoError, "IOPortControl_Issue port 0x3ff");
    check_err(seL4_X86_IOPort_Out8(p, SCRATCH, 0x5a), seL4_NoError, "Out8 0x5a to 0x3ff");
    seL4_X86_IOPort_In8_t in = seL4_X86_IOPort_In8(p, SCRATCH);
    check(in.error == seL4_NoError && in.result == 0x5a, "In8 from 0x3ff reads 0x5a back");
    seL4_X86_IOPort_Out8(p, SCRATCH, 0xa5);
    in = seL4_X86_IOPort_In8(p, SCRATCH);
    check(in.error == seL4_NoError && in.result == 0xa5, "...and 0xa5 after writing 0xa5");
    check_err(seL4_X86_IOPort_Out8(p, SCRATCH - 1, 0), seL4_IllegalOperation,
              "Out8 to a port outside the cap's range -> IllegalOperation");
    in = seL4_X86_IOPort_In8(p, 0x3fe);
    check_eq((seL4_Word)in.error, seL4_IllegalOperation, "In8 from a port outside the range -> IllegalOperation");
    seL4_X86_IOPort_In16_t in16 = seL4_X86_IOPort_In16(p, SCRATCH);
    check_eq((seL4_Word)in16.error, seL4_IllegalOperation,
             "In16 at the last port of the range (runs past it) -> IllegalOperation");
    seL4_X86_IOPort_In32_t in32 = seL4_X86_IOPort_In32(p, SCRATCH);
    check_eq((seL4_Word)in32.error, seL4_IllegalOperation, "In32 likewise -> IllegalOperation");
    check_err(seL4_X86_IOPort_Out16(p, SCRATCH, 0), seL4_IllegalOperation,
              "Out16 at the last port -> IllegalOperation");

    check_err(issue(0x3fe, SCRATCH, q), seL4_RevokeFirst,
              "Issue a range overlapping an issued port -> RevokeFirst");
    check_err(issue(0x90, 0x80, q), seL4_InvalidArgument, "Issue with last < first -> InvalidArgument");
    check_eq(seL4_GetMR(0), 1, "InvalidArgument names argument 1");
    check_err(issue(0x80, 0x8f, p), seL4_DeleteFirst, "Issue into an occupied slot -> DeleteFirst");
    check_err(issue(0x80, 0x8f, q), seL4_NoError, "Issue the range 0x80-0x8f");
    check_err(issue(0x8f, 0x90, r), seL4_RevokeFirst, "a range sharing one port -> RevokeFirst");
    check_err(issue(0x90, 0x90, r), seL4_NoError, "the adjacent port 0x90 is free");
    in = seL4_X86_IOPort_In8(q, 0x90);
    check_eq((seL4_Word)in.error, seL4_IllegalOperation, "a cap for 0x80-0x8f cannot read 0x90");

    check_err(seL4_CNode_Copy(ROOT, copy, D, ROOT, p, D, seL4_AllRights), seL4_NoError,
              "copy the 0x3ff port cap");
    seL4_CNode_Delete(ROOT, p, D);
    in = seL4_X86_IOPort_In8(copy, SCRATCH);
    check(in.error == seL4_NoError && in.result == 0xa5, "the copy still works after deleting the original");
    check_err(issue(SCRATCH, SCRATCH, p), seL4_RevokeFirst, "while a copy exists the port stays issued");
    seL4_CNode_Delete(ROOT, copy, D);
    check_err(issue(SCRATCH, SCRATCH, p), seL4_NoError, "after deleting the last cap it can be issued again");
    seL4_MessageInfo_t m = seL4_Call(p, seL4_MessageInfo_new(X86IOPortIn8, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(m), seL4_TruncatedMessage, "In8 without a port argument -> TruncatedMessage");
    m = seL4_Call(p, seL4_MessageInfo_new(X86PageMap, 0, 0, 1));
    check_eq(seL4_MessageInfo_get_label(m), seL4_IllegalOperation, "a Page label on an I/O port cap -> IllegalOperation");
    m = seL4_Call(seL4_CapIOPortControl, seL4_MessageInfo_new(X86IOPortControlIssue, 0, 0, 3));
    check_eq(seL4_MessageInfo_get_label(m), seL4_TruncatedMessage, "Issue with 3 words -> TruncatedMessage");
}

static seL4_Error msi(seL4_CPtr slot, seL4_Word bus, seL4_Word dev, seL4_Word func, seL4_Word irq)
{
    return seL4_IRQControl_GetMSI(seL4_CapIRQControl, ROOT, slot, D, bus, dev, func, 0, irq);
}

static void test_irqs(void)
{
    seL4_CPtr h = conf_slot(), h2 = conf_slot(), h3 = conf_slot();
    check_err(seL4_IRQControl_Get(seL4_CapIRQControl, 4, ROOT, h, D), seL4_IllegalOperation,
              "IRQControl_Get (legacy PIC IRQ) on an IOAPIC kernel -> IllegalOperation");
    check_range(msi(h, 0, 0, 0, 108), 0, 107, "GetMSI irq 108 -> RangeError [0, 107]");
    check_range(msi(h, 256, 0, 0, 5), 0, 255, "GetMSI PCI bus 256 -> RangeError [0, 255]");
    check_range(msi(h, 0, 32, 0, 5), 0, 31, "GetMSI PCI device 32 -> RangeError [0, 31]");
    check_range(msi(h, 0, 0, 8, 5), 0, 7, "GetMSI PCI function 8 -> RangeError [0, 7]");
    check_range(seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, h, D, 1, 0, 0, 0, 6), 0, 0,
                "GetIOAPIC IOAPIC 1 (there is one) -> RangeError [0, 0]");
    check_range(seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, h, D, 0, 24, 0, 0, 6), 0, 23,
                "GetIOAPIC pin 24 (24 pins) -> RangeError [0, 23]");
    check_range(seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, h, D, 0, 3, 2, 0, 6), 0, 1,
                "GetIOAPIC level 2 -> RangeError [0, 1]");
    check_range(seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, h, D, 0, 3, 0, 2, 6), 0, 1,
                "GetIOAPIC polarity 2 -> RangeError [0, 1]");
    check_err(msi(h, 0, 3, 0, 5), seL4_NoError, "GetMSI irq 5");
    check_eq(seL4_DebugCapIdentify(h), 16, "it is an IRQ handler cap (type 16)");
    check_err(msi(h2, 0, 4, 0, 5), seL4_RevokeFirst, "GetMSI for irq 5 again -> RevokeFirst");
    check_err(msi(h, 0, 4, 0, 6), seL4_DeleteFirst, "GetMSI into an occupied slot -> DeleteFirst");
    check_lookup(msi(1ul << 30, 0, 4, 0, 6), 0, seL4_GuardMismatch, 3, 64, 0, 52,
                 "GetMSI with a bad destination cptr -> FailedLookup");

    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0), ep = conf_object(seL4_EndpointObject, 0);
    seL4_CPtr ro = conf_slot();
    seL4_CNode_Copy(ROOT, ro, D, ROOT, ntfn, D, seL4_CanRead);
    check_err(seL4_IRQHandler_SetNotification(h, ntfn), seL4_NoError, "IRQHandler_SetNotification");
    check_err(seL4_IRQHandler_SetNotification(h, ep), seL4_InvalidCapability,
              "SetNotification with an endpoint -> InvalidCapability");
    check_eq(seL4_GetMR(0), 0, "InvalidCapability names cap 0");
    check_err(seL4_IRQHandler_SetNotification(h, ro), seL4_InvalidCapability,
              "SetNotification with a cap without write right -> InvalidCapability");
    check_err(seL4_IRQHandler_SetNotification(h, ntfn), seL4_NoError,
              "SetNotification again replaces the notification");
    check_err(seL4_IRQHandler_Ack(h), seL4_NoError, "IRQHandler_Ack");
    check_err(seL4_IRQHandler_Clear(h), seL4_NoError, "IRQHandler_Clear");
    check_err(seL4_IRQHandler_Clear(h), seL4_NoError, "Clear with no notification set");
    seL4_MessageInfo_t m = seL4_Call(h, seL4_MessageInfo_new(CNodeCopy, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(m), seL4_IllegalOperation, "a CNode label on an IRQ handler -> IllegalOperation");
    m = seL4_Call(h, seL4_MessageInfo_new(IRQSetIRQHandler, 0, 0, 0));
    check_eq(seL4_MessageInfo_get_label(m), seL4_TruncatedMessage,
             "SetNotification without a cap -> TruncatedMessage");
    check_err(seL4_CNode_Copy(ROOT, h3, D, ROOT, h, D, seL4_AllRights), seL4_NoError, "copy the handler cap");
    seL4_CNode_Delete(ROOT, h, D);
    check_err(msi(h2, 0, 4, 0, 5), seL4_RevokeFirst, "while a copy exists irq 5 stays taken");
    seL4_CNode_Delete(ROOT, h3, D);
    check_err(msi(h2, 0, 4, 0, 5), seL4_NoError, "after deleting the last handler cap irq 5 is free again");
    seL4_MessageInfo_t r = seL4_Call(seL4_CapIRQControl, seL4_MessageInfo_new(X86IRQIssueIRQHandlerMSI, 0, 1, 6));
    check_eq(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage, "GetMSI with 6 words -> TruncatedMessage");
}

/* A real interrupt: the COM1 UART raises its transmitter-empty interrupt (IRQ 4, IOAPIC
 * pin 4, edge-triggered) when it is enabled while the transmitter is idle.  rearm() makes
 * a fresh rising edge by disabling and re-enabling it.  The kernel delivers the interrupt
 * as a Signal and masks the line until the handler is acknowledged; after each Ack the
 * test makes a fresh edge rather than relying on edges that arrived while the line was
 * masked.  The line is never left without a notification while
 * the UART can interrupt (the kernel would print "Undelivered IRQ" at unpredictable times). */
#define COM1_IER 0x3f9
#define COM1_IIR 0x3fa
#define COM1_MCR 0x3fc
static seL4_CPtr com1;

static void rearm(void)
{
    seL4_X86_IOPort_Out8(com1, COM1_IER, 0x00);
    seL4_X86_IOPort_Out8(com1, COM1_IER, 0x02);
}

static seL4_Word poll(seL4_CPtr n)
{
    seL4_Word badge = 0xdead;
    seL4_Poll(n, &badge);
    return badge;
}

static void test_irq_delivery(void)
{
    seL4_CPtr h = conf_slot(), badged = conf_slot(), badged2 = conf_slot();
    seL4_CPtr ntfn = conf_object(seL4_NotificationObject, 0), ntfn2 = conf_object(seL4_NotificationObject, 0);
    com1 = conf_slot();
    if (issue(COM1_IER, COM1_MCR, com1) != seL4_NoError) conf_bail("cannot issue COM1 ports");
    seL4_CNode_Mint(ROOT, badged, D, ROOT, ntfn, D, seL4_AllRights, 0x10);
    seL4_CNode_Mint(ROOT, badged2, D, ROOT, ntfn2, D, seL4_AllRights, 0x20);
    check_err(seL4_IRQControl_GetIOAPIC(seL4_CapIRQControl, ROOT, h, D, 0, 4, 0, 0, 4), seL4_NoError,
              "GetIOAPIC pin 4 (COM1), edge, active high, irq 4");
    check_err(seL4_IRQHandler_SetNotification(h, badged), seL4_NoError, "deliver it to a badge-0x10 notification");
    seL4_X86_IOPort_In8_t mcr = seL4_X86_IOPort_In8(com1, COM1_MCR);
    seL4_X86_IOPort_Out8(com1, COM1_MCR, (seL4_Word)(mcr.result | 0x08)); /* OUT2 gates the IRQ line */
    seL4_X86_IOPort_Out8(com1, COM1_IER, 0x02);                           /* transmitter empty */
    seL4_Word badge = 0;
    seL4_Wait(ntfn, &badge);
    check_eq(badge, 0x10, "the interrupt arrives as a Signal with the notification cap's badge");
    seL4_X86_IOPort_In8_t iir = seL4_X86_IOPort_In8(com1, COM1_IIR);
    check_eq(iir.result & 0x0f, 0x02, "the UART reports a transmitter-empty interrupt (IIR 0x2)");
    rearm();
    conf_settle();
    check_eq(poll(ntfn), 0, "until Ack the line stays masked: a new interrupt is not delivered");
    check_err(seL4_IRQHandler_Ack(h), seL4_NoError, "Ack the interrupt");
    rearm();
    seL4_Wait(ntfn, &badge);
    check_eq(badge, 0x10, "after Ack the next interrupt is delivered");
    check_err(seL4_IRQHandler_SetNotification(h, badged2), seL4_NoError,
              "SetNotification to a second (badge 0x20) notification");
    seL4_IRQHandler_Ack(h);
    rearm();
    seL4_Wait(ntfn2, &badge);
    check_eq(badge, 0x20, "the next interrupt arrives at the second notification");
    check_eq(poll(ntfn), 0, "...and not at the first");
    seL4_X86_IOPort_Out8(com1, COM1_IER, 0x00);
    seL4_X86_IOPort_Out8(com1, COM1_MCR, mcr.result);
    seL4_X86_IOPort_In8(com1, COM1_IIR);
    seL4_IRQHandler_Ack(h);
    conf_settle();
    check_eq(poll(ntfn2), 0, "with the UART interrupt disabled no further signal arrives");
    check_err(seL4_IRQHandler_Clear(h), seL4_NoError, "Clear the handler's notification");
    seL4_CNode_Delete(ROOT, h, D);
    seL4_CNode_Delete(ROOT, com1, D);
}

/* The COM1 UART as the kernel left it (src/plat/pc99/machine/io.c serial_init): 8N1,
 * DTR/RTS/OUT2 set, interrupts off, idle transmitter. */
static void test_uart_state(void)
{
    seL4_CPtr p = conf_slot();
    if (issue(0x3f9, 0x3fd, p) != seL4_NoError) conf_bail("cannot issue COM1 ports");
    check_eq(seL4_X86_IOPort_In8(p, 0x3f9).result, 0x00, "COM1 IER = 0 (no interrupts)");
    check_eq(seL4_X86_IOPort_In8(p, 0x3fa).result & 0x0f, 0x01, "COM1 IIR: no interrupt pending");
    check_eq(seL4_X86_IOPort_In8(p, 0x3fb).result, 0x03, "COM1 LCR = 0x03 (8 bits, no parity, 1 stop)");
    check_eq(seL4_X86_IOPort_In8(p, 0x3fc).result, 0x0b, "COM1 MCR = 0x0b (DTR, RTS, OUT2)");
    check_eq(seL4_X86_IOPort_In8(p, 0x3fd).result & 0x60, 0x60, "COM1 LSR: transmitter idle (0x60)");
    seL4_X86_IOPort_In16_t w = seL4_X86_IOPort_In16(p, 0x3fb);
    check_eq(w.error == seL4_NoError ? w.result : 0xdead0000ul + (seL4_Word)w.error, 0x0b03,
             "In16 at 0x3fb reads LCR and MCR together (0x0b03)");
    seL4_CNode_Delete(ROOT, p, D);
}

/* Ports no QEMU device claims read as all ones, but QEMU rejects a 16- or 32-bit read at
 * a port not aligned to its size and returns 0 (found by conf-random). */
static void test_unclaimed_ports(void)
{
    seL4_CPtr p = conf_slot();
    if (issue(0x2d0, 0x2d7, p) != seL4_NoError) conf_bail("cannot issue ports 0x2d0..0x2d7");
    check_eq(seL4_X86_IOPort_In8(p, 0x2d1).result, 0xff, "In8 at unclaimed port 0x2d1 -> 0xff");
    check_eq(seL4_X86_IOPort_In16(p, 0x2d2).result, 0xffff, "In16 at unclaimed 0x2d2 -> 0xffff");
    check_eq(seL4_X86_IOPort_In16(p, 0x2d1).result, 0, "In16 at unclaimed odd port 0x2d1 -> 0");
    check_eq(seL4_X86_IOPort_In32(p, 0x2d4).result, 0xffffffff,
             "In32 at unclaimed 0x2d4 -> 0xffffffff");
    check_eq(seL4_X86_IOPort_In32(p, 0x2d2).result, 0, "In32 at unclaimed 0x2d2 (not 4-aligned) -> 0");
    check_eq(seL4_X86_IOPort_In32(p, 0x2d3).result, 0, "In32 at unclaimed 0x2d3 -> 0");
    seL4_CNode_Delete(ROOT, p, D);
}

/* ---- 32-bit and 16-bit port accesses on COM1's MCR, LSR, MSR and scratch registers ---- */
static void test_wide_ports(void)
{
    /* the earlier tests keep a cap for port 0x3ff: delete every I/O port cap first */
    for (seL4_CPtr c = 1; c < 4096; c++)
        if (seL4_DebugCapIdentify(c) == 19) seL4_CNode_Delete(ROOT, c, D);
    seL4_CPtr p = conf_slot();
    if (issue(0x3fc, 0x3ff, p) != seL4_NoError) conf_bail("cannot issue ports 0x3fc..0x3ff");
    seL4_Word mcr = seL4_X86_IOPort_In8(p, 0x3fc).result;
    check_err(seL4_X86_IOPort_Out32(p, 0x3fc, 0x6b000000u | (seL4_Uint32)mcr), seL4_NoError,
              "Out32 at 0x3fc (MCR kept, scratch byte 0x6b)");
    check_eq(seL4_X86_IOPort_In8(p, 0x3ff).result, 0x6b, "the top byte went to the scratch register 0x3ff");
    check_eq(seL4_X86_IOPort_In8(p, 0x3fc).result, mcr, "the low byte to MCR (unchanged)");
    seL4_X86_IOPort_In32_t in32 = seL4_X86_IOPort_In32(p, 0x3fc);
    check(in32.error == seL4_NoError && (in32.result & 0xff) == mcr && (in32.result >> 24) == 0x6b,
          "In32 at 0x3fc: MCR in the low byte, scratch in the top byte");
    check_eq((in32.result >> 8) & 0xff, 0x60, "...LSR (byte 1): transmitter idle, no data");
    check_eq((in32.result >> 16) & 0xff, 0xb0, "...MSR (byte 2): DCD, DSR, CTS");
    check_eq(seL4_X86_IOPort_In32(p, 0x3fd).error, seL4_IllegalOperation,
             "In32 at 0x3fd (runs past the cap's last port) -> IllegalOperation");
    check_err(seL4_X86_IOPort_Out32(p, 0x3fd, 0), seL4_IllegalOperation, "Out32 at 0x3fd -> IllegalOperation");
    check_err(seL4_X86_IOPort_Out16(p, 0x3fe, 0x5a00), seL4_NoError, "Out16 at 0x3fe (MSR, scratch 0x5a)");
    seL4_X86_IOPort_In16_t in16 = seL4_X86_IOPort_In16(p, 0x3fe);
    check(in16.error == seL4_NoError && (in16.result >> 8) == 0x5a && (in16.result & 0xff) == 0xb0,
          "In16 at 0x3fe reads MSR and scratch 0x5a");
    /* the value word is cut to 32 bits */
    seL4_SetMR(0, 0x3fc);
    seL4_SetMR(1, 0x1234567800000000ul | 0x71000000ul | mcr);
    seL4_MessageInfo_t r = seL4_Call(p, seL4_MessageInfo_new(X86IOPortOut32, 0, 0, 2));
    check(seL4_MessageInfo_get_label(r) == 0 && seL4_X86_IOPort_In8(p, 0x3ff).result == 0x71,
          "Out32 with a 64-bit value word: only the low 32 bits are written");
    seL4_SetMR(0, 0x3fc);
    r = seL4_Call(p, seL4_MessageInfo_new(X86IOPortOut32, 0, 0, 1));
    check_eq(seL4_MessageInfo_get_label(r), seL4_TruncatedMessage, "Out32 without a value -> TruncatedMessage");
    seL4_SetMR(0, 0x103fc);
    r = seL4_Call(p, seL4_MessageInfo_new(X86IOPortIn32, 0, 0, 1));
    check(seL4_MessageInfo_get_label(r) == 0 && (seL4_GetMR(0) >> 24) == 0x71,
          "In32 with port word 0x103fc: only the low 16 bits name the port");
    seL4_CNode_Delete(ROOT, p, D);
}

int main(void)
{
    conf_begin("irq-ioport");
    test_ioports();
    test_irqs();
    test_irq_delivery();
    test_uart_state();
    test_unclaimed_ports();
    test_wide_ports();
    conf_end();
}
