/*
 * Shared by the controllers of the survive system tests (survtest.c, namestest.c,
 * storetest.c): each is a supervised service whose last two caps are the RS control cap
 * and the exit port (0xF4), checks with tests/rs/rstest.h and ends the run with its
 * failure count as the exit status.
 */
#pragma once
#include "tests/rs/rstest.h"

static seL4_CPtr ctl, exit_port;
static const char *ctl_name;

/* Takes the caps; returns the startup page (args, channels). */
static inline const runtime_startup_t *controller_start(const char *name)
{
    const runtime_startup_t *su = runtime_startup();
    ctl_name = name;
    ctl = su->caps_end - 2;
    exit_port = su->caps_end - 1;
    return su;
}

/* Prints the counts and ends the run: status = failed checks (at most 127). */
static inline _Noreturn void controller_finish(void)
{
    printf("%s: %d passed, %d failed\n", ctl_name, t_passes, t_failures);
    fflush_console();
    seL4_X86_IOPort_Out8(exit_port, 0xf4, (seL4_Uint8)(t_failures > 127 ? 127 : t_failures));
    for (;;) seL4_TCB_Suspend(RUNTIME_CAP_TCB);
}
