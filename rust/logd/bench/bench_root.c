/*
 * bench-logd-N (N = LOGD_BENCH_RECORDS): a root task that runs logd-bench-rs and
 * logd-bench-c, one after the other, each handling N WRITE requests, and waits for each
 * exit.  bench.sh runs the images for two values of N in sel4-sim with --stats-json and
 * takes instructions per record from the two threads' counters.
 */
#include <runtime/alloc.h>
#include <runtime/programs.h>
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>

static int run(const char *name, seL4_CPtr fault_ep)
{
    const seL4_Word args[1] = { LOGD_BENCH_RECORDS };
    spawn_args_t a = {
        .name = name, .fault_ep = fault_ep, .fault_badge = 1, .priority = 200, .args = args, .nargs = 1,
    };
    spawned_t s = { 0 };
    seL4_Error err = spawn_program(&a, &s);
    if (err != seL4_NoError) {
        printf("bench-logd: spawning %s: error %d\n", name, (int)err);
        return 1;
    }
    seL4_Word badge = 0;
    seL4_MessageInfo_t m = seL4_Recv(fault_ep, &badge);
    if (seL4_MessageInfo_get_label(m) != PROGRAM_EXIT_LABEL || seL4_GetMR(0) != 0) {
        printf("bench-logd: %s ended with label %#lx, MR0 %lu\n", name,
               (unsigned long)seL4_MessageInfo_get_label(m), (unsigned long)seL4_GetMR(0));
        return 1;
    }
    return 0;
}

int main(void)
{
    seL4_CPtr ep = alloc_object(seL4_EndpointObject, 0);
    int failed = run("logd-bench-rs", ep) + run("logd-bench-c", ep);
    printf("bench-logd: %s\n", failed == 0 ? "done" : "FAILED");
    return failed;
}
