/*
 * test-runtime: a root task that checks the runtime on the kernel it runs on: printf
 * formatting, string functions, the heap, TLS in the main thread and in a second thread
 * (its own copy, its own IPC buffer), and thread_create.  Prints one line per check and
 * exits with the number of failed checks.
 */
#include <runtime/runtime.h>
#include <runtime/stdio.h>
#include <runtime/string.h>
#include <runtime/heap.h>
#include <runtime/thread.h>
#include <runtime/alloc.h>

static int failures, passes;

static void check(bool ok, const char *what)
{
    printf("%s %s\n", ok ? "ok" : "FAIL", what);
    if (ok) passes++;
    else failures++;
}

static void check_format(void)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%d|%5u|%-4x|%08lX|%s|%c|%%", -42, 7u, 0xabu, 0xdeadbeeful, "hi", 'z');
    check(strcmp(buf, "-42|    7|ab  |DEADBEEF|hi|z|%") == 0, "printf: integers, strings, flags");
    int n = snprintf(buf, 8, "%s", "truncated output");
    check(n == 16 && strcmp(buf, "truncat") == 0, "snprintf: truncation and return value");
    snprintf(buf, sizeof(buf), "%#o %#x %+d % d %.3d %p", 8u, 255u, 5, 5, 7, (void *)0x1000);
    check(strcmp(buf, "010 0xff +5  5 007 0x1000") == 0, "printf: alternate forms, signs, precision");
}

static void check_strings(void)
{
    char s[16] = "abcdefghij";
    memmove(s + 2, s, 5);
    check(memcmp(s, "ababcdehij", 10) == 0, "memmove: overlapping, forwards");
    memmove(s, s + 3, 5);
    check(memcmp(s, "bcdehdehij", 10) == 0, "memmove: overlapping, backwards");
    const char *four = s + 10;
    memcpy(s + 10, "four", 5);
    check(strlen(four) == 4 && strnlen(four, 2) == 2 && strcmp(four, "fox") < 0 &&
          strncmp(four, "fouX", 3) == 0 && strchr(four, 'u') == four + 2,
          "strlen, strnlen, strcmp, strncmp, strchr");
}

static void check_heap(void)
{
    size_t before = heap_bytes_free();
    char *p[16];
    bool ok = true;
    for (int i = 0; i < 16; i++) {
        p[i] = malloc((size_t)(i + 1) * 100);
        ok = ok && p[i] != NULL && ((uintptr_t)p[i] & 15u) == 0;
        if (p[i] != NULL) memset(p[i], i, (size_t)(i + 1) * 100);
    }
    for (int i = 0; i < 16; i += 2) free(p[i]);
    for (int i = 1; i < 16; i += 2) {
        ok = ok && p[i][0] == (char)i && p[i][(i + 1) * 100 - 1] == (char)i;
        free(p[i]);
    }
    check(ok, "malloc: 16 aligned blocks keep their contents");
    check(heap_bytes_free() == before, "free: all memory returns to the heap");
    int *z = calloc(100, sizeof(int));
    bool zero = z != NULL;
    for (int i = 0; zero && i < 100; i++) zero = z[i] == 0;
    int *bigger = realloc(z, 1000 * sizeof(int));
    check(zero && bigger != NULL, "calloc zeroes, realloc grows");
    free(bigger != NULL ? bigger : z);
    void *huge = malloc(0x7fffffff);
    check(huge == NULL, "malloc: too large -> NULL");
    free(huge);
}

static __thread int tls_counter = 7;
static __thread char tls_zeroed[100];

typedef struct shared {
    seL4_CPtr ntfn;
    int seen_counter, seen_zero;
    bool own_ipc_buffer;
    bool thought_main;
    seL4_IPCBuffer *main_ipc;
} shared_t;

static void second_thread(void *arg)
{
    shared_t *sh = arg;
    sh->seen_counter = tls_counter;
    sh->seen_zero = tls_zeroed[99] == 0;
    sh->thought_main = runtime_is_main_thread();
    tls_counter = 99;
    sh->own_ipc_buffer = seL4_GetIPCBuffer() != sh->main_ipc && seL4_GetIPCBuffer() != NULL;
    printf("thread: hello from the second thread\n");
    seL4_Signal(sh->ntfn);
}

static void check_threads(void)
{
    check(tls_counter == 7 && tls_zeroed[0] == 0, "TLS: main thread sees the initial values");
    tls_counter = 8;
    shared_t sh = { .ntfn = alloc_object(seL4_NotificationObject, 0), .main_ipc = seL4_GetIPCBuffer() };
    thread_t t;
    seL4_Error err = thread_create(&t, "test-runtime-2", second_thread, &sh, 2, seL4_CapNull, 100);
    check(err == seL4_NoError, "thread_create");
    if (err != seL4_NoError) return;
    seL4_Wait(sh.ntfn, NULL);
    check(sh.seen_counter == 7 && sh.seen_zero, "TLS: a new thread gets a fresh copy");
    check(tls_counter == 8, "TLS: the main thread's copy is untouched");
    check(sh.own_ipc_buffer, "thread has its own IPC buffer");
    check(runtime_is_main_thread() && !sh.thought_main, "only main's thread is the main thread");
}

int main(void)
{
    printf("test-runtime: start\n");
    check(runtime_bootinfo() != NULL, "root task has BootInfo");
    check_format();
    check_strings();
    check_heap();
    check_threads();
    printf("test-runtime: %d passed, %d failed\n", passes, failures);
    return failures;
}
