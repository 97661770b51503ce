/* Shared by the RS system-test controller (rstest.c). */
#pragma once
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include "rs/client/rs_client.h"

static int t_failures, t_passes;

static inline void t_check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (ok) t_passes++;
    else t_failures++;
}

static inline void t_check_err(int got, int want, const char *what)
{
    if (got != want) printf("  (%s: got %s, want %s)\n", what, rs_err_name(got), rs_err_name(want));
    t_check(got == want, what);
}
