/* Shared by the memory-server system test programs. */
#pragma once
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include "memserver/client/memserver_client.h"

#define KiB 1024ull
#define MiB (1024ull * 1024ull)
#define PAGE 4096ull
/* Addresses the server manages in an adopted VSpace start at 512 GiB. */
#define TEST_BASE 0x0000010000000000ull

/* Label of the message a child sends its parent to say which address space it uses. */
#define MSG_AS_HANDLE 0x4153ul

/* Test modes of ms-client (its args[0]). */
enum { MODE_MAIN = 1, MODE_FAULT = 2, MODE_SHARE_WRITE = 3, MODE_SHARE_READ = 4 };

static int t_failures, t_passes;

static inline void t_check(int ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (ok) t_passes++;
    else t_failures++;
}

static inline void t_check_err(int got, int want, const char *what)
{
    if (got != want) printf("  (%s: got %s, want %s)\n", what, ms_err_name(got), ms_err_name(want));
    t_check(got == want, what);
}
