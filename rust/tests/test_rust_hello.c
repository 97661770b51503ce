/*
 * test-rust-hello: a root task that starts the Rust program hello-rs (rust/hello) and
 * its C twin hello-c with spawn_program (passing an endpoint, an IRQ handler and a badged
 * notification), talks to each over the endpoint,
 * and checks what a supervisor relies on: the replies, that a bad request is refused
 * without stopping the server, the exit status on the fault endpoint (with the badge
 * chosen), and that a panic arrives there as a VM fault at address 0.
 */
#include <runtime/runtime.h>
#include <runtime/programs.h>
#include <runtime/startup.h>
#include <runtime/alloc.h>
#include <runtime/fault.h>
#include <runtime/stdio.h>

enum { HELLO_SUM = 1, HELLO_QUIT = 2, HELLO_BAD = 99 };
#define CALL_BADGE 0x42ul
#define EXIT_BADGE 0x77ul
#define CRASH_BADGE 0x78ul
#define NOTIFICATION_BADGE 0x10ul /* = hello-rs's and hello-c's */

static int failures, passes;

static void check(bool ok, const char *name, const char *what)
{
    printf("%s %s: %s\n", ok ? "ok" : "FAIL", name, what);
    if (ok) passes++;
    else failures++;
}

typedef struct env {
    seL4_CPtr ep;       /* the endpoint the program serves (unbadged, passed to it) */
    seL4_CPtr call_ep;  /* our badged copy for calling it */
    seL4_CPtr fault_ep; /* its fault endpoint */
    seL4_CPtr irq;      /* an IRQ handler it acks */
    seL4_CPtr ntfn;     /* a badged notification it signals and polls */
} env_t;

static seL4_Error spawn(const char *name, const env_t *e, seL4_Word badge, seL4_Word arg)
{
    const seL4_CPtr caps[3] = { e->ep, e->irq, e->ntfn };
    const seL4_Word args[1] = { arg };
    spawn_args_t a = {
        .name = name, .fault_ep = e->fault_ep, .fault_badge = badge, .priority = 200,
        .caps = caps, .ncaps = 3, .args = args, .nargs = 1,
    };
    spawned_t s = { 0 };
    seL4_Error err = spawn_program(&a, &s);
    printf("%s: spawn: error %d, %lu frames\n", name, (int)err, (unsigned long)s.pages);
    return err;
}

static void serve_and_exit(const char *name, const env_t *e)
{
    check(spawn(name, e, EXIT_BADGE, 1) == seL4_NoError, name, "spawned");

    for (int i = 0; i < 6; i++) {
        seL4_SetMR(i, (seL4_Word)i + 1); /* MR4 and MR5 travel in the IPC buffer */
    }
    seL4_MessageInfo_t r = seL4_Call(e->call_ep, seL4_MessageInfo_new(HELLO_SUM, 0, 0, 6));
    printf("%s: sum reply: label %lu, length %lu, %lu %lu %#lx\n", name,
           (unsigned long)seL4_MessageInfo_get_label(r), (unsigned long)seL4_MessageInfo_get_length(r),
           (unsigned long)seL4_GetMR(0), (unsigned long)seL4_GetMR(1), (unsigned long)seL4_GetMR(2));
    check(seL4_MessageInfo_get_label(r) == 0 && seL4_MessageInfo_get_length(r) == 3 &&
              seL4_GetMR(0) == 21 && seL4_GetMR(1) == 6 && seL4_GetMR(2) == CALL_BADGE,
          name, "sums six message registers and sees our badge");

    r = seL4_Call(e->call_ep, seL4_MessageInfo_new(HELLO_BAD, 0, 0, 0));
    check(seL4_MessageInfo_get_label(r) == seL4_IllegalOperation && seL4_MessageInfo_get_length(r) == 0,
          name, "refuses an unknown request");

    r = seL4_Call(e->call_ep, seL4_MessageInfo_new(HELLO_SUM, 0, 0, 0));
    check(seL4_MessageInfo_get_label(r) == 0 && seL4_GetMR(0) == 0 && seL4_GetMR(1) == 0, name,
          "still serves after it: the sum of no words is 0");

    r = seL4_Call(e->call_ep, seL4_MessageInfo_new(HELLO_QUIT, 0, 0, 0));
    check(seL4_MessageInfo_get_label(r) == 0, name, "answers quit");

    seL4_Word badge = 0;
    seL4_MessageInfo_t m = seL4_Recv(e->fault_ep, &badge);
    printf("%s: exit message: label %#lx, badge %#lx, status %lu\n", name,
           (unsigned long)seL4_MessageInfo_get_label(m), (unsigned long)badge,
           (unsigned long)seL4_GetMR(0));
    check(seL4_MessageInfo_get_label(m) == PROGRAM_EXIT_LABEL && seL4_MessageInfo_get_length(m) == 1 &&
              badge == EXIT_BADGE && seL4_GetMR(0) == 3,
          name, "exits with status 3 (3 requests before quit, no mismatches in its self-checks)");
}

static void crash(const char *name, const env_t *e)
{
    check(spawn(name, e, CRASH_BADGE, 0) == seL4_NoError, name, "spawned to crash");
    seL4_Word badge = 0, mrs[seL4_MsgMaxLength] = { 0 };
    seL4_MessageInfo_t m = seL4_Recv(e->fault_ep, &badge);
    for (seL4_Word i = 0; i < seL4_MessageInfo_get_length(m) && i < seL4_MsgMaxLength; i++) {
        mrs[i] = seL4_GetMR((int)i);
    }
    fault_info_t f;
    bool decoded = fault_decode(seL4_MessageInfo_get_label(m), mrs, seL4_MessageInfo_get_length(m), &f);
    printf("%s: fault message: badge %#lx, %s at address %#lx\n", name, (unsigned long)badge,
           decoded ? fault_type_name(f.type) : "undecodable", decoded ? (unsigned long)f.u.vm.addr : 0ul);
    check(decoded && badge == CRASH_BADGE && f.type == seL4_Fault_VMFault && f.u.vm.addr == 0, name,
          "its panic arrives as a VM fault at address 0");
}

int main(void)
{
    printf("test-rust-hello: start\n");
    env_t e = {
        .ep = alloc_object(seL4_EndpointObject, 0),
        .call_ep = alloc_slot(),
        .fault_ep = alloc_object(seL4_EndpointObject, 0),
        .irq = alloc_slot(),
        .ntfn = alloc_slot(),
    };
    seL4_Error err = seL4_CNode_Mint(seL4_CapInitThreadCNode, e.call_ep, seL4_WordBits,
                                     seL4_CapInitThreadCNode, e.ep, seL4_WordBits, seL4_AllRights,
                                     CALL_BADGE);
    check(err == seL4_NoError, "root", "badged endpoint cap");
    err = seL4_IRQControl_GetMSI(seL4_CapIRQControl, seL4_CapInitThreadCNode, e.irq, seL4_WordBits,
                                 0, 3, 0, 0, 5);
    check(err == seL4_NoError, "root", "an MSI IRQ handler for the programs to ack");
    err = seL4_CNode_Mint(seL4_CapInitThreadCNode, e.ntfn, seL4_WordBits, seL4_CapInitThreadCNode,
                          alloc_object(seL4_NotificationObject, 0), seL4_WordBits, seL4_AllRights,
                          NOTIFICATION_BADGE);
    check(err == seL4_NoError, "root", "a badged notification for the programs");

    const char *const programs[2] = { "hello-rs", "hello-c" };
    for (unsigned i = 0; i < 2; i++) {
        const void *img = NULL;
        size_t size = 0;
        check(program_lookup(programs[i], &img, &size) && size > 0, programs[i], "is embedded");
        serve_and_exit(programs[i], &e);
        crash(programs[i], &e);
    }
    printf("test-rust-hello: %d passed, %d failed\n", passes, failures);
    return failures;
}
