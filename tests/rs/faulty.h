/* The `faulty` test service's requests (tests/rs/faulty.c): label = command, MR0 = argument. */
#pragma once

enum faulty_cmd {
    FAULTY_PING = 1,      /* Call: reply MR0 = generation, MR1 = requests served this incarnation */
    FAULTY_VM_FAULT,      /* Send: write to address 0 */
    FAULTY_USER_EXC,      /* Send: ud2 (invalid opcode: a user exception) */
    FAULTY_BAD_SYSCALL,   /* Send: a system call number seL4 does not have */
    FAULTY_CAP_FAULT,     /* Send: seL4_Call on a CPtr that does not resolve */
    FAULTY_EXIT,          /* Send: exit with status MR0 */
    FAULTY_SPIN,          /* Send: loop for ever (misses heartbeats) */
    FAULTY_TOUCH,         /* Call: touch MR0 pages of heap, reply MR0 = a checksum of fresh .data/.bss */
    FAULTY_ASK_RS,        /* Call: send the RS a control request (LIST 0) on its supervisor
                             cap, reply MR0 = the RS's answer label (must be RS_ERR_DENIED) */
};

/* args[0]: what to do right after starting: 0 serve, else a faulty_cmd (crash loop). */
