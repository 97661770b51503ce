/*
 * The settings this project needs from the seL4 kernel (README, "Running on a real seL4
 * kernel") and the comparison of an installed kernel's gen_config.h with them.
 * CMake setting names and CONFIG_ macros are the kernel's own (config.cmake,
 * src/arch/x86/config.cmake of seL4 16.0.0).
 */
#include "kconfig.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* WANT_AS_DEBUG_BUILD: the same value as KernelDebugBuild (a debug kernel has both on,
 * the release configuration both off). */
enum want { WANT_ON, WANT_OFF, WANT_VALUE, WANT_AS_DEBUG_BUILD };

struct rule {
    const char *setting; /* the kernel's CMake setting */
    const char *macro;   /* the gen_config.h macro that holds its value */
    const char *value;   /* WANT_VALUE: the value needed */
    const char *why;
    enum want want;
    bool x86_only;       /* skipped when the architecture is already wrong */
};

/* Every setting the ABI layer, the runtime, the images and QEMU TCG depend on.  The
 * first two decide whether the x86-only rules are checked at all. */
static const struct rule rules[] = {
    { "KernelSel4Arch", "CONFIG_SEL4_ARCH", "x86_64",
      "the ABI layer is x86_64's", WANT_VALUE, false },
    { "KernelPlatform", "CONFIG_PLAT", "pc99",
      "QEMU's pc machine", WANT_VALUE, false },
    { "KernelIsMCS", "CONFIG_KERNEL_MCS", NULL,
      "the project uses the non-MCS API: reply caps, TCB_Configure", WANT_OFF, false },
    { "KernelMaxNumNodes", "CONFIG_MAX_NUM_NODES", "1",
      "one core: SMP adds TCB_SetAffinity and shifts the invocation labels", WANT_VALUE, false },
    { "KernelVerificationBuild", "CONFIG_VERIFICATION_BUILD", NULL,
      "the project runs on a debug kernel or on the release configuration, which has it OFF",
      WANT_OFF, false },
    /* KernelDebugBuild: either value (images are built for it: abi_rules below). */
    { "KernelPrinting", "CONFIG_PRINTING", NULL,
      "the same as KernelDebugBuild: ON for a debug kernel, OFF for the release configuration",
      WANT_AS_DEBUG_BUILD, false },
    { "KernelRootCNodeSizeBits", "CONFIG_ROOT_CNODE_SIZE_BITS", "12",
      "the root task's CNode has 4096 slots", WANT_VALUE, false },
    { "KernelMaxNumBootinfoUntypedCaps", "CONFIG_MAX_NUM_BOOTINFO_UNTYPED_CAPS", "230",
      "the BootInfo layout of the ABI layer", WANT_VALUE, false },
    { "KernelNumDomains", "CONFIG_NUM_DOMAINS", "1",
      "seL4_NumDomains of the ABI layer", WANT_VALUE, false },
    { "KernelRetypeFanOutLimit", "CONFIG_RETYPE_FAN_OUT_LIMIT", "256",
      "the memory server retypes up to 256 objects at once", WANT_VALUE, false },
    { "KernelSyscall", "CONFIG_KERNEL_X86_SYSCALL", "syscall",
      "the ABI layer enters the kernel with the syscall instruction", WANT_VALUE, true },
    { "KernelIRQController", "CONFIG_KERNEL_IRQ_CONTROLLER", "IOAPIC",
      "the IRQ conformance tests and sel4-sim use the IOAPIC", WANT_VALUE, true },
    { "KernelVTX", "CONFIG_VTX", NULL,
      "QEMU TCG's CPU has no VT-x: the kernel stops at boot", WANT_OFF, true },
    { "KernelSupportPCID", "CONFIG_SUPPORT_PCID", NULL,
      "QEMU TCG's Nehalem CPU has no PCID", WANT_OFF, true },
    { "KernelFSGSBase", "CONFIG_KERNEL_FSGS_BASE", "msr",
      "QEMU TCG's CPU has no FSGSBASE instructions", WANT_VALUE, true },
    { "KernelFPU", "CONFIG_KERNEL_X86_FPU", "FXSAVE",
      "QEMU is run without XSAVE", WANT_VALUE, true },
    { "KernelHugePage", "CONFIG_HUGE_PAGE", NULL,
      "the ABI layer has seL4_X64_HugePageObject (1 GiB pages)", WANT_ON, true },
    { "HardwareDebugAPI", "CONFIG_HARDWARE_DEBUG_API", NULL,
      "int3 and single steps then arrive as DebugException faults, not UserException",
      WANT_OFF, false },
};

/* Settings that change what the ABI layer declares; either value works (the seL4
 * programs are then built for the kernel's value, abi/include/sel4/config.h): KernelIOMMU
 * inserts invocation labels and an object type, KernelDebugBuild and KernelPrinting decide
 * which debug syscalls exist.  `want` is sel4-sim's value; cmake/targets.cmake
 * (sel4_kernel_numbering) has the same list in the same order.  HardwareDebugAPI inserts
 * labels too but also changes how faults arrive: a rule above. */
static const struct rule abi_rules[] = {
    { "KernelIOMMU", "CONFIG_IOMMU", NULL, NULL, WANT_OFF, true },
    { "KernelDebugBuild", "CONFIG_DEBUG_BUILD", NULL, NULL, WANT_ON, false },
    { "KernelPrinting", "CONFIG_PRINTING", NULL, NULL, WANT_ON, false },
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* Skips spaces from `i` within [i, end). */
static size_t skip_spaces(const char *t, size_t i, size_t end)
{
    while (i < end && is_space(t[i])) i++;
    return i;
}

/* Does [i, end) start with `s`?  */
static bool starts_with(const char *t, size_t i, size_t end, const char *s)
{
    size_t n = strlen(s);
    return end - i >= n && memcmp(t + i, s, n) == 0;
}

/* Does [i, end) start with the identifier `name`, not followed by another identifier
 * character? */
static bool starts_with_name(const char *t, size_t i, size_t end, const char *name)
{
    if (!starts_with(t, i, end, name)) return false;
    size_t j = i + strlen(name);
    if (j == end) return true;
    char c = t[j];
    return !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
             c == '_');
}

/* Copies [i, end) without trailing spaces into value (cut to fit). */
static void copy_value(const char *t, size_t i, size_t end, char value[KCONFIG_VALUE_MAX])
{
    while (end > i && is_space(t[end - 1])) end--;
    size_t n = end - i;
    if (n > KCONFIG_VALUE_MAX - 1) n = KCONFIG_VALUE_MAX - 1;
    if (n > 0) memcpy(value, t + i, n);
    value[n] = '\0';
}

/* What the line [i, end) says about macro (KCONFIG_ABSENT: nothing). */
static enum kconfig_state line_state(const char *t, size_t i, size_t end, const char *macro,
                                     char value[KCONFIG_VALUE_MAX])
{
    i = skip_spaces(t, i, end);
    if (starts_with(t, i, end, "#define")) {
        size_t j = skip_spaces(t, i + 7, end);
        if (j == i + 7 || !starts_with_name(t, j, end, macro)) return KCONFIG_ABSENT;
        copy_value(t, skip_spaces(t, j + strlen(macro), end), end, value);
        return KCONFIG_DEFINED;
    }
    if (starts_with(t, i, end, "/*")) {
        size_t j = skip_spaces(t, i + 2, end);
        if (!starts_with(t, j, end, "disabled:")) return KCONFIG_ABSENT;
        j = skip_spaces(t, j + 9, end);
        if (starts_with_name(t, j, end, macro)) return KCONFIG_DISABLED;
    }
    return KCONFIG_ABSENT;
}

enum kconfig_state kconfig_lookup(const char *text, size_t len, const char *macro,
                                  char value[KCONFIG_VALUE_MAX])
{
    enum kconfig_state found = KCONFIG_ABSENT;
    value[0] = '\0';
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && text[end] != '\n') end++;
        char v[KCONFIG_VALUE_MAX] = { 0 };
        enum kconfig_state s = line_state(text, i, end, macro, v);
        if (s != KCONFIG_ABSENT) {
            /* The last line for a macro wins, as it would for the C preprocessor. */
            found = s;
            memcpy(value, v, KCONFIG_VALUE_MAX);
        }
        i = end + 1;
    }
    return found;
}

/* The setting's value as the user would write it: ON/OFF for booleans, the value for
 * the others, "unset" when the option is missing. */
static void actual_value(const struct rule *r, enum kconfig_state s, const char *value,
                         char out[KCONFIG_VALUE_MAX])
{
    if (r->want != WANT_VALUE) { /* booleans */
        snprintf(out, KCONFIG_VALUE_MAX, "%s", s == KCONFIG_DEFINED ? "ON" : "OFF");
    } else {
        snprintf(out, KCONFIG_VALUE_MAX, "%s", s == KCONFIG_DEFINED ? value : "unset");
    }
}

static bool debug_build(const char *text, size_t len)
{
    char value[KCONFIG_VALUE_MAX];
    return kconfig_lookup(text, len, "CONFIG_DEBUG_BUILD", value) == KCONFIG_DEFINED;
}

static bool rule_holds(const struct rule *r, enum kconfig_state s, const char *value, bool debug)
{
    switch (r->want) {
    case WANT_ON: return s == KCONFIG_DEFINED;
    case WANT_OFF: return s != KCONFIG_DEFINED;
    case WANT_VALUE: return s == KCONFIG_DEFINED && strcmp(value, r->value) == 0;
    case WANT_AS_DEBUG_BUILD: return (s == KCONFIG_DEFINED) == debug;
    }
    return false;
}

static const char *wanted_value(const struct rule *r, bool debug)
{
    switch (r->want) {
    case WANT_ON: return "ON";
    case WANT_OFF: return "OFF";
    case WANT_VALUE: return r->value;
    case WANT_AS_DEBUG_BUILD: return debug ? "ON" : "OFF";
    }
    return "?";
}

unsigned kconfig_check(const char *text, size_t len, kconfig_report_fn *report, void *ctx)
{
    unsigned mismatches = 0;
    bool x86 = true;
    bool debug = debug_build(text, len);
    for (size_t k = 0; k < COUNT(rules); k++) {
        const struct rule *r = &rules[k];
        if (r->x86_only && !x86) continue;
        char value[KCONFIG_VALUE_MAX];
        enum kconfig_state s = kconfig_lookup(text, len, r->macro, value);
        if (rule_holds(r, s, value, debug)) continue;
        if (k < 2) x86 = false; /* wrong architecture or platform: x86 rules say nothing */
        char actual[KCONFIG_VALUE_MAX];
        actual_value(r, s, value, actual);
        char line[KCONFIG_LINE_MAX];
        snprintf(line, sizeof line, "kernel config: %s is %s; set -D%s=%s (%s)", r->setting,
                 actual, r->setting, wanted_value(r, debug), r->why);
        report(ctx, line);
        mismatches++;
    }
    return mismatches;
}

unsigned kconfig_abi_differences(const char *text, size_t len, kconfig_report_fn *report,
                                 void *ctx)
{
    unsigned n = 0;
    for (size_t k = 0; k < COUNT(abi_rules); k++) {
        const struct rule *r = &abi_rules[k];
        char value[KCONFIG_VALUE_MAX];
        enum kconfig_state s = kconfig_lookup(text, len, r->macro, value);
        if (rule_holds(r, s, value, false)) continue;
        char line[KCONFIG_LINE_MAX];
        snprintf(line, sizeof line, "%s=%s", r->setting, s == KCONFIG_DEFINED ? "ON" : "OFF");
        report(ctx, line);
        n++;
    }
    return n;
}

/* The rule for a setting name (there is one for each name kconfig_summary uses; for
 * KernelPrinting the first, which is enough to read its value). */
static const struct rule *find_rule(const char *setting)
{
    for (size_t k = 0; k < COUNT(rules); k++)
        if (strcmp(rules[k].setting, setting) == 0) return &rules[k];
    for (size_t k = 0; k < COUNT(abi_rules); k++)
        if (strcmp(abi_rules[k].setting, setting) == 0) return &abi_rules[k];
    return NULL;
}

void kconfig_summary(const char *text, size_t len, char *buf, size_t cap)
{
    static const char *const key[] = {
        "KernelSel4Arch", "KernelPlatform", "KernelIsMCS", "KernelMaxNumNodes",
        "KernelDebugBuild", "KernelPrinting", "KernelIOMMU", "HardwareDebugAPI",
    };
    if (cap == 0) return;
    buf[0] = '\0';
    size_t used = 0;
    for (size_t k = 0; k < COUNT(key) && used < cap - 1; k++) {
        const struct rule *r = find_rule(key[k]);
        if (r == NULL) continue;
        char value[KCONFIG_VALUE_MAX];
        char actual[KCONFIG_VALUE_MAX];
        enum kconfig_state s = kconfig_lookup(text, len, r->macro, value);
        actual_value(r, s, value, actual);
        int n = snprintf(buf + used, cap - used, "%s%s=%s", used == 0 ? "" : " ", r->setting,
                         actual);
        if (n < 0) break;
        used += (size_t)n < cap - used ? (size_t)n : cap - 1 - used;
    }
}
