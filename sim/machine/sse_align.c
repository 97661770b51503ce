/*
 * #GP(0) for a misaligned 16-byte SSE operand (x86_align.h), which the emulator does
 * not check.  When space_block decodes a new translation block it notes each such
 * instruction (align_note); the block hook then stops before the block, and after
 * that run align_install puts a UC_HOOK_CODE hook on exactly that address and throws
 * away the translated code there.  From then on the translator calls the hook before
 * that one instruction executes: it computes the operand's address from the
 * registers and, if it is not 16-byte aligned, stops the CPU there (rip at the
 * instruction, not counted) with vector 13, error code 0.  Other code gets no call.
 */
#include <stdlib.h>
#include <string.h>

#include "space.h"
#include "x86_align.h"
#include "x86_length.h"

/* What the engine's CPU model (unicorn's qemu64: SSE, SSE2, SSE3) executes; SSSE3,
 * SSE4 and AES instructions are #UD there before any alignment check. */
#define ENGINE_GROUPS X86_ALIGN_SSE

/* Emulator registers in the instruction encoding's order. */
static const int gpr_ids[16] = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
    UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

/* One hooked instruction (its hook's user data): the decoded operand, good while the
 * instruction's bytes where the emulator reads them are still `bytes`. */
typedef struct align_site {
    sim_space *s;
    const uint8_t *alias;    /* space_slot_alias of the instruction, or NULL */
    uint8_t bytes[X86_MAX_INSN_LEN];
    uint8_t len;             /* 0: nothing cached, decode each time */
    x86_mem_operand m;
} align_site;

static uint32_t addr_slot(uint64_t key, uint32_t cap)
{
    return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (cap - 1);
}

/* Whether `pc` already has its hook (open addressing, key pc + 1). */
static bool hooked(const sim_space *s, uint64_t pc)
{
    if (s->align_cap == 0) {
        return false;
    }
    uint64_t key = pc + 1;
    for (uint32_t i = addr_slot(key, s->align_cap), n = 0; n < s->align_cap;
         i = (i + 1) & (s->align_cap - 1), n++) {
        if (s->align_hooked[i] == key) {
            return true;
        }
        if (s->align_hooked[i] == 0) {
            return false;
        }
    }
    return false;
}

static void set_insert(uint64_t *t, uint32_t cap, uint64_t key)
{
    uint32_t i = addr_slot(key, cap);
    while (t[i] != 0 && t[i] != key) {
        i = (i + 1) & (cap - 1);
    }
    t[i] = key;
}

/* Records that `pc` has its hook; -1 on host OOM. */
static int mark_hooked(sim_space *s, uint64_t pc)
{
    if ((s->align_n + 1) * 2 > s->align_cap) {
        uint32_t ncap = s->align_cap ? s->align_cap * 2 : 64;
        uint64_t *n = calloc(ncap, sizeof *n);
        if (n == NULL) {
            return -1;
        }
        for (uint32_t i = 0; i < s->align_cap; i++) {
            if (s->align_hooked[i] != 0) {
                set_insert(n, ncap, s->align_hooked[i]);
            }
        }
        free(s->align_hooked);
        s->align_hooked = n;
        s->align_cap = ncap;
    }
    set_insert(s->align_hooked, s->align_cap, pc + 1);
    s->align_n++;
    return 0;
}

void align_note(sim_space *s, uint64_t pc, const uint8_t *code, unsigned len)
{
    if (!x86_insn_align16(code, len, ENGINE_GROUPS, NULL) || hooked(s, pc)) {
        return;
    }
    for (uint32_t i = 0; i < s->align_npending; i++) {
        if (s->align_pending[i] == pc) {
            return;
        }
    }
    if (s->align_npending == s->align_pcap) {
        uint32_t ncap = s->align_pcap ? s->align_pcap * 2 : 16;
        uint64_t *n = realloc(s->align_pending, ncap * sizeof *n);
        if (n == NULL) {
            return; /* unchecked: host out of memory */
        }
        s->align_pending = n;
        s->align_pcap = ncap;
    }
    s->align_pending[s->align_npending++] = pc;
}

/* Decodes the instruction at pc: its length and operand if it needs alignment. */
static bool decode_at(const sim_space *s, uint64_t pc, uint8_t *buf, unsigned *len,
                      x86_mem_operand *m)
{
    size_t have = space_read(s, pc, buf, X86_MAX_INSN_LEN);
    *len = x86_insn_length(buf, have);
    return *len != 0 && x86_insn_align16(buf, *len, ENGINE_GROUPS, m);
}

/* The operand's address from the registers now. */
static uint64_t operand_address(uc_engine *uc, const x86_mem_operand *m, uint64_t next_rip)
{
    uint64_t gpr[16] = { 0 }, seg_base = 0;
    if (m->base >= 0 && m->base < 16) {
        uc_reg_read(uc, gpr_ids[m->base], &gpr[m->base]);
    }
    if (m->index >= 0 && m->index < 16) {
        uc_reg_read(uc, gpr_ids[m->index], &gpr[m->index]);
    }
    if (m->seg != X86_SEG_DEFAULT) {
        uc_reg_read(uc, m->seg == X86_SEG_FS ? UC_X86_REG_FS_BASE : UC_X86_REG_GS_BASE,
                    &seg_base);
    }
    return x86_mem_address(m, gpr, next_rip, seg_base);
}

/* The hook: runs before the instruction at `address` executes. */
static void on_aligned_insn(uc_engine *uc, uint64_t address, uint32_t size, void *user)
{
    (void)size;
    const align_site *site = user;
    sim_space *s = site->s;
    x86_mem_operand m = site->m;
    unsigned len = site->len;
    uint8_t buf[X86_MAX_INSN_LEN];
    /* (The bytes may have changed since the hook was put there.) */
    if ((len == 0 || memcmp(site->alias, site->bytes, len) != 0) &&
        !decode_at(s, address, buf, &len, &m)) {
        return;
    }
    if ((operand_address(uc, &m, address + len) & 15u) == 0) {
        return;
    }
    if (s->event == EV_NONE) {
        s->event = EV_EXCEPTION;
        s->vector = 13;
        s->error_code = 0;
        s->hook_raised = true;
    }
    uc_emu_stop(uc);
}

/* A site for pc, remembered in s->align_sites; NULL on host OOM. */
static align_site *new_site(sim_space *s, uint64_t pc)
{
    if (s->align_nsites == s->align_scap) {
        uint32_t ncap = s->align_scap ? s->align_scap * 2 : 16;
        align_site **n = realloc(s->align_sites, ncap * sizeof(align_site *));
        if (n == NULL) {
            return NULL;
        }
        s->align_sites = n;
        s->align_scap = ncap;
    }
    align_site *site = calloc(1, sizeof *site);
    if (site == NULL) {
        return NULL;
    }
    site->s = s;
    unsigned len = 0;
    if (decode_at(s, pc, site->bytes, &len, &site->m)) {
        site->alias = space_slot_alias(s, pc, len);
        site->len = site->alias != NULL ? (uint8_t)len : 0;
    }
    s->align_sites[s->align_nsites++] = site;
    return site;
}

void align_install(sim_space *s)
{
    for (uint32_t i = 0; i < s->align_npending; i++) {
        uint64_t pc = s->align_pending[i];
        if (hooked(s, pc) || mark_hooked(s, pc) != 0) {
            continue;
        }
        align_site *site = new_site(s, pc);
        uc_hook h;
        if (site == NULL ||
            uc_hook_add(s->uc, &h, UC_HOOK_CODE, (void *)on_aligned_insn, site, pc, pc) !=
                UC_ERR_OK) {
            continue; /* unchecked (host out of memory, or the emulator refused) */
        }
        /* Code translated before the hook existed never calls it. */
        space_invalidate_code(s, pc, pc + 1);
    }
    s->align_npending = 0;
}

void align_fini(sim_space *s)
{
    for (uint32_t i = 0; i < s->align_nsites; i++) {
        free(s->align_sites[i]);
    }
    free(s->align_sites);
    s->align_sites = NULL;
    s->align_nsites = s->align_scap = 0;
    free(s->align_hooked);
    free(s->align_pending);
    s->align_hooked = NULL;
    s->align_pending = NULL;
    s->align_cap = s->align_n = s->align_npending = s->align_pcap = 0;
}
