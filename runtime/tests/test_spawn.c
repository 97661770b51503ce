/*
 * test-spawn: a root task that starts the embedded program spawn-child twice with
 * spawn_program: once to exit normally (the exit message arrives on the fault endpoint
 * with the badge we chose, after the child signalled through a cap we passed it), once
 * to crash (the VM fault arrives there).  Also checks that bad requests are refused.
 */
#include <runtime/runtime.h>
#include <runtime/programs.h>
#include <runtime/startup.h>
#include <runtime/alloc.h>
#include <runtime/fault.h>
#include <runtime/stdio.h>

static int failures, passes;

static void check(bool ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (ok) passes++;
    else failures++;
}

static seL4_Error spawn(seL4_CPtr ep, seL4_Word badge, seL4_CPtr cap, const seL4_Word *args,
                        unsigned nargs)
{
    spawn_args_t a = {
        .name = "spawn-child", .fault_ep = ep, .fault_badge = badge, .priority = 200,
        .caps = &cap, .ncaps = 1, .args = args, .nargs = nargs,
    };
    spawned_t s;
    return spawn_program(&a, &s);
}

static seL4_MessageInfo_t receive(seL4_CPtr ep, seL4_Word *badge, seL4_Word *mrs, seL4_Word max)
{
    seL4_MessageInfo_t info = seL4_Recv(ep, badge);
    for (seL4_Word i = 0; i < seL4_MessageInfo_get_length(info) && i < max; i++) {
        mrs[i] = seL4_GetMR((int)i);
    }
    return info;
}

int main(void)
{
    printf("test-spawn: start\n");
    const void *img = NULL;
    size_t size = 0;
    check(program_lookup("spawn-child", &img, &size) && size > 0, "spawn-child is embedded");
    check(!program_lookup("no-such-program", &img, &size), "unknown programs are not found");

    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0);
    seL4_CPtr ntfn = alloc_object(seL4_NotificationObject, 0);

    spawn_args_t bad = { .name = "no-such-program", .priority = 10 };
    check(spawn_program(&bad, NULL) == seL4_InvalidArgument, "spawning an unknown program fails");
    bad.name = "spawn-child";
    bad.nargs = RUNTIME_STARTUP_MAX_ARGS + 1;
    check(spawn_program(&bad, NULL) == seL4_InvalidArgument, "too many arguments are refused");

    /* 1: a child that exits normally. */
    const seL4_Word args[3] = { 1, 2, 3 };
    check(spawn(ep, 0x101, ntfn, args, 3) == seL4_NoError, "spawn child 1");
    seL4_Word badge = 0;
    seL4_Wait(ntfn, &badge);
    check(true, "child 1 signalled through the cap it was given");
    seL4_Word mrs[seL4_MsgMaxLength] = { 0 };
    seL4_MessageInfo_t info = receive(ep, &badge, mrs, seL4_MsgMaxLength);
    printf("exit message: label %#lx, badge %#lx, status %lu\n",
           (unsigned long)seL4_MessageInfo_get_label(info), (unsigned long)badge,
           (unsigned long)mrs[0]);
    check(seL4_MessageInfo_get_label(info) == PROGRAM_EXIT_LABEL && badge == 0x101 && mrs[0] == 6,
          "child 1 exited with status 6");

    /* 2: a child that crashes. */
    const seL4_Word crash[1] = { 0 };
    check(spawn(ep, 0x102, ntfn, crash, 1) == seL4_NoError, "spawn child 2");
    info = receive(ep, &badge, mrs, seL4_MsgMaxLength);
    fault_info_t f;
    bool decoded = fault_decode(seL4_MessageInfo_get_label(info), mrs,
                                seL4_MessageInfo_get_length(info), &f);
    printf("fault message: badge %#lx, %s at address %#lx, fsr %#lx\n", (unsigned long)badge,
           fault_type_name(f.type), (unsigned long)f.u.vm.addr, (unsigned long)f.u.vm.fsr);
    check(decoded && badge == 0x102 && f.type == seL4_Fault_VMFault && f.u.vm.addr == 0,
          "child 2's panic arrives as a VM fault at address 0");

    printf("test-spawn: %d passed, %d failed\n", passes, failures);
    return failures;
}
