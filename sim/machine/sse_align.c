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
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "space.h"
#include "x86_align.h"
#include "x86_length.h"

/* The groups the engine executes: libunicorn 2.0.1 runs SSSE3, SSE4.1/4.2, AES-NI and
 * PCLMULQDQ too (conf-cpu: movntdqa, aesenc run in sel4-sim).  The reference CPU
 * (Nehalem) has SSSE3 and SSE4 (alignment #GP there); AES/PCLMUL are #UD on it, a
 * difference listed for conf-cpu either way. */
#define ENGINE_GROUPS (X86_ALIGN_SSE | X86_ALIGN_SSE_EXT)

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

/* An entry of s->align_hooked: address + 1 (0: empty) and its site (NULL if the hook
 * could not be set up). */
typedef struct align_slot {
    uint64_t key;
    align_site *site;
} align_slot;

/* The entry of `pc` in s->align_hooked, or NULL if it has no hook yet. */
static const align_slot *find_hooked(const sim_space *s, uint64_t pc)
{
    if (s->align_cap == 0) {
        return NULL;
    }
    uint64_t key = pc + 1;
    for (uint32_t i = addr_slot(key, s->align_cap), n = 0; n < s->align_cap;
         i = (i + 1) & (s->align_cap - 1), n++) {
        if (s->align_hooked[i].key == key) {
            return &s->align_hooked[i];
        }
        if (s->align_hooked[i].key == 0) {
            return NULL;
        }
    }
    return NULL;
}

static void set_insert(align_slot *t, uint32_t cap, align_slot e)
{
    uint32_t i = addr_slot(e.key, cap);
    while (t[i].key != 0 && t[i].key != e.key) {
        i = (i + 1) & (cap - 1);
    }
    t[i] = e;
}

/* Records that `pc` has its hook (with `site`); -1 on host OOM. */
static int mark_hooked(sim_space *s, uint64_t pc, align_site *site)
{
    if ((s->align_n + 1) * 2 > s->align_cap) {
        uint32_t ncap = s->align_cap ? s->align_cap * 2 : 64;
        align_slot *n = calloc(ncap, sizeof *n);
        if (n == NULL) {
            return -1;
        }
        for (uint32_t i = 0; i < s->align_cap; i++) {
            if (s->align_hooked[i].key != 0) {
                set_insert(n, ncap, s->align_hooked[i]);
            }
        }
        free(s->align_hooked);
        s->align_hooked = n;
        s->align_cap = ncap;
    }
    set_insert(s->align_hooked, s->align_cap, (align_slot){ pc + 1, site });
    s->align_n++;
    return 0;
}

void align_note(sim_space *s, uint64_t pc, const uint8_t *code, unsigned len)
{
    if (!x86_insn_align16(code, len, ENGINE_GROUPS, NULL) || find_hooked(s, pc) != NULL) {
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

/* ---- dispatch ----
 * With more than one code hook in an engine, unicorn's helper_uc_tracecode runs the
 * bounds check of every code hook of the engine for each hooked instruction: O(hooks),
 * ~2 us per instruction with 500 hooks.  Translated code calls that helper through
 * libunicorn's GOT, so it is defined here as well: an address with a site goes
 * straight to on_aligned_insn (a hash lookup), anything else to the library's own
 * helper (dlsym RTLD_NEXT).  Only for the libunicorn that was checked
 * (uc_internals_known): its helper does nothing else for a code hook than the bounds
 * checks and the calls.  Spaces with sites are found by engine in g_spaces. */
#define MAX_SPACES 64u
static sim_space *g_spaces[MAX_SPACES];
static unsigned g_nspaces;

static sim_space *space_of(const void *uc)
{
    for (unsigned i = 0; i < g_nspaces; i++) {
        if ((const void *)g_spaces[i]->uc == uc) {
            return g_spaces[i];
        }
    }
    return NULL;
}

static void registry_add(sim_space *s)
{
    if (space_of(s->uc) == NULL && g_nspaces < MAX_SPACES) {
        g_spaces[g_nspaces++] = s; /* (beyond that: the library's helper, still right) */
    }
}

static void registry_remove(const sim_space *s)
{
    for (unsigned i = 0; i < g_nspaces; i++) {
        if (g_spaces[i] == s) {
            g_spaces[i] = g_spaces[--g_nspaces];
            return;
        }
    }
}

/* libunicorn 2.0.1's hook indices (include/uc_priv.h): the low 6 bits of `index`. */
#define UC_PRIV_HOOK_IDX_MASK 63
#define UC_PRIV_HOOK_CODE_IDX 2

typedef void (*tracecode_fn)(int32_t size, int32_t index, void *handle, int64_t address);
void helper_uc_tracecode(int32_t size, int32_t index, void *handle, int64_t address);

void helper_uc_tracecode(int32_t size, int32_t index, void *handle, int64_t address)
{
    static tracecode_fn real;
    if (size != 0 && (index & UC_PRIV_HOOK_IDX_MASK) == UC_PRIV_HOOK_CODE_IDX &&
        uc_internals_known()) {
        const sim_space *s = space_of(handle);
        const align_slot *e = s != NULL ? find_hooked(s, (uint64_t)address) : NULL;
        if (e != NULL && e->site != NULL) {
            on_aligned_insn(handle, (uint64_t)address, (uint32_t)size, e->site);
            return;
        }
    }
    if (real == NULL) {
        real = (tracecode_fn)dlsym(RTLD_NEXT, "helper_uc_tracecode");
    }
    if (real != NULL) {
        real(size, index, handle, address);
    }
}

void align_install(sim_space *s)
{
    registry_add(s);
    for (uint32_t i = 0; i < s->align_npending; i++) {
        uint64_t pc = s->align_pending[i];
        if (find_hooked(s, pc) != NULL) {
            continue;
        }
        align_site *site = new_site(s, pc);
        if (mark_hooked(s, pc, site) != 0) {
            continue;
        }
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
    registry_remove(s);
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
