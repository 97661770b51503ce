/*
 * sel4-kconfig-check on sample gen_config.h files written by the test: a kernel built
 * with the README's settings, the README's table alone (IOMMU left at its pc99 default
 * ON), MCS, another architecture, the verified configuration, the release configuration
 * (accepted) and debug build / printing mixed (refused), VT-x, a missing file.  Checks the exact lines a user sees.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "kconfig.h"
#include "kconfig_cli.h"

/* The two line forms of gen_config.h: an option set to a value, and a boolean option
 * that is off (the _LINE forms end with a line break). */
#define SET(name, value) "#define CONFIG_" name "  " value
#define OFF(name)        "/* disabled: CONFIG_" name " */"
#define SET_LINE(name, value) SET(name, value) "\n"
#define OFF_LINE(name)        OFF(name) "\n"

/* The relevant lines of gen_config.h of seL4 16.0.0 built with the README's settings. */
static const char good[] =
    "#pragma once\n"
    "\n"
    SET_LINE("ARCH_X86_64", "1")
    SET_LINE("SEL4_ARCH", "x86_64")
    SET_LINE("PLAT_PC99", "1")
    SET_LINE("PLAT", "pc99")
    SET_LINE("KERNEL_IRQ_CONTROLLER", "IOAPIC")
    OFF_LINE("VTX")
    OFF_LINE("IOMMU")
    SET_LINE("HUGE_PAGE", "1")
    OFF_LINE("SUPPORT_PCID")
    SET_LINE("KERNEL_X86_SYSCALL", "syscall")
    SET_LINE("KERNEL_X86_FPU", "FXSAVE")
    OFF_LINE("FSGSBASE_INST")
    SET_LINE("FSGSBASE_MSR", "1")
    SET_LINE("KERNEL_FSGS_BASE", "msr")
    SET_LINE("ROOT_CNODE_SIZE_BITS", "12")
    SET_LINE("RETYPE_FAN_OUT_LIMIT", "256")
    SET_LINE("MAX_NUM_BOOTINFO_UNTYPED_CAPS", "230")
    SET_LINE("NUM_DOMAINS", "1")
    OFF_LINE("KERNEL_MCS")
    SET_LINE("MAX_NUM_NODES", "1")
    OFF_LINE("VERIFICATION_BUILD")
    SET_LINE("DEBUG_BUILD", "1")
    OFF_LINE("HARDWARE_DEBUG_API")
    SET_LINE("PRINTING", "1");

static char dir[64];
static char text[8192];

/* text = good with each "old" line replaced by "new" (pairs; NULL ends). */
static const char *edit(const char *const *pairs)
{
    snprintf(text, sizeof text, "%s", good);
    for (; pairs[0] != NULL; pairs += 2) {
        char *at = strstr(text, pairs[0]);
        if (at == NULL) {
            fprintf(stderr, "sample has no line %s\n", pairs[0]);
            abort();
        }
        size_t old_len = strlen(pairs[0]);
        size_t new_len = strlen(pairs[1]);
        size_t rest = strlen(at + old_len) + 1;
        if ((size_t)(at - text) + new_len + rest > sizeof text) abort();
        memmove(at + new_len, at + old_len, rest);
        memcpy(at, pairs[1], new_len);
    }
    return text;
}

static void write_config(const char *content)
{
    char path[256];
    const char *parts[] = { "/libsel4", "/libsel4/include", "/libsel4/include/kernel" };
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s", dir, parts[i]);
        mkdir(path, 0755);
    }
    snprintf(path, sizeof path, "%s/libsel4/include/kernel/gen_config.h", dir);
    FILE *f = fopen(path, "w");
    if (f == NULL) abort();
    fputs(content, f);
    fclose(f);
}

/* Runs the tool; its stdout and stderr go to out/err. */
static int run(const char *mode, char *out, char *err, size_t cap)
{
    FILE *o = tmpfile();
    FILE *e = tmpfile();
    if (o == NULL || e == NULL) abort();
    char *argv[4] = { "sel4-kconfig-check", NULL, NULL, NULL };
    int argc = 1;
    if (mode != NULL) argv[argc++] = (char *)mode;
    argv[argc++] = dir;
    int status = kconfig_main(argc, argv, o, e);
    FILE *files[2] = { o, e };
    char *bufs[2] = { out, err };
    for (int i = 0; i < 2; i++) {
        rewind(files[i]);
        size_t n = fread(bufs[i], 1, cap - 1, files[i]);
        bufs[i][n] = '\0';
        fclose(files[i]);
    }
    return status;
}

static void check_text(const char *got, const char *want)
{
    CHECK(strcmp(got, want) == 0);
    if (strcmp(got, want) != 0) fprintf(stderr, "got:\n%s\nwant:\n%s\n", got, want);
}

/* The check's last line for n mismatches. */
static const char *tail(unsigned n)
{
    static char line[512];
    snprintf(line, sizeof line,
             "kernel config: %s/libsel4/include/kernel/gen_config.h: %u setting%s cannot "
             "work with this project; rebuild the kernel with the settings above (README: "
             "\"Running on a real seL4 kernel\")\n",
             dir, n, n == 1 ? "" : "s");
    return line;
}

static char out[4096], err[4096], want[4096];

static void test_good(void)
{
    write_config(good);
    CHECK_EQ(run(NULL, out, err, sizeof out), 0);
    check_text(out, "");
    check_text(err, "");
    CHECK_EQ(run("--summary", out, err, sizeof out), 0);
    check_text(out, "KernelSel4Arch=x86_64 KernelPlatform=pc99 KernelIsMCS=OFF "
                    "KernelMaxNumNodes=1 KernelDebugBuild=ON KernelPrinting=ON KernelIOMMU=OFF "
                    "HardwareDebugAPI=OFF\n");
    CHECK_EQ(run("--abi", out, err, sizeof out), 0);
    check_text(out, "");
}

/* Issue 12: the README's table alone leaves KernelIOMMU at ON.  Supported: the check
 * passes and --abi names the setting, so the images are built with the kernel's labels. */
static void test_iommu_on(void)
{
    const char *const e[] = { OFF("IOMMU"), SET("IOMMU", "1"), NULL };
    write_config(edit(e));
    CHECK_EQ(run(NULL, out, err, sizeof out), 0);
    check_text(err, "");
    CHECK_EQ(run("--abi", out, err, sizeof out), 0);
    check_text(out, "KernelIOMMU=ON\n");
    CHECK_EQ(run("--summary", out, err, sizeof out), 0);
    CHECK(strstr(out, " KernelIOMMU=ON ") != NULL);
}

/* HardwareDebugAPI inserts labels too, but changes fault delivery: refused. */
static void test_debug_api_on(void)
{
    const char *const e[] = { OFF("HARDWARE_DEBUG_API"),
                              SET("HARDWARE_DEBUG_API", "1"),
                              OFF("IOMMU"), SET("IOMMU", "1"), NULL };
    write_config(edit(e));
    CHECK_EQ(run(NULL, out, err, sizeof out), 1);
    snprintf(want, sizeof want,
             "kernel config: HardwareDebugAPI is ON; set -DHardwareDebugAPI=OFF (int3 and single "
             "steps then arrive as DebugException faults, not UserException)\n%s",
             tail(1));
    check_text(err, want);
    CHECK_EQ(run("--abi", out, err, sizeof out), 0);
    check_text(out, "KernelIOMMU=ON\n");
}

static void test_mcs(void)
{
    const char *const e[] = { OFF("KERNEL_MCS"), SET("KERNEL_MCS", "1"),
                              NULL };
    write_config(edit(e));
    CHECK_EQ(run(NULL, out, err, sizeof out), 1);
    snprintf(want, sizeof want,
             "kernel config: KernelIsMCS is ON; set -DKernelIsMCS=OFF (the project uses the "
             "non-MCS API: reply caps, TCB_Configure)\n%s",
             tail(1));
    check_text(err, want);
    check_text(out, "");
}

/* Another architecture: only the architecture and platform are reported, not every x86
 * setting that is missing there. */
static void test_wrong_arch(void)
{
    write_config(SET_LINE("ARCH_AARCH64", "1")
                 SET_LINE("SEL4_ARCH", "aarch64")
                 SET_LINE("PLAT", "qemu-arm-virt")
                 SET_LINE("ROOT_CNODE_SIZE_BITS", "12")
                 SET_LINE("RETYPE_FAN_OUT_LIMIT", "256")
                 SET_LINE("MAX_NUM_BOOTINFO_UNTYPED_CAPS", "230")
                 SET_LINE("NUM_DOMAINS", "1")
                 SET_LINE("MAX_NUM_NODES", "1")
                 SET_LINE("DEBUG_BUILD", "1")
                 SET_LINE("PRINTING", "1"));
    CHECK_EQ(run(NULL, out, err, sizeof out), 1);
    snprintf(want, sizeof want,
             "kernel config: KernelSel4Arch is aarch64; set -DKernelSel4Arch=x86_64 (the ABI "
             "layer is x86_64's)\n"
             "kernel config: KernelPlatform is qemu-arm-virt; set -DKernelPlatform=pc99 "
             "(QEMU's pc machine)\n%s",
             tail(2));
    check_text(err, want);
}

/* configs/X64_verified.cmake: the settings the issue names, and more. */
static void test_verified_config(void)
{
    const char *const e[] = {
        SET("ROOT_CNODE_SIZE_BITS", "12"), SET("ROOT_CNODE_SIZE_BITS", "19"),
        SET("MAX_NUM_BOOTINFO_UNTYPED_CAPS", "230"),
        SET("MAX_NUM_BOOTINFO_UNTYPED_CAPS", "50"),
        SET("NUM_DOMAINS", "1"), SET("NUM_DOMAINS", "16"),
        SET("KERNEL_FSGS_BASE", "msr"), SET("KERNEL_FSGS_BASE", "inst"),
        OFF("VERIFICATION_BUILD"), SET("VERIFICATION_BUILD", "1"),
        SET("DEBUG_BUILD", "1"), OFF("DEBUG_BUILD"),
        SET("PRINTING", "1"), OFF("PRINTING"),
        NULL,
    };
    write_config(edit(e));
    CHECK_EQ(run(NULL, out, err, sizeof out), 1);
    snprintf(want, sizeof want,
             "kernel config: KernelVerificationBuild is ON; set -DKernelVerificationBuild=OFF "
             "(the project runs on a debug kernel or on the release configuration, which has "
             "it OFF)\n"
             "kernel config: KernelRootCNodeSizeBits is 19; set -DKernelRootCNodeSizeBits=12 "
             "(the root task's CNode has 4096 slots)\n"
             "kernel config: KernelMaxNumBootinfoUntypedCaps is 50; set "
             "-DKernelMaxNumBootinfoUntypedCaps=230 (the BootInfo layout of the ABI layer)\n"
             "kernel config: KernelNumDomains is 16; set -DKernelNumDomains=1 (seL4_NumDomains "
             "of the ABI layer)\n"
             "kernel config: KernelFSGSBase is inst; set -DKernelFSGSBase=msr (QEMU TCG's CPU "
             "has no FSGSBASE instructions)\n%s",
             tail(5));
    check_text(err, want);
}

/* The release configuration (README): KernelDebugBuild OFF and KernelPrinting OFF.
 * Accepted; --abi names both, so the images are built without the debug syscalls. */
static void test_release(void)
{
    const char *const e[] = { SET("DEBUG_BUILD", "1"), OFF("DEBUG_BUILD"),
                              SET("PRINTING", "1"), OFF("PRINTING"),
                              NULL };
    write_config(edit(e));
    CHECK_EQ(run(NULL, out, err, sizeof out), 0);
    check_text(err, "");
    CHECK_EQ(run("--abi", out, err, sizeof out), 0);
    check_text(out, "KernelDebugBuild=OFF\nKernelPrinting=OFF\n");
    CHECK_EQ(run("--summary", out, err, sizeof out), 0);
    CHECK(strstr(out, " KernelDebugBuild=OFF KernelPrinting=OFF ") != NULL);
    /* With IOMMU on as well: all three, in the order cmake/targets.cmake writes them. */
    const char *const e2[] = { SET("DEBUG_BUILD", "1"), OFF("DEBUG_BUILD"),
                               SET("PRINTING", "1"), OFF("PRINTING"),
                               OFF("IOMMU"), SET("IOMMU", "1"), NULL };
    write_config(edit(e2));
    CHECK_EQ(run(NULL, out, err, sizeof out), 0);
    CHECK_EQ(run("--abi", out, err, sizeof out), 0);
    check_text(out, "KernelIOMMU=ON\nKernelDebugBuild=OFF\nKernelPrinting=OFF\n");
}

/* Only one of the two: neither the debug nor the release configuration.  The line names
 * KernelPrinting with the value that matches KernelDebugBuild. */
static void test_debug_printing_mixed(void)
{
    const char *const e[] = { SET("PRINTING", "1"), OFF("PRINTING"), NULL };
    write_config(edit(e));
    CHECK_EQ(run(NULL, out, err, sizeof out), 1);
    snprintf(want, sizeof want,
             "kernel config: KernelPrinting is OFF; set -DKernelPrinting=ON (the same as "
             "KernelDebugBuild: ON for a debug kernel, OFF for the release configuration)\n%s",
             tail(1));
    check_text(err, want);
    const char *const e2[] = { SET("DEBUG_BUILD", "1"), OFF("DEBUG_BUILD"),
                               NULL };
    write_config(edit(e2));
    CHECK_EQ(run(NULL, out, err, sizeof out), 1);
    snprintf(want, sizeof want,
             "kernel config: KernelPrinting is ON; set -DKernelPrinting=OFF (the same as "
             "KernelDebugBuild: ON for a debug kernel, OFF for the release configuration)\n%s",
             tail(1));
    check_text(err, want);
}

static void test_vtx_pcid_smp(void)
{
    const char *const e[] = {
        OFF("VTX"), SET("VTX", "1"),
        OFF("SUPPORT_PCID"), SET("SUPPORT_PCID", "1"),
        SET("MAX_NUM_NODES", "1"), SET("MAX_NUM_NODES", "4"),
        SET("KERNEL_X86_FPU", "FXSAVE"), SET("KERNEL_X86_FPU", "XSAVE"),
        SET("HUGE_PAGE", "1"), OFF("HUGE_PAGE"),
        NULL,
    };
    write_config(edit(e));
    CHECK_EQ(run(NULL, out, err, sizeof out), 1);
    snprintf(want, sizeof want,
             "kernel config: KernelMaxNumNodes is 4; set -DKernelMaxNumNodes=1 (one core: SMP "
             "adds TCB_SetAffinity and shifts the invocation labels)\n"
             "kernel config: KernelVTX is ON; set -DKernelVTX=OFF (QEMU TCG's CPU has no VT-x: "
             "the kernel stops at boot)\n"
             "kernel config: KernelSupportPCID is ON; set -DKernelSupportPCID=OFF (QEMU TCG's "
             "Nehalem CPU has no PCID)\n"
             "kernel config: KernelFPU is XSAVE; set -DKernelFPU=FXSAVE (QEMU is run without "
             "XSAVE)\n"
             "kernel config: KernelHugePage is OFF; set -DKernelHugePage=ON (the ABI layer has "
             "seL4_X64_HugePageObject (1 GiB pages))\n%s",
             tail(5));
    check_text(err, want);
}

/* A setting missing altogether (e.g. a header of another kernel version) is "unset". */
static void test_missing_setting(void)
{
    const char *const e[] = { SET_LINE("RETYPE_FAN_OUT_LIMIT", "256"), "", NULL };
    write_config(edit(e));
    CHECK_EQ(run(NULL, out, err, sizeof out), 1);
    snprintf(want, sizeof want,
             "kernel config: KernelRetypeFanOutLimit is unset; set -DKernelRetypeFanOutLimit=256 "
             "(the memory server retypes up to 256 objects at once)\n%s",
             tail(1));
    check_text(err, want);
}

static void test_missing_file(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/libsel4/include/kernel/gen_config.h", dir);
    unlink(path);
    CHECK_EQ(run(NULL, out, err, sizeof out), 2);
    snprintf(want, sizeof want,
             "kernel config: cannot read %s: No such file or directory (SEL4_PREFIX must be an "
             "installed seL4 kernel: its build directory's `ninja install` prefix)\n",
             path);
    check_text(err, want);
    CHECK_EQ(run("--summary", out, err, sizeof out), 2);
    check_text(out, "");
}

static void test_usage(void)
{
    FILE *e = tmpfile();
    char *argv[] = { "sel4-kconfig-check", "--bogus", "x", NULL };
    CHECK_EQ(kconfig_main(3, argv, stdout, e), 2);
    char *argv2[] = { "sel4-kconfig-check", "", NULL };
    CHECK_EQ(kconfig_main(2, argv2, stdout, e), 2);
    CHECK_EQ(kconfig_main(1, argv2, stdout, e), 2);
    fclose(e);
}

static void test_lookup(void)
{
    static const char t[] = SET_LINE("A_B", "7")
                            "  #define\tCONFIG_A   x y  \r\n"
                            "/*disabled: CONFIG_C */\n"
                            "#define CONFIG_D\n"
                            "#defineCONFIG_E 1\n"
                            OFF_LINE("F")
                            SET("F", "2");
    char v[KCONFIG_VALUE_MAX];
    CHECK_EQ(kconfig_lookup(t, sizeof t - 1, "CONFIG_A", v), KCONFIG_DEFINED);
    check_text(v, "x y");
    CHECK_EQ(kconfig_lookup(t, sizeof t - 1, "CONFIG_A_B", v), KCONFIG_DEFINED);
    check_text(v, "7");
    CHECK_EQ(kconfig_lookup(t, sizeof t - 1, "CONFIG_C", v), KCONFIG_DISABLED);
    check_text(v, "");
    CHECK_EQ(kconfig_lookup(t, sizeof t - 1, "CONFIG_D", v), KCONFIG_DEFINED);
    check_text(v, "");
    CHECK_EQ(kconfig_lookup(t, sizeof t - 1, "CONFIG_E", v), KCONFIG_ABSENT);
    CHECK_EQ(kconfig_lookup(t, sizeof t - 1, "CONFIG_F", v), KCONFIG_DEFINED); /* last wins */
    check_text(v, "2");
    CHECK_EQ(kconfig_lookup(t, sizeof t - 1, "CONFIG_", v), KCONFIG_ABSENT);
    /* A value longer than KCONFIG_VALUE_MAX - 1 is cut. */
    char long_line[200];
    snprintf(long_line, sizeof long_line, "#define CONFIG_L %0120d\n", 0);
    CHECK_EQ(kconfig_lookup(long_line, strlen(long_line), "CONFIG_L", v), KCONFIG_DEFINED);
    CHECK_EQ(strlen(v), KCONFIG_VALUE_MAX - 1);
    char s[8];
    kconfig_summary(good, sizeof good - 1, s, sizeof s);
    check_text(s, "KernelS");
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/kconfig_test.XXXXXX");
    if (mkdtemp(dir) == NULL) return 2;
    test_good();
    test_iommu_on();
    test_debug_api_on();
    test_mcs();
    test_wrong_arch();
    test_verified_config();
    test_release();
    test_debug_printing_mixed();
    test_vtx_pcid_smp();
    test_missing_setting();
    test_missing_file();
    test_usage();
    test_lookup();
    const char *parts[] = { "/libsel4/include/kernel/gen_config.h", "/libsel4/include/kernel",
                            "/libsel4/include", "/libsel4", "" };
    for (size_t i = 0; i < 5; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s%s", dir, parts[i]);
        if (i == 0) unlink(path);
        else CHECK_EQ(rmdir(path), 0);
    }
    return check_result("kconfig_test");
}
