/*
 * faulty: a supervised test service that serves on its endpoint and crashes, exits or
 * hangs on command (faulty.h), or right after starting if args[0] says so.  It answers
 * heartbeat pings transparently while waiting.  Every incarnation checks that its
 * .data and .bss are fresh (the RS must rewrite them at each start).  Pings are answered
 * by runtime_service_recv.
 */
#include <runtime/runtime.h>
#include <runtime/startup.h>
#include <runtime/stdio.h>
#include "faulty.h"
#include <runtime/service.h>

static volatile uint64_t data_word = 0x5eed;  /* .data: must be 0x5eed at every start */
static volatile uint64_t bss_word;            /* .bss: must be 0 at every start */
static uint8_t heap_pages[64 * 4096];

static void do_command(seL4_Word cmd, seL4_Word arg)
{
    switch (cmd) {
    case FAULTY_VM_FAULT:
        __asm__ volatile("movq $1, 0" : : : "memory"); /* a store to address 0 */
        break;
    case FAULTY_USER_EXC:
        __asm__ volatile("ud2");
        break;
    case FAULTY_BAD_SYSCALL: {
        register seL4_Word rdx __asm__("rdx") = (seL4_Word)-77; /* seL4 takes the number in rdx */
        __asm__ volatile("mov %%rsp, %%rbx\n\tsyscall" : "+r"(rdx) : : "rbx", "rcx", "r11", "memory");
        break;
    }
    case FAULTY_CAP_FAULT:
        /* a CPtr the CSpace guard does not match: the lookup fails (an empty slot would
         * only give an error return) */
        seL4_Call((seL4_CPtr)1 << 40, seL4_MessageInfo_new(0, 0, 0, 0));
        break;
    case FAULTY_EXIT:
        runtime_exit((int)arg);
    case FAULTY_SPIN:
        for (;;) __asm__ volatile("pause");
    default:
        break;
    }
}

int main(void)
{
    const runtime_startup_t *su = runtime_startup();
    uint64_t fresh = data_word == 0x5eed && bss_word == 0;
    data_word = 0xdead;
    bss_word = 1;
    printf("faulty: gen %lu up%s%s\n", (unsigned long)su->generation, su->restarted ? " (restarted)" : "",
           fresh ? "" : " WITH STALE .data/.bss");
    if (su->nargs > 0 && su->args[0] != 0) {
        do_command(su->args[0], su->nargs > 1 ? su->args[1] : 0);
    }
    uint64_t served = 0;
    seL4_Word badge = 0;
    seL4_MessageInfo_t info = runtime_service_recv(&badge);
    for (;;) {
        seL4_Word cmd = seL4_MessageInfo_get_label(info);
        seL4_Word arg = seL4_MessageInfo_get_length(info) > 0 ? seL4_GetMR(0) : 0;
        served++;
        if (cmd == FAULTY_PING) {
            seL4_SetMR(0, su->generation);
            seL4_SetMR(1, served);
            info = runtime_service_reply_recv(seL4_MessageInfo_new(0, 0, 0, 2), &badge);
            continue;
        }
        if (cmd == FAULTY_TOUCH) {
            uint64_t sum = fresh;
            for (seL4_Word p = 0; p < arg && p < 64; p++) {
                sum += heap_pages[p * 4096];
                heap_pages[p * 4096] = 1;
            }
            seL4_SetMR(0, sum);
            info = runtime_service_reply_recv(seL4_MessageInfo_new(0, 0, 0, 1), &badge);
            continue;
        }
        if (cmd == FAULTY_ASK_RS) {
            seL4_SetMR(0, 0);
            seL4_MessageInfo_t r = seL4_Call(su->supervisor_ep, seL4_MessageInfo_new((1u << 12) | 1u, 0, 0, 1));
            seL4_SetMR(0, seL4_MessageInfo_get_label(r));
            info = runtime_service_reply_recv(seL4_MessageInfo_new(0, 0, 0, 1), &badge);
            continue;
        }
        do_command(cmd, arg);
        info = runtime_service_recv(&badge);
    }
}
