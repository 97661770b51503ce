/*
 * workload: the default system's client workload.  It sends args[0] jobs (default 60) to
 * the demo service, one way (seL4_Send: while demo is dead or being restarted the job
 * waits in the queue of demo's endpoint, which outlives demo's incarnations), and exits
 * with status 0 when all are sent.  Caps: its channel to demo is caps_start + 1.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include "system/demo.h"

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    if (su == NULL || su->caps_end < su->caps_start + 2) {
        printf("workload: needs a channel to demo\n");
        return 2;
    }
    seL4_CPtr demo = su->caps_start + 1;
    uint64_t jobs = su->nargs > 0 ? su->args[0] : 60;
    printf("workload: gen %lu: sending %lu jobs to demo\n", (unsigned long)su->generation, (unsigned long)jobs);
    for (uint64_t j = 1; j <= jobs; j++) {
        seL4_SetMR(0, j);
        seL4_Send(demo, seL4_MessageInfo_new(DEMO_JOB, 0, 0, 1));
    }
    printf("workload: %lu jobs sent\n", (unsigned long)jobs);
    return 0;
}
